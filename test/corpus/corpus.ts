/** Shared by the vendor corpus tests: every file's pinned outcome, sniffing, no crash, read rate. */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sniffFormat, type Reader, type ReaderName } from "../../src/parse/index.js";
import { ROOT } from "../cli/run-cli.js";

export const corpusDir = (vendor: string): string => join(ROOT, "test", "corpus", vendor);

/** `outcomes`: file → "read" or the code of its first error. */
export function checkCorpus(
  vendor: string,
  format: ReaderName,
  read: Reader,
  outcomes: Record<string, string>,
): void {
  const dir = corpusDir(vendor);
  const files = readdirSync(dir).filter((f) => f !== "SOURCES.md");
  assert.deepEqual(files.sort(), Object.keys(outcomes).sort(), "every corpus file has an expected outcome");
  let ok = 0;
  for (const f of files) {
    const text = readFileSync(join(dir, f), "utf8");
    assert.equal(sniffFormat(text), format, `${f}: sniffed`);
    const r = read(text, f);
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    assert.equal(
      errors.length === 0 ? "read" : errors[0]!.code,
      outcomes[f],
      `${f}: ${JSON.stringify(errors[0])}`,
    );
    for (const d of r.diagnostics) assert.ok(d.at && d.at.line >= 1, `${f}: every diagnostic has a line`);
    if (errors.length === 0) ok++;
  }
  assert.ok(ok / files.length >= 0.8, `${ok}/${files.length} read`);
}
