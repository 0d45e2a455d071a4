import assert from "node:assert/strict";
import { test } from "node:test";
import { parseAddress } from "../space/address.js";
import { IntervalSet } from "../space/interval-set.js";
import { portText } from "../space/port.js";
import { parseCiscoAsa } from "./cisco-asa.js";

const addr = (t: string): IntervalSet => {
  const r = parseAddress(t);
  assert.ok(r.ok);
  return r.set;
};

test("object groups, names and port clauses resolve to exact sets", () => {
  const text = [
    "interface GigabitEthernet0/0",
    " nameif outside",
    " security-level 0",
    " ip address 198.51.100.1 255.255.255.0",
    "object network edge",
    " host 203.0.113.10",
    "object-group network peers",
    " network-object 198.51.100.0 255.255.255.128",
    " network-object host 203.0.113.99",
    "object-group service sip tcp",
    " port-object eq 5061",
    " port-object eq https",
    "object-group service media",
    " service-object tcp destination range 50000 59999",
    " service-object udp source eq 3478 destination eq 3478",
    "access-list in extended permit tcp object-group peers object edge object-group sip",
    "access-list in extended permit object-group media any object edge",
    "access-list in extended deny tcp any any neq 22 inactive",
    "access-list in extended permit tcp any interface outside eq ssh log 6 interval 300",
    "access-group in in interface outside",
  ].join("\n");
  const { config, diagnostics } = parseCiscoAsa("fw.cfg", text);
  assert.deepEqual(diagnostics, []);
  const aces = config.acls.get("in")!;
  assert.equal(aces.length, 4);
  const [sip, media, neq, ssh] = aces as [
    NonNullable<(typeof aces)[0]>,
    NonNullable<(typeof aces)[0]>,
    NonNullable<(typeof aces)[0]>,
    NonNullable<(typeof aces)[0]>,
  ];
  assert.ok(sip.src.equals(addr("198.51.100.0/25").union(addr("203.0.113.99"))));
  assert.ok(sip.dst.equals(addr("203.0.113.10")));
  assert.equal(portText(sip.services[0]!.dport), "443,5061");
  assert.equal(media.services.length, 2);
  assert.equal(portText(media.services[0]!.dport), "50000-59999");
  assert.equal(portText(media.services[1]!.sport), "3478");
  assert.equal(neq.inactive, true);
  assert.equal(portText(neq.services[0]!.dport), "0-21,23-65535");
  assert.ok(ssh.dst.equals(addr("198.51.100.1")));
  assert.equal(portText(ssh.services[0]!.dport), "22");
  assert.deepEqual(config.bindings, [{ acl: "in", direction: "in", iface: "outside", line: 20 }]);
});

test("what cannot be modelled is reported with its line, never dropped silently", () => {
  const text = [
    "object network cdn",
    " fqdn www.example.com",
    "access-list in extended permit tcp any any eq 443 time-range office",
    "access-list in extended permit tcp any any eq 80 user LOCAL\\bob",
    "access-list in extended permit tcp any any eq nosuchport",
    "access-group missing in interface outside",
  ].join("\n");
  const { config, diagnostics } = parseCiscoAsa("fw.cfg", text);
  const lines = diagnostics.map((d) => `${d.at?.line}:${d.severity}:${d.code}`);
  assert.deepEqual(lines, [
    "2:warning:asa-unsupported",
    "3:warning:asa-unsupported",
    "4:error:asa-unsupported",
    "5:error:asa-syntax",
    "6:error:asa-reference",
  ]);
  assert.equal(config.acls.get("in")!.length, 1);
});

test("the shipped legacy example parses cleanly", async () => {
  const { readFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { ROOT } = await import("../../test/cli/run-cli.js");
  const { config, diagnostics } = parseCiscoAsa(
    "edge-asa.cfg",
    readFileSync(join(ROOT, "examples/legacy/edge-asa.cfg"), "utf8"),
  );
  assert.deepEqual(diagnostics, []);
  assert.equal(config.acls.get("outside_in")!.length, 5);
  assert.equal(config.acls.get("dmz_in")!.length, 4);
  assert.deepEqual(
    config.interfaces.map((i) => [i.name, i.securityLevel]),
    [
      ["outside", 0],
      ["dmz", 50],
    ],
  );
});
