/**
 * ICMP sets in types and codes (icmp.ts): examples in nft's words, and for random sets of
 * type·256 + code values, the text read back item by item is exactly the set.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { ICMP_NAMES, ICMP_TYPE_ENTRIES, ICMPV6_NAMES, icmpTypesText } from "./icmp.js";
import { IntervalSet } from "./interval-set.js";

const type = (t: number) => [t * 256, t * 256 + 255] as const;

test("whole types by name, runs by number, parts of a type by code", () => {
  assert.equal(icmpTypesText(IntervalSet.of(...type(8)), ICMP_NAMES), "echo-request");
  assert.equal(icmpTypesText(IntervalSet.of(...type(7)), ICMP_NAMES), "7");
  assert.equal(icmpTypesText(IntervalSet.of(...type(128)), ICMPV6_NAMES), "echo-request");
  assert.equal(icmpTypesText(IntervalSet.of(...type(132)), ICMPV6_NAMES), "mld-listener-done");
  assert.equal(
    icmpTypesText(
      IntervalSet.from([
        [0, 2047],
        [2304, 65535],
      ]),
      ICMP_NAMES,
    ),
    "{0-7, 9-255}",
  );
  assert.equal(icmpTypesText(IntervalSet.of(3 * 256 + 4), ICMP_NAMES), "destination-unreachable code 4");
  assert.equal(icmpTypesText(IntervalSet.of(3 * 256 + 1, 3 * 256 + 4)), "3 code 1-4");
  // A run from the middle of one type into another: its part, the whole types, the next part.
  assert.equal(
    icmpTypesText(IntervalSet.of(3 * 256 + 2, 6 * 256 + 6), ICMP_NAMES),
    "{destination-unreachable code 2-255, 4-5, 6 code 0-6}",
  );
  assert.equal(icmpTypesText(IntervalSet.of(5 * 256, 5 * 256), ICMP_NAMES), "redirect code 0");
});

/** Reads one item back into its values (the inverse of the rendering, for this test). */
function itemValues(item: string, names: ReadonlyMap<number, string>): Array<[number, number]> {
  const byName = new Map([...names].map(([t, n]) => [n, t]));
  const num = (s: string): number => byName.get(s) ?? Number(s);
  const coded = /^(\S+) code (\d+)(?:-(\d+))?$/.exec(item);
  if (coded) {
    const t = num(coded[1]!);
    return [[t * 256 + Number(coded[2]), t * 256 + Number(coded[3] ?? coded[2])]];
  }
  const run = /^(\d+)-(\d+)$/.exec(item);
  if (run) return [[Number(run[1]) * 256, Number(run[2]) * 256 + 255]];
  const t = num(item);
  assert.ok(Number.isInteger(t), `item ${item}`);
  return [[t * 256, t * 256 + 255]];
}

test("the text names exactly the set", () => {
  const value = fc.integer({ min: 0, max: 65535 });
  fc.assert(
    fc.property(fc.array(fc.tuple(value, value), { minLength: 1, maxLength: 5 }), (pairs) => {
      const set = IntervalSet.from(pairs.map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const));
      const text = icmpTypesText(set, ICMP_NAMES);
      const items = text.startsWith("{") ? text.slice(1, -1).split(", ") : [text];
      const back = IntervalSet.from(items.flatMap((i) => itemValues(i, ICMP_NAMES)));
      assert.ok(back.equals(set), `${text}: ${JSON.stringify(back.intervals.map(String))}`);
    }),
    { numRuns: 500 },
  );
});

test("every name is a type's first name or an alias of it", () => {
  for (const [name, t] of Object.entries(ICMP_TYPE_ENTRIES)) assert.equal(ICMP_NAMES.get(t), name);
});
