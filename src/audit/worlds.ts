/**
 * Whether an approximation can change a verdict, decided by trying its alternatives. A rule whose
 * approximations leave only its match unknown over-approximates it (ir/ruleset.ts, Approximation):
 * in the kernel it matches each packet of its approximate part, or not. A packet's fate depends only
 * on its own choices, so across all packets the possible outcomes are exactly those of the 2^k
 * "worlds" in which each of the k rules a set of packets meets matches all of its approximate part
 * (as read) or none of it. Where every world passes and drops the same packets, the approximations
 * met change no verdict: the finding is certain. Pure.
 */
import { approximatedPart, type Rule, type Ruleset } from "../ir/ruleset.js";
import { boundsOverlap, boxBounds, boxIntersects, boxMeet, hullBounds, type Box } from "../space/box.js";
import { Space } from "../space/space.js";
import type { Uncertain } from "./walk.js";

/** Worlds tried at most: 2^3 − 1 runs besides the one as read (a finding meets one or two, mostly). */
export const MAX_WORLD_RULES = 3;

/** Whether a world may turn `rule` off: it leaves only its match unknown and rewrites nothing. */
function worldly(rule: Rule): boolean {
  const a = rule.action.kind;
  if (a === "dnat" || a === "snat" || a === "masquerade" || a === "redirect") return false;
  return rule.approximations.every((x) => x.affects === "match");
}

/**
 * Runs `visit` on the rulesets of every world of the approximated rules met (`met`, those meeting
 * `packets` when given), and of those met in the worlds themselves: a rule the walk as read never
 * reached (an earlier approximated rule took its packets) is met once that one is off, and its
 * own alternatives are worlds too. `visit` returns what its run met, or undefined to stop.
 * True when every world was visited; false when `visit` stopped or the worlds cannot be tried
 * (over MAX_WORLD_RULES rules, an unknown action, a NAT target: the finding stays uncertain).
 */
export function everyWorld(
  rulesets: readonly Ruleset[],
  met: readonly Uncertain[],
  visit: (world: Ruleset[]) => readonly Uncertain[] | undefined,
  packets?: Space,
): boolean {
  const rules = new Set<Rule>();
  const add = (u: readonly Uncertain[], only?: Space): boolean => {
    for (const x of u) {
      if (rules.has(x.rule) || (only !== undefined && !x.packets.intersects(only))) continue;
      if (!worldly(x.rule) || rules.size === MAX_WORLD_RULES) return false;
      rules.add(x.rule);
    }
    return true;
  };
  if (!add(met, packets)) return false;
  for (;;) {
    const before = rules.size;
    for (const world of otherWorlds(rulesets, [...rules])) {
      const u = visit(world);
      if (u === undefined || !add(u)) return false;
    }
    // Every world of these rules was visited and met no other: every outcome there is was seen.
    if (rules.size === before) return true;
  }
}

/**
 * The rulesets of the world where each rule of `off` matches none of its approximate part (its
 * exact part it still matches: a TCP flags test still takes every SYN of state NEW). Tables and
 * chains without such a rule are the same objects; the others are copies, so a walk of the world
 * must not reuse a walk of the rules as read (the audit's `walked`).
 */
export function withoutApproximatePart(rulesets: readonly Ruleset[], off: ReadonlySet<Rule>): Ruleset[] {
  const holds = (rules: readonly Rule[]): boolean => rules.some((r) => off.has(r));
  return rulesets.map((rs) =>
    !rs.tables.some((t) => t.chains.some((c) => holds(c.rules)))
      ? rs
      : {
          ...rs,
          tables: rs.tables.map((t) =>
            !t.chains.some((c) => holds(c.rules))
              ? t
              : {
                  ...t,
                  chains: t.chains.map((c) =>
                    !holds(c.rules)
                      ? c
                      : {
                          ...c,
                          rules: c.rules.map((r) =>
                            off.has(r)
                              ? { ...r, match: r.match.subtract(approximatedPart(r, r.match, false)) }
                              : r,
                          ),
                        },
                  ),
                },
          ),
        },
  );
}

/** Each world but the one as read: the rulesets with some non-empty subset of `rules` off. */
function* otherWorlds(rulesets: readonly Ruleset[], rules: readonly Rule[]): Generator<Ruleset[]> {
  for (let mask = 1; mask < 1 << rules.length; mask++)
    yield withoutApproximatePart(rulesets, new Set(rules.filter((_, i) => mask & (1 << i))));
}

/** The union of disjoint pieces (what a hook passed or dropped: pairwise disjoint), as one space. */
export function piecesUnion(pieces: readonly Space[]): Space {
  return Space.disjoint(pieces.flatMap((p) => p.boxes));
}

/**
 * The pairs of boxes of `a` and `b` whose extents overlap, as numbers first (the worlds compare
 * fragmented spaces of thousands of boxes: a set difference of such spaces was most of a 10k
 * audit's time, a box test per pair with bigints much of the rest). `visit` returns true to stop.
 */
function overlapping(a: Space, b: Space, visit: (x: Box, y: Box) => boolean): void {
  if (a.isEmpty() || b.isEmpty()) return;
  const ab = boxBounds(a.boxes);
  const bb = boxBounds(b.boxes);
  const hb = hullBounds(b.boxes);
  for (let i = 0; i < a.boxes.length; i++) {
    if (!boundsOverlap(ab, i, hb, 0)) continue;
    for (let j = 0; j < b.boxes.length; j++)
      if (
        boundsOverlap(ab, i, bb, j) &&
        boxIntersects(a.boxes[i]!, b.boxes[j]!) &&
        visit(a.boxes[i]!, b.boxes[j]!)
      )
        return;
  }
}

/** Whether the spaces share a packet. */
export function spacesMeet(a: Space, b: Space): boolean {
  let met = false;
  overlapping(a, b, () => (met = true));
  return met;
}

/** The packets of `a` in `b`, both of disjoint boxes (so are the pieces of the result). */
export function spacesMeeting(a: Space, b: Space): Space {
  const out: Box[] = [];
  overlapping(a, b, (x, y) => {
    out.push(boxMeet(x, y));
    return false;
  });
  return Space.disjoint(out);
}
