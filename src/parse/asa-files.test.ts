/**
 * Cisco ASA running-configs as they are saved: recognised by their header, object NAT (access-lists
 * see real addresses: a static NAT's mapped address is translated before them), ICMP types in ACEs
 * and service objects, the documented port literals, time-range entries (approximated: uncertain).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { edgeHost, flow } from "../../test/audit-fixtures.js";
import { audit } from "../audit/audit.js";
import type { BoundTopology } from "../model/flow.js";
import { IntervalSet } from "../space/interval-set.js";
import { readCiscoAsa } from "./asa-reader.js";
import { sniffFormat } from "./index.js";

const CONFIG = `: Saved
:
ASA Version 9.8(2)
!
hostname edge-asa
interface GigabitEthernet0/0
 nameif outside
 security-level 0
 ip address 203.0.113.1 255.255.255.0
!
interface GigabitEthernet0/1
 nameif dmz
 security-level 50
 ip address 198.51.100.1 255.255.255.0
!
object network EDGE
 host 198.51.100.10
object-group service STUN
 service-object udp destination eq 3478
 service-object icmp echo
access-list OUT_IN extended permit tcp any object EDGE eq sip
access-list OUT_IN extended permit tcp any host 198.51.100.10 eq https time-range WORKHOURS
access-list OUT_IN extended permit icmp any any echo-reply
access-list OUT_IN extended permit object-group STUN any object EDGE
access-group OUT_IN in interface outside
object network EDGE
 nat (dmz,outside) static 203.0.113.10
`;

const topology: BoundTopology = {
  ...edgeHost([
    flow("sip-public", "tcp", [5060, 5060], "203.0.113.10"),
    flow("sip-real", "tcp", [5060, 5060], "198.51.100.10"),
    flow("web", "tcp", [443, 443], "198.51.100.10"),
    flow("stun", "udp", [3478, 3478], "203.0.113.10"),
    flow("turn", "udp", [3479, 3479], "203.0.113.10"),
  ]),
  firewall: {
    kind: "perimeter",
    zones: [
      { name: "internet", interface: "outside", endpoints: ["internet"] },
      { name: "dmz", interface: "dmz", endpoints: ["edge"] },
    ],
  },
};

test("a saved running-config is recognised by its header", () => {
  assert.equal(sniffFormat(CONFIG), "cisco-asa");
  assert.equal(sniffFormat("ASA Version 9.12(4)\nhostname fw\n"), "cisco-asa");
});

test("object NAT: the mapped address reaches the access-list as the real one; time-range is uncertain", () => {
  const p = readCiscoAsa(CONFIG, "asa.cfg");
  assert.deepEqual(
    p.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  const r = audit(topology, [p]);
  const v = Object.fromEntries(r.flows.map((f) => [f.id, f.verdict + (f.uncertain ? " uncertain" : "")]));
  assert.deepEqual(v, {
    "sip-public": "allowed",
    "sip-real": "allowed",
    web: "allowed uncertain",
    stun: "allowed",
    turn: "blocked",
  });
  assert.deepEqual(
    r.unsupported.map((u) => u.construct),
    ["time-range WORKHOURS"],
  );
});

test("ICMP types in entries and service objects are exact", () => {
  const p = readCiscoAsa(CONFIG, "asa.cfg");
  const acl = p.ruleset.tables[0]!.chains.find((c) => c.name === "in_outside")!.rules;
  const echoReply = acl.find((r) => r.origin.text.includes("echo-reply"))!;
  assert.ok(echoReply.match.boxes[0]!.dport.equals(IntervalSet.of(0, 255)));
  const stun = acl.find((r) => r.origin.text.includes("STUN"))!;
  assert.ok(stun.match.boxes.some((b) => b.dport.equals(IntervalSet.of(8 * 256, 8 * 256 + 255))));
});

test("icmp-type object-groups (nested) in entries", () => {
  const cfg = CONFIG.replace(
    "access-list OUT_IN extended permit icmp any any echo-reply",
    [
      "object-group icmp-type ECHO",
      " icmp-object echo-reply",
      "object-group icmp-type ICMP_OK",
      " icmp-object unreachable 4",
      " group-object ECHO",
      "access-list OUT_IN extended permit icmp any any object-group ICMP_OK",
    ].join("\n"),
  );
  const p = readCiscoAsa(cfg, "asa.cfg");
  assert.deepEqual(
    p.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  const acl = p.ruleset.tables[0]!.chains.find((c) => c.name === "in_outside")!.rules;
  const icmp = acl.find((r) => r.origin.text.includes("ICMP_OK"))!;
  assert.ok(icmp.match.boxes[0]!.dport.equals(IntervalSet.of(0, 255).union(IntervalSet.of(3 * 256 + 4))));
});

test("twice NAT with destination translation is read and approximated", () => {
  const twice = CONFIG.replace(
    "access-group OUT_IN in interface outside",
    "access-group OUT_IN in interface outside\nnat (dmz,outside) source static EDGE EDGE destination static EDGE EDGE",
  );
  const p = readCiscoAsa(twice, "asa.cfg");
  assert.deepEqual(
    p.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  const r = audit(topology, [p]);
  assert.ok(r.unsupported.some((u) => u.construct.startsWith("destination static")));
});
