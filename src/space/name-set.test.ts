/**
 * NameSet against a brute-force model: a set is a finite list of names or the complement of one,
 * over an unbounded universe. Every operation's result is checked on each name of a pool (sorted
 * alike by code units: "" and names that `localeCompare` would order otherwise) and on a name no
 * set ever lists (standing for all the others); the structural answers and the names' order
 * against the model; and a result equal to an operand is that operand (boxes rely on it).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { NameSet } from "./name-set.js";

const POOL = [
  "",
  "lo",
  "eth0",
  "eth1",
  "eth10",
  "Eth0",
  "é0",
  "wg0",
  "a",
  "b",
  "c",
  "d",
  "e",
  "f",
  "g",
  "h",
  "i",
];
const OTHER = "never-listed";

interface Model {
  names: string[];
  cofinite: boolean;
}

const model: fc.Arbitrary<Model> = fc.record({
  names: fc.uniqueArray(fc.constantFrom(...POOL), { maxLength: 12 }),
  cofinite: fc.boolean(),
});

function build(m: Model): NameSet {
  return m.cofinite ? NameSet.except(...m.names) : NameSet.of(...m.names);
}

function has(m: Model, n: string): boolean {
  return m.names.includes(n) !== m.cofinite;
}

function same(s: NameSet, member: (n: string) => boolean): void {
  for (const n of [...POOL, OTHER]) assert.equal(s.has(n), member(n), `${s.text()} has ${JSON.stringify(n)}`);
  assert.deepEqual([...s.names], [...s.names].sort(), "names sorted by code units");
  assert.equal(new Set(s.names).size, s.names.length, "names unique");
}

test("NameSet operations agree with the model", () => {
  fc.assert(
    fc.property(model, model, (ma, mb) => {
      const a = build(ma);
      const b = build(mb);
      const u = a.union(b);
      const i = a.intersect(b);
      const d = a.subtract(b);
      same(u, (n) => has(ma, n) || has(mb, n));
      same(i, (n) => has(ma, n) && has(mb, n));
      same(d, (n) => has(ma, n) && !has(mb, n));
      const meet = [...POOL, OTHER].some((n) => has(ma, n) && has(mb, n));
      assert.equal(a.intersects(b), meet);
      const within = [...POOL, OTHER].every((n) => !has(mb, n) || has(ma, n));
      assert.equal(a.contains(b), within);
      const equal = [...POOL, OTHER].every((n) => has(ma, n) === has(mb, n));
      assert.equal(a.equals(b), equal);
      if (equal) assert.equal(a.hash(), b.hash());
      // A result equal to an operand is that object.
      for (const r of [u, i])
        for (const o of [a, b]) if (r.equals(o)) assert.ok(r === a || r === b, "operand kept");
    }),
    { numRuns: 3000 },
  );
});
