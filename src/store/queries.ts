/**
 * @module Reading the run history back: the list of runs, one run, one flow's verdicts over time,
 * and the per-flow rows two runs are compared by (diff.ts).
 */
import type { Mark, RunKind } from "../diagram/results.js";
import { parseRun, type ParsedRun } from "../diagram/results.js";
import type { RunStore } from "./store.js";
import { verdictChanges } from "./diff.js";

export interface RunSummary {
  id: number;
  kind: RunKind;
  savedAt: string;
  label: string;
  flows: number;
  /** How many flows got each mark. */
  marks: Partial<Record<Mark, number>>;
  /** Against the previous run of the same kind and label: how many flows' verdicts differ (drift). */
  drift: Drift | null;
}

export interface Drift {
  previous: number;
  /** The flows whose verdict differs, or that only one of the two runs has. */
  flows: string[];
}

export interface FlowVerdict {
  flow: string;
  verdict: string;
  mark: Mark;
  detail: string;
}

export interface HistoryEntry extends FlowVerdict {
  runId: number;
  kind: RunKind;
  savedAt: string;
  label: string;
}

interface RunRow {
  id: number;
  kind: RunKind;
  saved_at: string;
  label: string;
}

export function listRuns(store: RunStore, limit = 500): RunSummary[] {
  const runs = store.db
    .prepare("SELECT id, kind, saved_at, label FROM runs ORDER BY id DESC LIMIT ?")
    .all(limit) as RunRow[];
  const counts = store.db.prepare(
    "SELECT mark, COUNT(*) AS n FROM flow_verdicts WHERE run_id = ? GROUP BY mark ORDER BY mark",
  );
  return runs.map((r) => {
    const marks: Partial<Record<Mark, number>> = {};
    let flows = 0;
    for (const c of counts.all(r.id) as Array<{ mark: Mark; n: number }>) {
      marks[c.mark] = c.n;
      flows += c.n;
    }
    return {
      id: r.id,
      kind: r.kind,
      savedAt: r.saved_at,
      label: r.label,
      flows,
      marks,
      drift: runDrift(store, r.id),
    };
  });
}

/**
 * The run's drift: its verdicts against the newest earlier run of the same kind and label (an
 * audit's label is its profile and ruleset sources — the same firewall checked again; a probe's its
 * source endpoint). Null when there is no earlier run; `flows` empty when nothing changed.
 */
export function runDrift(store: RunStore, id: number): Drift | null {
  const prev = store.db
    .prepare(
      `SELECT p.id FROM runs p JOIN runs r ON r.id = ? WHERE p.kind = r.kind AND p.label = r.label AND p.id < r.id
       ORDER BY p.id DESC LIMIT 1`,
    )
    .get(id) as { id: number } | undefined;
  if (!prev) return null;
  const flows = verdictChanges(runVerdicts(store, prev.id), runVerdicts(store, id))
    .filter((f) => f.change !== "same")
    .map((f) => f.flow);
  return { previous: prev.id, flows };
}

export interface StoredRun {
  summary: Omit<RunSummary, "flows" | "marks" | "drift">;
  parsed: Extract<ParsedRun, { ok: true }>;
  verdicts: FlowVerdict[];
}

export function getRun(store: RunStore, id: number): StoredRun | undefined {
  const row = store.db.prepare("SELECT id, kind, saved_at, label, json FROM runs WHERE id = ?").get(id) as
    (RunRow & { json: string }) | undefined;
  if (!row) return undefined;
  const parsed = parseRun(JSON.parse(row.json), `run ${row.id}`, row.kind);
  // A stored run was validated when saved; failing now means the database was edited by hand.
  if (!parsed.ok)
    throw new Error(`run ${row.id} in ${store.path} no longer matches the ${row.kind} contract`);
  return {
    summary: { id: row.id, kind: row.kind, savedAt: row.saved_at, label: row.label },
    parsed,
    verdicts: runVerdicts(store, id),
  };
}

export function runJson(store: RunStore, id: number): string | undefined {
  const row = store.db.prepare("SELECT json FROM runs WHERE id = ?").get(id) as { json: string } | undefined;
  return row?.json;
}

export function runVerdicts(store: RunStore, id: number): FlowVerdict[] {
  return store.db
    .prepare("SELECT flow, verdict, mark, detail FROM flow_verdicts WHERE run_id = ? ORDER BY flow")
    .all(id) as FlowVerdict[];
}

/** One flow's verdicts, newest run first. */
export function flowHistory(store: RunStore, flow: string, limit = 500): HistoryEntry[] {
  const rows = store.db
    .prepare(
      `SELECT v.flow, v.verdict, v.mark, v.detail, r.id AS runId, r.kind, r.saved_at AS savedAt, r.label
       FROM flow_verdicts v JOIN runs r ON r.id = v.run_id WHERE v.flow = ? ORDER BY r.id DESC LIMIT ?`,
    )
    .all(flow, limit);
  return rows as HistoryEntry[];
}
