/**
 * @module The run store's public API. For `audit --save [DB]` and `probe --save [DB]`:
 *
 *   const saved = saveRun(typeof opts.save === "string" ? opts.save : defaultDbPath(), "audit", report);
 *   if (!saved.ok) throw new InputError(saved.diagnostics);
 */
export {
  defaultDbPath,
  openStore,
  saveRun,
  type RunStore,
  type SavedRun,
  type StoreResult,
} from "./store.js";
export {
  flowHistory,
  getRun,
  listRuns,
  runJson,
  runDrift,
  runVerdicts,
  type Drift,
  type FlowVerdict,
  type HistoryEntry,
  type RunSummary,
  type StoredRun,
} from "./queries.js";
export { diffRuns, type FlowDiff, type RunDiff } from "./diff.js";
