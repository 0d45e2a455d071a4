/**
 * Every built-in profile against a table kept in test data (test/catalog/tables/<id>.tsv), transcribed
 * from the research file uc-ports.md (itself the row-for-row copy of the cited page) or, where the
 * TSV header says so, from the cited page directly. Checked per row: flow id and order, role/protocol
 * as written, transport, ports, source and destination wording, notes. A difference in wording is
 * only accepted where the profile records a source defect naming that flow (the reading it chose).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { ResolvedFlow } from "../../src/model/flow.js";
import { lowerFlows, resolveVariables } from "../../src/model/profile.js";
import type { Profile } from "../../src/model/schema.js";
import { portsText } from "../../src/report/matrix.js";
import { builtinProfileIds, loadProfile } from "../../src/shell/load.js";
import { ROOT } from "../cli/run-cli.js";

const TABLES = join(ROOT, "test/catalog/tables");

interface TableRow {
  flow: string;
  label: string;
  transport: string;
  ports: string;
  source: string;
  destination: string;
  notes: string;
}

/**
 * A profile that shares another's rows (`extends`) has a table that says so: `# extends: <base>`
 * (and `# drop: id,…`) takes the base's transcribed rows as the expectation, then the file's own.
 */
function readTable(id: string): TableRow[] {
  const text = readFileSync(join(TABLES, `${id}.tsv`), "utf8");
  const base = /^# extends: (\S+)$/m.exec(text)?.[1];
  const drop = /^# drop: (.*)$/m.exec(text)?.[1]?.split(",") ?? [];
  const inherited = base ? readTable(base).filter((r) => !drop.includes(r.flow)) : [];
  return [...inherited, ...ownRows(id, text)];
}

function ownRows(id: string, text: string): TableRow[] {
  const lines = text.split("\n").filter((l) => l.length > 0 && !l.startsWith("#"));
  assert.equal(lines[0]!.split("\t")[0], "flow", `${id}.tsv: header row`);
  return lines.slice(1).map((l, i) => {
    const c = l.split("\t");
    assert.equal(c.length, 7, `${id}.tsv row ${i + 1}: 7 columns`);
    const [flow, label, transport, ports, source, destination, notes] = c as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    return { flow, label, transport, ports, source, destination, notes };
  });
}

function loaded(id: string): { profile: Profile; flows: ResolvedFlow[] } {
  const p = loadProfile(id);
  assert.ok(p.ok, `profile ${id} loads: ${JSON.stringify(p.diagnostics)}`);
  const { profile } = p.value;
  const variables = resolveVariables(profile.variables, {}, () => assert.fail("variables"));
  return { profile, flows: lowerFlows(profile, { variables }) };
}

const norm = (s: string): string => s.replace(/\s+/g, " ").trim().replace(/\.$/, "");

/** "…" marks a cell the research abridged: each transcribed fragment must appear, in order. */
function notesMatch(table: string, profile: string): boolean {
  if (!table.includes("…")) return norm(table) === norm(profile);
  let at = 0;
  for (const part of table.split("…").map(norm).filter(Boolean)) {
    const k = norm(profile).indexOf(part, at);
    if (k < 0) return false;
    at = k + part.length;
  }
  return true;
}

function labelMatches(label: string, f: ResolvedFlow): boolean {
  return label === "" || [`${f.role}/${f.protocol}`, f.protocol].includes(label);
}

function names(profile: Profile, endpoint: string): string[] {
  const e = profile.endpoints[endpoint]!;
  return [e.name, ...(e.aliases ?? [])];
}

const tableIds = readdirSync(TABLES)
  .filter((f) => f.endsWith(".tsv"))
  .map((f) => f.slice(0, -4))
  .sort();

test("every built-in profile has a transcribed table, and every table a profile", () => {
  assert.deepEqual(tableIds, builtinProfileIds());
});

for (const id of tableIds) {
  test(`${id}: rows equal the transcribed table`, () => {
    const { profile, flows } = loaded(id);
    const table = readTable(id);
    const base = /^# extends: (\S+)$/m.exec(readFileSync(join(TABLES, `${id}.tsv`), "utf8"))?.[1];
    assert.equal(profile.extends, base, "a table shares another's rows only where the profile extends it");
    assert.deepEqual(
      flows.map((f) => f.id),
      table.map((r) => r.flow),
      "same rows in the page's order",
    );
    const defected = new Set(profile.defects.flatMap((d) => d.flows));
    table.forEach((r, i) => {
      const f = flows[i]!;
      const where = `${id} ${f.id}`;
      assert.ok(labelMatches(r.label, f), `${where}: "${r.label}" vs ${f.role}/${f.protocol}`);
      if (r.transport !== "") assert.equal(f.transport, r.transport, `${where}: transport`);
      else
        assert.ok(
          defected.has(f.id),
          `${where}: the page omits the transport; a defect must say which was chosen`,
        );
      assert.equal(portsText(f.ports), r.ports, `${where}: ports`);
      for (const [cell, endpoint] of [
        [r.source, f.from],
        [r.destination, f.to],
      ] as const) {
        if (!names(profile, endpoint).some((n) => notesMatch(cell, n)))
          assert.ok(
            defected.has(f.id),
            `${where}: "${cell}" is not ${endpoint} (${names(profile, endpoint).join(" | ")}) and no defect explains it`,
          );
      }
      const pinned = /^source port (.*)$/.exec(r.notes);
      if (pinned) {
        const want = pinned[1] === "Any" ? undefined : pinned[1]!.replace(/^(TCP|UDP) /, "");
        assert.equal(f.sourcePorts ? portsText(f.sourcePorts) : undefined, want, `${where}: source ports`);
      } else
        assert.ok(
          notesMatch(r.notes, f.notes),
          `${where}: notes\n  table:   ${r.notes}\n  profile: ${f.notes}`,
        );
    });
  });

  test(`${id}: every row cites a source of the profile`, () => {
    const { profile } = loaded(id);
    const ids = Object.keys(profile.sources);
    for (const f of profile.flows) {
      const s = f.source ?? ids[0]!;
      assert.ok(profile.sources[s], `${id} ${f.id} cites ${s}`);
      assert.match(profile.sources[s]!.url, /^https:\/\//, `${id} ${f.id}: a URL`);
    }
  });
}
