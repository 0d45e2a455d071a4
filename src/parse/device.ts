/**
 * Shared by the readers of devices whose semantics are not netfilter's (Windows Firewall, AWS
 * security groups, Cisco ASA): their behaviour is written into first-match IR chains so the one
 * engine judges them, with the device's implicit behaviour as `implicit` rules:
 *  - stateful devices pass replies of allowed connections without consulting rules: one
 *    `ct state established,related accept` rule at the top of each chain;
 *  - block-wins (Windows): all block rules first, then all allow rules, then the default — the
 *    same verdict for every packet as "any block wins, else any allow, else default";
 *  - allow-union (AWS): the allow rules in any order, then drop.
 */
import type { Action, Approximation, Chain, Hook, Origin, Rule, Ruleset } from "../ir/ruleset.js";
import { ctSet, makeBox } from "../space/box.js";
import { Space } from "../space/space.js";

export function origin(file: string, line: number, text: string, col = 1): Origin {
  return { file, line, col, text: text.trim() };
}

export function deviceRule(
  table: string,
  chain: string,
  index: number,
  match: Space,
  action: Action,
  at: Origin,
  implicit?: string,
): Rule {
  const rule: Rule = {
    id: `inet ${table}/${chain}#${index}`,
    table,
    chain,
    match,
    action,
    origin: at,
    approximations: [],
  };
  if (implicit !== undefined) rule.implicit = implicit;
  return rule;
}

/** The reply pass of a stateful device, as the first rule of `chain`. */
export function statefulPass(table: string, chain: string, device: string, at: Origin): Rule {
  const why = `${device} is stateful: packets of connections it allowed pass without rules`;
  return deviceRule(
    table,
    chain,
    0,
    Space.box(makeBox({ ct: ctSet(["established", "related"]) })),
    { kind: "accept" },
    { ...at, text: `(implicit) ${why}` },
    why,
  );
}

export function baseChain(
  name: string,
  hook: Hook,
  policy: "accept" | "drop",
  at: Origin,
  rules: Rule[],
): Chain {
  return { name, base: { hook, priority: 0, type: "filter", policy }, rules: renumber(rules), origin: at };
}

export function userChain(name: string, at: Origin, rules: Rule[]): Chain {
  return { name, rules: renumber(rules), origin: at };
}

/** Rule ids follow chain order (`inet <table>/<chain>#<n>`, 1-based). */
function renumber(rules: Rule[]): Rule[] {
  return rules.map((r, i) => ({ ...r, id: `inet ${r.table}/${r.chain}#${i + 1}` }));
}

/** Approximations on one rule from the reasons a reader collected (duplicates folded). */
export function approximationsAt(reasons: readonly string[], at: Origin): Approximation[] {
  return [...new Set(reasons)].map((r) => ({
    construct: r.split(" (")[0]!.split(":")[0]!,
    reason: r,
    origin: at,
  }));
}

/**
 * A zone firewall's ruleset (PAN-OS): the forward filter chain ending in the device's
 * implicit deny, and its NAT rules in a
 * postrouting nat chain after it — these devices match security rules on the pre-NAT packet.
 */
export function zoneFirewallRuleset(
  format: string,
  file: string,
  top: Origin,
  forward: Rule[],
  nat: Rule[],
  finalDeny: { text: string; why: string },
): Ruleset {
  const deny = deviceRule(
    format,
    "forward",
    0,
    Space.ANY,
    { kind: "drop" },
    { ...top, text: finalDeny.text },
    finalDeny.why,
  );
  const chains: Chain[] = [baseChain("forward", "forward", "drop", top, [...forward, deny])];
  if (nat.length > 0)
    chains.push({
      ...baseChain("nat", "postrouting", "accept", top, nat),
      base: { hook: "postrouting", priority: 100, type: "nat", policy: "accept" },
    });
  return {
    format,
    source: file,
    semantics: "first-match",
    stateful: true,
    tables: [{ family: "inet", name: format, chains }],
  };
}
