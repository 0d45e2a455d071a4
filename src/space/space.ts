/**
 * A packet space: a union of pairwise disjoint boxes (box.ts). All set operations are exact and work
 * on intervals, never per port or per address. Disjointness makes emptiness a length check and
 * keeps union = a ++ (b − a). Differences fragment; `coalesce` merges boxes that differ in one
 * dimension only, which keeps real rulesets' remaining sets small (measured in bench/).
 */
import { ALL_V4, ALL_V6 } from "./address.js";
import { keptBoxes } from "./canonical.js";
import type { IntervalSet } from "./interval-set.js";
import type { NameSet } from "./name-set.js";
import {
  boxContains,
  boxHas,
  boxIntersect,
  boxIntersects,
  BOUNDS_STRIDE,
  boundsOverlap,
  boxBounds,
  boxMeet,
  boxSubtractInto,
  hullBounds,
  FULL_BOX,
  INTERVAL_DIMS,
  makeBox,
  NAME_DIMS,
  type Box,
  type Dim,
  type Packet,
  withDim,
  writeBounds,
} from "./box.js";

/** An empty array of boxes with the elements kind of a filled one (see Space.EMPTY). */
function noBoxes(): Box[] {
  const a: Box[] = [FULL_BOX];
  a.pop();
  return a;
}

/** Scratch for Space.near (used and done with inside one call). */
const HULL = new Float64Array(BOUNDS_STRIDE);

/** Coalesce once the box count passes this (cheap below it anyway)… */
const COALESCE_AT = 16;
/** …and has grown this many times since the last coalescing (amortised: O(1) per box added). */
const COALESCE_GROWTH = 2;

export class Space {
  readonly boxes: readonly Box[];
  /** Box count right after the last coalescing that produced (an ancestor of) this space. */
  private readonly settled: number;

  private constructor(boxes: readonly Box[], settled = boxes.length) {
    this.boxes = boxes;
    this.settled = settled;
  }

  /** Coalesces `boxes` (derived from this space) when they have grown enough since the last time. */
  private derive(boxes: Box[]): Space {
    if (boxes.length === 0) return Space.EMPTY;
    if (boxes.length > COALESCE_AT && boxes.length > COALESCE_GROWTH * this.settled) {
      const merged = coalesce(boxes);
      return new Space(merged, merged.length);
    }
    return new Space(boxes, Math.min(this.settled || boxes.length, boxes.length));
  }

  /**
   * No boxes, in an array of the same elements kind as every other box array (a `[]` literal is
   * one of small integers): code optimised on spaces with boxes is not deoptimised by this one.
   */
  static readonly EMPTY = new Space(noBoxes());
  /** Every point of the product, including impossible ones (src IPv4, dst IPv6): only for matches. */
  static readonly ANY = new Space([FULL_BOX]);
  /** Every real packet: src and dst of one family. */
  static readonly UNIVERSE = new Space([
    makeBox({ src: ALL_V4, dst: ALL_V4 }),
    makeBox({ src: ALL_V6, dst: ALL_V6 }),
  ]);

  /** One box; empty if any dimension is empty. */
  static box(dims: Partial<Box>): Space {
    const b = makeBox(dims);
    return isEmptyBox(b) ? Space.EMPTY : new Space([b]);
  }

  /**
   * Union of boxes that may overlap: exactly `s = s.union(box)` for each box in turn (the same
   * boxes, coalesced at the same points), with the boxes' extents kept as numbers as they are
   * added, so each new box is tested only against those whose extents it meets. Uniting box by
   * box against a space with no extents re-tested every box with bigints: half of a further flow
   * query (its replies, `replySpace`) went here.
   */
  static fromBoxes(input: readonly Box[]): Space {
    let boxes: Box[] = [];
    let settled = 0;
    let at: Float64Array = new Float64Array(16 * BOUNDS_STRIDE);
    for (const b of input) {
      if (isEmptyBox(b)) continue;
      // extra = {b} − s, as `subtract` computes it (s's boxes in order, skipping those that meet
      // none of b's pieces: their extents miss b's).
      writeBounds(ONE_BOX, 0, b);
      let cur: Box[] | undefined;
      for (let j = 0; j < boxes.length; j++) {
        if (!boundsOverlap(ONE_BOX, 0, at, j)) continue;
        const from = cur ?? [b];
        if (from.length === 0) break;
        cur = subtractOne(from, boxes[j]!) ?? cur;
      }
      let extra: Box[];
      if (cur === undefined) extra = [b];
      else if (cur.length === 0) continue;
      else extra = cur.length > COALESCE_AT && cur.length > COALESCE_GROWTH ? coalesce(cur) : cur;
      // s.derive([...s.boxes, ...extra]) (s empty: `union` returns {b} itself, settled 1).
      const n = boxes.length + extra.length;
      if (boxes.length > 0 && n > COALESCE_AT && n > COALESCE_GROWTH * settled) {
        boxes = coalesce([...boxes, ...extra]);
        settled = boxes.length;
        at = boxBounds(boxes);
        continue;
      }
      if (boxes.length === 0) settled = n;
      if (at.length < n * BOUNDS_STRIDE) {
        const grown = new Float64Array(Math.max(2 * at.length, n * BOUNDS_STRIDE));
        grown.set(at);
        at = grown;
      }
      for (const e of extra) {
        writeBounds(at, boxes.length * BOUNDS_STRIDE, e);
        boxes.push(e);
      }
    }
    return boxes.length === 0 ? Space.EMPTY : new Space(boxes, settled);
  }

  /**
   * The union of many spaces, merged pairwise in a balanced tree: accumulating one by one costs
   * O(n²) box differences when the pieces are many (a flow cut by thousands of rules).
   */
  static unionAll(spaces: readonly Space[]): Space {
    let layer = spaces.filter((s) => !s.isEmpty());
    if (layer.length === 0) return Space.EMPTY;
    while (layer.length > 1) {
      const next: Space[] = [];
      for (let i = 0; i < layer.length; i += 2)
        next.push(i + 1 < layer.length ? layer[i]!.union(layer[i + 1]!) : layer[i]!);
      layer = next;
    }
    return layer[0]!;
  }

  /** Trusted constructor for boxes already known to be disjoint and non-empty. */
  static disjoint(boxes: readonly Box[]): Space {
    return boxes.length === 0 ? Space.EMPTY : new Space(boxes);
  }

  isEmpty(): boolean {
    return this.boxes.length === 0;
  }

  /**
   * The same space, for keeping long (a walk's decisions and hits): its boxes in an array of
   * exactly their number (one built by push keeps room for 16 more: most recorded decisions are one
   * box, and that room was a quarter of the heap after a whole-space walk), and their sets
   * canonical inside a `withCanonicalSets` scope (canonical.ts). The same boxes in the same order.
   */
  tight(): Space {
    return new Space(keptBoxes(this.boxes), this.settled);
  }

  has(p: Packet): boolean {
    return this.boxes.some((b) => boxHas(b, p));
  }

  intersect(o: Space): Space {
    if (this.isEmpty() || o.isEmpty()) return Space.EMPTY;
    return this.intersectBoxes(o.boxes);
  }

  /**
   * The intersection with the union of `boxes` (disjoint): `intersect` with another space's boxes,
   * or with those of them a caller knows can meet this space (the others add nothing).
   */
  intersectBoxes(boxes: readonly Box[]): Space {
    if (this.isEmpty() || boxes.length === 0) return Space.EMPTY;
    const out: Box[] = [];
    for (const a of this.boxes) {
      for (const b of boxes) {
        const c = boxIntersect(a, b);
        if (c) out.push(c);
      }
    }
    return this.derive(out);
  }

  /**
   * `intersectBoxes` with the extents of `boxes` given (boxBounds layout): pairs whose extents miss
   * as numbers are passed over without the bigint test. The same boxes in the same order; this
   * space's extents are computed once and kept (a recorded decision is narrowed by every flow).
   */
  intersectBoxesBounded(boxes: readonly Box[], bounds: Float64Array): Space {
    if (this.isEmpty() || boxes.length === 0) return Space.EMPTY;
    const own = (this.bounds ??= boxBounds(this.boxes));
    const out: Box[] = [];
    for (let i = 0; i < this.boxes.length; i++) {
      const a = this.boxes[i]!;
      for (let j = 0; j < boxes.length; j++) {
        if (!boundsOverlap(own, i, bounds, j)) continue;
        const c = boxIntersect(a, boxes[j]!);
        if (c) out.push(c);
      }
    }
    return this.derive(out);
  }

  /**
   * `Space.disjoint(ai.map((i) => a[i])).intersectBoxes(bi.map((j) => b[j]))` — the same boxes in
   * the same order, coalesced alike — with the boxes' extents given (boxBounds layout, `aBounds`
   * for `a`, `bBounds` for `b`): pairs whose extents miss as numbers are passed over.
   */
  static meetIndexed(
    a: readonly Box[],
    aBounds: Float64Array,
    ai: readonly number[],
    b: readonly Box[],
    bBounds: Float64Array,
    bi: readonly number[],
  ): Space {
    const base = Space.disjoint(ai.map((i) => a[i]!));
    if (base.isEmpty() || bi.length === 0) return Space.EMPTY;
    const out: Box[] = [];
    for (const i of ai) {
      const x = a[i]!;
      for (const j of bi) {
        if (!boundsOverlap(aBounds, i, bBounds, j)) continue;
        const c = boxIntersect(x, b[j]!);
        if (c) out.push(c);
      }
    }
    return base.derive(out);
  }

  intersects(o: Space): boolean {
    // Plain loops: closures here were allocated per call, and dead-rule checks call this millions of times.
    for (const a of this.boxes) for (const b of o.boxes) if (boxIntersects(a, b)) return true;
    return false;
  }

  subtract(o: Space): Space {
    let cur: Box[] | undefined;
    for (const c of this.near(o)) {
      const from = cur ?? this.boxes;
      if (from.length === 0) break;
      cur = subtractOne(from, c) ?? cur;
    }
    return cur === undefined ? this : this.derive(cur);
  }

  /** Each box's extent as numbers (boxBounds), computed once per space when first needed. */
  private bounds: Float64Array | undefined;

  /**
   * The boxes of `o` that can meet this space, in order: those whose extent overlaps this space's
   * hull (the others meet none of its boxes, nor any piece of them). Only worth it for several.
   */
  private near(o: Space): readonly Box[] {
    // Worth it for several boxes on both sides, or when `o`'s bounds are known already (a space
    // subtracted from many, like the needed flows in exposure): one box of this space against a
    // new `o` (Space.union's o − this) is cheaper tested plainly than bounded.
    if (o.boxes.length < 4 || this.isEmpty() || (this.boxes.length < 4 && o.bounds === undefined))
      return o.boxes;
    o.bounds ??= boxBounds(o.boxes);
    const hull = hullBounds(this.boxes, HULL);
    const out: Box[] = [];
    for (let j = 0; j < o.boxes.length; j++) if (boundsOverlap(hull, 0, o.bounds, j)) out.push(o.boxes[j]!);
    return out;
  }

  /**
   * [this ∩ o, this − o] in one pass over this space's boxes: exactly `[this.intersect(o),
   * this.subtract(o)]` (same boxes, same order), testing each box against `o` once.
   */
  cut(o: Space): [Space, Space] {
    if (o.boxes.length !== 1 || this.isEmpty()) return [this.intersect(o), this.subtract(o)];
    const c = o.boxes[0]!;
    const from = this.boxes;
    const hit: Box[] = [];
    let rest: Box[] | undefined;
    for (let i = 0; i < from.length; i++) {
      const a = from[i]!;
      if (!boxIntersects(a, c)) {
        if (rest) rest.push(a);
        continue;
      }
      hit.push(boxMeet(a, c));
      rest ??= from.slice(0, i);
      boxSubtractInto(a, c, rest);
    }
    return [hit.length === 0 ? Space.EMPTY : this.derive(hit), rest === undefined ? this : this.derive(rest)];
  }

  union(o: Space): Space {
    if (o.isEmpty()) return this;
    if (this.isEmpty()) return o;
    const extra = o.subtract(this);
    if (extra.isEmpty()) return this;
    return this.derive([...this.boxes, ...extra.boxes]);
  }

  contains(o: Space): boolean {
    if (o.boxes.every((b) => this.boxes.some((a) => boxContains(a, b)))) return true;
    return o.subtract(this).isEmpty();
  }

  equals(o: Space): boolean {
    return this.contains(o) && o.contains(this);
  }

  /** The same set with boxes merged where they differ in one dimension. */
  compact(): Space {
    // One box (most pieces a flow's answer renders, one per blocking rule) merges with nothing.
    if (this.boxes.length < 2) return this;
    return Space.disjoint(coalesce(this.boxes));
  }

  /** Narrows one dimension of every box (e.g. restrict to ct new). */
  restrict(dims: Partial<Box>): Space {
    return this.intersect(Space.box(dims));
  }

  /** Replaces one or more dimensions of every box (NAT rewrites, reply swaps); may overlap → union. */
  map(f: (b: Box) => Box): Space {
    return Space.fromBoxes(this.boxes.map(f));
  }
}

/** Scratch for one box's extents (fromBoxes). */
const ONE_BOX = new Float64Array(BOUNDS_STRIDE);

/** `from` less box `c`, or undefined when `c` meets none of its boxes (nothing changes). */
function subtractOne(from: readonly Box[], c: Box): Box[] | undefined {
  let next: Box[] | undefined;
  for (let i = 0; i < from.length; i++) {
    const a = from[i]!;
    if (!boxIntersects(a, c)) {
      if (next) next.push(a);
      continue;
    }
    next ??= from.slice(0, i);
    boxSubtractInto(a, c, next);
  }
  return next;
}

function isEmptyBox(b: Box): boolean {
  return (
    b.proto.isEmpty() ||
    b.dport.isEmpty() ||
    b.dst.isEmpty() ||
    b.src.isEmpty() ||
    b.sport.isEmpty() ||
    b.ct.isEmpty() ||
    b.iif.isEmpty() ||
    b.oif.isEmpty()
  );
}

/**
 * Merges disjoint boxes equal in every dimension but one (their union is again a box, and the
 * result stays disjoint). Repeats per dimension until nothing merges: a pass along a dimension
 * leaves no two boxes equal in all the others, so once the last pass along every other dimension
 * merged nothing, no further pass can (those passes are skipped, the result is the same).
 */
export function coalesce(boxes: readonly Box[]): Box[] {
  const n = boxes.length;
  if (n < 2) return [...boxes];
  // The boxes of the last pass that merged: `boxes` itself until one does, then the first `len`
  // of one of two scratch arrays (the next pass writes the other). One exact copy is returned.
  let cur: readonly Box[] = boxes;
  let len = n;
  let into = MERGED_A;
  const s = scratch(n);
  let keys = s.keys;
  let spare = s.spare;
  for (let i = 0; i < n; i++) writeKeys(keys, i * ND, cur[i]!);
  const table = s.table.subarray(0, tableSize(n));
  const chain = s.chain;
  // A dimension in which every box has the same set merges nothing along it (two disjoint boxes
  // equal in every dimension cannot be), then or after other merges (they keep it): its passes
  // are counted as passes that merged nothing, without the work.
  const uniform = new Uint8Array(ND);
  for (let d = 0; d < ND; d++) uniform[d] = sameEverywhere(cur, keys, d) ? 1 : 0;
  let idle = 0;
  let passes = 0;
  rounds: for (let round = 0; round < 4; round++) {
    const before = len;
    for (let d = 0; d < ND; d++) {
      if (passes >= ND && idle >= ND - 1) break rounds;
      if (uniform[d]) {
        passes++;
        idle++;
        continue;
      }
      const merged = mergeAlong(cur, len, keys, spare, d, table, chain, into);
      passes++;
      if (merged === len) idle++;
      else {
        idle = 0;
        cur = into;
        len = merged;
        into = into === MERGED_A ? MERGED_B : MERGED_A;
        const t = keys;
        keys = spare;
        spare = t;
      }
    }
    if (len === before) break;
  }
  if (cur === boxes) return boxes.slice();
  const out = cur.slice(0, len);
  // The scratch arrays keep their room but no boxes past the call. Only a pass that merged wrote
  // them (from its first merge on), at most n each.
  MERGED_A.fill(NO_BOX, 0, n);
  MERGED_B.fill(NO_BOX, 0, n);
  return out;
}

/** Scratch for the boxes of a pass that merged (coalesce alternates between them). */
const MERGED_A: Box[] = [];
const MERGED_B: Box[] = [];
/** What the scratch arrays hold outside a call (no box: nothing kept alive). */
const NO_BOX = undefined as unknown as Box;

const DIMS: readonly Dim[] = [...INTERVAL_DIMS, ...NAME_DIMS];

/**
 * Whether every box has the set of the first in dimension DIMS[d]: `keys` holds their hashes
 * (writeKeys), so a box whose hash differs settles it without the sets.
 */
function sameEverywhere(boxes: readonly Box[], keys: Int32Array, d: number): boolean {
  const first = keys[d]!;
  for (let i = 1; i < boxes.length; i++) if (keys[i * ND + d] !== first) return false;
  // Equal hashes (as when every box shares the set): confirmed with the sets.
  if (d < INTERVAL_DIMS.length) {
    const dim = INTERVAL_DIMS[d]!;
    const set = boxes[0]![dim];
    for (let i = 1; i < boxes.length; i++)
      if (boxes[i]![dim] !== set && !boxes[i]![dim].equals(set)) return false;
    return true;
  }
  const dim = NAME_DIMS[d - INTERVAL_DIMS.length]!;
  const set = boxes[0]![dim];
  for (let i = 1; i < boxes.length; i++)
    if (boxes[i]![dim] !== set && !boxes[i]![dim].equals(set)) return false;
  return true;
}
const ND = DIMS.length;

/**
 * Typed arrays for coalescing, kept between calls and grown as needed: allocating them per call
 * (thousands of small spaces) cost more than the merging. Coalescing does not nest.
 */
let SCRATCH = {
  n: 0,
  keys: new Int32Array(0),
  spare: new Int32Array(0),
  table: new Int32Array(0),
  chain: new Int32Array(0),
};

function scratch(n: number): typeof SCRATCH {
  if (SCRATCH.n < n) {
    const size = Math.max(n, 2 * SCRATCH.n, 64);
    SCRATCH = {
      n: size,
      keys: new Int32Array(size * ND),
      spare: new Int32Array(size * ND),
      table: new Int32Array(tableSize(size)),
      chain: new Int32Array(size),
    };
  }
  return SCRATCH;
}

function tableSize(n: number): number {
  let size = 16;
  while (size < 2 * n) size *= 2;
  return size;
}

/**
 * One pass along DIMS[d] over the first `n` of `boxes`: boxes equal in every other dimension merge
 * into the first of them, in order, written to `out` (a scratch array); returns how many there are
 * (`n` when nothing merged: `out` and `outKeys` are then to be ignored). `keys[i * ND + k]` is
 * the hash of box i's set in dimension k (equal sets, equal hashes; unequal sets rarely share one,
 * so a match of hashes is confirmed with the sets). Writes the survivors' hashes to `outKeys`.
 * `table` and `chain` are scratch space for an open hash of the keys.
 */
function mergeAlong(
  boxes: readonly Box[],
  n: number,
  keys: Int32Array,
  outKeys: Int32Array,
  d: number,
  table: Int32Array,
  chain: Int32Array,
  out: Box[],
): number {
  const mask = table.length - 1;
  table.fill(-1);
  let m = 0;
  const dim = DIMS[d]!;
  // Most passes merge nothing: until the first merge the survivors are boxes[0..m) themselves
  // (m === i), compared by their own keys; `out` and `outKeys` are written from the first merge on.
  let copied = false;
  for (let i = 0; i < n; i++) {
    const base = i * ND;
    let h = 0;
    for (let k = 0; k < ND; k++) if (k !== d) h = (Math.imul(h, 0x9e3779b1) + keys[base + k]!) | 0;
    const slot = (h ^ (h >>> 15)) & mask;
    let at = table[slot]!;
    const heldKeys = copied ? outKeys : keys;
    const held = copied ? out : boxes;
    while (at >= 0 && !(sameWithout(heldKeys, at * ND, keys, base, d) && sameSets(held[at]!, boxes[i]!, d)))
      at = chain[at]!;
    if (at < 0) {
      const o = m++;
      if (copied) {
        out[o] = boxes[i]!;
        for (let k = 0; k < ND; k++) outKeys[o * ND + k] = keys[base + k]!;
      }
      chain[o] = table[slot]!;
      table[slot] = o;
      continue;
    }
    if (!copied) {
      for (let j = 0; j < m; j++) out[j] = boxes[j]!;
      outKeys.set(keys.subarray(0, m * ND));
      copied = true;
    }
    // Dimension d of the survivors is not compared in this pass: the sets merged into one are
    // united once at its end, not one at a time (a policy's share merged along an address axis
    // grew one list a box at a time, quadratic in the boxes merged).
    let list = PENDING[at];
    if (list === undefined) {
      list = PENDING[at] = [out[at]![dim]];
      MERGED_INTO.push(at);
    }
    list.push(boxes[i]![dim]);
  }
  for (const at of MERGED_INTO) {
    const list = PENDING[at]!;
    const set = uniteAll(list, d);
    PENDING[at] = undefined;
    out[at] = withDim(out[at]!, dim, set as Box[typeof dim]);
    outKeys[at * ND + d] = set.hash();
  }
  MERGED_INTO.length = 0;
  return m;
}

/** The sets merged into each survivor of the current pass (its own first), emptied at its end. */
const PENDING: Array<Array<IntervalSet | NameSet> | undefined> = [];
/** Survivors with sets merged in the current pass. */
const MERGED_INTO: number[] = [];

/** The union of `sets` (dimension DIMS[d]), pairwise in a balanced tree: O(n log k) for k sets. */
function uniteAll(sets: Array<IntervalSet | NameSet>, d: number): IntervalSet | NameSet {
  let layer = sets;
  while (layer.length > 1) {
    const next: Array<IntervalSet | NameSet> = [];
    for (let i = 0; i < layer.length; i += 2)
      next.push(i + 1 < layer.length ? unite(layer[i]!, layer[i + 1]!, d) : layer[i]!);
    layer = next;
  }
  return layer[0]!;
}

function unite(a: IntervalSet | NameSet, b: IntervalSet | NameSet, d: number): IntervalSet | NameSet {
  return d < INTERVAL_DIMS.length
    ? (a as IntervalSet).union(b as IntervalSet)
    : (a as NameSet).union(b as NameSet);
}

function sameWithout(a: Int32Array, ia: number, b: Int32Array, ib: number, d: number): boolean {
  for (let k = 0; k < ND; k++) if (k !== d && a[ia + k] !== b[ib + k]) return false;
  return true;
}

/** Whether boxes whose other dimensions hash alike are equal in every dimension but DIMS[d]. */
function sameSets(a: Box, b: Box, d: number): boolean {
  // Named fields in DIMS order (a keyed load by a dimension's name is megamorphic: slow).
  return (
    (d === 0 || a.proto === b.proto || a.proto.equals(b.proto)) &&
    (d === 1 || a.dport === b.dport || a.dport.equals(b.dport)) &&
    (d === 2 || a.dst === b.dst || a.dst.equals(b.dst)) &&
    (d === 3 || a.src === b.src || a.src.equals(b.src)) &&
    (d === 4 || a.sport === b.sport || a.sport.equals(b.sport)) &&
    (d === 5 || a.ct === b.ct || a.ct.equals(b.ct)) &&
    (d === 6 || a.iif === b.iif || a.iif.equals(b.iif)) &&
    (d === 7 || a.oif === b.oif || a.oif.equals(b.oif))
  );
}

/** The hashes of box b's sets in DIMS order at keys[at…at + ND), by named fields as sameSets. */
function writeKeys(keys: Int32Array, at: number, b: Box): void {
  keys[at] = b.proto.hash();
  keys[at + 1] = b.dport.hash();
  keys[at + 2] = b.dst.hash();
  keys[at + 3] = b.src.hash();
  keys[at + 4] = b.sport.hash();
  keys[at + 5] = b.ct.hash();
  keys[at + 6] = b.iif.hash();
  keys[at + 7] = b.oif.hash();
}
