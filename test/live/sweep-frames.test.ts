/**
 * The sweep turns error stack frames off while it runs (Node formats every refused connect's stack,
 * issue 21) and gives the process its own limit back when the last of several overlapping sweeps
 * ends. Real refused connects: the sweep runs in namespace B towards 203.0.113.10 in A, where
 * nothing listens.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { ROOT } from "../cli/run-cli.js";
import { EDGE, LiveLab, liveSkip } from "./lab.js";

const SWEEP = pathToFileURL(join(ROOT, "dist/src/live/sweep.js")).href;

const DRIVER = `
import { sweepTcp } from ${JSON.stringify(SWEEP)};
Error.stackTraceLimit = 7;
const o = { maxInFlight: 64, rate: 0, initialTimeoutMs: 2000, minTimeoutMs: 20, retries: 0 };
const jobs = (from) => Array.from({ length: 200 }, (_, k) => ({ host: ${JSON.stringify(EDGE)}, port: from + k }));
const first = sweepTcp(jobs(20000), o);
const second = sweepTcp(jobs(30000), o);
const during = new Error("during").stack.includes("\\n    at ");
const a = await first;
const afterFirst = Error.stackTraceLimit;
const b = await second;
const codes = [...a.outcomes, ...b.outcomes].map((x) => x.code);
console.log(JSON.stringify({
  during,
  afterFirst,
  afterBoth: Error.stackTraceLimit,
  after: new Error("after").stack.includes("\\n    at "),
  refused: codes.filter((c) => c === "ECONNREFUSED").length,
  total: codes.length,
}));
`;

test(
  "sweep: no stack frames while sweeps run, the process's limit back after the last one",
  { skip: liveSkip(), timeout: 60_000 },
  async () => {
    const lab = new LiveLab("sfr");
    try {
      const driver = join(lab.dir, "driver.mjs");
      writeFileSync(driver, DRIVER);
      // The JS sweep's behaviour (the native one makes no JS errors at all).
      const r = await lab.run(lab.b, ["env", "PORTMATRIX_SWEEP=js", process.execPath, driver]);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), {
        during: false,
        afterFirst: 0,
        afterBoth: 7,
        after: true,
        refused: 400,
        total: 400,
      });
    } finally {
      await lab.close();
    }
  },
);
