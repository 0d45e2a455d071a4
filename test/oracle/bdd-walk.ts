/**
 * An independent first-match walk (the semantics of audit/walk.ts, as rule-reach.ts runs it over
 * every base chain) on decision diagrams instead of box lists, and the comparison of its answers
 * with the engine's: every rule's packets (hits), which observing rules are reached, and each base
 * chain's accepted and dropped packets. Diagrams are canonical, so "equal" is exact over every
 * packet, not a sample. Approximations' uncertain parts and NAT views are not part of it (ruleReach
 * walks the rules' own matches).
 *
 * Encoding: proto 8 bits, ports 16, ct state 3; an address is a family bit and 128 bits, an IPv4
 * address in the top 32 of them (the low 96 free, so a prefix costs its length in nodes);
 * interface names as ids of the names the rules mention, one more for every other name.
 */
import {
  approximationDecides,
  findChain,
  type Chain,
  type Rule,
  type Ruleset,
  type Table,
} from "../../src/ir/ruleset.js";
import { ALL_V4, ALL_V6 } from "../../src/space/address.js";
import { CT_STATES, ctSet, type Box } from "../../src/space/box.js";
import type { IntervalSet } from "../../src/space/interval-set.js";
import type { NameSet } from "../../src/space/name-set.js";
import { Space } from "../../src/space/space.js";
import { hitSpace, type RuleReach } from "../../src/audit/rule-reach.js";
import { Bdd, FALSE, TRUE, type Field, type Node } from "./bdd.js";

/** Variable orders (the box algebra's dimension order; Batfish's, addresses first: the faster here). */
export const ORDERS = {
  box: ["proto", "dport", "dst", "src", "sport", "ct", "iif", "oif"],
  batfish: ["dst", "src", "dport", "sport", "proto", "ct", "iif", "oif"],
} as const;
export type OrderName = keyof typeof ORDERS;

const V4 = 1n << 32n;
const LOW96 = (1n << 96n) - 1n;

export function rulesOf(rulesets: readonly Ruleset[]): Rule[] {
  return rulesets.flatMap((r) => r.tables.flatMap((t) => t.chains.flatMap((c) => c.rules)));
}

export class Encoder {
  readonly b: Bdd;
  private readonly f: Record<string, Field>;
  private readonly ids: Map<string, number>;
  private readonly other: number;
  readonly universe: Node;
  private readonly sets = new Map<string, Node>();

  constructor(rulesets: readonly Ruleset[], order: OrderName = "batfish") {
    const names = new Set<string>();
    for (const rule of rulesOf(rulesets))
      for (const x of rule.match.boxes) for (const n of [...x.iif.names, ...x.oif.names]) names.add(n);
    const sorted = [...names].sort();
    const nameBits = Math.max(1, Math.ceil(Math.log2(sorted.length + 1)));
    const widths: Record<string, number> = {
      proto: 8,
      dport: 16,
      sport: 16,
      dst: 129,
      src: 129,
      ct: 3,
      iif: nameBits,
      oif: nameBits,
    };
    // A cache in proportion to the rules (a small file does not pay for 64 MB of it).
    const rules = rulesOf(rulesets).length;
    const cacheBits = Math.min(22, Math.max(12, Math.ceil(Math.log2(rules * 256 + 1))));
    this.b = new Bdd(
      ORDERS[order].map((name) => ({ name, width: widths[name]! })),
      cacheBits,
    );
    this.f = Object.fromEntries(this.b.fields.map((x) => [x.name, x]));
    this.ids = new Map(sorted.map((n, i) => [n, i]));
    this.other = sorted.length;
    const b = this.b;
    let u = TRUE;
    u = b.and(u, b.range(this.f.ct!, 0n, BigInt(CT_STATES.length - 1)));
    u = b.and(u, b.range(this.f.iif!, 0n, BigInt(this.other)));
    u = b.and(u, b.range(this.f.oif!, 0n, BigInt(this.other)));
    this.universe = u;
  }

  interval(dim: string, s: IntervalSet): Node {
    const key = `${dim}:${s.key()}`;
    const known = this.sets.get(key);
    if (known !== undefined) return known;
    const f = this.f[dim]!;
    const b = this.b;
    let n = FALSE;
    for (const [lo, hi] of s.intervals) {
      if (dim !== "dst" && dim !== "src") {
        n = b.or(n, b.range(f, lo, hi));
        continue;
      }
      if (lo < V4) n = b.or(n, b.range(f, lo << 96n, ((hi < V4 ? hi : V4 - 1n) << 96n) | LOW96));
      if (hi >= V4)
        n = b.or(n, b.range(f, (1n << 128n) + ((lo >= V4 ? lo : V4) - V4), (1n << 128n) + (hi - V4)));
    }
    this.sets.set(key, n);
    return n;
  }

  names(dim: "iif" | "oif", s: NameSet): Node {
    const f = this.f[dim]!;
    let n = FALSE;
    for (const name of s.names) {
      const id = BigInt(this.ids.get(name) ?? this.other);
      n = this.b.or(n, this.b.range(f, id, id));
    }
    return s.cofinite ? this.b.diff(this.b.range(f, 0n, BigInt(this.other)), n) : n;
  }

  box(x: Box): Node {
    const b = this.b;
    let n = this.universe;
    n = b.and(n, this.interval("proto", x.proto));
    n = b.and(n, this.interval("dport", x.dport));
    n = b.and(n, this.interval("dst", x.dst));
    n = b.and(n, this.interval("src", x.src));
    n = b.and(n, this.interval("sport", x.sport));
    n = b.and(n, this.interval("ct", x.ct));
    n = b.and(n, this.names("iif", x.iif));
    n = b.and(n, this.names("oif", x.oif));
    return n;
  }

  space(s: Space): Node {
    let n = FALSE;
    for (const x of s.boxes) n = this.b.or(n, this.box(x));
    return n;
  }
}

export interface BddReach {
  hits: Map<Rule, Node>;
  observed: Set<Rule>;
  decided: Map<Chain, { accept: Node; drop: Node }>;
}

const MAX_DEPTH = 64;

/** Every base chain walked with its table's packets (nat chains: ct new), as ruleReach does. */
export function bddWalk(enc: Encoder, matches: Map<Rule, Node>, rulesets: readonly Ruleset[]): BddReach {
  const b = enc.b;
  const hits = new Map<Rule, Node>();
  const observed = new Set<Rule>();
  const decided = new Map<Chain, { accept: Node; drop: Node }>();
  const family = {
    ip: enc.space(Space.box({ src: ALL_V4, dst: ALL_V4 })),
    ip6: enc.space(Space.box({ src: ALL_V6, dst: ALL_V6 })),
    inet: enc.space(Space.UNIVERSE),
  };
  const ctNew = enc.space(Space.box({ ct: ctSet(["new"]) }));
  for (const r of rulesets) {
    for (const table of r.tables) {
      for (const chain of table.chains) {
        if (!chain.base) continue;
        let input = family[table.family];
        if (chain.base.type === "nat") input = b.and(input, ctNew);
        const out = { accept: FALSE, drop: FALSE };
        const returned = walk(table, chain, input, 0, out);
        if (chain.base.policy === "drop") out.drop = b.or(out.drop, returned);
        else out.accept = b.or(out.accept, returned);
        decided.set(chain, out);
      }
    }
  }
  return { hits, observed, decided };

  function walk(
    table: Table,
    chain: Chain,
    input: Node,
    depth: number,
    out: { accept: Node; drop: Node },
  ): Node {
    let rem = input;
    let returned = FALSE;
    for (const rule of chain.rules) {
      if (rem === FALSE) break;
      const m = matches.get(rule)!;
      const a = rule.action;
      // As walk.ts with onReach: an observing rule whose approximations cannot decide is only reached.
      if (a.kind === "continue" && !approximationDecides(rule)) {
        if (b.meets(rem, m)) observed.add(rule);
        continue;
      }
      const hit = b.and(rem, m);
      if (hit === FALSE) continue;
      hits.set(rule, b.or(hits.get(rule) ?? FALSE, hit));
      switch (a.kind) {
        case "continue":
          continue;
        case "accept":
        case "dnat":
        case "snat":
        case "masquerade":
        case "redirect":
          out.accept = b.or(out.accept, hit);
          break;
        case "drop":
        case "reject":
          out.drop = b.or(out.drop, hit);
          break;
        case "return":
          returned = b.or(returned, hit);
          break;
        case "jump":
        case "goto": {
          const target = findChain(table, a.chain);
          if (!target || depth >= MAX_DEPTH) {
            out.drop = b.or(out.drop, hit);
            break;
          }
          const sub = walk(table, target, hit, depth + 1, out);
          if (a.kind === "goto") returned = b.or(returned, sub);
          else {
            rem = b.or(b.diff(rem, m), sub);
            continue;
          }
          break;
        }
      }
      rem = b.diff(rem, m);
    }
    return b.or(returned, rem);
  }
}

export function bddReach(
  rulesets: readonly Ruleset[],
  order: OrderName = "batfish",
): { enc: Encoder; reach: BddReach } {
  const enc = new Encoder(rulesets, order);
  const matches = new Map<Rule, Node>();
  for (const r of rulesOf(rulesets)) matches.set(r, enc.space(r.match));
  return { enc, reach: bddWalk(enc, matches, rulesets) };
}

/** Where the engine's walk (ruleReach) and the diagram walk disagree: empty when they agree. */
export function differences(
  enc: Encoder,
  box: RuleReach,
  bdd: BddReach,
  rulesets: readonly Ruleset[],
): string[] {
  const out: string[] = [];
  for (const r of rulesOf(rulesets)) {
    const want = box.hits.has(r) ? enc.space(hitSpace(box, r)) : FALSE;
    if (want !== (bdd.hits.get(r) ?? FALSE))
      out.push(`packets of ${r.origin.file}:${r.origin.line} ${r.origin.text}`);
    if (box.observed.has(r) !== bdd.observed.has(r))
      out.push(`reached or not: ${r.origin.file}:${r.origin.line} ${r.origin.text}`);
  }
  for (const [chain, w] of box.walked) {
    const d = bdd.decided.get(chain);
    const of = (o: "accept" | "drop"): Node =>
      enc.space(
        Space.unionAll(w.decided.filter((x) => x.decision.outcome === o).map((x) => x.decision.packets)),
      );
    if (!d || of("accept") !== d.accept || of("drop") !== d.drop)
      out.push(`decisions of base chain ${chain.name}`);
  }
  return out;
}
