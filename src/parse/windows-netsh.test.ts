/**
 * netsh's rule listing (`netsh advfirewall firewall show rule name=all verbose`, with `show
 * currentprofile`) against hand-checked verdicts, and what the dump leaves out read as uncertain
 * (Windows Firewall semantics: block rules beat allow rules, stateful, the profile's default for
 * the rest; "Block all incoming connections" ignores allow rules; a profile that is off filters
 * nothing). The edge is 198.51.100.10, inbound flows from any IPv4 address (test/audit-fixtures.ts).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { edgeHost, flow } from "../../test/audit-fixtures.js";
import { codesOf, verdictsOf } from "../../test/verdicts.js";
import { audit } from "../audit/audit.js";
import { AuditReport } from "../audit/report-schema.js";
import { decodeText } from "../shell/files.js";
import { IntervalSet } from "../space/interval-set.js";
import { sniffFormat } from "./index.js";
import type { ParsedRuleset } from "./reader.js";
import { readWindowsFirewall, readWindowsNetsh } from "./windows-reader.js";

const topology = edgeHost([
  flow("sip", "tcp", [5061, 5061]),
  flow("web", "tcp", [443, 443]),
  flow("stun", "udp", [3478, 3478]),
]);

type Fields = Array<[string, string]>;

/** One rule block as netsh prints it: keys padded to 38 columns, CRLF. */
function rule(
  name: string,
  fields: Fields,
  opts: { verbose?: boolean; icmp?: Array<[string, string]> } = {},
): string {
  const line = (k: string, v: string): string => `${`${k}:`.padEnd(38)}${v}`;
  const out = ["", line("Rule Name", name), "-".repeat(70)];
  const all = new Map<string, string>([
    ["Enabled", "Yes"],
    ["Direction", "In"],
    ["Profiles", "Domain,Private,Public"],
    ["Grouping", ""],
    ["LocalIP", "Any"],
    ["RemoteIP", "Any"],
    ["Protocol", "TCP"],
    ["LocalPort", "Any"],
    ["RemotePort", "Any"],
    ["Edge traversal", "No"],
    ...(opts.verbose === false
      ? []
      : ([
          ["Program", "Any"],
          ["Service", "Any"],
          ["InterfaceTypes", "Any"],
          ["Security", "NotRequired"],
          ["Rule source", "Local Setting"],
        ] as Fields)),
    ["Action", "Allow"],
  ]);
  for (const [k, v] of fields) all.set(k, v);
  for (const [k, v] of all) {
    if ((k === "LocalPort" || k === "RemotePort") && !/^(TCP|UDP)$/.test(all.get("Protocol")!)) continue;
    out.push(line(k, v));
    if (k === "Protocol" && opts.icmp) {
      out.push(`${" ".repeat(38)}Type    Code`);
      for (const [t, c] of opts.icmp) out.push(`${" ".repeat(38)}${t.padEnd(8)}${c} `);
    }
  }
  return out.join("\r\n");
}

function profile(name: string, state = "ON", policy = "BlockInbound,AllowOutbound"): string {
  return [
    "",
    `${name} Profile Settings: `,
    "-".repeat(70),
    `${"State".padEnd(38)}${state}`,
    `${"Firewall Policy".padEnd(38)}${policy}`,
    `${"LocalFirewallRules".padEnd(38)}N/A (GPO-store only)`,
    "",
    "Logging:",
    `${"LogAllowedConnections".padEnd(38)}Disable`,
    "",
  ].join("\r\n");
}

const dump = (...parts: string[]): string => `${parts.join("\r\n")}\r\nOk.\r\n\r\n`;

function read(text: string): ParsedRuleset {
  assert.equal(sniffFormat(text), "windows-netsh");
  return readWindowsNetsh(text, "rules.txt");
}

const verdicts = (p: ParsedRuleset): Record<string, string> => verdictsOf(topology, p);
const codes = codesOf;

const SIP = rule("Lync SIP/MTLS", [["LocalPort", "5061"]]);
const WEB = rule("Lync SIP/TLS", [["LocalPort", "443"]]);

test("a verbose dump with its current profile is read exactly: block wins, the profile's default for the rest", () => {
  const p = read(
    dump(
      profile("Public"),
      SIP,
      WEB,
      rule("Block 443 from a bad net", [
        ["LocalPort", "443"],
        ["RemoteIP", "10.0.0.0/8,172.16.0.0/255.240.0.0"],
        ["Action", "Block"],
      ]),
    ),
  );
  assert.deepEqual(codes(p), []);
  assert.deepEqual(verdicts(p), { sip: "allowed", web: "partial", stun: "blocked" });
  const r = AuditReport.parse(audit(topology, [p]));
  const web = r.flows.find((f) => f.id === "web")!;
  assert.match(web.blocked[0]!.rule.text, /^"Block 443 from a bad net": Inbound Block$/);
  assert.deepEqual(
    web.blocked[0]!.packets.map((l) => l.split(" to ")[0]),
    ["tcp dport 443 from {10.0.0.0/8, 172.16.0.0/12}"],
  );
  assert.equal(web.blocked[0]!.rule.line, 50);
});

test("rules of another profile do nothing; disabled rules do nothing", () => {
  const p = read(
    dump(
      profile("Public"),
      rule("SIP on the domain network only", [
        ["LocalPort", "5061"],
        ["Profiles", "Domain"],
      ]),
      rule("Old rule", [
        ["LocalPort", "443"],
        ["Enabled", "No"],
      ]),
    ),
  );
  assert.deepEqual(verdicts(p), { sip: "blocked", web: "blocked", stun: "blocked" });
});

test("without profile settings: a rule bound to some profiles and the assumed default are uncertain", () => {
  const p = read(
    dump(
      rule("SIP on the domain network only", [
        ["LocalPort", "5061"],
        ["Profiles", "Domain"],
      ]),
      WEB,
    ),
  );
  assert.deepEqual(codes(p), ["warning[windows-profile]"]);
  assert.deepEqual(verdicts(p), { sip: "allowed uncertain", web: "allowed", stun: "blocked uncertain" });
});

test("several profiles listed: settings they share are exact, the others uncertain", () => {
  const same = read(dump(profile("Domain"), profile("Private"), profile("Public"), SIP));
  assert.deepEqual(codes(same), ["note[windows-profile-unknown]"]);
  assert.deepEqual(verdicts(same), { sip: "allowed", web: "blocked", stun: "blocked" });
  const differ = read(dump(profile("Domain", "ON", "AllowInbound,AllowOutbound"), profile("Public"), SIP));
  assert.deepEqual(verdicts(differ), { sip: "allowed", web: "blocked uncertain", stun: "blocked uncertain" });
});

test("a profile with the firewall off filters nothing; one that may be off makes every verdict uncertain", () => {
  const off = read(
    dump(
      profile("Public", "OFF"),
      rule("Block SIP", [
        ["LocalPort", "5061"],
        ["Action", "Block"],
      ]),
    ),
  );
  assert.deepEqual(codes(off), ["warning[windows-profile-off]"]);
  assert.deepEqual(verdicts(off), { sip: "allowed", web: "allowed", stun: "allowed" });
  const maybe = read(
    dump(
      profile("Domain", "OFF"),
      profile("Public"),
      rule("Block SIP", [
        ["LocalPort", "5061"],
        ["Action", "Block"],
      ]),
      WEB,
    ),
  );
  // Off, Windows passes everything; on, the rules decide: only "allowed" is certain of both, and
  // the rules are tried one by one (a profile is one choice for all of them), so web is uncertain too.
  assert.deepEqual(verdicts(maybe), {
    sip: "blocked uncertain",
    web: "allowed uncertain",
    stun: "blocked uncertain",
  });
});

test("BlockInboundAlways ignores inbound allow rules", () => {
  const p = read(dump(profile("Public", "ON", "BlockInboundAlways,AllowOutbound"), SIP, WEB));
  assert.deepEqual(codes(p), ["warning[windows-block-all-inbound]"]);
  assert.deepEqual(verdicts(p), { sip: "blocked", web: "blocked", stun: "blocked" });
});

test("a dump without verbose reads every rule as possibly narrower: uncertain, with one warning", () => {
  const p = read(dump(profile("Public"), rule("SIP", [["LocalPort", "5061"]], { verbose: false }), WEB));
  assert.deepEqual(codes(p), ["warning[windows-netsh-terse]"]);
  assert.equal(p.diagnostics[0]!.at!.line, 12);
  assert.deepEqual(verdicts(p), { sip: "allowed uncertain", web: "allowed", stun: "blocked" });
});

test("program, service, interface-type, IPsec and keyword filters are approximations; ports and ranges exact", () => {
  const p = read(
    dump(
      profile("Public"),
      rule("SIP", [
        ["LocalPort", "5060-5062"],
        ["Program", "C:\\Program Files\\Skype for Business Server 2015\\Server\\Core\\RtcHost.exe"],
      ]),
      rule("web", [
        ["LocalPort", "443,444"],
        ["RemoteIP", "LocalSubnet"],
      ]),
      rule("stun", [
        ["Protocol", "UDP"],
        ["LocalPort", "3478"],
        ["Security", "AuthEnc"],
      ]),
      rule("rpc", [
        ["LocalPort", "RPC"],
        ["InterfaceTypes", "Wireless"],
      ]),
    ),
  );
  assert.deepEqual(verdicts(p), {
    sip: "allowed uncertain",
    web: "allowed uncertain",
    stun: "allowed uncertain",
  });
  const approx = p.ruleset.tables[0]!.chains[0]!.rules.flatMap((r) =>
    r.approximations.map((a) => a.construct),
  );
  assert.deepEqual(approx, [
    "Program: C:\\Program Files\\Skype for Business Server 2015\\Server\\Core\\RtcHost.exe",
    "RemoteIP: LocalSubnet",
    "Security: AuthEnc",
    "InterfaceTypes: Wireless",
    "LocalPort: RPC",
  ]);
  for (const r of p.ruleset.tables[0]!.chains[0]!.rules)
    for (const a of r.approximations) assert.equal(a.affects, "match", a.construct);
});

test("Bypass (authenticated bypass) is ordered before the block rules and uncertain", () => {
  const p = read(
    dump(
      profile("Public"),
      rule("Block SIP", [
        ["LocalPort", "5061"],
        ["Action", "Block"],
      ]),
      rule("Admins over IPsec", [
        ["LocalPort", "5061"],
        ["Action", "Bypass"],
        ["Security", "Authenticate"],
      ]),
    ),
  );
  const texts = p.ruleset.tables[0]!.chains[0]!.rules.map((r) => r.origin.text);
  assert.deepEqual(texts.slice(1), [
    '"Admins over IPsec": Inbound Allow (override block rules)',
    '"Block SIP": Inbound Block',
  ]);
  assert.deepEqual(verdicts(p), { sip: "allowed uncertain", web: "blocked", stun: "blocked" });
});

test("ICMP rules keep their type and code table", () => {
  const p = read(
    dump(
      profile("Public"),
      rule("Frag needed", [["Protocol", "ICMPv4"]], { icmp: [["3", "4"]] }),
      rule("Echo", [["Protocol", "ICMPv6"]], {
        icmp: [
          ["128", "Any"],
          ["129", "Any"],
        ],
      }),
    ),
  );
  const [frag, echo] = p.ruleset.tables[0]!.chains[0]!.rules.slice(1);
  assert.ok(frag!.match.boxes[0]!.dport.equals(IntervalSet.of(3 * 256 + 4)));
  assert.ok(echo!.match.boxes[0]!.dport.equals(IntervalSet.of(128 * 256, 129 * 256 + 255)));
  assert.ok(echo!.match.boxes[0]!.proto.equals(IntervalSet.of(58)));
});

test("bad values are errors at their line; other languages and other files are refused with what to give", () => {
  const bad = read(dump(profile("Public"), rule("x", [["Direction", "Sideways"]])));
  assert.deepEqual(
    bad.diagnostics.map((d) => [d.code, d.at?.line, d.message]),
    [["windows-netsh-format", 15, 'rule "x": Direction "Sideways"']],
  );
  const proto = read(dump(rule("x", [["Protocol", "SCTP-ish"]])));
  assert.equal(proto.diagnostics.find((d) => d.severity === "error")!.at!.line, 10);
  const german = [
    "",
    "Regelname:                            Kernnetzwerk - Teredo (UDP eingehend)",
    "----------------------------------------------------------------------",
    "Aktiviert:                            Ja",
    "Richtung:                             Eingehend",
    "Aktion:                               Zulassen",
  ].join("\r\n");
  const de = readWindowsNetsh(german, "regeln.txt");
  assert.deepEqual(codes(de), ["error[windows-netsh-format]"]);
  assert.match(de.diagnostics[0]!.message, /another language than English/);
  assert.match(de.diagnostics[0]!.expected!, /PowerShell export/);
});

test("lines outside the blocks are named, not silently dropped; 'No rules match' is an empty listing", () => {
  const p = read(
    `C:\\> netsh advfirewall firewall show rule name=all verbose\r\n${dump(profile("Public"), SIP)}`,
  );
  assert.deepEqual(codes(p), ["warning[windows-netsh-skipped]"]);
  assert.equal(p.diagnostics[0]!.at!.line, 1);
  const none = read(`${profile("Public")}\r\nNo rules match the specified criteria.\r\n`);
  assert.deepEqual(codes(none), []);
  assert.deepEqual(verdicts(none), { sip: "blocked", web: "blocked", stun: "blocked" });
});

test("a UTF-16 file (PowerShell 5.1's `>`) reads as its text", () => {
  const text = dump(profile("Public"), SIP);
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
  assert.equal(decodeText(le), text);
  const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, "utf16le").swap16()]);
  assert.equal(decodeText(be), text);
  assert.equal(decodeText(Buffer.from(text, "utf8")), text);
});

/** One rule of the JSON export (README's script), inbound TCP 5061 allowed in every profile, with `o` over it. */
/** Each flow's verdict ("… uncertain" when it is) under `topo`, the export read without an error. */
function judgedWith(topo: typeof topology, p: ParsedRuleset): Record<string, string> {
  assert.deepEqual(
    p.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  const report = AuditReport.parse(audit(topo, [p]));
  return Object.fromEntries(report.flows.map((f) => [f.id, f.verdict + (f.uncertain ? " uncertain" : "")]));
}

function jsonRule(o: Record<string, unknown>): Record<string, unknown> {
  return {
    Name: "r",
    DisplayName: "r",
    Enabled: "True",
    Direction: "Inbound",
    Action: "Allow",
    Profile: "Any",
    Protocol: "TCP",
    LocalPort: ["5061"],
    RemotePort: ["Any"],
    LocalAddress: ["Any"],
    RemoteAddress: ["Any"],
    ...o,
  };
}

test("the JSON export: a profile that is off, AllowInboundRules False, IcmpType and OverrideBlockRules", () => {
  const json = (profile: Record<string, string>, rules: Array<Record<string, unknown>>): ParsedRuleset =>
    readWindowsFirewall(
      JSON.stringify({
        activeProfile: "Public",
        profiles: [
          {
            Name: "Public",
            Enabled: "True",
            DefaultInboundAction: "Block",
            DefaultOutboundAction: "Allow",
            ...profile,
          },
        ],
        rules,
      }),
      "fw.json",
    );
  const off = json({ Enabled: "False" }, [jsonRule({ Action: "Block" })]);
  assert.deepEqual(codes(off), ["warning[windows-profile-off]"]);
  assert.deepEqual(verdicts(off), { sip: "allowed", web: "allowed", stun: "allowed" });
  const shields = json({ AllowInboundRules: "False" }, [jsonRule({})]);
  assert.deepEqual(codes(shields), ["warning[windows-block-all-inbound]"]);
  assert.deepEqual(verdicts(shields), { sip: "blocked", web: "blocked", stun: "blocked" });
  const icmp = json({}, [
    jsonRule({ Protocol: "ICMPv4", IcmpType: ["8", "3:4"], LocalPort: ["Any"] }),
    jsonRule({ Protocol: "ICMPv6", LocalPort: ["Any"] }),
  ]);
  const [typed, untyped] = icmp.ruleset.tables[0]!.chains[0]!.rules.slice(1);
  assert.ok(
    typed!.match.boxes[0]!.dport.equals(
      IntervalSet.of(3 * 256 + 4).union(IntervalSet.of(8 * 256, 8 * 256 + 255)),
    ),
  );
  assert.deepEqual(typed!.approximations, []);
  assert.match(untyped!.approximations[0]!.reason, /without its IcmpType/);
  const bypass = json({}, [
    jsonRule({ Action: "Block" }),
    jsonRule({ OverrideBlockRules: "True", Authentication: "Required" }),
  ]);
  assert.deepEqual(verdicts(bypass), { sip: "allowed uncertain", web: "blocked", stun: "blocked" });
});

test("the JSON export with its interfaces: each applies its own category's profile (an Edge's two NICs)", () => {
  const internal = "198.51.100.10";
  const external = "203.0.113.10";
  const two = {
    ...topology,
    endpoints: topology.endpoints.map((e) =>
      e.id === "edge" ? { ...e, addresses: e.addresses.union(IntervalSet.of(0xcb00710an)) } : e,
    ),
    flows: [
      flow("sip-int", "tcp", [5061, 5061], internal),
      flow("sip-ext", "tcp", [5061, 5061], external),
      flow("web-int", "tcp", [443, 443], internal),
      flow("web-ext", "tcp", [443, 443], external),
    ],
  };
  const exportOf = (publicOn: string): ParsedRuleset =>
    readWindowsFirewall(
      JSON.stringify({
        activeProfile: "Domain",
        connections: [
          {
            InterfaceAlias: "Internal",
            NetworkCategory: "DomainAuthenticated",
            Addresses: [internal, "fe80::1%12"],
          },
          { InterfaceAlias: "External", NetworkCategory: "Public", Addresses: [external] },
        ],
        profiles: [
          { Name: "Domain", Enabled: "True", DefaultInboundAction: "Block", DefaultOutboundAction: "Allow" },
          {
            Name: "Public",
            Enabled: publicOn,
            DefaultInboundAction: "Block",
            DefaultOutboundAction: "Allow",
          },
        ],
        rules: [
          jsonRule({ Name: "sip", Profile: "Domain", LocalPort: ["5061"] }),
          jsonRule({ Name: "web", Profile: "Public", LocalPort: ["443"] }),
          jsonRule({ Name: "no-web-inside", Profile: "Domain", LocalPort: ["443"], Action: "Block" }),
        ],
      }),
      "fw.json",
    );
  const judge = (p: ParsedRuleset) => judgedWith(two, p);
  assert.deepEqual(judge(exportOf("True")), {
    "sip-int": "allowed",
    "sip-ext": "blocked",
    "web-int": "blocked",
    "web-ext": "allowed",
  });
  // The external NIC's profile off: everything to its address passes; the internal one still filters.
  assert.deepEqual(judge(exportOf("False")), {
    "sip-int": "allowed",
    "sip-ext": "allowed",
    "web-int": "blocked",
    "web-ext": "allowed",
  });
});

test("rules limited to an interface (InterfaceAlias): exact on the listed connections' addresses, uncertain on others", () => {
  // An Edge's two NICs, both Public: only the rules' interfaces tell them apart. 198.51.100.99 is
  // the host's too but on no listed connection (which interface holds it the export does not say).
  const internal = "198.51.100.10";
  const external = "203.0.113.10";
  const other = "198.51.100.99";
  const three = {
    ...topology,
    endpoints: topology.endpoints.map((e) =>
      e.id === "edge"
        ? {
            ...e,
            addresses: e.addresses.union(IntervalSet.of(0xcb00710an)).union(IntervalSet.of(0xc6336463n)),
          }
        : e,
    ),
    flows: [
      flow("sip-int", "tcp", [5061, 5061], internal),
      flow("sip-ext", "tcp", [5061, 5061], external),
      flow("sip-other", "tcp", [5061, 5061], other),
      flow("web-int", "tcp", [443, 443], internal),
      flow("web-ext", "tcp", [443, 443], external),
      flow("stun-ext", "udp", [3478, 3478], external),
    ],
  };
  const exportOf = (rules: Array<Record<string, unknown>>, connections = true): ParsedRuleset =>
    readWindowsFirewall(
      JSON.stringify({
        activeProfile: "Public",
        ...(connections
          ? {
              connections: [
                { InterfaceAlias: "Internal", NetworkCategory: "Public", Addresses: [internal] },
                { InterfaceAlias: "External", NetworkCategory: "Public", Addresses: [external] },
              ],
            }
          : {}),
        profiles: [
          { Name: "Public", Enabled: "True", DefaultInboundAction: "Block", DefaultOutboundAction: "Allow" },
        ],
        rules,
      }),
      "fw.json",
    );
  const judge = (p: ParsedRuleset) => judgedWith(three, p);
  const rules = [
    jsonRule({ Name: "sip", LocalPort: ["5061"], InterfaceAlias: ["External"] }),
    // Aliases compared without case, as Windows does; a block limited to the internal NIC.
    jsonRule({ Name: "web", LocalPort: ["443"], InterfaceAlias: ["internal", "External"] }),
    jsonRule({ Name: "no-web-ext", LocalPort: ["443"], InterfaceAlias: ["External"], Action: "Block" }),
    // An interface the export does not list (disconnected): no listed connection's packets.
    jsonRule({ Name: "stun", Protocol: "UDP", LocalPort: ["3478"], InterfaceAlias: ["Backup"] }),
  ];
  assert.deepEqual(judge(exportOf(rules)), {
    "sip-int": "blocked",
    "sip-ext": "allowed",
    "sip-other": "allowed uncertain",
    "web-int": "allowed",
    "web-ext": "blocked",
    "stun-ext": "blocked",
  });
  // Without the connections, which interface a packet uses is not known: uncertain wherever a rule
  // limited to interfaces decides.
  assert.deepEqual(judge(exportOf(rules, false)), {
    "sip-int": "allowed uncertain",
    "sip-ext": "allowed uncertain",
    "sip-other": "allowed uncertain",
    "web-int": "blocked uncertain",
    "web-ext": "blocked uncertain",
    "stun-ext": "allowed uncertain",
  });
  // Interfaces named by GUID (as the registry keeps them): no alias to match, uncertain.
  const guid = exportOf([
    jsonRule({
      Name: "sip",
      LocalPort: ["5061"],
      InterfaceAlias: ["{2A4E1D37-0B6F-4C1D-9A52-3A8C6F0E7B11}"],
    }),
  ]);
  assert.equal(judge(guid)["sip-ext"], "allowed uncertain");
});

test("the JSON export without activeProfile, or Get-NetFirewallRule's bare objects: never a silent guess", () => {
  // No activeProfile: a Domain-only rule may or may not apply (it was read as not applying: Public).
  const noActive = readWindowsFirewall(
    JSON.stringify({ rules: [jsonRule({ Profile: "Domain" }), jsonRule({ LocalPort: ["443"] })] }, null, 1),
    "fw.json",
  );
  assert.deepEqual(codes(noActive), ["warning[windows-profile]"]);
  assert.deepEqual(verdicts(noActive), {
    sip: "allowed uncertain",
    web: "allowed",
    stun: "blocked uncertain",
  });
  // A bare array with the filters joined in: read the same way.
  const bare = readWindowsFirewall(JSON.stringify([jsonRule({ Profile: "Domain" })], null, 1), "fw.json");
  assert.equal(sniffFormat(JSON.stringify([jsonRule({ DisplayName: "r" })])), "windows-firewall");
  assert.deepEqual(verdicts(bare), {
    sip: "allowed uncertain",
    web: "blocked uncertain",
    stun: "blocked uncertain",
  });
  // Get-NetFirewallRule | ConvertTo-Json: no ports, no addresses — refused, not read as "any".
  const objects = readWindowsFirewall(
    JSON.stringify(
      [
        {
          Name: "CoreNet-DHCP-In",
          DisplayName: "Core Networking - DHCP (DHCP-In)",
          Enabled: 1,
          Direction: 1,
          Action: 2,
          Profile: 0,
        },
        {
          Name: "RemoteDesktop-In",
          DisplayName: "Remote Desktop (TCP-In)",
          Enabled: 1,
          Direction: 1,
          Action: 2,
          Profile: 0,
        },
      ],
      null,
      1,
    ),
    "rules.json",
  );
  assert.deepEqual(
    objects.diagnostics.map((d) => [d.code, d.at?.line]),
    [["windows-format", 2]],
  );
  assert.match(objects.diagnostics[0]!.message, /^2 rules without Protocol, ports or addresses/);
});
