/**
 * SIGHUP (the terminal closed) ends a lab like Ctrl-C does: its namespaces, its listen processes and
 * its work folder are gone, exit 129. Issue #15 (it used to leave 3 namespaces, 8 listeners and the
 * folder behind).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { kernelSkipReason } from "../kernel/netns.js";
import { folders, ours, signalledLab, strays } from "../lab/leftovers.js";

const skip = kernelSkipReason(["nft"]);

test("lab: SIGHUP while its listeners run cleans up everything, exit 129", { skip }, async () => {
  const r = await signalledLab("examples/seed-host.yaml", "SIGHUP");
  assert.ok(
    r.running.namespaces > 0 && r.running.processes > 0 && r.running.folders === 1,
    "the lab was running",
  );
  assert.equal(r.status, 129, r.stderr);
  assert.deepEqual(ours(r.pid), []);
  assert.deepEqual(strays(r.pid), []);
  assert.deepEqual(folders(r.pid), []);
});
