/**
 * IntervalSet against a brute-force model, across both of its encodings (numbers up to 2^53 - 2,
 * bigints above: interval-set.ts). Sets are built from intervals whose ends come from a pool of
 * values on both sides of every boundary that matters (small masks, 2^32, 2^53, IPv6 on the
 * address axis); each operation's result is checked at every end of every operand and result and
 * one value either side (an interval set changes membership only there), and the structural
 * answers (intersects, contains, equals, min, max, key, hash) against the model.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { ADDR_MAX, V6_BASE } from "./address.js";
import { IntervalSet, type Interval } from "./interval-set.js";

const EXACT = 2n ** 53n;
const POOL: bigint[] = [
  ...[0n, 1n, 2n, 5n, 29n, 30n, 31n, 32n, 255n, 65535n],
  ...[-2n, -1n, 0n, 1n].map((d) => 2n ** 32n + d),
  ...[-4n, -3n, -2n, -1n, 0n, 1n, 2n].map((d) => EXACT + d),
  ...[0n, 1n, 2n ** 100n].map((d) => V6_BASE + d),
  ADDR_MAX - 1n,
  ADDR_MAX,
];

type Model = Interval[];

const intervals: fc.Arbitrary<Model> = fc
  .array(
    fc.tuple(fc.integer({ min: 0, max: POOL.length - 1 }), fc.integer({ min: 0, max: POOL.length - 1 })),
    { minLength: 0, maxLength: 4 },
  )
  .map((pairs) =>
    pairs
      .map(([i, j]): Interval => [POOL[Math.min(i, j)]!, POOL[Math.max(i, j)]!])
      .filter(([lo]) => lo >= 0n),
  );

function has(m: Model, v: bigint): boolean {
  return m.some(([lo, hi]) => lo <= v && v <= hi);
}

/** Every end of every interval given and one value either side. */
function probes(...sets: IntervalSet[]): bigint[] {
  const out = new Set<bigint>(POOL);
  for (const s of sets)
    for (const [lo, hi] of s.intervals)
      for (const v of [lo, hi]) for (const d of [-1n, 0n, 1n]) out.add(v + d);
  return [...out].filter((v) => v >= 0n);
}

/** The model's hash of a set (the bigint formula every set used before numbers). */
function modelHash(ivs: readonly Interval[]): number {
  const mix = (h: number, v: bigint): number => {
    let x = v;
    do {
      h = (Math.imul(h, 0x9e3779b1) + Number(BigInt.asUintN(32, x))) | 0;
      x >>= 32n;
    } while (x > 0n);
    return h;
  };
  if (ivs.length === 1) return mix(mix(1, ivs[0]![0]), ivs[0]![1]);
  let h = ivs.length;
  for (const [lo, hi] of ivs) h = mix(mix(h, lo), hi);
  return h;
}

function checkShape(s: IntervalSet): void {
  const ivs = s.intervals;
  for (let k = 0; k < ivs.length; k++) {
    assert.ok(ivs[k]![0] <= ivs[k]![1]);
    if (k > 0) assert.ok(ivs[k]![0] > ivs[k - 1]![1] + 1n, "sorted, disjoint, non-adjacent");
  }
  assert.equal(s.min(), ivs[0]?.[0]);
  assert.equal(s.max(), ivs[ivs.length - 1]?.[1]);
  assert.equal(s.isEmpty(), ivs.length === 0);
  assert.equal(s.hash(), modelHash(ivs));
  assert.equal(s.key(), ivs.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(","));
  // One encoding per set: rebuilt from its intervals (and from numbers where they fit), equal.
  assert.ok(IntervalSet.from(ivs).equals(s));
  if (!s.isEmpty()) {
    assert.equal(s.minNumber(), Number(s.min()));
    assert.equal(s.maxNumber(), Number(s.max()));
  }
}

test("interval sets: every operation matches the brute-force model across numbers and bigints", () => {
  fc.assert(
    fc.property(intervals, intervals, (ma, mb) => {
      const a = IntervalSet.from(ma);
      const b = IntervalSet.from(mb);
      const u = a.union(b);
      const i = a.intersect(b);
      const d = a.subtract(b);
      for (const s of [a, b, u, i, d]) checkShape(s);
      for (const v of probes(a, b, u, i, d)) {
        assert.equal(a.has(v), has(ma, v), `a has ${v}`);
        assert.equal(u.has(v), has(ma, v) || has(mb, v), `union at ${v}`);
        assert.equal(i.has(v), has(ma, v) && has(mb, v), `intersection at ${v}`);
        assert.equal(d.has(v), has(ma, v) && !has(mb, v), `difference at ${v}`);
        if (v <= EXACT) assert.equal(a.has(Number(v)), has(ma, v), `a has ${v} as a number`);
      }
      assert.equal(a.intersects(b), !i.isEmpty());
      assert.equal(a.contains(b), b.subtract(a).isEmpty());
      assert.equal(a.equals(b), d.isEmpty() && b.subtract(a).isEmpty());
      assert.equal(a.equals(b), a.key() === b.key());
      if (!a.isEmpty() && !b.isEmpty()) {
        const lo = IntervalSet.lowerMin(a, b);
        const hi = IntervalSet.higherMax(a, b);
        assert.equal(lo.min(), a.min()! < b.min()! ? a.min() : b.min());
        assert.equal(hi.max(), a.max()! > b.max()! ? a.max() : b.max());
        const span = IntervalSet.span(lo, hi);
        assert.deepEqual(span.intervals, [[lo.min()!, hi.max()!]]);
        assert.equal(
          Math.sign(IntervalSet.compareMin(a, b)),
          a.min()! < b.min()! ? -1 : a.min()! > b.min()! ? 1 : 0,
        );
      }
    }),
    { numRuns: 3000 },
  );
});

test("interval sets: values past 2^53 keep bigints, values below it compare as numbers", () => {
  const edge = IntervalSet.of(EXACT - 2n);
  assert.equal(edge.minNumber(), Number(EXACT - 2n));
  const past = IntervalSet.of(EXACT - 1n, EXACT + 1n);
  // Adjacent across the boundary: one interval.
  assert.deepEqual(edge.union(past).intervals, [[EXACT - 2n, EXACT + 1n]]);
  assert.ok(!past.has(Number(EXACT - 2n)));
  assert.ok(past.has(EXACT + 1n));
  // 2^53 + 1 is no double: the numeric form of a bigint set never decides membership.
  assert.ok(!IntervalSet.of(EXACT + 1n).has(EXACT));
  const all = IntervalSet.of(0n, ADDR_MAX);
  const v4 = IntervalSet.of(0n, 2n ** 32n - 1n);
  assert.equal(all.intersect(v4), v4);
  assert.deepEqual(all.subtract(v4).intervals, [[2n ** 32n, ADDR_MAX]]);
  assert.equal(v4.subtract(IntervalSet.of(V6_BASE, ADDR_MAX)), v4);
});
