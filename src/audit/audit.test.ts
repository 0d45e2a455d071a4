/**
 * The audit on a small legacy edge firewall (iptables-save with DNAT, a user chain with RETURN,
 * a too-narrow media range, a retired federation port, SSH exposure, a shadowed duplicate), with
 * flows built by hand (the YAML lowering is another module).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { edgeHost, flow } from "../../test/audit-fixtures.js";
import { readIptablesSave } from "../parse/iptables-save.js";
import { readPf } from "../parse/pf.js";
import { audit, exitCode } from "./audit.js";
import { AuditReport } from "./report-schema.js";

const RULES = `*nat
:PREROUTING ACCEPT [0:0]
-A PREROUTING -d 203.0.113.5/32 -p tcp -m tcp --dport 443 -j DNAT --to-destination 198.51.100.10:4443
COMMIT
*filter
:INPUT DROP [0:0]
:OUTPUT ACCEPT [0:0]
:SVC - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -p tcp -m multiport --dports 5061,5269 -j SVC
-A INPUT -p tcp -m tcp --dport 4443 -j ACCEPT
-A INPUT -p udp -m udp --dport 3478 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 50000:50999 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 5270 -j ACCEPT
-A INPUT -m limit --limit 5/min -j LOG --log-prefix "drop: "
-A SVC -s 203.0.113.0/24 -j RETURN
-A SVC -j ACCEPT
COMMIT
`;

const topology = edgeHost([
  flow("sip", "tcp", [5061, 5061], "198.51.100.10"),
  flow("media", "tcp", [50000, 59999], "198.51.100.10"),
  flow("web", "tcp", [443, 443], "203.0.113.5"),
  flow("stun", "udp", [3478, 3478], "198.51.100.10"),
  flow("msn", "tcp", [5270, 5270], "198.51.100.10", true),
]);

const report = audit(topology, [readIptablesSave(RULES, "edge.rules")]);
const byId = (id: string) => report.flows.find((f) => f.id === id)!;

test("report matches its schema and the exit code says not all allowed", () => {
  AuditReport.parse(report);
  assert.equal(exitCode(report), 1);
});

test("partial flows name the exact blocked packets and the deciding rule", () => {
  const media = byId("media");
  assert.equal(media.verdict, "partial");
  assert.deepEqual(
    media.blocked.map((b) => [b.direction, b.rule.text, b.packets]),
    [["forward", "policy drop", ["tcp dport 51000-59999 from any4 to 198.51.100.10 ct new iif !lo"]]],
  );
  const sip = byId("sip");
  assert.equal(sip.verdict, "partial");
  assert.match(sip.blocked[0]!.packets[0]!, /from 203\.0\.113\.0\/24/);
});

test("DNAT: the flow to the public address is judged on the rule that sees the translated packet", () => {
  assert.equal(byId("web").verdict, "allowed");
  assert.equal(byId("stun").verdict, "allowed");
});

test("exposure, dead, retired and unsupported findings", () => {
  const exposed = report.exposure.map((e) => `${e.rule.line} ${e.packets.join(";")}`);
  assert.ok(
    exposed.some((e) => e.startsWith("11 tcp dport 22 ")),
    exposed.join("\n"),
  );
  // The second `--dport 22` (16) is shadowed by the first (11). The first is not reported as
  // redundant "because of" 16: removing both would change verdicts; the dead one is 16.
  assert.deepEqual(
    report.deadRules.map((d) => `${d.kind} ${d.rule.line}`),
    ["shadowed 16"],
  );
  assert.deepEqual(
    report.retired.map((r) => [r.rule.line, r.flows]),
    [[17, ["msn"]]],
  );
  assert.equal(report.unsupported.length, 1);
  assert.equal(report.unsupported[0]!.construct, "-m limit --limit 5/min");
  assert.deepEqual(report.unsupported[0]!.mayAffect, []);
});

test("neighbour discovery is IPv6's alone: an IPv4 host's findings are not split at protocol 58", () => {
  const rules = `*filter\n:INPUT DROP [0:0]\n-A INPUT -i eth1 -j ACCEPT\nCOMMIT\n`;
  const r = audit(edgeHost([flow("sip", "tcp", [5061, 5061])]), [readIptablesSave(rules, "nd.rules")]);
  const lines = r.exposure.filter((e) => e.direction === "inbound").flatMap((e) => e.packets);
  // IPv4 packets of protocol 58 (ICMPv6 types 133-136 included) are exposure like any protocol.
  // (Management's addresses may reach the host: not exposure.)
  const from = "from {0.0.0.0-203.0.113.239, 203.0.114.0-255.255.255.255} to 198.51.100.10";
  assert.deepEqual(lines, [
    `tcp dport {0-5060, 5062-65535} ${from} ct new iif eth1`,
    `{proto 0-5, proto 7-255} ${from} ct new iif eth1`,
  ]);
});

test("packets from port 0 are no connection's: a rule dropping only them blocks no flow", () => {
  // pfSense writes these two rules first in every ruleset (rules.debug).
  const pf = `block in quick proto { tcp udp } from any port = 0 to any
block in quick proto { tcp udp } from any to any port = 0
pass in quick proto tcp to port 5061
pass out quick all
block all
`;
  const r = audit(edgeHost([flow("sip", "tcp", [5061, 5061])]), [readPf(pf, "pf.conf")]);
  assert.equal(r.flows[0]!.verdict, "allowed");
  assert.deepEqual(r.flows[0]!.blocked, []);
  // Without the pass rule the port-0 drop is still not named: the default block is, for the rest.
  const closed = audit(edgeHost([flow("sip", "tcp", [5061, 5061])]), [
    readPf(pf.replace("pass in quick proto tcp to port 5061\n", ""), "pf.conf"),
  ]);
  assert.equal(closed.flows[0]!.verdict, "blocked");
  assert.deepEqual(
    closed.flows[0]!.blocked.map((b) => `${b.rule.line} ${b.packets.join("; ")}`),
    ["4 tcp sport 1-65535 dport 5061 from any4 to 198.51.100.10 ct new iif !lo"],
  );
});
