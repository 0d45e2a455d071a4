/**
 * Every built-in profile, bound to its example topology, compiles to every target — or the target
 * refuses with compile-unsupported diagnostics that name the flow (never a silent drop or a crash);
 * and what it compiles to, read back by the matching reader, audits as every active flow allowed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { audit } from "../../src/audit/audit.js";
import { TARGETS } from "../../src/compile/index.js";
import type { TargetId } from "../../src/compile/target.js";
import { READERS, type ReaderName } from "../../src/parse/index.js";
import { makePlan } from "../../src/compile/plan.js";
import { builtinProfileIds, loadTopology } from "../../src/shell/load.js";
import { ROOT } from "../cli/run-cli.js";

const exampleOf = (id: string): string =>
  id === "lync2013-public-im"
    ? join(ROOT, "examples/seed-perimeter.yaml")
    : join(ROOT, "examples/catalog", `${id}.yaml`);

/** Targets whose output a reader takes back, and the files it takes. */
const READ_BACK: Partial<Record<TargetId, ReaderName>> = {
  nftables: "nftables-text",
  iptables: "iptables-save",
  "cisco-asa": "cisco-asa",
  junos: "junos",
  panos: "panos",
  fortios: "fortios",
  aws: "aws-security-groups",
  azure: "azure-nsg",
  pf: "pf",
};

for (const id of builtinProfileIds()) {
  test(`${id}: compiles to every target or says precisely what a target cannot express`, () => {
    const t = loadTopology(exampleOf(id), "2026-11-25");
    assert.ok(t.ok, JSON.stringify(t.diagnostics));
    const planned = makePlan(t.value.bound, { dropRetired: false });
    assert.ok(planned.ok, `${id}: plan: ${JSON.stringify(planned.ok ? [] : planned.diagnostics)}`);
    for (const [targetId, target] of Object.entries(TARGETS)) {
      if (!target) continue;
      const r = target.compile(planned.plan);
      if (r.ok) {
        assert.ok(r.files.length > 0, `${id} → ${targetId}: files`);
        for (const f of r.files)
          assert.ok(f.text.length > 0 && f.text.endsWith("\n"), `${id} → ${targetId}${f.suffix}: text`);
        const reader = READ_BACK[targetId as TargetId];
        // AWS perimeters compile to network ACLs; the AWS reader takes security groups only. Azure
        // static NAT is public IP resources whose addresses Azure allocates (not in the template):
        // the azure-nsg reader cannot translate them, so NAT topologies are not read back.
        const host = t.value.bound.firewall.kind === "host";
        if (!reader || (targetId === "aws" && !host)) continue;
        if (targetId === "azure" && planned.plan.nat.length > 0) continue;
        const parsed = r.files
          .filter((f) => f.suffix === "" || f.suffix === ".v6")
          .map((f) => READERS[reader](f.text, `${id}.${targetId}${f.suffix}`));
        for (const p of parsed)
          assert.deepEqual(
            p.diagnostics.filter((d) => d.severity === "error"),
            [],
          );
        const result = audit(t.value.bound, parsed);
        const active: Array<{ id: string }> = t.value.bound.flows.filter((f) => f.active);
        assert.deepEqual(
          result.flows.map((f) => [f.id, f.verdict]),
          active.map((f) => [f.id, "allowed"]),
          `${id} → ${targetId} → audit`,
        );
        if (targetId === "azure" && !host) {
          // Without the retired rows (kept, they are rightly exposure): no exposure at all.
          const strict = makePlan(t.value.bound, { dropRetired: true });
          assert.ok(strict.ok);
          const out = target.compile(strict.plan);
          assert.ok(out.ok);
          const exposure: ReturnType<typeof audit>["exposure"] = audit(t.value.bound, [
            READERS[reader](out.files[0]!.text, id),
          ]).exposure;
          assert.deepEqual(exposure, [], `${id} → azure: exposure beyond traffic inside one subnet`);
        }
      } else {
        assert.ok(r.diagnostics.length > 0, `${id} → ${targetId}: diagnostics`);
        for (const d of r.diagnostics)
          assert.equal(d.code, "compile-unsupported", `${id} → ${targetId}: ${d.message}`);
      }
    }
  });
}
