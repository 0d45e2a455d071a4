import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { lineDiff } from "./line-diff.js";

test("line diff: only what changed, old before new", () => {
  assert.deepEqual(lineDiff(["a", "b", "c"], ["a", "x", "c", "d"]), ["+ x", "- b", "+ d"]);
  assert.deepEqual(lineDiff([], ["a"]), ["+ a"]);
  assert.deepEqual(lineDiff(["a"], []), ["- a"]);
});

test("line diff: nothing for equal inputs; removed minus added is the change in length; minimal", () => {
  const lines = fc.array(fc.constantFrom<string>("a", "b", "c", "d"), { maxLength: 30 });
  fc.assert(
    fc.property(lines, lines, (a, b) => {
      assert.deepEqual(lineDiff(a, a), []);
      const d = lineDiff(a, b);
      const minus = d.filter((l) => l.startsWith("- ")).length;
      const plus = d.filter((l) => l.startsWith("+ ")).length;
      assert.equal(minus - plus, a.length - b.length);
      // Every removed line really is one of a's, every added one of b's.
      assert.ok(d.every((l) => (l.startsWith("- ") ? a : b).includes(l.slice(2))));
      assert.ok(minus <= a.length && plus <= b.length);
    }),
  );
});
