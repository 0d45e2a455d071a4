/**
 * Packets through the kernel's hooks. A path is a list of hooks (host inbound: prerouting, input;
 * host outbound: output, postrouting; perimeter: prerouting, forward, postrouting). At each hook the
 * base chains of every ruleset run in priority order; filter chains accept or drop, nat chains
 * rewrite the first packet of a connection (ct new) and the connection's later packets alike.
 *
 * Packets are tracked in their original coordinates together with the rewrite applied so far
 * (`Rewrite`): a rule's match is viewed through the rewrite (a rewritten dimension is a constant,
 * so the rule either covers it or not). Exact when NAT targets are single addresses and ports;
 * a range target is an approximation that is reported.
 */
import {
  type Chain,
  type Hook,
  type Rule,
  type Ruleset,
  type Table,
  type TableFamily,
} from "../ir/ruleset.js";
import { ALL_V4, ALL_V6 } from "../space/address.js";
import { ctSet, FULL, type Box } from "../space/box.js";
import type { IntervalSet } from "../space/interval-set.js";
import { Space } from "../space/space.js";
import { narrowUncertain, narrowWalk, type BaseWalk } from "./walked.js";
import { walkBaseChain, type Decider, type Decision, type Uncertain, type WalkContext } from "./walk.js";

export type RewriteDim = "src" | "dst" | "sport" | "dport";
export type Rewrite = Partial<Record<RewriteDim, IntervalSet>>;
const REWRITE_DIMS: readonly RewriteDim[] = ["dst", "dport", "src", "sport"];

/** Packets (original coordinates) that share one rewrite and the rule that last accepted them. */
export interface Flowing {
  rewrite: Rewrite;
  packets: Space;
  /** Present on every Flowing a hook passes (undefined when none): one object shape for all of them. */
  acceptedBy?: Decider | undefined;
}

export interface Dropped {
  packets: Space;
  by: Decider;
  rewrite: Rewrite;
}

export interface HookResult {
  passed: Flowing[];
  dropped: Dropped[];
  /** Rules whose NAT target is a range, met by these packets (approximated). */
  approximate: Rule[];
  /**
   * Input packets (original coordinates) that met an approximated rule on the way (walk.ts
   * `Uncertain`): whether they pass or are dropped depends on what the approximation hides.
   */
  uncertain: Uncertain[];
}

interface BaseChainRef {
  ruleset: Ruleset;
  table: Table;
  chain: Chain;
  /**
   * The chain's `base.type === "nat"`, read once here: readers make chains (and their `base`) in
   * objects of several shapes, and reading it in runHook deoptimised it when a shape it had not
   * seen came by (a further query's first call, measured).
   */
  isNat: boolean;
  priority: number;
}

const FAMILY_SPACE: Record<TableFamily, Space> = {
  ip: Space.box({ src: ALL_V4, dst: ALL_V4 }),
  ip6: Space.box({ src: ALL_V6, dst: ALL_V6 }),
  inet: Space.ANY,
};

/**
 * A table's base chains, by its list of chains: every flow's every hook asks (a further query four
 * times), and a table of a large ruleset holds thousands of user chains. Kept while the list is the
 * same array of the same length (readers append chains or replace the array; see findChain). A
 * reader gives a chain its `base` while it reads, before any walk asks.
 */
const BASES = new WeakMap<readonly Chain[], { length: number; value: Chain[] }>();

/**
 * `compute(table)`, kept in `cache` by the table's list of chains while that is the same array of
 * the same length (readers append chains or replace the array; see findChain).
 */
function perTable<T>(
  cache: WeakMap<readonly Chain[], { length: number; value: T }>,
  table: Table,
  compute: (t: Table) => T,
): T {
  const known = cache.get(table.chains);
  if (known !== undefined && known.length === table.chains.length) return known.value;
  const value = compute(table);
  cache.set(table.chains, { length: table.chains.length, value });
  return value;
}

function tableBases(table: Table): Chain[] {
  return perTable(BASES, table, (t) => t.chains.filter((c) => c.base !== undefined));
}

export function baseChains(rulesets: readonly Ruleset[], hook: Hook): BaseChainRef[] {
  const out: BaseChainRef[] = [];
  for (const ruleset of rulesets)
    for (const table of ruleset.tables)
      for (const chain of tableBases(table))
        if (chain.base!.hook === hook) {
          const base = chain.base!;
          out.push({ ruleset, table, chain, isNat: base.type === "nat", priority: base.priority });
        }
  if (out.length < 2) return out;
  // Stable sort: equal priorities keep file order (the kernel's order for equal priorities is
  // registration order, which for one file is file order).
  return out
    .map((c, i) => [c, i] as const)
    .sort((a, b) => a[0].priority - b[0].priority || a[1] - b[1])
    .map(([c]) => c);
}

/** rewriteKey of no rewrite. */
const PLAIN_KEY = "|||";

export function rewriteKey(rw: Rewrite): string {
  // Most packets carry no rewrite: asked per piece of a flow (hundreds), no string built for them.
  if (rw.dst === undefined && rw.dport === undefined && rw.src === undefined && rw.sport === undefined)
    return PLAIN_KEY;
  return REWRITE_DIMS.map((d) => rw[d]?.key() ?? "").join("|");
}

export function applyRewrite(s: Space, rw: Rewrite): Space {
  if (REWRITE_DIMS.every((d) => !rw[d])) return s;
  return s.map((b) => ({ ...b, ...rw }));
}

/** The rule's match as seen by packets carrying `rw`; `approx` is set when a range target straddles it. */
function viewThrough(match: Space, rw: Rewrite, approx: () => void): Space {
  const dims = REWRITE_DIMS.filter((d) => rw[d]);
  if (dims.length === 0) return match;
  const boxes: Box[] = [];
  for (const b of match.boxes) {
    let nb: Box | undefined = b;
    for (const d of dims) {
      const v = rw[d]!;
      if (!nb) break;
      if (b[d].contains(v)) nb = { ...nb, [d]: d === "src" || d === "dst" ? FULL.addr : FULL.port };
      else if (!b[d].intersects(v)) nb = undefined;
      else {
        approx();
        nb = { ...nb, [d]: d === "src" || d === "dst" ? FULL.addr : FULL.port };
      }
    }
    if (nb) boxes.push(nb);
  }
  return Space.fromBoxes(boxes);
}

function natRewrite(d: Decision): Rewrite {
  const a = d.nat!;
  switch (a.kind) {
    case "dnat":
      return {
        ...(a.to.addresses ? { dst: a.to.addresses } : {}),
        ...(a.to.ports ? { dport: a.to.ports } : {}),
      };
    case "snat":
      return {
        ...(a.to.addresses ? { src: a.to.addresses } : {}),
        ...(a.to.ports ? { sport: a.to.ports } : {}),
      };
    case "redirect":
      return a.ports ? { dport: a.ports } : {};
    default:
      return {};
  }
}

function isRangeRewrite(rw: Rewrite): boolean {
  return REWRITE_DIMS.some((d) => rw[d] && rw[d].size() > 1n);
}

const CT_NEW = ctSet(["new"]);

export interface HookOptions {
  onHit?: (rule: Rule, hit: Space) => void;
  /**
   * How packets of a connection after its first (ct not new) are rewritten by nat chains they do
   * not traverse: `like-first` (a flow's later packets get its first packet's rewrite: audits) or
   * `none` (connections of unknown history, e.g. conntrack entries injected without NAT).
   */
  followers?: "like-first" | "none";
  /** Base chains already walked over all their packets (walked.ts): narrowed, not re-walked. */
  walked?: ReadonlyMap<Chain, BaseWalk> | undefined;
  /**
   * The packets' connections were translated exactly as their rewrite says (a flow's own packets,
   * exposure's first packets: the NAT they take is the path's): a rule testing whether the
   * connection was destination-NATed (`ct status dnat`) decides by the rewrite's destination. A
   * reply's connection history is not carried here, so replies leave it approximated.
   */
  natKnown?: boolean;
}

/**
 * Per table (by its list of chains, as BASES): whether a rule tests a connection's DNAT status (with
 * `natKnown` such a table's chains are walked with the status known, not narrowed from the
 * whole-space walk, which read the test as matching regardless), and whether a rule translates a
 * destination without saying to what (a `redirect` without ports, a `dnat` to a map): such a
 * translation leaves no trace in the packets' rewrite, so where one is, the status is not known.
 */
const DNAT_STATUS = new WeakMap<
  readonly Chain[],
  { length: number; value: { tests: boolean; hidden: boolean } }
>();

function dnatStatusOf(table: Table): { tests: boolean; hidden: boolean } {
  return perTable(DNAT_STATUS, table, (t) => {
    let tests = false;
    let hidden = false;
    for (const c of t.chains)
      for (const r of c.rules) {
        if (r.approximations.some((a) => a.dnatStatus)) tests = true;
        const a = r.action;
        if (
          (a.kind === "dnat" && a.to.addresses === undefined && a.to.ports === undefined) ||
          (a.kind === "redirect" && a.ports === undefined)
        )
          hidden = true;
      }
    return { tests, hidden };
  });
}

/** Whether a destination translation may leave no trace in a rewrite anywhere in `rulesets`. */
function hiddenDnat(rulesets: readonly Ruleset[]): boolean {
  for (const rs of rulesets) for (const t of rs.tables) if (dnatStatusOf(t).hidden) return true;
  return false;
}

/** The rule's match for packets whose connection was destination-NATed (`dnat`) or not. */
function dnatView(rule: Rule, dnat: boolean, view: Space): Space {
  for (const a of rule.approximations) if (a.dnatStatus && a.dnatStatus.negate === dnat) return Space.EMPTY;
  return view;
}

function decide(
  ctx: WalkContext,
  ref: BaseChainRef,
  rewrite: Rewrite,
  seen: Space,
  opts: HookOptions,
  statusKnown: boolean,
): { decided: Decision[]; uncertain: Uncertain[] } {
  const walked =
    opts.onHit || statusKnown || REWRITE_DIMS.some((d) => rewrite[d])
      ? undefined
      : opts.walked?.get(ref.chain);
  if (walked && walked.domain.contains(seen))
    return { decided: narrowWalk(walked, seen), uncertain: narrowUncertain(walked, seen) };
  return walkBaseChain(ctx, ref.chain, seen, ref.ruleset.source);
}

/** Runs packets through every base chain of one hook. */
export function runHook(
  rulesets: readonly Ruleset[],
  hook: Hook,
  input: readonly Flowing[],
  opts: HookOptions = {},
): HookResult {
  let flowing = [...input];
  const dropped: Dropped[] = [];
  const approximate = new Set<Rule>();
  const uncertain: Uncertain[] = [];
  // The DNAT status is known from the rewrite unless some translation leaves none.
  const natKnown = opts.natKnown === true && !hiddenDnat(rulesets);
  for (const ref of baseChains(rulesets, hook)) {
    // Nothing left to decide (all dropped before): no chain after sees a packet. Going on walked
    // empty arrays of another elements kind through code optimised on full ones (a deopt).
    if (flowing.length === 0) break;
    const next: Flowing[] = [];
    const isNat = ref.isNat;
    for (const group of mergeByRewrite(flowing)) {
      let seen = group.packets.intersect(FAMILY_SPACE[ref.table.family]);
      // Only a connection's first packet traverses nat chains (ct new).
      if (isNat) seen = seen.restrict({ ct: CT_NEW });
      let untouched = group.packets.subtract(seen);
      const statusKnown = natKnown && dnatStatusOf(ref.table).tests;
      const dnat = group.rewrite.dst !== undefined || group.rewrite.dport !== undefined;
      const ctx: WalkContext = {
        table: ref.table,
        view: statusKnown
          ? (rule) =>
              dnatView(
                rule,
                dnat,
                viewThrough(rule.match, group.rewrite, () => approximate.add(rule)),
              )
          : (rule) => viewThrough(rule.match, group.rewrite, () => approximate.add(rule)),
        ...(opts.onHit ? { onHit: opts.onHit } : {}),
        ...(statusKnown ? { natKnown: true } : {}),
      };
      const walk = decide(ctx, ref, group.rewrite, seen, opts, statusKnown);
      uncertain.push(...walk.uncertain);
      for (const d of walk.decided) {
        if (d.outcome === "drop") {
          dropped.push({ packets: d.packets, by: d.by, rewrite: group.rewrite });
          continue;
        }
        if (!d.nat) {
          // An explicit accepting rule explains a packet better than a policy or a nat chain's pass.
          const explicit = d.by.kind === "rule" && !isNat ? d.by : undefined;
          next.push(...splitBy(group.members, d.packets, group.rewrite, explicit, isNat ? undefined : d.by));
          continue;
        }
        const rw = { ...group.rewrite, ...natRewrite(d) };
        if (isRangeRewrite(natRewrite(d)) && d.by.kind === "rule") approximate.add(d.by.rule);
        let packets = d.packets;
        if (opts.followers !== "none") {
          const followers = untouched.intersect(d.packets.map((b) => ({ ...b, ct: FULL.ct })));
          untouched = untouched.subtract(followers);
          packets = packets.union(followers);
        }
        next.push(...splitBy(group.members, packets, rw));
      }
      if (!untouched.isEmpty()) next.push(...splitBy(group.members, untouched, group.rewrite));
    }
    flowing = next.filter((f) => !f.packets.isEmpty());
  }
  return { passed: flowing, dropped, approximate: [...approximate], uncertain };
}

/** Runs packets through a path of hooks (the packets passing one hook enter the next). */
export function runPath(
  rulesets: readonly Ruleset[],
  path: readonly Hook[],
  input: readonly Flowing[],
  opts: HookOptions = {},
): HookResult {
  let flowing = [...input];
  const dropped: Dropped[] = [];
  const approximate = new Set<Rule>();
  const uncertain: Uncertain[] = [];
  for (const hook of path) {
    if (flowing.length === 0) break;
    const r = runHook(rulesets, hook, flowing, opts);
    flowing = r.passed;
    dropped.push(...r.dropped);
    uncertain.push(...r.uncertain);
    for (const a of r.approximate) approximate.add(a);
  }
  return { passed: flowing, dropped, approximate: [...approximate], uncertain };
}

interface Group {
  rewrite: Rewrite;
  packets: Space;
  members: Flowing[];
}

function mergeByRewrite(flowing: readonly Flowing[]): Group[] {
  const groups = new Map<string, { rewrite: Rewrite; parts: Space[]; members: Flowing[] }>();
  for (const f of flowing) {
    const k = rewriteKey(f.rewrite);
    const g = groups.get(k);
    if (g) {
      g.parts.push(f.packets);
      g.members.push(f);
    } else groups.set(k, { rewrite: f.rewrite, parts: [f.packets], members: [f] });
  }
  // Pushed, not mapped: Array.prototype.map's result is of another elements kind in optimised code
  // than in the builtin, and runHook's loop over it was deoptimised by the one it had not seen.
  const out: Group[] = [];
  for (const g of groups.values())
    out.push({ rewrite: g.rewrite, packets: Space.unionAll(g.parts), members: g.members });
  return out;
}

/** The part of `packets` in each member, keeping the member's attribution, under a new rewrite. */
function splitBy(
  members: readonly Flowing[],
  packets: Space,
  rewrite: Rewrite,
  by?: Decider,
  fallback?: Decider,
): Flowing[] {
  return members.map((m) => {
    const acceptedBy = by ?? m.acceptedBy ?? fallback;
    // `packets` is always inside the group's packets, which for a group of one are the member's.
    const mine = members.length === 1 ? packets : m.packets.intersect(packets);
    return { rewrite, packets: mine, acceptedBy };
  });
}
