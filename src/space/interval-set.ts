/**
 * A set of non-negative integers as sorted, disjoint, non-adjacent closed intervals over bigint.
 * One representation serves every dimension of the packet space: ports and protocols (small),
 * IPv4 and IPv6 addresses (see address.ts for how both families share one axis).
 * Every operation is a linear merge over the interval lists: never per element.
 */
export type Interval = readonly [lo: bigint, hi: bigint];

/** Sets of values up to this carry a bit mask (IntervalSet.mask); bit 31 would be the sign. */
const SMALL_MAX = 30n;

/** The set of each mask met so far (at most one per subset of 0-30 actually used). */
const SMALL_SETS = new Map<number, IntervalSet>();

/** The mask of [lo, hi] (both within 0-SMALL_MAX). */
function bits(lo: bigint, hi: bigint): number {
  return 2 ** (Number(hi) + 1) - 2 ** Number(lo);
}

export class IntervalSet {
  /** The one interval when the set is a single interval (most sets): no arrays then. */
  private readonly lo: bigint;
  private readonly hi: bigint;
  /** Sorted, disjoint and non-adjacent intervals when the set is empty or has two or more. */
  private readonly list: readonly Interval[] | undefined;

  /**
   * For sets of values below 31 (conntrack states, a protocol like tcp or udp): bit v set for each
   * value v, so meeting, intersecting and the rest are one integer operation instead of bigint
   * comparisons. -1 for other sets.
   */
  private readonly mask: number;

  private constructor(lo: bigint, hi: bigint, list: readonly Interval[] | undefined) {
    this.lo = lo;
    this.hi = hi;
    this.list = list;
    let mask = -1;
    if (list === undefined) {
      if (hi <= SMALL_MAX && lo >= 0n) mask = bits(lo, hi);
    } else if (list.length === 0) mask = 0;
    else if (list[list.length - 1]![1] <= SMALL_MAX && list[0]![0] >= 0n) {
      mask = 0;
      for (let i = 0; i < list.length; i++) mask |= bits(list[i]![0], list[i]![1]);
    }
    this.mask = mask;
  }

  /** The set of a mask (see `mask`): `a` or `b` when it is theirs, else one shared set per mask. */
  private static ofMask(m: number, a: IntervalSet, b: IntervalSet): IntervalSet {
    if (m === a.mask) return a;
    if (m === b.mask) return b;
    let set = SMALL_SETS.get(m);
    if (set === undefined) {
      const list: Interval[] = [];
      for (let v = 0; v <= Number(SMALL_MAX); v++) {
        if (!(m & (1 << v))) continue;
        const last = list[list.length - 1];
        if (last && last[1] === BigInt(v - 1)) list[list.length - 1] = [last[0], BigInt(v)];
        else list.push([BigInt(v), BigInt(v)]);
      }
      set = IntervalSet.make(list);
      SMALL_SETS.set(m, set);
    }
    return set;
  }

  /** A set from normalized intervals (sorted, disjoint, non-adjacent). */
  private static make(list: readonly Interval[]): IntervalSet {
    if (list.length === 0) return IntervalSet.EMPTY;
    if (list.length === 1) return new IntervalSet(list[0]![0], list[0]![1], undefined);
    return new IntervalSet(0n, -1n, list);
  }

  static readonly EMPTY = new IntervalSet(0n, -1n, []);

  /** Sorted, disjoint and non-adjacent (a gap of at least one value between intervals). */
  get intervals(): readonly Interval[] {
    return this.list ?? [[this.lo, this.hi]];
  }

  static of(lo: bigint | number, hi: bigint | number = lo): IntervalSet {
    const l = BigInt(lo);
    const h = BigInt(hi);
    if (l > h) return IntervalSet.EMPTY;
    return new IntervalSet(l, h, undefined);
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
    return IntervalSet.make(normalizeSorted(list));
  }

  isEmpty(): boolean {
    return this.list !== undefined && this.list.length === 0;
  }

  /** Number of values in the set. */
  size(): bigint {
    if (this.list === undefined) return this.hi - this.lo + 1n;
    let n = 0n;
    for (const [lo, hi] of this.list) n += hi - lo + 1n;
    return n;
  }

  has(v: bigint | number): boolean {
    const x = BigInt(v);
    if (this.list === undefined) return this.lo <= x && x <= this.hi;
    let lo = 0;
    let hi = this.list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const iv = this.list[mid]!;
      if (x < iv[0]) hi = mid - 1;
      else if (x > iv[1]) lo = mid + 1;
      else return true;
    }
    return false;
  }

  min(): bigint | undefined {
    return this.list === undefined ? this.lo : this.list[0]?.[0];
  }

  max(): bigint | undefined {
    return this.list === undefined ? this.hi : this.list[this.list.length - 1]?.[1];
  }

  union(other: IntervalSet): IntervalSet {
    if (other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    if (this.mask >= 0 && other.mask >= 0) return IntervalSet.ofMask(this.mask | other.mask, this, other);
    if (this.list === undefined && other.list === undefined) {
      // Two intervals: one if they overlap or touch, else both in order.
      if (this.lo <= other.hi + 1n && other.lo <= this.hi + 1n) {
        const lo = this.lo < other.lo ? this.lo : other.lo;
        const hi = this.hi > other.hi ? this.hi : other.hi;
        if (lo === this.lo && hi === this.hi) return this;
        if (lo === other.lo && hi === other.hi) return other;
        return new IntervalSet(lo, hi, undefined);
      }
      return this.lo < other.lo
        ? new IntervalSet(0n, -1n, [
            [this.lo, this.hi],
            [other.lo, other.hi],
          ])
        : new IntervalSet(0n, -1n, [
            [other.lo, other.hi],
            [this.lo, this.hi],
          ]);
    }
    const merged: Interval[] = [];
    const a = this.intervals;
    const b = other.intervals;
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      const next = j >= b.length || (i < a.length && a[i]![0] <= b[j]![0]) ? a[i++]! : b[j++]!;
      merged.push(next);
    }
    return IntervalSet.make(normalizeSorted(merged));
  }

  /** Whether this is one interval holding all of `other` (the common case of full dimensions). */
  private covers(other: IntervalSet): boolean {
    if (this.list !== undefined) return false;
    if (other.list === undefined) return this.lo <= other.lo && other.hi <= this.hi;
    const b = other.list;
    return b.length > 0 && this.lo <= b[0]![0] && b[b.length - 1]![1] <= this.hi;
  }

  intersect(other: IntervalSet): IntervalSet {
    // Fast paths (no allocation): most box dimensions are whole, or equal on both sides.
    if (this === other) return this;
    if (this.mask >= 0 && other.mask >= 0) return IntervalSet.ofMask(this.mask & other.mask, this, other);
    if (other.covers(this)) return this;
    if (this.covers(other)) return other;
    if (this.list === undefined && other.list === undefined) {
      const lo = this.lo > other.lo ? this.lo : other.lo;
      const hi = this.hi < other.hi ? this.hi : other.hi;
      return lo <= hi ? new IntervalSet(lo, hi, undefined) : IntervalSet.EMPTY;
    }
    const out: Interval[] = [];
    if (this.list === undefined || other.list === undefined) {
      // One interval against a list: the list's intervals clipped to it; the one interval itself
      // when that is all of it (ct new out of {new, invalid, untracked}), not a new set.
      const one = this.list === undefined ? this : other;
      const list = this.list === undefined ? other.list! : this.list;
      const k0 = firstEndingFrom(list, one.lo);
      // Nothing met, or the one interval inside one of the list's: no list to build.
      if (k0 === list.length || list[k0]![0] > one.hi) return IntervalSet.EMPTY;
      if (list[k0]![0] <= one.lo && one.hi <= list[k0]![1]) return one;
      for (let k = k0; k < list.length; k++) {
        const lo = list[k]![0];
        const hi = list[k]![1];
        if (lo > one.hi) break;
        out.push([lo > one.lo ? lo : one.lo, hi < one.hi ? hi : one.hi]);
      }
      return IntervalSet.make(out);
    }
    const a = this.list;
    const b = other.list;
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
    return IntervalSet.make(out);
  }

  subtract(other: IntervalSet): IntervalSet {
    if (this.isEmpty() || other.isEmpty()) return this;
    if (this.mask >= 0 && other.mask >= 0)
      return IntervalSet.ofMask(this.mask & ~other.mask, this, IntervalSet.EMPTY);
    if (this === other || other.covers(this)) return IntervalSet.EMPTY;
    if (other.max()! < this.min()! || this.max()! < other.min()!) return this;
    if (this.list === undefined && other.list === undefined) {
      // They overlap and `other` does not cover this: one or two pieces remain.
      const left = other.lo > this.lo;
      const right = other.hi < this.hi;
      if (left && right)
        return new IntervalSet(0n, -1n, [
          [this.lo, other.lo - 1n],
          [other.hi + 1n, this.hi],
        ]);
      return left
        ? new IntervalSet(this.lo, other.lo - 1n, undefined)
        : new IntervalSet(other.hi + 1n, this.hi, undefined);
    }
    const out: Interval[] = [];
    if (this.list === undefined) subtractFrom(this.lo, this.hi, other.list!, 0, out);
    else if (other.list === undefined) {
      // A list less one interval: the intervals it misses stay, the ones it meets keep their ends.
      const a = this.list;
      for (let i = 0; i < a.length; i++) {
        const iv = a[i]!;
        if (iv[1] < other.lo || iv[0] > other.hi) out.push(iv);
        else {
          if (iv[0] < other.lo) out.push([iv[0], other.lo - 1n]);
          if (iv[1] > other.hi) out.push([other.hi + 1n, iv[1]]);
        }
      }
    } else {
      const a = this.list;
      let j = 0;
      for (let i = 0; i < a.length; i++) j = subtractFrom(a[i]![0], a[i]![1], other.list, j, out);
    }
    return IntervalSet.make(out);
  }

  /** The complement within [lo, hi]. */
  complement(lo: bigint, hi: bigint): IntervalSet {
    return IntervalSet.of(lo, hi).subtract(this);
  }

  intersects(other: IntervalSet): boolean {
    if (this.mask >= 0 && other.mask >= 0) return (this.mask & other.mask) !== 0;
    if (this.list === undefined) {
      if (other.list === undefined) return this.lo <= other.hi && other.lo <= this.hi;
      return meetsOne(other.list, this.lo, this.hi);
    }
    if (other.list === undefined) return meetsOne(this.list, other.lo, other.hi);
    const a = this.intervals;
    const b = other.intervals;
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

  /** True when every value of `other` is in this set. */
  contains(other: IntervalSet): boolean {
    if (this.mask >= 0 && other.mask >= 0) return (other.mask & ~this.mask) === 0;
    if (other.isEmpty() || this === other || this.covers(other)) return true;
    // One interval holds a non-empty set only by covering it (just tested); one interval of
    // `other` lies inside a list only within one of its intervals. No difference built for these.
    if (this.list === undefined) return false;
    if (other.list === undefined) {
      const k = firstEndingFrom(this.list, other.lo);
      return k < this.list.length && this.list[k]![0] <= other.lo && other.hi <= this.list[k]![1];
    }
    return other.subtract(this).isEmpty();
  }

  equals(other: IntervalSet): boolean {
    if (this.mask >= 0 || other.mask >= 0) return this.mask === other.mask;
    if (this.list === undefined || other.list === undefined)
      return this.list === other.list && this.lo === other.lo && this.hi === other.hi;
    const a = this.list;
    const b = other.list;
    if (a.length !== b.length) return false;
    for (let k = 0; k < a.length; k++) if (a[k]![0] !== b[k]![0] || a[k]![1] !== b[k]![1]) return false;
    return true;
  }

  private cachedKey: string | undefined;
  private cachedHash: number | undefined;

  /** A stable key for hashing sets (Map keys, deduplication); computed once (sets are immutable). */
  key(): string {
    if (this.cachedKey === undefined)
      this.cachedKey = this.intervals.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(",");
    return this.cachedKey;
  }

  /** A number equal for equal sets (unequal sets may share one): cheap grouping without strings. */
  hash(): number {
    if (this.cachedHash === undefined) {
      if (this.list === undefined) this.cachedHash = mix(mix(1, this.lo), this.hi);
      else {
        let h = this.list.length;
        for (const [lo, hi] of this.list) h = mix(mix(h, lo), hi);
        this.cachedHash = h;
      }
    }
    return this.cachedHash;
  }
}

/** Whether some interval of a normalized list meets [lo, hi]. */
function meetsOne(list: readonly Interval[], lo: bigint, hi: bigint): boolean {
  // The list's first value inside [lo, hi] (a wide interval against a list, as often): met.
  if (list.length === 0) return false;
  const first = list[0]![0];
  if (lo <= first && first <= hi) return true;
  const k = firstEndingFrom(list, lo);
  return k < list.length && list[k]![0] <= hi;
}

/** The first position of a normalized list whose interval ends at or above v (binary search). */
function firstEndingFrom(list: readonly Interval[], v: bigint): number {
  let a = 0;
  let b = list.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (list[m]![1] < v) a = m + 1;
    else b = m;
  }
  return a;
}

/**
 * Appends [lo, hi] minus the intervals of `b` (normalized) from position `j` on; returns the
 * position later intervals (above hi) start from.
 */
function subtractFrom(lo0: bigint, hi: bigint, b: readonly Interval[], j0: number, out: Interval[]): number {
  let lo = lo0;
  let j = j0;
  while (j < b.length && b[j]![1] < lo) j++;
  let k = j;
  while (k < b.length && b[k]![0] <= hi) {
    const blo = b[k]![0];
    const bhi = b[k]![1];
    if (blo > lo) out.push([lo, blo - 1n]);
    if (bhi >= hi) {
      lo = hi + 1n;
      break;
    }
    lo = bhi + 1n;
    k++;
  }
  if (lo <= hi) out.push([lo, hi]);
  return j;
}

/** Folds a value into a 32-bit hash, 32 bits at a time (addresses reach 2^128 + 2^32). */
function mix(h: number, v: bigint): number {
  // One step for values below 2^32 (ports, protocols, IPv4): what the loop computes, without allocating.
  if (v <= 0xffffffffn) return (Math.imul(h, 0x9e3779b1) + Number(v)) | 0;
  let x = v;
  do {
    h = (Math.imul(h, 0x9e3779b1) + Number(BigInt.asUintN(32, x))) | 0;
    x >>= 32n;
  } while (x > 0n);
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
