/** `show --compare` on real pairs of built-in profiles, through the built CLI. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { compareOutputSchema, type CompareOutput } from "../../src/report/compare-schema.js";
import { profilesOutputSchema } from "../../src/report/profiles-schema.js";
import { lowerFlows, resolveVariables } from "../../src/model/profile.js";
import { compareProfiles, type CompareSide } from "../../src/report/compare.js";
import { builtinProfileIds, loadProfile } from "../../src/shell/load.js";
import { runCli } from "../cli/run-cli.js";

function compareJson(a: string, b: string): CompareOutput {
  const r = runCli(["show", "--compare", a, b, "--format", "json"]);
  assert.equal(r.status, 0, r.stderr);
  return compareOutputSchema.parse(JSON.parse(r.stdout));
}

const ids = (doc: CompareOutput, status: string): string[] =>
  doc.rows.filter((r) => r.status === status).map((r) => (r.b ?? r.a)!.id);

test("Lync 2013 single edge (public IPs) → SfB 2019 external: the migration checklist", () => {
  const doc = compareJson("lync2013-edge-single-public", "sfb2019-edge-external");
  assert.equal(doc.version, 1);
  assert.deepEqual(
    [doc.a.id, doc.a.rows, doc.b.id, doc.b.rows],
    ["lync2013-edge-single-public", 16, "sfb2019-edge-external", 13],
  );
  // XMPP is gone in 2019; the OCS 2007-only inbound media ranges are gone in SfB.
  assert.deepEqual(ids(doc, "removed"), ["xmpp-in", "rtp-tcp-in", "rtp-udp-in"]);
  assert.deepEqual(ids(doc, "added"), []);
  assert.deepEqual(ids(doc, "changed"), ["rtp-tcp-out", "rtp-udp-out", "stun-udp-out"]);
  const udpOut = doc.rows.find((r) => r.b?.id === "rtp-udp-out")!;
  assert.deepEqual(udpOut.changes, [{ field: "conditions", a: "federation-ocs2007", b: "none" }]);
  const stun = doc.rows.find((r) => r.b?.id === "stun-udp-out")!;
  assert.equal(stun.a!.protocol, "STUN,MSTURN");
  assert.equal(stun.b!.protocol, "STUN.MSTURN");
  assert.ok(!stun.changes.some((c) => c.field === "protocol"), "punctuation is not a protocol change");
  assert.equal(doc.summary.unchanged, 10);
  assert.ok(doc.features.removed.includes("xmpp-federation"));
  assert.ok(doc.dns.added.includes("SRV _sipfederationtls._tcp.{domain}:5061"));
});

test("SfB 2015 → SfB 2019 internal: only XMPP 23456 goes", () => {
  const doc = compareJson("sfb2015-edge-internal", "sfb2019-edge-internal");
  assert.deepEqual(doc.summary, { removed: 1, added: 0, changed: 0, unchanged: 10 });
  assert.deepEqual(ids(doc, "removed"), ["xmpp-mtls-in"]);
});

test("A/V destination-only → source-and-destination rules: the outbound rows gain source ports", () => {
  const doc = compareJson("lync2013-av-destination-rules", "lync2013-av-source-rules");
  assert.deepEqual(ids(doc, "changed"), ["stun-tcp-out", "stun-udp-out"]);
  assert.deepEqual(doc.rows.find((r) => r.b?.id === "stun-tcp-out")!.changes, [
    { field: "sourcePorts", a: "any", b: "50000-59999" },
  ]);
});

test("table and md formats name the rows and the actions; source defects of touched rows are warned", () => {
  for (const format of ["table", "md"]) {
    const r = runCli([
      "show",
      "--compare",
      "lync2013-edge-single-public",
      "sfb2019-edge-external",
      "--format",
      format,
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /3 removed, 0 added, 3 changed, 10 unchanged/);
    assert.match(r.stdout, /rtp-udp-in/);
    assert.match(r.stdout, /conditions: federation-ocs2007 → none/);
    assert.match(r.stderr, /source defect \(sfb2019-edge-external: rtp-udp-out-unconditional\)/);
  }
});

test("bad --compare input: exit 2 with one clear message", () => {
  for (const [args, re] of [
    [
      ["show", "--compare", "lync2013-edge-internal"],
      /error\[bad-compare\]: --compare needs exactly two profiles, got 1/,
    ],
    [
      ["show", "--compare", "lync2013-edge-internal", "nope-profile"],
      /error\[unknown-profile\]: no built-in profile "nope-profile"/,
    ],
    [
      ["show", "--compare", "a", "b", "--format", "csv"],
      /error\[bad-option\]: --format "csv" is not supported; expected one of table, json, md/,
    ],
    [
      ["show", "--compare", "a", "b", "-t", "examples/seed-host.yaml"],
      /error\[bad-compare\]: --compare compares two profiles and takes no --topology/,
    ],
  ] as const) {
    const r = runCli([...args]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, re);
  }
});

test("profiles --format json lists every built-in profile with title, source and row count", () => {
  const r = runCli(["profiles", "--format", "json"]);
  assert.equal(r.status, 0, r.stderr);
  const doc = profilesOutputSchema.parse(JSON.parse(r.stdout));
  assert.equal(doc.version, 1);
  assert.equal(doc.profiles.length, 25);
  const byId = new Map(doc.profiles.map((p) => [p.id, p]));
  // Subscription Edition shares 2019's rows (extends); the hybrid table has its six rows.
  assert.deepEqual(
    [byId.get("sfbse-edge-external")!.rows, byId.get("sfbse-edge-external")!.extends],
    [13, "sfb2019-edge-external"],
  );
  assert.equal(byId.get("sfbse-edge-external")!.product, "Skype for Business Server Subscription Edition");
  assert.equal(byId.get("sfb-hybrid-m365")!.rows, 6);
  assert.match(byId.get("sfb-hybrid-m365")!.source, /plan-hybrid-connectivity/);
  assert.equal(byId.get("lync2013-public-im")!.rows, 6);
  assert.equal(byId.get("sfb2019-edge-external")!.rows, 13);
  assert.ok(byId.get("sfb2015-edge-external")!.features.includes("xmpp-federation"));
  assert.ok(!byId.get("sfb2019-edge-external")!.features.includes("xmpp-federation"));
  for (const p of doc.profiles) {
    assert.ok(p.title.length > 0);
    assert.match(p.source, /^https:\/\//, `${p.id} source`);
  }
});

test("bad catalog data (DNS, certificates, advisories, feature lifecycles, dates): every problem, file:line:col, exit 2", () => {
  const r = runCli(["show", "test/catalog/fixtures/bad-catalog-data.yaml"]);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, "");
  for (const re of [
    /:6:43: error\[unknown-lifecycle\]: feature "f" names unknown lifecycle "gone"; expected one of l/,
    /:7:37: error\[invalid-value\]: .*a date as YYYY-MM-DD \(or YYYY-MM/,
    /:9:.*error\[unknown-endpoint\]: DNS record "_sip._tls.\{domain\}" names unknown endpoint "nowhere"; expected one of a, b/,
    /:10:.*error\[unknown-endpoint\]: certificate "c1" names unknown endpoint "ghost"/,
    /:11:.*error\[unknown-feature\]: advisory "a1" depends on unknown feature "nofeature"; expected one of f/,
    /:11:.*error\[unknown-source\]: advisory "a1" cites unknown source "nosource"; expected one of s/,
  ])
    assert.match(r.stderr, re);
  assert.doesNotMatch(r.stderr, /\n\s+at .*\.js:\d+/, "no stack trace");
});

function side(id: string): CompareSide {
  const p = loadProfile(id);
  assert.ok(p.ok, id);
  const { profile } = p.value;
  return {
    profile,
    flows: lowerFlows(profile, { variables: resolveVariables(profile.variables, {}, () => undefined) }),
  };
}

test("over the whole catalog: a profile compared with itself is all unchanged; A→B mirrors B→A", () => {
  const ids = builtinProfileIds();
  const sides = new Map(ids.map((id) => [id, side(id)]));
  for (const id of ids) {
    const self = compareProfiles(sides.get(id)!, sides.get(id)!);
    assert.deepEqual(self.summary, { removed: 0, added: 0, changed: 0, unchanged: self.b.rows }, id);
  }
  for (const a of ids)
    for (const b of ids) {
      const ab = compareProfiles(sides.get(a)!, sides.get(b)!);
      const ba = compareProfiles(sides.get(b)!, sides.get(a)!);
      assert.deepEqual(
        [ab.summary.removed, ab.summary.added, ab.summary.changed, ab.summary.unchanged],
        [ba.summary.added, ba.summary.removed, ba.summary.changed, ba.summary.unchanged],
        `${a} ↔ ${b}`,
      );
      assert.equal(
        ab.summary.removed + ab.summary.changed + ab.summary.unchanged,
        ab.a.rows,
        `${a} → ${b}: every A row once`,
      );
      assert.equal(
        ab.summary.added + ab.summary.changed + ab.summary.unchanged,
        ab.b.rows,
        `${a} → ${b}: every B row once`,
      );
      compareOutputSchema.parse(JSON.parse(JSON.stringify(ab)));
    }
});
