/**
 * @module The difference between two runs, flow by flow, and for two audits the change in their
 * other findings (exposure, dead rules, retired rules, approximations). Pure.
 */
import type { AuditReportT } from "../audit/report-schema.js";
import type { FlowVerdict, StoredRun } from "./queries.js";

export type FlowChange = "same" | "changed" | "only-in-a" | "only-in-b";

export interface FlowDiff {
  flow: string;
  a?: FlowVerdict;
  b?: FlowVerdict;
  change: FlowChange;
}

export interface FindingDelta {
  finding: "exposure" | "deadRules" | "retired" | "unsupported";
  a: number;
  b: number;
}

export interface RunDiff {
  flows: FlowDiff[];
  /** Only when both runs are audits. */
  findings: FindingDelta[];
  changed: number;
}

const FINDINGS = ["exposure", "deadRules", "retired", "unsupported"] as const;

function findingDeltas(a: AuditReportT, b: AuditReportT): FindingDelta[] {
  return FINDINGS.map((finding) => ({ finding, a: a[finding].length, b: b[finding].length }));
}

/** Flow by flow: the same flow's verdict (and detail) in two lists of verdicts. */
export function verdictChanges(a: readonly FlowVerdict[], b: readonly FlowVerdict[]): FlowDiff[] {
  const byA = new Map(a.map((v) => [v.flow, v]));
  const byB = new Map(b.map((v) => [v.flow, v]));
  const ids = [...new Set([...byA.keys(), ...byB.keys()])].sort();
  return ids.map((flow): FlowDiff => {
    const va = byA.get(flow);
    const vb = byB.get(flow);
    const change: FlowChange = !va
      ? "only-in-b"
      : !vb
        ? "only-in-a"
        : va.verdict === vb.verdict && va.detail === vb.detail
          ? "same"
          : "changed";
    return { flow, ...(va ? { a: va } : {}), ...(vb ? { b: vb } : {}), change };
  });
}

export function diffRuns(a: StoredRun, b: StoredRun): RunDiff {
  const flows = verdictChanges(a.verdicts, b.verdicts);
  const findings =
    a.parsed.kind === "audit" && b.parsed.kind === "audit" ? findingDeltas(a.parsed.run, b.parsed.run) : [];
  return { flows, findings, changed: flows.filter((f) => f.change !== "same").length };
}
