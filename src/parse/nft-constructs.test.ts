/**
 * nft constructs beyond plain matches, in the text and the JSON form of one kernel listing (both
 * printed by nft 1.0.6 from the same ruleset): verdict maps (named, anonymous, by port, address
 * and concatenation), concatenated set lookups, reject with tcp reset, and the nft 1.0.6 merge of
 * adjacent `!=` matches. The kernel itself checks the verdict maps in test/kernel/differential.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Ruleset } from "../ir/ruleset.js";
import { spaceText } from "../space/render.js";
import { readNftablesJson } from "./nftables-json.js";
import { readNftablesText } from "./nftables-text.js";

const TEXT = `table inet t {
	map m {
		type inet_service : verdict
		flags interval
		counter
		elements = { 80 counter packets 0 bytes 0 : accept, 100-200 counter packets 0 bytes 0 : jump c1, 5061 counter packets 0 bytes 0 : drop }
	}
	set s {
		type ipv4_addr . inet_service
		elements = { 198.51.100.1 . 80 }
	}
	chain c1 {
		counter packets 0 bytes 0 return
	}
	chain pre {
		type filter hook prerouting priority filter; policy accept;
		counter packets 0 bytes 0 tcp dport vmap @m
		ip saddr . udp dport vmap { 198.51.100.1 . 53 : accept }
		ip daddr . tcp dport @s counter packets 0 bytes 0 accept
		meta l4proto tcp reject with tcp reset
	}
}
`;
const JSON_DOC = JSON.stringify({
  nftables: [
    { metainfo: { version: "1.0.6", json_schema_version: 1 } },
    { table: { family: "inet", name: "t", handle: 1 } },
    {
      map: {
        family: "inet",
        name: "m",
        table: "t",
        type: "inet_service",
        handle: 3,
        map: "verdict",
        flags: ["interval"],
        elem: [
          [{ elem: { val: 80, counter: { packets: 0, bytes: 0 } } }, { accept: null }],
          [
            { elem: { val: { range: [100, 200] }, counter: { packets: 0, bytes: 0 } } },
            { jump: { target: "c1" } },
          ],
          [{ elem: { val: 5061, counter: { packets: 0, bytes: 0 } } }, { drop: null }],
        ],
        stmt: [{ counter: null }],
      },
    },
    {
      set: {
        family: "inet",
        name: "s",
        table: "t",
        type: ["ipv4_addr", "inet_service"],
        handle: 5,
        elem: [{ concat: ["198.51.100.1", 80] }],
      },
    },
    { chain: { family: "inet", table: "t", name: "c1", handle: 1 } },
    {
      chain: {
        family: "inet",
        table: "t",
        name: "pre",
        handle: 2,
        type: "filter",
        hook: "prerouting",
        prio: 0,
        policy: "accept",
      },
    },
    {
      rule: {
        family: "inet",
        table: "t",
        chain: "c1",
        handle: 6,
        expr: [{ counter: { packets: 0, bytes: 0 } }, { return: null }],
      },
    },
    {
      rule: {
        family: "inet",
        table: "t",
        chain: "pre",
        handle: 7,
        expr: [
          { counter: { packets: 0, bytes: 0 } },
          { vmap: { key: { payload: { protocol: "tcp", field: "dport" } }, data: "@m" } },
        ],
      },
    },
    {
      rule: {
        family: "inet",
        table: "t",
        chain: "pre",
        handle: 13,
        expr: [
          {
            vmap: {
              key: {
                concat: [
                  { payload: { protocol: "ip", field: "saddr" } },
                  { payload: { protocol: "udp", field: "dport" } },
                ],
              },
              data: { set: [[{ concat: ["198.51.100.1", 53] }, { accept: null }]] },
            },
          },
        ],
      },
    },
    {
      rule: {
        family: "inet",
        table: "t",
        chain: "pre",
        handle: 11,
        expr: [
          {
            match: {
              op: "==",
              left: {
                concat: [
                  { payload: { protocol: "ip", field: "daddr" } },
                  { payload: { protocol: "tcp", field: "dport" } },
                ],
              },
              right: "@s",
            },
          },
          { counter: { packets: 0, bytes: 0 } },
          { accept: null },
        ],
      },
    },
    {
      rule: {
        family: "inet",
        table: "t",
        chain: "pre",
        handle: 14,
        expr: [
          { match: { op: "==", left: { meta: { key: "l4proto" } }, right: "tcp" } },
          { reject: { type: "tcp reset" } },
        ],
      },
    },
  ],
});

const summary = (rs: Ruleset): string[] =>
  rs.tables.flatMap((t) =>
    t.chains.flatMap((c) =>
      c.rules.map((r) => {
        const a = r.action;
        const act = a.kind === "jump" || a.kind === "goto" ? `${a.kind} ${a.chain}` : a.kind;
        return `${c.name}: ${spaceText(r.match).join(" | ")} → ${act}${r.approximations.length ? " (approx)" : ""}`;
      }),
    ),
  );

const EXPECTED = [
  "c1: any from any to any → return",
  "pre: tcp dport 80 from any to any → accept",
  "pre: tcp dport 100-200 from any to any → jump c1",
  "pre: tcp dport 5061 from any to any → drop",
  "pre: udp dport 53 from 198.51.100.1 to any4 → accept",
  "pre: tcp dport 80 from any4 to 198.51.100.1 → accept",
  "pre: tcp from any to any → reject",
];

test("verdict maps, concatenations and reject with tcp reset: text and JSON read alike, exactly", () => {
  const text = readNftablesText(TEXT, "t.nft");
  const json = readNftablesJson(JSON_DOC, "t.json");
  assert.deepEqual(text.diagnostics, []);
  assert.deepEqual(json.diagnostics, []);
  assert.deepEqual(summary(text.ruleset), EXPECTED);
  assert.deepEqual(summary(json.ruleset), EXPECTED);
});

test("a named vmap's element verdicts decide (issue 14: 5061 : drop was read as allowed)", () => {
  const r = readNftablesText(
    `table inet f {
  map sip { type inet_service : verdict; elements = { 5061 : drop, 5269 : accept } }
  chain input { type filter hook input priority 0; policy accept;
    tcp dport vmap @sip
  }
}`,
    "f.nft",
  );
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(summary(r.ruleset), [
    "input: tcp dport 5061 from any to any → drop",
    "input: tcp dport 5269 from any to any → accept",
  ]);
});

test("an undeclared map, a data map and a dynamic set are said, never read as matching nothing", () => {
  const r = readNftablesText(
    `table inet f {
  map ports { type inet_service : ipv4_addr; elements = { 80 : 198.51.100.1 } }
  set seen { type ipv4_addr; flags dynamic,timeout; timeout 1m }
  chain input { type filter hook input priority 0; policy accept;
    tcp dport vmap @nothere
    tcp dport vmap @ports
    ip saddr @seen drop
  }
}`,
    "f.nft",
  );
  assert.deepEqual(
    r.diagnostics.map((d) => `${d.at?.line}:${d.at?.col} ${d.message}`),
    ["5:20 map @nothere is not declared in table f", "6:20 @ports is not a verdict map"],
  );
  const seen = r.ruleset.tables[0]!.chains[0]!.rules.at(-1)!;
  assert.match(seen.approximations[0]!.reason, /dynamic state/);
});

test("nft 1.0.6 merges two adjacent != matches: an approximation, not an exact rule", () => {
  const r = readNftablesText(
    `table inet f { chain c { type filter hook input priority 0; policy accept;
    udp sport != 1555 udp dport != 808 accept
    udp sport != 1555 udp dport != 800-808 accept
  } }`,
    "f.nft",
  );
  const [merged, range] = r.ruleset.tables[0]!.chains[0]!.rules;
  assert.equal(merged!.approximations.length, 1);
  assert.equal(merged!.approximations[0]!.construct, "udp sport != 1555 udp dport != 808");
  assert.equal(range!.approximations.length, 0);
});

test("hand-written nftables.conf: define, split headers, objects, dormant tables, bindings, names", () => {
  const r = readNftablesText(
    `#!/usr/sbin/nft -f
flush ruleset;
define wan = "eth0"
define web = { http, https }
define admins = { 198.51.100.7/24, 203.0.113.0/24 }
table inet off { flags dormant; chain c { type filter hook input priority 0; policy drop; } }
table inet f {
  limit lim { rate 10/second }
  counter cnt { packets 0 bytes 0 }
  chain input {
    type filter hook input
      priority filter
    policy drop
    iifname $wan tcp dport $web accept
    ip saddr $admins tcp dport ssh accept
    ip daddr !=198.51.100.0/24 meta l4proto { ospf, vrrp } jump { accept; }
    icmpv6 type { mld-listener-query, nd-router-advert } accept
    reject with icmpx admin-prohibited
  }
}
`,
    "nftables.conf",
  );
  assert.deepEqual(
    r.diagnostics.map((d) => `${d.severity} ${d.code} ${d.at?.line}`),
    ["warning nft-unsupported-object 8", "warning nft-unsupported-object 9", "warning nft-dormant 6"],
  );
  assert.deepEqual(summary(r.ruleset), [
    "input: tcp dport {80, 443} from any to any iif eth0 → accept",
    "input: tcp dport 22 from {198.51.100.0/24, 203.0.113.0/24} to any4 → accept",
    "input: {proto 89, proto 112} from any4 to {0.0.0.0-198.51.99.255, 198.51.101.0-255.255.255.255} → jump input.binding#1",
    // ICMPv6 types 130 and 134 (on the dport axis as type·256+code: 33280-33535, 34304-34559).
    "input: icmpv6 type {mld-listener-query, nd-router-advert} from any6 to any6 → accept",
    "input: any from any to any → reject",
    "input.binding#1: any from any to any → accept",
  ]);
  assert.deepEqual(r.ruleset.tables[0]!.chains[0]!.base, {
    hook: "input",
    priority: 0,
    type: "filter",
    policy: "drop",
  });
});

test("nft command files: add table/chain/set/element/rule, insert rule", () => {
  const r = readNftablesText(
    `add table inet filter
add chain inet filter input { type filter hook input priority 0 ; policy drop ; }
add set inet filter ok { type ipv4_addr; }
add element inet filter ok { 198.51.100.1 }
add rule inet filter input ip saddr @ok accept
insert rule inet filter input ct state established accept
add rule inet filter nope accept
`,
    "cmds.nft",
  );
  assert.deepEqual(
    r.diagnostics.map((d) => `${d.code} ${d.at?.line}`),
    ["nft-unknown-chain 7"],
  );
  assert.deepEqual(summary(r.ruleset), [
    "input: any from any to any ct established → accept",
    "input: any from 198.51.100.1 to any4 → accept",
  ]);
});

test("a host name, an unknown service and an undefined variable are named as such", () => {
  const r = readNftablesText(
    `table inet f { chain c { type filter hook input priority 0;
  ip daddr www.example.org drop
  tcp dport irc accept
  udp dport $dns accept
} }`,
    "f.nft",
  );
  assert.deepEqual(
    r.diagnostics.map((d) => d.message),
    [
      "host name www.example.org: nft resolves it when it loads the ruleset, so what it matches is not in the file",
      "unknown service name irc (not in Debian netbase's /etc/services)",
      "undefined variable $dns",
    ],
  );
});

test("a verdict map with run-time content and queue may decide the verdict: said so, not an observer", () => {
  const r = readNftablesText(
    `table inet f {
  map dyn { type ipv4_addr : verdict; flags dynamic; }
  chain input { type filter hook input priority 0; policy accept;
    ip saddr vmap @dyn
    tcp dport 8080 queue num 1
    ip saddr . meta mark vmap { 198.51.100.1 . 0x1 : drop }
    meta mark set 1
  }
}`,
    "f.nft",
  );
  assert.deepEqual(r.diagnostics, []);
  const rules = r.ruleset.tables[0]!.chains[0]!.rules;
  assert.deepEqual(
    rules.map((x) => x.approximations.some((a) => a.affects === "action")),
    [true, true, false, false],
  );
  // A concatenation part not modelled (meta mark) is taken as any value; the element still decides.
  assert.equal(spaceText(rules[2]!.match).join(" | "), "any from 198.51.100.1 to any4");
  assert.deepEqual(rules[2]!.action, { kind: "drop" });
  assert.equal(rules[2]!.approximations[0]!.construct, "meta mark");
});

/** The rules of one input chain `c` holding `body`. */
const chainRules = (body: string): string[] =>
  summary(
    readNftablesText(`table inet f { chain c { type filter hook input priority 0;\n${body}}\n}\n`, "f.nft")
      .ruleset,
  );

test("a backslash at the end of a line continues the rule (was: two rules, the second accepting all new)", () => {
  assert.deepEqual(
    chainRules(" tcp dport ssh \\\n   ct state new accept\n udp dport 53 accept # not continued \\\n"),
    ["c: tcp dport 22 from any to any ct new → accept", "c: udp dport 53 from any to any → accept"],
  );
});

test("an interface wildcard widens the match (every name) and says so, never narrows it to a literal", () => {
  assert.deepEqual(chainRules(' iifname "eth*" drop\n iifname != { "lo", "wg*" } accept\n'), [
    'c: any from any to any iif !"" → drop (approx)',
    'c: any from any to any iif !{"", lo} → accept (approx)',
  ]);
});
