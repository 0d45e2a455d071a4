import assert from "node:assert/strict";
import { test } from "node:test";
import { Bdd, FALSE, TRUE, type Node } from "./bdd.js";

/** Two small fields, every assignment enumerable: each operation against plain sets. */
function small(): { b: Bdd; all: [bigint, bigint][] } {
  const b = new Bdd([
    { name: "x", width: 4 },
    { name: "y", width: 3 },
  ]);
  const all: [bigint, bigint][] = [];
  for (let x = 0n; x < 16n; x++) for (let y = 0n; y < 8n; y++) all.push([x, y]);
  return { b, all };
}

function members(b: Bdd, n: Node, all: [bigint, bigint][]): string {
  return all
    .filter(([x, y]) => b.has(n, { x, y }))
    .map(([x, y]) => `${x},${y}`)
    .join(" ");
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test("ranges hold exactly their values, for every bound pair of a 4-bit field", () => {
  const { b } = small();
  const x = b.field("x");
  for (let lo = 0n; lo < 16n; lo++) {
    for (let hi = 0n; hi < 16n; hi++) {
      const r = b.range(x, lo, hi);
      for (let v = 0n; v < 16n; v++) assert.equal(b.has(r, { x: v, y: 0n }), v >= lo && v <= hi);
      assert.equal(b.satCount(r), lo > hi ? 0n : (hi - lo + 1n) * 8n);
    }
  }
  assert.equal(b.range(x, 0n, 15n), TRUE);
  assert.equal(b.range(x, 5n, 4n), FALSE);
});

test("and, or, diff and not agree with sets on random unions of boxes; equal sets are one node", () => {
  const { b, all } = small();
  const x = b.field("x");
  const y = b.field("y");
  const r = rng(7);
  const box = (): Node => {
    const x0 = BigInt(Math.floor(r() * 16));
    const x1 = BigInt(Math.floor(r() * 16));
    const y0 = BigInt(Math.floor(r() * 8));
    const y1 = BigInt(Math.floor(r() * 8));
    return b.and(b.range(x, x0, x1), b.range(y, y0, y1));
  };
  const set = (): Node => {
    let n = FALSE;
    for (let i = 0; i < 1 + Math.floor(r() * 4); i++) n = b.or(n, box());
    return n;
  };
  for (let i = 0; i < 300; i++) {
    const p = set();
    const q = set();
    const P = new Set(members(b, p, all).split(" ").filter(Boolean));
    const Q = new Set(members(b, q, all).split(" ").filter(Boolean));
    const of = (n: Node): Set<string> => new Set(members(b, n, all).split(" ").filter(Boolean));
    assert.deepEqual(of(b.and(p, q)), new Set([...P].filter((k) => Q.has(k))));
    assert.deepEqual(of(b.or(p, q)), new Set([...P, ...Q]));
    assert.deepEqual(of(b.diff(p, q)), new Set([...P].filter((k) => !Q.has(k))));
    assert.equal(b.satCount(b.not(p)), 128n - BigInt(P.size));
    assert.equal(
      b.meets(p, q),
      [...P].some((k) => Q.has(k)),
    );
    // Canonical: the same set built another way is the same node.
    assert.equal(b.or(b.and(p, q), b.diff(p, q)), p);
    assert.equal(b.not(b.not(q)), q);
  }
});

test("a 129-bit field takes bigint bounds; nodes grow past the first arrays and stay unique", () => {
  const b = new Bdd([{ name: "a", width: 129 }], 8);
  const a = b.field("a");
  const v4 = b.range(a, 0n, (1n << 32n) - 1n);
  assert.equal(b.satCount(v4), 1n << 32n);
  let u = FALSE;
  const r = rng(3);
  for (let i = 0; i < 3000; i++) {
    const base = BigInt(Math.floor(r() * 2 ** 32)) << 64n;
    u = b.or(u, b.range(a, base, base + 255n));
  }
  assert.ok(b.size > 1 << 16, `only ${b.size} nodes`);
  assert.equal(b.and(u, v4), FALSE);
  // Rebuilt from scratch in the same manager, the same union is the same node.
  let w = FALSE;
  const r2 = rng(3);
  for (let i = 0; i < 3000; i++) {
    const base = BigInt(Math.floor(r2() * 2 ** 32)) << 64n;
    w = b.or(b.range(a, base, base + 255n), w);
  }
  assert.equal(w, u);
});
