/**
 * First match, symbolically (Batfish's reachAndMatchLines idea on our box algebra): a chain is
 * walked once carrying the packets not yet decided; each rule takes its intersection with them.
 * Jumps recurse with the intersected set and whatever the target returns continues after the jump;
 * goto recurses and returns from the current chain; return hands the rest to the caller.
 * Matches are seen through a `view` so the same walk serves packets already rewritten by NAT.
 */
import {
  approximatedPart,
  approximationDecides,
  findChain,
  type Action,
  type Chain,
  type Rule,
  type Table,
} from "../ir/ruleset.js";
import { Space } from "../space/space.js";
import { Remainder } from "./remainder.js";

export type Decider =
  | { kind: "rule"; rule: Rule }
  | { kind: "policy"; chain: Chain; table: Table; file: string }
  /** Something the engine had to decide itself (jump loop, missing chain): always reported. */
  | { kind: "engine"; reason: string; rule: Rule };

export interface Decision {
  outcome: "accept" | "drop";
  packets: Space;
  by: Decider;
  /**
   * Set for NAT rewrites decided in a nat chain; present (undefined) on every other decision, so
   * that all decisions share one hidden class (the narrowing code reads millions of them).
   */
  nat?: Action | undefined;
}

export interface WalkContext {
  table: Table;
  /** The rule's match as seen by the packets being walked (NAT views); identity by default. */
  view(rule: Rule): Space;
  /** Called with the packets a rule matched (decided, jumped or observed). */
  onHit?: (rule: Rule, hit: Space) => void;
  /**
   * When set, called instead of `onHit` for a rule that only observes (`continue`: log, counter)
   * and whose approximations cannot decide: the walk then asks only whether packets reach it and
   * match, never which — it computed each such rule's share of the remainder, and the remainder
   * less it, only to throw the second away (rule-reach.ts needs no more than reached or not).
   */
  onReach?: (rule: Rule) => void;
  /**
   * Set on a path that knows the NAT its packets took (hooks.ts): a rule's `ct status dnat` terms
   * are then decided, not approximations (approximationDecidesKnowingNat).
   */
  natKnown?: boolean;
}

/**
 * Packets that reached an approximated rule and met its (over-approximated) match where its reading
 * is approximate (approximatedPart): the rule may truly treat them otherwise, so whatever the walk
 * decided for them is uncertain.
 */
export interface Uncertain {
  rule: Rule;
  packets: Space;
}

export interface WalkResult {
  decided: Decision[];
  /** Packets that left the chain undecided (fell off the end or hit return). */
  returned: Space;
  /** Packets whose decision depends on an approximated rule (approximatedPart). */
  uncertain: Uncertain[];
}

/** Deep enough for any real ruleset (nft and iptables limit jump depth to 16 and 32 levels). */
const MAX_DEPTH = 64;

export function walkChain(ctx: WalkContext, chain: Chain, input: Space, depth = 0): WalkResult {
  const decided: Decision[] = [];
  const uncertain: Uncertain[] = [];
  // Packets returned by `return` rules: each hit is disjoint from the earlier ones (they left rem).
  const returnedParts: Space[] = [];
  let rem = Remainder.of(input);
  for (const rule of chain.rules) {
    if (rem.isEmpty()) break;
    const m = ctx.view(rule);
    if (ctx.onReach && rule.action.kind === "continue" && !approximationDecides(rule)) {
      if (rem.meets(m)) ctx.onReach(rule);
      continue;
    }
    const [cut, rest] = rem.cut(m);
    if (cut.isEmpty()) continue;
    const hit = cut.tight();
    ctx.onHit?.(rule, hit);
    if (rule.approximations.length > 0) {
      const unsure = approximatedPart(rule, hit, ctx.natKnown === true);
      if (!unsure.isEmpty()) uncertain.push({ rule, packets: unsure });
    }
    const a = rule.action;
    switch (a.kind) {
      case "continue":
        continue;
      case "accept":
      case "dnat":
      case "snat":
      case "masquerade":
      case "redirect":
        decided.push({
          outcome: "accept",
          packets: hit,
          by: { kind: "rule", rule },
          nat: a.kind === "accept" ? undefined : a,
        });
        break;
      case "drop":
      case "reject":
        decided.push({ outcome: "drop", packets: hit, by: { kind: "rule", rule }, nat: undefined });
        break;
      case "return":
        returnedParts.push(hit);
        break;
      case "jump":
      case "goto": {
        const target = findChain(ctx.table, a.chain);
        if (!target || depth >= MAX_DEPTH) {
          const reason = target ? `jump depth above ${MAX_DEPTH} (loop?)` : `missing chain ${a.chain}`;
          decided.push({
            outcome: "drop",
            packets: hit,
            by: { kind: "engine", reason, rule },
            nat: undefined,
          });
          break;
        }
        const sub = walkChain(ctx, target, hit, depth + 1);
        decided.push(...sub.decided);
        uncertain.push(...sub.uncertain);
        if (a.kind === "goto") returnedParts.push(sub.returned);
        else {
          rem = rest.add(sub.returned);
          continue;
        }
        break;
      }
      default:
        return assertNever(a);
    }
    rem = rest;
  }
  const left = rem.toSpace();
  const returned =
    returnedParts.length === 0
      ? left
      : Space.disjoint([...returnedParts.flatMap((p) => p.boxes), ...left.boxes]).compact();
  return { decided, returned, uncertain };
}

/** A base chain decides everything: what returns meets the policy. */
export function walkBaseChain(
  ctx: WalkContext,
  chain: Chain,
  input: Space,
  file: string,
): { decided: Decision[]; uncertain: Uncertain[] } {
  const r = walkChain(ctx, chain, input);
  if (!r.returned.isEmpty()) {
    r.decided.push({
      outcome: chain.base?.policy === "drop" ? "drop" : "accept",
      packets: r.returned.tight(),
      by: { kind: "policy", chain, table: ctx.table, file },
      nat: undefined,
    });
  }
  return { decided: r.decided, uncertain: r.uncertain };
}

export function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}
