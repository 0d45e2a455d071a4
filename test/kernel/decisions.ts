/**
 * What a ruleset decides, per base chain, for comparing two readings of one ruleset (a file and the
 * kernel's listing of it): the packets accepted, dropped, and met by an approximated rule, each
 * from one whole-space walk.
 */
import { ruleReach } from "../../src/audit/rule-reach.js";
import type { Ruleset } from "../../src/ir/ruleset.js";
import { Space } from "../../src/space/space.js";

/** Per base chain: what it accepts, drops, and what meets an approximated rule. */
export function decisions(rs: Ruleset): Map<string, { accept: Space; drop: Space; uncertain: Space }> {
  const reach = ruleReach([rs]);
  const out = new Map<string, { accept: Space; drop: Space; uncertain: Space }>();
  for (const t of rs.tables)
    for (const c of t.chains) {
      const w = reach.walked.get(c);
      if (!w) continue;
      const part = (o: "accept" | "drop") =>
        Space.unionAll(w.decided.filter((d) => d.decision.outcome === o).map((d) => d.decision.packets));
      out.set(`${t.family} ${t.name} ${c.name}`, {
        accept: part("accept"),
        drop: part("drop"),
        uncertain: Space.unionAll(w.uncertain.map((u) => u.packets)),
      });
    }
  return out;
}

export const same = (a: Space, b: Space) => a.subtract(b).isEmpty() && b.subtract(a).isEmpty();
