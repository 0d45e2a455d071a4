/**
 * Narrowing the recorded whole-space walk (walked.ts) answers exactly what walking again would:
 * random rulesets (the kernel differential's generator, IPv4 and IPv6, jumps, gotos, returns),
 * random packet sets around their rules' addresses and ports — narrow ones, wide ones, whole
 * families — and per deciding rule the same packets, dropped and passed, both ways. IPv6 values
 * lie past 2^53, where the index compares rounded numbers (walked.ts `threshold`).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { boundaryPackets, generateRuleset, Rng, toIptables } from "../../test/kernel/generate.js";
import { readIptablesSave } from "../parse/iptables-save.js";
import { addressText, ALL_V4, ALL_V6, V6_BASE } from "../space/address.js";
import { ctSet } from "../space/box.js";
import { IntervalSet } from "../space/interval-set.js";
import { NameSet } from "../space/name-set.js";
import { Space } from "../space/space.js";
import { arriving } from "../../test/audit-fixtures.js";
import { runHook, type HookResult } from "./hooks.js";
import { ruleReach } from "./rule-reach.js";

const WIDTHS = [0n, 3n, 1n << 10n, 1n << 20n, 1n << 30n];

function byDecider(r: HookResult): Map<string, Space> {
  const out = new Map<string, Space>();
  const add = (k: string, s: Space): void => void out.set(k, (out.get(k) ?? Space.EMPTY).union(s));
  for (const d of r.dropped)
    add(`drop ${d.by.kind} ${d.by.kind === "policy" ? d.by.chain.name : d.by.rule.id}`, d.packets);
  for (const p of r.passed)
    add(`pass ${JSON.stringify(p.rewrite, (_, v) => (typeof v === "bigint" ? `${v}` : v))}`, p.packets);
  return out;
}

test("a narrowed whole-space walk decides every packet set as a new walk does (IPv4 and IPv6)", () => {
  let compared = 0;
  let narrowedV6 = 0;
  for (let seed = 1; seed <= 24; seed++) {
    for (const family of [4, 6] as const) {
      const r = new Rng(seed * 7 + family);
      const gen = generateRuleset(r, family, r.int(12, 40));
      const ruleset = readIptablesSave(toIptables(gen), `seed-${seed}.rules`).ruleset;
      const reach = ruleReach([ruleset]);
      const fam = family === 4 ? ALL_V4 : ALL_V6;
      const packets = boundaryPackets(r, gen, 16);
      for (let q = 0; q < packets.length; q++) {
        const p = packets[q]!;
        const around = (v: bigint): IntervalSet => {
          const w = r.pick(WIDTHS);
          return IntervalSet.of(v - w < 0n ? 0n : v - w, v + w).intersect(fam);
        };
        const whole = q % 5 === 0;
        const space = Space.box({
          proto: r.chance(0.3) ? IntervalSet.of(0, 255) : IntervalSet.of(p.proto),
          src: whole ? fam : around(p.src),
          dst: whole && q % 2 === 0 ? fam : around(p.dst),
          dport: r.chance(0.3)
            ? IntervalSet.of(0, 65535)
            : IntervalSet.of(Math.max(0, p.dport - 5), p.dport + 5),
          ct: ctSet(["new"]),
          iif: NameSet.of("fwv"),
          oif: NameSet.of(""),
        });
        if (space.isEmpty()) continue;
        const input = [{ rewrite: {}, packets: space }];
        const fresh = byDecider(runHook([ruleset], "prerouting", input));
        const narrowed = byDecider(runHook([ruleset], "prerouting", input, { walked: reach.walked }));
        assert.deepEqual(
          [...narrowed.keys()].sort(),
          [...fresh.keys()].sort(),
          `seed ${seed} v${family} query ${q}`,
        );
        for (const [k, s] of fresh)
          assert.ok(narrowed.get(k)!.equals(s), `seed ${seed} v${family} query ${q}: ${k}`);
        compared++;
        if (family === 6 && space.boxes[0]!.src.min()! >= V6_BASE) narrowedV6++;
      }
    }
  }
  assert.ok(compared > 600, `${compared} packet sets compared`);
  assert.ok(narrowedV6 > 200, `${narrowedV6} IPv6 packet sets compared`);
});

test("the index finds a rule whose IPv6 range straddles a step of its rounded numbers", () => {
  // Past 2^53 neighbouring values share a number; find y + k, the first value whose number is
  // above y's, and a range of six values across that step.
  const y = V6_BASE + (0x20010db8n << 96n);
  let lo = 0n;
  let hi = 1n << 80n;
  while (lo < hi) {
    const mid = (lo + hi) / 2n;
    if (Number(y + mid) > Number(y)) hi = mid;
    else lo = mid + 1n;
  }
  const x = y + lo - 3n;
  assert.ok(Number(x) < Number(x + 5n), "the range straddles a step");
  const text = (v: bigint): string => addressText(v);
  const ruleset = readIptablesSave(
    `*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m iprange --src-range ${text(x)}-${text(x + 5n)} -j DROP\nCOMMIT\n`,
    "step.rules",
  ).ruleset;
  const reach = ruleReach([ruleset]);
  const space = Space.box({
    src: IntervalSet.of(x + 5n),
    dst: ALL_V6,
    ct: ctSet(["new"]),
    iif: NameSet.of("eth0"),
    oif: NameSet.of(""),
  });
  const input = [{ rewrite: {}, packets: space }];
  const fresh = byDecider(runHook([ruleset], "input", input));
  const narrowed = byDecider(runHook([ruleset], "input", input, { walked: reach.walked }));
  assert.equal([...fresh.keys()].filter((k) => k.startsWith("drop rule")).length, 1, "a new walk drops it");
  assert.deepEqual([...narrowed.keys()], [...fresh.keys()]);
  for (const [k, s] of fresh) assert.ok(narrowed.get(k)!.equals(s), k);
});

test("decisions of many boxes are narrowed exactly through an index of their own boxes", () => {
  // A policy's share below many scattered accepts and drops is one decision of hundreds of boxes,
  // narrowed through an index of its boxes (walked.ts INDEX_BOXES). Both orders: packets spanning
  // the whole family first (the index built for them) and after narrow ones (built for those).
  let large = 0;
  for (let seed = 1; seed <= 6; seed++) {
    for (const family of [4, 6] as const) {
      const r = new Rng(seed * 31 + family);
      const base = family === 4 ? 0x0a000000n : V6_BASE + (0x20010db8n << 96n);
      const fam = family === 4 ? ALL_V4 : ALL_V6;
      const rules: string[] = [];
      for (let i = 0; i < 100; i++) {
        const host = base + BigInt(r.int(0, 4095)) * 16n;
        const len = family === 4 ? r.int(24, 32) : r.int(120, 128);
        const port = r.int(1, 65000);
        const to = r.chance(0.5) ? port : port + r.int(1, 500);
        rules.push(
          `-A INPUT -s ${addressText(host)}/${len} -p ${r.pick(["tcp", "udp"])} --dport ${port}:${to} -j ${r.chance(0.8) ? "ACCEPT" : "DROP"}`,
        );
      }
      const text = `*filter\n:INPUT DROP [0:0]\n${rules.join("\n")}\nCOMMIT\n`;
      const file = family === 4 ? "many.rules" : "many6.rules";
      const parsed = readIptablesSave(text, file);
      assert.deepEqual(parsed.diagnostics, [], file);
      assert.equal(parsed.ruleset.format, family === 4 ? "iptables-save" : "ip6tables-save");
      const ruleset = parsed.ruleset;
      const queries: Space[] = [];
      for (let q = 0; q < 12; q++) {
        const p = base + BigInt(r.int(0, 4095)) * 16n;
        const port = r.int(1, 65000);
        queries.push(
          Space.box({
            proto: IntervalSet.of(0, 255),
            src: q % 3 === 0 ? fam : IntervalSet.of(p, p + BigInt(r.int(0, 4096))),
            dst: fam,
            dport: q % 4 === 0 ? IntervalSet.of(0, 65535) : IntervalSet.of(port, port + r.int(0, 2000)),
            ct: ctSet(["new"]),
            iif: NameSet.of("eth0"),
            oif: NameSet.of(""),
          }),
        );
      }
      const whole = arriving(fam);
      for (const order of [
        [whole, ...queries],
        [...queries, whole],
      ]) {
        const reach = ruleReach([ruleset]);
        for (const walk of reach.walked.values())
          large += walk.decided.filter((e) => e.decision.packets.boxes.length > 64).length;
        for (const space of order) {
          const input = [{ rewrite: {}, packets: space }];
          const fresh = byDecider(runHook([ruleset], "input", input));
          const narrowed = byDecider(runHook([ruleset], "input", input, { walked: reach.walked }));
          assert.deepEqual([...narrowed.keys()].sort(), [...fresh.keys()].sort(), `seed ${seed} v${family}`);
          for (const [k, s] of fresh) assert.ok(narrowed.get(k)!.equals(s), `seed ${seed} v${family}: ${k}`);
        }
      }
    }
  }
  assert.ok(large >= 12, `${large} decisions of more than 64 boxes narrowed`);
});
