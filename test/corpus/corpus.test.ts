/**
 * Real rulesets from public repositories (test/corpus/<kind>/, sources in each SOURCES.md): every
 * file's outcome is recorded in its folder's expectations.json — read (no error; the format the
 * sniffer guesses, or the one recorded) or refused with the recorded diagnostic code — and every
 * file read is audited without a crash into a report that fits the schema.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { audit } from "../../src/audit/audit.js";
import { AuditReport } from "../../src/audit/report-schema.js";
import { READERS, sniffFormat, type ReaderName } from "../../src/parse/index.js";
import { notARuleset } from "../../src/parse/not-a-ruleset.js";
import { decodeText } from "../../src/shell/files.js";
import { edgeHost, flow } from "../audit-fixtures.js";
import { ROOT } from "../cli/run-cli.js";

interface Expectation {
  /** Given as --ruleset-format would be; absent: the sniffer's guess. */
  format?: ReaderName;
  outcome: "read" | "refused";
  /** refused: the first error's code (`not-a-ruleset` or `unknown-ruleset-format` when no reader fits). */
  code?: string;
}

const topology = edgeHost([flow("sip", "tcp", [5061, 5061]), flow("stun", "udp", [3478, 3478])]);

for (const kind of ["iptables", "asa", "aws", "junos", "azure", "pf", "windows"]) {
  const dir = join(ROOT, "test/corpus", kind);
  if (!existsSync(dir)) continue;
  const expected = JSON.parse(readFileSync(join(dir, "expectations.json"), "utf8")) as Record<
    string,
    Expectation
  >;
  const files = readdirSync(dir).filter((f) => f !== "SOURCES.md" && f !== "expectations.json");

  test(`${kind} corpus: every file has an expectation and a source`, () => {
    const sources = readFileSync(join(dir, "SOURCES.md"), "utf8");
    assert.deepEqual(
      files.filter((f) => !expected[f]),
      [],
    );
    assert.deepEqual(
      Object.keys(expected).filter((f) => !files.includes(f)),
      [],
    );
    assert.deepEqual(
      files.filter((f) => !sources.includes(`| ${f} |`)),
      [],
    );
  });

  test(`${kind} corpus: each file read or refused as recorded, read ones audited`, (t) => {
    const outcomes: Record<string, Expectation> = {};
    for (const f of files) {
      // As the CLI reads a file: UTF-16 by its byte-order mark (PowerShell's `>`), else UTF-8.
      const text = decodeText(readFileSync(join(dir, f)));
      const want = expected[f]!;
      const format = want.format ?? sniffFormat(text);
      if (!format) {
        // As audit says it: a display of rules or an empty file by what it is, else unknown.
        outcomes[f] = {
          outcome: "refused",
          code: notARuleset(text) ? "not-a-ruleset" : "unknown-ruleset-format",
        };
        continue;
      }
      const p = READERS[format](text, f);
      const errors = p.diagnostics.filter((d) => d.severity === "error");
      outcomes[f] = {
        ...(want.format ? { format } : {}),
        ...(errors.length ? { outcome: "refused", code: errors[0]!.code } : { outcome: "read" }),
      };
      if (errors.length === 0) AuditReport.parse(audit(topology, [p]));
    }
    assert.deepEqual(outcomes, expected);
    const read = Object.values(outcomes).filter((o) => o.outcome === "read").length;
    t.diagnostic(`${kind}: ${read} of ${files.length} read`);
  });
}
