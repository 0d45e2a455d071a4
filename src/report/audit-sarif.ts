/**
 * `portmatrix audit --format sarif`: SARIF 2.1.0 (OASIS), so code-review tools show findings on
 * the ruleset's lines. One result per finding, located at the rule that decides it. Pure.
 */
import { HIDDEN_EXPOSURE_NOTE } from "../audit/report-constants.js";
import type { AuditReportT, RuleRefT } from "../audit/report-schema.js";
import { ruleText } from "./audit-text.js";
import { visible } from "../diag/safe-text.js";

type Level = "error" | "warning" | "note";

const RULES: Record<string, { text: string; level: Level }> = {
  "flow-blocked": { text: "A required flow of the port matrix is blocked", level: "error" },
  "flow-partial": { text: "A required flow of the port matrix is only partly allowed", level: "error" },
  "flow-not-snated": {
    text: "A required flow leaves through the topology's static NAT without being SNAT-ed to its public address",
    level: "error",
  },
  exposure: { text: "The firewall accepts traffic no required flow needs", level: "warning" },
  retired: { text: "A rule serves only flows whose service has ended", level: "warning" },
  "dead-shadowed": { text: "No packet reaches the rule: earlier rules decide all it matches", level: "note" },
  "dead-redundant": { text: "Removing the rule changes no verdict", level: "note" },
  "dead-unmatchable": { text: "The rule matches no packet", level: "note" },
  "dead-unreachable-chain": { text: "The rule's chain is never jumped to", level: "note" },
  unsupported: {
    text: "A construct the analysis approximates: verdicts it decides are uncertain",
    level: "warning",
  },
};

interface Result {
  ruleId: string;
  level: Level;
  message: { text: string };
  locations: Array<{
    physicalLocation: {
      artifactLocation: { uri: string };
      region?: { startLine: number; startColumn: number };
    };
  }>;
}

function location(at: { file: string; line: number; col: number }): Result["locations"] {
  if (!at.file) return [];
  const region = at.line > 0 ? { region: { startLine: at.line, startColumn: Math.max(1, at.col) } } : {};
  return [{ physicalLocation: { artifactLocation: { uri: at.file }, ...region } }];
}

function result(
  ruleId: string,
  text: string,
  at: RuleRefT | { file: string; line: number; col: number },
): Result {
  // JSON escapes every character, but viewers print the message: control characters as escapes.
  return { ruleId, level: RULES[ruleId]!.level, message: { text: visible(text) }, locations: location(at) };
}

export function renderAuditSarif(r: AuditReportT, version: string): string {
  const results: Result[] = [];
  for (const f of r.flows) {
    if (f.retired || f.verdict === "allowed" || f.verdict === "not-applicable") continue;
    for (const b of f.blocked)
      results.push(
        result(
          `flow-${f.verdict}`,
          `${f.id}${f.origin === "site" ? " (site)" : ""} (${f.from} → ${f.to} ${f.transport} ${f.ports}) ${f.verdict}: ${
            b.neighbourDiscovery
              ? `the neighbour discovery IPv6 needs (${b.neighbourDiscovery.join("; ")}) dropped here, so IPv6 packets ${b.packets.join("; ")} cannot pass`
              : `${b.direction === "reply" ? "replies" : "packets"} ${b.packets.join("; ")} dropped here`
          }`,
          b.rule,
        ),
      );
  }
  // No rule decides a missing SNAT: the finding is located at the ruleset file(s).
  for (const f of r.flows)
    if (!f.retired && f.snat?.ok === false)
      for (const s of r.rulesets)
        results.push(
          result(
            "flow-not-snated",
            `${f.id}${f.origin === "site" ? " (site)" : ""} (${f.from} → ${f.to} ${f.transport} ${f.ports}) ${f.verdict}, but not SNAT-ed to ${f.snat.public.join(", ")}: replies go to a private address`,
            { file: s.file, line: 0, col: 0 },
          ),
        );
  for (const e of r.exposure)
    results.push(
      result(
        "exposure",
        e.rule.note === HIDDEN_EXPOSURE_NOTE
          ? `may accept ${e.packets.join("; ")} (${e.direction}), which no required flow needs: they are dropped as read, but they meet this rule, which is not modelled exactly`
          : `accepts ${e.packets.join("; ")} (${e.direction}), which no required flow needs`,
        e.rule,
      ),
    );
  for (const x of r.retired)
    results.push(result("retired", `serves only retired flows ${x.flows.join(", ")}`, x.rule));
  for (const d of r.deadRules)
    results.push(
      result(
        `dead-${d.kind}`,
        `${d.kind}${d.uncertain ? " (uncertain: a construct not modelled exactly decides it)" : ""}${d.by.length ? `: ${d.by.map(ruleText).join("; ")}` : ""}`,
        d.rule,
      ),
    );
  for (const u of r.unsupported)
    results.push(
      result(
        "unsupported",
        `${u.construct}: ${u.reason}${u.flows.length ? ` (may change ${u.flows.join(", ")})` : ""}`,
        u.at,
      ),
    );
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "portmatrix",
            version,
            informationUri: "https://portmatrix.invalid/",
            rules: Object.entries(RULES).map(([id, v]) => ({
              id,
              shortDescription: { text: v.text },
              defaultConfiguration: { level: v.level },
            })),
          },
        },
        results,
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + "\n";
}
