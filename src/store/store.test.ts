/**
 * The run store on a real SQLite file: saving audits and probe runs, listing, a flow's history,
 * the diff of two runs, bad input as diagnostics, and two processes saving into one file at once
 * (the reason for better-sqlite3 over an in-memory WASM database).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { probeFixture, realAudit } from "../../test/report/runs.js";
import { defaultDbPath, diffRuns, flowHistory, getRun, listRuns, openStore, saveRun } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "pm-store-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const AT = new Date("2026-11-25T08:00:00Z");
const withoutSipTls = (t: string): string =>
  t.replace(/^access-list outside_in extended permit tcp any object edge-access object-group sip-tls\n/m, "");

test("saves audits and probe runs; lists, reads back, and keeps each flow's history", () => {
  const path = join(dir, "history", "runs.sqlite");
  const first = saveRun(path, "audit", realAudit(), { at: AT });
  assert.ok(first.ok);
  const second = saveRun(path, "audit", JSON.stringify(realAudit(undefined, undefined, withoutSipTls)), {
    at: new Date("2026-11-25T09:00:00Z"),
  });
  assert.ok(second.ok);
  const probe = saveRun(path, "probe", probeFixture(), { at: AT });
  assert.ok(probe.ok);
  const opened = openStore(path);
  assert.ok(opened.ok);
  const store = opened.value;
  try {
    const runs = listRuns(store);
    assert.deepEqual(
      runs.map((r) => [r.id, r.kind]),
      [
        [3, "probe"],
        [2, "audit"],
        [1, "audit"],
      ],
    );
    assert.deepEqual(runs[2]?.marks, { ok: 4, partial: 2 });
    assert.equal(runs[2]?.savedAt, "2026-11-25T08:00:00.000Z");
    const history = flowHistory(store, "sip-mtls-in");
    assert.deepEqual(
      history.map((h) => [h.runId, h.verdict]),
      [
        [3, "ok"],
        [2, "blocked"],
        [1, "allowed"],
      ],
    );
    assert.equal(flowHistory(store, "sip-tls-clients")[0]?.detail, "1/2 as expected");
    const a = getRun(store, 1);
    const b = getRun(store, 2);
    assert.ok(a && b);
    const diff = diffRuns(a, b);
    assert.deepEqual(
      diff.flows.filter((f) => f.change !== "same").map((f) => [f.flow, f.a?.verdict, f.b?.verdict]),
      [
        ["sip-mtls-in", "allowed", "blocked"],
        ["sip-tls-clients", "allowed", "blocked"],
      ],
    );
    assert.equal(diff.changed, 2);
    assert.ok(diff.findings.some((d) => d.finding === "exposure"));
    assert.equal(getRun(store, 99), undefined);
  } finally {
    store.close();
  }
});

test("bad runs are diagnostics, not exceptions, and nothing is saved", () => {
  const path = join(dir, "bad.sqlite");
  const notJson = saveRun(path, "audit", "{nope", { file: "x.json" });
  assert.ok(
    !notJson.ok &&
      notJson.diagnostics[0]?.code === "bad-run-json" &&
      notJson.diagnostics[0].message.startsWith("x.json: not JSON"),
  );
  const wrongShape = saveRun(path, "probe", { version: 1, from: "a", results: [{ flow: "f", port: 99999 }] });
  assert.ok(!wrongShape.ok);
  assert.ok(
    wrongShape.diagnostics.some((d) => d.message.includes("results.0.port")),
    JSON.stringify(wrongShape.diagnostics),
  );
  const many = saveRun(path, "probe", {
    version: 1,
    from: "a",
    results: Array.from({ length: 30 }, () => ({})),
  });
  assert.ok(!many.ok);
  assert.equal(many.diagnostics.length, 11, "ten problems, then a count");
  assert.match(many.diagnostics[10]!.message, /^probe run: \d+ more problems of the same file$/);
  const notDb = join(dir, "not-a-db.sqlite");
  writeFileSync(notDb, "this is not sqlite ".repeat(100));
  const r = saveRun(notDb, "audit", realAudit());
  assert.ok(!r.ok && r.diagnostics[0]?.code === "bad-database");
  const opened = openStore(path);
  assert.ok(opened.ok);
  assert.equal(listRuns(opened.value).length, 0);
  opened.value.close();
});

test("default database path: PORTMATRIX_DB, then XDG_DATA_HOME, then ~/.local/share", () => {
  assert.equal(defaultDbPath({ PORTMATRIX_DB: "/x/y.sqlite" }), "/x/y.sqlite");
  assert.equal(defaultDbPath({ XDG_DATA_HOME: "/data" }), "/data/portmatrix/runs.sqlite");
  assert.match(defaultDbPath({}), /\/\.local\/share\/portmatrix\/runs\.sqlite$/);
});

test("four processes saving into one database at once lose nothing", async () => {
  const path = join(dir, "shared.sqlite");
  const auditFile = join(dir, "audit.json");
  writeFileSync(auditFile, JSON.stringify(realAudit()));
  const self = fileURLToPath(import.meta.url);
  const ts = self.endsWith(".ts");
  const storeModule = join(self, "..", ts ? "store.ts" : "store.js");
  const code = `import { saveRun } from ${JSON.stringify(storeModule)}; import { readFileSync } from "node:fs";
const text = readFileSync(${JSON.stringify(auditFile)}, "utf8");
for (let i = 0; i < 25; i++) { const r = saveRun(${JSON.stringify(path)}, "audit", text); if (!r.ok) { console.error(JSON.stringify(r.diagnostics)); process.exit(1); } }`;
  const run = (): Promise<number | null> =>
    new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        [...(ts ? ["--import", "tsx"] : []), "--input-type=module", "-e", code],
        { stdio: ["ignore", "inherit", "inherit"] },
      );
      child.on("exit", (status) => resolve(status));
    });
  const statuses = await Promise.all([run(), run(), run(), run()]);
  assert.deepEqual(statuses, [0, 0, 0, 0]);
  const opened = openStore(path);
  assert.ok(opened.ok);
  assert.equal(listRuns(opened.value).length, 100);
  assert.equal(flowHistory(opened.value, "sip-mtls-in").length, 100);
  opened.value.close();
});

test("drift: each run against the previous run of the same kind and label", () => {
  const path = join(dir, "drift", "runs.sqlite");
  const runs = [realAudit(), realAudit(), realAudit(undefined, undefined, withoutSipTls), realAudit()];
  for (const r of runs) assert.ok(saveRun(path, "audit", r, { at: AT }).ok);
  assert.ok(saveRun(path, "probe", probeFixture(), { at: AT }).ok);
  const opened = openStore(path);
  assert.ok(opened.ok);
  try {
    const drift = new Map(listRuns(opened.value).map((r) => [r.id, r.drift]));
    assert.equal(drift.get(1), null, "the first audit has nothing before it");
    assert.deepEqual(drift.get(2), { previous: 1, flows: [] });
    const changed = drift.get(3);
    assert.equal(changed?.previous, 2);
    assert.ok(changed.flows.length > 0, "a rule removed: some verdict changed");
    assert.deepEqual(drift.get(4), { previous: 3, flows: changed.flows }, "and back");
    assert.equal(drift.get(5), null, "a probe run is not compared with audits");
  } finally {
    opened.value.close();
  }
});
