/**
 * Interface names as a set over an unbounded universe: either a finite set of names, or the
 * complement of one (`!eth0` is "every name but eth0"). Exact for names and negations. Wildcards
 * (`eth+`, `eth*`) are not prefixes here: readers that meet one keep it as a literal atom and must
 * report the approximation (see ir/ruleset.ts, `Approximation`).
 */
export class NameSet {
  /** Sorted, unique. With `cofinite`, the names NOT in the set. */
  readonly names: readonly string[];
  readonly cofinite: boolean;

  private constructor(names: readonly string[], cofinite: boolean) {
    this.names = names;
    this.cofinite = cofinite;
  }

  static readonly ALL = new NameSet([], true);
  static readonly EMPTY = new NameSet([], false);

  static of(...names: string[]): NameSet {
    return new NameSet(sortUnique(names), false);
  }

  static except(...names: string[]): NameSet {
    return new NameSet(sortUnique(names), true);
  }

  isEmpty(): boolean {
    return !this.cofinite && this.names.length === 0;
  }

  isAll(): boolean {
    return this.cofinite && this.names.length === 0;
  }

  has(name: string): boolean {
    return this.names.includes(name) !== this.cofinite;
  }

  union(o: NameSet): NameSet {
    if (this === o) return this;
    if (!this.cofinite && !o.cofinite) return this.kept(merge(this.names, o.names), false, o);
    if (this.cofinite && o.cofinite) return this.kept(common(this.names, o.names), true, o);
    const fin = this.cofinite ? o : this;
    const cof = this.cofinite ? this : o;
    return cof.kept(without(cof.names, fin.names), true, fin);
  }

  intersect(o: NameSet): NameSet {
    // Most boxes leave interfaces whole: no new set for the common cases.
    if (this === o || o.isAll()) return this;
    if (this.isAll()) return o;
    if (!this.cofinite && !o.cofinite) return this.kept(common(this.names, o.names), false, o);
    if (this.cofinite && o.cofinite) return this.kept(merge(this.names, o.names), true, o);
    const fin = this.cofinite ? o : this;
    const cof = this.cofinite ? this : o;
    return fin.kept(without(fin.names, cof.names), false, cof);
  }

  /**
   * The set of `names` (sorted, unique) and `cofinite`: this set or `o` when it is theirs (no new
   * object: a box whose sets are all its own operands' is kept as it is, see box.ts `hasSets`).
   */
  private kept(names: readonly string[], cofinite: boolean, o: NameSet): NameSet {
    if (cofinite === this.cofinite && sameNames(names, this.names)) return this;
    if (cofinite === o.cofinite && sameNames(names, o.names)) return o;
    return new NameSet(names, cofinite);
  }

  complement(): NameSet {
    return new NameSet(this.names, !this.cofinite);
  }

  subtract(o: NameSet): NameSet {
    if (o.isAll() || this === o) return NameSet.EMPTY;
    return this.intersect(o.complement());
  }

  intersects(o: NameSet): boolean {
    // Without building the intersection (boxes are tested against each other millions of times).
    if (this.isAll()) return !o.isEmpty();
    if (o.isAll()) return !this.isEmpty();
    // Two complements of finite sets always share a name (the universe of names is unbounded).
    if (this.cofinite && o.cofinite) return true;
    // Plain loops: a closure per call was a twelfth of what a whole-space walk allocates.
    if (!this.cofinite && !o.cofinite) {
      for (const n of this.names) if (o.names.includes(n)) return true;
      return false;
    }
    const fin = this.cofinite ? o : this;
    const cof = this.cofinite ? this : o;
    for (const n of fin.names) if (!cof.names.includes(n)) return true;
    return false;
  }

  contains(o: NameSet): boolean {
    if (this.isAll() || this === o || o.isEmpty()) return true;
    if (!this.cofinite) return !o.cofinite && o.names.every((n) => this.names.includes(n));
    // Every name but those of this.names: a finite set avoiding them, or a complement excluding them too.
    return o.cofinite
      ? this.names.every((n) => o.names.includes(n))
      : o.names.every((n) => !this.names.includes(n));
  }

  equals(o: NameSet): boolean {
    return this === o || (this.cofinite === o.cofinite && sameNames(this.names, o.names));
  }

  private cachedKey: string | undefined;
  private cachedHash: number | undefined;

  /** A number equal for equal sets (unequal sets may share one), as IntervalSet.hash. */
  hash(): number {
    if (this.cachedHash === undefined) {
      const k = this.key();
      let h = this.cofinite ? 0x2545f491 : 0x6a09e667;
      for (let i = 0; i < k.length; i++) h = Math.imul(h ^ k.charCodeAt(i), 0x01000193);
      this.cachedHash = h | 0;
    }
    return this.cachedHash;
  }

  key(): string {
    if (this.cachedKey === undefined) this.cachedKey = (this.cofinite ? "!" : "") + this.names.join("\u0000");
    return this.cachedKey;
  }

  /** `eth0`, `{eth0, eth1}`, `!lo`, `!{lo, docker0}`, `any`. */
  private cachedText: string | undefined;

  text(): string {
    if (this.cachedText !== undefined) return this.cachedText;
    if (this.isAll()) return "any";
    const shown = this.names.map((n) => (n === "" ? '""' : n));
    const list = shown.length === 1 ? shown[0]! : `{${shown.join(", ")}}`;
    this.cachedText = this.cofinite ? `!${list}` : list;
    return this.cachedText;
  }
}

function sortUnique(names: readonly string[]): string[] {
  return [...new Set(names)].sort();
}

/** Interface lists are short (a rule names one or two): below this, `includes` beats a Set. */
const SHORT = 8;

/** The names of `a` also in `b`: `a` itself when all are (no new array). */
function common(a: readonly string[], b: readonly string[]): readonly string[] {
  return keep(a, b, true);
}

/** The names of `a` not in `b`: `a` itself when none is. */
function without(a: readonly string[], b: readonly string[]): readonly string[] {
  return keep(a, b, false);
}

function keep(a: readonly string[], b: readonly string[], inB: boolean): readonly string[] {
  const set = b.length > SHORT ? new Set(b) : undefined;
  let out: string[] | undefined;
  for (let i = 0; i < a.length; i++) {
    const n = a[i]!;
    if ((set ? set.has(n) : b.includes(n)) === inB) out?.push(n);
    else out ??= a.slice(0, i);
  }
  return out ?? a;
}

/** The sorted union of two sorted, unique lists: one of them when it holds the other. */
function merge(a: readonly string[], b: readonly string[]): readonly string[] {
  if (a === b || b.length === 0) return a;
  if (a.length === 0) return b;
  const out: string[] = [];
  let i = 0;
  let j = 0;
  // The order of sortUnique (`sort()`: UTF-16 code units, as `<` compares strings).
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) out.push(a[i++]!);
    else if (i >= a.length || b[j]! < a[i]!) out.push(b[j++]!);
    else {
      out.push(a[i++]!);
      j++;
    }
  }
  return out.length === a.length ? a : out.length === b.length ? b : out;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
