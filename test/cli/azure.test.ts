/**
 * Azure through the CLI: `compile --target azure` of the seed perimeter (one NSG per zone subnet),
 * audited back by the guessed reader (exit 0, every required flow allowed); a zone whose subnet no
 * NSG of the file is placed on is bad input (exit 2, azure-unknown-subnet), never "blocked"; and
 * the same file for a host topology is the wrong kind (exit 2, ruleset-kind).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { assertPerimeterRoundTrip, runCli } from "./run-cli.js";

test("azure: compile a perimeter, audit the NSGs back; a foreign subnet and a host topology are refused", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-azure-"));
  try {
    const file = join(dir, "nsgs.arm.json");
    assertPerimeterRoundTrip("azure", file);
    const moved = join(dir, "moved.arm.json");
    writeFileSync(
      moved,
      readFileSync(file, "utf8").replace('"portmatrix-subnet": "eth1"', '"portmatrix-subnet": "dmz"'),
    );
    const bad = runCli(["audit", "-t", "examples/seed-perimeter.yaml", "-r", moved]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /error\[azure-unknown-subnet\]: .*zone dmz is on interface eth1/);
    const host = runCli(["audit", "-t", "examples/seed-host.yaml", "-r", file]);
    assert.equal(host.status, 2);
    assert.match(host.stderr, /error\[ruleset-kind\]: .*several network security groups are a perimeter/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
