/**
 * Building a rule's match from a reader's terms: each term narrows one dimension (negated terms
 * narrow to the complement), and the result is one box. Terms the space cannot express become
 * `Approximation`s and leave the match wider (an over-approximation), never silently narrower.
 */
import { ALL_V4, ALL_V6 } from "../space/address.js";
import { FULL, makeBox, type Box, type IntervalDim, type NameDim } from "../space/box.js";
import { IntervalSet } from "../space/interval-set.js";
import type { NameSet } from "../space/name-set.js";
import { Space } from "../space/space.js";
import type { Approximation, Origin } from "./ruleset.js";

const FULL_OF: Record<IntervalDim, IntervalSet> = {
  proto: FULL.proto,
  dport: FULL.port,
  sport: FULL.port,
  src: FULL.addr,
  dst: FULL.addr,
  ct: FULL.ct,
};

export class MatchBuilder {
  private box: Box = makeBox({});
  private alternatives: Box[] | undefined;
  readonly approximations: Approximation[] = [];

  /** Narrows an interval dimension to `set` (or, negated, to its complement). */
  narrow(dim: IntervalDim, set: IntervalSet, negate = false): this {
    const v = negate ? FULL_OF[dim].subtract(set) : set;
    this.box = { ...this.box, [dim]: this.box[dim].intersect(v) };
    return this;
  }

  /** What the terms so far leave of one interval dimension (before any `anyOf`). */
  current(dim: IntervalDim): IntervalSet {
    return this.box[dim];
  }

  narrowName(dim: NameDim, set: NameSet, negate = false): this {
    const v = negate ? set.complement() : set;
    this.box = { ...this.box, [dim]: this.box[dim].intersect(v) };
    return this;
  }

  /** Restricts to one family (iptables -4/-6, nft `meta nfproto`, ip/ip6 address matches). */
  family(f: 4 | 6): this {
    const all = f === 4 ? ALL_V4 : ALL_V6;
    return this.narrow("src", all).narrow("dst", all);
  }

  /** A term that is a union over several dimensions (a set of concatenations): boxes to AND with. */
  anyOf(boxes: readonly Box[]): this {
    this.alternatives = this.alternatives ? intersectAll(this.alternatives, boxes) : [...boxes];
    return this;
  }

  /** `where`: the packets of the match the reading is approximate for (Approximation.where). */
  approximate(
    construct: string,
    reason: string,
    origin: Origin,
    affects?: Approximation["affects"],
    where?: Space,
  ): this {
    this.approximations.push({
      construct,
      reason,
      origin,
      ...(affects ? { affects } : {}),
      ...(where ? { where } : {}),
    });
    return this;
  }

  /**
   * A construct that matches only packets the packet space does not hold (a second fragment, an
   * IPv6 extension header): the match narrowed to none of them, the construct listed as not
   * modelled and marked `outsideModel` (never a dead rule: it matches other packets).
   */
  outsideModel(construct: string, reason: string, origin: Origin): this {
    this.narrow("proto", IntervalSet.EMPTY);
    this.approximations.push({ construct, reason, origin, affects: "match", outsideModel: true });
    return this;
  }

  /**
   * The approximations of a rule whose match is `match`: those approximate for some packet of it
   * (`--tcp-flags … SYN` beside `--ctstate NEW` is exact: its `where` is in other states).
   */
  approximationsOf(match: Space): Approximation[] {
    return this.approximations.filter((a) => a.where === undefined || match.intersects(a.where));
  }

  clone(): MatchBuilder {
    const c = new MatchBuilder();
    c.box = this.box;
    if (this.alternatives) c.alternatives = [...this.alternatives];
    c.approximations.push(...this.approximations);
    return c;
  }

  build(): Space {
    const base = Space.box(this.box);
    if (!this.alternatives) return base;
    return base.intersect(Space.fromBoxes(this.alternatives));
  }
}

function intersectAll(a: readonly Box[], b: readonly Box[]): Box[] {
  return Space.fromBoxes(a).intersect(Space.fromBoxes(b)).boxes.slice();
}
