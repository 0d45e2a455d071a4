import assert from "node:assert/strict";
import { test } from "node:test";
import { showOutputSchema } from "../../src/report/show-schema.js";
import { runCli } from "./run-cli.js";

const SEED_ROWS = [
  [
    "sip-mtls-in",
    "tcp",
    "5061",
    "partners",
    "edge-access",
    "Public IM connectivity partners",
    "Edge Server Access interface",
  ],
  [
    "sip-mtls-out",
    "tcp",
    "5061",
    "edge-access",
    "partners",
    "Edge Server Access interface",
    "Public IM connectivity partners",
  ],
  ["sip-tls-clients", "tcp", "443", "clients", "edge-access", "Clients", "Edge Server Access interface"],
  [
    "rtp-tcp-out",
    "tcp",
    "50000-59999",
    "edge-access",
    "messenger-clients",
    "Edge Server Access interface",
    "Live Messenger clients",
  ],
  [
    "stun-udp-out",
    "udp",
    "3478",
    "edge-access",
    "messenger-clients",
    "Edge Server Access interface",
    "Live Messenger clients",
  ],
  [
    "stun-udp-in",
    "udp",
    "3478",
    "messenger-clients",
    "edge-access",
    "Live Messenger clients",
    "Edge Server Access interface",
  ],
];

interface ShowFlow {
  id: string;
  role: string;
  protocol: string;
  transport: string;
  ports: Array<{ from: number; to: number }>;
  from: string;
  to: string;
  source: string;
  destination: string;
  conditions: string[];
  lifecycle: { ended: string; exceptions: Array<{ region: string }> } | null;
  active?: boolean;
  retired?: boolean;
  addresses?: { from: string[]; to: string[] };
}

test("show --format json reproduces the seed's six rows", () => {
  const r = runCli(["show", "lync2013-public-im", "--format", "json"]);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { version: number; profile: { id: string }; flows: ShowFlow[] };
  showOutputSchema.parse(doc);
  assert.equal(doc.version, 1);
  assert.equal(doc.profile.id, "lync2013-public-im");
  const got = doc.flows.map((f) => [
    f.id,
    f.transport,
    f.ports.map((p) => (p.from === p.to ? `${p.from}` : `${p.from}-${p.to}`)).join(","),
    f.from,
    f.to,
    f.source,
    f.destination,
  ]);
  assert.deepEqual(got, SEED_ROWS);
  assert.deepEqual(
    doc.flows.map((f) => `${f.role}/${f.protocol}`),
    [
      "Access/SIP(MTLS)",
      "Access/SIP(MTLS)",
      "Access/SIP(TLS)",
      "A/V/RTP",
      "A/V/STUN,MSTURN",
      "A/V/STUN,MSTURN",
    ],
  );
  for (const f of doc.flows.slice(3)) {
    assert.deepEqual(f.conditions, ["public-im-connectivity"]);
    assert.equal(f.lifecycle?.ended, "2013-03-15");
    assert.equal(f.lifecycle?.exceptions[0]?.region, "mainland China");
  }
  for (const f of doc.flows.slice(0, 3)) assert.equal(f.lifecycle, null);
  assert.match(r.stderr, /retired: .*2013-03-15 except mainland China/);
  assert.match(r.stderr, /source defect \(av-rows-name-access-interface\)/);
});

test("show with a topology resolves addresses and judges conditions and lifecycle", () => {
  const r = runCli(["show", "--topology", "examples/seed-perimeter.yaml", "--format", "json"]);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { flows: ShowFlow[] };
  showOutputSchema.parse(doc);
  const inbound = doc.flows.find((f) => f.id === "sip-mtls-in")!;
  assert.deepEqual(inbound.addresses, { from: ["any"], to: ["203.0.113.10", "2001:db8:10::10"] });
  assert.equal(inbound.active, true);
  assert.equal(inbound.retired, false);
  assert.equal(doc.flows.find((f) => f.id === "stun-udp-in")!.retired, true);
});

test("the table, csv and md formats carry the seed's columns", () => {
  for (const format of ["table", "csv", "md"]) {
    const r = runCli(["show", "lync2013-public-im", "--format", format]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Role\/Protocol\/TCP or UDP\/Port/);
    assert.match(r.stdout, /Access\/SIP\(MTLS\)\/TCP\/5061/);
    assert.match(r.stdout, /A\/V\/RTP\/TCP\/50000-59999/);
  }
});

test("a topology without the feature marks the Messenger rows inactive", () => {
  const r = runCli(["show", "--topology", "test/fixtures/seed-no-pic.yaml", "--format", "json"]);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { flows: ShowFlow[] };
  assert.deepEqual(
    doc.flows.map((f) => f.active),
    [true, true, true, false, false, false],
  );
  const table = runCli(["show", "--topology", "test/fixtures/seed-no-pic.yaml"]);
  assert.match(table.stdout, /\[inactive: needs public-im-connectivity\]/);
});

const BAD_CASES: Array<{ args: string[]; expect: RegExp[] }> = [
  {
    args: ["show", "--topology", "test/fixtures/bad/topology-many-errors.yaml"],
    expect: [
      /topology-many-errors\.yaml:3:16: error\[invalid-address\]: "203\.0\.113\.300" is not an address; expected/,
      /:4:13: error\[invalid-address\]: "203\.0\.113\.0\/23" is not an address; expected a network address without host bits \(203\.0\.112\.0\/23\)/,
      /:6:3: error\[unknown-endpoint\]: profile "lync2013-public-im" has no endpoint "bogus"/,
      /:7:12: error\[unknown-feature\]: .*"public-im"; expected one of public-im-connectivity/,
      /:8:30: error\[unknown-endpoint\]: firewall host "edge"/,
      /:9:1: error\[unknown-key\]: unknown key "colour"/,
      /:10:20: error\[invalid-port\]: port range "60000-50000" is inverted/,
      /error\[unbound-endpoint\]: endpoint "messenger-clients"/,
    ],
  },
  {
    args: ["show", "--topology", "test/fixtures/bad/topology-yaml-syntax.yaml"],
    expect: [/topology-yaml-syntax\.yaml:\d+:\d+: error\[yaml-syntax\]: .*; expected well-formed YAML/],
  },
  {
    args: ["show", "test/fixtures/bad/profile-many-errors.yaml"],
    expect: [
      /:7:59: error\[invalid-port\]: port 0 is out of range/,
      /:7:75: error\[unknown-endpoint\]: flow "f1" names unknown endpoint "c"; expected one of a, b/,
      /:8:47: error\[invalid-value\]: .*transport.*; expected one of "tcp", "udp"/,
      /:8:93: error\[unknown-key\]: unknown key "extra"/,
      /:9:96: error\[unknown-feature\]: flow "f2" depends on unknown feature "nope"/,
    ],
  },
  {
    args: ["show", "--topology", "test/fixtures/bad/topology-bad-firewall.yaml"],
    expect: [
      /:3:16: error\[invalid-address\]: "203\.0\.113\.10-203\.0\.113\.5"/,
      /:6:29: error\[invalid-address\]: "2001:db8::\/129" is not an address; expected a prefix length of 0-128/,
      /error\[unknown-endpoint\]: zone "a" names unknown endpoint "nobody"/,
      /error\[duplicate-zone\]: endpoint "partners" is in zone "a" and zone "b"/,
      /error\[duplicate-interface\]: interface "eth0" serves two zones/,
      /error\[unzoned-endpoint\]: endpoints edge-access, clients, messenger-clients are in no zone/,
    ],
  },
  {
    args: ["show", "--topology", "test/fixtures/bad/topology-unknown-profile.yaml"],
    expect: [
      /topology-unknown-profile\.yaml:1:10: error\[unknown-profile\]: no built-in profile "lync2099-nothing"; expected one of .*lync2013-public-im/,
    ],
  },
  {
    args: ["show", "no-such-file.yaml"],
    expect: [/error\[unreadable-file\]: .*no-such-file\.yaml: no such file/],
  },
  {
    args: ["show", "lync2013-public-im", "--format", "xml"],
    expect: [/error\[bad-option\]: --format "xml" is not supported; expected one of table, json, csv, md/],
  },
  { args: ["show", "--no-such-option"], expect: [/unknown option/] },
];

for (const c of BAD_CASES) {
  test(`bad input gets clear messages and exit 2: ${c.args.join(" ")}`, () => {
    const r = runCli(c.args);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, "");
    for (const re of c.expect) assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /\n\s+at .*\.js:\d+/, "no stack trace");
  });
}

test("PORTMATRIX_AS_OF pins the lifecycle date; set but not a date is bad input, not 'today'", () => {
  const early = runCli(["show", "--topology", "examples/seed-perimeter.yaml", "--format", "json"], {
    env: { PORTMATRIX_AS_OF: "2013-03-14" },
  });
  assert.equal(early.status, 0, early.stderr);
  const doc = JSON.parse(early.stdout) as { flows: ShowFlow[] };
  assert.equal(doc.flows.find((f) => f.id === "stun-udp-in")!.retired, false);
  for (const bad of ["", "2026-02-30", "25.11.2026", "today"]) {
    const r = runCli(["show", "lync2013-public-im"], { env: { PORTMATRIX_AS_OF: bad } });
    assert.equal(r.status, 2, `${JSON.stringify(bad)}: ${r.stderr}`);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr,
      /^error\[invalid-as-of\]: PORTMATRIX_AS_OF is .*, not a date; expected a calendar date YYYY-MM-DD/,
    );
    assert.equal(r.stderr.trim().split("\n").length, 1);
  }
});
