/**
 * House rule 1: the pure core touches no files, sockets, processes, clock, randomness or environment.
 * This test reads every module under the pure folders and fails on any such use.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { ROOT } from "./cli/run-cli.js";

const PURE = [
  "model",
  "space",
  "ir",
  "compile",
  "parse",
  "audit",
  "wire",
  "probe",
  "diag",
  "report",
  "diagram",
  "dns",
  "import",
];
const FORBIDDEN: Array<[RegExp, string]> = [
  [
    /from\s+["']node:(fs|net|dgram|tls|child_process|os|worker_threads|http|https|dns|readline)(\/promises)?["']/,
    "an I/O module import",
  ],
  [/from\s+["'](fs|net|dgram|tls|child_process|os)["']/, "an I/O module import"],
  [/\bprocess\.(env|exit|stdout|stderr|argv|cwd)\b/, "process state"],
  [/\bDate\.now\(|new Date\(\)/, "the clock"],
  [/\bMath\.random\(/, "randomness"],
];

function files(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") && !p.endsWith(".test.ts") ? [p] : [];
  });
}

test("pure folders do no I/O", () => {
  const problems: string[] = [];
  for (const folder of PURE) {
    for (const file of files(join(ROOT, "src", folder))) {
      const text = readFileSync(file, "utf8");
      text.split("\n").forEach((line, i) => {
        if (/^\s*(\/\/|\*)/.test(line)) return;
        for (const [re, what] of FORBIDDEN)
          if (re.test(line)) problems.push(`${relative(ROOT, file)}:${i + 1}: ${what}: ${line.trim()}`);
      });
    }
  }
  assert.deepEqual(problems, []);
});
