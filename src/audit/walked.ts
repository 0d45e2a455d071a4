/**
 * A base chain walked once over all its packets (rule-reach.ts), kept for reuse. A first-match
 * walk decides each packet on its own, so the decisions for any packets inside the walk's domain
 * (and not rewritten by NAT) are the recorded decisions narrowed to them: exactly what a second
 * walk would return, without one. An index on the two address dimensions finds the decisions a
 * packet set can meet without testing all of them (one per rule hit: 10⁵ at 100k rules).
 */
import { boxContains, boxHull, hullMeets, type Box } from "../space/box.js";
import type { Space } from "../space/space.js";
import type { Decision } from "./walk.js";

/** Hulls at most this wide on an address dimension are indexed by position; wider ones always tested. */
const NARROW = 1n << 20n;

interface AxisIndex {
  /** Entries with a narrow hull on this axis, ordered by the hull's low end. */
  order: number[];
  lo: bigint[];
  hi: bigint[];
  /** Entries whose hull is wider than NARROW: candidates for every query. */
  wide: number[];
  min: bigint;
  max: bigint;
}

export interface BaseWalk {
  domain: Space;
  /** The walk's decisions in rule order (pairwise disjoint), each with its packets' hull. */
  decided: ReadonlyArray<{ decision: Decision; hull: Box }>;
  dst: AxisIndex;
  src: AxisIndex;
}

export function baseWalk(domain: Space, decisions: readonly Decision[]): BaseWalk {
  const decided = decisions.map((decision) => ({ decision, hull: boxHull(decision.packets.boxes) }));
  const hulls = decided.map((d) => d.hull);
  return { domain, decided, dst: axisIndex(hulls, "dst"), src: axisIndex(hulls, "src") };
}

function axisIndex(hulls: readonly Box[], axis: "dst" | "src"): AxisIndex {
  const narrow: number[] = [];
  const wide: number[] = [];
  let min: bigint | undefined;
  let max: bigint | undefined;
  hulls.forEach((h, i) => {
    const lo = h[axis].min()!;
    const hi = h[axis].max()!;
    if (min === undefined || lo < min) min = lo;
    if (max === undefined || hi > max) max = hi;
    (hi - lo < NARROW ? narrow : wide).push(i);
  });
  const lowEnd = (i: number) => hulls[i]![axis].min()!;
  narrow.sort((a, b) => (lowEnd(a) < lowEnd(b) ? -1 : lowEnd(a) > lowEnd(b) ? 1 : a - b));
  return { order: narrow, lo: narrow.map(lowEnd), hi: narrow.map((i) => hulls[i]![axis].max()!), wide, min: min ?? 0n, max: max ?? 0n };
}

/** First position whose low end is ≥ v. */
function lowerBound(lo: readonly bigint[], v: bigint): number {
  let a = 0;
  let b = lo.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (lo[m]! < v) a = m + 1;
    else b = m;
  }
  return a;
}

/** Entries whose hull on this axis can meet [a, b]; undefined when the query covers the whole axis. */
function candidates(ix: AxisIndex, a: bigint, b: bigint): number[] | undefined {
  if (a <= ix.min && b >= ix.max) return undefined;
  const out = [...ix.wide];
  for (let k = lowerBound(ix.lo, a - NARROW); k < ix.lo.length && ix.lo[k]! <= b; k++) if (ix.hi[k]! >= a) out.push(ix.order[k]!);
  return out;
}

/** The recorded decisions for `packets` (⊆ the walk's domain), in the walk's order. */
export function narrowWalk(walk: BaseWalk, packets: Space): Decision[] {
  if (packets.isEmpty()) return [];
  const hull = boxHull(packets.boxes);
  const n = walk.decided.length;
  const byDst = candidates(walk.dst, hull.dst.min()!, hull.dst.max()!);
  const bySrc = candidates(walk.src, hull.src.min()!, hull.src.max()!);
  let picked: number[];
  if (!byDst && !bySrc) picked = Array.from({ length: n }, (_, i) => i);
  else if (!byDst || !bySrc) picked = (byDst ?? bySrc)!.sort((x, y) => x - y);
  else {
    const seen = new Uint8Array(n);
    for (const i of byDst) seen[i] = 1;
    picked = bySrc.filter((i) => seen[i] === 1).sort((x, y) => x - y);
  }
  const out: Decision[] = [];
  for (const i of picked) {
    const { decision, hull: h } = walk.decided[i]!;
    if (!hullMeets(hull, decision.packets.boxes) || !hullMeets(h, packets.boxes)) continue;
    const mine = decision.packets.intersect(packets);
    if (mine.isEmpty()) continue;
    // Decisions are disjoint: once one holds every packet (each box inside one of its boxes, a
    // sufficient test), no later one meets them. Replies all taken by an `established` accept
    // first in the chain stop here, as the walk would.
    if (packets.boxes.every((p) => decision.packets.boxes.some((b) => boxContains(b, p)))) {
      out.push({ ...decision, packets });
      break;
    }
    out.push({ ...decision, packets: mine });
  }
  return out;
}
