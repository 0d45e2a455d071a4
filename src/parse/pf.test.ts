/**
 * pf: rulesets with traps, hand-checked flow by flow (pf.conf(5) semantics): the last matching
 * rule beats an earlier pass without quick, quick stops at the first match, a `no state` pass
 * without a rule for its replies, a table with a negated entry, macro lists, `set skip on`, `block
 * return`, a rule on another interface, binat before the filter, and pf's implicit default pass
 * when `block all` is missing (exposure). Then what is not modelled made uncertain.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { addr, edgeHost, flow } from "../../test/audit-fixtures.js";
import { audit } from "../audit/audit.js";
import type { BoundTopology, ResolvedFlow } from "../model/flow.js";
import { sniffFormat } from "./index.js";
import { readPf } from "./pf.js";
import { IntervalSet } from "../space/interval-set.js";
import { Space } from "../space/space.js";

const HOST = `# host traps
mail = "{ 25 587 }"
tcp_mail = "proto tcp to port" $mail
table <bad> const { 203.0.113.0/24, !203.0.113.7 }
set skip on lo0
set block-policy return

block all
pass in proto tcp to port 80
pass in proto tcp to port 8080
block in proto tcp to port 8080
pass in quick proto tcp to port 8443
block in quick proto tcp to port 8443
block in proto tcp to port 8443
pass in proto udp to port 5353 no state
pass in proto udp to port 5354 no state
pass out proto udp from port 5354 no state
pass in proto tcp from ! <bad> to port 22
pass in $tcp_mail
pass in inet proto tcp to port 440:450
block return in proto tcp to port 445
pass in proto tcp to port 1000 >< 1003
pass in proto tcp to port { < 10, > 65530 }
`;

/** Each flow from the internet (any IPv4) to the edge host (198.51.100.10), checked by hand. */
const HOST_EXPECTED: Array<[ResolvedFlow, string]> = [
  // pass without quick, nothing later matches: passes (and its replies by state).
  [flow("http", "tcp", [80, 80]), "allowed"],
  // the later block matches last: it wins over the earlier pass (no quick).
  [flow("last-match", "tcp", [8080, 8080]), "blocked"],
  // the first quick rule decides: the quick block below it and the later block never count.
  [flow("quick", "tcp", [8443, 8443]), "allowed"],
  // no state, no rule for the replies: the answers meet `block all` going out.
  [flow("no-state", "udp", [5353, 5353]), "blocked"],
  // no state with its reply rule: both ways pass.
  [flow("no-state-reply", "udp", [5354, 5354]), "allowed"],
  // ! <bad>: all but 203.0.113.0/24, yet 203.0.113.7 is a negated entry (so it passes): partial.
  [flow("table-negation", "tcp", [22, 22]), "partial"],
  // a macro holding a list, inside another macro: 25 and 587 both pass.
  [flow("macro-list", "tcp", [25, 25]), "allowed"],
  [flow("macro-list-2", "tcp", [587, 587]), "allowed"],
  // 440:450 passes, but block return for 445 comes later (last match): refused.
  [flow("block-return", "tcp", [445, 445]), "blocked"],
  [flow("range", "tcp", [446, 450]), "allowed"],
  // >< excludes its ends: 1001 and 1002 only.
  [flow("exclusive", "tcp", [1000, 1003]), "partial"],
  [flow("exclusive-inside", "tcp", [1001, 1002]), "allowed"],
  [flow("ops", "tcp", [9, 9]), "allowed"],
  [flow("ops-2", "tcp", [65531, 65535]), "allowed"],
  [flow("ops-none", "tcp", [10, 10]), "blocked"],
];

test("pf host: each trap decides its flow as checked by hand", () => {
  assert.equal(sniffFormat(HOST), "pf");
  const parsed = readPf(HOST, "pf.conf");
  assert.deepEqual(parsed.diagnostics, []);
  const report = audit(edgeHost(HOST_EXPECTED.map(([f]) => f)), [parsed]);
  assert.deepEqual(
    report.flows.map((x) => [x.id, x.verdict, x.uncertain]),
    HOST_EXPECTED.map(([f, v]) => [f.id, v, false]),
  );
  const reject = parsed.ruleset.tables[0]!.chains.find((c) => c.name === "in")!.rules.find(
    (r) => r.origin.line === 21,
  );
  assert.deepEqual(reject?.action, { kind: "reject", with: "return" });
});

test("pf: without `block all` pf's implicit default passes everything (exposure)", () => {
  const parsed = readPf("pass in proto tcp to port 22\n", "open.conf");
  const report = audit(edgeHost([flow("ssh", "tcp", [22, 22])]), [parsed]);
  assert.deepEqual(
    report.flows.map((x) => x.verdict),
    ["allowed"],
  );
  assert.ok(report.exposure.length > 0);
  // Everything else reaches the host by pf's default pass (the chain's policy: no rule matched).
  const inbound = report.exposure.find((e) => e.direction === "inbound");
  assert.equal(inbound?.rule.kind, "policy");
  assert.ok(inbound?.packets.some((p) => p.startsWith("tcp dport {0-21, 23-65535} ")));
  const closed = audit(edgeHost([flow("ssh", "tcp", [22, 22])]), [
    readPf("block\npass in proto tcp to port 22\n", "c.conf"),
  ]);
  assert.deepEqual(closed.exposure, []);
});

const ENDPOINTS: Record<string, string> = {
  internet: "any4",
  web: "203.0.113.10",
  other: "203.0.113.20",
  "web-public": "198.51.100.200",
  lan: "10.1.0.0/16",
};

function f(id: string, transport: "tcp" | "udp", port: number, from: string, to: string): ResolvedFlow {
  return {
    ...flow(id, transport, [port, port]),
    from,
    to,
    fromAddresses: addr(ENDPOINTS[from]!),
    toAddresses: addr(ENDPOINTS[to]!),
  };
}

function perimeter(flows: ResolvedFlow[]): BoundTopology {
  return {
    ...edgeHost(flows),
    firewall: {
      kind: "perimeter",
      zones: [
        { name: "ext", interface: "em0", endpoints: ["internet"] },
        { name: "dmz", interface: "em1", endpoints: ["web", "other", "web-public"] },
        { name: "lan", interface: "em2", endpoints: ["lan"] },
      ],
    },
    endpoints: Object.entries(ENDPOINTS).map(([id, a]) => ({ id, name: id, addresses: addr(a), text: [] })),
    flows,
  };
}

const PERIMETER = `ext_if = "em0"
dmz_if = "em1"
lan_if = "em2"
set skip on { lo $lan_if }
block return all
binat on $ext_if inet from 203.0.113.10 to any -> 198.51.100.200
pass in on $ext_if proto tcp to 203.0.113.10 port 443
pass out on $dmz_if proto tcp to 203.0.113.10 port { 443 5061 }
pass in on $dmz_if proto tcp to 203.0.113.10 port 5061
pass out on $dmz_if proto tcp from 10.0.0.0/8 to 203.0.113.20 port ssh
pass in on $ext_if proto tcp to 203.0.113.20 port 25
pass out on $dmz_if proto tcp to 203.0.113.20 port 25
`;

const PERIMETER_EXPECTED: Array<[ResolvedFlow, string]> = [
  // binat translates 198.51.100.200 to web before the inbound rules: in on em0 and out on em1 pass.
  [f("https-to-public", "tcp", 443, "internet", "web-public"), "allowed"],
  [f("https-to-web", "tcp", 443, "internet", "web"), "allowed"],
  // the inbound pass for 5061 is on em1 (another interface): entering em0 meets block return.
  [f("sip-to-web", "tcp", 5061, "internet", "web"), "blocked"],
  // em2 is skipped: nothing filters the packet entering there; leaving em1 needs its pass.
  [f("ssh-lan-to-other", "tcp", 22, "lan", "other"), "allowed"],
  [f("https-lan-to-other", "tcp", 443, "lan", "other"), "blocked"],
  // both halves written: in on em0, out on em1.
  [f("smtp-to-other", "tcp", 25, "internet", "other"), "allowed"],
];

test("pf perimeter: in and out filtering, binat, set skip, another interface", () => {
  assert.equal(sniffFormat(PERIMETER), "pf");
  const parsed = readPf(PERIMETER, "fw.conf");
  assert.deepEqual(parsed.diagnostics, []);
  const report = audit(perimeter(PERIMETER_EXPECTED.map(([x]) => x)), [parsed]);
  assert.deepEqual(
    report.flows.map((x) => [x.id, x.verdict, x.uncertain]),
    PERIMETER_EXPECTED.map(([x, v]) => [x.id, v, false]),
  );
});

test("pf: what is not modelled makes the verdicts it touches uncertain", () => {
  const cases: Array<[string, string]> = [
    ["block all\npass in on egress proto tcp to port 80\n", "interface group egress"],
    ["block all\npass in proto tcp from (em0) to port 80\n", "(em0)"],
    ["block all\npass in proto tcp from <dyn> to port 80\n", "table <dyn>"],
    [
      'table <f> persist file "/etc/pf.hosts"\nblock all\npass in proto tcp from <f> to port 80\n',
      "table <f> file",
    ],
    ["block all\npass in proto tcp to port 80 tagged WEB\n", "tagged"],
    ['block all\nanchor "ext/*"\npass in proto tcp to port 80\n', "anchor ext/*"],
    ["block all\npass in proto tcp to port 80 route-to (em1 10.0.0.1)\n", "route-to"],
    // FreeBSD's place, as pfSense's rules.debug and `pfctl -sr` there write it: before the family.
    ["block all\npass in quick on em0 reply-to (em0 10.0.2.1) inet proto tcp to port 80\n", "reply-to"],
    ["block all\npass in route-to (em1 10.0.0.1) proto tcp to port 80 ridentifier 7\n", "route-to"],
    ["block all\npass proto tcp to self port 80\n", "to self"],
  ];
  for (const [text, construct] of cases) {
    const parsed = readPf(text, "x.conf");
    assert.deepEqual(
      parsed.diagnostics.filter((d) => d.severity === "error"),
      [],
      text,
    );
    const report = audit(edgeHost([flow("http", "tcp", [80, 80])]), [parsed]);
    assert.equal(report.flows[0]!.uncertain, true, text);
    assert.ok(
      report.unsupported.some((u) => u.construct.startsWith(construct)),
      `${text}: ${JSON.stringify(report.unsupported.map((u) => u.construct))}`,
    );
  }
});

test("pf: rule identifiers and dummynet options (pfSense, FreeBSD) are read and decide nothing", () => {
  const plain = readPf("block all\npass in quick on em0 inet proto tcp to port 80 keep state\n", "a.conf");
  const tagged = readPf(
    'block drop in log inet all label "Default deny rule IPv4" ridentifier 1000000103\n' +
      'pass in quick on em0 inet proto tcp to port 80 tracker 1681417472 keep state label "USER_RULE" ridentifier 1681417472 dnpipe ( 1, 2 )\n',
    "b.conf",
  );
  assert.deepEqual(tagged.diagnostics, []);
  const topology = edgeHost([flow("http", "tcp", [80, 80])]);
  const [a, b] = [audit(topology, [plain]), audit(topology, [tagged])];
  assert.deepEqual(
    b.flows.map((x) => [x.verdict, x.uncertain]),
    a.flows.map((x) => [x.verdict, x.uncertain]),
  );
  assert.deepEqual(b.unsupported, []);
  // The BSDs' protocol names pfSense writes (`no nat proto carp`, a CARP pass): 112 and 240.
  const carp = readPf("no nat proto carp\npass quick proto { carp pfsync } ridentifier 1\n", "c.conf");
  assert.deepEqual(carp.diagnostics, []);
  const pass = carp.ruleset.tables
    .flatMap((t) => t.chains)
    .flatMap((ch) => ch.rules)
    .at(-1)!;
  for (const [proto, hit] of [
    [112, true],
    [240, true],
    [6, false],
  ] as const)
    assert.equal(pass.match.intersects(Space.UNIVERSE.restrict({ proto: IntervalSet.of(proto) })), hit);
});

test("pf: `to self` inbound is exact (the packets the firewall itself receives)", () => {
  const parsed = readPf("block all\npass in proto tcp from any to self port 22\n", "self.conf");
  const report = audit(edgeHost([flow("ssh", "tcp", [22, 22])]), [parsed]);
  assert.deepEqual(
    report.flows.map((x) => [x.verdict, x.uncertain]),
    [["allowed", false]],
  );
  assert.deepEqual(report.unsupported, []);
});

test("pf: bad input gets one located message each, no exception", () => {
  const bad = readPf("pass in proto tcp to port 99999\nblock in $nope\npass in frobnicate\n", "bad.conf");
  assert.deepEqual(
    bad.diagnostics.map((d) => [d.code, d.at?.line, d.at?.col]),
    [
      ["pf-macro", 2, 10],
      ["pf-syntax", 1, 27],
      ["pf-syntax", 3, 9],
    ],
  );
});

test("pf: inline anchors add their conditions to their rules", () => {
  const text = `block all
anchor "web" in proto tcp {
  pass to port 8081
  anchor "inner" to 198.51.100.10 {
    pass to port 8083
  }
}
anchor "other" out {
  pass in proto tcp to port 8082
}
`;
  const parsed = readPf(text, "anchors.conf");
  assert.deepEqual(parsed.diagnostics, []);
  const report = audit(
    edgeHost([
      flow("a", "tcp", [8081, 8081]),
      flow("b", "tcp", [8082, 8082]),
      flow("c", "tcp", [8083, 8083]),
    ]),
    [parsed],
  );
  // "other" takes outbound packets only: its inner `pass in` matches nothing.
  assert.deepEqual(
    report.flows.map((x) => [x.id, x.verdict, x.uncertain]),
    [
      ["a", "allowed", false],
      ["b", "blocked", false],
      ["c", "allowed", false],
    ],
  );
});

test("pf: `pfctl -sr -vv` output (rule numbers, evaluation counters) reads as its pf.conf", () => {
  const conf = "block return all\npass in quick on em0 proto tcp to port { ssh, https }\n";
  const sr = `@0 block return all
  [ Evaluations: 120       Packets: 14        Bytes: 840         States: 0     ]
  [ Inserted: uid 0 pid 4242 State Creations: 0     ]
@1 pass in quick on em0 proto tcp from any to any port = ssh flags S/SA keep state
  [ Evaluations: 120       Packets: 0         Bytes: 0           States: 0     ]
@2 pass in quick on em0 proto tcp from any to any port = https flags S/SA keep state
`;
  assert.equal(sniffFormat(sr), "pf");
  const flows = [
    flow("ssh", "tcp", [22, 22]),
    flow("https", "tcp", [443, 443]),
    flow("smtp", "tcp", [25, 25]),
  ];
  const verdicts = (text: string) => {
    const p = readPf(text, "x");
    assert.deepEqual(p.diagnostics, []);
    return audit(edgeHost(flows), [p]).flows.map((x) => [x.id, x.verdict]);
  };
  // The edge host is reached on any interface; em0 is one of them: partial, as in the pf.conf.
  assert.deepEqual(verdicts(sr), verdicts(conf));
  assert.deepEqual(verdicts(sr), [
    ["ssh", "partial"],
    ["https", "partial"],
    ["smtp", "blocked"],
  ]);
});

test("pf perimeter: OpenBSD 4.7+ translation (binat-to, rdr-to) reads as the FreeBSD binat", () => {
  const flows = PERIMETER_EXPECTED.map(([x]) => x);
  const expected = PERIMETER_EXPECTED.map(([x, v]) => [x.id, v, false]);
  for (const line of [
    "match on $ext_if inet from 203.0.113.10 to any binat-to 198.51.100.200",
    "match in on $ext_if inet proto tcp to 198.51.100.200 port 443 rdr-to 203.0.113.10",
  ]) {
    const text = PERIMETER.replace(/^binat .*$/m, line);
    const parsed = readPf(text, "fw47.conf");
    assert.deepEqual(parsed.diagnostics, [], line);
    assert.deepEqual(
      audit(perimeter(flows), [parsed]).flows.map((x) => [x.id, x.verdict, x.uncertain]),
      expected,
      line,
    );
  }
});

test("pf: tables filled at run time (overload, persist and empty) are approximated", () => {
  for (const text of [
    "table <bruteforce> persist\nblock all\nblock quick from <bruteforce>\npass in proto tcp to port 80 keep state (max-src-conn 10, overload <bruteforce> flush global)\n",
    "table <spamd> persist\nblock all\nblock quick from <spamd>\npass in proto tcp to port 80\n",
  ]) {
    const parsed = readPf(text, "t.conf");
    assert.deepEqual(parsed.diagnostics, [], text);
    const report = audit(edgeHost([flow("http", "tcp", [80, 80])]), [parsed]);
    // The table may hold any source: read as every one (the closest wider match), the block takes
    // HTTP, and the verdict says it is uncertain.
    assert.deepEqual(
      report.flows.map((x) => [x.verdict, x.uncertain]),
      [["blocked", true]],
      text,
    );
  }
  const fixed = readPf(
    "table <t> const { 203.0.113.0/24 }\nblock all\nblock quick from <t>\npass in proto tcp to port 80\n",
    "c",
  );
  assert.deepEqual(
    audit(edgeHost([flow("http", "tcp", [80, 80])]), [fixed]).flows.map((x) => [x.verdict, x.uncertain]),
    [["partial", false]],
  );
});

test("pf perimeter: a rule before a `match … rdr-to` saw the packet untranslated (approximated)", () => {
  const text = `block all
pass in on em0 proto tcp to 198.51.100.200 port 443
match in on em0 proto tcp to 198.51.100.200 port 443 rdr-to 203.0.113.10
pass out on em1 proto tcp to 203.0.113.10 port 443
`;
  const parsed = readPf(text, "order.conf");
  assert.deepEqual(parsed.diagnostics, []);
  // pf: the pass before the match rule takes the untranslated packet and is the last match:
  // allowed. The nat chain translates before every filter rule, so that is uncertain here.
  const report = audit(perimeter([f("https-to-public", "tcp", 443, "internet", "web-public")]), [parsed]);
  assert.deepEqual(
    report.flows.map((x) => [x.verdict, x.uncertain]),
    [["allowed", true]],
  );
  assert.ok(report.unsupported.some((u) => u.construct === "match translation"));
});

test("pf: a table is looked up by longest prefix (`!` entries exclude, longer entries win back)", () => {
  const parsed = readPf(
    "table <t> { 10.0.0.0/8, !10.1.0.0/16, 10.1.2.0/24, !10.1.2.7 }\nblock all\npass in from <t>\n",
    "lpm.conf",
  );
  const chain = parsed.ruleset.tables[0]!.chains.find((c) => c.name === "in")!;
  const pass = chain.rules.find((r) => r.origin.line === 3)!;
  const has = (a: string) => !pass.match.restrict({ src: addr(a) }).isEmpty();
  assert.deepEqual(["10.2.0.1", "10.1.3.5", "10.1.2.5", "10.1.2.7", "11.0.0.1"].map(has), [
    true,
    false,
    true,
    false,
    false,
  ]);
});
