/**
 * A base chain walked once over all its packets (rule-reach.ts), kept for reuse. A first-match
 * walk decides each packet on its own, so the decisions for any packets inside the walk's domain
 * (and not rewritten by NAT) are the recorded decisions narrowed to them: exactly what a second
 * walk would return, without one. An index on the address and destination port dimensions finds
 * the decisions a packet set can meet without testing all of them (one per rule hit: 10⁵ at 100k
 * rules), and, within a decision of many boxes (a policy's share), the boxes.
 */
import {
  boxBounds,
  boxContains,
  boxHull,
  hullMeets,
  INTERVAL_DIMS,
  writeBounds,
  type Box,
} from "../space/box.js";
import { Space } from "../space/space.js";
import type { Decision, Uncertain } from "./walk.js";

/**
 * Per indexed dimension: hulls at most this wide are found by position, wider ones are candidates
 * for every query. Addresses: a /12 or longer; ports: a range of up to 4096.
 */
const AXES = { dst: 2 ** 20, src: 2 ** 20, dport: 2 ** 12 } as const;
type Axis = keyof typeof AXES;
const AXIS_NAMES = Object.keys(AXES) as Axis[];

/**
 * One axis, in numbers (IntervalSet.minNumber/maxNumber: exact up to 2^53 - 2, monotone above).
 * Candidates are always a superset of the entries that meet a query (each is then tested whole):
 * past 2^53 (IPv6) the query's lower threshold is lowered by more than the rounding (`threshold`).
 */
interface AxisIndex {
  narrow: number;
  /** Entries with a narrow hull on this axis, ordered by the hull's low end. */
  order: number[];
  lo: Float64Array;
  /** Entries whose hull is wider than `narrow`: candidates for every query. */
  wide: number[];
  min: number;
  max: number;
}

/**
 * Each box's hull per interval dimension as numbers, `STRIDE` per box: lo then hi of each dimension
 * in INTERVAL_DIMS order. Number() is monotone, so numbers that do not overlap come from bigints
 * that do not; bounds past 2^53 (IPv6) may overlap as numbers and not exactly, and are flagged.
 */
interface Bounds {
  at: Float64Array;
  inexact: Uint8Array;
}

const STRIDE = 2 * INTERVAL_DIMS.length;
const EXACT = 2 ** 53;

/** Scratch for a query box's bounds (used and done with inside one `meeting`). */
const QUERY: Bounds = { at: new Float64Array(STRIDE), inexact: new Uint8Array(1) };

function numericBounds(boxes: readonly Box[]): Bounds {
  const at = new Float64Array(boxes.length * STRIDE);
  const inexact = new Uint8Array(boxes.length);
  for (let i = 0; i < boxes.length; i++) {
    writeBounds(at, i * STRIDE, boxes[i]!);
    for (let k = 1; k < STRIDE; k += 2) if (at[i * STRIDE + k]! >= EXACT) inexact[i] = 1;
  }
  return { at, inexact };
}

/**
 * A query box's bounds, in QUERY. Apart from numericBounds: one function for both, with an
 * optional target, had V8 deoptimizing it hundreds of times in some runs.
 */
function queryBounds(q: Box): Bounds {
  writeBounds(QUERY.at, 0, q);
  QUERY.inexact[0] = 0;
  for (let k = 1; k < STRIDE; k += 2) if (QUERY.at[k]! >= EXACT) QUERY.inexact[0] = 1;
  return QUERY;
}

/** Whether hull i of `a` and hull j of `b` may meet (never false when they do; exact below 2^53). */
function mayMeet(a: Float64Array, i: number, b: Float64Array, j: number): boolean {
  const x = i * STRIDE;
  const y = j * STRIDE;
  for (let k = 0; k < STRIDE; k += 2)
    if (a[x + k]! > b[y + k + 1]! || b[y + k]! > a[x + k + 1]!) return false;
  return true;
}

function ascending(x: number, y: number): number {
  return x - y;
}

/** Finds, among boxes (hulls), those that can meet a query box: an AxisIndex per indexed dimension. */
class HullIndex {
  private readonly axes: AxisIndex[];
  readonly bounds: Bounds;

  constructor(readonly hulls: readonly Box[]) {
    this.axes = AXIS_NAMES.map((d) => axisIndex(hulls, d));
    this.bounds = numericBounds(hulls);
  }

  /** Positions (ascending) of the hulls that meet `q`: the fewest candidates of one axis, tested whole. */
  meeting(q: Box): number[] {
    // Plain loops and no closures: this runs for every narrowed decision of every query.
    let best: AxisIndex | undefined;
    let from = 0;
    let to = 0;
    let count = Infinity;
    for (let k = 0; k < AXIS_NAMES.length; k++) {
      const ix = this.axes[k]!;
      const set = q[AXIS_NAMES[k]!];
      const a = set.minNumber();
      const b = set.maxNumber();
      // The query covers the whole axis: no narrowing by it.
      if (a <= ix.min && b >= ix.max) continue;
      const f = lowerBound(ix.lo, threshold(a, ix.narrow));
      const t = upperBound(ix.lo, b);
      const c = ix.wide.length + t - f;
      if (c < count) {
        best = ix;
        from = f;
        to = t;
        count = c;
      }
    }
    const qb = queryBounds(q);
    const picked: number[] = [];
    const hulls = this.hulls;
    if (!best) {
      for (let i = 0; i < hulls.length; i++) if (this.meets(i, q, qb)) picked.push(i);
      return picked;
    }
    for (const i of best.wide) if (this.meets(i, q, qb)) picked.push(i);
    const order = best.order;
    for (let k = from; k < to; k++) if (this.meets(order[k]!, q, qb)) picked.push(order[k]!);
    return picked.sort(ascending);
  }

  /**
   * Whether hull i meets query box `q` (bounds `qb`). A method, not a closure made per query: it
   * runs for every candidate of every query, so it is optimised during the audit and a first query
   * after it does not wait for `meeting` itself to be compiled.
   */
  private meets(i: number, q: Box, qb: Bounds): boolean {
    if (!mayMeet(this.bounds.at, i, qb.at, 0)) return false;
    // Numbers are exact below 2^53; past it (IPv6) the bigint test decides.
    return !((this.bounds.inexact[i] || qb.inexact[0]) && !hullMeets(this.hulls[i]!, [q]));
  }
}

/** A recorded decision; a large one gets an index of its own boxes when first narrowed. */
interface Entry {
  decision: Decision;
  hull: Box;
  /** Set when first narrowed; present (undefined) from the start so every entry has one hidden class. */
  boxes: HullIndex | undefined;
}

export interface BaseWalk {
  domain: Space;
  /** The walk's decisions in rule order (pairwise disjoint). */
  decided: readonly Entry[];
  index: HullIndex;
  /** Packets of the domain that met approximated rules (walk.ts `Uncertain`). */
  uncertain: readonly Uncertain[];
}

export function baseWalk(
  domain: Space,
  walk: { decided: readonly Decision[]; uncertain: readonly Uncertain[] },
): BaseWalk {
  const decided = walk.decided.map((decision): Entry => ({
    decision,
    hull: boxHull(decision.packets.boxes),
    boxes: undefined,
  }));
  return { domain, decided, index: new HullIndex(decided.map((d) => d.hull)), uncertain: walk.uncertain };
}

/** The recorded uncertain packets among `packets` (⊆ the walk's domain). */
export function narrowUncertain(walk: BaseWalk, packets: Space): Uncertain[] {
  const out: Uncertain[] = [];
  for (const u of walk.uncertain) {
    const mine = u.packets.intersect(packets);
    if (!mine.isEmpty()) out.push({ rule: u.rule, packets: mine });
  }
  return out;
}

function axisIndex(hulls: readonly Box[], axis: Axis): AxisIndex {
  const width = AXES[axis];
  const narrow: number[] = [];
  const wide: number[] = [];
  const low = new Float64Array(hulls.length);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < hulls.length; i++) {
    const set = hulls[i]![axis];
    const lo = set.minNumber();
    const hi = set.maxNumber();
    low[i] = lo;
    if (lo < min) min = lo;
    if (hi > max) max = hi;
    // Exact below 2^53; above, two numbers this close are within a factor of two, so their
    // difference is exact (Sterbenz) and a hull called narrow is narrow in numbers.
    (hi - lo < width ? narrow : wide).push(i);
  }
  narrow.sort((a, b) => low[a]! - low[b]! || a - b);
  const lo = new Float64Array(narrow.length);
  for (let k = 0; k < narrow.length; k++) lo[k] = low[narrow[k]!]!;
  return { narrow: width, order: narrow, lo, wide, min: hulls.length ? min : 0, max: hulls.length ? max : 0 };
}

/**
 * The lowest low end a narrow hull meeting a query from `a` on can have: `a - narrow`, exact below
 * 2^53. Above it the subtraction is exact too while the spacing of numbers is at most `narrow`
 * (both are powers of two), and past that a narrow hull's ends are one number, at least `a`; the
 * margin taken off there only guards that reasoning against rounding (more candidates, never fewer).
 */
function threshold(a: number, narrow: number): number {
  return a <= EXACT ? a - narrow : a - narrow - a * 2 ** -50;
}

/** First position whose low end is ≥ v. */
function lowerBound(lo: Float64Array, v: number): number {
  let a = 0;
  let b = lo.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (lo[m]! < v) a = m + 1;
    else b = m;
  }
  return a;
}

/** First position whose low end is > v. */
function upperBound(lo: Float64Array, v: number): number {
  let a = 0;
  let b = lo.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (lo[m]! <= v) a = m + 1;
    else b = m;
  }
  return a;
}

/** Decisions with more boxes than this are intersected through an index of their boxes. */
const INDEX_BOXES = 64;

/** The recorded decisions for `packets` (⊆ the walk's domain), in the walk's order. */
export function narrowWalk(walk: BaseWalk, packets: Space): Decision[] {
  if (packets.isEmpty()) return [];
  const hull = boxHull(packets.boxes);
  const own = packets.boxes.length === 1 ? undefined : numericBounds(packets.boxes);
  const all = own?.at ?? boxBounds(packets.boxes);
  const hulls = walk.index.bounds.at;
  const out: Decision[] = [];
  const n = packets.boxes.length;
  const every = n === 1 ? [0] : undefined;
  for (const i of walk.index.meeting(hull)) {
    const entry = walk.decided[i]!;
    // Only the packets' boxes that can meet the decision's hull can meet the decision (one box:
    // its extents are the packets' hull, which `meeting` found to meet it). Their positions.
    let near = every;
    if (near === undefined) {
      near = [];
      for (let j = 0; j < n; j++) if (mayMeet(all, j, hulls, i)) near.push(j);
    }
    if (near.length === 0) continue;
    const { mine, met } = narrowDecision(entry, near, hull, packets.boxes, all);
    if (mine.isEmpty()) continue;
    // Decisions are disjoint: once one holds every packet (each box inside one of its boxes, a
    // sufficient test), no later one meets them. Replies all taken by an `established` accept
    // first in the chain stop here, as the walk would. Every box inside the decision needs all
    // of them near it and the packets' hull inside the decision's (cheap tests first); a box
    // holding a packet box meets the packets' hull, so only the decision's boxes `met` can.
    if (
      near.length === n &&
      boxContains(entry.hull, hull) &&
      packets.boxes.every((p) => met.some((b) => boxContains(b, p)))
    ) {
      out.push(narrowed(entry.decision, packets));
      break;
    }
    out.push(narrowed(entry.decision, mine));
  }
  return out;
}

/** The decision `d` for `packets` of its own (a literal of Decision's one shape, not a spread). */
function narrowed(d: Decision, packets: Space): Decision {
  return { outcome: d.outcome, packets, by: d.by, nat: d.nat };
}

/**
 * The decision's packets among the packets' boxes at positions `near` (those that can meet its
 * hull; `hull` holds all packets), and the decision's boxes that can meet `hull` (`met`: all of
 * them, or those its index finds). A small decision meets all the packets' boxes (`all`, extents
 * `bounds`) with a numeric test first: the boxes not near it meet none of its boxes, so the result
 * is the same. A large one meets the near boxes its index found, pairs whose extents miss skipped.
 */
function narrowDecision(
  entry: Entry,
  near: readonly number[],
  hull: Box,
  all: readonly Box[],
  bounds: Float64Array,
): { mine: Space; met: readonly Box[] } {
  const own = entry.decision.packets;
  if (own.boxes.length <= INDEX_BOXES)
    return { mine: own.intersectBoxesBounded(all, bounds), met: own.boxes };
  entry.boxes ??= new HullIndex(own.boxes);
  const picked = entry.boxes.meeting(hull);
  // No array made by map when none: an empty one is of another elements kind (a deopt of its reader).
  if (picked.length === 0) return { mine: Space.EMPTY, met: Space.EMPTY.boxes };
  const met = picked.map((i) => own.boxes[i]!);
  return { mine: Space.meetIndexed(own.boxes, entry.boxes.bounds.at, picked, all, bounds, near), met };
}
