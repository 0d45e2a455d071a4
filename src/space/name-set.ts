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
    if (!this.cofinite && !o.cofinite) return new NameSet(merge(this.names, o.names), false);
    if (this.cofinite && o.cofinite) return new NameSet(common(this.names, o.names), true);
    const [fin, cof] = this.cofinite ? [o, this] : [this, o];
    return new NameSet(without(cof.names, fin.names), true);
  }

  intersect(o: NameSet): NameSet {
    // Most boxes leave interfaces whole: no new set for the common cases.
    if (this === o || o.isAll()) return this;
    if (this.isAll()) return o;
    if (!this.cofinite && !o.cofinite) return new NameSet(common(this.names, o.names), false);
    if (this.cofinite && o.cofinite) return new NameSet(merge(this.names, o.names), true);
    const [fin, cof] = this.cofinite ? [o, this] : [this, o];
    return new NameSet(without(fin.names, cof.names), false);
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
    if (!this.cofinite && !o.cofinite) return this.names.some((n) => o.names.includes(n));
    const [fin, cof] = this.cofinite ? [o, this] : [this, o];
    return fin.names.some((n) => !cof.names.includes(n));
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
    return (
      this.cofinite === o.cofinite &&
      this.names.length === o.names.length &&
      this.names.every((n, i) => n === o.names[i])
    );
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

function merge(a: readonly string[], b: readonly string[]): string[] {
  return sortUnique([...a, ...b]);
}

function common(a: readonly string[], b: readonly string[]): string[] {
  const s = new Set(b);
  return a.filter((n) => s.has(n));
}

function without(a: readonly string[], b: readonly string[]): string[] {
  const s = new Set(b);
  return a.filter((n) => !s.has(n));
}
