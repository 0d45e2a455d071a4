/**
 * `uncertain` is complete: every verdict (allowed, partial, blocked), exposure and dead rule that a
 * packet meeting an approximated rule takes part in is marked, in each format that approximates,
 * and nothing else is. Rulesets are crafted so the same flows meet one construct each.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { edgeHost, flow } from "../../test/audit-fixtures.js";
import { readAwsSecurityGroups } from "../parse/aws-reader.js";
import { readIptablesSave } from "../parse/iptables-save.js";
import { readNftablesJson } from "../parse/nftables-json.js";
import { readNftablesText } from "../parse/nftables-text.js";
import type { ParsedRuleset } from "../parse/reader.js";
import { audit } from "./audit.js";
import { AuditReport, HIDDEN_EXPOSURE_NOTE, type AuditReportT } from "./report-schema.js";

const topology = edgeHost([
  flow("sip", "tcp", [5061, 5061]),
  flow("web", "tcp", [443, 443]),
  flow("media", "tcp", [50000, 59999]),
  flow("stun", "udp", [3478, 3478]),
  flow("turn", "udp", [3479, 3479]),
]);

function run(p: ParsedRuleset): AuditReportT {
  assert.deepEqual(
    p.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  return AuditReport.parse(audit(topology, [p]));
}

function verdicts(r: AuditReportT): Record<string, string> {
  return Object.fromEntries(r.flows.map((f) => [f.id, f.verdict + (f.uncertain ? " uncertain" : "")]));
}

const IPT = `*filter
:INPUT DROP [0:0]
:OUTPUT DROP [0:0]
-A INPUT -m limit --limit 5/min -j LOG --log-prefix "in: "
-A INPUT -p tcp --dport 5061 -m recent --rcheck --name sip -j ACCEPT
-A INPUT -p tcp --dport 443 -m recent --update --hitcount 4 --name web -j DROP
-A INPUT -p tcp --dport 443 -j ACCEPT
-A INPUT -p tcp --dport 50000:50999 -m recent --update --hitcount 4 --name m -j DROP
-A INPUT -p tcp --dport 50000:59999 -j ACCEPT
-A INPUT -p tcp --dport 22 -m recent --update --hitcount 4 --name ssh -j DROP
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -p udp --dport 3478:3479 -j ACCEPT
-A INPUT -p tcp --dport 8080 -j ACCEPT
-A INPUT -p tcp --dport 8080 -j ACCEPT
-A OUTPUT -m conntrack --ctstate ESTABLISHED -p tcp -j ACCEPT
-A OUTPUT -p udp --sport 3478 -m owner --uid-owner 1000 -j ACCEPT
-A OUTPUT -p udp --sport 3479 -j ACCEPT
COMMIT
`;

test("iptables: every verdict kind through an approximated rule is uncertain, exact ones are not", () => {
  const r = run(readIptablesSave(IPT, "edge.rules"));
  assert.deepEqual(verdicts(r), {
    // accepted by an approximated accept (the case: was certain)
    sip: "allowed uncertain",
    // dropped by an approximated drop before an exact accept
    web: "blocked uncertain",
    // part of the ports meets the approximated drop
    media: "partial uncertain",
    // the replies are accepted by an approximated rule (`-m owner`)
    stun: "allowed uncertain",
    // exact all the way, past an observing LOG with an approximated match
    turn: "allowed",
  });
});

test("iptables: an exposure the approximation hides is said, uncertain; exact ones stay certain", () => {
  const r = run(readIptablesSave(IPT, "edge.rules"));
  const ssh = r.exposure.filter((e) => e.packets.some((p) => p.includes("dport 22 ")));
  assert.deepEqual(
    ssh.map((e) => [e.rule.line, e.uncertain, e.rule.note ?? ""]),
    [[10, true, HIDDEN_EXPOSURE_NOTE]],
  );
  const web8080 = r.exposure.find((e) => e.packets.some((p) => p.includes("dport 8080 ")));
  assert.equal(web8080?.uncertain, false);
  // The second 8080 accept is shadowed by an exact rule: certain, even with approximations around.
  assert.deepEqual(
    r.deadRules.map((d) => [d.kind, d.rule.line, d.uncertain]),
    [
      ["shadowed", 7, true],
      ["shadowed", 11, true],
      ["shadowed", 14, false],
    ],
  );
});

test("iptables: an unmodelled target on a rule that otherwise observes makes what it meets uncertain", () => {
  const text = `*filter
:INPUT DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp --dport 5061 -j TARPIT
-A INPUT -p tcp -j ACCEPT
-A INPUT -p udp -i eth+ -j ACCEPT
COMMIT
`;
  const r = run(readIptablesSave(text, "t.rules"));
  assert.equal(verdicts(r).sip, "allowed uncertain");
  assert.equal(verdicts(r).web, "allowed");
  // `-i eth+` is widened to any interface (approximated), never narrowed to the literal name.
  assert.equal(verdicts(r).stun, "allowed uncertain");
  const tarpit = r.unsupported.find((u) => u.construct === "-j TARPIT");
  assert.ok(tarpit?.flows.includes("sip"));
});

const NFT = `table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    ct state established accept
    ip hdrlength 5 tcp dport { 443, 5061 } accept
    udp dport 3478-3479 accept
  }
}
`;

const jsonRule = (...expr: unknown[]) => ({
  rule: { family: "inet", table: "filter", chain: "input", expr },
});
const jsonMatch = (left: unknown, right: unknown) => ({ match: { op: "==", left, right } });
const NFT_JSON = JSON.stringify({
  nftables: [
    { table: { family: "inet", name: "filter" } },
    {
      chain: {
        ...{ family: "inet", table: "filter", name: "input" },
        ...{ type: "filter", hook: "input", prio: 0, policy: "drop" },
      },
    },
    jsonRule(jsonMatch({ ct: { key: "state" } }, "established"), { accept: null }),
    jsonRule(
      jsonMatch({ payload: { protocol: "ip", field: "hdrlength" } }, 5),
      jsonMatch({ payload: { protocol: "tcp", field: "dport" } }, { set: [443, 5061] }),
      { accept: null },
    ),
    jsonRule(jsonMatch({ payload: { protocol: "udp", field: "dport" } }, { range: [3478, 3479] }), {
      accept: null,
    }),
  ],
});

test("nftables text and JSON: an accept with an approximated selector gives uncertain allowed", () => {
  for (const p of [readNftablesText(NFT, "a.nft"), readNftablesJson(NFT_JSON, "a.json")]) {
    const r = run(p);
    assert.ok(p.ruleset.tables[0]!.chains[0]!.rules[1]!.approximations.length > 0, p.ruleset.format);
    assert.deepEqual(
      verdicts(r),
      {
        sip: "allowed uncertain",
        web: "allowed uncertain",
        media: "blocked",
        stun: "allowed",
        turn: "allowed",
      },
      p.ruleset.format,
    );
    const e443 = r.exposure.filter((e) => e.rule.text.includes("hdrlength"));
    assert.ok(e443.every((e) => e.uncertain));
  }
});

function sg(ingress: unknown[]): string {
  return JSON.stringify({
    SecurityGroups: [
      {
        GroupId: "sg-0a1b2c3d",
        GroupName: "default",
        IpPermissions: ingress,
        IpPermissionsEgress: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      },
    ],
  });
}

test("AWS: the default group's self reference is an approximation, and only where it decides", () => {
  const self = { IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: "sg-0a1b2c3d", UserId: "123456789012" }] };
  const r = run(readAwsSecurityGroups(sg([self]), "sg.json"));
  assert.deepEqual(verdicts(r), {
    sip: "allowed uncertain",
    web: "allowed uncertain",
    media: "allowed uncertain",
    stun: "allowed uncertain",
    turn: "allowed uncertain",
  });
  // Addresses named exactly beside a group reference stay exact.
  const mixed = {
    IpProtocol: "tcp",
    FromPort: 5061,
    ToPort: 5061,
    IpRanges: [{ CidrIp: "0.0.0.0/0" }],
    UserIdGroupPairs: [{ GroupId: "sg-0a1b2c3d" }],
  };
  const m = run(readAwsSecurityGroups(sg([mixed]), "sg.json"));
  assert.equal(verdicts(m).sip, "allowed");
  assert.equal(verdicts(m).web, "blocked");
});

test("AWS: a CIDR with host bits is the network it names, with a warning", () => {
  const perm = { IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.1/0" }] };
  const p = readAwsSecurityGroups(sg([perm]), "sg.json");
  assert.deepEqual(
    p.diagnostics.map((d) => `${d.severity}[${d.code}]`),
    ["warning[aws-cidr-host-bits]"],
  );
  assert.equal(verdicts(AuditReport.parse(audit(topology, [p]))).web, "allowed");
});

// A TCP flags test is exact in the states whose packets all carry (or all lack) the flags: NEW is the
// opening SYN, so `--syn` decides a connection's first packet exactly and is approximated only in
// RELATED, INVALID and UNTRACKED, where a packet may carry any flags. The flows' packets (NEW and
// ESTABLISHED, replies ESTABLISHED) are none of those.
const SYN_IPT = `*filter
:INPUT DROP [0:0]
:OUTPUT ACCEPT [0:0]
:syn_flood - [0:0]
-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT
-A INPUT -p tcp --syn -j syn_flood
-A INPUT -p tcp --dport 5061 -j ACCEPT
-A INPUT -p tcp --dport 443 --tcp-flags SYN,RST,ACK,FIN SYN -j ACCEPT
-A INPUT -p tcp --dport 22 -j ACCEPT
-A syn_flood -s 203.0.113.66 -j DROP
COMMIT
`;

const SYN_NFT = `table inet fw {
  chain input {
    type filter hook input priority 0; policy drop;
    ct state established accept
    tcp flags & (fin | syn | rst | ack) == syn jump syn_flood
    tcp dport 5061 accept
    tcp dport 443 tcp flags & (fin | syn | rst | ack) == syn accept
    tcp dport 22 accept
  }
  chain syn_flood {
    ip saddr 203.0.113.66 drop
  }
}
`;

test("TCP flags: exact for a flow's packets, so no verdict or exposure through them is uncertain", () => {
  for (const p of [readIptablesSave(SYN_IPT, "syn.rules"), readNftablesText(SYN_NFT, "syn.nft")]) {
    const f = p.ruleset.format;
    const flagRules = p.ruleset.tables
      .flatMap((t) => t.chains)
      .flatMap((c) => c.rules)
      .filter((x) =>
        x.approximations.some((a) => a.construct.includes("syn") || a.construct.includes("SYN")),
      );
    assert.equal(flagRules.length, 2, f);
    const r = run(p);
    // Both through the jump (its packets from 203.0.113.66 dropped) and accepted by a flags test.
    assert.deepEqual(
      verdicts(r),
      { sip: "partial", web: "partial", media: "blocked", stun: "blocked", turn: "blocked" },
      f,
    );
    assert.deepEqual(
      r.exposure.filter((e) => e.uncertain).map((e) => e.packets),
      [],
      f,
    );
    // Listed as not modelled exactly, with the packets it is approximate for and no flow.
    const listed = r.unsupported.filter((u) => flagRules.some((x) => x.origin.line === u.rule?.line));
    assert.equal(listed.length, 2, f);
    for (const u of listed) {
      assert.deepEqual(u.flows, [], f);
      assert.ok(
        u.mayAffect.length > 0 && u.mayAffect.every((l) => /ct (related|invalid|untracked)/.test(l)),
        `${f}: ${u.mayAffect.join("; ")}`,
      );
    }
  }
});

test("TCP flags: in the states where the reading is approximate, what it decides stays uncertain", () => {
  // ESTABLISHED packets may or may not carry PSH: `--tcp-flags PSH PSH` is approximated there, and a
  // flow's established packets (and replies) meet it.
  const text = `*filter
:INPUT DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp --tcp-flags PSH PSH -j DROP
-A INPUT -p tcp --dport 5061 -j ACCEPT
-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT
COMMIT
`;
  const r = run(readIptablesSave(text, "psh.rules"));
  // The first packet (a SYN, no PSH) passes; established ones with PSH are dropped as read.
  assert.equal(verdicts(r).sip, "partial uncertain");
  const psh = r.unsupported.find((u) => u.construct.includes("PSH"));
  assert.deepEqual(psh?.flows.includes("sip"), true);
});

// Worlds (worlds.ts): an approximated rule matches each packet of its approximate part, or not.
// Where every choice passes and drops the same packets, the verdict is certain.
const WORLDS = `*filter
:INPUT DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT
-A INPUT -p tcp --dport 5061 -m limit --limit 10/s -j ACCEPT
-A INPUT -p tcp --dport 5061 -j ACCEPT
-A INPUT -p tcp --dport 443 -m recent --update --hitcount 4 --name web -j DROP
-A INPUT -p tcp --dport 443 -j DROP
-A INPUT -p tcp --dport 50000:59999 -m limit --limit 10/s -j ACCEPT
-A INPUT -p tcp --dport 50000:59999 -m limit --limit 20/s -j ACCEPT
-A INPUT -p udp --dport 3478 -m limit --limit 10/s -j ACCEPT
-A INPUT -p udp --dport 3479 -m limit --limit 10/s -j ACCEPT
-A INPUT -p udp --dport 3479 -m recent --update --name turn -j DROP
-A INPUT -p udp --dport 3479 -j ACCEPT
-A INPUT -p tcp --dport 22 -m recent --update --hitcount 4 --name ssh -j DROP
-A INPUT -p tcp --dport 22 -j DROP
-A INPUT -p tcp --dport 8080 -m limit --limit 10/s -j ACCEPT
-A INPUT -p tcp --dport 8080 -j ACCEPT
-A INPUT -p tcp --dport 8443 -m limit --limit 10/s -j ACCEPT
-A INPUT -p tcp --dport 8443 -m recent --update --name a -j DROP
-A INPUT -p tcp --dport 8443 -m limit --limit 20/s -j ACCEPT
-A INPUT -p tcp --dport 8443 -m recent --update --name b -j DROP
-A INPUT -p tcp --dport 8443 -m limit --limit 30/s -j ACCEPT
-A INPUT -p tcp --dport 8443 -j DROP
COMMIT
`;

test("worlds: an approximation whose alternatives decide alike leaves the verdict certain", () => {
  const r = run(readIptablesSave(WORLDS, "worlds.rules"));
  assert.deepEqual(verdicts(r), {
    // accepted by the limited accept, else by the next one
    sip: "allowed",
    // dropped by `recent`, else by the next drop
    web: "blocked",
    // the second limit is met only where the first does not match: with both off, the policy drops
    media: "allowed uncertain",
    // accepted only while the limit lets it: dropped by the policy otherwise
    stun: "allowed uncertain",
    // two approximations: limited accept, else `recent` may drop, else accepted
    turn: "allowed uncertain",
  });
});

test("worlds: exposure only where some alternative changes what passes", () => {
  const r = run(readIptablesSave(WORLDS, "worlds.rules"));
  const about = (port: string) =>
    r.exposure.filter((e) => e.packets.some((p) => p.includes(`dport ${port} `)));
  // Dropped whether `recent` matches or not: no exposure hidden behind it.
  assert.deepEqual(about("22"), []);
  // Accepted whether the limit matches or not: exposure, certain.
  assert.deepEqual(
    about("8080").map((e) => [e.rule.line, e.uncertain]),
    [[17, false]],
  );
  // Five approximations on the way (more than worlds.ts tries): uncertain, as before.
  assert.ok(about("8443").length > 0 && about("8443").every((e) => e.uncertain));
});

test("TCP flags: a rule shadowed by a flags test exact for its packets is dead for certain", () => {
  const text = `*filter
:INPUT DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp --syn -j ACCEPT
-A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT
-A INPUT -p tcp --dport 23 -j ACCEPT
COMMIT
`;
  const r = run(readIptablesSave(text, "shadow.rules"));
  assert.deepEqual(
    r.deadRules.map((d) => [d.kind, d.rule.line, d.uncertain]),
    // Line 5 takes only NEW packets, which `--syn` decides exactly; line 6 stays live (its
    // established packets are not SYNs).
    [["shadowed", 5, false]],
  );
});

test("dead rules: packets an approximated rule upstream took may truly reach the rule", () => {
  const text = `*filter
:INPUT DROP [0:0]
:OUTPUT ACCEPT [0:0]
:u - [0:0]
:v - [0:0]
:w - [0:0]
-A INPUT -p tcp --dport 22 -m recent --update --name x -j DROP
-A INPUT -j u
-A INPUT -p tcp --dport 25 -m recent --update --name y -j DROP
-A INPUT -p tcp --dport 25 -j w
-A u -p tcp --dport 22 -j ACCEPT
-A u -p tcp --dport 80 -j DROP
-A u -p tcp --dport 80 -j v
-A v -p tcp --dport 80 -j ACCEPT
-A w -p tcp --dport 25 -j ACCEPT
COMMIT
`;
  const r = run(readIptablesSave(text, "upstream.rules"));
  assert.deepEqual(
    r.deadRules.map((d) => [d.kind, d.rule.line, d.uncertain]),
    [
      // the jump to w is behind a rule that may not match: w may be reached
      ["shadowed", 10, true],
      // tcp 22 is dropped in INPUT before the jump to u, by a rule that may not match
      ["shadowed", 11, true],
      // an exact drop in u takes tcp 80: the jump to v and v itself are dead for certain
      ["shadowed", 13, false],
      ["unreachable-chain", 14, false],
      ["unreachable-chain", 15, true],
    ],
  );
});
