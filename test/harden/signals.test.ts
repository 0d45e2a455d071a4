/**
 * SIGHUP (the terminal closed) ends a lab like Ctrl-C does: its namespaces, its listen processes and
 * its work folder are gone, exit 129. Issue #15 (it used to leave 3 namespaces, 8 listeners and the
 * folder behind).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { kernelSkipReason } from "../kernel/netns.js";
import { CLI, ROOT } from "../cli/run-cli.js";
import { ours, strays } from "../lab/leftovers.js";

const skip = kernelSkipReason(["nft"]);

test("lab: SIGHUP while its listeners run cleans up everything, exit 129", { skip }, async () => {
  const child = spawn(process.execPath, [CLI, "lab", "-t", join(ROOT, "examples/seed-host.yaml")], {
    cwd: ROOT,
  });
  let stderr = "";
  const listening = new Promise<void>((resolve) =>
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
      if (stderr.includes("listening as")) resolve();
    }),
  );
  const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  await listening;
  const pid = child.pid!;
  const folders = (): string[] => readdirSync(tmpdir()).filter((f) => f.startsWith(`portmatrix-lab-${pid}-`));
  assert.ok(ours(pid).length > 0 && strays(pid).length > 0 && folders().length === 1, "the lab is running");
  child.kill("SIGHUP");
  const status = await new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  clearTimeout(timer);
  assert.equal(status, 129, stderr);
  assert.deepEqual(ours(pid), []);
  assert.deepEqual(strays(pid), []);
  assert.deepEqual(folders(), []);
});
