/**
 * Windows Firewall's registry export (MS-GPFAS 2.2.2.19 rule strings under FirewallRules, the
 * profile keys' EnableFirewall / DefaultInboundAction / DoNotAllowExceptions) against hand-checked
 * verdicts. The registry does not say which profile is active: settings the three share are exact,
 * the others uncertain. The edge is 198.51.100.10, inbound flows from any IPv4 address.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { edgeHost, flow } from "../../test/audit-fixtures.js";
import { codesOf, verdictsOf } from "../../test/verdicts.js";
import { decodeText } from "../shell/files.js";
import { IntervalSet } from "../space/interval-set.js";
import { sniffFormat } from "./index.js";
import type { ParsedRuleset } from "./reader.js";
import { readWindowsRegistry } from "./windows-reader.js";

const topology = edgeHost([
  flow("sip", "tcp", [5061, 5061]),
  flow("web", "tcp", [443, 443]),
  flow("stun", "udp", [3478, 3478]),
]);

const POLICY =
  "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy";

function profileKey(key: string, enable = 1, inbound = 1, outbound = 0, noExceptions = 0): string {
  const dword = (n: number): string => `dword:${n.toString(16).padStart(8, "0")}`;
  return [
    `[${POLICY}\\${key}]`,
    `"EnableFirewall"=${dword(enable)}`,
    `"DefaultInboundAction"=${dword(inbound)}`,
    `"DefaultOutboundAction"=${dword(outbound)}`,
    `"DoNotAllowExceptions"=${dword(noExceptions)}`,
    "",
  ].join("\r\n");
}

const ALIKE = [profileKey("DomainProfile"), profileKey("StandardProfile"), profileKey("PublicProfile")];

function exportOf(rules: Record<string, string>, profiles = ALIKE): string {
  const values = Object.entries(rules).map(([k, v]) => `"${k}"="${v.replace(/\\/g, "\\\\")}"`);
  return [
    "Windows Registry Editor Version 5.00",
    "",
    ...profiles,
    `[${POLICY}\\FirewallRules]`,
    ...values,
    "",
  ].join("\r\n");
}

function read(text: string): ParsedRuleset {
  assert.equal(sniffFormat(text), "windows-registry");
  return readWindowsRegistry(text, "fw.reg");
}

const verdicts = (p: ParsedRuleset): Record<string, string> => verdictsOf(topology, p);
const codes = codesOf;

test("rule strings with the profiles set alike: exact, block wins, inactive rules do nothing", () => {
  const p = read(
    exportOf({
      "Lync-SIP-In": "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5061|Name=Lync SIP/MTLS|",
      "Lync-Web-In": "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=443|LPort=444|Name=Lync web|",
      "No-Web-From-10":
        "v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=443|RA4=10.0.0.0/255.0.0.0|Name=no web from 10|",
      "Old-STUN": "v2.30|Action=Allow|Active=FALSE|Dir=In|Protocol=17|LPort=3478|Name=old|",
    }),
  );
  assert.deepEqual(
    codes(p),
    ["note[windows-profile-unknown]"].filter(() => false),
  );
  assert.deepEqual(verdicts(p), { sip: "allowed", web: "partial", stun: "blocked" });
  const block = p.ruleset.tables[0]!.chains[0]!.rules[1]!;
  assert.equal(block.origin.text, 'No-Web-From-10 "no web from 10": Inbound Block');
  assert.equal(block.origin.line, 24);
  // RA4 alone: IPv4 remote addresses only.
  assert.ok(block.match.boxes[0]!.src.equals(IntervalSet.of(10n << 24n, (11n << 24n) - 1n)));
});

test("profiles that differ, are off in some, or block all inbound: what they decide is uncertain", () => {
  const rules = {
    sip: "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5061|Name=sip|",
    web: "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|LPort=443|Name=web|",
  };
  const differ = read(
    exportOf(rules, [
      profileKey("DomainProfile", 1, 0),
      profileKey("StandardProfile"),
      profileKey("PublicProfile"),
    ]),
  );
  assert.deepEqual(verdicts(differ), { sip: "allowed", web: "allowed uncertain", stun: "blocked uncertain" });
  const off = read(
    exportOf(rules, [
      profileKey("DomainProfile", 0),
      profileKey("StandardProfile"),
      profileKey("PublicProfile"),
    ]),
  );
  assert.deepEqual(verdicts(off), {
    sip: "allowed uncertain",
    web: "allowed uncertain",
    stun: "blocked uncertain",
  });
  const shields = read(
    exportOf(rules, [
      profileKey("DomainProfile"),
      profileKey("StandardProfile"),
      profileKey("PublicProfile", 1, 1, 0, 1),
    ]),
  );
  assert.deepEqual(verdicts(shields), {
    sip: "allowed uncertain",
    web: "allowed uncertain",
    stun: "blocked",
  });
  const allOff = read(
    exportOf(rules, [
      profileKey("DomainProfile", 0),
      profileKey("StandardProfile", 0),
      profileKey("PublicProfile", 0),
    ]),
  );
  assert.deepEqual(codes(allOff), ["warning[windows-profile-off]"]);
  assert.deepEqual(verdicts(allOff), { sip: "allowed", web: "allowed", stun: "allowed" });
  const none = read(exportOf(rules, []));
  assert.deepEqual(codes(none), ["warning[windows-profile]"]);
  assert.deepEqual(verdicts(none), { sip: "allowed", web: "allowed uncertain", stun: "blocked uncertain" });
});

test("keywords, programs, services, ICMP and unknown fields: exact where the string says, uncertain where it cannot", () => {
  const p = read(
    exportOf({
      "CoreNet-ICMP4-DUFRAG-In":
        "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=1|ICMP4=3:4|App=System|Name=@FirewallAPI.dll,-25251|EmbedCtxt=@FirewallAPI.dll,-25000|",
      "RemoteDesktop-UserMode-In-TCP":
        "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=3389|App=%SystemRoot%\\system32\\svchost.exe|Svc=termservice|Name=@FirewallAPI.dll,-28775|",
      "SIP-LocalSubnet":
        "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5061|RA4=LocalSubnet|RA6=LocalSubnet|Name=sip|",
      "STUN-future": "v2.33|Action=Allow|Active=TRUE|Dir=In|Protocol=17|LPort=3478|Frobnicate=1|Name=stun|",
    }),
  );
  assert.deepEqual(verdicts(p), { sip: "allowed uncertain", web: "blocked", stun: "allowed uncertain" });
  const [icmp] = p.ruleset.tables[0]!.chains[0]!.rules.slice(1);
  assert.ok(icmp!.match.boxes[0]!.dport.equals(IntervalSet.of(3 * 256 + 4)));
  const approx = p.ruleset.tables[0]!.chains[0]!.rules.flatMap((r) =>
    r.approximations.map((a) => a.construct),
  );
  assert.deepEqual(approx, [
    'Program "System"',
    'Program "%SystemRoot%\\\\system32\\\\svchost.exe"',
    'Service "termservice"',
    'RemoteAddress ["LocalSubnet","LocalSubnet"]',
    "Frobnicate=1",
  ]);
});

test("regedit's UTF-16 file, a GPO's keys over the local ones, and what is no export", () => {
  const text = [
    "Windows Registry Editor Version 5.00",
    "",
    ...ALIKE,
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\PublicProfile]",
    '"EnableFirewall"=dword:00000000',
    "",
    `[${POLICY}\\FirewallRules]`,
    '"sip"="v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5061|Name=sip|"',
    "",
  ].join("\r\n");
  const utf16 = decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
  const p = read(utf16);
  // The GPO turns the Public profile off: it may be the active one.
  assert.deepEqual(verdicts(p), {
    sip: "allowed uncertain",
    web: "blocked uncertain",
    stun: "blocked uncertain",
  });
  const bad = readWindowsRegistry(
    'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\X]\r\n"a"="b"\r\n',
    "x.reg",
  );
  assert.deepEqual(codes(bad), ["error[windows-registry]"]);
  const broken = read(exportOf({ x: "v2.30|Action=Allow|Active=TRUE|Dir=Sideways|Protocol=6|" }));
  assert.deepEqual(
    broken.diagnostics.filter((d) => d.severity === "error").map((d) => [d.at?.line, d.message]),
    [[22, 'rule "x": Dir "Sideways"']],
  );
});

test("a GPO with AllowLocalPolicyMerge 0 ignores the local store's rules in its profiles", () => {
  const gpo = (key: string, merge: number): string =>
    [
      `[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\${key}]`,
      `"AllowLocalPolicyMerge"=dword:0000000${merge}`,
      "",
    ].join("\r\n");
  const rules = { sip: "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5061|Name=sip|" };
  const all = read(
    exportOf(rules, [...ALIKE, gpo("DomainProfile", 0), gpo("PrivateProfile", 0), gpo("PublicProfile", 0)]),
  );
  assert.deepEqual(codes(all), ["note[windows-registry-skipped]"]);
  assert.deepEqual(verdicts(all), { sip: "blocked", web: "blocked", stun: "blocked" });
  const some = read(exportOf(rules, [...ALIKE, gpo("DomainProfile", 0), gpo("PublicProfile", 1)]));
  assert.deepEqual(verdicts(some), { sip: "allowed uncertain", web: "blocked", stun: "blocked" });
});
