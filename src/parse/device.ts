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
import type { Action, Chain, Hook, Origin, Rule } from "../ir/ruleset.js";
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
