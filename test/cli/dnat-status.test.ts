/**
 * `ct status dnat` (OpenWrt fw4's "Accept port forwards"): decided for a flow's own packets and for
 * exposure by the NAT their path takes, so a port forward's verdicts are exact; replies, whose
 * connection's translation the audit does not carry, keep it approximated. The same files are
 * rehearsed against the kernel in test/lab/lab.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { AuditReportT } from "../../src/audit/report-schema.js";
import { readIptablesSave } from "../../src/parse/iptables-save.js";
import { ROOT, runCli } from "./run-cli.js";

const DIR = "test/fixtures/port-forward";

function audit(ruleset: string): AuditReportT {
  const r = runCli(["audit", "-t", `${DIR}/topology.yaml`, "-r", ruleset, "--format", "json"]);
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return JSON.parse(r.stdout) as AuditReportT;
}

const verdicts = (a: AuditReportT) => a.flows.map((f) => [f.id, f.verdict, f.uncertain]);

for (const [file, rule] of [
  ["ruleset.nft", "ct status dnat accept"],
  ["ruleset.rules", "-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED,DNAT -j ACCEPT [DNAT]"],
] as const)
  test(`a port forward accepted by the DNAT status (${file}): the forwarded flow allowed, the other blocked, both exact`, () => {
    const a = audit(`${DIR}/${file}`);
    assert.deepEqual(verdicts(a), [
      ["sip-in", "allowed", false],
      ["https-in", "blocked", false],
    ]);
    // Exposure: only packets the forward translates are accepted by it, and exactly.
    const byStatus = a.exposure.filter((e) => e.rule.text === rule);
    assert.ok(byStatus.length > 0);
    for (const e of byStatus) {
      assert.equal(e.uncertain, false);
      for (const line of e.packets) assert.match(line, /^tcp dport 5061 from any4 to 198\.51\.100\.100 /);
    }
  });

test("negated, and on the reply leg: `ct status != dnat` decided for own packets, replies stay uncertain", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-dnat-"));
  try {
    const text = readFileSync(join(ROOT, DIR, "ruleset.nft"), "utf8");
    // No established accept: the forwarded connection's replies meet the status test themselves.
    const negated = join(dir, "negated.nft");
    writeFileSync(
      negated,
      text
        .replace("    ct state established,related accept\n", "")
        .replace("ct status dnat accept", "ct status != dnat drop\n    accept"),
    );
    const a = audit(negated);
    const sip = a.flows.find((f) => f.id === "sip-in")!;
    const https = a.flows.find((f) => f.id === "https-in")!;
    // HTTPS is not forwarded: its own packets, not DNATed, are dropped, exactly.
    assert.equal(https.verdict, "blocked");
    assert.ok(https.blocked.every((b) => b.direction === "forward"));
    // SIP's own packets pass, exactly; its replies meet `!= dnat` with their connection's status
    // not known, read as matching: blocked as read, and said to be uncertain.
    assert.deepEqual(
      sip.blocked.map((b) => b.direction),
      ["reply"],
    );
    assert.equal(sip.uncertain, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("`--ctstate …,DNAT` is split only where the halves decide alike; otherwise it stays approximated", () => {
  const read = (line: string) =>
    readIptablesSave(`*filter\n:FORWARD DROP [0:0]\n:C - [0:0]\n${line}\nCOMMIT\n`, "x.rules").ruleset
      .tables[0]!.chains[0]!.rules;
  const split = read("-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED,DNAT -j ACCEPT");
  const line = "-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED,DNAT -j ACCEPT";
  assert.deepEqual(
    split.map((r) => [r.origin.text, r.approximations.map((a) => Boolean(a.dnatStatus))]),
    [
      [`${line} [RELATED,ESTABLISHED]`, []],
      [`${line} [DNAT]`, [true]],
    ],
  );
  // A jump (a packet returning from the first half would meet the second), SNAT or a negation: one
  // rule, the whole state test approximated, as before.
  for (const line of [
    "-A FORWARD -m conntrack --ctstate ESTABLISHED,DNAT -j C",
    "-A FORWARD -m conntrack --ctstate DNAT,SNAT -j ACCEPT",
    "-A FORWARD -m conntrack ! --ctstate ESTABLISHED,DNAT -j DROP",
  ]) {
    const rules = read(line);
    assert.equal(rules.length, 1, line);
    assert.deepEqual(
      rules[0]!.approximations.map((a) => [a.construct.startsWith("--ctstate"), Boolean(a.dnatStatus)]),
      [[true, false]],
      line,
    );
  }
});

test("a destination translation that leaves no trace in the rewrite (`redirect` without ports) leaves the status unknown", () => {
  const r = runCli([
    "audit",
    "-t",
    "examples/legacy/host-topology.yaml",
    "-r",
    `${DIR}/redirect-no-port.nft`,
    "--format",
    "json",
  ]);
  const a = JSON.parse(r.stdout) as AuditReportT;
  // The kernel marks the redirected connection DNAT and accepts it; read as not translated, the
  // audit would call it blocked for certain. Not knowing, it says uncertain.
  const sip = a.flows.find((f) => f.id === "sip-mtls-in")!;
  assert.equal(sip.uncertain, true);
  assert.equal(sip.verdict, "allowed");
});
