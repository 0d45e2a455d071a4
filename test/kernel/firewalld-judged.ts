/**
 * What the firewalld differential and corpus tests compare between the audit of our reading and the
 * audit of the ruleset firewalld itself loaded: verdicts and exposure, without where the rules came
 * from — after giving every rule an origin of its own on both sides (`perRule`). The report groups
 * the packets a rule accepts by the rule's origin, and ours is the XML element: a service's
 * `tcp dport 53` and `udp dport 53` rules would be one finding of ours and two of firewalld's.
 * Grouped by rule, the same rules must accept the same packets in the same chains.
 */
import type { AuditReportT } from "../../src/audit/report-schema.js";
import type { ParsedRuleset } from "../../src/parse/reader.js";

export function judged(r: AuditReportT): unknown {
  return {
    flows: r.flows.map((f) => ({
      id: f.id,
      verdict: f.verdict,
      uncertain: f.uncertain,
      blocked: f.blocked.map((b) => ({ direction: b.direction, packets: b.packets })),
    })),
    exposure: r.exposure
      .flatMap((e) =>
        e.packets.map((p) =>
          JSON.stringify([e.direction, e.uncertain, p, e.rule.kind === "rule" ? e.rule.chain : e.rule.kind]),
        ),
      )
      .sort(),
    // Where the ruleset's own NAT sends a flow's packets (forward-ports): the audit's notes.
    redirected: r.notes.filter((n) => n.includes("the ruleset's NAT sends")),
  };
}

/** The same ruleset with every rule an origin of its own: findings grouped by rule, not by element. */
export function perRule(p: ParsedRuleset): ParsedRuleset {
  let n = 0;
  return {
    ...p,
    ruleset: {
      ...p.ruleset,
      tables: p.ruleset.tables.map((t) => ({
        ...t,
        chains: t.chains.map((c) => ({
          ...c,
          rules: c.rules.map((r) => ({
            ...r,
            origin: { file: "rule", line: ++n, col: 1, text: r.origin.text },
          })),
        })),
      })),
    },
  };
}
