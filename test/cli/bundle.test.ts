/**
 * The built CLI as shipped (scripts/bundle.mjs, issue 21): one script whose V8 code cache this Node
 * accepts, and internal errors' stack traces mapped back to the TypeScript through source maps.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { compileCli } from "../../src/cli/code-cache.js";
import { mapStack } from "../../src/cli/stack.js";
import { ROOT, runCli } from "./run-cli.js";

const BUNDLE = join(ROOT, "dist/src/cli/portmatrix.cjs");
const mtime = (f: string): number => statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const noBundle =
  mtime(BUNDLE) >= mtime(join(ROOT, "dist/.tsbuildinfo"))
    ? false
    : "no bundle newer than tsc's build (npx tsc alone): npm run build makes it";

test("the bundle's code cache is accepted by this Node, and the bundle runs", { skip: noBundle }, () => {
  const script = compileCli(BUNDLE);
  assert.equal(script.cachedDataRejected, false);
  const r = runCli(["--version"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
});

test("stack frames of a mapped file name the TypeScript; frames without a map stay as they are", () => {
  const dir = mkdtempSync(join(tmpdir(), "pmt-stack-"));
  try {
    const out = join(dir, "out");
    mkdirSync(out);
    const js = join(out, "bundle.cjs");
    const esm = join(out, "chunk.mjs");
    // One segment a line: line 1 column 1 → src/a.ts 10:5, line 2 column 1 → src/b.ts 3:1.
    const map = { version: 3, sources: ["../src/a.ts", "../src/b.ts"], names: [], mappings: "AASI;ACPJ" };
    writeFileSync(`${js}.map`, JSON.stringify(map));
    writeFileSync(`${esm}.map`, JSON.stringify(map));
    const stack = [
      "Error: boom",
      `    at f (${js}:1:1)`,
      `    at g (${pathToFileURL(esm).href}:2:1)`,
      `    at h (${join(out, "nomap.cjs")}:7:9)`,
      "    at node:internal/process/task_queues:95:5",
    ].join("\n");
    assert.equal(
      mapStack(stack),
      [
        "Error: boom",
        `    at f (${join(dir, "src", "a.ts")}:10:5)`,
        `    at g (${join(dir, "src", "b.ts")}:3:1)`,
        `    at h (${join(out, "nomap.cjs")}:7:9)`,
        "    at node:internal/process/task_queues:95:5",
      ].join("\n"),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
