/**
 * A set of non-negative integers as sorted, disjoint, non-adjacent closed intervals. One
 * representation serves every dimension of the packet space: ports and protocols (small), IPv4
 * and IPv6 addresses (see address.ts for how both families share one axis).
 * Every operation is a linear merge over the interval lists: never per element.
 *
 * Two encodings behind one API. A set whose values are all at most EXACT_MAX (ports, protocols,
 * conntrack states, every IPv4 address: nearly every set an IPv4 ruleset makes) keeps its ends as
 * JavaScript numbers, exact there, and its operations compare numbers. A set with a larger value
 * (an IPv6 address, the whole address axis) keeps bigints, as every set did before: comparing
 * bigints cost ~1 µs per box operation and was most of an audit's time (issue 21). Operations
 * between the two take the bigint path unless a fast path below settles them exactly. Results
 * are the same sets whichever path computes them, and a set's encoding follows from its values
 * alone (a bigint result that fits is stored as numbers), so equal sets are encoded alike.
 */
export type Interval = readonly [lo: bigint, hi: bigint];

/** The largest value kept as a number: hi + 1 stays exact (every integer up to 2^53 is a double). */
const EXACT_MAX = 2 ** 53 - 2;
const EXACT_MAX_BIG = BigInt(EXACT_MAX);

/** Sets of values up to this carry a bit mask (IntervalSet.mask); bit 31 would be the sign. */
const SMALL_MAX = 30;

/** The set of each mask met so far (at most one per subset of 0-30 actually used). */
const SMALL_SETS = new Map<number, IntervalSet>();

/**
 * Scratch for a numeric result being built: its first `outN` numbers, flat pairs (`begin`, `put`,
 * then IntervalSet.fromOut copies them). One array kept between operations instead of one per
 * operation, grown by push and then copied to its exact length: those were a fifth of what a
 * whole-space walk allocated. Operations do not nest while building.
 */
const OUT: number[] = [];
let outN = 0;

function begin(): void {
  outN = 0;
}

function put(lo: number, hi: number): void {
  OUT[outN++] = lo;
  OUT[outN++] = hi;
}

/** The mask of [lo, hi] (both within 0-SMALL_MAX). */
function bits(lo: number, hi: number): number {
  return 2 ** (hi + 1) - 2 ** lo;
}

export class IntervalSet {
  /**
   * The lowest and highest value. Exact for a set without `big`; for a set with one, Number() of
   * the bigint (exact up to EXACT_MAX, rounded above: monotone, so a strict inequality between
   * two such numbers holds between the values). Empty set: 0 and -1.
   */
  private readonly lo: number;
  private readonly hi: number;
  /**
   * A numeric set of two or more intervals, or the empty set ([]): flat [lo0, hi0, lo1, hi1, …],
   * sorted, disjoint and non-adjacent. Undefined for one interval (lo, hi) and for `big` sets.
   */
  private readonly list: readonly number[] | undefined;
  /** A set with a value above EXACT_MAX: its intervals as bigints (normalized, at least one). */
  private readonly big: readonly Interval[] | undefined;
  /**
   * For sets of values below 31 (conntrack states, a protocol like tcp or udp): bit v set for each
   * value v, so meeting, intersecting and the rest are one integer operation. -1 for other sets.
   */
  private readonly mask: number;
  private cachedHash: number | undefined = undefined;

  private constructor(
    lo: number,
    hi: number,
    list: readonly number[] | undefined,
    big: readonly Interval[] | undefined,
  ) {
    this.lo = lo;
    this.hi = hi;
    this.list = list;
    this.big = big;
    let mask = -1;
    if (big === undefined) {
      if (list === undefined) {
        if (hi <= SMALL_MAX && lo >= 0) mask = bits(lo, hi);
      } else if (list.length === 0) mask = 0;
      else if (list[list.length - 1]! <= SMALL_MAX && list[0]! >= 0) {
        mask = 0;
        for (let i = 0; i < list.length; i += 2) mask |= bits(list[i]!, list[i + 1]!);
      }
    }
    this.mask = mask;
  }

  /** The set of a mask (see `mask`): `a` or `b` when it is theirs, else one shared set per mask. */
  private static ofMask(m: number, a: IntervalSet, b: IntervalSet): IntervalSet {
    if (m === a.mask) return a;
    if (m === b.mask) return b;
    let set = SMALL_SETS.get(m);
    if (set === undefined) {
      const list: number[] = [];
      for (let v = 0; v <= SMALL_MAX; v++) {
        if (!(m & (1 << v))) continue;
        if (list.length > 0 && list[list.length - 1] === v - 1) list[list.length - 1] = v;
        else list.push(v, v);
      }
      set = IntervalSet.makeNum(list);
      SMALL_SETS.set(m, set);
    }
    return set;
  }

  /**
   * A numeric set from the first n numbers of normalized flat pairs (sorted, disjoint,
   * non-adjacent), kept as a copy of exactly that length: an array built by push has room for 16
   * more numbers, and sets of two intervals (what a difference leaves) were a fifth of the heap
   * after a whole-space walk.
   */
  private static makeNum(list: readonly number[], n: number = list.length): IntervalSet {
    if (n === 0) return IntervalSet.EMPTY;
    if (n === 2) return new IntervalSet(list[0]!, list[1]!, undefined, undefined);
    return new IntervalSet(list[0]!, list[n - 1]!, list.slice(0, n), undefined);
  }

  /** The set built in OUT (`begin`, `put`): normalized flat pairs, copied. */
  private static fromOut(): IntervalSet {
    return IntervalSet.makeNum(OUT, outN);
  }

  /** A set from normalized bigint intervals: numbers when every value fits. */
  private static makeBig(list: readonly Interval[]): IntervalSet {
    if (list.length === 0) return IntervalSet.EMPTY;
    const last = list[list.length - 1]![1];
    if (last <= EXACT_MAX_BIG) {
      const flat: number[] = [];
      for (const [lo, hi] of list) flat.push(Number(lo), Number(hi));
      return IntervalSet.makeNum(flat);
    }
    return new IntervalSet(Number(list[0]![0]), Number(last), undefined, list);
  }

  static readonly EMPTY = new IntervalSet(0, -1, [], undefined);

  /** Sorted, disjoint and non-adjacent (a gap of at least one value between intervals). */
  get intervals(): readonly Interval[] {
    return this.bigList();
  }

  /** The intervals as bigints (a numeric set's converted: for the bigint path and callers). */
  private bigList(): readonly Interval[] {
    if (this.big !== undefined) return this.big;
    const l = this.list;
    if (l === undefined) return [[BigInt(this.lo), BigInt(this.hi)]];
    const out: Interval[] = [];
    for (let i = 0; i < l.length; i += 2) out.push([BigInt(l[i]!), BigInt(l[i + 1]!)]);
    return out;
  }

  /** The numeric intervals as flat pairs (a set without `big`). */
  private flat(): readonly number[] {
    return this.list ?? [this.lo, this.hi];
  }

  static of(lo: bigint | number, hi: bigint | number = lo): IntervalSet {
    if (typeof lo === "number" && typeof hi === "number" && hi <= EXACT_MAX) {
      return lo > hi ? IntervalSet.EMPTY : new IntervalSet(lo, hi, undefined, undefined);
    }
    const l = BigInt(lo);
    const h = BigInt(hi);
    if (l > h) return IntervalSet.EMPTY;
    if (h <= EXACT_MAX_BIG) return new IntervalSet(Number(l), Number(h), undefined, undefined);
    return new IntervalSet(Number(l), Number(h), undefined, [[l, h]]);
  }

  /** Builds a set from intervals in any order, overlapping or not. */
  static from(intervals: Iterable<readonly [bigint | number, bigint | number]>): IntervalSet {
    const list: Interval[] = [];
    for (const [lo, hi] of intervals) {
      const l = BigInt(lo);
      const h = BigInt(hi);
      if (l <= h) list.push([l, h]);
    }
    list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return IntervalSet.makeBig(normalizeSorted(list));
  }

  isEmpty(): boolean {
    return this.list !== undefined && this.list.length === 0;
  }

  /** Number of values in the set. */
  size(): bigint {
    let n = 0n;
    for (const [lo, hi] of this.bigList()) n += hi - lo + 1n;
    return n;
  }

  has(v: bigint | number): boolean {
    if (this.big !== undefined) {
      const x = BigInt(v);
      const list = this.big;
      let lo = 0;
      let hi = list.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const iv = list[mid]!;
        if (x < iv[0]) hi = mid - 1;
        else if (x > iv[1]) lo = mid + 1;
        else return true;
      }
      return false;
    }
    if (typeof v === "bigint" && v > EXACT_MAX_BIG) return false;
    const x = Number(v);
    if (this.list === undefined) return this.lo <= x && x <= this.hi;
    const l = this.list;
    let lo = 0;
    let hi = l.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (x < l[2 * mid]!) hi = mid - 1;
      else if (x > l[2 * mid + 1]!) lo = mid + 1;
      else return true;
    }
    return false;
  }

  min(): bigint | undefined {
    if (this.big !== undefined) return this.big[0]![0];
    return this.isEmpty() ? undefined : BigInt(this.lo);
  }

  max(): bigint | undefined {
    if (this.big !== undefined) return this.big[this.big.length - 1]![1];
    return this.isEmpty() ? undefined : BigInt(this.hi);
  }

  /**
   * min() and max() as numbers, without a bigint: exact up to 2^53 - 2, Number() of the value
   * above (monotone). For numeric extents (box.ts writeBounds). Empty set: 0 and -1.
   */
  minNumber(): number {
    return this.lo;
  }

  maxNumber(): number {
    return this.hi;
  }

  /** Of two non-empty sets, the one whose lowest value is lower (`a` on a tie). */
  static lowerMin(a: IntervalSet, b: IntervalSet): IntervalSet {
    if (a.lo <= EXACT_MAX && b.lo <= EXACT_MAX) return b.lo < a.lo ? b : a;
    return b.min()! < a.min()! ? b : a;
  }

  /** Of two non-empty sets, the one whose highest value is higher (`a` on a tie). */
  static higherMax(a: IntervalSet, b: IntervalSet): IntervalSet {
    if (a.big === undefined && b.big === undefined) return b.hi > a.hi ? b : a;
    if (a.big === undefined) return b;
    if (b.big === undefined) return a;
    return b.max()! > a.max()! ? b : a;
  }

  /** One interval from the lowest value of `low` to the highest of `high` (non-empty sets). */
  static span(low: IntervalSet, high: IntervalSet): IntervalSet {
    // A numeric `high` makes both ends numbers: low's lowest value is at most high's highest.
    // One numeric interval is its own span (hulls of one-box decisions: no new set kept).
    if (high.big === undefined)
      return low === high && low.list === undefined
        ? low
        : new IntervalSet(low.lo, high.hi, undefined, undefined);
    return IntervalSet.of(low.min()!, high.max()!);
  }

  /** Orders non-empty sets by their lowest value: negative, zero or positive. */
  static compareMin(a: IntervalSet, b: IntervalSet): number {
    if (a.lo <= EXACT_MAX && b.lo <= EXACT_MAX) return a.lo - b.lo;
    const x = a.min()!;
    const y = b.min()!;
    return x < y ? -1 : x > y ? 1 : 0;
  }

  union(other: IntervalSet): IntervalSet {
    if (other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    if (this.mask >= 0 && other.mask >= 0) return IntervalSet.ofMask(this.mask | other.mask, this, other);
    if (this.big !== undefined || other.big !== undefined)
      return IntervalSet.makeBig(unionLists(this.bigList(), other.bigList()));
    if (this.list === undefined && other.list === undefined) {
      // Two intervals: one if they overlap or touch, else both in order.
      if (this.lo <= other.hi + 1 && other.lo <= this.hi + 1) {
        const lo = this.lo < other.lo ? this.lo : other.lo;
        const hi = this.hi > other.hi ? this.hi : other.hi;
        if (lo === this.lo && hi === this.hi) return this;
        if (lo === other.lo && hi === other.hi) return other;
        return new IntervalSet(lo, hi, undefined, undefined);
      }
      return this.lo < other.lo
        ? new IntervalSet(this.lo, other.hi, [this.lo, this.hi, other.lo, other.hi], undefined)
        : new IntervalSet(other.lo, this.hi, [other.lo, other.hi, this.lo, this.hi], undefined);
    }
    const a = this.flat();
    const b = other.flat();
    begin();
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      let lo: number;
      let hi: number;
      if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) {
        lo = a[i]!;
        hi = a[i + 1]!;
        i += 2;
      } else {
        lo = b[j]!;
        hi = b[j + 1]!;
        j += 2;
      }
      const n = outN;
      if (n > 0 && lo <= OUT[n - 1]! + 1) {
        if (hi > OUT[n - 1]!) OUT[n - 1] = hi;
      } else put(lo, hi);
    }
    return IntervalSet.fromOut();
  }

  /** Whether this is one interval holding all of `other` (the common case of full dimensions). */
  private covers(other: IntervalSet): boolean {
    if (this.list !== undefined || other.isEmpty()) return false;
    if (this.big === undefined) return other.big === undefined && this.lo <= other.lo && other.hi <= this.hi;
    if (this.big.length !== 1) return false;
    // One bigint interval reaching past EXACT_MAX: it holds a numeric set from its lowest value on.
    if (other.big === undefined) return this.lo <= EXACT_MAX && this.lo <= other.lo;
    const [lo, hi] = this.big[0]!;
    const b = other.big;
    return lo <= b[0]![0] && b[b.length - 1]![1] <= hi;
  }

  intersect(other: IntervalSet): IntervalSet {
    // Fast paths (no allocation): most box dimensions are whole, or equal on both sides.
    if (this === other) return this;
    if (this.mask >= 0 && other.mask >= 0) return IntervalSet.ofMask(this.mask & other.mask, this, other);
    if (other.covers(this)) return this;
    if (this.covers(other)) return other;
    if (this.big !== undefined || other.big !== undefined) {
      // A numeric set and one bigint interval past EXACT_MAX: the numeric set from its low end on.
      if (this.big === undefined && other.big!.length === 1) return this.clipFrom(other);
      if (other.big === undefined && this.big!.length === 1) return other.clipFrom(this);
      return IntervalSet.makeBig(intersectLists(this.bigList(), other.bigList()));
    }
    if (this.list === undefined && other.list === undefined) {
      const lo = this.lo > other.lo ? this.lo : other.lo;
      const hi = this.hi < other.hi ? this.hi : other.hi;
      return lo <= hi ? new IntervalSet(lo, hi, undefined, undefined) : IntervalSet.EMPTY;
    }
    begin();
    if (this.list === undefined || other.list === undefined) {
      // One interval against a list: the list's intervals clipped to it; the one interval itself
      // when that is all of it (ct new out of {new, invalid, untracked}), not a new set.
      const one = this.list === undefined ? this : other;
      const list = this.list === undefined ? other.list! : this.list;
      const k0 = firstEndingFrom(list, one.lo);
      // Nothing met, or the one interval inside one of the list's: no list to build.
      if (k0 === list.length || list[k0]! > one.hi) return IntervalSet.EMPTY;
      if (list[k0]! <= one.lo && one.hi <= list[k0 + 1]!) return one;
      for (let k = k0; k < list.length; k += 2) {
        const lo = list[k]!;
        const hi = list[k + 1]!;
        if (lo > one.hi) break;
        put(lo > one.lo ? lo : one.lo, hi < one.hi ? hi : one.hi);
      }
      return IntervalSet.fromOut();
    }
    const a = this.list;
    const b = other.list;
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const lo = a[i]! > b[j]! ? a[i]! : b[j]!;
      const hi = a[i + 1]! < b[j + 1]! ? a[i + 1]! : b[j + 1]!;
      if (lo <= hi) put(lo, hi);
      if (a[i + 1]! < b[j + 1]!) i += 2;
      else j += 2;
    }
    return IntervalSet.fromOut();
  }

  /** This numeric set from the lowest value of `from` (one bigint interval past EXACT_MAX) on. */
  private clipFrom(from: IntervalSet): IntervalSet {
    if (from.lo > EXACT_MAX || from.lo > this.hi) return IntervalSet.EMPTY;
    return from.lo <= this.lo
      ? this
      : this.intersect(new IntervalSet(from.lo, this.hi, undefined, undefined));
  }

  subtract(other: IntervalSet): IntervalSet {
    if (this.isEmpty() || other.isEmpty()) return this;
    if (this.mask >= 0 && other.mask >= 0)
      return IntervalSet.ofMask(this.mask & ~other.mask, this, IntervalSet.EMPTY);
    if (this === other || other.covers(this)) return IntervalSet.EMPTY;
    // Apart (a strict inequality of the numbers holds between the values): nothing to take.
    if (other.hi < this.lo || this.hi < other.lo) return this;
    if (this.big !== undefined || other.big !== undefined) {
      // A numeric set less one bigint interval past EXACT_MAX (starting at or below this set's
      // highest value, else apart above): what lies below that interval.
      if (this.big === undefined && other.big!.length === 1)
        return this.intersect(new IntervalSet(this.lo, other.lo - 1, undefined, undefined));
      return IntervalSet.makeBig(subtractLists(this.bigList(), other.bigList()));
    }
    if (this.list === undefined && other.list === undefined) {
      // They overlap and `other` does not cover this: one or two pieces remain.
      const left = other.lo > this.lo;
      const right = other.hi < this.hi;
      if (left && right)
        return new IntervalSet(this.lo, this.hi, [this.lo, other.lo - 1, other.hi + 1, this.hi], undefined);
      return left
        ? new IntervalSet(this.lo, other.lo - 1, undefined, undefined)
        : new IntervalSet(other.hi + 1, this.hi, undefined, undefined);
    }
    begin();
    if (this.list === undefined) subtractFrom(this.lo, this.hi, other.list!, 0);
    else if (other.list === undefined) {
      // A list less one interval: the intervals it misses stay, the ones it meets keep their ends.
      const a = this.list;
      for (let i = 0; i < a.length; i += 2) {
        const lo = a[i]!;
        const hi = a[i + 1]!;
        if (hi < other.lo || lo > other.hi) put(lo, hi);
        else {
          if (lo < other.lo) put(lo, other.lo - 1);
          if (hi > other.hi) put(other.hi + 1, hi);
        }
      }
    } else {
      const a = this.list;
      let j = 0;
      for (let i = 0; i < a.length; i += 2) j = subtractFrom(a[i]!, a[i + 1]!, other.list, j);
    }
    return IntervalSet.fromOut();
  }

  /** The complement within [lo, hi]. */
  complement(lo: bigint, hi: bigint): IntervalSet {
    return IntervalSet.of(lo, hi).subtract(this);
  }

  intersects(other: IntervalSet): boolean {
    if (this.mask >= 0 && other.mask >= 0) return (this.mask & other.mask) !== 0;
    // Apart, or one empty (0 and -1): exact as in subtract.
    if (other.hi < this.lo || this.hi < other.lo || this.isEmpty() || other.isEmpty()) return false;
    if (this.big !== undefined || other.big !== undefined) {
      // One bigint interval reaching past the numeric set's highest value and starting at or
      // below it (the extents overlap): they meet.
      if (this.big === undefined ? other.big!.length === 1 : other.big === undefined && this.big.length === 1)
        return true;
      return intersectsLists(this.bigList(), other.bigList());
    }
    if (this.list === undefined) {
      if (other.list === undefined) return true;
      return meetsOne(other.list, this.lo, this.hi);
    }
    if (other.list === undefined) return meetsOne(this.list, other.lo, other.hi);
    const a = this.list;
    const b = other.list;
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      if (a[i]! <= b[j + 1]! && b[j]! <= a[i + 1]!) return true;
      if (a[i + 1]! < b[j + 1]!) i += 2;
      else j += 2;
    }
    return false;
  }

  /** True when every value of `other` is in this set. */
  contains(other: IntervalSet): boolean {
    if (this.mask >= 0 && other.mask >= 0) return (other.mask & ~this.mask) === 0;
    if (other.isEmpty() || this === other || this.covers(other)) return true;
    if (this.big !== undefined || other.big !== undefined) {
      if (this.big === undefined) return false;
      return subtractLists(other.bigList(), this.big).length === 0;
    }
    // One interval holds a non-empty set only by covering it (just tested); one interval of
    // `other` lies inside a list only within one of its intervals. No difference built for these.
    if (this.list === undefined) return false;
    if (other.list === undefined) {
      const k = firstEndingFrom(this.list, other.lo);
      return k < this.list.length && this.list[k]! <= other.lo && other.hi <= this.list[k + 1]!;
    }
    return other.subtract(this).isEmpty();
  }

  equals(other: IntervalSet): boolean {
    if (this === other) return true;
    if (this.mask >= 0 || other.mask >= 0) return this.mask === other.mask;
    if (this.big !== undefined || other.big !== undefined) {
      if (this.big === undefined || other.big === undefined) return false;
      const a = this.big;
      const b = other.big;
      if (a.length !== b.length) return false;
      for (let k = 0; k < a.length; k++) if (a[k]![0] !== b[k]![0] || a[k]![1] !== b[k]![1]) return false;
      return true;
    }
    if (this.list === undefined || other.list === undefined)
      return this.list === other.list && this.lo === other.lo && this.hi === other.hi;
    const a = this.list;
    const b = other.list;
    if (a.length !== b.length) return false;
    for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
    return true;
  }

  /**
   * A stable key for hashing sets (Map keys, deduplication). Computed on each call: it is asked for
   * rarely (NAT rewrites), and a cache field on every set cost 8 bytes each (10⁶ sets at 100k rules).
   */
  key(): string {
    if (this.big !== undefined)
      return this.big.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(",");
    const l = this.flat();
    const parts: string[] = [];
    for (let i = 0; i < l.length; i += 2) parts.push(l[i] === l[i + 1] ? `${l[i]}` : `${l[i]}-${l[i + 1]}`);
    return parts.join(",");
  }

  /** A number equal for equal sets (unequal sets may share one): cheap grouping without strings. */
  hash(): number {
    if (this.cachedHash === undefined) {
      if (this.big !== undefined) {
        let h = this.big.length;
        for (const [lo, hi] of this.big) h = mixBig(mixBig(h, lo), hi);
        this.cachedHash = h;
      } else if (this.list === undefined) this.cachedHash = mixNum(mixNum(1, this.lo), this.hi);
      else {
        const l = this.list;
        let h = l.length / 2;
        for (let i = 0; i < l.length; i++) h = mixNum(h, l[i]!);
        this.cachedHash = h;
      }
    }
    return this.cachedHash;
  }
}

/** Whether some interval of a normalized flat list meets [lo, hi]. */
function meetsOne(list: readonly number[], lo: number, hi: number): boolean {
  // The list's first value inside [lo, hi] (a wide interval against a list, as often): met.
  if (list.length === 0) return false;
  const first = list[0]!;
  if (lo <= first && first <= hi) return true;
  const k = firstEndingFrom(list, lo);
  return k < list.length && list[k]! <= hi;
}

/** The first position (even) of a normalized flat list whose interval ends at or above v. */
function firstEndingFrom(list: readonly number[], v: number): number {
  let a = 0;
  let b = list.length / 2;
  while (a < b) {
    const m = (a + b) >> 1;
    if (list[2 * m + 1]! < v) a = m + 1;
    else b = m;
  }
  return 2 * a;
}

/**
 * Puts [lo, hi] minus the intervals of `b` (normalized flat pairs) from position `j` on; returns
 * the position later intervals (above hi) start from.
 */
function subtractFrom(lo0: number, hi: number, b: readonly number[], j0: number): number {
  let lo = lo0;
  let j = j0;
  while (j < b.length && b[j + 1]! < lo) j += 2;
  let k = j;
  while (k < b.length && b[k]! <= hi) {
    const blo = b[k]!;
    const bhi = b[k + 1]!;
    if (blo > lo) put(lo, blo - 1);
    if (bhi >= hi) {
      lo = hi + 1;
      break;
    }
    lo = bhi + 1;
    k += 2;
  }
  if (lo <= hi) put(lo, hi);
  return j;
}

// The bigint path: normalized interval lists (sets with a value above EXACT_MAX, and mixed pairs
// no fast path settles).

function unionLists(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const merged: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i]![0] <= b[j]![0]) ? a[i++]! : b[j++]!;
    merged.push(next);
  }
  return normalizeSorted(merged);
}

function intersectLists(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    const lo = x[0] > y[0] ? x[0] : y[0];
    const hi = x[1] < y[1] ? x[1] : y[1];
    if (lo <= hi) out.push([lo, hi]);
    if (x[1] < y[1]) i++;
    else j++;
  }
  return out;
}

function intersectsLists(a: readonly Interval[], b: readonly Interval[]): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x[0] <= y[1] && y[0] <= x[1]) return true;
    if (x[1] < y[1]) i++;
    else j++;
  }
  return false;
}

function subtractLists(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let j = 0;
  for (const [lo0, hi] of a) {
    let lo = lo0;
    while (j < b.length && b[j]![1] < lo) j++;
    let k = j;
    while (k < b.length && b[k]![0] <= hi) {
      const [blo, bhi] = b[k]!;
      if (blo > lo) out.push([lo, blo - 1n]);
      if (bhi >= hi) {
        lo = hi + 1n;
        break;
      }
      lo = bhi + 1n;
      k++;
    }
    if (lo <= hi) out.push([lo, hi]);
  }
  return out;
}

/** Folds a value into a 32-bit hash, 32 bits at a time (addresses reach 2^128 + 2^32). */
function mixBig(h: number, v: bigint): number {
  // One step for values below 2^32 (ports, protocols, IPv4): what the loop computes, without allocating.
  if (v <= 0xffffffffn) return (Math.imul(h, 0x9e3779b1) + Number(v)) | 0;
  let x = v;
  do {
    h = (Math.imul(h, 0x9e3779b1) + Number(BigInt.asUintN(32, x))) | 0;
    x >>= 32n;
  } while (x > 0n);
  return h;
}

/** mixBig of a numeric value (at most EXACT_MAX), computed with numbers: the same hash. */
function mixNum(h: number, v: number): number {
  if (v <= 0xffffffff) return (Math.imul(h, 0x9e3779b1) + v) | 0;
  let x = v;
  do {
    h = (Math.imul(h, 0x9e3779b1) + (x % 0x100000000)) | 0;
    x = Math.floor(x / 0x100000000);
  } while (x > 0);
  return h;
}

function normalizeSorted(sorted: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const iv of sorted) {
    const last = out[out.length - 1];
    if (last && iv[0] <= last[1] + 1n) {
      if (iv[1] > last[1]) out[out.length - 1] = [last[0], iv[1]];
    } else out.push(iv);
  }
  return out;
}
