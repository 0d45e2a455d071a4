/**
 * FortiOS reader against hand-checked truths: a policy list with traps (a deny listed above an
 * allow but with a higher id, nested groups, a disabled policy, a virtual IP, a policy without an
 * action, zone intrazone allow, the implicit deny, replies), each packet's answer derived by hand
 * from the FortiOS Administration Guide ("Policies": first match in the listed order, default
 * action deny, implicit deny; "Virtual IPs": the policy's destination is the VIP's external
 * address).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { decide, ip, type Answer, type PacketSpec } from "../../test/corpus/zone-packets.js";
import { parseFortiosTree, readFortios } from "./fortios.js";

const CONFIG = `config system zone
    edit "inside"
        set interface "port3" "port4"
        set intrazone allow
    next
end
config firewall address
    edit "all"
        set subnet 0.0.0.0 0.0.0.0
    next
    edit "edge"
        set subnet 203.0.113.10 255.255.255.255
    next
    edit "bad"
        set subnet 198.51.100.66/32
    next
    edit "partners"
        set type iprange
        set start-ip 198.51.100.10
        set end-ip 198.51.100.20
    next
end
config firewall addrgrp
    edit "inner"
        set member "partners"
    next
    edit "outer"
        set member "inner" "bad"
    next
end
config firewall service custom
    edit "SIP-TLS"
        set tcp-portrange 5061
    next
    edit "MEDIA"
        set udp-portrange 3478 50000-59999
    next
    edit "RDP"
        set tcp-portrange 3389
    next
end
config firewall service group
    edit "edge-svcs"
        set member "SIP-TLS" "MEDIA" "HTTPS"
    next
end
config firewall vip
    edit "edge-vip"
        set extip 198.51.100.1
        set mappedip "203.0.113.10"
        set extintf "port1"
    next
end
config firewall policy
    edit 10
        set name "block-bad"
        set srcintf "port1"
        set dstintf "port2"
        set srcaddr "bad"
        set dstaddr "all"
        set action deny
        set schedule "always"
        set service "ALL"
    next
    edit 5
        set name "allow-partners"
        set srcintf "port1"
        set dstintf "port2"
        set srcaddr "outer"
        set dstaddr "edge"
        set action accept
        set schedule "always"
        set service "edge-svcs"
    next
    edit 7
        set name "old-rdp"
        set srcintf "port1"
        set dstintf "port2"
        set srcaddr "all"
        set dstaddr "edge"
        set action accept
        set status disable
        set schedule "always"
        set service "RDP"
    next
    edit 8
        set name "vip-sip"
        set srcintf "port1"
        set dstintf "port2"
        set srcaddr "all"
        set dstaddr "edge-vip"
        set action accept
        set schedule "always"
        set service "SIP-TLS"
    next
    edit 9
        set name "no-action"
        set srcintf "inside"
        set dstintf "port2"
        set srcaddr "all"
        set dstaddr "all"
        set schedule "always"
        set service "ALL"
    next
end
`;

const U = { iif: "port1", oif: "port2" };
const CASES: Array<[PacketSpec, Answer, string]> = [
  [
    { ...U, src: "198.51.100.66", dst: "203.0.113.10" },
    { verdict: "deny", by: "firewall policy 10 (block-bad)", uncertain: false },
    "listed first (its id 10 is higher: ids do not order policies)",
  ],
  [
    { ...U, src: "198.51.100.15", dst: "203.0.113.10" },
    { verdict: "allow", by: "firewall policy 5 (allow-partners)", uncertain: false },
    "partners via inner via outer; SIP-TLS in the group",
  ],
  [
    { ...U, src: "198.51.100.15", dst: "203.0.113.10", proto: 17, dport: 55000 },
    { verdict: "allow", by: "firewall policy 5 (allow-partners)", uncertain: false },
    "udp 50000-59999 of MEDIA",
  ],
  [
    { ...U, src: "198.51.100.15", dst: "203.0.113.10", dport: 443 },
    { verdict: "allow", by: "firewall policy 5 (allow-partners)", uncertain: false },
    "FortiOS's default HTTPS service (tcp/443), not in this backup",
  ],
  [
    { ...U, src: "198.51.100.15", dst: "203.0.113.10", dport: 80 },
    { verdict: "deny", by: "implicit deny", uncertain: false },
    "tcp/80: no policy, the implicit deny",
  ],
  [
    { ...U, src: "198.51.100.30", dst: "203.0.113.10", dport: 3389 },
    { verdict: "deny", by: "implicit deny", uncertain: false },
    "the RDP policy is disabled",
  ],
  [
    { ...U, src: "198.51.100.30", dst: "198.51.100.1" },
    { verdict: "allow", by: "firewall policy 8 (vip-sip)", uncertain: false, dst: ip("203.0.113.10") },
    "the VIP matches its external address; the mapped address is written after the policy",
  ],
  [
    { iif: "port3", oif: "port4", src: "198.51.100.40", dst: "198.51.100.41", dport: 22 },
    { verdict: "allow", by: "zone inside intrazone allow", uncertain: false },
    "both ports in zone inside with intrazone allow",
  ],
  [
    { iif: "port3", oif: "port2", src: "198.51.100.40", dst: "203.0.113.10", dport: 22 },
    { verdict: "deny", by: "firewall policy 9 (no-action)", uncertain: false },
    "a policy without an action denies (FortiOS's default action)",
  ],
  [
    {
      iif: "port2",
      oif: "port1",
      src: "203.0.113.10",
      dst: "198.51.100.15",
      sport: 5061,
      dport: 40000,
      ct: "established",
    },
    {
      verdict: "allow",
      by: "FortiOS is stateful: packets of connections it allowed pass without rules",
      uncertain: false,
    },
    "a reply of an allowed session",
  ],
];

test("FortiOS: every trap answered as FortiOS answers it", () => {
  const r = readFortios(CONFIG, "traps.conf");
  assert.deepEqual(r.diagnostics, []);
  for (const [p, want, why] of CASES)
    assert.deepEqual(decide(r.ruleset, p), want, `${why}: ${JSON.stringify(p)}`);
});

test("FortiOS script commands: rename carries references, move reorders, edit 0 appends, failed commands say so", () => {
  const { root, diagnostics } = parseFortiosTree(
    [
      "config firewall policy",
      "    edit 0",
      "        set srcaddr a",
      "    next",
      "    edit 0",
      "        set srcaddr x",
      "    next",
      "    edit 7",
      "    next",
      "    move 7 before 0#2",
      "end",
      "config firewall address",
      '    edit "a"',
      "        set subnet 198.51.100.1/32",
      "    next",
      "    rename a to b",
      "    rename nosuch to c",
      "end",
    ].join("\n"),
    "s.conf",
  );
  assert.deepEqual([...root.get("firewall address")!.children.keys()], ["b"]);
  const policies = root.get("firewall policy")!;
  assert.deepEqual([...policies.children.keys()], ["7", "0#2", "0#5"]);
  assert.deepEqual(policies.list("0#2", "srcaddr"), ["b"]);
  assert.deepEqual(
    diagnostics.map((d) => `${d.at?.line}:${d.severity}:${d.code}`),
    ["17:warning:fortios-reference"],
  );
  const bad = readFortios(
    "config firewall policy\n    edit 1\n        set srcaddr nowhere\n    next\n",
    "bad.conf",
  );
  assert.deepEqual(
    bad.diagnostics.map((d) => `${d.at?.line}:${d.code}`),
    ["5:fortios-syntax", "2:fortios-reference"],
  );
});
