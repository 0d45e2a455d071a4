/**
 * Canonical sets (canonical.ts): kept boxes are the same boxes in the same order, equal sets become
 * one object inside a scope, and nothing is shared across scopes or outside one.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { boxEquals, FULL, makeBox, type Box } from "./box.js";
import { keptBoxes, withCanonicalSets } from "./canonical.js";
import { IntervalSet } from "./interval-set.js";
import { NameSet } from "./name-set.js";
import { Space } from "./space.js";

const set = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3 })), {
    minLength: 1,
    maxLength: 3,
  })
  .map((pairs) => IntervalSet.from(pairs.map(([lo, w]) => [lo, lo + w] as const)));
const addr = fc
  .tuple(fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 64n }))
  .map(([lo, w]) => IntervalSet.of(lo, lo + w > 2n ** 128n - 1n ? lo : lo + w));
const names = fc.constantFrom(
  NameSet.ALL,
  NameSet.of("eth0"),
  NameSet.except("lo"),
  NameSet.of("eth0", "eth1"),
);
const box: fc.Arbitrary<Box> = fc
  .record({ proto: set, dport: set, dst: addr, src: addr, sport: set, ct: set, iif: names, oif: names })
  .map((d) => makeBox(d));

test("kept boxes: same values in the same order; equal sets one object in a scope, none shared outside", () => {
  fc.assert(
    fc.property(fc.array(box, { maxLength: 12 }), (boxes) => {
      // Equal but separate copies of every set, so that canonical sets have something to join.
      const copies = boxes.map((b) =>
        makeBox({ ...b, dport: IntervalSet.from(b.dport.intervals), src: IntervalSet.from(b.src.intervals) }),
      );
      const all = [...boxes, ...copies];
      const outside = keptBoxes(all);
      assert.notEqual(outside, all);
      assert.ok(outside.every((b, i) => b === all[i]));
      const inside = withCanonicalSets(() => keptBoxes(all));
      assert.equal(inside.length, all.length);
      inside.forEach((b, i) => assert.ok(boxEquals(b, all[i]!)));
      const dims = ["proto", "dport", "dst", "src", "sport", "ct", "iif", "oif"] as const;
      for (const d of dims)
        for (const a of inside)
          for (const b of inside)
            if (a[d].equals(b[d] as never)) assert.equal(a[d], b[d], `${d}: equal sets, one object`);
      // A new scope starts with the whole dimensions only: every set it hands out is an object
      // of its own input or one of those.
      const again = withCanonicalSets(() => keptBoxes(copies));
      const own = new Set<unknown>([
        ...copies.flatMap((c) => dims.map((d) => c[d])),
        ...[FULL.proto, FULL.port, FULL.addr, FULL.ct, NameSet.ALL],
      ]);
      for (const b of again) for (const d of dims) assert.ok(own.has(b[d]), `${d}: from this scope's input`);
    }),
    { numRuns: 200 },
  );
});

test("Space.tight keeps the set and its order", () => {
  const a = Space.box({ dport: IntervalSet.of(1, 5) }).subtract(Space.box({ dport: IntervalSet.of(3, 3) }));
  const t = withCanonicalSets(() => a.tight());
  assert.ok(t.equals(a));
  assert.deepEqual(
    t.boxes.map((b) => b.dport.key()),
    a.boxes.map((b) => b.dport.key()),
  );
});
