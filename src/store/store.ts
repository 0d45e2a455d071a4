/**
 * @module The run history: every saved audit and probe run in one SQLite file (better-sqlite3),
 * with one verdict row per flow so a flow's history is one indexed query. Used by `audit --save`,
 * `probe --save` and `serve`.
 *
 * Why better-sqlite3 and not sql.js (WASM): `serve` and `audit --save` may write the same file at
 * the same time; SQLite's own file locking (WAL mode, busy timeout) makes that safe, where sql.js
 * keeps the database in memory and writes the whole file back, losing the other process's runs.
 * Cost: a native build in `npm ci` (about 70 s here; node-gyp against Node's headers, which CI has).
 */
import { makeDirs } from "../shell/files.js";
import Database from "better-sqlite3";
import { createHash } from "node:crypto";
import { dirname } from "node:path";
import type { Diagnostic } from "../diag/diagnostic.js";
import { flowStatuses, parseRun, probeMark, type ParsedRun, type RunKind } from "../diagram/results.js";

export const STORE_SCHEMA_VERSION = 1;
const BUSY_MS = 5000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('audit', 'probe')),
  saved_at TEXT NOT NULL,
  label TEXT NOT NULL,
  digest TEXT NOT NULL,
  json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS flow_verdicts (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  flow TEXT NOT NULL,
  verdict TEXT NOT NULL,
  mark TEXT NOT NULL,
  detail TEXT NOT NULL,
  PRIMARY KEY (run_id, flow)
);
CREATE INDEX IF NOT EXISTS flow_verdicts_by_flow ON flow_verdicts (flow, run_id);
`;

/**
 * SQLite's application_id (file header offset 68, `PRAGMA application_id`) of a portmatrix run
 * database: "PMTX" as a big-endian 32-bit integer. Set when the database is made.
 */
export const APPLICATION_ID = 0x504d5458;

/** The tables a portmatrix database has (sqlite_sequence comes with AUTOINCREMENT). */
const OWN_TABLES = ["flow_verdicts", "runs", "sqlite_sequence"];

/**
 * Why this database is another program's, or undefined when it is ours or empty. Reads only: a
 * file that is not SQLite at all throws here ("file is not a database"), also before any write.
 */
function foreignDatabase(db: Database.Database): string | undefined {
  const id = db.pragma("application_id", { simple: true }) as number;
  if (id === APPLICATION_ID) return undefined;
  const tables = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{
      name: string;
    }>
  ).map((t) => t.name);
  if (id === 0 && tables.length === 0) return undefined; // new or empty: ours to make
  if (id === 0 && tables.every((t) => OWN_TABLES.includes(t)) && tables.includes("runs")) return undefined;
  const shown = tables.slice(0, 5).join(", ") + (tables.length > 5 ? ", …" : "");
  return `another program's database (application_id ${id}${tables.length > 0 ? `, tables ${shown}` : ""}); left untouched`;
}

export interface RunStore {
  readonly path: string;
  readonly db: Database.Database;
  close(): void;
}

export type StoreResult<T> = { ok: true; value: T } | { ok: false; diagnostics: Diagnostic[] };

function storeProblem(path: string, e: unknown): Diagnostic {
  const why = e instanceof Error ? e.message : String(e);
  return {
    code: "bad-database",
    severity: "error",
    message: `${path}: cannot use as the run database (${why})`,
    expected: "a writable path for a portmatrix SQLite database",
  };
}

export { defaultDbPath } from "./path.js";

export function openStore(path: string): StoreResult<RunStore> {
  let db: Database.Database | undefined;
  try {
    if (path !== ":memory:") makeDirs(dirname(path));
    db = new Database(path, { timeout: BUSY_MS });
    // Another program's database is recognised before anything is written to it (WAL, tables,
    // user_version would all change its file).
    const foreign = foreignDatabase(db);
    if (foreign !== undefined) throw new Error(foreign);
    // The busy timeout first: switching to WAL and creating the schema take locks that another
    // process (serve, a concurrent --save) may hold for a moment (measured: "database is locked"
    // without it when two processes open a new file at once).
    db.pragma(`busy_timeout = ${BUSY_MS}`);
    db.pragma("journal_mode = WAL");
    db.pragma("foreign_keys = ON");
    const opened = db;
    // Schema creation and version check in one write transaction, so two first opens do not race.
    opened
      .transaction(() => {
        const version = opened.pragma("user_version", { simple: true }) as number;
        if (version > STORE_SCHEMA_VERSION)
          throw new Error(
            `database schema ${version} is newer than this portmatrix (${STORE_SCHEMA_VERSION})`,
          );
        if (version < STORE_SCHEMA_VERSION) {
          opened.exec(SCHEMA);
          opened.pragma(`user_version = ${STORE_SCHEMA_VERSION}`);
        }
        // Databases made before the id was set get it now: they were recognised by their tables.
        opened.pragma(`application_id = ${APPLICATION_ID}`);
      })
      .immediate();
    return { ok: true, value: { path, db: opened, close: () => opened.close() } };
  } catch (e) {
    db?.close();
    return { ok: false, diagnostics: [storeProblem(path, e)] };
  }
}

export interface SavedRun {
  id: number;
  kind: RunKind;
  savedAt: string;
}

type ValidRun = Extract<ParsedRun, { ok: true }>;

function verdictRows(run: ValidRun): Array<{ flow: string; verdict: string; mark: string; detail: string }> {
  if (run.kind === "audit")
    return run.run.flows.map((f) => {
      const s = flowStatuses({ audit: run.run }).get(f.id);
      return {
        flow: f.id,
        verdict: f.verdict,
        mark: s?.mark ?? "none",
        detail: f.uncertain ? "uncertain" : "",
      };
    });
  return [...flowStatuses({ probe: run.run })].map(([flow, s]) => {
    const t = s.probe ?? { ok: 0, total: 0 };
    const mark = probeMark(t);
    return { flow, verdict: mark, mark, detail: `${t.ok}/${t.total} as expected` };
  });
}

/**
 * Records one run. `db` is an open store or a database path (opened and closed here); `json` is the
 * run's JSON text or the parsed value, validated against the audit or probe contract first.
 */
export function saveRun(
  db: RunStore | string,
  kind: RunKind,
  json: unknown,
  opts: { at?: Date; file?: string } = {},
): StoreResult<SavedRun> {
  const file = opts.file ?? `${kind} run`;
  let value: unknown = json;
  if (typeof json === "string") {
    try {
      value = JSON.parse(json);
    } catch (e) {
      return {
        ok: false,
        diagnostics: [
          {
            code: "bad-run-json",
            severity: "error",
            message: `${file}: not JSON (${(e as Error).message})`,
            expected: `a ${kind} run as printed by --format json`,
          },
        ],
      };
    }
  }
  const parsed = parseRun(value, file, kind);
  if (!parsed.ok) return parsed;
  const store = typeof db === "string" ? openStore(db) : { ok: true as const, value: db };
  if (!store.ok) return store;
  try {
    return { ok: true, value: insertRun(store.value, parsed, opts.at ?? new Date()) };
  } catch (e) {
    return { ok: false, diagnostics: [storeProblem(store.value.path, e)] };
  } finally {
    if (typeof db === "string") store.value.close();
  }
}

function insertRun(store: RunStore, run: ValidRun, at: Date): SavedRun {
  const text = JSON.stringify(run.run);
  const savedAt = at.toISOString();
  const label =
    run.kind === "audit"
      ? `${run.run.profile} · ${run.run.rulesets.map((r) => r.file).join(", ")}`
      : `from ${run.run.from}`;
  const digest = createHash("sha256").update(text).digest("hex");
  const insert = store.db.transaction(() => {
    const info = store.db
      .prepare("INSERT INTO runs (kind, saved_at, label, digest, json) VALUES (?, ?, ?, ?, ?)")
      .run(run.kind, savedAt, label, digest, text);
    const id = Number(info.lastInsertRowid);
    const row = store.db.prepare(
      "INSERT INTO flow_verdicts (run_id, flow, verdict, mark, detail) VALUES (?, ?, ?, ?, ?)",
    );
    for (const v of verdictRows(run)) row.run(id, v.flow, v.verdict, v.mark, v.detail);
    return id;
  });
  return { id: insert(), kind: run.kind, savedAt };
}
