/**
 * IPv6 extension header matches against the kernel: ip6tables `-m frag`, `-m hbh`, `-m dst`, `-m rt`
 * (options and negations included) and nftables `exthdr X exists|missing` and header fields (`frag
 * more-fragments 1`, `rt type 0`, `hbh nexthdr tcp`) are loaded as counting rules (no verdict) in
 * prerouting; plain TCP, UDP and ICMPv6 packets — the packets the audit judges — and packets with
 * each header are sent over a veth pair. The readers take each such rule to match none of the
 * plain packets (`outsideModel`; `missing` every IPv6 one), hop-by-hop ones MLD messages at most
 * (which carry that header: an MLDv2 report with its Router Alert is sent too): the kernel's
 * counters must say the same of the plain packets, and count the headers' packets on their rules
 * (the rules are live; what the audit leaves out is packets it does not judge).
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import type { Rule } from "../../src/ir/ruleset.js";
import { readIptablesSave } from "../../src/parse/iptables-save.js";
import { readNftablesJson } from "../../src/parse/nftables-json.js";
import { readNftablesText } from "../../src/parse/nftables-text.js";
import { mldMessages } from "../../src/parse/extension-headers.js";
import { ALL_V6 } from "../../src/space/address.js";
import { Space } from "../../src/space/space.js";
import { spaceText } from "../../src/space/render.js";
import { ROOT } from "../cli/run-cli.js";
import { kernelSkipReason, makePair } from "./netns.js";

const skip = kernelSkipReason(["nft", "ip6tables-restore", "python3"]);
const HERE = dirname(fileURLToPath(import.meta.url));
const SEND = [join(HERE, "send.py"), join(ROOT, "test", "kernel", "send.py")].find((p) => existsSync(p))!;

const SRC = "2001:db8:1::5";
const DST = "2001:db8::10";
/** Plain packets: TCP SYN to 5061, UDP to 3478, an ICMPv6 echo request (type 128 << 8). */
const PLAIN = [`6 6 ${SRC} ${DST} 40000 5061`, `6 17 ${SRC} ${DST} 40001 3478`, `6 58 ${SRC} ${DST} 0 32768`];
const HEADERS = ["hbh", "dst", "rt", "frag", "mld"] as const;
/** A TCP SYN behind each header; "mld": an MLDv2 report (type 143) behind a hop-by-hop header. */
const WITH_HEADER = HEADERS.map((h) =>
  h === "mld" ? `6 58 ${SRC} ff02::16 0 ${143 << 8} hbh` : `6 6 ${SRC} ${DST} 40002 5061 ${h}`,
);
/** What the readers make of a rule over the packets judged: none, every IPv6 one, or MLD at most. */
type Reading = "none" | "all" | "mld";

/** Rule text → the headers whose packets the kernel must count on it (besides no plain packet). */
const IPTABLES: Array<[string, string[], Reading]> = [
  ["-m frag", ["frag"], "none"],
  ["-m frag --fragid 0:100000 --fragfirst", ["frag"], "none"],
  ["-m frag ! --fragid 1", ["frag"], "none"],
  ["-m hbh", ["hbh", "mld"], "mld"],
  ["-m hbh ! --hbh-len 16", ["hbh", "mld"], "mld"],
  ["-m dst", ["dst"], "none"],
  ["-m rt --rt-type 0", ["rt"], "none"],
  ["-m rt ! --rt-type 2", ["rt"], "none"],
];

const NFT: Array<[string, string[], Reading]> = [
  ["exthdr frag exists", ["frag"], "none"],
  ["exthdr hbh exists", ["hbh", "mld"], "mld"],
  ["exthdr dst exists", ["dst"], "none"],
  ["exthdr rt exists", ["rt"], "none"],
  ["exthdr frag missing", ["hbh", "dst", "rt", "mld"], "all"],
  ["frag more-fragments 0", ["frag"], "none"],
  ["frag frag-off != 1", ["frag"], "none"],
  ["rt type 0", ["rt"], "none"],
  ["hbh nexthdr tcp", ["hbh"], "mld"],
];

/** The reader's reading of one rule is `want`. */
function readAs(r: Rule, want: Reading, what: string): void {
  if (want === "all") {
    assert.deepEqual(r.approximations, [], what);
    assert.ok(r.match.contains(Space.box({ src: ALL_V6, dst: ALL_V6 })), what);
    return;
  }
  if (want === "none") assert.ok(r.match.isEmpty(), what);
  else assert.deepEqual(spaceText(r.match), spaceText(mldMessages()), what);
  assert.equal(r.approximations.length, 1, what);
  assert.equal(r.approximations[0]!.outsideModel, want === "none" ? true : undefined, what);
}

function send(pair: ReturnType<typeof makePair>, lines: string[]): void {
  const sent = pair.run(pair.cli, ["python3", SEND, "cliv", pair.fwMac], lines.join("\n") + "\n");
  assert.equal(Number(sent.trim()), lines.length);
}

/** The packets each rule counted, in rule order, after sending `lines` (the counters zeroed before). */
type Counts = () => number[];

function deltas(pair: ReturnType<typeof makePair>, counts: Counts, lines: string[]): number[] {
  const before = counts();
  send(pair, lines);
  return counts().map((n, i) => n - before[i]!);
}

test(
  "ip6tables -m frag/hbh/dst/rt: no plain packet counted, as the reader says; the headers' packets are",
  { skip },
  () => {
    const pair = makePair();
    try {
      const rules = [...IPTABLES.map(([r]) => `-A PREROUTING ${r}`), "-A PREROUTING"];
      pair.run(pair.fw, ["ip6tables-restore"], ["*mangle", ...rules, "COMMIT", ""].join("\n"));
      const counts: Counts = () =>
        pair
          .run(pair.fw, ["ip6tables-save", "-c", "-t", "mangle"])
          .split("\n")
          .filter((l) => /^\[\d+:\d+\] -A PREROUTING/.test(l))
          .map((l) => Number(/^\[(\d+):/.exec(l)![1]));
      // What the reader makes of the kernel's own listing.
      const read = readIptablesSave(pair.run(pair.fw, ["ip6tables-save", "-t", "mangle"]), "ip6tables-save");
      assert.deepEqual(read.diagnostics, []);
      const chain = read.ruleset.tables[0]!.chains.find((c) => c.name === "PREROUTING")!;
      assert.equal(chain.rules.length, IPTABLES.length + 1);
      IPTABLES.forEach(([t, , want], i) => readAs(chain.rules[i]!, want, t));

      const plain = deltas(pair, counts, PLAIN);
      assert.deepEqual(plain, [...IPTABLES.map(() => 0), PLAIN.length], "plain packets");
      for (const h of HEADERS) {
        const got = deltas(pair, counts, [WITH_HEADER[HEADERS.indexOf(h)]!]);
        assert.deepEqual(
          got,
          [...IPTABLES.map(([, hs]) => (hs.includes(h) ? 1 : 0)), 1],
          `a packet with ${h}`,
        );
      }
    } finally {
      pair.close();
    }
  },
);

test(
  "nftables exthdr and header fields: as the readers (text and JSON) say of plain packets; the headers' packets counted",
  { skip },
  () => {
    const pair = makePair();
    try {
      const body = [...NFT.map(([r]) => `\t\t${r} counter`), "\t\tcounter"].join("\n");
      pair.run(
        pair.fw,
        ["nft", "-f", "-"],
        `table inet t {\n\tchain pre {\n\t\ttype filter hook prerouting priority 0; policy accept;\n${body}\n\t}\n}\n`,
      );
      const counts: Counts = () => {
        const j = JSON.parse(pair.run(pair.fw, ["nft", "-j", "list", "ruleset"])) as {
          nftables: Array<{ rule?: { expr: Array<{ counter?: { packets: number } }> } }>;
        };
        return j.nftables.flatMap((x) =>
          x.rule ? [x.rule.expr.find((e) => e.counter)!.counter!.packets] : [],
        );
      };
      const text = readNftablesText(pair.run(pair.fw, ["nft", "list", "ruleset"]), "nft list ruleset");
      const json = readNftablesJson(
        pair.run(pair.fw, ["nft", "-j", "list", "ruleset"]),
        "nft -j list ruleset",
      );
      for (const read of [text, json]) {
        assert.deepEqual(read.diagnostics, []);
        const rules: Rule[] = read.ruleset.tables[0]!.chains[0]!.rules;
        assert.equal(rules.length, NFT.length + 1);
        NFT.forEach(([t, , want], i) => readAs(rules[i]!, want, t));
      }

      const plain = deltas(pair, counts, PLAIN);
      assert.deepEqual(
        plain,
        [...NFT.map(([, , p]) => (p === "all" ? PLAIN.length : 0)), PLAIN.length],
        "plain packets",
      );
      for (const h of HEADERS) {
        const got = deltas(pair, counts, [WITH_HEADER[HEADERS.indexOf(h)]!]);
        assert.deepEqual(got, [...NFT.map(([, hs]) => (hs.includes(h) ? 1 : 0)), 1], `a packet with ${h}`);
      }
    } finally {
      pair.close();
    }
  },
);
