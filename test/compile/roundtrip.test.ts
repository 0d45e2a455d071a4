/**
 * Compile → read back → audit: what portmatrix generates must audit as every required flow allowed
 * (replies included) and nothing exposed beyond the matrix, for every target a reader exists for.
 * Compiled with --drop-retired (kept, the retired Messenger rows would rightly be exposure); with
 * them kept, they must be allowed and be the only exposure, and their rules reported as retired. Windows'
 * PowerShell script is read back as a script (windows-script: the rules it leaves on a host).
 * Azure's perimeter template (one NSG per zone subnet) is read back as those subnets.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { audit } from "../../src/audit/audit.js";
import { TARGETS } from "../../src/compile/index.js";
import { makePlan } from "../../src/compile/plan.js";
import type { TargetId } from "../../src/compile/target.js";
import { READERS, type ReaderName } from "../../src/parse/index.js";
import { loadTopology } from "../../src/shell/load.js";
import { join } from "node:path";
import { ROOT } from "../cli/run-cli.js";

const CASES: Array<[string, TargetId, ReaderName]> = [
  ["seed-host", "nftables", "nftables-text"],
  ["seed-perimeter", "nftables", "nftables-text"],
  ["seed-host", "iptables", "iptables-save"],
  ["seed-perimeter", "iptables", "iptables-save"],
  ["seed-perimeter", "cisco-asa", "cisco-asa"],
  ["seed-perimeter", "junos", "junos"],
  ["seed-perimeter", "panos", "panos"],
  ["seed-perimeter", "fortios", "fortios"],
  ["seed-host", "aws", "aws-security-groups"],
  ["seed-host", "azure", "azure-nsg"],
  ["seed-perimeter", "azure", "azure-nsg"],
  ["legacy/asa-topology", "azure", "azure-nsg"],
  ["seed-host", "pf", "pf"],
  ["seed-host", "windows", "windows-script"],
  ["seed-perimeter", "pf", "pf"],
];

for (const [name, target, reader] of CASES) {
  test(`round trip: ${name} → ${target} → ${reader} → audit`, () => {
    const t = loadTopology(join(ROOT, "examples", `${name}.yaml`));
    assert.ok(t.ok);
    const bound = t.value.bound;
    const run = (dropRetired: boolean) => {
      const plan = makePlan(bound, { dropRetired });
      assert.ok(plan.ok);
      const out = TARGETS[target].compile(plan.plan);
      assert.ok(out.ok);
      // The files a reader takes (iptables: the v4 and the v6 file; AWS: the JSON, not the Terraform).
      const files = out.files.filter((f) => f.suffix === "" || f.suffix === ".v6");
      const parsed = files.map((f) => READERS[reader](f.text, `${target}${f.suffix}`));
      for (const p of parsed)
        assert.deepEqual(
          p.diagnostics.filter((d) => d.severity === "error"),
          [],
        );
      return audit(bound, parsed);
    };
    const active = bound.flows.filter((f) => f.active);
    const strict = run(true);
    assert.deepEqual(
      strict.flows.map((f) => [f.id, f.verdict]),
      active.map((f) => [f.id, f.retired ? "blocked" : "allowed"]),
      JSON.stringify(strict.flows, null, 1),
    );
    assert.deepEqual(strict.exposure, [], JSON.stringify(strict.exposure, null, 1));
    assert.deepEqual(strict.unsupported, []);
    assert.deepEqual(strict.retired, []);
    const kept = run(false);
    assert.deepEqual(
      kept.flows.map((f) => [f.id, f.verdict]),
      active.map((f) => [f.id, "allowed"]),
    );
    const retiredIds = active.filter((f) => f.retired).map((f) => f.id);
    assert.ok(kept.exposure.length > 0 && kept.retired.length > 0);
    for (const r of kept.retired) assert.ok(r.flows.every((id) => retiredIds.includes(id)));
  });
}
