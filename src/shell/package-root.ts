/**
 * Where the package lives and its version, with nothing else loaded: `portmatrix --version` and
 * every command's start read these before any model code (issue 21: start-up ≤ 0.1 s).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The package folder (profiles/, examples/, schemas/ live there), found upward from this file:
 * dist/src/shell when built per module, dist/src/cli/chunks in the bundle, src/shell under tsx. */
export const PACKAGE_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return resolve(from, "../../..");
  }
}

/** The package version (package.json), for --version, reports and SARIF. */
export const VERSION = (
  JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }
).version;
