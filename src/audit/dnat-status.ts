/**
 * `ct status dnat` (firewalld's `ct status dnat accept`, in every ruleset it loads; copied into many
 * hand-written ones) decided where the rulesets translate no destination: a connection is
 * destination-NATed only by a rule that does it (`dnat`, `redirect`), and the audit judges the
 * rulesets it is given as the whole firewall — as every verdict does. Bound for flows and exposure,
 * like the host's addresses; dead rules judge the rules as read (another table the kernel holds,
 * Docker's, could translate), so their findings through it stay uncertain.
 */
import type { Rule, Ruleset } from "../ir/ruleset.js";
import { Space } from "../space/space.js";

/** The rulesets with `ct status dnat` decided when none of them translates a destination; else the same. */
export function bindDnatStatus(rulesets: readonly Ruleset[]): Ruleset[] {
  let tests = false;
  for (const rs of rulesets)
    for (const t of rs.tables)
      for (const c of t.chains)
        for (const r of c.rules) {
          if (r.action.kind === "dnat" || r.action.kind === "redirect") return [...rulesets];
          if (!tests) tests = r.approximations.some((a) => a.dnatStatus !== undefined);
        }
  if (!tests) return [...rulesets];
  return rulesets.map((rs) => ({
    ...rs,
    tables: rs.tables.map((t) => ({
      ...t,
      chains: t.chains.map((c) => ({ ...c, rules: c.rules.map(bindRule) })),
    })),
  }));
}

function bindRule(r: Rule): Rule {
  const status = r.approximations.find((a) => a.dnatStatus);
  if (!status) return r;
  // No connection is destination-NATed: `ct status dnat` matches nothing, `!= dnat` everything.
  return {
    ...r,
    match: status.dnatStatus!.negate ? r.match : Space.EMPTY,
    approximations: r.approximations.filter((a) => !a.dnatStatus),
  };
}
