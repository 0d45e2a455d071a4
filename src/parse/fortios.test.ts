/**
 * FortiOS reader: verdicts on packets through a configuration with traps, each answer derived by
 * hand from FortiOS semantics (Administration Guide, "Firewall policy": policies are matched
 * top-down in sequence order, the first match decides, disabled policies are skipped, no match
 * meets the implicit deny; "Virtual IPs": the VIP translates before the policy matches; address
 * and service groups nest; negation matches the complement).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runPath } from "../audit/hooks.js";
import { parseAddress } from "../space/address.js";
import { ctSet, makeBox } from "../space/box.js";
import { IntervalSet } from "../space/interval-set.js";
import { NameSet } from "../space/name-set.js";
import { Space } from "../space/space.js";
import { readFortios } from "./fortios.js";

const CONFIG = `#config-version=FGVM64-7.2.5-FW-build1517-230606:opmode=0:vdom=0:user=admin
config system interface
    edit "port1"
        set ip 198.51.100.1 255.255.255.0
        set alias "outside"
    next
    edit "port2"
    next
    edit "port3"
    next
end
config system zone
    edit "dmz-zone"
        set interface "port2" "port3"
    next
end
config firewall address
    edit "edge"
        set subnet 203.0.113.10 255.255.255.255
    next
    edit "edge-range"
        set type iprange
        set start-ip 203.0.113.10
        set end-ip 203.0.113.20
    next
    edit "bad-peer"
        set subnet 198.51.100.66/32
    next
    edit "peers"
        set subnet 198.51.100.0 255.255.255.0
    next
    edit "cdn"
        set type fqdn
        set fqdn "cdn.example.com"
    next
end
config firewall addrgrp
    edit "inner"
        set member "edge"
    next
    edit "outer"
        set member "inner" "edge-range"
    next
end
config firewall service custom
    edit "sip-tls"
        set tcp-portrange 5061
    next
    edit "media"
        set udp-portrange 50000-59999:3478
    next
end
config firewall service group
    edit "sip-all"
        set member "sip-tls" "HTTPS"
    next
    edit "nested"
        set member "sip-all" "media"
    next
end
config firewall vip
    edit "web-vip"
        set extip 198.51.100.10
        set mappedip "203.0.113.30"
        set extintf "port1"
        set portforward enable
        set extport 8443
        set mappedport 443
    next
end
config firewall policy
    edit 10
        set name "no-bad-peer"
        set srcintf "port1"
        set dstintf "dmz-zone"
        set srcaddr "bad-peer"
        set dstaddr "outer"
        set action deny
        set schedule "always"
        set service "ALL"
    next
    edit 5
        set srcintf "port1"
        set dstintf "dmz-zone"
        set srcaddr "peers"
        set dstaddr "outer"
        set action accept
        set schedule "always"
        set service "nested"
    next
    edit 7
        set status disable
        set srcintf "any"
        set dstintf "any"
        set srcaddr "all"
        set dstaddr "all"
        set action accept
        set schedule "always"
        set service "ALL"
    next
    edit 8
        set srcintf "port1"
        set dstintf "port2"
        set srcaddr "peers"
        set srcaddr-negate enable
        set dstaddr "edge"
        set action accept
        set schedule "always"
        set service "SSH"
    next
    edit 9
        set srcintf "port1"
        set dstintf "port2"
        set srcaddr "all"
        set dstaddr "web-vip"
        set action accept
        set schedule "always"
        set service "HTTPS"
        set nat enable
    next
    edit 11
        set srcintf "port2"
        set dstintf "port1"
        set srcaddr "edge"
        set dstaddr "cdn"
        set action accept
        set schedule "workhours"
        set service "HTTP"
    next
end
`;

const ip = (t: string): IntervalSet => {
  const r = parseAddress(t);
  assert.ok(r.ok, t);
  return r.set;
};

interface Probe {
  proto: number;
  src: string;
  sport?: number;
  dst: string;
  dport: number;
  iif: string;
  oif: string;
}

/** The verdict on one new packet, and the line of the rule that decided it. */
function verdict(p: Probe): { outcome: "accept" | "drop"; line: number; dst?: string } {
  const { ruleset, diagnostics } = readFortios(CONFIG, "fw.conf");
  assert.deepEqual(
    diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  const packets = Space.box(
    makeBox({
      proto: IntervalSet.of(p.proto),
      src: ip(p.src),
      dst: ip(p.dst),
      sport: IntervalSet.of(p.sport ?? 40000),
      dport: IntervalSet.of(p.dport),
      ct: ctSet(["new"]),
      iif: NameSet.of(p.iif),
      oif: NameSet.of(p.oif),
    }),
  );
  const r = runPath([ruleset], ["prerouting", "forward", "postrouting"], [{ rewrite: {}, packets }]);
  if (r.passed.length > 0) {
    const by = r.passed[0]!.acceptedBy;
    return {
      outcome: "accept",
      line: by?.kind === "rule" ? by.rule.origin.line : 0,
      ...(r.passed[0]!.rewrite.dst ? { dst: r.passed[0]!.rewrite.dst.key() } : {}),
    };
  }
  const by = r.dropped[0]!.by;
  return { outcome: "drop", line: by.kind === "rule" ? by.rule.origin.line : 0 };
}

const lineOf = (s: string) => CONFIG.split("\n").findIndex((l) => l.trim() === s) + 1;

test("a deny above an allow wins for the packets it matches", () => {
  assert.deepEqual(
    verdict({ proto: 6, src: "198.51.100.66", dst: "203.0.113.10", dport: 5061, iif: "port1", oif: "port2" }),
    { outcome: "drop", line: lineOf("edit 10") },
  );
});

test("nested address and service groups, a zone, a predefined service and a source port range", () => {
  const via = { src: "198.51.100.5", iif: "port1", oif: "port3" };
  assert.deepEqual(verdict({ ...via, proto: 6, dst: "203.0.113.15", dport: 443 }), {
    outcome: "accept",
    line: lineOf("edit 5"),
  });
  assert.deepEqual(verdict({ ...via, proto: 17, sport: 3478, dst: "203.0.113.10", dport: 50000 }), {
    outcome: "accept",
    line: lineOf("edit 5"),
  });
  // The media service takes source port 3478 only; the disabled catch-all (7) does not rescue it.
  const implicit = verdict({ ...via, proto: 17, sport: 1000, dst: "203.0.113.10", dport: 50000 });
  assert.equal(implicit.outcome, "drop");
  assert.notEqual(implicit.line, lineOf("edit 7"));
});

test("a disabled policy matches nothing; the implicit deny takes the rest", () => {
  const r = verdict({
    proto: 6,
    src: "198.51.100.5",
    dst: "203.0.113.50",
    dport: 80,
    iif: "port1",
    oif: "port2",
  });
  assert.equal(r.outcome, "drop");
  const { ruleset } = readFortios(CONFIG, "fw.conf");
  const forward = ruleset.tables[0]!.chains.find((c) => c.name === "forward")!;
  const last = forward.rules[forward.rules.length - 1]!;
  assert.match(last.implicit ?? "", /implicit deny \(policy 0\)/);
  const disabled = forward.rules.find((x) => x.origin.line === lineOf("edit 7"))!;
  assert.ok(disabled.match.isEmpty());
});

test("source negation: SSH to the edge from anyone but the peers", () => {
  const to = { proto: 6, dst: "203.0.113.10", dport: 22, iif: "port1", oif: "port2" };
  assert.deepEqual(verdict({ ...to, src: "203.0.113.99" }), { outcome: "accept", line: lineOf("edit 8") });
  assert.equal(verdict({ ...to, src: "198.51.100.5" }).outcome, "drop");
});

test("a VIP translates extip:extport to mappedip:mappedport before the policy matches", () => {
  const r = verdict({
    proto: 6,
    src: "198.51.100.7",
    dst: "198.51.100.10",
    dport: 8443,
    iif: "port1",
    oif: "port2",
  });
  assert.equal(r.outcome, "accept");
  assert.equal(r.line, lineOf("edit 9"));
  assert.equal(r.dst, ip("203.0.113.30").key());
  // Not the VIP's port: no translation, and no policy accepts it.
  assert.equal(
    verdict({ proto: 6, src: "198.51.100.7", dst: "198.51.100.10", dport: 443, iif: "port1", oif: "port2" })
      .outcome,
    "drop",
  );
});

test("what is not modelled exactly is an approximation on its policy", () => {
  const { ruleset } = readFortios(CONFIG, "fw.conf");
  const forward = ruleset.tables[0]!.chains.find((c) => c.name === "forward")!;
  const p11 = forward.rules.find((x) => x.origin.line === lineOf("edit 11"))!;
  const reasons = p11.approximations.map((a) => a.reason).join("\n");
  assert.match(reasons, /type fqdn/);
  assert.match(reasons, /schedule workhours/);
  const p9 = forward.rules.find((x) => x.origin.line === lineOf("edit 9"))!;
  assert.match(p9.approximations.map((a) => a.reason).join("\n"), /VIP web-vip/);
  const p5 = forward.rules.find((x) => x.origin.line === lineOf("edit 5"))!;
  assert.deepEqual(p5.approximations, []);
});

test("multi-VDOM: the one VDOM with policies is read and named; several are refused with their names", () => {
  const vdom = (name: string) =>
    `config vdom\nedit ${name}\nconfig firewall policy\n    edit 1\n        set srcintf "any"\n        set dstintf "any"\n        set srcaddr "all"\n        set dstaddr "all"\n        set action accept\n        set service "ALL"\n    next\nend\nnext\nend\n`;
  const one = readFortios(`config vdom\nedit root\nnext\nedit dmz\nnext\nend\n${vdom("dmz")}`, "v.conf");
  assert.deepEqual(
    one.diagnostics.map((d) => [d.severity, d.code]),
    [["note", "fortios-vdom"]],
  );
  assert.match(one.diagnostics[0]!.message, /VDOM dmz/);
  const two = readFortios(vdom("root") + vdom("dmz"), "v.conf");
  assert.deepEqual(
    two.diagnostics.map((d) => [d.severity, d.code]),
    [["error", "fortios-vdom"]],
  );
  assert.match(two.diagnostics[0]!.message, /root, dmz/);
});

test("bad input: one diagnostic per problem with its line, never a throw", () => {
  const text = [
    "config firewall policy",
    "    edit 1",
    '        set srcintf "port1"',
    '        set dstintf "port2"',
    '        set srcaddr "nowhere"',
    '        set dstaddr "all"',
    '        set service "NO-SUCH"',
    "    next",
    "    bogus",
    "end",
    "end",
  ].join("\n");
  const { diagnostics } = readFortios(text, "bad.conf");
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.at?.line]),
    [
      ["fortios-syntax", 9],
      ["fortios-syntax", 11],
      ["fortios-reference", 5],
    ],
  );
});

test("intrazone allow: traffic between a zone's interfaces passes without a policy (approximate order)", () => {
  const text = `config system zone\n    edit "inside"\n        set intrazone allow\n        set interface "port2" "port3"\n    next\n    edit "other"\n        set interface "port4" "port5"\n    next\nend\n`;
  const { ruleset, diagnostics } = readFortios(text, "z.conf");
  assert.deepEqual(diagnostics, []);
  const forward = ruleset.tables[0]!.chains.find((c) => c.name === "forward")!;
  const pass = (iif: string, oif: string) =>
    runPath(
      [ruleset],
      ["forward"],
      [
        {
          rewrite: {},
          packets: Space.box(makeBox({ ct: ctSet(["new"]), iif: NameSet.of(iif), oif: NameSet.of(oif) })),
        },
      ],
    ).passed.length > 0;
  assert.equal(pass("port2", "port3"), true);
  assert.equal(pass("port4", "port5"), false);
  assert.equal(pass("port2", "port4"), false);
  assert.equal(forward.rules.filter((r) => r.approximations.length > 0).length, 1);
});
