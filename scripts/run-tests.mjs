#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js) with Node's own test runner.
// Node 20's --test takes no globs, so the list is made here. Extra arguments filter by substring.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const roots = ["dist/src", "dist/test", "dist/bench"];
const filters = process.argv.slice(2);
const files = [];
const walk = (dir) => {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith(".test.js") && (filters.length === 0 || filters.some((f) => p.includes(f))))
      files.push(p);
  }
};
roots.forEach(walk);
if (files.length === 0) {
  console.error("run-tests: no test files found (did the build run?)");
  process.exit(1);
}
const r = spawnSync(process.execPath, ["--test", "--test-reporter=spec", "--enable-source-maps", ...files], {
  stdio: "inherit",
});
process.exit(r.status ?? 1);
