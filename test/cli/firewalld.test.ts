/**
 * `audit -r` of firewalld's configuration (src/parse/firewalld.ts): the directory as /etc/firewalld
 * holds it, a zone file alone, findings at the XML elements, and everything firewalld does that is
 * not read refused in one message each, exit 2, with where and what was expected.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { firewalldAsNft, readFirewalld } from "../../src/parse/firewalld.js";
import { sniffFormat } from "../../src/parse/formats.js";
import { ROOT, runCli } from "./run-cli.js";

const F = "test/fixtures/firewalld";

test("a firewalld directory: verdicts, findings at the XML elements, firewalld's own rules implicit", () => {
  const r = runCli(["audit", "-t", `${F}/topology.yaml`, "-r", `${F}/basic`, "--format", "json"]);
  assert.equal(r.status, 1, r.stderr); // IPv6 through IPv6_rpfilter: partial, uncertain
  const a = JSON.parse(r.stdout) as {
    rulesets: Array<{ format: string }>;
    flows: Array<{ id: string; verdict: string; uncertain: boolean }>;
    exposure: Array<{ rule: { file: string; line: number; col: number; text: string; note?: string } }>;
  };
  assert.equal(a.rulesets[0]!.format, "firewalld");
  const ssh = a.exposure.find((e) => e.rule.text === '<service name="ssh"/>');
  assert.ok(ssh, JSON.stringify(a.exposure.map((e) => e.rule.text)));
  assert.deepEqual([ssh.rule.file, ssh.rule.line, ssh.rule.col], [`${F}/basic/zones/public.xml`, 5, 3]);
  const icmp = a.exposure.find((e) => e.rule.text === "<zone>");
  assert.match(icmp?.rule.note ?? "", /^implicit: firewalld's own rule: zone public: ICMP/);
  // IPv4 is exact: with a dual-stack topology the IPv4 half of each flow passes, IPv6 is uncertain.
  for (const f of a.flows) assert.equal(f.uncertain, true, f.id);
});

test("forward-ports and masquerade are read as firewalld writes them: where a flow's packets are sent, and what firewalld leaves out", () => {
  const r = runCli(["audit", "-t", `${F}/topology.yaml`, "-r", `${F}/nat`, "--format", "json"]);
  assert.equal(r.status, 1, r.stderr);
  const a = JSON.parse(r.stdout) as { notes: string[] };
  const sent = (flow: string): string | undefined =>
    a.notes.find((n) => n.startsWith(`flow ${flow}: the ruleset's NAT sends its packets to `));
  // 443 redirected to the host's 8443 (IPv4: firewalld writes `meta nfproto ipv4`).
  assert.match(sent("sip-tls-clients") ?? "", /sends its packets to port 8443, not where/);
  // 3478 from the internet to another host, and to 3479 for IPv6 (a rule at priority -5).
  assert.match(sent("stun-udp-in") ?? "", /sends its packets to port 3479, 198\.51\.100\.7, not where/);
  // The partners' zone sends 5061 on to 203.0.113.50.
  assert.match(sent("sip-mtls-in") ?? "", /sends its packets to 203\.0\.113\.50, not where/);
  const e = r.stderr;
  assert.match(
    e,
    /public\.xml:14:3: warning\[firewalld-conf\]: forward-port 443\/tcp port 8443 is listed twice/,
  );
  assert.match(
    e,
    /public\.xml:24:3: warning\[firewalld-conf\]: a rule's forward-port in a rule without family \(MISSING_FAMILY\): firewalld leaves the rule out/,
  );
  assert.match(e, /public\.xml:29:5: warning\[firewalld-conf\]: a rule's forward-port with an action/);
  assert.match(
    e,
    /public\.xml:32:5: warning\[firewalld-conf\]: a rule's forward-port to 2001:db8::8, not an ipv4 address/,
  );
  assert.match(
    e,
    /public\.xml:42:5: warning\[firewalld-conf\]: a rule with a source address but no family \(MISSING_FAMILY\): firewalld leaves the rule out/,
  );
  assert.doesNotMatch(e, /masquerade/);
  // The generated table: nat PREROUTING for zones and policies, nat OUTPUT for the host's own.
  const files = ["firewalld.conf", "zones/public.xml", "zones/partners.xml", "zones/dmz.xml"]
    .concat(["policies/any-to-host.xml", "policies/public-to-dmz.xml", "policies/host-out.xml"])
    .concat(["policies/any-to-dmz.xml"])
    .map((f) => join(ROOT, F, "nat", f));
  const { text } = firewalldAsNft(files.map((file) => ({ file, text: readFileSync(file, "utf8") })));
  for (const line of [
    "meta nfproto ipv4 tcp dport 443 redirect to :8443",
    "meta nfproto ipv6 tcp dport 50000-50010 dnat ip6 to 2001:db8::7",
    "meta nfproto ipv4 ip saddr 203.0.113.0/24 tcp dport 5061 redirect to :5062",
    'iifname "eth0" ip daddr 203.0.113.128/25 jump nat_PRE_policy_public-to-dmz',
    "jump nat_PRE_policy_any-to-host",
    "jump nat_OUT_policy_host-out",
    "meta nfproto ipv4 tcp dport 5061 dnat ip to 198.51.100.30",
    'meta nfproto ipv4 oifname != "lo" masquerade',
    'meta nfproto ipv6 ip6 daddr 2001:db8:5::/48 oifname != "lo" masquerade',
    'oifname "eth0" goto nat_POST_public',
    "ip daddr 203.0.113.128/25 jump nat_POST_policy_any-to-dmz",
  ])
    assert.ok(text.includes(`\t\t${line}\n`), line);
});

test("an IPv4 topology and a zone file alone: the shipped firewalld.conf (default zone public) around it", () => {
  const r = runCli(["audit", "-t", "examples/seed-host.yaml", "-r", `${F}/basic/zones/public.xml`]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /firewalld: \d+ rules/);
  assert.match(r.stdout, /sip-mtls-in .* allowed\n/);
  assert.match(
    r.stdout,
    /accepted by test\/fixtures\/firewalld\/basic\/zones\/public\.xml:5:3: <service name="ssh"\/>/,
  );
});

test("what is not read is refused: each with file:line:col and what was expected; exit 2", () => {
  const r = runCli(["audit", "-t", `${F}/topology.yaml`, "-r", `${F}/bad`]);
  assert.equal(r.status, 2, r.stdout);
  assert.equal(r.stdout, "");
  const e = r.stderr;
  assert.match(
    e,
    /bad\/zones\/public\.xml:3:3: error\[firewalld-unknown\]: service no-such-service is not defined/,
  );
  assert.match(
    e,
    /bad\/zones\/public\.xml:4:3: error\[firewalld-xml\]: a forward-port with neither to-port nor to-addr \(firewalld refuses it: INVALID_FORWARD\)/,
  );
  assert.match(
    e,
    /bad\/zones\/public\.xml:5:3: error\[firewalld-xml\]: port "http" is not a port or a range; expected a port/,
  );
  assert.match(
    e,
    /bad\/zones\/public\.xml:7:3: error\[firewalld-not-read\]: zone public bound to the MAC address 00:11:22:33:44:55 is not read/,
  );
  // Policies firewalld refuses (INVALID_ZONE, INVALID_FORWARD, a forward-port from zones to HOST:
  // each checked against the real firewalld 1.3.3, which starts on its stock configuration).
  assert.match(
    e,
    /bad\/policies\/to-dmz\.xml:4:3: error\[firewalld-unknown\]: zone dmz2 \(an egress zone of policy to-dmz\) is not defined/,
  );
  assert.match(
    e,
    /bad\/policies\/mixed\.xml:4:3: error\[firewalld-xml\]: policy mixed's ingress zones public, HOST; expected several zones, or ANY alone, or HOST alone/,
  );
  assert.match(
    e,
    /bad\/policies\/host-nat\.xml:5:3: error\[firewalld-xml\]: a forward-port without to-addr in policy host-nat, whose egress is public \(firewalld refuses it: INVALID_FORWARD\)/,
  );
  // From zones to HOST firewalld dispatches filter INPUT only: the rule for the missing nat chain
  // fails (COMMAND_FAILED).
  assert.match(
    e,
    /bad\/policies\/zone-host-nat\.xml:5:3: error\[firewalld-xml\]: a forward-port in policy zone-host-nat, from zones to HOST \(firewalld fails to apply it/,
  );
  assert.match(
    e,
    /bad\/direct\.xml:2:1: error\[firewalld-not-read\]: direct rules \(direct\.xml\) are not read/,
  );
  assert.doesNotMatch(e, /at .*\.js:\d+/); // no stack trace
});

test("malformed XML and a directory with no firewalld files", () => {
  const dir = mkdtempSync(join(tmpdir(), "pmt-fwd-cli-"));
  writeFileSync(
    join(dir, "public.xml"),
    '<?xml version="1.0"?>\n<zone>\n  <port protocol="tcp" port="22">\n</zone>\n',
  );
  const r = runCli(["audit", "-t", `${F}/topology.yaml`, "-r", join(dir, "public.xml")]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /public\.xml:4:\d+: error\[firewalld-xml\]: not well-formed XML/);
  const d = runCli([
    "audit",
    "-t",
    `${F}/topology.yaml`,
    "-r",
    join(ROOT, "test/fixtures/firewalld/bad/policies/..", ".."),
  ]);
  assert.equal(d.status, 2);
  assert.match(d.stderr, /is a directory without a firewalld or ufw configuration/);
});

test("sniffing: firewalld's XML objects and firewalld.conf; PAN-OS and other XML are not", () => {
  assert.equal(sniffFormat('<?xml version="1.0" encoding="utf-8"?>\n<zone target="DROP"/>'), "firewalld");
  assert.equal(sniffFormat("<!-- x -->\n<service><port port='1' protocol='tcp'/></service>"), "firewalld");
  assert.equal(sniffFormat("# firewalld\nDefaultZone=public\nIPv6_rpfilter=yes\n"), "firewalld");
  assert.equal(sniffFormat('<?xml version="1.0"?>\n<config version="10.1.0"></config>'), "panos");
  assert.equal(sniffFormat("<html><body/></html>"), undefined);
});

test("generated rules: zones dispatched by source (by zone name), then interface (the more specific first), then the default zone", () => {
  const z = (name: string, xml: string) => ({ file: `zones/${name}.xml`, text: xml });
  const g = firewalldAsNft([
    z("work", '<zone><source address="2001:db8:2::/48"/><interface name="eth1"/></zone>'),
    z("internal", '<zone><source address="198.51.100.0/24"/><interface name="eth+"/></zone>'),
    { file: "firewalld.conf", text: "DefaultZone=drop\n" },
  ]);
  assert.deepEqual(
    g.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  const zones = /chain filter_INPUT_ZONES \{\n([^}]*)\}/.exec(g.text)![1]!.trim().split(/\n\s*/);
  assert.deepEqual(zones, [
    "ip saddr 198.51.100.0/24 goto filter_IN_internal",
    "ip6 saddr 2001:db8:2::/48 goto filter_IN_work",
    'iifname "eth1" goto filter_IN_work',
    'iifname "eth*" goto filter_IN_internal',
    "goto filter_IN_drop",
  ]);
  // eth1 also matches eth+: which zone takes it is firewalld's binding order, said in a warning.
  assert.ok(g.diagnostics.some((d) => d.code === "firewalld-interface-order"));
  const r = readFirewalld([
    z("work", "<zone><interface name='eth1'/></zone>"),
    z("home", "<zone><interface name='eth1'/></zone>"),
  ]);
  assert.ok(r.diagnostics.some((d) => d.code === "firewalld-conflict" && d.at?.file === "zones/work.xml"));
  // A source bound to two zones: firewalld refuses the configuration (io/zone.py, INVALID_ADDR
  // "already bound"; the real firewalld's check-config refusal is in test/apply/firewalld-apply).
  const s = readFirewalld([
    z("office", '<zone><source address="0.0.0.0/0"/></zone>'),
    z("home", '<zone><source address="0.0.0.0/0"/><source address="::/0"/></zone>'),
    z("lab", '<zone><source ipset="lab"/></zone>'),
  ]);
  const conflicts = s.diagnostics.filter((d) => d.code === "firewalld-conflict");
  assert.equal(conflicts.length, 1);
  assert.match(conflicts[0]!.message, /source 0\.0\.0\.0\/0 is bound to zone (office|home) too/);
});

test("no value of the files reaches the generated rules unchecked: each hostile one refused at its element", () => {
  const hostile = 'x" accept\n}\nchain evil { type filter hook input priority -500; policy accept;';
  const q = hostile.replace(/"/g, "&quot;").replace(/\n/g, "&#10;");
  const cases: Array<[string, Array<{ file: string; text: string }>]> = [
    ["interface", [{ file: "zones/public.xml", text: `<zone><interface name="${q}"/></zone>` }]],
    ["zone source", [{ file: "zones/public.xml", text: `<zone><source address="${q}"/></zone>` }]],
    // A zone's source with mac="…" is left out (firewalld binds a MAC as address="…"): a rich rule's.
    [
      "rich source mac",
      [{ file: "zones/public.xml", text: `<zone><rule><source mac="${q}"/><accept/></rule></zone>` }],
    ],
    ["protocol", [{ file: "zones/public.xml", text: `<zone><protocol value="${q}"/></zone>` }]],
    ["port", [{ file: "zones/public.xml", text: `<zone><port protocol="tcp" port="${q}"/></zone>` }]],
    ["port protocol", [{ file: "zones/public.xml", text: `<zone><port protocol="${q}" port="1"/></zone>` }]],
    [
      "rich source",
      [
        {
          file: "zones/public.xml",
          text: `<zone><rule family="ipv4"><source address="${q}"/><accept/></rule></zone>`,
        },
      ],
    ],
    [
      "rich destination",
      [
        {
          file: "zones/public.xml",
          text: `<zone><rule family="ipv4"><destination address="${q}"/><accept/></rule></zone>`,
        },
      ],
    ],
    [
      "service port",
      [
        { file: "zones/public.xml", text: '<zone><service name="mine"/></zone>' },
        { file: "services/mine.xml", text: `<service><port protocol="tcp" port="${q}"/></service>` },
      ],
    ],
    [
      "service destination",
      [
        { file: "zones/public.xml", text: '<zone><service name="mine"/></zone>' },
        {
          file: "services/mine.xml",
          text: `<service><port protocol="tcp" port="1"/><destination ipv4="${q}"/></service>`,
        },
      ],
    ],
    [
      "ipset entry",
      [
        { file: "zones/public.xml", text: '<zone><source ipset="bad"/></zone>' },
        { file: "ipsets/bad.xml", text: `<ipset type="hash:net"><entry>${q}</entry></ipset>` },
      ],
    ],
    [
      "forward-port to-addr",
      [
        {
          file: "zones/public.xml",
          text: `<zone><forward-port port="1" protocol="tcp" to-addr="${q}"/></zone>`,
        },
      ],
    ],
    [
      "forward-port to-port",
      [
        {
          file: "zones/public.xml",
          text: `<zone><forward-port port="1" protocol="tcp" to-port="${q}"/></zone>`,
        },
      ],
    ],
    [
      "forward-port protocol",
      [
        {
          file: "zones/public.xml",
          text: `<zone><forward-port port="1" protocol="${q}" to-port="2"/></zone>`,
        },
      ],
    ],
    [
      "rich forward-port port",
      [
        {
          file: "zones/public.xml",
          text: `<zone><rule family="ipv4"><forward-port port="${q}" protocol="tcp" to-port="2"/></rule></zone>`,
        },
      ],
    ],
    [
      "rich masquerade source",
      [
        {
          file: "zones/public.xml",
          text: `<zone><rule family="ipv4"><source address="${q}"/><masquerade/></rule></zone>`,
        },
      ],
    ],
    ["a file's name", [{ file: `zones/a;b{c}.xml`, text: "<zone><interface name='eth0'/></zone>" }]],
    [
      "a name on Object's prototype",
      [
        {
          file: "zones/public.xml",
          text: '<zone><rule><port protocol="tcp" port="1"/><reject type="constructor"/></rule></zone>',
        },
      ],
    ],
  ];
  for (const [what, files] of cases) {
    const r = readFirewalld(files);
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    assert.ok(errors.length > 0, `${what}: refused`);
    assert.equal(errors[0]!.code, "firewalld-xml", `${what}: ${errors[0]!.message}`);
    // At the element that holds it: the service or ipset file for theirs.
    assert.equal(errors[0]!.at?.file, files.at(-1)!.file, what);
    assert.equal(r.ruleset.tables.length, 0, `${what}: no rule read`);
    assert.doesNotMatch(firewalldAsNft(files).text, /evil|constructor|\[native code\]/, what);
  }
  // A zone's source by mac="…" is left out, as firewalld leaves it out: its value goes nowhere.
  const mac = firewalldAsNft([{ file: "zones/public.xml", text: `<zone><source mac="${q}"/></zone>` }]);
  assert.ok(mac.diagnostics.some((d) => /firewalld leaves it out/.test(d.message)));
  assert.doesNotMatch(mac.text, /evil/);
});

test("overlapping interface bindings: both orders are tried; a verdict they disagree on is uncertain", () => {
  const dir = mkdtempSync(join(tmpdir(), "pmt-fwd-order-"));
  const zones = (publicXml: string): string => {
    const d = mkdtempSync(join(dir, "c-"));
    mkdirSync(join(d, "zones"));
    writeFileSync(join(d, "zones", "trusted.xml"), '<zone target="ACCEPT"><interface name="eth+"/></zone>');
    writeFileSync(join(d, "zones", "public.xml"), publicXml);
    return d;
  };
  const json = (d: string) => {
    // IPv4 only: IPv6 through IPv6_rpfilter is uncertain whatever the zones say.
    const r = runCli(["audit", "-t", `${F}/ipv4.yaml`, "-r", d, "--format", "json"]);
    return JSON.parse(r.stdout) as { flows: Array<{ id: string; verdict: string; uncertain: boolean }> };
  };
  // eth0 in public (nothing allowed) or in trusted (everything): the clients' flow may go either way.
  const split = json(zones('<zone><interface name="eth0"/></zone>')).flows.find(
    (f) => f.id === "sip-tls-clients",
  )!;
  assert.equal(split.uncertain, true, JSON.stringify(split));
  // public allows it too: both orders agree, the verdict is certain.
  const agreed = json(
    zones('<zone><interface name="eth0"/><port protocol="tcp" port="443"/></zone>'),
  ).flows.find((f) => f.id === "sip-tls-clients")!;
  assert.deepEqual([agreed.verdict, agreed.uncertain], ["allowed", false]);
});

test("firewalld's own reading of a zone: ports coalesced, duplicates once, services before ports before rich rules before protocols", () => {
  const g = firewalldAsNft([
    {
      file: "zones/public.xml",
      text: `<zone>
  <protocol value="gre"/>
  <port protocol="tcp" port="2222"/>
  <rule><port protocol="tcp" port="8443"/><accept/></rule>
  <port protocol="tcp" port="10000-10100"/>
  <port protocol="tcp" port="1025-65535"/>
  <port protocol="tcp" port="10051"/>
  <port protocol="udp" port="3478"/>
  <service name="ssh"/>
  <service name="ssh"/>
  <protocol value="gre"/>
</zone>`,
    },
  ]);
  assert.deepEqual(
    g.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  const allow = /chain filter_IN_public_allow \{\n([^}]*)\}/.exec(g.text)![1]!.trim().split(/\n\s*/);
  assert.deepEqual(allow, [
    "tcp dport 22 accept",
    "tcp dport 1025-65535 accept",
    "udp dport 3478 accept",
    "tcp dport 8443 accept",
    "meta l4proto gre accept",
  ]);
});

test("policies through named zones: dispatched on the zones' bindings as firewalld 1.3.3 does, forwarding ones in FORWARD; inactive ones warned", () => {
  const zone = (xml: string) => `<?xml version="1.0"?>\n<zone>${xml}</zone>\n`;
  const policy = (attrs: string, zones: string) =>
    `<?xml version="1.0"?>\n<policy target="DROP" ${attrs}>\n  ${zones}\n  <port protocol="tcp" port="443"/>\n</policy>\n`;
  const files = [
    { file: "zones/public.xml", text: zone("") },
    {
      file: "zones/partners.xml",
      text: zone(
        '<interface name="ens+"/><interface name="eth1"/><interface name="eth2"/><source address="2001:db8:1::/48"/>',
      ),
    },
    { file: "zones/spare.xml", text: zone("") },
    {
      file: "policies/out.xml",
      text: policy(
        'priority="10"',
        '<ingress-zone name="HOST"/><egress-zone name="public"/><egress-zone name="partners"/>',
      ),
    },
    {
      file: "policies/in.xml",
      text: policy('priority="-10"', '<ingress-zone name="partners"/><egress-zone name="HOST"/>'),
    },
    {
      file: "policies/fwd.xml",
      text: policy("", '<ingress-zone name="partners"/><egress-zone name="ANY"/>'),
    },
    { file: "policies/idle.xml", text: policy("", '<ingress-zone name="HOST"/><egress-zone name="spare"/>') },
  ];
  const g = firewalldAsNft(files);
  assert.deepEqual(
    g.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  const chain = (name: string) =>
    new RegExp(`chain ${name} \\{\\n([\\s\\S]*?)\\n\\t\\}`).exec(g.text)?.[1]?.trim().split(/\n\s*/);
  // As firewalld 1.3.3 writes them (nft list ruleset in a namespace): a wildcard alone, the other
  // interfaces in one set, each source; the default zone bound to nothing adds nothing.
  assert.deepEqual(chain("filter_OUTPUT_POLICIES_post"), [
    'oifname "ens*" jump filter_OUT_policy_out',
    'oifname { "eth1", "eth2" } jump filter_OUT_policy_out',
    "ip6 daddr 2001:db8:1::/48 jump filter_OUT_policy_out",
  ]);
  assert.deepEqual(chain("filter_INPUT_POLICIES_pre"), [
    "jump filter_IN_policy_allow-host-ipv6",
    'iifname "ens*" jump filter_IN_policy_in',
    'iifname { "eth1", "eth2" } jump filter_IN_policy_in',
    "ip6 saddr 2001:db8:1::/48 jump filter_IN_policy_in",
  ]);
  // A policy from a zone to ANY forwards: dispatched in FORWARD on its ingress zone's bindings.
  assert.deepEqual(chain("filter_FORWARD_POLICIES_pre"), [
    'iifname "ens*" jump filter_FWD_policy_fwd',
    'iifname { "eth1", "eth2" } jump filter_FWD_policy_fwd',
    "ip6 saddr 2001:db8:1::/48 jump filter_FWD_policy_fwd",
  ]);
  assert.doesNotMatch(g.text, /policy_idle/);
  const idle = g.diagnostics.find((d) => d.code === "firewalld-inactive-policy");
  assert.equal(idle?.at?.file, "policies/idle.xml");
  assert.match(idle!.message, /none of its egress zones is bound/);
});

test("a rich rule's reject type needs its family and one of that family's types: else firewalld leaves the rule out", () => {
  const rule = (family: string, type: string) =>
    `<rule${family}><port protocol="tcp" port="25"/><reject type="${type}"/></rule>`;
  const r = readFirewalld([
    {
      file: "zones/public.xml",
      text: `<zone>${rule("", "tcp-reset")}${rule(' family="ipv6"', "icmp-host-prohibited")}${rule(' family="ipv4"', "tcp-reset")}</zone>`,
    },
  ]);
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  const left = r.diagnostics.filter((d) => /firewalld leaves the rule out/.test(d.message));
  assert.deepEqual(
    left.map((d) => d.message),
    [
      'reject type "tcp-reset" in a rule without family: firewalld leaves the rule out (INVALID_RULE)',
      'reject type "icmp-host-prohibited" is not an ipv6 type: firewalld leaves the rule out (INVALID_RULE)',
    ],
  );
  const text = firewalldAsNft([
    {
      file: "zones/public.xml",
      text: `<zone>${rule("", "tcp-reset")}${rule(' family="ipv4"', "tcp-reset")}</zone>`,
    },
  ]).text;
  assert.equal(text.match(/reject with tcp reset/g)?.length, 1);
  assert.match(text, /meta nfproto ipv4 tcp dport 25 reject with tcp reset/);
});

test("a policy's target is required and checked in every policy file, applied or not, as firewalld's reader does", () => {
  const policy = (attrs: string) =>
    `<?xml version="1.0" encoding="utf-8"?>\n<policy${attrs}>\n  <ingress-zone name="HOST"/>\n  <egress-zone name="ANY"/>\n</policy>\n`;
  const r = readFirewalld([
    { file: "policies/none.xml", text: policy("") },
    { file: "policies/bad.xml", text: policy(' target="%%REJECT%%"') },
    // A policy between two unbound zones is never applied, and still checked.
    {
      file: "policies/idle.xml",
      text: `<policy target="ALLOW"><ingress-zone name="internal"/><egress-zone name="external"/></policy>`,
    },
    { file: "policies/fine.xml", text: policy(' target="DROP"') },
  ]);
  assert.deepEqual(
    r.diagnostics
      .filter((d) => d.severity === "error")
      .map((d) => [d.at?.file, d.at?.line, d.at?.col, d.message, d.expected]),
    [
      // In policy-name order, as firewalld reads them.
      ["policies/bad.xml", 2, 1, 'policy target "%%REJECT%%"', "CONTINUE, ACCEPT, DROP or REJECT"],
      ["policies/idle.xml", 1, 1, 'policy target "ALLOW"', "CONTINUE, ACCEPT, DROP or REJECT"],
      [
        "policies/none.xml",
        2,
        1,
        "policy none has no target (firewalld refuses the configuration: a policy's target is required)",
        'target="CONTINUE", "ACCEPT", "DROP" or "REJECT"',
      ],
    ],
  );
});

test("firewalld.conf: keys firewalld 1.3.3 does not know are said (a later release's by name) and ignored, as firewalld ignores them", () => {
  const r = readFirewalld([
    {
      file: "firewalld.conf",
      text: "DefaultZone=public\nNftablesCounters=no\nStrictForwardPorts=yes\nMadeUp=1\nA=b=c\n; a comment\n",
    },
    { file: "zones/public.xml", text: '<zone><interface name="eth0"/><service name="ssh"/></zone>' },
  ]);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.at?.line, d.severity, d.message.split(":")[0]]),
    [
      [2, "warning", "NftablesCounters is a setting of firewalld 2.0 or later"],
      [3, "warning", "StrictForwardPorts is a setting of firewalld 2.3 or later"],
      [4, "warning", "MadeUp is not a firewalld v1.3.3 setting"],
      [5, "warning", '"A=b=c" is not KEY=value'],
    ],
  );
  assert.match(r.diagnostics[1]!.message, /Docker/);
  assert.ok(r.ruleset.tables.length > 0);
});
