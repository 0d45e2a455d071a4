/**
 * A box: the product of one set per dimension of the packet space. Packet spaces (space.ts) are
 * unions of disjoint boxes. Dimensions, in the order set differences split them:
 *   proto (IP protocol, 0-255), dport, dst (address axis), src, sport, ct (conntrack state),
 *   iif, oif (interface names).
 * The l3 family is the address axis (address.ts): a real packet has src and dst in one family;
 * Space.universe() holds only such packets and every analysis starts from it.
 * ICMP: packets without ports (ICMP, ICMPv6) carry type and code on the dport axis as
 * type*256+code (RFC 792 / RFC 4443 header layout: type byte, then code byte) and sport 0, so an
 * `icmp type echo-request` match is a range of dport like any other.
 */
import { ADDR_MAX } from "./address.js";
import { IntervalSet } from "./interval-set.js";
import { NameSet } from "./name-set.js";

/** Conntrack states as values of the ct dimension (nft `ct state`, iptables `--ctstate`). */
export const CT_STATES = ["new", "established", "related", "invalid", "untracked"] as const;
export type CtState = (typeof CT_STATES)[number];

export const FULL = {
  proto: IntervalSet.of(0, 255),
  addr: IntervalSet.of(0n, ADDR_MAX),
  port: IntervalSet.of(0, 65535),
  ct: IntervalSet.of(0, CT_STATES.length - 1),
} as const;

export type IntervalDim = "proto" | "dport" | "dst" | "src" | "sport" | "ct";
export type NameDim = "iif" | "oif";
export type Dim = IntervalDim | NameDim;
export const INTERVAL_DIMS: readonly IntervalDim[] = ["proto", "dport", "dst", "src", "sport", "ct"];
export const NAME_DIMS: readonly NameDim[] = ["iif", "oif"];

export interface Box {
  readonly proto: IntervalSet;
  readonly dport: IntervalSet;
  readonly dst: IntervalSet;
  readonly src: IntervalSet;
  readonly sport: IntervalSet;
  readonly ct: IntervalSet;
  readonly iif: NameSet;
  readonly oif: NameSet;
}

export const FULL_BOX: Box = {
  proto: FULL.proto,
  dport: FULL.port,
  dst: FULL.addr,
  src: FULL.addr,
  sport: FULL.port,
  ct: FULL.ct,
  iif: NameSet.ALL,
  oif: NameSet.ALL,
};

/**
 * `b` with dimension `d` replaced. One object literal in the field order of FULL_BOX: every box
 * then shares one hidden class, which keeps the hot box operations monomorphic (a spread with a
 * computed key gave each a shape of its own and was a tenth of the walk's time).
 */
export function withDim<D extends Dim>(b: Box, d: D, v: Box[D]): Box {
  const x = {
    proto: b.proto,
    dport: b.dport,
    dst: b.dst,
    src: b.src,
    sport: b.sport,
    ct: b.ct,
    iif: b.iif,
    oif: b.oif,
  };
  (x as Record<Dim, IntervalSet | NameSet>)[d] = v;
  return x;
}

/** A box from the dimensions given; the others are full. Empty if any given set is empty. */
export function makeBox(dims: Partial<Box>): Box {
  const f = FULL_BOX;
  const {
    proto = f.proto,
    dport = f.dport,
    dst = f.dst,
    src = f.src,
    sport = f.sport,
    ct = f.ct,
    iif = f.iif,
    oif = f.oif,
  } = dims;
  return { proto, dport, dst, src, sport, ct, iif, oif };
}

export function ctSet(states: readonly CtState[]): IntervalSet {
  return IntervalSet.from(states.map((s) => [CT_STATES.indexOf(s), CT_STATES.indexOf(s)] as const));
}

export function boxIsEmpty(b: Box): boolean {
  return INTERVAL_DIMS.some((d) => b[d].isEmpty()) || NAME_DIMS.some((d) => b[d].isEmpty());
}

export function boxIntersects(a: Box, b: Box): boolean {
  // Addresses first: in real rulesets they tell boxes apart most often (cheapest rejection).
  return (
    a.dst.intersects(b.dst) &&
    a.src.intersects(b.src) &&
    a.dport.intersects(b.dport) &&
    a.proto.intersects(b.proto) &&
    a.sport.intersects(b.sport) &&
    a.ct.intersects(b.ct) &&
    a.iif.intersects(b.iif) &&
    a.oif.intersects(b.oif)
  );
}

/** The intersection, or undefined when empty. */
export function boxIntersect(a: Box, b: Box): Box | undefined {
  return boxIntersects(a, b) ? boxMeet(a, b) : undefined;
}

/** The intersection of boxes known to intersect (`boxIntersects`). */
export function boxMeet(a: Box, b: Box): Box {
  const proto = meetDim(0, a.proto, b.proto);
  const dport = meetDim(1, a.dport, b.dport);
  const dst = meetDim(2, a.dst, b.dst);
  const src = meetDim(3, a.src, b.src);
  const sport = meetDim(4, a.sport, b.sport);
  const ct = meetDim(5, a.ct, b.ct);
  const iif = a.iif.intersect(b.iif);
  const oif = a.oif.intersect(b.oif);
  // One side inside the other (the sets' fast paths return the operand): that box, not a copy.
  if (hasSets(a, proto, dport, dst, src, sport, ct, iif, oif)) return a;
  if (hasSets(b, proto, dport, dst, src, sport, ct, iif, oif)) return b;
  return { proto, dport, dst, src, sport, ct, iif, oif };
}

/**
 * The last pair of sets an operation took in each interval dimension (INTERVAL_DIMS order) and its
 * result. A cut or a meet takes one rule's box against many boxes that mostly share their sets
 * (every piece of a port range less a port): the same result was computed and allocated again for
 * each. Sets are immutable, so the same two objects give the same answer; equal results are then
 * also one object.
 */
class LastPairs {
  readonly x = new Array<IntervalSet | undefined>(INTERVAL_DIMS.length).fill(undefined);
  readonly y = new Array<IntervalSet | undefined>(INTERVAL_DIMS.length).fill(undefined);
  readonly r: IntervalSet[] = [];

  /** The result kept for (x, y) in dimension k, or undefined. */
  get(k: number, x: IntervalSet, y: IntervalSet): IntervalSet | undefined {
    return this.x[k] === x && this.y[k] === y ? this.r[k] : undefined;
  }

  keep(k: number, x: IntervalSet, y: IntervalSet, r: IntervalSet): IntervalSet {
    this.x[k] = x;
    this.y[k] = y;
    this.r[k] = r;
    return r;
  }
}

const MEETS = new LastPairs();
const CUTS = new LastPairs();

/** `x ∩ y` in interval dimension k, through its memo. */
function meetDim(k: number, x: IntervalSet, y: IntervalSet): IntervalSet {
  if (x === y) return x;
  return MEETS.get(k, x, y) ?? MEETS.keep(k, x, y, x.intersect(y));
}

/** `x − y` in interval dimension k, through its memo. */
function cutDim(k: number, x: IntervalSet, y: IntervalSet): IntervalSet {
  return CUTS.get(k, x, y) ?? CUTS.keep(k, x, y, x.subtract(y));
}

/**
 * Whether box `b` holds exactly these sets (the same objects), so that `b` itself stands for the box
 * of them: boxes are immutable, and keeping one instead of an equal copy saves its memory.
 */
export function hasSets(
  b: Box,
  proto: IntervalSet,
  dport: IntervalSet,
  dst: IntervalSet,
  src: IntervalSet,
  sport: IntervalSet,
  ct: IntervalSet,
  iif: NameSet,
  oif: NameSet,
): boolean {
  return (
    proto === b.proto &&
    dport === b.dport &&
    dst === b.dst &&
    src === b.src &&
    sport === b.sport &&
    ct === b.ct &&
    iif === b.iif &&
    oif === b.oif
  );
}

export function boxContains(a: Box, b: Box): boolean {
  return (
    a.dst.contains(b.dst) &&
    a.src.contains(b.src) &&
    a.dport.contains(b.dport) &&
    a.proto.contains(b.proto) &&
    a.sport.contains(b.sport) &&
    a.ct.contains(b.ct) &&
    a.iif.contains(b.iif) &&
    a.oif.contains(b.oif)
  );
}

export function boxEquals(a: Box, b: Box): boolean {
  return INTERVAL_DIMS.every((d) => a[d].equals(b[d])) && NAME_DIMS.every((d) => a[d].equals(b[d]));
}

/**
 * a − c as disjoint boxes: at most one piece per dimension. Piece k keeps dimensions before k
 * narrowed to c, takes dimension k outside c, and leaves later dimensions whole.
 */
export function boxSubtract(a: Box, c: Box): Box[] {
  return boxIntersects(a, c) ? boxSubtractMeeting(a, c) : [a];
}

/** `boxSubtract` of boxes known to intersect. */
export function boxSubtractMeeting(a: Box, c: Box): Box[] {
  const out: Box[] = [];
  boxSubtractInto(a, c, out);
  return out;
}

/**
 * The pieces of `boxSubtractMeeting(a, c)`, pushed onto `out` (the set operations' result arrays:
 * no array of pieces per subtracted box, which was garbage for every box a rule cut).
 */
export function boxSubtractInto(a: Box, c: Box, out: Box[]): void {
  // Dimension by dimension in INTERVAL_DIMS then NAME_DIMS order, the narrowed box kept in locals
  // (a box object per step was garbage: only the pieces are kept). Where c covers a dimension,
  // the rest is empty and the dimension stays as it is. Each interval dimension's difference and
  // intersection go through the memos (`cutDim`, `meetDim`): a cut meets the same boxes first
  // (boxMeet), which leaves the intersections there.
  let { proto, dport, dst, src, sport, ct, iif } = a;
  const oif = a.oif;
  let rest = cutDim(0, proto, c.proto);
  if (!rest.isEmpty()) {
    out.push({ proto: rest, dport, dst, src, sport, ct, iif, oif });
    proto = meetDim(0, proto, c.proto);
  }
  rest = cutDim(1, dport, c.dport);
  if (!rest.isEmpty()) {
    out.push({ proto, dport: rest, dst, src, sport, ct, iif, oif });
    dport = meetDim(1, dport, c.dport);
  }
  rest = cutDim(2, dst, c.dst);
  if (!rest.isEmpty()) {
    out.push({ proto, dport, dst: rest, src, sport, ct, iif, oif });
    dst = meetDim(2, dst, c.dst);
  }
  rest = cutDim(3, src, c.src);
  if (!rest.isEmpty()) {
    out.push({ proto, dport, dst, src: rest, sport, ct, iif, oif });
    src = meetDim(3, src, c.src);
  }
  rest = cutDim(4, sport, c.sport);
  if (!rest.isEmpty()) {
    out.push({ proto, dport, dst, src, sport: rest, ct, iif, oif });
    sport = meetDim(4, sport, c.sport);
  }
  rest = cutDim(5, ct, c.ct);
  if (!rest.isEmpty()) {
    out.push({ proto, dport, dst, src, sport, ct: rest, iif, oif });
    ct = meetDim(5, ct, c.ct);
  }
  const iifRest = iif.subtract(c.iif);
  if (!iifRest.isEmpty()) {
    out.push({ proto, dport, dst, src, sport, ct, iif: iifRest, oif });
    iif = iif.intersect(c.iif);
  }
  const oifRest = oif.subtract(c.oif);
  if (!oifRest.isEmpty()) out.push({ proto, dport, dst, src, sport, ct, iif, oif: oifRest });
}

/**
 * The smallest box holding every box given, per interval dimension (names: all). A prefilter:
 * boxes whose hulls do not meet cannot meet.
 */
export function boxHull(boxes: readonly Box[]): Box {
  // Dimension by dimension in locals: this runs for every recorded decision and every walk part.
  // Per dimension the set with the lowest and the one with the highest value, compared as
  // numbers where the sets keep numbers (interval-set.ts), then one interval between them.
  const f = boxes[0]!;
  let protoLo = f.proto;
  let protoHi = f.proto;
  let dportLo = f.dport;
  let dportHi = f.dport;
  let dstLo = f.dst;
  let dstHi = f.dst;
  let srcLo = f.src;
  let srcHi = f.src;
  let sportLo = f.sport;
  let sportHi = f.sport;
  let ctLo = f.ct;
  let ctHi = f.ct;
  for (let i = 1; i < boxes.length; i++) {
    const b = boxes[i]!;
    protoLo = IntervalSet.lowerMin(protoLo, b.proto);
    protoHi = IntervalSet.higherMax(protoHi, b.proto);
    dportLo = IntervalSet.lowerMin(dportLo, b.dport);
    dportHi = IntervalSet.higherMax(dportHi, b.dport);
    dstLo = IntervalSet.lowerMin(dstLo, b.dst);
    dstHi = IntervalSet.higherMax(dstHi, b.dst);
    srcLo = IntervalSet.lowerMin(srcLo, b.src);
    srcHi = IntervalSet.higherMax(srcHi, b.src);
    sportLo = IntervalSet.lowerMin(sportLo, b.sport);
    sportHi = IntervalSet.higherMax(sportHi, b.sport);
    ctLo = IntervalSet.lowerMin(ctLo, b.ct);
    ctHi = IntervalSet.higherMax(ctHi, b.ct);
  }
  const proto = IntervalSet.span(protoLo, protoHi);
  const dport = IntervalSet.span(dportLo, dportHi);
  const dst = IntervalSet.span(dstLo, dstHi);
  const src = IntervalSet.span(srcLo, srcHi);
  const sport = IntervalSet.span(sportLo, sportHi);
  const ct = IntervalSet.span(ctLo, ctHi);
  // A box that is its own hull (one box of single intervals, any interface) is kept, not copied:
  // every recorded decision keeps its hull.
  if (hasSets(f, proto, dport, dst, src, sport, ct, FULL_BOX.iif, FULL_BOX.oif)) return f;
  return { proto, dport, dst, src, sport, ct, iif: FULL_BOX.iif, oif: FULL_BOX.oif };
}

/** Whether some box of `boxes` can meet something inside `hull` (interval dimensions only). */
export function hullMeets(hull: Box, boxes: readonly Box[]): boolean {
  for (let i = 0; i < boxes.length; i++) {
    const b = boxes[i]!;
    if (
      hull.dst.intersects(b.dst) &&
      hull.src.intersects(b.src) &&
      hull.dport.intersects(b.dport) &&
      hull.proto.intersects(b.proto) &&
      hull.sport.intersects(b.sport) &&
      hull.ct.intersects(b.ct)
    )
      return true;
  }
  return false;
}

/** One packet: a point of the space. */
export interface Packet {
  proto: number;
  src: bigint;
  dst: bigint;
  sport: number;
  dport: number;
  ct: CtState;
  iif: string;
  oif: string;
}

export function boxHas(b: Box, p: Packet): boolean {
  return (
    b.proto.has(p.proto) &&
    b.dport.has(p.dport) &&
    b.dst.has(p.dst) &&
    b.src.has(p.src) &&
    b.sport.has(p.sport) &&
    b.ct.has(CT_STATES.indexOf(p.ct)) &&
    b.iif.has(p.iif) &&
    b.oif.has(p.oif)
  );
}

export function pointBox(p: Packet): Box {
  const ct = CT_STATES.indexOf(p.ct);
  return {
    proto: IntervalSet.of(p.proto),
    dport: IntervalSet.of(p.dport),
    dst: IntervalSet.of(p.dst),
    src: IntervalSet.of(p.src),
    sport: IntervalSet.of(p.sport),
    ct: IntervalSet.of(ct),
    iif: NameSet.of(p.iif),
    oif: NameSet.of(p.oif),
  };
}

/**
 * Each box's extent per interval dimension as numbers, BOUNDS_STRIDE per box: lo then hi of each
 * dimension in INTERVAL_DIMS order. Number() is monotone, so extents that do not overlap as numbers
 * do not overlap as bigints: a cheap, exact rejection (numbers that overlap prove nothing past 2^53).
 */
export const BOUNDS_STRIDE = 2 * INTERVAL_DIMS.length;

export function boxBounds(boxes: readonly Box[]): Float64Array {
  const at = new Float64Array(boxes.length * BOUNDS_STRIDE);
  for (let i = 0; i < boxes.length; i++) writeBounds(at, i * BOUNDS_STRIDE, boxes[i]!);
  return at;
}

/**
 * Writes a box's extents at `at[o…]` in the layout of boxBounds. Each dimension by name: a loop
 * over dimension names is a keyed access V8 keeps deoptimizing (hundreds of times per audit).
 */
export function writeBounds(at: Float64Array, o: number, b: Box): void {
  at[o] = b.proto.minNumber();
  at[o + 1] = b.proto.maxNumber();
  at[o + 2] = b.dport.minNumber();
  at[o + 3] = b.dport.maxNumber();
  at[o + 4] = b.dst.minNumber();
  at[o + 5] = b.dst.maxNumber();
  at[o + 6] = b.src.minNumber();
  at[o + 7] = b.src.maxNumber();
  at[o + 8] = b.sport.minNumber();
  at[o + 9] = b.sport.maxNumber();
  at[o + 10] = b.ct.minNumber();
  at[o + 11] = b.ct.maxNumber();
}

/** Scratch for hullBounds: one box's extents. */
const ONE = new Float64Array(12);

/**
 * The hull of `boxes` in the layout of boxBounds (one entry), written into `h` (callers reuse one
 * array: a typed array this small costs more to allocate than to fill).
 */
export function hullBounds(
  boxes: readonly Box[],
  h: Float64Array = new Float64Array(BOUNDS_STRIDE),
): Float64Array {
  for (let k = 0; k < BOUNDS_STRIDE; k += 2) {
    h[k] = Infinity;
    h[k + 1] = -Infinity;
  }
  for (const b of boxes) {
    writeBounds(ONE, 0, b);
    for (let k = 0; k < BOUNDS_STRIDE; k += 2) {
      if (ONE[k]! < h[k]!) h[k] = ONE[k]!;
      if (ONE[k + 1]! > h[k + 1]!) h[k + 1] = ONE[k + 1]!;
    }
  }
  return h;
}

/** Whether entry i of `a` and entry j of `b` (boxBounds layout) overlap in every interval dimension. */
export function boundsOverlap(a: Float64Array, i: number, b: Float64Array, j: number): boolean {
  const x = i * BOUNDS_STRIDE;
  const y = j * BOUNDS_STRIDE;
  for (let k = 0; k < BOUNDS_STRIDE; k += 2)
    if (a[x + k]! > b[y + k + 1]! || b[y + k]! > a[x + k + 1]!) return false;
  return true;
}
