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
import { assertPerimeterRoundTrip, runCli } from "./run-cli.js";

test("junos: compile, then audit the set commands back; a foreign zone interface is refused", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-junos-"));
  try {
    const file = join(dir, "srx.set");
    assertPerimeterRoundTrip("junos", file);
    const moved = join(dir, "moved.set");
    writeFileSync(moved, readFileSync(file, "utf8").replace("interfaces eth1", "interfaces ge-0/0/1.0"));
    const bad = runCli(["audit", "-t", "examples/seed-perimeter.yaml", "-r", moved]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /error\[junos-unknown-interface\]: .*zone dmz is on interface eth1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
