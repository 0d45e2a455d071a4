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
import { COMMAND_FILES, commandFileOf } from "../../src/cli/command-files.js";
import { mapStack } from "../../src/cli/stack.js";
import { ROOT, runCli } from "./run-cli.js";

const BUNDLE = join(ROOT, "dist/src/cli/portmatrix.cjs");
const mtime = (f: string): number => statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const noBundle =
  mtime(BUNDLE) >= mtime(join(ROOT, "dist/.tsbuildinfo"))
    ? false
    : "no bundle newer than tsc's build (npx tsc alone): npm run build makes it";

test("every bundle's code cache is accepted by this Node, and the bundles run", { skip: noBundle }, () => {
  // The whole CLI, --version alone, and one bundle per command file (src/cli/boot.ts picks one).
  const names = ["", "-version", ...COMMAND_FILES.map(([file]) => `-${file}`)];
  for (const name of names) {
    const script = compileCli(join(ROOT, `dist/src/cli/portmatrix${name}.cjs`));
    assert.equal(script.cachedDataRejected, false, name);
  }
  const r = runCli(["--version"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
  // A command's bundle has its own command and no other: help of each lists its own options.
  for (const [, commands] of COMMAND_FILES)
    for (const command of commands) {
      const h = runCli([command, "--help"]);
      assert.equal(h.status, 0, h.stderr);
      assert.match(h.stdout, new RegExp(`^Usage: portmatrix ${command} `), command);
    }
});

test("boot picks the bundle of the command file that registers the command", () => {
  assert.equal(commandFileOf(["--version"]), "version");
  assert.equal(commandFileOf(["-V"]), "version");
  assert.equal(commandFileOf([]), "all");
  assert.equal(commandFileOf(["--help"]), "all");
  assert.equal(commandFileOf(["help", "compile"]), "all");
  assert.equal(commandFileOf(["compil"]), "all");
  assert.equal(commandFileOf(["--version", "compile"]), "compile");
  assert.equal(commandFileOf(["certs", "--name", "a"]), "listen");
  assert.equal(commandFileOf(["serve"]), "report");
  assert.equal(commandFileOf(["profiles"]), "show");
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
