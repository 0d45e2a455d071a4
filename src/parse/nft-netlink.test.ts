/**
 * The family tests nft 1.0.6's listing drops, put back from the rules' bytecode: a real dump and
 * listing (`nft --debug=netlink list ruleset`, `nft -j list ruleset`, nft 1.0.6 on Debian 12) of
 *
 *   table inet mt { set s { type ipv4_addr; elements = { 198.51.100.1, 198.51.100.2 } }
 *     chain cx { type filter hook input priority 0; policy accept;
 *       meta nfproto ipv4 tcp dport 22 reject with tcp reset                   # handle 3
 *       ip saddr @s tcp dport { 80, 443 } counter reject with tcp reset         # 5
 *       meta nfproto != ipv6 tcp dport 25 reject with tcp reset                # 6
 *       meta nfproto { ipv4, ipv6 } tcp dport 26 reject with tcp reset         # 8
 *       tcp dport 28 meta nfproto ipv6 counter reject with tcp reset }}        # 9
 *   table ip t4 { chain c { type filter hook input priority 0; tcp dport 27 reject with tcp reset }}
 *
 * The listing prints handle 3 as `tcp dport 22 reject with tcp reset`. test/apply/live-families
 * checks the same against a kernel through `audit --live`.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { liveListing, netlinkFamilyTests, ruleLayout, withKernelFamilyTests } from "./nft-netlink.js";
import { ALL_V4, ALL_V6 } from "../space/address.js";
import { Space } from "../space/space.js";
import { readNftablesJson } from "./nftables-json.js";

const DUMP = `inet mt @s
	element 026433c6  : 0 [end]
	element 016433c6  : 0 [end]
inet mt @__set0
	element 00005000  : 0 [end]
	element 0000bb01  : 0 [end]
inet mt @__set1
	element 00000002  : 0 [end]
	element 0000000a  : 0 [end]
inet mt cx 3
  [ meta load nfproto => reg 1 ]
  [ cmp eq reg 1 0x00000002 ]
  [ meta load l4proto => reg 1 ]
  [ cmp eq reg 1 0x00000006 ]
  [ payload load 2b @ transport header + 2 => reg 1 ]
  [ cmp eq reg 1 0x00001600 ]
  [ reject type 1 code 0 ]

inet mt cx 5 3
  [ meta load nfproto => reg 1 ]
  [ cmp eq reg 1 0x00000002 ]
  [ payload load 4b @ network header + 12 => reg 1 ]
  [ lookup reg 1 set s 0x0 ]
  [ meta load l4proto => reg 1 ]
  [ cmp eq reg 1 0x00000006 ]
  [ payload load 2b @ transport header + 2 => reg 1 ]
  [ lookup reg 1 set __set0 0x0 ]
  [ counter pkts 0 bytes 0 ]
  [ reject type 1 code 0 ]

inet mt cx 6 5
  [ meta load nfproto => reg 1 ]
  [ cmp neq reg 1 0x0000000a ]
  [ meta load l4proto => reg 1 ]
  [ cmp eq reg 1 0x00000006 ]
  [ payload load 2b @ transport header + 2 => reg 1 ]
  [ cmp eq reg 1 0x00001900 ]
  [ reject type 1 code 0 ]

inet mt cx 8 6
  [ meta load nfproto => reg 1 ]
  [ lookup reg 1 set __set1 0x0 ]
  [ meta load l4proto => reg 1 ]
  [ cmp eq reg 1 0x00000006 ]
  [ payload load 2b @ transport header + 2 => reg 1 ]
  [ cmp eq reg 1 0x00001a00 ]
  [ reject type 1 code 0 ]

inet mt cx 9 8
  [ meta load l4proto => reg 1 ]
  [ cmp eq reg 1 0x00000006 ]
  [ payload load 2b @ transport header + 2 => reg 1 ]
  [ cmp eq reg 1 0x00001c00 ]
  [ meta load nfproto => reg 1 ]
  [ cmp eq reg 1 0x0000000a ]
  [ counter pkts 0 bytes 0 ]
  [ reject type 1 code 0 ]

ip t4 c 2
  [ meta load l4proto => reg 1 ]
  [ cmp eq reg 1 0x00000006 ]
  [ payload load 2b @ transport header + 2 => reg 1 ]
  [ cmp eq reg 1 0x00001b00 ]
  [ reject type 1 code 0 ]
`;

const LISTING =
  '{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"table": {"family": "inet", "name": "mt", "handle": 1}}, {"set": {"family": "inet", "name": "s", "table": "mt", "type": "ipv4_addr", "handle": 2, "elem": ["198.51.100.1", "198.51.100.2"]}}, {"chain": {"family": "inet", "table": "mt", "name": "cx", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}}, {"rule": {"family": "inet", "table": "mt", "chain": "cx", "handle": 3, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 22}}, {"reject": {"type": "tcp reset"}}]}}, {"rule": {"family": "inet", "table": "mt", "chain": "cx", "handle": 5, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "@s"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": {"set": [80, 443]}}}, {"counter": {"packets": 0, "bytes": 0}}, {"reject": {"type": "tcp reset"}}]}}, {"rule": {"family": "inet", "table": "mt", "chain": "cx", "handle": 6, "expr": [{"match": {"op": "!=", "left": {"meta": {"key": "nfproto"}}, "right": "ipv6"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 25}}, {"reject": {"type": "tcp reset"}}]}}, {"rule": {"family": "inet", "table": "mt", "chain": "cx", "handle": 8, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "nfproto"}}, "right": {"set": ["ipv4", "ipv6"]}}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 26}}, {"reject": {"type": "tcp reset"}}]}}, {"rule": {"family": "inet", "table": "mt", "chain": "cx", "handle": 9, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 28}}, {"match": {"op": "==", "left": {"meta": {"key": "nfproto"}}, "right": "ipv6"}}, {"counter": {"packets": 0, "bytes": 0}}, {"reject": {"type": "tcp reset"}}]}}, {"table": {"family": "ip", "name": "t4", "handle": 2}}, {"chain": {"family": "ip", "table": "t4", "name": "c", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}}, {"rule": {"family": "ip", "table": "t4", "chain": "c", "handle": 2, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 27}}, {"reject": {"type": "tcp reset"}}]}}]}';

type Rule = { handle: number; expr: unknown[] };
const rules = (json: string): Rule[] =>
  (JSON.parse(json) as { nftables: Array<{ rule?: Rule }> }).nftables.flatMap((x) =>
    x.rule ? [x.rule] : [],
  );

test("the bytecode's meta nfproto tests, by rule", () => {
  assert.deepEqual(
    [...netlinkFamilyTests(DUMP)],
    [
      ["inet mt cx 3", [{ op: "==", family: "ipv4" }]],
      ["inet mt cx 5", [{ op: "==", family: "ipv4" }]],
      ["inet mt cx 6", [{ op: "!=", family: "ipv6" }]],
      ["inet mt cx 9", [{ op: "==", family: "ipv6" }]],
    ],
  );
});

test("only the test the listing dropped is put back, in front of its rule", () => {
  assert.ok(!LISTING.includes('"right": "ipv4"'), "the listing has no ipv4 test");
  const { text, restored } = withKernelFamilyTests(LISTING, DUMP);
  assert.equal(restored, 1);
  const after = rules(text);
  const before = rules(LISTING);
  assert.deepEqual(after[0]!.expr[0], {
    match: { op: "==", left: { meta: { key: "nfproto" } }, right: "ipv4" },
  });
  assert.deepEqual(after[0]!.expr.slice(1), before[0]!.expr);
  // 5: implied by ip saddr; 6, 9: listed already; 8: a set lookup (no cmp); t4: an ip table.
  assert.deepEqual(after.slice(1), before.slice(1));
  // Read: the rule is IPv4 only, as the kernel runs it.
  const read = readNftablesJson(text, "kernel");
  assert.deepEqual(read.diagnostics, []);
  const r = read.ruleset.tables[0]!.chains[0]!.rules[0]!;
  assert.equal(r.origin.text, "meta nfproto ipv4 tcp dport 22 reject with tcp reset");
  assert.ok(r.match.intersect(Space.box({ src: ALL_V6, dst: ALL_V6 })).isEmpty());
  assert.ok(!r.match.intersect(Space.box({ src: ALL_V4, dst: ALL_V4 })).isEmpty());
});

test("nothing to put back: the text as it came; the layout ignores counters", () => {
  // Handle 3's test taken out of its bytecode: the others are listed or implied already.
  const without = DUMP.replace(
    "inet mt cx 3\n  [ meta load nfproto => reg 1 ]\n  [ cmp eq reg 1 0x00000002 ]\n",
    "inet mt cx 3\n",
  );
  assert.notEqual(without, DUMP);
  const same = withKernelFamilyTests(LISTING, without);
  assert.equal(same.restored, 0);
  assert.equal(same.text, LISTING);
  assert.equal(withKernelFamilyTests("not json", DUMP).text, "not json");
  assert.equal(ruleLayout(DUMP.replace(/pkts 0 bytes 0/g, "pkts 12 bytes 960")), ruleLayout(DUMP));
  assert.notEqual(ruleLayout(DUMP.replace("inet mt cx 9 8", "inet mt cx 10 8")), ruleLayout(DUMP));
});

test("with iptables-nft's tables left out: every object of ip/ip6 filter, nat, … goes, the rest stays", () => {
  const doc = {
    nftables: [
      { metainfo: { version: "1.0.6" } },
      { table: { family: "ip", name: "filter", handle: 1 } },
      { chain: { family: "ip", table: "filter", name: "INPUT", handle: 1 } },
      {
        rule: {
          family: "ip",
          table: "filter",
          chain: "INPUT",
          handle: 2,
          expr: [{ xt: { type: "match", name: "multiport" } }],
        },
      },
      { set: { family: "ip", table: "filter", name: "s", handle: 3 } },
      { "ct helper": { family: "ip6", table: "nat", name: "h", handle: 4 } },
      { table: { family: "inet", name: "filter", handle: 2 } },
      { rule: { family: "inet", table: "filter", chain: "input", handle: 3, expr: [{ accept: null }] } },
      { table: { family: "ip", name: "mine", handle: 3 } },
    ],
  };
  const { text } = liveListing(JSON.stringify(doc), "", { dropXtables: true });
  const kept = (JSON.parse(text) as { nftables: Array<Record<string, { family?: string; name?: string }>> })
    .nftables;
  assert.deepEqual(
    kept.map((o) => Object.keys(o)[0]),
    ["metainfo", "table", "rule", "table"],
  );
  assert.equal(liveListing(JSON.stringify(doc), "", { dropXtables: false }).text, JSON.stringify(doc));
});
