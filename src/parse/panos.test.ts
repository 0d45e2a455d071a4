/**
 * PAN-OS reader against hand-checked truths: a policy with the usual traps (a deny above an allow,
 * a disabled rule, nested groups, application-default, negation, an fqdn, the intrazone and
 * interzone defaults, replies, destination NAT with the pre-NAT address in the security rule),
 * and each packet's answer derived by hand from the PAN-OS Administrator's Guide ("Security
 * Policy": first match, pre-NAT addresses and post-NAT zone; intrazone-default allow,
 * interzone-default deny). The same policy in XML and in brace form must give the same answers.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Ruleset } from "../ir/ruleset.js";
import { readPanos } from "./panos.js";
import { parsePanosTree } from "./panos-tree.js";
import { decide, ip, type Answer } from "../../test/corpus/zone-packets.js";

const SET = `# traps
set network interface ethernet ethernet1/1 layer3 ip 198.51.100.1/24
set zone untrust network layer3 ethernet1/1
set zone dmz network layer3 ethernet1/2
set zone trust network layer3 [ ethernet1/3 ethernet1/4 ]
set address edge ip-netmask 203.0.113.10
set address edge6 ip-netmask 2001:db8:10::10/128
set address www ip-netmask 203.0.113.20/32
set address bad ip-netmask 198.51.100.66/32
set address partners ip-range 198.51.100.10-198.51.100.20
set address cdn fqdn cdn.example.com
set address-group edges static [ edge edge6 ]
set address-group inner static partners
set address-group outer static [ inner bad ]
set service sip-tls protocol tcp port 5061
set service media protocol udp port 3478,50000-59999
set service rdp protocol tcp port 3389
set service-group edge-svcs members [ sip-tls media service-https ]
set rulebase security rules block-bad from untrust to dmz source bad destination any application any service any action deny
set rulebase security rules allow-partners from untrust to dmz source outer destination edges application any service edge-svcs action allow
set rulebase security rules old-rdp from untrust to dmz source any destination edge application any service rdp action allow disabled yes
set rulebase security rules web from untrust to dmz source any destination www application web-browsing service application-default action allow
set rulebase security rules nat-sip from untrust to dmz source any destination 198.51.100.1 application any service sip-tls action allow
set rulebase security rules not-internal from dmz to untrust source edges destination 10.0.0.0/8 negate-destination yes application any service service-http action allow
set rulebase security rules cdn-out from dmz to untrust source any destination cdn application any service service-https action reset-client
set rulebase security rules trust-out from trust to untrust source any destination any application any service service-https action allow
set rulebase nat rules snat-out from trust to untrust source any destination any service any
set rulebase nat rules snat-out source-translation dynamic-ip-and-port translated-address 203.0.113.50
set rulebase nat rules dnat-edge from untrust to untrust source any destination 198.51.100.1 service any
set rulebase nat rules dnat-edge destination-translation translated-address edge
`;

const U = { iif: "ethernet1/1", oif: "ethernet1/2" };
const D = { iif: "ethernet1/2", oif: "ethernet1/1" };
/** [packet, the answer PAN-OS gives, why]. */
const CASES: Array<[Parameters<typeof decide>[1], Answer, string]> = [
  [
    { ...U, src: "198.51.100.66", dst: "203.0.113.10" },
    { verdict: "deny", by: "block-bad", uncertain: false },
    "bad is in outer (nested), but the deny above the allow matches first",
  ],
  [
    { ...U, src: "198.51.100.15", dst: "203.0.113.10" },
    { verdict: "allow", by: "allow-partners", uncertain: false },
    "partners range via inner via outer (nested groups), sip-tls in the service group",
  ],
  [
    { ...U, src: "198.51.100.15", dst: "203.0.113.10", proto: 17, dport: 55000 },
    { verdict: "allow", by: "allow-partners", uncertain: false },
    "udp 50000-59999 of media",
  ],
  [
    { ...U, src: "198.51.100.15", dst: "203.0.113.10", dport: 443 },
    { verdict: "allow", by: "allow-partners", uncertain: false },
    "predefined service-https (tcp/443) in the group",
  ],
  [
    { ...U, src: "198.51.100.15", dst: "203.0.113.10", dport: 80 },
    { verdict: "deny", by: "interzone-default deny", uncertain: false },
    "tcp/80 is in no service of the group: the implicit interzone deny",
  ],
  [
    { ...U, src: "198.51.100.30", dst: "203.0.113.10", dport: 3389 },
    { verdict: "deny", by: "interzone-default deny", uncertain: false },
    "the RDP allow is disabled",
  ],
  [
    { ...U, src: "198.51.100.30", dst: "203.0.113.20", dport: 80 },
    { verdict: "allow", by: "web", uncertain: true },
    "web-browsing on application-default: App-ID decides at run time",
  ],
  [
    { ...U, src: "198.51.100.30", dst: "198.51.100.1" },
    { verdict: "allow", by: "nat-sip", uncertain: false, dst: ip("203.0.113.10") },
    "security matches the pre-NAT address (198.51.100.1) and the post-NAT zone (dmz); NAT then rewrites to edge",
  ],
  [
    { ...D, src: "203.0.113.10", dst: "198.51.100.99", dport: 8080 },
    { verdict: "allow", by: "not-internal", uncertain: false },
    "negate-destination 10/8: 198.51.100.99 is outside it; service-http is tcp/80,8080",
  ],
  [
    { ...D, src: "203.0.113.10", dst: "10.1.2.3", dport: 80 },
    { verdict: "deny", by: "interzone-default deny", uncertain: false },
    "10.1.2.3 is inside the negated 10/8; cdn-out is https only",
  ],
  [
    { ...D, src: "203.0.113.10", dst: "198.51.100.99", dport: 443 },
    { verdict: "deny", by: "cdn-out", uncertain: true },
    "reset-client on an fqdn destination (DNS at run time): all addresses, uncertain",
  ],
  [
    { iif: "ethernet1/3", oif: "ethernet1/4", src: "198.51.100.40", dst: "198.51.100.41", dport: 22 },
    { verdict: "allow", by: "intrazone-default allow", uncertain: false },
    "both interfaces in zone trust: intrazone-default allow",
  ],
  [
    { iif: "ethernet1/3", oif: "ethernet1/1", src: "198.51.100.40", dst: "198.51.100.99", dport: 443 },
    { verdict: "allow", by: "trust-out", uncertain: false, src: ip("203.0.113.50") },
    "security allows the original source; source NAT (dynamic-ip-and-port) then rewrites it to the pool address",
  ],
  [
    { iif: "ethernet1/3", oif: "ethernet1/2", src: "198.51.100.40", dst: "203.0.113.10", dport: 22 },
    { verdict: "deny", by: "interzone-default deny", uncertain: false },
    "trust to dmz: no rule, interzone-default deny",
  ],
  [
    { iif: "ethernet1/9", oif: "ethernet1/2", src: "198.51.100.15", dst: "203.0.113.10" },
    { verdict: "deny", by: "interzone-default deny", uncertain: false },
    "an interface in no zone: PAN-OS drops",
  ],
  [
    { ...D, src: "203.0.113.10", dst: "198.51.100.15", sport: 5061, dport: 40000, ct: "established" },
    {
      verdict: "allow",
      by: "PAN-OS is stateful: packets of connections it allowed pass without rules",
      uncertain: false,
    },
    "a reply of an allowed session",
  ],
];

function check(ruleset: Ruleset, label: string): void {
  for (const [p, want, why] of CASES)
    assert.deepEqual(decide(ruleset, p), want, `${label}: ${why}: ${JSON.stringify(p)}`);
}

test("PAN-OS set form: every trap answered as PAN-OS answers it", () => {
  const r = readPanos(SET, "traps.set");
  assert.deepEqual(r.diagnostics, []);
  check(r.ruleset, "set");
});

/** The same policy in the running-config XML. */
function toXml(): string {
  const members = (l: string[]) => l.map((m) => `<member>${m}</member>`).join("");
  const rule = (name: string, f: Record<string, string | string[]>) =>
    `<entry name="${name}">` +
    Object.entries(f)
      .map(([k, v]) => `<${k}>${Array.isArray(v) ? members(v) : v}</${k}>`)
      .join("\n") +
    `</entry>`;
  return `<?xml version="1.0"?>
<config version="11.0.0"><!-- traps -->
<devices><entry name="localhost.localdomain"><vsys><entry name="vsys1">
<zone><entry name="untrust"><network><layer3>${members(["ethernet1/1"])}</layer3></network></entry>
<entry name="dmz"><network><layer3>${members(["ethernet1/2"])}</layer3></network></entry>
<entry name="trust"><network><layer3>${members(["ethernet1/3", "ethernet1/4"])}</layer3></network></entry></zone>
<address><entry name="edge"><ip-netmask>203.0.113.10</ip-netmask></entry><entry name="edge6"><ip-netmask>2001:db8:10::10/128</ip-netmask></entry>
<entry name="www"><ip-netmask>203.0.113.20/32</ip-netmask></entry><entry name="bad"><ip-netmask>198.51.100.66/32</ip-netmask></entry>
<entry name="partners"><ip-range>198.51.100.10-198.51.100.20</ip-range></entry><entry name="cdn"><fqdn>cdn.example.com</fqdn></entry></address>
<address-group><entry name="edges"><static>${members(["edge", "edge6"])}</static></entry>
<entry name="inner"><static>${members(["partners"])}</static></entry><entry name="outer"><static>${members(["inner", "bad"])}</static></entry></address-group>
<service><entry name="sip-tls"><protocol><tcp><port>5061</port></tcp></protocol></entry>
<entry name="media"><protocol><udp><port>3478,50000-59999</port></udp></protocol></entry>
<entry name="rdp"><protocol><tcp><port>3389</port></tcp></protocol></entry></service>
<service-group><entry name="edge-svcs"><members>${members(["sip-tls", "media", "service-https"])}</members></entry></service-group>
<rulebase><security><rules>
${rule("block-bad", { from: ["untrust"], to: ["dmz"], source: ["bad"], destination: ["any"], application: ["any"], service: ["any"], action: "deny" })}
${rule("allow-partners", { from: ["untrust"], to: ["dmz"], source: ["outer"], destination: ["edges"], application: ["any"], service: ["edge-svcs"], action: "allow" })}
${rule("old-rdp", { from: ["untrust"], to: ["dmz"], source: ["any"], destination: ["edge"], application: ["any"], service: ["rdp"], action: "allow", disabled: "yes" })}
${rule("web", { from: ["untrust"], to: ["dmz"], source: ["any"], destination: ["www"], application: ["web-browsing"], service: ["application-default"], action: "allow" })}
${rule("nat-sip", { from: ["untrust"], to: ["dmz"], source: ["any"], destination: ["198.51.100.1"], application: ["any"], service: ["sip-tls"], action: "allow" })}
${rule("not-internal", { from: ["dmz"], to: ["untrust"], source: ["edges"], destination: ["10.0.0.0/8"], "negate-destination": "yes", application: ["any"], service: ["service-http"], action: "allow" })}
${rule("cdn-out", { from: ["dmz"], to: ["untrust"], source: ["any"], destination: ["cdn"], application: ["any"], service: ["service-https"], action: "reset-client" })}
${rule("trust-out", { from: ["trust"], to: ["untrust"], source: ["any"], destination: ["any"], application: ["any"], service: ["service-https"], action: "allow" })}
</rules></security>
<nat><rules><entry name="snat-out"><from>${members(["trust"])}</from><to>${members(["untrust"])}</to><source>${members(["any"])}</source>
<destination>${members(["any"])}</destination><service>any</service><source-translation><dynamic-ip-and-port>
<translated-address>${members(["203.0.113.50"])}</translated-address></dynamic-ip-and-port></source-translation></entry>
<entry name="dnat-edge"><from>${members(["untrust"])}</from><to>${members(["untrust"])}</to><source>${members(["any"])}</source>
<destination>${members(["198.51.100.1"])}</destination><service>any</service>
<destination-translation><translated-address>edge</translated-address></destination-translation></entry></rules></nat>
</rulebase></entry></vsys></entry></devices></config>
`;
}

test("PAN-OS XML running-config: the same answers", () => {
  const r = readPanos(toXml(), "traps.xml");
  assert.deepEqual(r.diagnostics, []);
  check(r.ruleset, "xml");
});

test("PAN-OS brace form and set form read into the same tree", () => {
  const brace = `config {
  devices {
    localhost.localdomain {
      vsys {
        vsys1 {
          address {
            a1 { ip-netmask 198.51.100.7; description "two words; and a } brace"; }
          }
          rulebase { security { rules { r1 { from [ z1 z2 ]; to z3; action allow; } } } }
        }
      }
    }
  }
}
`;
  const set = [
    "set address a1 ip-netmask 198.51.100.7",
    'set address a1 description "two words; and a } brace"',
    "set rulebase security rules r1 from [ z1 z2 ] to z3 action allow",
  ].join("\n");
  const b = parsePanosTree(brace, "b").root.get(
    "config",
    "devices",
    "localhost.localdomain",
    "vsys",
    "vsys1",
  )!;
  const s = parsePanosTree(set, "s").root.get("vsys", "vsys1")!;
  for (const t of [b, s]) {
    assert.equal(t.value("address", "a1", "description"), "two words; and a } brace");
    assert.deepEqual(t.list("rulebase", "security", "rules", "r1", "from"), ["z1", "z2"]);
    assert.equal(t.value("rulebase", "security", "rules", "r1", "action"), "allow");
  }
});

test("what cannot be modelled is said, with its line; broken input is refused", () => {
  const r = readPanos(
    [
      "set zone a network layer3 ethernet1/1",
      "set rulebase security rules r1 from a to b source nowhere destination any service any application any action allow",
      "set rulebase security rules r2 from a to a source any destination any service nosuch application any action allow",
      "set rulebase security rules r3 from a to a source any destination any service any application any action permit",
      "set address x ip-range 198.51.100.9-198.51.100.1",
      "set rulebase security rules r4 from a to a source x destination any service any application any action allow",
      "set device-group dg1 pre-rulebase security rules p1 action allow",
    ].join("\n"),
    "broken.set",
  );
  assert.deepEqual(
    r.diagnostics.map((d) => `${d.at?.line}:${d.severity}:${d.code}`),
    [
      "7:error:panos-unsupported",
      "2:warning:panos-reference",
      "2:error:panos-reference",
      "3:error:panos-reference",
      "4:error:panos-syntax",
      "5:error:panos-syntax",
    ],
  );
  const bad = readPanos("<config><devices><entry name='x'></devices></config>", "bad.xml");
  assert.equal(bad.diagnostics[0]?.code, "panos-syntax");
  assert.match(bad.diagnostics[0]!.message, /<\/devices> closes <entry>/);
});

test("several vsys: each vsys's rules on its own interfaces; an inter-vsys (external) zone is said, not guessed", () => {
  const text = [
    "set vsys vsys1 zone out network layer3 ethernet1/1",
    "set vsys vsys1 zone in network layer3 ethernet1/2",
    "set vsys vsys1 zone to-v2 network external vsys2",
    "set vsys vsys2 zone out2 network layer3 ethernet1/3",
    "set vsys vsys2 zone in2 network layer3 ethernet1/4",
    "set vsys vsys1 rulebase security rules web from out to in source any destination any application any service service-https action allow",
    "set vsys vsys1 rulebase security rules cross from in to to-v2 source any destination any application any service any action allow",
    "set vsys vsys2 rulebase security rules deny-web from out2 to in2 source any destination any application any service service-https action deny",
  ].join("\n");
  const r = readPanos(text, "vsys.set");
  const warn = r.diagnostics.filter((d) => d.code === "panos-unsupported");
  assert.equal(warn.length, 1, JSON.stringify(r.diagnostics));
  assert.match(warn[0]!.message, /zone "to-v2" of vsys1 is an external \(inter-vsys\) zone/);
  assert.equal(warn[0]!.at?.line, 3);
  const https = { proto: 6, dport: 443, src: "198.51.100.9", dst: "203.0.113.9" };
  // vsys1's allow does not leak into vsys2's interfaces, nor vsys2's deny into vsys1's.
  assert.equal(decide(r.ruleset, { ...https, iif: "ethernet1/1", oif: "ethernet1/2" }).by, "web");
  assert.equal(decide(r.ruleset, { ...https, iif: "ethernet1/3", oif: "ethernet1/4" }).by, "deny-web");
  assert.equal(decide(r.ruleset, { ...https, iif: "ethernet1/3", oif: "ethernet1/4" }).verdict, "deny");
  // The external zone's member (a vsys name) is no interface: rule cross matches nothing.
  assert.notEqual(decide(r.ruleset, { ...https, iif: "ethernet1/2", oif: "vsys2" }).by, "cross");
});
