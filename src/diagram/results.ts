/**
 * @module Run results the pictures are coloured by: an audit report (src/audit/report-schema.ts)
 * and a probe run (src/probe/result.ts: `ProbeOutput`, the `probe --format json` contract), reduced
 * to one mark per flow. Pure. Both contracts are the producers' own schemas, not copies, so a run
 * is read here exactly as `audit` and `probe` define it, and one that does not meet it is refused.
 */
import { AuditReport, type AuditReportT } from "../audit/report-schema.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { schemaIssues, type Locate } from "../diag/schema-issues.js";
import { ProbeOutput, type ProbeOutputT } from "../probe/result.js";

export type AuditVerdict = AuditReportT["flows"][number]["verdict"];

/**
 * One flow's mark, worst first: `failed` (audit blocked or no probe answered as expected),
 * `partial`, `ok`, `not-applicable`, and `none` when no run says anything about the flow.
 */
export type Mark = "failed" | "partial" | "ok" | "not-applicable" | "none";
const SEVERITY: Record<Mark, number> = { failed: 4, partial: 3, ok: 2, "not-applicable": 1, none: 0 };

export function worstMark(marks: Iterable<Mark>): Mark {
  let worst: Mark = "none";
  for (const m of marks) if (SEVERITY[m] > SEVERITY[worst]) worst = m;
  return worst;
}

export function auditMark(verdict: AuditVerdict): Mark {
  switch (verdict) {
    case "allowed":
      return "ok";
    case "partial":
      return "partial";
    case "blocked":
      return "failed";
    case "not-applicable":
      return "not-applicable";
  }
}

export interface ProbeTally {
  ok: number;
  total: number;
}

export function probeMark(t: ProbeTally): Mark {
  if (t.total === 0) return "none";
  return t.ok === t.total ? "ok" : t.ok === 0 ? "failed" : "partial";
}

export interface FlowStatus {
  audit?: AuditVerdict;
  /** The audit's SNAT check failed: the flow passes but leaves without these public addresses. */
  notSnated?: string[];
  probe?: ProbeTally;
  mark: Mark;
}

export interface RunResults {
  audit?: AuditReportT;
  probe?: ProbeOutputT;
}

/** Per flow id: what the audit and the probe said, and the worse of the two as the mark. */
export function flowStatuses(results: RunResults): Map<string, FlowStatus> {
  const out = new Map<string, FlowStatus>();
  const get = (id: string): FlowStatus => {
    const s = out.get(id) ?? { mark: "none" };
    out.set(id, s);
    return s;
  };
  for (const f of results.audit?.flows ?? []) {
    const s = get(f.id);
    s.audit = f.verdict;
    if (f.snat?.ok === false) s.notSnated = f.snat.public;
  }
  for (const r of results.probe?.results ?? []) {
    const s = get(r.flow);
    s.probe = { ok: (s.probe?.ok ?? 0) + (r.ok ? 1 : 0), total: (s.probe?.total ?? 0) + 1 };
  }
  for (const s of out.values()) {
    // A flow that passes without its static NAT's SNAT fails the audit (replies go to a private
    // address), so it is coloured as failed too, not by its verdict alone.
    const audit: Mark[] = s.audit ? [s.notSnated ? "failed" : auditMark(s.audit)] : [];
    s.mark = worstMark([...audit, ...(s.probe ? [probeMark(s.probe)] : [])]);
  }
  return out;
}

/** `audit: allowed · probe: 2/3 as expected`, for labels and tooltips. */
export function statusText(s: FlowStatus | undefined): string {
  if (!s) return "";
  const parts: string[] = [];
  if (s.audit)
    parts.push(`audit: ${s.audit}${s.notSnated ? `, not SNAT-ed to ${s.notSnated.join(", ")}` : ""}`);
  if (s.probe) parts.push(`probe: ${s.probe.ok}/${s.probe.total} as expected`);
  return parts.join(" · ");
}

export type RunKind = "audit" | "probe";
export type ParsedRun =
  | { ok: true; kind: "audit"; run: AuditReportT }
  | { ok: true; kind: "probe"; run: ProbeOutputT }
  | { ok: false; diagnostics: Diagnostic[] };

/** Validates a run's JSON (already parsed) as the given kind, or guesses the kind from its shape. */
export function parseRun(json: unknown, file: string, kind?: RunKind, locate?: Locate): ParsedRun {
  const asAudit = (): ParsedRun => {
    const r = AuditReport.safeParse(json);
    return r.success
      ? { ok: true, kind: "audit", run: r.data }
      : {
          ok: false,
          diagnostics: schemaIssues(
            r.error,
            file,
            "an audit report (portmatrix audit --format json)",
            locate,
          ),
        };
  };
  const asProbe = (): ParsedRun => {
    const r = ProbeOutput.safeParse(json);
    return r.success
      ? { ok: true, kind: "probe", run: r.data }
      : {
          ok: false,
          diagnostics: schemaIssues(
            r.error,
            file,
            "a probe run (portmatrix probe --format json, version 1)",
            locate,
          ),
        };
  };
  return (kind ?? guessKind(json)) === "probe" ? asProbe() : asAudit();
}

/** A probe run has `results` and no `flows`; anything else is read as an audit report. */
export function guessKind(json: unknown): RunKind {
  return typeof json === "object" && json !== null && "results" in json && !("flows" in json)
    ? "probe"
    : "audit";
}
