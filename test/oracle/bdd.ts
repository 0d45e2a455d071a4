/**
 * Reduced ordered binary decision diagrams over fixed-width integer fields, as Batfish keeps header
 * spaces. A set is one node and equal sets are the same node (canonical), so equality is `===` and
 * emptiness `=== FALSE`: the oracle the engine's box algebra is checked against (bdd-walk.ts), and
 * the representation issue 21 measured as an alternative to it (BENCHMARKS.md, "A walk over
 * decision diagrams").
 *
 * Nodes live in typed arrays (variable, low child, high child), made unique by an open-addressing
 * table; and/or/diff go through a lossy direct-mapped cache. Nothing is ever freed: a manager
 * lives as long as one analysis.
 *
 * Fields are laid out most significant bit first, in the order given; a field of `width` bits holds
 * values 0 … 2^width − 1 (a field whose domain is smaller must be restricted with `range`).
 * Pure: no I/O.
 */

export type Node = number;
export const FALSE: Node = 0;
export const TRUE: Node = 1;

const OP_AND = 1;
const OP_OR = 2;
const OP_DIFF = 3;

export interface FieldSpec {
  name: string;
  width: number;
}

export interface Field extends FieldSpec {
  /** The variable of the field's most significant bit. */
  first: number;
}

export class Bdd {
  readonly fields: readonly Field[];
  readonly vars: number;
  private v: Int32Array;
  private lo: Int32Array;
  private hi: Int32Array;
  private count = 2;
  private unique: Int32Array;
  private uniqueMask: number;
  private cache: Int32Array;
  private cacheMask: number;

  constructor(fields: readonly FieldSpec[], cacheBits = 20) {
    let first = 0;
    this.fields = fields.map((f) => {
      const out = { ...f, first };
      first += f.width;
      return out;
    });
    this.vars = first;
    const cap = 1 << 16;
    this.v = new Int32Array(cap);
    this.lo = new Int32Array(cap);
    this.hi = new Int32Array(cap);
    // Terminals sit below every variable.
    this.v[0] = this.v[1] = this.vars;
    this.unique = new Int32Array(cap * 2);
    this.uniqueMask = cap * 2 - 1;
    this.cache = new Int32Array((1 << cacheBits) * 4).fill(-1);
    this.cacheMask = (1 << cacheBits) - 1;
  }

  /** Nodes made so far (terminals included). */
  get size(): number {
    return this.count;
  }

  field(name: string): Field {
    const f = this.fields.find((x) => x.name === name);
    if (!f) throw new Error(`no field ${name}`);
    return f;
  }

  variable(n: Node): number {
    return this.v[n]!;
  }

  low(n: Node): Node {
    return this.lo[n]!;
  }

  high(n: Node): Node {
    return this.hi[n]!;
  }

  /** The node (v ? h : l), reduced and unique. */
  mk(v: number, l: Node, h: Node): Node {
    if (l === h) return l;
    const mask = this.uniqueMask;
    let i = hash3(v, l, h) & mask;
    const u = this.unique;
    for (;;) {
      const n = u[i]!;
      if (n === 0) break;
      if (this.v[n] === v && this.lo[n] === l && this.hi[n] === h) return n;
      i = (i + 1) & mask;
    }
    if (this.count === this.v.length) this.grow();
    const n = this.count++;
    this.v[n] = v;
    this.lo[n] = l;
    this.hi[n] = h;
    // Growing rehashes; the slot found before is then stale.
    if (this.count * 2 > this.uniqueMask) this.rehash();
    else u[i] = n;
    return n;
  }

  private grow(): void {
    const cap = this.v.length * 2;
    const v = new Int32Array(cap);
    const lo = new Int32Array(cap);
    const hi = new Int32Array(cap);
    v.set(this.v);
    lo.set(this.lo);
    hi.set(this.hi);
    this.v = v;
    this.lo = lo;
    this.hi = hi;
  }

  private rehash(): void {
    const size = (this.uniqueMask + 1) * 2;
    const u = new Int32Array(size);
    const mask = size - 1;
    for (let n = 2; n < this.count; n++) {
      let i = hash3(this.v[n]!, this.lo[n]!, this.hi[n]!) & mask;
      while (u[i] !== 0) i = (i + 1) & mask;
      u[i] = n;
    }
    this.unique = u;
    this.uniqueMask = mask;
  }

  and(a: Node, b: Node): Node {
    if (a === FALSE || b === FALSE) return FALSE;
    if (a === TRUE || a === b) return b;
    if (b === TRUE) return a;
    if (a > b) {
      const t = a;
      a = b;
      b = t;
    }
    return this.apply(OP_AND, a, b);
  }

  or(a: Node, b: Node): Node {
    if (a === TRUE || b === TRUE) return TRUE;
    if (a === FALSE || a === b) return b;
    if (b === FALSE) return a;
    if (a > b) {
      const t = a;
      a = b;
      b = t;
    }
    return this.apply(OP_OR, a, b);
  }

  /** a ∧ ¬b. */
  diff(a: Node, b: Node): Node {
    if (a === FALSE || b === TRUE || a === b) return FALSE;
    if (b === FALSE) return a;
    return this.apply(OP_DIFF, a, b);
  }

  not(a: Node): Node {
    return this.diff(TRUE, a);
  }

  /** Whether a ∧ b is not empty, without building it. */
  meets(a: Node, b: Node): boolean {
    if (a === FALSE || b === FALSE) return false;
    if (a === TRUE || b === TRUE || a === b) return true;
    // The conjunction is cached: a walk asks and then usually builds it.
    return this.and(a, b) !== FALSE;
  }

  private apply(op: number, a: Node, b: Node): Node {
    const c = this.cache;
    const slot = (hash3(op, a, b) & this.cacheMask) << 2;
    if (c[slot] === a && c[slot + 1] === b && c[slot + 2] === op) return c[slot + 3]!;
    const va = this.v[a]!;
    const vb = this.v[b]!;
    const top = va < vb ? va : vb;
    const a0 = va === top ? this.lo[a]! : a;
    const a1 = va === top ? this.hi[a]! : a;
    const b0 = vb === top ? this.lo[b]! : b;
    const b1 = vb === top ? this.hi[b]! : b;
    let r: Node;
    if (op === OP_AND) r = this.mk(top, this.and(a0, b0), this.and(a1, b1));
    else if (op === OP_OR) r = this.mk(top, this.or(a0, b0), this.or(a1, b1));
    else r = this.mk(top, this.diff(a0, b0), this.diff(a1, b1));
    // The recursion may have overwritten the slot: write all four again.
    c[slot] = a;
    c[slot + 1] = b;
    c[slot + 2] = op;
    c[slot + 3] = r;
    return r;
  }

  /** Values lo … hi (inclusive) of a field; empty when lo > hi. */
  range(field: Field, lo: bigint, hi: bigint): Node {
    const max = (1n << BigInt(field.width)) - 1n;
    if (lo < 0n) lo = 0n;
    if (hi > max) hi = max;
    if (lo > hi) return FALSE;
    return this.and(this.atLeast(field, lo), this.atMost(field, hi));
  }

  /** Values ≥ c. */
  atLeast(field: Field, c: bigint): Node {
    if (c <= 0n) return TRUE;
    let f: Node = TRUE;
    const w = field.width;
    for (let i = w - 1; i >= 0; i--) {
      const bit = (c >> BigInt(w - 1 - i)) & 1n;
      f = bit === 1n ? this.mk(field.first + i, FALSE, f) : this.mk(field.first + i, f, TRUE);
    }
    return f;
  }

  /** Values ≤ c. */
  atMost(field: Field, c: bigint): Node {
    const w = field.width;
    if (c >= (1n << BigInt(w)) - 1n) return TRUE;
    let f: Node = TRUE;
    for (let i = w - 1; i >= 0; i--) {
      const bit = (c >> BigInt(w - 1 - i)) & 1n;
      f = bit === 1n ? this.mk(field.first + i, TRUE, f) : this.mk(field.first + i, f, FALSE);
    }
    return f;
  }

  /** Nodes reachable from n (terminals included): the diagram's size. */
  nodeCount(n: Node): number {
    const seen = new Set<number>();
    const stack = [n];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (seen.has(x)) continue;
      seen.add(x);
      if (x > TRUE) stack.push(this.lo[x]!, this.hi[x]!);
    }
    return seen.size;
  }

  /** The number of assignments of all variables in n (a packet count when fields are exact). */
  satCount(n: Node): bigint {
    const memo = new Map<Node, bigint>();
    const count = (x: Node): bigint => {
      // Assignments of the variables from v[x] down.
      if (x === FALSE) return 0n;
      if (x === TRUE) return 1n;
      const m = memo.get(x);
      if (m !== undefined) return m;
      const v = this.v[x]!;
      const l = this.lo[x]!;
      const h = this.hi[x]!;
      const r = (count(l) << BigInt(this.v[l]! - v - 1)) + (count(h) << BigInt(this.v[h]! - v - 1));
      memo.set(x, r);
      return r;
    };
    return n === FALSE ? 0n : count(n) << BigInt(this.v[n]!);
  }

  /** Whether the assignment (one value per field, by name) is in n. */
  has(n: Node, values: Readonly<Record<string, bigint>>): boolean {
    const bits: number[] = [];
    for (const f of this.fields) {
      const x = values[f.name] ?? 0n;
      for (let i = 0; i < f.width; i++) bits.push(Number((x >> BigInt(f.width - 1 - i)) & 1n));
    }
    let x = n;
    while (x > TRUE) x = bits[this.v[x]!] ? this.hi[x]! : this.lo[x]!;
    return x === TRUE;
  }
}

function hash3(a: number, b: number, c: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77) ^ Math.imul(c, 0xc2b2ae3d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}
