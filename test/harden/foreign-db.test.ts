/**
 * `--save` / `serve --db` on another program's SQLite file refuses it without writing a byte (no
 * tables added, no WAL, no user_version); a portmatrix database made before application_id existed
 * is still recognised by its tables; a new file gets portmatrix's application_id. Issue #15.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { APPLICATION_ID, openStore } from "../../src/store/store.js";
import { runCli } from "../cli/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "pm-harden-db-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function foreign(name: string, setup: (db: Database.Database) => void): string {
  const path = join(dir, name);
  const db = new Database(path);
  setup(db);
  db.close();
  return path;
}

test("another program's database is refused and left byte for byte as it was", () => {
  const files = [
    foreign("app.sqlite", (db) => {
      db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users VALUES (1, 'a')");
      db.pragma("user_version = 7");
    }),
    foreign("other-id.sqlite", (db) => {
      db.pragma("application_id = 1234");
    }),
    foreign("runs-lookalike.sqlite", (db) => {
      db.exec("CREATE TABLE runs (x); CREATE TABLE payroll (y)");
    }),
  ];
  const junk = join(dir, "junk.sqlite");
  writeFileSync(junk, "not a database at all, but long enough to have a header ".repeat(20));
  for (const path of [...files, junk]) {
    const before = readFileSync(path);
    const opened = openStore(path);
    assert.equal(opened.ok, false, path);
    if (!opened.ok) assert.match(opened.diagnostics[0]!.message, /cannot use as the run database/);
    assert.deepEqual(readFileSync(path), before, `${path} changed`);
    assert.equal(existsSync(`${path}-wal`), false);
  }
  const before = readFileSync(files[0]!);
  const r = runCli([
    "audit",
    "-t",
    "examples/legacy/host-topology.yaml",
    "-r",
    "examples/legacy/edge-nftables.nft",
    "--save",
    files[0]!,
  ]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(
    r.stderr,
    /error\[bad-database\]: .*app\.sqlite: cannot use as the run database \(another program's database \(application_id 0, tables users\); left untouched\)/,
  );
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  assert.deepEqual(readFileSync(files[0]!), before);
});

test("new, empty and older portmatrix databases are used; each then carries the application_id", () => {
  const fresh = join(dir, "fresh.sqlite");
  const empty = join(dir, "empty.sqlite");
  writeFileSync(empty, "");
  const older = foreign("older.sqlite", (db) => {
    db.exec(
      "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT, saved_at TEXT, label TEXT, digest TEXT, json TEXT)",
    );
    db.exec(
      "CREATE TABLE flow_verdicts (run_id INTEGER, flow TEXT, verdict TEXT, mark TEXT, detail TEXT, PRIMARY KEY (run_id, flow))",
    );
    db.pragma("user_version = 1");
  });
  for (const path of [fresh, empty, older]) {
    const opened = openStore(path);
    assert.ok(opened.ok, path);
    opened.value.close();
    const db = new Database(path, { readonly: true });
    assert.equal(db.pragma("application_id", { simple: true }), APPLICATION_ID, path);
    db.close();
  }
});
