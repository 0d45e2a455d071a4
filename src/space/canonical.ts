/**
 * One object per distinct set among the boxes a whole-space walk keeps. Differences cut the same
 * sets again and again (a port range less a rule's port, a prefix less a host): at 30k rules of
 * the unstructured benchmark the walk kept 454 thousand interval sets, and most were equal to
 * another. Kept boxes take the first equal set met in the scope instead (same values: every
 * answer and every rendering is the same; equal sets that are one object also compare faster).
 *
 * Only inside `withCanonicalSets`, and only for boxes being kept (`Space.tight`): the table holds
 * the sets of kept boxes, never the garbage of intermediate results, and is dropped with the scope,
 * so a long-lived process (the dashboard) keeps nothing between audits.
 */
import { FULL, hasSets, type Box } from "./box.js";
import type { IntervalSet } from "./interval-set.js";
import { NameSet } from "./name-set.js";

/**
 * Sets by hash, open addressing (linear probing): every distinct set in a slot of its own, those
 * sharing a hash in the slots that follow. A Map from hash to set (or to a list on a collision)
 * cost twice as much per lookup, and a whole-space walk looks up a few million sets.
 */
class SetTable<S extends { hash(): number; equals(o: S): boolean }> {
  private hashes = new Int32Array(1024);
  private sets: Array<S | undefined> = new Array<S | undefined>(1024).fill(undefined);
  private size = 0;

  /** The first set added equal to `s`; `s` itself (added) when none was. */
  canonical(s: S): S {
    const h = s.hash();
    const mask = this.sets.length - 1;
    let i = (h ^ (h >>> 16)) & mask;
    for (;;) {
      const at = this.sets[i];
      if (at === undefined) break;
      if (this.hashes[i] === h && (at === s || at.equals(s))) return at;
      i = (i + 1) & mask;
    }
    this.sets[i] = s;
    this.hashes[i] = h;
    if (++this.size * 2 > this.sets.length) this.grow();
    return s;
  }

  private grow(): void {
    const sets = this.sets;
    const hashes = this.hashes;
    this.sets = new Array<S | undefined>(sets.length * 2).fill(undefined);
    this.hashes = new Int32Array(sets.length * 2);
    const mask = this.sets.length - 1;
    for (let j = 0; j < sets.length; j++) {
      const s = sets[j];
      if (s === undefined) continue;
      const h = hashes[j]!;
      let i = (h ^ (h >>> 16)) & mask;
      while (this.sets[i] !== undefined) i = (i + 1) & mask;
      this.sets[i] = s;
      this.hashes[i] = h;
    }
  }
}

interface Scope {
  intervals: SetTable<IntervalSet>;
  names: SetTable<NameSet>;
}

let SCOPE: Scope | undefined;

/** Runs `fn` with a table of canonical sets (nested calls share the outer one). */
export function withCanonicalSets<T>(fn: () => T): T {
  if (SCOPE !== undefined) return fn();
  // The whole dimensions first: a set equal to one of them becomes that one.
  const intervals = new SetTable<IntervalSet>();
  for (const x of [FULL.proto, FULL.port, FULL.addr, FULL.ct]) intervals.canonical(x);
  const names = new SetTable<NameSet>();
  names.canonical(NameSet.ALL);
  SCOPE = { intervals, names };
  try {
    return fn();
  } finally {
    SCOPE = undefined;
  }
}

/** `boxes` in a new array of exactly their number, each box's sets canonical in the scope. */
export function keptBoxes(boxes: readonly Box[]): Box[] {
  const out = boxes.slice();
  const scope = SCOPE;
  if (scope === undefined) return out;
  const iv = scope.intervals;
  const nm = scope.names;
  // Neighbouring boxes mostly share a dimension's set: the previous box's answer first.
  let last: Box | undefined;
  let kept: Box | undefined;
  for (let i = 0; i < out.length; i++) {
    const b = out[i]!;
    const proto = last !== undefined && b.proto === last.proto ? kept!.proto : canonical(iv, b.proto);
    const dport = last !== undefined && b.dport === last.dport ? kept!.dport : canonical(iv, b.dport);
    const dst = last !== undefined && b.dst === last.dst ? kept!.dst : canonical(iv, b.dst);
    const src = last !== undefined && b.src === last.src ? kept!.src : canonical(iv, b.src);
    const sport = last !== undefined && b.sport === last.sport ? kept!.sport : canonical(iv, b.sport);
    const ct = last !== undefined && b.ct === last.ct ? kept!.ct : canonical(iv, b.ct);
    const iif = last !== undefined && b.iif === last.iif ? kept!.iif : canonical(nm, b.iif);
    const oif = last !== undefined && b.oif === last.oif ? kept!.oif : canonical(nm, b.oif);
    last = b;
    if (!hasSets(b, proto, dport, dst, src, sport, ct, iif, oif))
      out[i] = { proto, dport, dst, src, sport, ct, iif, oif };
    kept = out[i];
  }
  return out;
}

/** The first set met equal to `s` in `table`, `s` itself when it is the first. */
function canonical<S extends { hash(): number; equals(o: S): boolean }>(table: SetTable<S>, s: S): S {
  // The whole dimensions are one object already (most boxes have several): no lookup.
  if (
    (s as unknown) === FULL.port ||
    (s as unknown) === FULL.addr ||
    (s as unknown) === NameSet.ALL ||
    (s as unknown) === FULL.ct ||
    (s as unknown) === FULL.proto
  )
    return s;
  return table.canonical(s);
}
