/**
 * `portmatrix audit` on the shipped legacy examples, one per reader, as a user runs it: verdicts,
 * the rule that decides each blocked packet set, exposure, dead and retired rules, every output
 * format, exit codes, and bad input.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { AuditReport, type AuditReportT } from "../../src/audit/report-schema.js";
import { ROOT, runCli } from "./run-cli.js";

const HOST = "examples/legacy/host-topology.yaml";
const ASA = "examples/legacy/asa-topology.yaml";

function auditJson(topology: string, ruleset: string): { status: number | null; report: AuditReportT } {
  const r = runCli(["audit", "-t", topology, "-r", ruleset, "--format", "json"]);
  assert.equal(r.stderr, "", r.stderr);
  return { status: r.status, report: AuditReport.parse(JSON.parse(r.stdout)) };
}

function verdicts(r: AuditReportT): Record<string, string> {
  return Object.fromEntries(r.flows.map((f) => [f.id, f.verdict]));
}

function exposed(r: AuditReportT): string[] {
  return r.exposure.flatMap((e) => e.packets.map((p) => `${p} @${e.rule.line}`)).sort();
}

const RETIRED = { "rtp-tcp-out": "partial", "stun-udp-out": "allowed", "stun-udp-in": "allowed" };

test("iptables-save: partner allow-list, narrow media, SSH/RDP exposure, shadowed duplicate", () => {
  const { status, report } = auditJson(HOST, "examples/legacy/edge-iptables.rules");
  assert.equal(status, 1);
  assert.deepEqual(verdicts(report), {
    "sip-mtls-in": "partial",
    "sip-mtls-out": "allowed",
    "sip-tls-clients": "allowed",
    ...RETIRED,
  });
  const sip = report.flows.find((f) => f.id === "sip-mtls-in")!;
  assert.deepEqual(
    sip.blocked.map((b) => [b.direction, b.rule.kind, b.rule.chain, b.rule.line]),
    [["forward", "policy", "INPUT", 6]],
  );
  assert.match(
    sip.blocked[0]!.packets[0]!,
    /^tcp dport 5061 from \{0\.0\.0\.0-198\.51\.100\.63, 198\.51\.100\.128-255\.255\.255\.255\} to 203\.0\.113\.10/,
  );
  assert.deepEqual(exposed(report), [
    "tcp dport 22 from any4 to 203.0.113.10 ct new iif !lo @15",
    "tcp dport 3389 from any4 to 203.0.113.10 ct new iif !lo @16",
    "tcp dport 50000-50999 from 203.0.113.10 to any4 ct new oif !lo @24",
    "udp dport 3478 from 203.0.113.10 to any4 ct new oif !lo @25",
    "udp dport 3478 from any4 to 203.0.113.10 ct new iif !lo @14",
    "udp dport 53 from 203.0.113.10 to any4 ct new oif !lo @26",
  ]);
  assert.deepEqual(
    report.deadRules.map((d) => [d.kind, d.rule.line]),
    [["shadowed", 17]],
  );
  assert.deepEqual(
    report.retired.map((x) => [x.rule.line, x.flows]),
    [
      [14, ["stun-udp-out", "stun-udp-in"]],
      [24, ["rtp-tcp-out"]],
      [25, ["stun-udp-out", "stun-udp-in"]],
    ],
  );
});

test("nftables text and the same ruleset as nftables JSON agree", () => {
  const text = auditJson(HOST, "examples/legacy/edge-nftables.nft").report;
  assert.deepEqual(verdicts(text), {
    "sip-mtls-in": "partial",
    "sip-mtls-out": "allowed",
    "sip-tls-clients": "allowed",
    ...RETIRED,
  });
  assert.deepEqual(
    text.deadRules.map((d) => [d.kind, d.rule.text]),
    [["shadowed", "tcp dport 443 accept"]],
  );
  const json = auditJson(HOST, "test/fixtures/edge-nftables.json").report;
  const strip = (r: AuditReportT) =>
    JSON.stringify({ ...r, rulesets: [] }, (k, v: unknown) =>
      ["file", "line", "col"].includes(k) ? undefined : v,
    );
  assert.equal(strip(json), strip(text));
});

test("Windows Firewall: a rule bound to the Domain profile does not apply on the Public edge NIC", () => {
  const { status, report } = auditJson(HOST, "examples/legacy/edge-windows.json");
  assert.equal(status, 1);
  assert.deepEqual(verdicts(report), {
    "sip-mtls-in": "blocked",
    "sip-mtls-out": "allowed",
    "sip-tls-clients": "allowed",
    "rtp-tcp-out": "partial",
    "stun-udp-out": "blocked",
    "stun-udp-in": "allowed",
  });
  // Block wins over allow whatever the order: the hardening block cuts the RTP range at 55000.
  const rtp = report.flows.find((f) => f.id === "rtp-tcp-out")!;
  assert.match(rtp.blocked[0]!.rule.text, /^Block-High-Ports-Out/);
  assert.match(rtp.blocked[0]!.packets[0]!, /^tcp dport 55000-59999 /);
  assert.ok(exposed(report).some((e) => e.startsWith("tcp dport 3389 ")));
});

test("Windows Firewall from netsh's listing (UTF-16, as PowerShell 5.1 writes it) reads as the JSON export does", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-netsh-"));
  try {
    const file = join(dir, "rules.txt");
    const text = readFileSync(join(ROOT, "examples/legacy/edge-netsh.txt"), "utf8");
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
    const netsh = auditJson(HOST, file);
    const json = auditJson(HOST, "examples/legacy/edge-windows.json");
    assert.equal(netsh.status, 1);
    assert.equal(netsh.report.rulesets[0]!.format, "windows-netsh");
    assert.deepEqual(verdicts(netsh.report), verdicts(json.report));
    const rtp = netsh.report.flows.find((f) => f.id === "rtp-tcp-out")!;
    assert.match(
      rtp.blocked[0]!.rule.text,
      /^"Block outbound high ports \(hardening baseline\)": Outbound Block$/,
    );
    assert.equal(rtp.blocked[0]!.rule.line, 116);
    // The ICMP rules the JSON example lacks are read with their types; LocalSubnet is uncertain.
    assert.ok(exposed(netsh.report).some((e) => e.startsWith("icmp type destination-unreachable code 4 ")));
    assert.ok(netsh.report.unsupported.some((u) => u.construct === "RemoteIP: LocalSubnet"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("AWS security groups: egress SIP only to 2012's partners; stateful replies pass", () => {
  const { status, report } = auditJson(HOST, "examples/legacy/edge-aws.json");
  assert.equal(status, 1);
  assert.deepEqual(verdicts(report), {
    "sip-mtls-in": "allowed",
    "sip-mtls-out": "partial",
    "sip-tls-clients": "allowed",
    "rtp-tcp-out": "partial",
    "stun-udp-out": "blocked",
    "stun-udp-in": "allowed",
  });
  assert.ok(
    report.flows.every((f) => f.blocked.every((b) => b.direction === "forward")),
    "replies never blocked on a stateful device",
  );
});

test("Cisco ASA: access-groups per interface, implicit deny, dead and retired ACEs", () => {
  const { status, report } = auditJson(ASA, "examples/legacy/edge-asa.cfg");
  assert.equal(status, 1);
  assert.deepEqual(verdicts(report), {
    "sip-mtls-in": "allowed",
    "sip-mtls-out": "partial",
    "sip-tls-clients": "allowed",
    "rtp-tcp-out": "partial",
    "stun-udp-out": "allowed",
    "stun-udp-in": "allowed",
  });
  assert.deepEqual(
    report.deadRules.map((d) => [d.kind, d.rule.line]),
    [
      ["shadowed", 34],
      ["redundant", 35],
      ["redundant", 40],
    ],
  );
  // RDP from anywhere but the management network (198.51.100.0/28, kept reachable by design).
  assert.ok(
    exposed(report).some((e) =>
      e.startsWith(
        "tcp dport 3389 from {0.0.0.0-198.51.99.255, 198.51.100.16-255.255.255.255} to 203.0.113.10 ct new iif outside oif dmz",
      ),
    ),
    exposed(report).join("\n"),
  );
  assert.deepEqual(
    report.retired.map((x) => x.rule.line),
    [32, 38, 39],
  );
});

test("sarif and junit outputs", () => {
  const sarif = runCli([
    "audit",
    "-t",
    HOST,
    "-r",
    "examples/legacy/edge-iptables.rules",
    "--format",
    "sarif",
  ]);
  assert.equal(sarif.status, 1);
  const doc = JSON.parse(sarif.stdout) as {
    version: string;
    runs: Array<{
      results: Array<{
        ruleId: string;
        locations: Array<{ physicalLocation: { region: { startLine: number } } }>;
      }>;
    }>;
  };
  assert.equal(doc.version, "2.1.0");
  const ids = doc.runs[0]!.results.map(
    (r) => `${r.ruleId}@${r.locations[0]?.physicalLocation.region.startLine}`,
  );
  assert.ok(
    ids.includes("flow-partial@6") && ids.includes("exposure@15") && ids.includes("dead-shadowed@17"),
    ids.join(" "),
  );
  const junit = runCli([
    "audit",
    "-t",
    HOST,
    "-r",
    "examples/legacy/edge-iptables.rules",
    "--format",
    "junit",
  ]);
  assert.match(junit.stdout, /<testsuites tests="7" failures="2" skipped="3">/);
  assert.match(
    junit.stdout,
    /<testcase name="sip-mtls-in: partners → edge-access tcp 5061" classname="portmatrix.audit.lync2013-public-im">\n\s+<failure message="partial">/,
  );
});

test("table output and -o writes the file", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-audit-"));
  try {
    const r = runCli([
      "audit",
      "-t",
      HOST,
      "-r",
      "examples/legacy/edge-iptables.rules",
      "-o",
      join(dir, "a.txt"),
    ]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, "");
    const text = readFileSync(join(dir, "a.txt"), "utf8");
    assert.match(text, /sip-mtls-in\s+partners → edge-access\s+tcp 5061\s+partial/);
    assert.match(
      text,
      /2 of 3 required flows allowed, 6 exposure findings, 1 dead rule, 3 retired rules, 0 not modelled exactly/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("bad input: one line each, exit 2, no stack trace", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-audit-"));
  try {
    writeFileSync(join(dir, "junk.txt"), "hello\n");
    writeFileSync(
      join(dir, "bad.rules"),
      "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 99999 -j ACCEPT\nCOMMIT\n",
    );
    const cases: Array<[string[], RegExp]> = [
      [
        ["-r", join(dir, "junk.txt")],
        /junk\.txt:1:1: error\[unknown-ruleset-format\]: .*cannot tell the ruleset format.*expected --ruleset-format/,
      ],
      [["-r", join(dir, "missing.rules")], /missing\.rules: no such file/],
      [
        ["-r", "examples/legacy/edge-asa.cfg"],
        /edge-asa\.cfg:1:1: error\[ruleset-kind\]: .*cisco-asa ruleset cannot be the host firewall/,
      ],
      [["-r", join(dir, "bad.rules")], /bad\.rules:3:\d+: error\[/],
      [
        ["-r", "examples/legacy/edge-iptables.rules", "--format", "xml"],
        /--format "xml" is not supported; expected one of table, json, sarif, junit/,
      ],
      [
        ["-r", "examples/legacy/edge-iptables.rules", "--ruleset-format", "ipfw"],
        /--ruleset-format "ipfw" is not supported/,
      ],
    ];
    for (const [args, re] of cases) {
      const r = runCli(["audit", "-t", HOST, ...args]);
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an ASA audited with zones on interfaces it does not define: a topology error, not all blocked", () => {
  const r = runCli(["audit", "-t", "examples/seed-perimeter.yaml", "-r", "examples/legacy/edge-asa.cfg"]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(
    r.stderr,
    /edge-asa\.cfg:1:1: error\[asa-unknown-interface\]: .*zone internet is on interface eth0, which this ASA configuration does not define; expected .*\(outside, dmz\)/,
  );
});

test("--save records the run for the dashboard (same JSON as --format json)", async () => {
  const { openStore, listRuns, runVerdicts } = await import("../../src/store/index.js");
  const dir = mkdtempSync(join(tmpdir(), "pm-audit-"));
  try {
    const db = join(dir, "runs.sqlite");
    const r = runCli(["audit", "-t", HOST, "-r", "examples/legacy/edge-iptables.rules", "--save", db]);
    assert.equal(r.status, 1, r.stderr);
    const store = openStore(db);
    assert.ok(store.ok);
    const runs = listRuns(store.value);
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.kind, "audit");
    const verdicts = runVerdicts(store.value, runs[0]!.id);
    assert.ok(JSON.stringify(verdicts).includes("sip-mtls-in"), JSON.stringify(verdicts));
    store.value.db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("findings that rest on a rule not modelled exactly are marked uncertain", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-audit-"));
  try {
    const rules = join(dir, "edge.rules");
    writeFileSync(
      rules,
      [
        "*filter",
        ":INPUT DROP [0:0]",
        ":FORWARD DROP [0:0]",
        ":OUTPUT ACCEPT [0:0]",
        "-A INPUT -p tcp -m tcp --dport 443 -m recent --rcheck -j ACCEPT",
        "-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT",
        "-A INPUT -p tcp -m tcp --dport 5061 -j ACCEPT",
        "-A INPUT -p tcp -m tcp --dport 3389 -m limit --limit 5/sec -j ACCEPT",
        "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT",
        "COMMIT",
        "",
      ].join("\n"),
    );
    const r = runCli(["audit", "-t", "examples/seed-host.yaml", "-r", rules, "--format", "json"]);
    const report = AuditReport.parse(JSON.parse(r.stdout));
    const dead = report.deadRules.map((d) => [d.kind, d.rule.line, d.uncertain]);
    assert.deepEqual(dead, [["shadowed", 6, true]]);
    const exposure = report.exposure
      .filter((e) => e.direction === "inbound")
      .map((e) => [e.rule.line, e.uncertain, e.packets.join("; ")]);
    assert.deepEqual(
      exposure.map(([line, uncertain]) => [line, uncertain]),
      [
        [8, true],
        [9, false],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
