/**
 * The packets a chain walk has not decided yet, kept as pairwise disjoint parts, each with its
 * bounding box. A jump's returned packets come back as their own part, so the next rules test a
 * returned part once against its hull instead of box by box: with many user chains reached by
 * prefix (one /16 each), packets returned from one chain are never again compared piece by piece
 * with the jumps to the others. Without that the walk grows with chains × fragments (measured at
 * 100k rules in bench/audit.bench.ts).
 */
import type { Box } from "../space/box.js";
import { IntervalSet } from "../space/interval-set.js";
import { NameSet } from "../space/name-set.js";
import { Space } from "../space/space.js";

interface Part {
  space: Space;
  hull: Box;
}

const DIMS = ["proto", "dport", "dst", "src", "sport", "ct"] as const;

function hullOf(s: Space): Box {
  const lo: Record<string, bigint> = {};
  const hi: Record<string, bigint> = {};
  for (const b of s.boxes)
    for (const d of DIMS) {
      const a = b[d].min()!;
      const z = b[d].max()!;
      if (lo[d] === undefined || a < lo[d]) lo[d] = a;
      if (hi[d] === undefined || z > hi[d]) hi[d] = z;
    }
  const box = { iif: NameSet.ALL, oif: NameSet.ALL } as Record<string, unknown>;
  for (const d of DIMS) box[d] = IntervalSet.of(lo[d]!, hi[d]!);
  return box as unknown as Box;
}

/** Whether some box of `m` can meet something inside `hull` (interval dimensions only). */
function mayMeet(hull: Box, m: Space): boolean {
  return m.boxes.some((b) => DIMS.every((d) => hull[d].intersects(b[d])));
}

export class Remainder {
  private constructor(private readonly parts: Part[]) {}

  static of(s: Space): Remainder {
    return new Remainder(s.isEmpty() ? [] : [{ space: s, hull: hullOf(s) }]);
  }

  isEmpty(): boolean {
    return this.parts.length === 0;
  }

  /** The packets of the remainder that `m` matches (disjoint parts: a plain concatenation). */
  intersect(m: Space): Space {
    const boxes: Box[] = [];
    for (const p of this.parts) {
      if (!mayMeet(p.hull, m)) continue;
      boxes.push(...p.space.intersect(m).boxes);
    }
    return Space.disjoint(boxes);
  }

  subtract(m: Space): Remainder {
    const parts: Part[] = [];
    for (const p of this.parts) {
      if (!mayMeet(p.hull, m)) {
        parts.push(p);
        continue;
      }
      const rest = p.space.subtract(m);
      if (rest === p.space) parts.push(p);
      else if (!rest.isEmpty()) parts.push({ space: rest, hull: hullOf(rest) });
    }
    return new Remainder(parts);
  }

  /** Adds packets disjoint from the remainder (what a jump returned) as a part of their own. */
  add(s: Space): Remainder {
    return s.isEmpty() ? this : new Remainder([...this.parts, { space: s, hull: hullOf(s) }]);
  }

  toSpace(): Space {
    if (this.parts.length === 1) return this.parts[0]!.space;
    return Space.disjoint(this.parts.flatMap((p) => p.space.boxes)).compact();
  }
}

