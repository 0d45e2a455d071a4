/**
 * The failing SNAT check and site flows in every audit rendering, not only text and JSON: an audit
 * that exits 1 because a flow leaves its static NAT without SNAT must not read as all-green in
 * JUnit, SARIF, the diagram's marks or the HTML report; site flows are marked as the site's.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { audit, exitCode } from "../../src/audit/audit.js";
import { TARGETS } from "../../src/compile/index.js";
import { makePlan } from "../../src/compile/plan.js";
import { flowStatuses, statusText } from "../../src/diagram/results.js";
import { READERS } from "../../src/parse/index.js";
import { renderAuditJunit } from "../../src/report/audit-junit.js";
import { renderAuditSarif } from "../../src/report/audit-sarif.js";
import { matrixTable } from "../../src/report/html.js";
import { loadTopology } from "../../src/shell/load.js";
import { ROOT } from "../cli/run-cli.js";

function load(file: string) {
  const t = loadTopology(join(ROOT, "examples", ...file.split("/")));
  assert.ok(t.ok, JSON.stringify(!t.ok && t.diagnostics));
  return t.value.bound;
}

function nftables(t: ReturnType<typeof load>): string {
  const plan = makePlan(t, { dropRetired: false });
  assert.ok(plan.ok);
  const r = TARGETS.nftables.compile(plan.plan);
  assert.ok(r.ok);
  return r.files[0]!.text;
}

test("reports: a flow allowed but not SNAT-ed fails in JUnit, SARIF, the marks and the HTML", () => {
  const t = load("catalog/lync2013-edge-single-nat.yaml");
  const text = nftables(t);
  const cut = text.slice(0, text.indexOf("\n\tchain postrouting {")) + "\n}\n";
  const r = audit(t, [READERS["nftables-text"](cut, "no-snat.nft")]);
  const bad = r.flows.filter((f) => f.snat?.ok === false);
  assert.ok(bad.length > 0);
  assert.ok(bad.every((f) => f.verdict === "allowed"));
  assert.equal(exitCode(r), 1);

  const junit = renderAuditJunit(r);
  assert.equal((junit.match(/<failure message="not SNAT-ed"/g) ?? []).length, bad.length, junit);

  const sarif = JSON.parse(renderAuditSarif(r, "0.0.0")) as {
    runs: Array<{ results: Array<{ ruleId: string; message: { text: string }; locations: unknown[] }> }>;
  };
  const results = sarif.runs[0]!.results.filter((x) => x.ruleId === "flow-not-snated");
  assert.deepEqual(
    results.map((x) => x.message.text.split(" ")[0]),
    bad.map((f) => f.id),
  );
  assert.ok(results.every((x) => /not SNAT-ed to 198\.51\.100\.\d+/.test(x.message.text)));
  assert.ok(results.every((x) => JSON.stringify(x.locations).includes("no-snat.nft")));

  const marks = flowStatuses({ audit: r });
  for (const f of bad) {
    assert.equal(marks.get(f.id)!.mark, "failed", f.id);
    assert.match(statusText(marks.get(f.id)), /audit: allowed, not SNAT-ed to 198\.51\.100\./);
  }
  const html = matrixTable({ topology: t, audit: r });
  assert.equal((html.match(/not SNAT-ed to/g) ?? []).length, bad.length);

  // With the SNAT in place, none of it appears.
  const ok = audit(t, [READERS["nftables-text"](text, "nat.nft")]);
  assert.equal(exitCode(ok), 0);
  assert.doesNotMatch(renderAuditJunit(ok), /not SNAT-ed/);
  assert.doesNotMatch(renderAuditSarif(ok, "0.0.0"), /flow-not-snated"\s*,\s*"level/);
  assert.ok([...flowStatuses({ audit: ok }).values()].every((s) => s.mark !== "failed"));
});

test("reports: site flows are named as the site's in JUnit, SARIF and the HTML matrix", () => {
  const t = load("seed-host-site.yaml");
  const text = nftables(t);
  // Drop the site's DNS rule so one site flow fails and reaches SARIF too.
  const lines = text.split("\n");
  const cut = lines.filter((l) => !/dport 53\b/.test(l) || !/udp/.test(l)).join("\n");
  assert.notEqual(cut, text);
  const r = audit(t, [READERS["nftables-text"](cut, "site.nft")]);
  const site = r.flows.filter((f) => f.origin === "site").map((f) => f.id);
  assert.ok(site.includes("site-dns-udp"));
  const junit = renderAuditJunit(r);
  for (const id of site) assert.match(junit, new RegExp(`name="${id} \\(site\\): `));
  const sarif = renderAuditSarif(r, "0.0.0");
  assert.match(sarif, /"text": "site-dns-udp \(site\) \(/);
  const html = matrixTable({ topology: t, audit: r });
  assert.equal((html.match(/site rule \(topology\)/g) ?? []).length, site.length);
});
