/**
 * The packets a chain walk has not decided yet, kept as pairwise disjoint parts, each with its
 * bounding box. A jump's returned packets come back as their own part, so the next rules test a
 * returned part once against its hull instead of box by box: with many user chains reached by
 * prefix (one /16 each), packets returned from one chain are never again compared piece by piece
 * with the jumps to the others. Without that the walk grows with chains × fragments (measured at
 * 100k rules in bench/audit.bench.ts).
 */
import { boxHull, hullMeets, type Box } from "../space/box.js";
import { Space } from "../space/space.js";

interface Part {
  space: Space;
  hull: Box;
}

function hullOf(s: Space): Box {
  return boxHull(s.boxes);
}

function mayMeet(hull: Box, m: Space): boolean {
  return hullMeets(hull, m.boxes);
}

export class Remainder {
  private constructor(private readonly parts: Part[]) {}

  static of(s: Space): Remainder {
    return new Remainder(s.isEmpty() ? [] : [{ space: s, hull: hullOf(s) }]);
  }

  isEmpty(): boolean {
    return this.parts.length === 0;
  }

  /** Whether `m` matches any packet of the remainder. */
  meets(m: Space): boolean {
    for (const p of this.parts) if (mayMeet(p.hull, m) && p.space.intersects(m)) return true;
    return false;
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
      // The old hull still bounds what is left: a looser hull only lets `mayMeet` pass more parts
      // on to the exact test, and recomputing it after every rule was a fifth of the walk's time.
      if (rest === p.space) parts.push(p);
      else if (!rest.isEmpty()) parts.push({ space: rest, hull: p.hull });
    }
    return new Remainder(parts);
  }

  /** [this.intersect(m), this.subtract(m)] with one pass over the parts that can meet `m`. */
  cut(m: Space): [Space, Remainder] {
    // The hit's boxes: one part's array as it is (most cuts), the parts' concatenated past one.
    let one: readonly Box[] | undefined;
    let boxes: Box[] | undefined;
    // The parts left: this remainder's own list until a part changes (most rules meet no part of
    // a remainder of many: no list, no remainder made for them).
    let parts: Part[] | undefined;
    for (let i = 0; i < this.parts.length; i++) {
      const p = this.parts[i]!;
      if (!mayMeet(p.hull, m)) {
        parts?.push(p);
        continue;
      }
      const [hit, rest] = p.space.cut(m);
      if (hit.boxes.length > 0) {
        if (one === undefined) one = hit.boxes;
        else {
          boxes ??= [...one];
          for (const b of hit.boxes) boxes.push(b);
        }
      }
      // As in subtract: the old hull still bounds what is left.
      if (rest === p.space) parts?.push(p);
      else {
        parts ??= this.parts.slice(0, i);
        if (!rest.isEmpty()) parts.push({ space: rest, hull: p.hull });
      }
    }
    return [Space.disjoint(boxes ?? one ?? []), parts ? new Remainder(parts) : this];
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
