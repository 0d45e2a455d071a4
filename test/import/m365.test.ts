/**
 * `portmatrix import m365` on saved answers of the Microsoft 365 endpoints web service (test/fixtures/m365,
 * sources in SOURCES.md): the profile it writes, the selection, the version, bad input located at its
 * line, and the profile used like any other — compiled for nftables and the Cisco ASA, the output
 * audited back as all-allowed, rows by name refused where a target has no FQDN objects, and two
 * imports compared by the feed's endpoint-set ids. Expected values are computed from the JSON itself.
 */
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { parse } from "yaml";
import { AuditReport } from "../../src/audit/report-schema.js";
import { TARGETS } from "../../src/compile/index.js";
import { makePlan } from "../../src/compile/plan.js";
import { planProbe } from "../../src/probe/plan.js";
import { importM365, readFeed } from "../../src/import/m365.js";
import { compareOutputSchema } from "../../src/report/compare-schema.js";
import { loadTopology } from "../../src/shell/load.js";
import { ROOT, runCli } from "../cli/run-cli.js";
import { kernelSkipReason, makePair } from "../kernel/netns.js";

const FEED = "test/fixtures/m365/worldwide-2024-07.json";
const OLD = "test/fixtures/m365/worldwide-docs-example.json";
interface RawSet {
  id: number;
  serviceArea: string;
  category: string;
  required?: boolean;
  ips?: string[];
  urls?: string[];
  tcpPorts?: string;
  udpPorts?: string;
}
const raw = (f: string): RawSet[] => JSON.parse(readFileSync(join(ROOT, f), "utf8")) as RawSet[];
const dir = mkdtempSync(join(tmpdir(), "pm-m365-"));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Doc {
  id: string;
  imported: { version: string | null; versionFrom: string; date?: string; endpointSets: number };
  endpoints: Record<string, { addresses?: string[]; fqdns?: string[] }>;
  flows: Array<{ id: string; transport: string; ports: string[]; to: string; conditions: string[] }>;
}

function imported(args: string[]): { doc: Doc; stderr: string } {
  const r = runCli(["import", "m365", ...args]);
  assert.equal(r.status, 0, r.stderr);
  return { doc: parse(r.stdout) as Doc, stderr: r.stderr };
}

test("one row per endpoint set and transport, ids from the feed's set ids, ranges and names kept", () => {
  const sets = raw(FEED);
  const { doc } = imported([FEED, "--feed-version", "2024071400"]);
  const expected = sets.flatMap((s) =>
    [
      ["tcp", s.tcpPorts],
      ["udp", s.udpPorts],
    ]
      .filter(([, p]) => p !== undefined)
      .map(([t, p]) => ({ id: `set-${s.id}-${t}`, ports: p!.split(",") })),
  );
  assert.deepEqual(
    doc.flows.map((f) => ({ id: f.id, ports: f.ports })),
    expected,
  );
  for (const s of sets) {
    assert.deepEqual(doc.endpoints[`set-${s.id}`]!.addresses, s.ips, `set ${s.id} ranges`);
    assert.deepEqual(doc.endpoints[`set-${s.id}`]!.fqdns, s.urls, `set ${s.id} names`);
  }
  for (const f of doc.flows) {
    const s = sets.find((x) => `set-${x.id}` === f.to)!;
    assert.equal(f.conditions.includes("fqdn-firewall"), s.ips === undefined, `${f.id}: by name only`);
    assert.equal(f.conditions.includes("optional-endpoints"), s.required === false, `${f.id}: optional`);
  }
  assert.deepEqual(
    [doc.imported.version, doc.imported.versionFrom, doc.imported.date, doc.imported.endpointSets],
    ["2024071400", "option", "2024-07-14", sets.length],
  );
});

test("--service-area (Skype is Teams) and --category select endpoint sets", () => {
  const sets = raw(FEED);
  const { doc, stderr } = imported([FEED, "--service-area", "Skype", "--category", "Optimize,Allow"]);
  const ids = sets
    .filter((s) => s.serviceArea === "Skype" && ["Optimize", "Allow"].includes(s.category))
    .map((s) => `set-${s.id}`);
  assert.ok(ids.length > 0);
  assert.deepEqual(
    Object.keys(doc.endpoints).filter((e) => e !== "clients"),
    ids,
  );
  assert.equal(doc.imported.version, null);
  assert.match(stderr, /version is unknown: pass --feed-version/);
});

test("the version comes from the option, else from a YYYYMMDDNN in the file name, else it is unknown", () => {
  const named = join(dir, "endpoints-worldwide-2024071400.json");
  copyFileSync(join(ROOT, FEED), named);
  const { doc } = imported([named, "--service-area", "Skype"]);
  assert.deepEqual(
    [doc.imported.version, doc.imported.versionFrom, doc.id],
    ["2024071400", "file name", "m365-worldwide-2024071400"],
  );
  const r = runCli(["import", "m365", FEED, "--feed-version", "2024139900"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /error\[bad-option\]: --feed-version "2024139900" is not a feed version/);
});

test("bad input: one located diagnostic per problem, exit 2, nothing written", () => {
  const out = join(dir, "never.yaml");
  const cases: Array<[string, RegExp[]]> = [
    [
      '[{"id": 1, "serviceArea": "Exchange",\n  "ips": ["10.0.0.1/8"], "tcpPorts": "443",\n  "expressRoute": true, "category": "Allow", "required": true}]',
      [/bad\.json:2:11: error\[invalid-value\]: "10\.0\.0\.1\/8" is not an address range/],
    ],
    [
      '[{"id": 1, "serviceArea": "Exchange", "urls": ["a.example"],\n  "expressRoute": true, "category": "Sometimes", "required": true},\n {"id": 1, "serviceArea": "Skype", "urls": ["b.example"], "tcpPorts": "70000", "expressRoute": false, "category": "Default", "required": true}]',
      [
        /bad\.json:2:37: error\[invalid-value\]: "0\.category" is not an accepted value/,
        /bad\.json:3:71: error\[invalid-value\]: port "70000"/,
      ],
    ],
    [
      '[{"id": 2, "serviceArea": "Skype", "urls": ["a.example"], "tcpPorts": "443",\n "expressRoute": true, "category": "Allow", "required": true},\n {"id": 2, "serviceArea": "Skype", "urls": ["b.example"], "tcpPorts": "70000", "expressRoute": false, "category": "Default", "required": true}]',
      [
        /bad\.json:3:9: error\[duplicate-id\]: endpoint set 2 appears twice/,
        /error\[invalid-value\]: port "70000" of endpoint set 2 is out of range/,
      ],
    ],
    ['[{"id": 3, "serviceArea": "Skype"', [/bad\.json:1:\d+: error\[m365-syntax\]/]],
  ];
  for (const [text, res] of cases) {
    writeFileSync(join(dir, "bad.json"), text);
    const r = runCli(["import", "m365", join(dir, "bad.json"), "-o", out]);
    assert.equal(r.status, 2, r.stderr);
    for (const re of res) assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, "no stack trace");
    assert.ok(!existsSync(out), "no partial file");
  }
  const sel = runCli(["import", "m365", FEED, "--service-area", "Teams"]);
  assert.equal(sel.status, 2);
  assert.match(
    sel.stderr,
    /error\[bad-option\]: --service-area "Teams" is not one of the feed's values; expected .*Skype is Microsoft Teams/,
  );
});

/** A perimeter topology for an imported profile: the clients inside, every endpoint set outside. */
function topologyFor(profileFile: string, features: string[]): string {
  const doc = parse(readFileSync(profileFile, "utf8")) as Doc;
  const sets = Object.keys(doc.endpoints).filter((e) => e !== "clients");
  const file = join(dir, `t-${features.join("-") || "plain"}.yaml`);
  writeFileSync(
    file,
    JSON.stringify({
      profile: profileFile,
      endpoints: { clients: ["198.51.100.0/24", "2001:db8:1::/64"] },
      features,
      firewall: {
        kind: "perimeter",
        // `set-*` stands for every endpoint set (topology.ts expands it); listed out it is the same.
        zones: {
          inside: { interface: "eth0", endpoints: ["clients"] },
          outside: { interface: "eth1", endpoints: features.includes("fqdn-firewall") ? sets : ["set-*"] },
        },
      },
    }),
  );
  return file;
}

test("the imported profile compiles for nftables and the ASA, and each output audits as all-allowed", () => {
  const profile = join(dir, "m365.yaml");
  assert.equal(runCli(["import", "m365", FEED, "--feed-version", "2024071400", "-o", profile]).status, 0);
  const topo = topologyFor(profile, ["optional-endpoints"]);
  const byAddress = raw(FEED).filter((s) => s.ips !== undefined);
  for (const target of ["nftables", "cisco-asa"]) {
    const rules = join(dir, `rules.${target}`);
    const c = runCli(["compile", "-t", topo, "--target", target, "-o", rules]);
    assert.equal(c.status, 0, c.stderr);
    const a = runCli(["audit", "-t", topo, "-r", rules, "--format", "json"]);
    assert.equal(a.status, 0, a.stderr);
    const report = AuditReport.parse(JSON.parse(a.stdout));
    const rows = byAddress.reduce((n, s) => n + (s.tcpPorts ? 1 : 0) + (s.udpPorts ? 1 : 0), 0);
    assert.equal(report.flows.length, rows, `${target}: every row by address judged`);
    assert.ok(
      report.flows.every((f) => f.verdict === "allowed" && !f.uncertain),
      `${target}: all allowed`,
    );
    assert.deepEqual(report.exposure, [], `${target}: nothing open beyond the feed`);
  }
});

test(
  "the nftables output loads into a real kernel and, listed back by the kernel, audits as all-allowed",
  { skip: kernelSkipReason(["nft"]) },
  () => {
    const profile = join(dir, "m365-kernel.yaml");
    assert.equal(runCli(["import", "m365", FEED, "--feed-version", "2024071400", "-o", profile]).status, 0);
    const topo = topologyFor(profile, ["optional-endpoints"]);
    const rules = runCli(["compile", "-t", topo, "--target", "nftables"]);
    assert.equal(rules.status, 0, rules.stderr);
    const pair = makePair();
    try {
      pair.run(pair.fw, ["nft", "-f", "-"], rules.stdout);
      const listed = join(dir, "listed.nft");
      writeFileSync(listed, pair.run(pair.fw, ["nft", "list", "ruleset"]));
      const a = runCli(["audit", "-t", topo, "-r", listed, "--format", "json"]);
      assert.equal(a.status, 0, a.stderr);
      const report = AuditReport.parse(JSON.parse(a.stdout));
      assert.ok(report.flows.length > 0 && report.flows.every((f) => f.verdict === "allowed"));
      assert.deepEqual(report.exposure, []);
    } finally {
      pair.close();
    }
  },
);

test("rows by name: refused for nftables with the reason, fqdn objects on the ASA (wildcards refused), not judged by audit", () => {
  const profile = join(dir, "exchange-default.yaml");
  assert.equal(
    runCli(["import", "m365", FEED, "--service-area", "Exchange", "--category", "Default", "-o", profile])
      .status,
    0,
  );
  const topo = topologyFor(profile, ["fqdn-firewall", "optional-endpoints"]);
  const nft = runCli(["compile", "-t", topo, "--target", "nftables"]);
  assert.equal(nft.status, 2);
  assert.match(
    nft.stderr,
    /error\[compile-unsupported\]: target nftables cannot express flow set-3-tcp \(destination set-3 is known by DNS name only: r1\.res\.office365\.com/,
  );
  const asa = runCli(["compile", "-t", topo, "--target", "cisco-asa"]);
  assert.equal(asa.status, 2);
  assert.match(
    asa.stderr,
    /target cisco-asa cannot express flow set-8-tcp \(wildcard names \*\.outlook\.com/,
  );
  // The set without wildcards, alone: fqdn objects, one per name and family, grouped.
  const t = loadTopology(topo, "2026-11-25");
  assert.ok(t.ok, JSON.stringify(t.diagnostics));
  const planned = makePlan(t.value.bound, { dropRetired: false });
  assert.ok(planned.ok);
  const plan = { ...planned.plan, rules: planned.plan.rules.filter((r) => r.flowId === "set-3-tcp") };
  const out = TARGETS["cisco-asa"].compile(plan);
  assert.ok(out.ok);
  const text = out.files[0]!.text;
  for (const name of ["r1.res.office365.com", "r3.res.office365.com", "r4.res.office365.com"])
    assert.match(text, new RegExp(`fqdn v4 ${name.replace(/\./g, "\\.")}`));
  assert.match(text, /object-group service pm-set-3-tcp-dports tcp\n port-object eq 80\n port-object eq 443/);
  assert.match(
    text,
    /permit tcp object-group pm-clients-v4 object-group pm-set-3-fqdn-v4 object-group pm-set-3-tcp-dports|permit tcp 198\.51\.100\.0 255\.255\.255\.0 object-group pm-set-3-fqdn-v4 object-group pm-set-3-tcp-dports/,
  );
  // Probe plans like any other: a destination by name says why it is not probed.
  const probe = planProbe(t.value.bound, "clients", { includeRetired: false, maxHosts: 256 });
  assert.ok(probe.ok);
  assert.match(probe.plan.skipped.find((x) => x.flow === "set-3-tcp")!.reason, /known by DNS name only/);
  const a = runCli([
    "audit",
    "-t",
    topo,
    "-r",
    join(ROOT, "test/fixtures/edge-nftables.json"),
    "--format",
    "json",
  ]);
  const report = AuditReport.parse(JSON.parse(a.stdout));
  const f = report.flows.find((x) => x.id === "set-3-tcp")!;
  assert.deepEqual([f.verdict, f.uncertain], ["not-applicable", true]);
  assert.ok(report.notes.some((n) => /set-3-tcp.*known by DNS name only/.test(n)));
});

test("show --compare of two imports: the change list, matched by endpoint-set id", () => {
  const a = join(dir, "old.yaml");
  const b = join(dir, "new.yaml");
  assert.equal(runCli(["import", "m365", OLD, "-o", a, "--id", "m365-old"]).status, 0);
  assert.equal(
    runCli(["import", "m365", FEED, "--service-area", "Exchange", "-o", b, "--id", "m365-new"]).status,
    0,
  );
  const r = runCli(["show", "--compare", a, b, "--format", "json"]);
  assert.equal(r.status, 0, r.stderr);
  const doc = compareOutputSchema.parse(JSON.parse(r.stdout));
  const [was] = raw(OLD);
  const now = raw(FEED).find((s) => s.id === 1)!;
  const row = doc.rows.find((x) => x.a?.id === "set-1-tcp")!;
  assert.deepEqual([row.status, row.matchedBy, row.b?.id], ["changed", "id", "set-1-tcp"]);
  const change = (field: string) => row.changes.find((c) => c.field === field);
  assert.deepEqual([change("ports")?.a, change("ports")?.b], [was!.tcpPorts, now.tcpPorts]);
  assert.deepEqual(change("addresses")?.added, now.ips!.filter((x) => !was!.ips!.includes(x)).sort());
  assert.deepEqual(change("addresses")?.removed, was!.ips!.filter((x) => !now.ips!.includes(x)).sort());
  assert.deepEqual(change("fqdns")?.added, now.urls!.filter((x) => !was!.urls!.includes(x)).sort());
  const added = raw(FEED).filter((s) => s.serviceArea === "Exchange" && s.id !== 1);
  assert.equal(
    doc.summary.added,
    added.reduce((n, s) => n + (s.tcpPorts ? 1 : 0) + (s.udpPorts ? 1 : 0), 0),
  );
  assert.equal(doc.summary.removed, 0);
  const text = runCli(["show", "--compare", a, b]);
  assert.match(text.stdout, /set-1-tcp .*ports: 443 → 80,443/s);
  assert.match(
    text.stdout,
    new RegExp(`addresses ${was!.ips!.length} addresses → ${now.ips!.length} addresses:`),
  );
});

test("the reader is pure and reads the saved copies as they are", () => {
  for (const f of [FEED, OLD]) {
    const r = readFeed(f, readFileSync(join(ROOT, f), "utf8"));
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.sets!.length, raw(f).length);
  }
  const p = importM365(readFileSync(join(ROOT, OLD), "utf8"), { file: OLD });
  assert.match(p.yaml!, /Required \(the answer does not say; taken as required\)/);
});

test("a zone pattern that matches no endpoint is an error at its line", () => {
  const profile = join(dir, "pattern.yaml");
  assert.equal(runCli(["import", "m365", OLD, "-o", profile]).status, 0);
  const topo = join(dir, "pattern-topology.yaml");
  writeFileSync(
    topo,
    `profile: ${profile}\nendpoints: {clients: 198.51.100.0/24}\nfirewall:\n  kind: perimeter\n  zones:\n    inside: {interface: eth0, endpoints: [clients]}\n    outside: {interface: eth1, endpoints: [set-*, nope-*]}\n`,
  );
  const r = runCli(["show", "-t", topo]);
  assert.equal(r.status, 2);
  assert.match(
    r.stderr,
    /pattern-topology\.yaml:7:\d+: error\[unknown-endpoint\]: zone "outside": "nope-\*" matches no endpoint/,
  );
});
