/**
 * Kernel differential test (issue 4): random rulesets (user chains, jump, goto, return, address
 * ranges and prefixes, port ranges and sets, negations, ct state, interface names, DNAT) are loaded
 * into a network namespace with nftables and with iptables; packets crafted on the rules'
 * boundaries are sent over a veth pair; the kernel's per-rule counters are compared with the
 * packets the engine says each rule matches (one symbolic walk over the whole packet space per
 * ruleset, then membership of every packet sent). The rulesets are read back from the kernel's
 * own listing (`nft list ruleset`, `nft -j list ruleset`, `iptables-save -c`), so the readers are
 * tested too.
 * Rules sit in prerouting (nft filter priority 0 after DNAT at -100; iptables mangle PREROUTING):
 * every packet there is new to conntrack because nothing is routed onwards (no addresses, no
 * forwarding), so no connection is ever confirmed.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { runHook } from "../../src/audit/hooks.js";
import type { Rule, Ruleset } from "../../src/ir/ruleset.js";
import { readIptablesSave } from "../../src/parse/iptables-save.js";
import { readNftablesJson } from "../../src/parse/nftables-json.js";
import { readNftablesText } from "../../src/parse/nftables-text.js";
import { ctSet, type Packet } from "../../src/space/box.js";
import { NameSet } from "../../src/space/name-set.js";
import { Space } from "../../src/space/space.js";
import {
  boundaryPackets,
  generateRuleset,
  packetLine,
  Rng,
  toIptables,
  toNft,
  type TestPacket,
} from "./generate.js";
import { kernelSkipReason, makePair, type Pair } from "./netns.js";
import { ROOT } from "../cli/run-cli.js";

// Beside this file when run from source; tsc does not copy it to dist/, so from the repo root there.
const HERE = dirname(fileURLToPath(import.meta.url));
const SEND =
  [join(HERE, "send.py"), join(ROOT, "test", "kernel", "send.py")].find((p) => existsSync(p)) ?? "send.py";
const PACKETS_PER_RULESET = 2600;
const skip = kernelSkipReason(["nft", "iptables-restore", "ip6tables-restore", "python3"]);

interface Outcome {
  packets: number;
  mismatches: string[];
}

/** Packets the engine says each rule matched, from one symbolic walk. */
function engineCounts(ruleset: Ruleset, packets: readonly TestPacket[]): Map<Rule, number> {
  const hits = new Map<Rule, Space[]>();
  const universe = Space.UNIVERSE.restrict({
    ct: ctSet(["new"]),
    iif: NameSet.of("fwv"),
    oif: NameSet.of(""),
  });
  runHook([ruleset], "prerouting", [{ rewrite: {}, packets: universe }], {
    followers: "none",
    onHit: (rule, hit) => void (hits.get(rule) ?? hits.set(rule, []).get(rule)!).push(hit),
  });
  const counts = new Map<Rule, number>();
  for (const [rule, pieces] of hits) {
    let n = 0;
    for (const p of packets) {
      const pkt: Packet = {
        proto: p.proto,
        src: p.src,
        dst: p.dst,
        sport: p.sport,
        dport: p.dport,
        ct: "new",
        iif: "fwv",
        oif: "",
      };
      // The kernel counts evaluations: a packet that meets a rule twice (two jumps into its chain) counts twice.
      for (const s of pieces) if (s.has(pkt)) n++;
    }
    counts.set(rule, n);
  }
  return counts;
}

/** The IR rules of each nft rule: consecutive, with one origin. */
function groups(rules: readonly Rule[]): Rule[][] {
  const out: Rule[][] = [];
  // One source rule starts at one place; its verdict map's element rules differ in their text
  // (the element is named after it), not in where they are.
  const where = (r: Rule): string => `${r.origin.file}:${r.origin.line}:${r.origin.col}`;
  for (const rule of rules) {
    const last = out[out.length - 1];
    if (last && where(last[0]!) === where(rule)) last.push(rule);
    else out.push([rule]);
  }
  return out;
}

/** The per-element counters of each named map in an `nft list ruleset` listing, in listing order. */
function mapCounters(listing: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const m of listing.matchAll(/map (\S+) \{[^}]*?elements = \{([^}]*)\}/g))
    out.set(
      m[1]!,
      [...m[2]!.matchAll(/counter packets (\d+)/g)].map((c) => Number(c[1])),
    );
  return out;
}

/**
 * `textOf` gives the kernel's text of a rule, which holds its counter. A verdict map is one IR rule
 * per element: with a named map (declared with `counter`) each is compared with its element's
 * counter; with an anonymous one their sum is at most the rule's counter (packets whose key is in
 * no element go on: the rules after it, counted too, show where they went).
 */
function compare(
  ruleset: Ruleset,
  packets: readonly TestPacket[],
  counter: RegExp,
  maps: Map<string, number[]>,
  textOf: (r: Rule) => string = (r) => r.origin.text,
): string[] {
  const counts = engineCounts(ruleset, packets);
  const out: string[] = [];
  for (const t of ruleset.tables)
    for (const c of t.chains) {
      for (const rules of groups(c.rules)) {
        const rule = rules[0]!;
        const text = textOf(rule);
        const m = counter.exec(text);
        if (!m) {
          out.push(`no counter on line ${rule.origin.line}: ${rule.origin.text}`);
          continue;
        }
        const kernel = Number(m[1]);
        const engine = rules.map((r) => counts.get(r) ?? 0);
        const named = / vmap @(\S+)/.exec(text)?.[1];
        const elements = named === undefined ? undefined : maps.get(named);
        if (named !== undefined && elements?.length !== rules.length)
          out.push(
            `${c.name}#${rule.origin.line}: map ${named} has ${elements?.length} counted elements, ${rules.length} rules read`,
          );
        else if (elements !== undefined)
          elements.forEach((k, i) => {
            if (k !== engine[i])
              out.push(
                `${c.name}#${rule.origin.line} element ${i + 1} kernel ${k} engine ${engine[i]}: ${rule.origin.text}`,
              );
          });
        else if (/ vmap \{/.test(text) ? engine.reduce((a, b) => a + b, 0) > kernel : kernel !== engine[0])
          out.push(
            `${c.name}#${rule.origin.line} kernel ${kernel} engine ${engine.join("+")}: ${rule.origin.text}`,
          );
      }
    }
  return out;
}

function send(pair: Pair, packets: readonly TestPacket[]): void {
  const sent = pair.run(
    pair.cli,
    ["python3", SEND, "cliv", pair.fwMac],
    packets.map(packetLine).join("\n") + "\n",
  );
  assert.equal(Number(sent.trim()), packets.length);
  // Frames cross the veth asynchronously (backlog/NAPI); give the softirq a moment, bounded.
  pair.run(pair.fw, ["sleep", "0.3"]);
}

function runNft(pair: Pair, seed: number): Outcome {
  const r = new Rng(seed);
  const gen = generateRuleset(r, undefined, r.int(12, 40));
  pair.run(pair.fw, ["nft", "flush", "ruleset"]);
  const source = toNft(gen, true);
  pair.run(pair.fw, ["nft", "-f", "-"], source);
  const packets = boundaryPackets(r, gen, PACKETS_PER_RULESET);
  send(pair, packets);
  const listing = pair.run(pair.fw, ["nft", "list", "ruleset"]);
  const parsed = readNftablesText(listing, `seed-${seed}.nft`);
  assert.deepEqual(parsed.diagnostics, [], listing);
  const approx = parsed.ruleset.tables.flatMap((t) =>
    t.chains.flatMap((c) => c.rules.flatMap((x) => x.approximations)),
  );
  assert.deepEqual(approx, []);
  const maps = mapCounters(listing);
  const mismatches = compare(parsed.ruleset, packets, /counter packets (\d+)/, maps);
  // The same kernel state through `nft -j list ruleset` and the JSON reader.
  const json = readNftablesJson(pair.run(pair.fw, ["nft", "-j", "list", "ruleset"]), `seed-${seed}.json`);
  assert.deepEqual(json.diagnostics, []);
  assert.deepEqual(
    json.ruleset.tables.flatMap((t) => t.chains.flatMap((c) => c.rules.flatMap((x) => x.approximations))),
    [],
  );
  mismatches.push(...compare(json.ruleset, packets, /counter packets (\d+)/, maps).map((m) => `json: ${m}`));
  // The file nft loaded, as written (host bits in prefixes): its rules meet the kernel's counters
  // in the same order.
  const src = readNftablesText(source, `seed-${seed}.src.nft`);
  assert.deepEqual(src.diagnostics, []);
  const listed = new Map<Rule, string>();
  for (const [ti, t] of src.ruleset.tables.entries())
    for (const [ci, c] of t.chains.entries()) {
      const theirs = groups(parsed.ruleset.tables[ti]!.chains[ci]!.rules);
      groups(c.rules).forEach((g, i) => g.forEach((r) => listed.set(r, theirs[i]?.[0]?.origin.text ?? "")));
    }
  mismatches.push(
    ...compare(src.ruleset, packets, /counter packets (\d+)/, maps, (r) => listed.get(r) ?? "").map(
      (m) => `source: ${m}`,
    ),
  );
  return { packets: packets.length, mismatches };
}

function runIptables(pair: Pair, seed: number, family: 4 | 6): Outcome {
  const r = new Rng(seed);
  const gen = generateRuleset(r, family, r.int(12, 40));
  const tool = family === 4 ? "iptables" : "ip6tables";
  pair.run(pair.fw, ["nft", "flush", "ruleset"]);
  pair.run(pair.fw, [`${tool}-restore`], toIptables(gen));
  const packets = boundaryPackets(r, gen, PACKETS_PER_RULESET);
  send(pair, packets);
  const listing = pair.run(pair.fw, [`${tool}-save`, "-c"]);
  const parsed = readIptablesSave(listing, `seed-${seed}.rules`);
  assert.deepEqual(parsed.diagnostics, [], listing);
  const lines = listing.split("\n");
  return {
    packets: packets.length,
    mismatches: compare(
      parsed.ruleset,
      packets,
      /^\[(\d+):\d+\]/,
      new Map(),
      (r) => lines[r.origin.line - 1] ?? "",
    ),
  };
}

test(
  "engine agrees with the kernel on every packet (nftables and iptables)",
  { skip, timeout: 180_000 },
  () => {
    const pair = makePair();
    let total = 0;
    const problems: string[] = [];
    try {
      const runs: Array<[string, () => Outcome]> = [];
      for (let s = 1; s <= 12; s++) runs.push([`nft seed ${s}`, () => runNft(pair, 1000 + s)]);
      for (let s = 1; s <= 6; s++) runs.push([`iptables seed ${s}`, () => runIptables(pair, 2000 + s, 4)]);
      for (let s = 1; s <= 4; s++) runs.push([`ip6tables seed ${s}`, () => runIptables(pair, 3000 + s, 6)]);
      for (const [name, run] of runs) {
        const started = process.hrtime.bigint();
        const o = run();
        total += o.packets;
        console.log(
          `# ${name}: ${o.packets} packets, ${o.mismatches.length} mismatches, ${Number(process.hrtime.bigint() - started) / 1e6} ms`,
        );
        problems.push(...o.mismatches.map((m) => `${name}: ${m}`));
      }
    } finally {
      pair.close();
    }
    assert.deepEqual(problems, []);
    assert.ok(total >= 50_000, `sent ${total} packets`);
  },
);
