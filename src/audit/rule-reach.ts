/**
 * What each rule decides over the whole packet space: every base chain is walked once with all
 * packets its table's family sees (nat chains: first packets only), jumps included, recording per
 * rule the packets that reach it and match. From that: dead rules (shadowed, unmatchable, in
 * chains nothing jumps to), redundant rules (the rest of the chain decides their packets alike),
 * and the inputs of retired-rule and unsupported findings.
 */
import {
  approximatedPart,
  approximationDecides,
  findChain,
  type Action,
  type Chain,
  type Rule,
  type Ruleset,
  type Table,
} from "../ir/ruleset.js";
import { ALL_V4, ALL_V6 } from "../space/address.js";
import { boundsOverlap, BOUNDS_STRIDE, ctSet, hullBounds, type Box } from "../space/box.js";
import { withCanonicalSets } from "../space/canonical.js";
import { Space } from "../space/space.js";
import { baseWalk, type BaseWalk } from "./walked.js";
import { walkBaseChain, walkChain, type Uncertain, type WalkContext } from "./walk.js";
import { everyWorld } from "./worlds.js";

export interface RuleReach {
  /** Packets that reached and matched each rule (over all calls), as pieces to union on demand. */
  hits: Map<Rule, Space[]>;
  /**
   * Rules that only observe (log, counter: `continue` with no approximation that may decide) and
   * that packets reached: their packets are not kept (nothing asks which), only that some came.
   */
  observed: Set<Rule>;
  /** Chains reached from some base chain. */
  reachedChains: Set<Chain>;
  /** Each base chain's walk over all its packets, for flows and exposure to reuse (hooks.ts). */
  walked: Map<Chain, BaseWalk>;
}

const FAMILY: Record<Table["family"], Space> = {
  ip: Space.box({ src: ALL_V4, dst: ALL_V4 }),
  ip6: Space.box({ src: ALL_V6, dst: ALL_V6 }),
  inet: Space.UNIVERSE,
};

export function ruleReach(rulesets: readonly Ruleset[]): RuleReach {
  // The decisions and hits kept share one object per distinct set (canonical.ts).
  return withCanonicalSets(() => walkAll(rulesets));
}

function walkAll(rulesets: readonly Ruleset[]): RuleReach {
  const hits = new Map<Rule, Space[]>();
  const observed = new Set<Rule>();
  const reachedChains = new Set<Chain>();
  const walked = new Map<Chain, BaseWalk>();
  for (const rs of rulesets) {
    for (const table of rs.tables) {
      const byName = new Map(table.chains.map((c) => [c.name, c]));
      const ctx: WalkContext = {
        table,
        view: (r) => r.match,
        onHit: (rule, hit) => {
          const list = hits.get(rule);
          if (list) list.push(hit);
          else hits.set(rule, [hit]);
          const a = rule.action;
          if (a.kind === "jump" || a.kind === "goto") {
            const t = byName.get(a.chain);
            if (t) reachedChains.add(t);
          }
        },
        onReach: (rule) => void observed.add(rule),
      };
      for (const chain of table.chains) {
        if (!chain.base) continue;
        reachedChains.add(chain);
        let input = FAMILY[table.family];
        if (chain.base.type === "nat") input = input.restrict({ ct: ctSet(["new"]) });
        walked.set(chain, baseWalk(input, walkBaseChain(ctx, chain, input, rs.source)));
      }
    }
  }
  return { hits, observed, reachedChains, walked };
}

export function hitSpace(reach: RuleReach, rule: Rule): Space {
  const pieces = reach.hits.get(rule);
  if (!pieces) return Space.EMPTY;
  return Space.unionAll(pieces);
}

/** Scratch for one piece's hull (hullPieces). */
const PIECE = new Float64Array(BOUNDS_STRIDE);

/**
 * The packets of hitSpace, for questions about the set only (redundancy): a piece whose hull meets
 * no other piece's hull is disjoint from them and joins as it is; only the others are united box by
 * box. The boxes may be cut otherwise than hitSpace's (rendered text would differ; set answers do
 * not). Uniting the hits of rules in chains reached from several places was half of deadRules.
 */
function hitPackets(pieces: readonly Space[]): Space {
  if (pieces.length === 1) return pieces[0]!;
  const hulls = new Float64Array(pieces.length * BOUNDS_STRIDE);
  pieces.forEach((p, i) => hulls.set(hullBounds(p.boxes, PIECE), i * BOUNDS_STRIDE));
  const alone: Box[] = [];
  const rest: Space[] = [];
  pieces.forEach((p, i) => {
    let meets = false;
    for (let j = 0; j < pieces.length && !meets; j++) meets = j !== i && boundsOverlap(hulls, i, hulls, j);
    if (meets) rest.push(p);
    else for (const b of p.boxes) alone.push(b);
  });
  return rest.length === 0
    ? Space.disjoint(alone)
    : Space.disjoint([...alone, ...Space.unionAll(rest).boxes]);
}

export interface DeadFinding {
  kind: "shadowed" | "unmatchable" | "unreachable-chain" | "redundant";
  rule: Rule;
  by: Rule[];
  /**
   * The finding rests on an approximation: the rule or one in `by` is approximated, or an
   * approximated rule met packets the rule matches before it (shadowed) or after it (redundant).
   */
  uncertain: boolean;
}

/**
 * How many rules the walks that try uncertain dead findings in the worlds of the approximated
 * rules (worlds.ts) may pass: each try walks the packets the rule matches through its table's base
 * chains, as read and in up to seven worlds. A hand-written ruleset has room for all its findings;
 * a large one approximated throughout keeps those past the budget uncertain (10k rules with 20
 * limited: 200 tries without a budget took the audit from 2 to 8.5 s, a budget of a million 2.8 s).
 */
export const DEAD_WORLDS_BUDGET = 300_000;

/** How many rule-match tests redundancy checking may spend (it re-walks the rest of the chain). */
export const REDUNDANCY_BUDGET = 5_000_000;

export function deadRules(
  rulesets: readonly Ruleset[],
  reach: RuleReach,
): { dead: DeadFinding[]; budgetExhausted: boolean } {
  const dead: DeadFinding[] = [];
  let budget = REDUNDANCY_BUDGET;
  const worlds = { left: DEAD_WORLDS_BUDGET };
  // Dead in every world of the approximated rules its packets meet: certain after all.
  const deadAnyway = (rs: Ruleset, table: Table, rule: Rule, fam: Space): boolean =>
    unreachedInEveryWorld(rs, table, rule, fam, worlds);
  for (const rs of rulesets) {
    for (const table of rs.tables) {
      const fam = FAMILY[table.family];
      const deciding = decidingApproximated(table);
      // Whether packets an approximated rule took may truly have gone on to `rule` (index `i` of
      // `chain`): its dead finding is then uncertain. The rule's own approximations do not matter:
      // its match holds every packet it truly matches, and none of those reaches it as read.
      const mayReach = (chain: Chain, i: number, by: readonly Rule[]): boolean =>
        by.some(
          (b) =>
            // Most shadowers are exact: no intersection built for them (54 thousand dead findings
            // at 100k rules).
            (b.approximations.length > 0 &&
              !approximatedPart(b, chain.rules[i]!.match.intersect(b.match), false).isEmpty()) ||
            jumpsToApproximated(table, b),
        ) || approximatedBefore(reach, deciding, chain, i, fam);
      const maybeReached = chainMaybeReached(table, reach, fam, mayReach);
      for (const chain of table.chains) {
        const reached = reachedChainsHas(reach, chain);
        chain.rules.forEach((rule, i) => {
          // A device's implicit behaviour (parse/device.ts) is not a configured line to remove.
          if (rule.implicit !== undefined) return;
          // A rule about packets the space does not hold (an IPv6 routing header) matches those.
          if (rule.approximations.some((a) => a.outsideModel)) return;
          const own = rule.approximations.length > 0;
          if (!reached)
            return void dead.push({
              kind: "unreachable-chain",
              rule,
              by: [],
              uncertain: maybeReached(chain) && !deadAnyway(rs, table, rule, fam),
            });
          // Its match, wider than what it truly matches, holds no packet: certain.
          if (rule.match.intersect(fam).isEmpty())
            return void dead.push({ kind: "unmatchable", rule, by: [], uncertain: false });
          const pieces = reach.hits.get(rule);
          if (!pieces && !reach.observed.has(rule)) {
            const by = shadowers(reach, chain, i, fam);
            // Dead for certain when exact rules took its packets; an approximated one (or a jump
            // into a chain holding one), here or on the way to its chain, may truly let them
            // through to it.
            return void dead.push({
              kind: "shadowed",
              rule,
              by,
              uncertain: mayReach(chain, i, by) && !deadAnyway(rs, table, rule, fam),
            });
          }
          if (!pieces || budget <= 0 || !isFinal(rule)) return;
          // Whether the rest decides the packets alike is a question about each packet alone: a
          // piece decided otherwise makes the whole hit so. Most rules are not redundant and show
          // it on one piece, so the pieces of a rule reached by several paths (up to 3^4 in the
          // unstructured benchmark) are united only for the rules that pass on every piece —
          // uniting them first was 18 % of a 100k audit. The answer is the one for the union.
          if (pieces.length > 1) {
            for (const piece of pieces) {
              const r = redundancy({ table, chain, index: i, hit: piece });
              budget -= r.cost;
              if (!r.by) return;
              if (budget <= 0) return;
            }
          }
          const r = redundancy({ table, chain, index: i, hit: hitPackets(pieces) });
          budget -= r.cost;
          if (r.by)
            dead.push({
              kind: "redundant",
              rule,
              by: r.by,
              uncertain: own || r.uncertain || r.by.some((b) => b.approximations.length > 0),
            });
        });
      }
    }
  }
  // A rule is only redundant "because of" live rules: when the rule that would decide alike is
  // itself shadowed, removing both changes verdicts, so report the shadowed one and keep this.
  const gone = new Set(dead.filter((d) => d.kind !== "redundant").map((d) => d.rule));
  return {
    dead: dead.filter((d) => d.kind !== "redundant" || !d.by.some((b) => gone.has(b))),
    budgetExhausted: budget <= 0,
  };
}

/**
 * Whether a chain no walk reached may truly be reached: a jump or goto to it whose packets an
 * approximated rule may have taken (mayReach), or one in a chain that may be reached, and so on.
 * Worked out once per table when first asked, from the jumps into unreached chains.
 */
function chainMaybeReached(
  table: Table,
  reach: RuleReach,
  fam: Space,
  mayReach: (chain: Chain, i: number, by: readonly Rule[]) => boolean,
): (chain: Chain) => boolean {
  let maybe: Set<Chain> | undefined;
  const work = (): Set<Chain> => {
    const out = new Set<Chain>();
    const next = new Map<Chain, Chain[]>();
    const queue: Chain[] = [];
    for (const chain of table.chains)
      chain.rules.forEach((rule, i) => {
        const a = rule.action;
        if (a.kind !== "jump" && a.kind !== "goto") return;
        const target = findChain(table, a.chain);
        if (!target || reachedChainsHas(reach, target) || rule.match.intersect(fam).isEmpty()) return;
        if (!reachedChainsHas(reach, chain)) next.set(chain, [...(next.get(chain) ?? []), target]);
        else if (!out.has(target) && mayReach(chain, i, shadowers(reach, chain, i, fam))) {
          out.add(target);
          queue.push(target);
        }
      });
    for (let c = queue.pop(); c !== undefined; c = queue.pop())
      for (const t of next.get(c) ?? [])
        if (!out.has(t)) {
          out.add(t);
          queue.push(t);
        }
    return out;
  };
  return (chain) => (maybe ??= work()).has(chain);
}

/**
 * Whether no packet reaches and matches `rule` in any world of the approximated rules met on the
 * way (worlds.ts): the packets it matches walked through its table's base chains as read, then in
 * each world, watching for a hit on it.
 */
function unreachedInEveryWorld(
  rs: Ruleset,
  table: Table,
  rule: Rule,
  fam: Space,
  budget: { left: number },
): boolean {
  const at = rs.tables.indexOf(table);
  const input = rule.match.intersect(fam);
  const size = table.chains.reduce((n, c) => n + c.rules.length, 0);
  const walk = (rulesets: readonly Ruleset[]): { hit: boolean; uncertain: Uncertain[] } | undefined => {
    // Out of budget: as if the rule were reached (the finding stays uncertain).
    if ((budget.left -= size) < 0) return undefined;
    const t = rulesets[0]!.tables[at]!;
    let hit = false;
    const ctx: WalkContext = {
      table: t,
      view: (r) => r.match,
      onHit: (r) => {
        // The rule itself is never turned off (no walk reaches it): the same object in every world.
        if (r === rule) hit = true;
      },
    };
    const uncertain: Uncertain[] = [];
    for (const chain of t.chains) {
      if (!chain.base) continue;
      const packets = chain.base.type === "nat" ? input.restrict({ ct: ctSet(["new"]) }) : input;
      uncertain.push(...walkBaseChain(ctx, chain, packets, rs.source).uncertain);
    }
    return { hit, uncertain };
  };
  const asRead = walk([rs]);
  if (asRead === undefined || asRead.hit) return false;
  return everyWorld([rs], asRead.uncertain, (world) => {
    const w = walk(world);
    return w === undefined || w.hit ? undefined : w.uncertain;
  });
}

function reachedChainsHas(reach: RuleReach, chain: Chain): boolean {
  return reach.reachedChains.has(chain);
}

function isFinal(rule: Rule): boolean {
  const k = rule.action.kind;
  return k === "accept" || k === "drop" || k === "reject";
}

function jumpsToApproximated(table: Table, rule: Rule, seen = new Set<string>()): boolean {
  const a = rule.action;
  if ((a.kind !== "jump" && a.kind !== "goto") || seen.has(a.chain)) return false;
  seen.add(a.chain);
  const target = findChain(table, a.chain);
  return (target?.rules ?? []).some((r) => approximationDecides(r) || jumpsToApproximated(table, r, seen));
}

/**
 * Whether an approximated rule may have taken packets this rule matches before it: an earlier one
 * of its chain, or one in another chain of its table (a base chain's rules before the jump that
 * leads here, a user chain's on the way; taken wider, as any other chain's).
 * `deciding` is the table's approximated rules that may decide (approximationDecides) with their
 * chains: scanning every rule of the table for each shadowed rule was quadratic in the ruleset.
 */
function approximatedBefore(
  reach: RuleReach,
  deciding: ReadonlyArray<{ chain: Chain; rule: Rule }>,
  chain: Chain,
  index: number,
  fam: Space,
): boolean {
  if (deciding.length === 0) return false;
  const own = chain.rules[index]!.match.intersect(fam);
  // Any other chain's may come first: a base chain's before its jump towards this one, a user
  // chain's on the way (a wider test than the paths, so never a wrong "certain").
  const before = (c: Chain, r: Rule): boolean => (c === chain ? c.rules.indexOf(r) < index : true);
  return deciding.some(
    ({ chain: c, rule: r }) =>
      before(c, r) &&
      r.match.intersects(own) &&
      (reach.hits.get(r) ?? []).some((h) => approximatedPart(r, h, false).intersects(own)),
  );
}

/** The rules of a table that may decide although approximated, with their chains, in table order. */
function decidingApproximated(table: Table): Array<{ chain: Chain; rule: Rule }> {
  return table.chains.flatMap((chain) =>
    chain.rules.filter((rule) => approximationDecides(rule)).map((rule) => ({ chain, rule })),
  );
}

/** Earlier rules that took packets this rule matches (together they leave it nothing). */
function shadowers(reach: RuleReach, chain: Chain, index: number, fam: Space): Rule[] {
  const own = chain.rules[index]!.match.intersect(fam);
  // A rule's hits are inside its match: a match that misses `own` (one box test, mostly) rules
  // the rule out before its hits' boxes are tested.
  return chain.rules
    .slice(0, index)
    .filter(
      (r) =>
        r.action.kind !== "continue" &&
        r.match.intersects(own) &&
        (reach.hits.get(r) ?? []).some((h) => h.intersects(own)),
    );
}

/**
 * Whether two final actions treat a packet alike: the same verdict, and for rejects the same answer
 * sent back (a TCP reset and an ICMP port-unreachable both block, but a client, and a probe, tell
 * them apart: closed against filtered). Rejects are compared as their readers spell them, so two
 * spellings of one answer count as different: a redundancy is then missed, never claimed wrongly.
 */
function sameVerdict(a: Action, b: Action): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind !== "reject" || a.with === (b as typeof a).with;
}

/**
 * A final rule is redundant when, without it, the rest of the chain (and a base chain's policy)
 * gives every packet it decides the same verdict. Packets returning from a user chain have an
 * unknown continuation, so such a rule is never called redundant. Stops at the first packet that
 * would get another verdict (most rules are not redundant, and that shows early).
 */
function redundancy(q: { table: Table; chain: Chain; index: number; hit: Space }): {
  by?: Rule[];
  cost: number;
  uncertain: boolean;
} {
  const rule = q.chain.rules[q.index]!;
  const kind = rule.action.kind;
  const by: Rule[] = [];
  let cost = 0;
  let rem = q.hit;
  let returned = Space.EMPTY;
  let uncertain = false;
  const ctx: WalkContext = { table: q.table, view: (r) => r.match };
  for (const r of q.chain.rules.slice(q.index + 1)) {
    if (rem.isEmpty()) break;
    cost++;
    // What remains is inside the rule's own match: a later match that misses it misses them.
    if (!rule.match.intersects(r.match) || !rem.intersects(r.match)) continue;
    const a = r.action;
    // An approximated rule between: what it truly does with these packets is unknown.
    if (approximationDecides(r)) uncertain = true;
    if (a.kind === "continue") continue;
    const hit = rem.intersect(r.match);
    if (a.kind === "jump" || a.kind === "goto") {
      const target = findChain(q.table, a.chain);
      if (!target) return { cost, uncertain };
      const sub = walkChain(ctx, target, hit);
      cost += target.rules.length;
      if (sub.uncertain.length > 0) uncertain = true;
      for (const d of sub.decided) {
        if (d.by.kind !== "rule" || !sameVerdict(d.by.rule.action, rule.action) || d.nat)
          return { cost, uncertain };
        if (!by.includes(d.by.rule)) by.push(d.by.rule);
      }
      rem = rem.subtract(r.match);
      if (a.kind === "jump") rem = rem.union(sub.returned);
      else returned = returned.union(sub.returned);
      continue;
    }
    if (a.kind === "return") returned = returned.union(hit);
    else if (!sameVerdict(a, rule.action)) return { cost, uncertain };
    else by.push(r);
    rem = rem.subtract(r.match);
  }
  if (!rem.isEmpty() || !returned.isEmpty()) {
    if (!q.chain.base || q.chain.base.policy !== kind) return { cost, uncertain };
  }
  return { by, cost, uncertain };
}
