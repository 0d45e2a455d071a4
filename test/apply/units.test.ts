/**
 * The shipped systemd units (contrib/systemd) pass `systemd-analyze verify`, instantiated as a
 * user would (portmatrix-check@edge), and run what the README says: audit --live --save
 * --fail-on-drift and probe --save.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "../cli/run-cli.js";

const UNITS = join(ROOT, "contrib", "systemd");
const verify = spawnSync("systemd-analyze", ["--version"], { encoding: "utf8" });
const skip = verify.error ? "systemd-analyze is not installed" : undefined;

test("contrib/systemd units verify and run audit --live and probe with --save", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-units-"));
  try {
    const files = ["service", "timer"].map((ext) => {
      const to = join(dir, `portmatrix-check@edge.${ext}`);
      copyFileSync(join(UNITS, `portmatrix-check@.${ext}`), to);
      return to;
    });
    const r = spawnSync("systemd-analyze", ["verify", "--man=no", ...files], { encoding: "utf8", cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr.trim(), "", "no warnings");
    const service = readFileSync(files[0]!, "utf8");
    assert.match(service, /^ExecStart=.* audit .*--live --save \S+ --fail-on-drift$/m);
    assert.match(service, /^ExecStart=-.* probe .*--save /m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
