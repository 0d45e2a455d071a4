/**
 * What firewall generators write (OpenWrt's fw4, proxmox-firewall, Docker): NAT targets without
 * `to`, masked address matches, TCP flag matches, `flush chain` commands. Each form is read from
 * the file as written (SOURCE, fw4's spelling) and from nft 1.0.6's own text and JSON listing of
 * it after `nft -f` loaded it into a namespace (LISTING, LISTING_JSON): all three to the same rules.
 * ICMP codes likewise (ICMP_SOURCE, ICMP_LISTING, ICMP_JSON).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { nftTcpFlags } from "./nft-bitwise.js";
import { nftIcmpCode } from "./nft-values.js";
import type { Rule, Ruleset } from "../ir/ruleset.js";
import { parseAddress } from "../space/address.js";
import { ctSet } from "../space/box.js";
import { IntervalSet } from "../space/interval-set.js";
import { Space } from "../space/space.js";
import { spaceText } from "../space/render.js";
import { readNftablesJson } from "./nftables-json.js";
import { readNftablesText } from "./nftables-text.js";
import type { ParsedRuleset } from "./reader.js";

const SOURCE = `table inet g {
	chain pre {
		type filter hook prerouting priority filter; policy accept;
		ip6 saddr & ::ffff == ::1 counter accept
		ip saddr & 0.0.0.255 != 0.0.0.1 counter drop
		ip daddr & 255.255.255.0 == 198.51.100.0 counter accept
		tcp flags & (fin | syn | rst | ack) == syn counter jump c1
		tcp flags & (fin | syn | rst | psh | ack | urg) == 0x0 counter drop
		tcp flags syn / syn,fin,rst counter
	}
	chain c1 {
		tcp flags & (fin | syn | rst | ack) != syn counter return
	}
	chain dstnat_g {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr 203.0.113.1 tcp dport 2222 dnat 198.51.100.2:22
		ip6 daddr 2001:db8::1 tcp dport 25 dnat [2001:db8:1000:1::1234]:25
	}
	chain srcnat_g {
		type nat hook postrouting priority srcnat; policy accept;
		ip daddr 198.51.100.2 tcp dport 22 snat 198.51.100.1
	}
}
`;
const LISTING = `table inet g {
	chain pre {
		type filter hook prerouting priority filter; policy accept;
		ip6 saddr & ::ffff == ::1 counter packets 0 bytes 0 accept
		ip saddr & 0.0.0.255 != 0.0.0.1 counter packets 0 bytes 0 drop
		ip daddr 198.51.100.0/24 counter packets 0 bytes 0 accept
		tcp flags syn / fin,syn,rst,ack counter packets 0 bytes 0 jump c1
		tcp flags ! fin,syn,rst,psh,ack,urg counter packets 0 bytes 0 drop
		tcp flags syn / fin,syn,rst counter packets 0 bytes 0
	}

	chain c1 {
		tcp flags != syn / fin,syn,rst,ack counter packets 0 bytes 0 return
	}

	chain dstnat_g {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr 203.0.113.1 tcp dport 2222 dnat ip to 198.51.100.2:22
		ip6 daddr 2001:db8::1 tcp dport 25 dnat ip6 to [2001:db8:1000:1::1234]:25
	}

	chain srcnat_g {
		type nat hook postrouting priority srcnat; policy accept;
		ip daddr 198.51.100.2 tcp dport 22 snat ip to 198.51.100.1
	}
}
`;
const LISTING_JSON = `{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"table": {"family": "inet", "name": "g", "handle": 1}}, {"chain": {"family": "inet", "table": "g", "name": "pre", "handle": 1, "type": "filter", "hook": "prerouting", "prio": 0, "policy": "accept"}}, {"chain": {"family": "inet", "table": "g", "name": "c1", "handle": 2}}, {"chain": {"family": "inet", "table": "g", "name": "dstnat_g", "handle": 3, "type": "nat", "hook": "prerouting", "prio": -100, "policy": "accept"}}, {"chain": {"family": "inet", "table": "g", "name": "srcnat_g", "handle": 4, "type": "nat", "hook": "postrouting", "prio": 100, "policy": "accept"}}, {"rule": {"family": "inet", "table": "g", "chain": "pre", "handle": 5, "expr": [{"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "ip6", "field": "saddr"}}, "::ffff"]}, "right": "::1"}}, {"counter": {"packets": 0, "bytes": 0}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "g", "chain": "pre", "handle": 6, "expr": [{"match": {"op": "!=", "left": {"&": [{"payload": {"protocol": "ip", "field": "saddr"}}, "0.0.0.255"]}, "right": "0.0.0.1"}}, {"counter": {"packets": 0, "bytes": 0}}, {"drop": null}]}}, {"rule": {"family": "inet", "table": "g", "chain": "pre", "handle": 7, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": {"prefix": {"addr": "198.51.100.0", "len": 24}}}}, {"counter": {"packets": 0, "bytes": 0}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "g", "chain": "pre", "handle": 8, "expr": [{"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, ["fin", "syn", "rst", "ack"]]}, "right": "syn"}}, {"counter": {"packets": 0, "bytes": 0}}, {"jump": {"target": "c1"}}]}}, {"rule": {"family": "inet", "table": "g", "chain": "pre", "handle": 9, "expr": [{"match": {"op": "!", "left": {"payload": {"protocol": "tcp", "field": "flags"}}, "right": ["fin", "syn", "rst", "psh", "ack", "urg"]}}, {"counter": {"packets": 0, "bytes": 0}}, {"drop": null}]}}, {"rule": {"family": "inet", "table": "g", "chain": "pre", "handle": 10, "expr": [{"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, ["fin", "syn", "rst"]]}, "right": "syn"}}, {"counter": {"packets": 0, "bytes": 0}}]}}, {"rule": {"family": "inet", "table": "g", "chain": "c1", "handle": 11, "expr": [{"match": {"op": "!=", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, ["fin", "syn", "rst", "ack"]]}, "right": "syn"}}, {"counter": {"packets": 0, "bytes": 0}}, {"return": null}]}}, {"rule": {"family": "inet", "table": "g", "chain": "dstnat_g", "handle": 12, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "203.0.113.1"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 2222}}, {"dnat": {"family": "ip", "addr": "198.51.100.2", "port": 22}}]}}, {"rule": {"family": "inet", "table": "g", "chain": "dstnat_g", "handle": 13, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "daddr"}}, "right": "2001:db8::1"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 25}}, {"dnat": {"family": "ip6", "addr": "2001:db8:1000:1::1234", "port": 25}}]}}, {"rule": {"family": "inet", "table": "g", "chain": "srcnat_g", "handle": 14, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "198.51.100.2"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 22}}, {"snat": {"family": "ip", "addr": "198.51.100.1"}}]}}]}`;

const ICMP_SOURCE = `table inet i {
	chain c {
		icmp type 3 icmp code 1 counter
		icmp type != 3 icmp code != 1 counter
		icmpv6 type . icmpv6 code { 130 . 0, 2 . 0, 4 . 1 } counter accept
		icmp code port-unreachable counter
		icmpv6 code 0-3 counter
	}
}
`;
const ICMP_LISTING = `table inet i {
	chain c {
		icmp type destination-unreachable icmp code host-unreachable counter packets 0 bytes 0
		icmp type != destination-unreachable icmp code != host-unreachable counter packets 0 bytes 0
		icmpv6 type . icmpv6 code { packet-too-big . no-route, mld-listener-query . no-route, parameter-problem . admin-prohibited } counter packets 0 bytes 0 accept
		icmp code port-unreachable counter packets 0 bytes 0
		icmpv6 code 0-3 counter packets 0 bytes 0
	}
}
`;
const ICMP_JSON = `{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"table": {"family": "inet", "name": "i", "handle": 1}}, {"chain": {"family": "inet", "table": "i", "name": "c", "handle": 1}}, {"rule": {"family": "inet", "table": "i", "chain": "c", "handle": 2, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "icmp", "field": "type"}}, "right": "destination-unreachable"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "icmp", "field": "code"}}, "right": "host-unreachable"}}, {"counter": {"packets": 0, "bytes": 0}}]}}, {"rule": {"family": "inet", "table": "i", "chain": "c", "handle": 3, "expr": [{"match": {"op": "!=", "left": {"payload": {"protocol": "icmp", "field": "type"}}, "right": "destination-unreachable"}}, {"match": {"op": "!=", "left": {"payload": {"protocol": "icmp", "field": "code"}}, "right": "host-unreachable"}}, {"counter": {"packets": 0, "bytes": 0}}]}}, {"rule": {"family": "inet", "table": "i", "chain": "c", "handle": 5, "expr": [{"match": {"op": "==", "left": {"concat": [{"payload": {"protocol": "icmpv6", "field": "type"}}, {"payload": {"protocol": "icmpv6", "field": "code"}}]}, "right": {"set": [{"concat": ["packet-too-big", "no-route"]}, {"concat": ["mld-listener-query", "no-route"]}, {"concat": ["parameter-problem", "admin-prohibited"]}]}}}, {"counter": {"packets": 0, "bytes": 0}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "i", "chain": "c", "handle": 6, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "icmp", "field": "code"}}, "right": "port-unreachable"}}, {"counter": {"packets": 0, "bytes": 0}}]}}, {"rule": {"family": "inet", "table": "i", "chain": "c", "handle": 7, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "icmpv6", "field": "code"}}, "right": {"range": ["no-route", "addr-unreachable"]}}}, {"counter": {"packets": 0, "bytes": 0}}]}}]}`;

const addr = (s: string): IntervalSet => {
  const a = parseAddress(s);
  if (!a.ok) throw new Error(s);
  return a.set;
};
const matches = (r: Rule, box: Parameters<Space["restrict"]>[0]): boolean =>
  r.match.intersects(Space.UNIVERSE.restrict(box));
const errors = (p: ParsedRuleset): string[] =>
  p.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.at?.line}:${d.at?.col} ${d.message}`);
const rulesOf = (rs: Ruleset, chain: string): Rule[] =>
  rs.tables[0]!.chains.find((c) => c.name === chain)!.rules;
const shape = (rs: Ruleset): string[] =>
  rs.tables.flatMap((t) =>
    t.chains.flatMap((c) =>
      c.rules.map(
        (r) =>
          `${c.name}: ${spaceText(r.match).join(" | ")} → ${JSON.stringify(r.action, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}${r.approximations.length ? " ~" : ""}`,
      ),
    ),
  );

const readings = (): Array<[string, ParsedRuleset]> => [
  ["source", readNftablesText(SOURCE, "gen.nft")],
  ["listing", readNftablesText(LISTING, "gen.list.nft")],
  ["json", readNftablesJson(LISTING_JSON, "gen.list.json")],
];

test("generator forms: the file, nft's text listing and its JSON listing read to the same rules", () => {
  const [first, ...listed] = readings();
  const source = first![1];
  assert.deepEqual(errors(source), []);
  for (const [name, p] of listed) {
    assert.deepEqual(errors(p), [], name);
    assert.deepEqual(shape(p.ruleset), shape(source.ruleset), name);
  }
});

test("dnat/snat without `to` (nft's nat_stmt_args): the target as with `to`", () => {
  for (const [name, p] of readings()) {
    const [v4, v6] = rulesOf(p.ruleset, "dstnat_g") as [Rule, Rule];
    assert.deepEqual(
      v4.action,
      { kind: "dnat", to: { addresses: addr("198.51.100.2"), ports: IntervalSet.of(22) } },
      name,
    );
    assert.deepEqual(
      v6.action,
      { kind: "dnat", to: { addresses: addr("2001:db8:1000:1::1234"), ports: IntervalSet.of(25) } },
      name,
    );
    assert.deepEqual(
      rulesOf(p.ruleset, "srcnat_g")[0]!.action,
      { kind: "snat", to: { addresses: addr("198.51.100.1") } },
      name,
    );
    for (const r of [v4, v6]) assert.deepEqual(r.approximations, [], name);
  }
  // A port needs a transport protocol match before it (`th dport` is none): nft refuses the rule,
  // as it refuses fw4's `meta nfproto ipv4 counter dnat 10.0.0.2:22` (tested with nft 1.0.6).
  const ports = readNftablesText(
    [
      "table ip n {",
      " chain p {",
      "  type nat hook prerouting priority dstnat;",
      "  meta nfproto ipv4 counter dnat 10.0.0.2:22",
      "  th dport 80 dnat to 10.0.0.1:8080",
      "  redirect to :80",
      "  meta l4proto { tcp, udp } dnat to 10.0.0.1:80",
      "  ip protocol tcp redirect to :80",
      "  dnat 10.0.0.3",
      " }",
      "}",
      "",
    ].join("\n"),
    "ports.nft",
  );
  assert.deepEqual(
    ports.diagnostics.map((d) => `${d.at?.line}:${d.at?.col} ${d.code}`),
    ["4:34 nft-rule", "5:23 nft-rule", "6:12 nft-rule"],
  );
  // A family or `prefix` needs `to` in nft's grammar: without it, still refused.
  const bad = readNftablesText("table ip t {\n chain c {\n  dnat ip 10.0.0.1\n }\n}\n", "bad.nft");
  assert.deepEqual(errors(bad), ["3:11 dnat without a target"]);
});

test("masked addresses: a contiguous mask is a prefix (exact), a non-contiguous one widens the rule and says so", () => {
  for (const [name, p] of readings()) {
    const [v6suffix, v4suffixNe, prefix] = rulesOf(p.ruleset, "pre") as [Rule, Rule, Rule];
    assert.deepEqual(prefix.approximations, [], name);
    assert.ok(
      matches(prefix, { dst: addr("198.51.100.7") }) && !matches(prefix, { dst: addr("198.51.101.7") }),
      name,
    );
    // `ip6 saddr & ::ffff == ::1`: IPv6 only, any address, approximated (the rule matches more);
    // negated (`ip saddr & 0.0.0.255 != 0.0.0.1`), the address left whole as well, never the
    // complement of a guess.
    const affects = (r: Rule) => r.approximations.map((a) => a.affects);
    assert.deepEqual([affects(v6suffix), affects(v4suffixNe)], [["match"], ["match"]], name);
    assert.ok(
      matches(v6suffix, { src: addr("2001:db8::2") }) && !matches(v6suffix, { src: addr("198.51.100.1") }),
      name,
    );
    assert.ok(matches(v4suffixNe, { src: addr("198.51.100.1") }), name);
  }
  const nothing = readNftablesText(
    "table ip t {\n chain c {\n  ip saddr & 255.255.0.0 == 10.1.2.0 drop\n  ip saddr & 255.255.0.0 != { 10.1.0.0, 10.2.0.0 } drop\n }\n}\n",
    "m.nft",
  );
  const [never, notTwo] = nothing.ruleset.tables[0]!.chains[0]!.rules as [Rule, Rule];
  assert.ok(never.match.isEmpty(), "a value with bits the mask clears: no address matches");
  assert.ok(!matches(notTwo, { src: addr("10.2.3.4") }) && matches(notTwo, { src: addr("10.3.0.1") }));
  assert.deepEqual([...never.approximations, ...notTwo.approximations], []);
  const wrong = readNftablesText(
    "table ip t {\n chain c {\n  ip saddr & ::ffff == 10.0.0.1 drop\n }\n}\n",
    "w.nft",
  );
  assert.deepEqual(errors(wrong), ["3:14 bad address mask ::ffff"]);
});

test("TCP flags by conntrack state, as iptables' --tcp-flags: a SYN is state new, scans match no packet of a connection", () => {
  const fresh = { ct: ctSet(["new"]) };
  const established = { ct: ctSet(["established"]) };
  for (const [name, p] of readings()) {
    const [, , , syn, scan, mss] = rulesOf(p.ruleset, "pre") as Rule[];
    assert.ok(matches(syn!, fresh) && !matches(syn!, established), name);
    assert.ok(!matches(syn!, { proto: IntervalSet.of(17) }), `${name}: tcp only`);
    // related, invalid, untracked: only some packets carry the flags — kept, and said.
    assert.match(syn!.approximations[0]!.reason, /related, invalid, untracked/, name);
    assert.ok(!matches(scan!, fresh) && !matches(scan!, established), name);
    // `syn / fin,syn,rst`: the opening SYN and the SYN-ACK (established, only some of its packets).
    assert.ok(matches(mss!, fresh) && matches(mss!, established), name);
    const notSyn = rulesOf(p.ruleset, "c1")[0]!;
    assert.ok(!matches(notSyn, fresh) && matches(notSyn, established), name);
  }
  // nft 1.0.6 loads `tcp flags syn` as `& syn != 0`; `== syn` compares all eight bits (ecn, cwr):
  // not modelled, approximated as before.
  const more = readNftablesText(
    "table inet t {\n chain c {\n  tcp flags syn,ack drop\n  tcp flags == syn drop\n }\n}\n",
    "f.nft",
  );
  const [anyOf, equal] = more.ruleset.tables[0]!.chains[0]!.rules as [Rule, Rule];
  assert.ok(matches(anyOf, fresh) && matches(anyOf, established));
  assert.deepEqual(
    equal.approximations.map((a) => a.construct),
    ["tcp flags == syn"],
  );
});

test("flush chain / delete chain commands (proxmox-firewall's ruleset flushes each chain first)", () => {
  const p = readNftablesText(
    [
      "add table inet pf",
      "add chain inet pf input {type filter hook input priority filter; policy drop;}",
      "add chain inet pf old",
      "add rule inet pf input tcp dport 22 accept",
      "flush chain inet pf input",
      "delete chain inet pf old",
      "flush chain bridge guests allow-dhcp-in",
      "table inet pf {",
      "  chain input {",
      "    tcp dport 443 accept",
      "  }",
      "}",
      "flush chain inet pf missing",
      "",
    ].join("\n"),
    "pf.nft",
  );
  assert.deepEqual(errors(p), ["13:1 flush chain: no chain missing in table inet pf"]);
  const chains = p.ruleset.tables[0]!.chains;
  assert.deepEqual(
    chains.map((c) => c.name),
    ["input"],
  );
  assert.deepEqual(
    chains[0]!.rules.map((r) => r.origin.text),
    ["tcp dport 443 accept"],
  );
  assert.equal(chains[0]!.base?.policy, "drop");
});

test("icmp code / icmpv6 code: the code byte of the type on the ICMP axis; type . code elements exact", () => {
  const at = (type: number, code: number) => ({ dport: IntervalSet.of(type * 256 + code) });
  const readingsOf = [
    readNftablesText(ICMP_SOURCE, "icmp.nft"),
    readNftablesText(ICMP_LISTING, "icmp.list.nft"),
    readNftablesJson(ICMP_JSON, "icmp.list.json"),
  ];
  const [source] = readingsOf;
  for (const p of readingsOf) {
    assert.deepEqual(errors(p), []);
    assert.deepEqual(shape(p.ruleset), shape(source!.ruleset));
    const [both, notBoth, pairs, portUnreachable, range] = p.ruleset.tables[0]!.chains[0]!.rules as Rule[];
    assert.ok(matches(both!, at(3, 1)) && !matches(both!, at(3, 0)) && !matches(both!, at(0, 1)));
    // nft 1.0.6 loads `icmp type != 3 icmp code != 1` as one two-byte comparison: approximated.
    assert.match(notBoth!.approximations[0]!.reason, /one comparison/);
    assert.deepEqual(pairs!.approximations, []);
    assert.ok(matches(pairs!, at(130, 0)) && matches(pairs!, at(4, 1)) && !matches(pairs!, at(4, 0)));
    assert.ok(!matches(pairs!, at(130, 1)) && !matches(pairs!, { proto: IntervalSet.of(1) }));
    assert.ok(matches(portUnreachable!, at(3, 3)) && matches(portUnreachable!, at(5, 3)));
    assert.ok(!matches(portUnreachable!, at(3, 1)));
    assert.ok(matches(range!, at(1, 3)) && !matches(range!, at(1, 4)));
  }
});

test("flag and code words are looked up without the prototype: `constructor` is neither", () => {
  assert.equal(nftTcpFlags("constructor"), undefined);
  assert.equal(nftIcmpCode("constructor", false), undefined);
  assert.equal(nftIcmpCode("toString", true), undefined);
  assert.equal(nftTcpFlags("syn|ack"), 0x12);
  assert.equal(nftTcpFlags("(fin | syn | rst | ack)"), 0x17);
});
