/**
 * Junos through the CLI: `compile --target junos` of the seed perimeter, audited back by the
 * guessed reader (exit 0: all required flows allowed); a topology zone on an interface that is in
 * no security zone of the file is bad input (exit 2, junos-unknown-interface), never "blocked".
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "./run-cli.js";

test("junos: compile, then audit the set commands back; a foreign zone interface is refused", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-junos-"));
  try {
    const file = join(dir, "srx.set");
    const c = runCli([
      "compile",
      "-t",
      "examples/seed-perimeter.yaml",
      "--target",
      "junos",
      "--drop-retired",
      "-o",
      file,
    ]);
    assert.equal(c.status, 0, c.stderr);
    const ok = runCli(["audit", "-t", "examples/seed-perimeter.yaml", "-r", file, "--format", "json"]);
    assert.equal(ok.status, 0, ok.stderr);
    // Compiled without the retired rows: those are blocked (as they should be), the rest allowed.
    const report = JSON.parse(ok.stdout) as { flows: Array<{ verdict: string; retired: boolean }> };
    assert.ok(report.flows.some((f) => !f.retired));
    assert.ok(report.flows.every((f) => f.verdict === (f.retired ? "blocked" : "allowed")));
    const moved = join(dir, "moved.set");
    writeFileSync(moved, readFileSync(file, "utf8").replace("interfaces eth1", "interfaces ge-0/0/1.0"));
    const bad = runCli(["audit", "-t", "examples/seed-perimeter.yaml", "-r", moved]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /error\[junos-unknown-interface\]: .*zone dmz is on interface eth1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
