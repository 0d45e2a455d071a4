/**
 * Properties of the packet-space algebra against a brute-force model: on a tiny universe (a few
 * values per dimension, both address families, names a/b/c plus one "other"), every packet is
 * enumerated and each operation is checked point by point.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { V6_BASE } from "./address.js";
import { CT_STATES, makeBox, type Box, type Packet } from "./box.js";
import { IntervalSet } from "./interval-set.js";
import { NameSet } from "./name-set.js";
import { spaceText } from "./render.js";
import { Space } from "./space.js";
import { spacesMeet, spacesMeeting } from "../audit/worlds.js";

const SMALL = 3;
const ADDRS = [0n, 1n, 2n, V6_BASE, V6_BASE + 1n];
const NAMES = ["a", "b", "c", "other"];

const smallSet = (max: number): fc.Arbitrary<IntervalSet> =>
  fc
    .array(fc.tuple(fc.integer({ min: 0, max }), fc.integer({ min: 0, max })), { minLength: 1, maxLength: 3 })
    .map((pairs) => IntervalSet.from(pairs.map(([x, y]) => (x <= y ? [x, y] : [y, x]))));
const addrSet: fc.Arbitrary<IntervalSet> = fc
  .array(fc.tuple(fc.integer({ min: 0, max: ADDRS.length - 1 }), fc.integer({ min: 0, max: 2 })), {
    minLength: 1,
    maxLength: 3,
  })
  .map((pairs) => IntervalSet.from(pairs.map(([i, w]) => [ADDRS[i]!, ADDRS[i]! + BigInt(w)] as const)));
const nameSet: fc.Arbitrary<NameSet> = fc
  .tuple(fc.subarray(["a", "b", "c"]), fc.boolean())
  .map(([names, neg]) => (neg ? NameSet.except(...names) : NameSet.of(...names)));

const box: fc.Arbitrary<Box> = fc
  .record({
    proto: smallSet(SMALL - 1),
    dport: smallSet(2),
    dst: addrSet,
    src: addrSet,
    sport: smallSet(1),
    ct: smallSet(CT_STATES.length - 1),
    iif: nameSet,
    oif: nameSet,
  })
  .map((r) => makeBox(r));
const space: fc.Arbitrary<Space> = fc.array(box, { maxLength: 4 }).map((bs) => Space.fromBoxes(bs));

/** Every packet of the tiny universe (including cross-family points: the algebra is over the product). */
function* packets(): Generator<Packet> {
  for (let proto = 0; proto < SMALL; proto++)
    for (const src of ADDRS)
      for (const dst of ADDRS)
        for (let sport = 0; sport <= 1; sport++)
          for (let dport = 0; dport <= 2; dport++)
            for (const ct of CT_STATES)
              for (const iif of NAMES)
                for (const oif of NAMES) yield { proto, src, dst, sport, dport, ct, iif, oif };
}
const ALL_PACKETS = [...packets()];

function agrees(result: Space, model: (p: Packet) => boolean): void {
  for (const p of ALL_PACKETS) {
    if (result.has(p) !== model(p))
      assert.fail(`disagree at ${JSON.stringify(p, (_k, v) => (typeof v === "bigint" ? `${v}` : v))}`);
  }
}

function disjoint(s: Space): boolean {
  return ALL_PACKETS.every((p) => s.boxes.filter((b) => Space.disjoint([b]).has(p)).length <= 1);
}

const runs = { numRuns: 40 };

test("intersection, union and difference agree with the point model and stay disjoint", () => {
  fc.assert(
    fc.property(space, space, (a, b) => {
      const i = a.intersect(b);
      const u = a.union(b);
      const d = a.subtract(b);
      agrees(i, (p) => a.has(p) && b.has(p));
      agrees(u, (p) => a.has(p) || b.has(p));
      agrees(d, (p) => a.has(p) && !b.has(p));
      assert.ok(disjoint(u) && disjoint(d) && disjoint(i));
    }),
    runs,
  );
});

test("the worlds' meets with extents first (audit/worlds.ts) agree with the point model", () => {
  fc.assert(
    fc.property(space, space, (a, b) => {
      const m = spacesMeeting(a, b);
      agrees(m, (p) => a.has(p) && b.has(p));
      assert.ok(disjoint(m));
      assert.equal(spacesMeet(a, b), a.intersects(b));
    }),
    runs,
  );
});

/** Space.fromBoxes as it was written before its extents prefilter: one union per box. */
function unionOneByOne(boxes: readonly Box[]): Space {
  let s = Space.EMPTY;
  for (const b of boxes) if (!Space.box(b).isEmpty()) s = s.union(Space.box(b));
  return s;
}

const boxText = (s: Space): string[] => s.boxes.map((b) => spaceText(Space.disjoint([b])).join(";"));

test("fromBoxes: the same boxes as uniting one box at a time, coalescing included", () => {
  // Enough boxes to pass the coalescing threshold (16); the union's points are checked above.
  fc.assert(
    fc.property(fc.array(box, { minLength: 20, maxLength: 60 }), (bs) => {
      assert.deepEqual(boxText(Space.fromBoxes(bs)), boxText(unionOneByOne(bs)));
    }),
    { numRuns: 25 },
  );
});

test("emptiness, containment and equality agree with the point model", () => {
  fc.assert(
    fc.property(space, space, (a, b) => {
      const pa = ALL_PACKETS.filter((p) => a.has(p));
      const pb = ALL_PACKETS.filter((p) => b.has(p));
      assert.equal(a.isEmpty(), pa.length === 0);
      assert.equal(
        a.contains(b),
        pb.every((p) => a.has(p)),
      );
      assert.equal(a.equals(b), pa.length === pb.length && pb.every((p) => a.has(p)));
      assert.ok(a.compact().equals(a));
    }),
    runs,
  );
});

test("name sets: negation and finite sets close under the operations", () => {
  fc.assert(
    fc.property(nameSet, nameSet, (x, y) => {
      for (const n of NAMES) {
        assert.equal(x.union(y).has(n), x.has(n) || y.has(n));
        assert.equal(x.intersect(y).has(n), x.has(n) && y.has(n));
        assert.equal(x.subtract(y).has(n), x.has(n) && !y.has(n));
      }
      // "other" stands for every name no set lists: the model is exact on these four.
      assert.equal(
        x.intersects(y),
        NAMES.some((n) => x.has(n) && y.has(n)),
      );
      assert.equal(
        x.contains(y),
        NAMES.every((n) => !y.has(n) || x.has(n)),
      );
    }),
  );
});

test("renders back to CIDRs, ranges and port lists", () => {
  const media = Space.UNIVERSE.restrict({ proto: IntervalSet.of(6), dport: IntervalSet.of(50000, 59999) });
  const rest = media.subtract(Space.box({ dport: IntervalSet.of(51000, 59999) }));
  assert.deepEqual(spaceText(rest), ["tcp dport 50000-50999 from any to any"]);
  const v4 = rest.restrict({ src: IntervalSet.of(0xcb007100n, 0xcb0071ffn), iif: NameSet.except("lo") });
  assert.deepEqual(spaceText(v4), ["tcp dport 50000-50999 from 203.0.113.0/24 to any4 iif !lo"]);
});

test("difference of many port holes stays one box per family (no fragmentation)", () => {
  let s = Space.UNIVERSE.restrict({ proto: IntervalSet.of(6) });
  for (let port = 1000; port < 6000; port += 10)
    s = s.subtract(Space.box({ proto: IntervalSet.of(6), dport: IntervalSet.of(port) }));
  assert.equal(s.boxes.length, 2);
});
