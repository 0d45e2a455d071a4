/**
 * A host topology's `firewall.interfaces`: which of the host's interfaces each endpoint is reached
 * through. Rules naming an interface (`-i eth0`, `iifname "eth0"`: most host rulesets) are judged
 * for the packets that use it; without the list every interface but loopback is judged, and a
 * verdict that differs by interface says so in a note. The same files are rehearsed against the
 * kernel in test/lab/lab.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { AuditReportT } from "../../src/audit/report-schema.js";
import { ROOT, runCli } from "./run-cli.js";

const DIR = "test/fixtures/host-interfaces";
const TOPOLOGY = readFileSync(join(ROOT, DIR, "topology.yaml"), "utf8");
const RULESET = join(ROOT, DIR, "ruleset.nft");

function withFiles<T>(files: Record<string, string>, f: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "pm-host-if-"));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function audit(topology: string, ruleset = RULESET): AuditReportT {
  const r = runCli(["audit", "-t", topology, "-r", ruleset, "--format", "json"]);
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return JSON.parse(r.stdout) as AuditReportT;
}

const verdicts = (a: AuditReportT) => a.flows.map((f) => [f.id, f.verdict, f.uncertain]);

test("interfaces named: a rule on eth0 passes the endpoints reached through eth0 and no one else, exactly", () => {
  const a = audit(join(DIR, "topology.yaml"));
  assert.deepEqual(verdicts(a), [
    ["sip-mtls-in", "blocked", false],
    ["sip-mtls-out", "allowed", false],
    ["sip-tls-clients", "allowed", false],
    ["rtp-tcp-out", "allowed", false],
    ["stun-udp-out", "allowed", false],
    ["stun-udp-in", "allowed", false],
  ]);
  // The partners come in through ens192, where nothing takes 5061.
  const sip = a.flows[0]!;
  assert.ok(
    sip.blocked.every((b) => b.packets.every((p) => p.endsWith(" iif ens192"))),
    JSON.stringify(sip),
  );
  // 5061 on eth0 is needed by no flow (the partners use ens192): exposure, on eth0 only.
  const on5061 = a.exposure.flatMap((e) => e.packets).filter((p) => p.startsWith("tcp dport 5061 from any"));
  assert.deepEqual(on5061, [
    "tcp dport 5061 from any4 to 203.0.113.10 ct new iif eth0",
    "tcp dport 5061 from any6 to 2001:db8::10 ct new iif eth0",
  ]);
  assert.deepEqual(a.notes, []);
});

test("interfaces named are all the host has: exposure is judged on them, not on every name", () => {
  const open = readFileSync(RULESET, "utf8").replace(
    '    iifname "eth0" udp dport 3478 accept\n',
    '    iifname "eth0" udp dport 3478 accept\n    tcp dport 8080 accept\n',
  );
  withFiles({ "open.nft": open }, (dir) => {
    const a = audit(join(DIR, "topology.yaml"), join(dir, "open.nft"));
    const lines = a.exposure.flatMap((e) => e.packets).filter((p) => p.startsWith("tcp dport 8080"));
    assert.deepEqual(lines, [
      "tcp dport 8080 from any4 to 203.0.113.10 ct new iif {ens192, eth0}",
      "tcp dport 8080 from any6 to 2001:db8::10 ct new iif {ens192, eth0}",
    ]);
  });
});

test("no interfaces named: every interface but loopback is judged, and a verdict that differs by interface is noted", () => {
  const plain = TOPOLOGY.replace(/\n {2}interfaces:\n(?: {4}.*\n)+/, "\n");
  assert.ok(!/^ +interfaces:/m.test(plain), plain);
  withFiles({ "topology.yaml": plain }, (dir) => {
    const a = audit(join(dir, "topology.yaml"));
    assert.deepEqual(
      verdicts(a).map(([id, v]) => [id, v]),
      [
        ["sip-mtls-in", "partial"],
        ["sip-mtls-out", "allowed"],
        ["sip-tls-clients", "partial"],
        ["rtp-tcp-out", "allowed"],
        ["stun-udp-out", "allowed"],
        ["stun-udp-in", "partial"],
      ],
    );
    assert.equal(a.notes.length, 1);
    assert.match(
      a.notes[0]!,
      /^flows sip-mtls-in, sip-tls-clients, stun-udp-in are dropped on some interfaces and passed on others: .*firewall\.interfaces/,
    );
  });
});

test("a wrong interfaces list is refused at its place, exit 2, one line per problem", () => {
  const bad = TOPOLOGY.replace(
    '    ens192: [partners]\n    eth0: ["*"]\n',
    '    ens192: [partners, edge-access, nobody]\n    eth0: [partners, "zz*"]\n    lo: [clients]\n',
  );
  withFiles({ "bad.yaml": bad }, (dir) => {
    const r = runCli(["audit", "-t", join(dir, "bad.yaml"), "-r", RULESET]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, "");
    const errors = r.stderr.split("\n").filter((l) => l.includes(": error["));
    const at = (line: number, code: string, what: RegExp) =>
      assert.ok(
        errors.some((e) => e.includes(`bad.yaml:${line}:`) && e.includes(`error[${code}]`) && what.test(e)),
        `${line} ${code} ${what}:\n${r.stderr}`,
      );
    at(15, "host-interface", /names the host "edge-access" itself/);
    at(15, "unknown-endpoint", /interface "ens192" names unknown endpoint "nobody"/);
    at(
      16,
      "duplicate-interface",
      /endpoint "partners" is reached through interface "ens192" and interface "eth0"/,
    );
    at(16, "unknown-endpoint", /"zz\*" matches no endpoint/);
    at(17, "host-interface", /interface "lo" is the loopback/);
    assert.ok(!r.stderr.includes("    at "), r.stderr);
  });
});

test("an interface name Linux would not take is refused", () => {
  const bad = TOPOLOGY.replace("ens192:", "a-very-long-interface-name:");
  withFiles({ "bad.yaml": bad }, (dir) => {
    const r = runCli(["audit", "-t", join(dir, "bad.yaml"), "-r", RULESET]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /bad\.yaml:15:\d+: error\[/);
  });
});

/*
 * IPv6 needs neighbour discovery (src/audit/neighbour.ts): solicitations and advertisements, which
 * conntrack leaves untracked. A netfilter policy dropping them cuts every IPv6 connection on the
 * link, whatever the rules for the ports say (the lab shows it: test/lab/lab.test.ts).
 */
test("neighbour discovery dropped: every flow's IPv6 packets are blocked by the rule that drops it", () => {
  const a = audit(join(DIR, "topology.yaml"), join(ROOT, DIR, "no-nd.nft"));
  assert.deepEqual(verdicts(a), [
    ["sip-mtls-in", "blocked", false],
    ["sip-mtls-out", "partial", false],
    ["sip-tls-clients", "partial", false],
    ["rtp-tcp-out", "partial", false],
    ["stun-udp-out", "partial", false],
    ["stun-udp-in", "partial", false],
  ]);
  for (const f of a.flows) {
    const nd = f.blocked.filter((b) => b.neighbourDiscovery);
    assert.equal(nd.length, 1, f.id);
    const b = nd[0]!;
    assert.equal(b.rule.kind, "policy");
    assert.equal(b.rule.line, 6);
    // Only the flow's IPv6 packets, on the interface its peer is reached through.
    const nic = f.id === "sip-mtls-in" || f.id === "sip-mtls-out" ? "ens192" : "eth0";
    for (const p of b.packets) assert.match(p, new RegExp(`(from|to) any6 .* [io]if ${nic}$`), p);
    // From any on-link address but the host's own (a neighbour never sends from it).
    assert.deepEqual(b.neighbourDiscovery, [
      `icmpv6 type {nd-neighbor-solicit code 0, nd-neighbor-advert code 0} from {2000::-2001:db8::f, 2001:db8::11-3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, fc00::/7, fe80::/10} to {2001:db8::10, fe80::/10, ff02::1, ff02::1:ff00:0/104} ct untracked iif ${nic}`,
    ]);
  }
  const text = runCli(["audit", "-t", join(DIR, "topology.yaml"), "-r", join(DIR, "no-nd.nft")]);
  assert.match(
    text.stdout,
    /sip-tls-clients \(IPv6\) blocked by .*no-nd\.nft:6:5: filter\/input policy drop: it drops the neighbour discovery IPv6 needs\n {4}icmpv6 type .*\n {4}so these cannot pass:\n {4}tcp dport 443 from any6 to 2001:db8::10 ct new,established iif eth0\n/,
  );
});

test("neighbour discovery taken on one interface of several: the flows there pass, the others' IPv6 cannot", () => {
  const a = audit(join(DIR, "topology.yaml"), join(ROOT, DIR, "nd-on-eth0.nft"));
  assert.deepEqual(verdicts(a), [
    ["sip-mtls-in", "partial", false],
    ["sip-mtls-out", "partial", false],
    ["sip-tls-clients", "allowed", false],
    ["rtp-tcp-out", "allowed", false],
    ["stun-udp-out", "allowed", false],
    ["stun-udp-in", "allowed", false],
  ]);
  assert.deepEqual(a.notes, []);
});

test("neighbour discovery taken on some interface, the host's unnamed: uncertain, never a verdict, and one note says why", () => {
  const plain = TOPOLOGY.replace(/\n {2}interfaces:\n(?: {4}.*\n)+/, "\n");
  withFiles({ "topology.yaml": plain }, (dir) => {
    const a = audit(join(dir, "topology.yaml"), join(ROOT, DIR, "nd-on-eth0.nft"));
    assert.deepEqual(
      verdicts(a),
      a.flows.map((f) => [f.id, "allowed", true]),
    );
    assert.equal(a.notes.length, 1);
    assert.match(
      a.notes[0]!,
      /nd-on-eth0\.nft:5:5 drops some of the neighbour discovery IPv6 needs .* flows sip-mtls-in, sip-mtls-out, sip-tls-clients, rtp-tcp-out, stun-udp-out, stun-udp-in pass/,
    );
  });
});

test("neighbour discovery accepted as untracked packets (how conntrack sees them): nothing blocked", () => {
  const untracked = readFileSync(join(ROOT, DIR, "no-nd.nft"), "utf8").replace(
    "    iif lo accept\n",
    "    iif lo accept\n    ct state untracked accept\n",
  );
  const invalidFirst = readFileSync(RULESET, "utf8").replace(
    "    iif lo accept\n",
    "    iif lo accept\n    ct state invalid drop\n",
  );
  withFiles({ "untracked.nft": untracked, "invalid.nft": invalidFirst }, (dir) => {
    for (const f of ["untracked.nft", "invalid.nft"]) {
      const a = audit(join(DIR, "topology.yaml"), join(dir, f));
      assert.equal(a.flows[0]!.verdict, "blocked", f); // the partners' SIP: not on ens192
      assert.deepEqual(
        a.flows.slice(1).map((x) => [x.id, x.verdict]),
        a.flows.slice(1).map((x) => [x.id, "allowed"]),
        f,
      );
      assert.ok(
        a.flows.every((x) => x.blocked.every((b) => !b.neighbourDiscovery)),
        f,
      );
    }
  });
});

test("compile writes the interfaces: each host rule on its peer's interface, and the rules audit back exactly, with no exposure", () => {
  withFiles({}, (dir) => {
    for (const [target, files] of [
      ["nftables", ["rules"]],
      ["iptables", ["rules", "rules.v6"]],
      ["pf", ["rules"]],
    ] as const) {
      const out = join(dir, `${target}.rules`);
      const c = runCli([
        "compile",
        "-t",
        join(DIR, "topology.yaml"),
        "--target",
        target,
        "--drop-retired",
        "-o",
        out,
      ]);
      assert.equal(c.status, 0, c.stderr);
      const text = readFileSync(out, "utf8");
      // The partners' SIP on ens192 only: never on eth0, where only the others come from.
      const sipIn = text
        .split("\n")
        .filter((l) => /5061/.test(l) && /sip-mtls-in/.test(l) && !/^\s*#/.test(l));
      assert.ok(sipIn.length > 0, `${target}: ${text}`);
      for (const l of sipIn) assert.match(l, /ens192/, `${target}: ${l}`);
      assert.ok(!sipIn.some((l) => /eth0/.test(l)), target);
      const rulesets = files.map((f) => join(dir, `${target}.${f}`));
      const r = runCli([
        "audit",
        "-t",
        join(DIR, "topology.yaml"),
        ...rulesets.flatMap((f) => ["-r", f]),
        "--format",
        "json",
      ]);
      assert.equal(r.status, 0, r.stderr);
      const a = JSON.parse(r.stdout) as AuditReportT;
      assert.deepEqual(
        a.flows.filter((f) => !f.retired).map((f) => [f.id, f.verdict, f.uncertain]),
        [
          ["sip-mtls-in", "allowed", false],
          ["sip-mtls-out", "allowed", false],
          ["sip-tls-clients", "allowed", false],
        ],
        target,
      );
      assert.deepEqual(a.exposure, [], target);
    }
  });
});

test("compile: targets without interfaces in host rules say so; a name a target cannot write is refused", () => {
  for (const target of ["windows", "aws", "azure"]) {
    const r = runCli(["compile", "-t", join(DIR, "topology.yaml"), "--target", target]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `target ${target} does not write firewall\\.interfaces \\(ens192, eth0\\): its rules hold on every interface of edge-access`,
      ),
    );
  }
  const star = TOPOLOGY.replace("ens192:", '"wan*":');
  withFiles({ "star.yaml": star }, (dir) => {
    const r = runCli(["compile", "-t", join(dir, "star.yaml"), "--target", "nftables"]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(
      r.stderr,
      /star\.yaml:15:\d+: error\[compile-unsupported\]: target nftables cannot name interface "wan\*" of host edge-access/,
    );
    assert.equal(r.stdout, "");
  });
});
