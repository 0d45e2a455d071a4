/**
 * SIGHUP (the terminal closed) ends a lab like Ctrl-C does: its namespaces, its listen processes and
 * its work folder are gone, exit 129. Issue #15 (it used to leave 3 namespaces, 8 listeners and the
 * folder behind).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { CLI, ROOT } from "../cli/run-cli.js";
import { kernelSkipReason } from "../kernel/netns.js";
import { folders, ours, signalledLab, strays } from "../lab/leftovers.js";

const skip = kernelSkipReason(["nft"]);

test("lab: SIGHUP while its listeners run cleans up everything, then ends by SIGHUP", { skip }, async () => {
  const r = await signalledLab("examples/seed-host.yaml", "SIGHUP");
  assert.ok(
    r.running.namespaces > 0 && r.running.processes > 0 && r.running.folders === 1,
    "the lab was running",
  );
  // Cleaned up, then SIGHUP raised again with its default action: the shell sees 129.
  assert.equal(r.signal, "SIGHUP", `exit ${r.status}: ${r.stderr}`);
  assert.deepEqual(ours(r.pid), []);
  assert.deepEqual(strays(r.pid), []);
  assert.deepEqual(folders(r.pid), []);
});

/** A lab in a pseudo-terminal that is then closed: the kernel's own SIGHUP, to the whole session. */
const HANGUP = `
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
seen = b""
deadline = time.time() + 120
while b"listening as" not in seen and time.time() < deadline:
    if select.select([fd], [], [], 1)[0]:
        try:
            seen += os.read(fd, 4096)
        except OSError:
            break
print(pid, flush=True)
os.close(fd)
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status), flush=True)
`;

test("lab: its terminal closed (a real hangup) leaves nothing behind and no Node abort", { skip }, () => {
  const out = execFileSync(
    "python3",
    ["-c", HANGUP, process.execPath, CLI, "lab", "-t", "examples/seed-host.yaml"],
    {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 150_000,
    },
  );
  const [pid, status] = out.trim().split("\n").map(Number) as [number, number];
  // -1: ended by SIGHUP (raised again after clean-up); a Node abort would be -6 (SIGABRT).
  assert.ok(status === -1 || status === 129, `lab ended with ${status}`);
  assert.deepEqual(ours(pid), []);
  assert.deepEqual(strays(pid), []);
  assert.deepEqual(folders(pid), []);
});
