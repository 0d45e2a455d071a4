/**
 * byCodeUnits is the order of a plain `sort()` whatever the locale: names that `localeCompare`
 * orders otherwise under some locale (Danish "aa" after "z"; "_" before digits in ICU's root), and
 * random strings against the comparator-less sort.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { byCodeUnits } from "./order.js";

test("byCodeUnits orders by code units, not by a locale's collation", () => {
  const names = ["z", "aa", "a_1", "a1", "A1", "a-1", "edge_public", "edge-public", "edge2", ""];
  assert.deepEqual([...names].sort(byCodeUnits), [
    "",
    "A1",
    "a-1",
    "a1",
    "a_1",
    "aa",
    "edge-public",
    "edge2",
    "edge_public",
    "z",
  ]);
  // The order a Danish locale would give differs: the generated files no longer depend on it.
  const danish = [...names].sort((a, b) => a.localeCompare(b, "da"));
  assert.notDeepEqual(danish, [...names].sort(byCodeUnits));
});

test("byCodeUnits is the comparator-less sort on any strings", () => {
  fc.assert(
    fc.property(fc.array(fc.string({ unit: "binary" })), (xs) => {
      assert.deepEqual([...xs].sort(byCodeUnits), [...xs].sort());
    }),
  );
});
