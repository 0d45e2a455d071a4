/**
 * The pf target read back by the pf reader for every catalog topology (and the seeds): every
 * active flow allowed, nothing exposed, nothing approximated. Host topologies take `pass in/out
 * quick`, perimeters `pass in on` the source zone's interface and `pass out on` the destination's,
 * NAT as FreeBSD-style `binat` before the filter.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { audit } from "../../src/audit/audit.js";
import { TARGETS } from "../../src/compile/index.js";
import { makePlan } from "../../src/compile/plan.js";
import { readPf } from "../../src/parse/pf.js";
import { loadTopology } from "../../src/shell/load.js";
import { ROOT } from "../cli/run-cli.js";

const files = [
  "examples/seed-host.yaml",
  "examples/seed-perimeter.yaml",
  ...readdirSync(join(ROOT, "examples/catalog"))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => `examples/catalog/${f}`),
];

test("pf round trip: every catalog topology compiles to pf that reads back allowed, unexposed, exact", () => {
  let nat = 0;
  for (const file of files) {
    const t = loadTopology(join(ROOT, file), "2026-11-25");
    assert.ok(t.ok, file);
    const plan = makePlan(t.value.bound, { dropRetired: true });
    assert.ok(plan.ok, file);
    const out = TARGETS.pf.compile(plan.plan);
    assert.ok(out.ok, file);
    const text = out.files[0]!.text;
    if (/^binat /m.test(text)) nat++;
    const parsed = readPf(text, file);
    assert.deepEqual(parsed.diagnostics, [], file);
    const report = audit(t.value.bound, [parsed]);
    const active = t.value.bound.flows.filter((f) => f.active);
    assert.deepEqual(
      report.flows.map((f) => [f.id, f.verdict, f.uncertain]),
      active.map((f) => [f.id, f.retired ? "blocked" : "allowed", false]),
      file,
    );
    assert.deepEqual(report.exposure, [], file);
    assert.deepEqual(report.unsupported, [], file);
  }
  assert.ok(files.length > 20 && nat > 0, `${files.length} topologies, ${nat} with NAT`);
});
