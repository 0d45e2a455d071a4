/**
 * Rows of `iptables -L -n -v` read back into options. The whole corpus and random rulesets, displayed
 * by the kernel and read, are checked in test/kernel/corpus-reload.test.ts (all read; loaded again
 * they are the same kernel ruleset); these pin the forms one by one.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { listedRow } from "./iptables-list.js";

const row = (r: string, num = false): string => {
  const x = listedRow(r, { num });
  return x.ok
    ? x.tokens.map((t) => (/\s/.test(t.text) ? `"${t.text}"` : t.text)).join(" ")
    : `error@${x.col + 1}: ${x.message}`;
};

test("columns: counters with and without -x, --line-numbers, interfaces, addresses, negations, fragments", () => {
  assert.equal(
    row(
      "1      12K  1024K ACCEPT     6    --  eth0   *       198.51.100.0/24      0.0.0.0/0            tcp dpt:5061",
      true,
    ),
    "-p 6 -i eth0 -s 198.51.100.0/24 -m tcp --dport 5061 -j ACCEPT",
  );
  assert.equal(
    row("    0     0 DROP       all  -f  !lo    *       !203.0.113.7         0.0.0.0/0"),
    "-f ! -i lo ! -s 203.0.113.7 -j DROP",
  );
  assert.equal(
    row("    0     0 ACCEPT     !17  !f  *      eth+    ::/0                 2001:db8::/32"),
    "! -p 17 ! -f -o eth+ -d 2001:db8::/32 -j ACCEPT",
  );
  // A rule without a target (a counter): the word after the protocol is its option.
  assert.equal(
    row(
      "    5   300            6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:80",
    ),
    "-p 6 -m tcp --dport 80",
  );
});

test("the last column: each known form, and the target's options after -j", () => {
  const r = (extra: string, target = "ACCEPT", prot = "6"): string =>
    row(
      `    0     0 ${target.padEnd(10)} ${prot.padEnd(4)} --  *      *       0.0.0.0/0            0.0.0.0/0            ${extra}`,
    );
  assert.equal(
    r("tcp spts:1024:65535 dpt:!22 flags:0x17/0x02"),
    "-p 6 -m tcp --sport 1024:65535 ! --dport 22 --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT",
  );
  assert.equal(r("tcp flags:!0x3F/0x00"), "-p 6 -m tcp ! --tcp-flags ALL NONE -j ACCEPT");
  assert.equal(
    r("multiport dports !80,443,8000:8080 ctstate NEW,ESTABLISHED"),
    "-p 6 -m multiport ! --dports 80,443,8000:8080 -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT",
  );
  assert.equal(
    r("icmptype 8 code 0 /* echo, and more  spaces */", "ACCEPT", "1"),
    '-p 1 -m icmp --icmp-type 8/0 -m comment --comment "echo, and more  spaces" -j ACCEPT',
  );
  assert.equal(r("icmptype 255", "ACCEPT", "1"), "-p 1 -m icmp --icmp-type any -j ACCEPT");
  // As iptables 1.8.9 prints them (each checked against the kernel's own display).
  assert.equal(
    r("! state NEW multiport dports  !80,443"),
    "-p 6 -m state ! --state NEW -m multiport ! --dports 80,443 -j ACCEPT",
  );
  assert.equal(r("sctp dpt:5060", "ACCEPT", "132"), "-p 132 -m sctp --dport 5060 -j ACCEPT");
  assert.equal(r("TTL match TTL != 64", "DROP", "0"), "-m ttl ! --ttl-eq 64 -j DROP");
  assert.equal(r("HL match HL < 3", "DROP", "0"), "-m hl --hl-lt 3 -j DROP");
  assert.equal(
    r('LOG flags 15 level 4 prefix "x y "', "LOG", "0"),
    '-j LOG --log-level 4 --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid --log-prefix "x y "',
  );
  assert.equal(r("tcp option=!2", "DROP"), "-p 6 -m tcp ! --tcp-option 2 -j DROP");
  assert.equal(r("! owner UID match 1000-2000", "DROP", "0"), "-m owner ! --uid-owner 1000-2000 -j DROP");
  assert.equal(r("owner socket exists", "ACCEPT", "0"), "-m owner --socket-exists -j ACCEPT");
  // hashlimit's display leaves out the table's name, which the rule cannot be loaded without.
  assert.match(r("limit: up to 10/sec burst 5 mode srcip", "ACCEPT", "0"), /is not read/);
  assert.equal(
    r("[goto]  destination IP range ! 198.51.100.90-198.51.100.105", "c1", "0"),
    "-m iprange ! --dst-range 198.51.100.90-198.51.100.105 -g c1",
  );
  assert.equal(r("ipv6-icmptype 135", "ACCEPT", "58"), "-p 58 -m icmp6 --icmpv6-type 135 -j ACCEPT");
  assert.equal(
    r('limit: avg 5/min burst 5 LOG flags 0 level 4 prefix "[UFW BLOCK] "', "LOG", "0"),
    '-m limit --limit 5/min --limit-burst 5 -j LOG --log-level 4 --log-prefix "[UFW BLOCK] "',
  );
  assert.equal(
    r("udp dpt:53 reject-with icmp-port-unreachable", "REJECT", "17"),
    "-p 17 -m udp --dport 53 -j REJECT --reject-with icmp-port-unreachable",
  );
  assert.equal(
    r("ADDRTYPE match dst-type !LOCAL limit-in", "DROP", "0"),
    "-m addrtype ! --dst-type LOCAL --limit-in -j DROP",
  );
  assert.equal(
    r(
      "state NEW tcp dpt:22 recent: UPDATE seconds: 60 hit_count: 4 name: SSH side: source mask: 255.255.255.255",
      "DROP",
    ),
    "-p 6 -m state --state NEW -m tcp --dport 22 -m recent --update --seconds 60 --hitcount 4 --name SSH --rsource --mask 255.255.255.255 -j DROP",
  );
  assert.equal(
    r("tcp dpt:443 to:203.0.113.10:8443", "DNAT"),
    "-p 6 -m tcp --dport 443 -j DNAT --to-destination 203.0.113.10:8443",
  );
});

test("what is not read is refused at its column: names (no -n), no counters (no -v), an unknown form", () => {
  assert.match(
    row(
      "    0     0 ACCEPT     tcp  --  *      *       anywhere             anywhere             tcp dpt:ssh",
    ),
    /^error@48: the address anywhere is a name \(the display was made without -n\)$/,
  );
  assert.match(
    row("ACCEPT     tcp  --  0.0.0.0/0            0.0.0.0/0"),
    /^error@1: expected the packet and byte counters \(-v\)$/,
  );
  const unknown = row(
    '    0     0 ACCEPT     6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:22 string match "x" ALGO name bm',
  );
  assert.match(
    unknown,
    /^error@101: `string match "x" ALGO name bm` is not read from an `iptables -L` display$/,
  );
  // iptables prints a log prefix between quotes without escaping its own: `"a "b" "` cannot be split.
  assert.match(
    row(
      '    0     0 LOG        0    --  *      *       0.0.0.0/0            0.0.0.0/0            LOG flags 0 level 4 prefix "a "b" "',
    ),
    /^error@\d+: a quoted string without its end$/,
  );
  // A target's print under another target is not read as its options.
  assert.match(
    row(
      "    0     0 ACCEPT     0    --  *      *       0.0.0.0/0            0.0.0.0/0            reject-with tcp-reset",
    ),
    /is not read/,
  );
});
