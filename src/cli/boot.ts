#!/usr/bin/env node
/**
 * The entry of the built CLI: scripts/bundle.mjs writes this file as dist/src/cli/main.js, beside
 * portmatrix.cjs (the whole CLI, src/cli/main.ts bundled) and its code cache (src/cli/code-cache.ts),
 * and keeps tsc's own main.js as main.tsc.js.
 *
 * `npx tsc` after a change re-emits only the files it affects: main.js stays this file while the
 * bundle holds the code as it was. A bundle older than tsc's last build (dist/.tsbuildinfo) is
 * therefore not run; the per-module CLI tsc just built is, through main.tsc.js.
 */
import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compileCli, runCli } from "./code-cache.js";

const file = fileURLToPath(new URL("portmatrix.cjs", import.meta.url));
const mtime = (url: URL | string): number => statSync(url, { throwIfNoEntry: false })?.mtimeMs ?? 0;

if (mtime(new URL("../../.tsbuildinfo", import.meta.url)) > mtime(file))
  await import(new URL("main.tsc.js", import.meta.url).href);
else runCli(compileCli(file), file);
