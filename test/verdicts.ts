/** A reader's result audited against a topology, as test tables: flow → verdict (+ " uncertain"). */
import assert from "node:assert/strict";
import { audit } from "../src/audit/audit.js";
import { AuditReport } from "../src/audit/report-schema.js";
import type { BoundTopology } from "../src/model/flow.js";
import type { ParsedRuleset } from "../src/parse/reader.js";

/** Every flow's verdict; the ruleset must have read without an error. */
export function verdictsOf(topology: BoundTopology, p: ParsedRuleset): Record<string, string> {
  assert.deepEqual(
    p.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  const r = AuditReport.parse(audit(topology, [p]));
  return Object.fromEntries(r.flows.map((f) => [f.id, f.verdict + (f.uncertain ? " uncertain" : "")]));
}

/** The diagnostics as `severity[code]`, in order. */
export const codesOf = (p: ParsedRuleset): string[] => p.diagnostics.map((d) => `${d.severity}[${d.code}]`);
