#!/usr/bin/env node
/**
 * The entry of the built CLI: scripts/bundle.mjs writes this file as dist/src/cli/main.js, beside
 * the bundles it makes (src/cli/main.ts bundled, each with its code cache: src/cli/code-cache.ts) and
 * keeps tsc's own main.js as main.tsc.js. One bundle per command file (portmatrix-compile.cjs, …),
 * one for `--version` alone (portmatrix-version.cjs) and the whole CLI (portmatrix.cjs) for help and
 * unknown names: a command deserialises and runs only its own code (issue 21: start-up ≤ 0.1 s).
 * A copy of the package with the whole-CLI bundle alone runs that one for every command.
 *
 * `npx tsc` after a change re-emits only the files it affects: main.js stays this file while the
 * bundle holds the code as it was. A bundle older than tsc's last build (dist/.tsbuildinfo) is
 * therefore not run; the per-module CLI tsc just built is, through main.tsc.js.
 */
import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compileCli, runCli } from "./code-cache.js";
import { commandFileOf } from "./command-files.js";

const mtime = (url: URL | string): number => statSync(url, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const which = commandFileOf(process.argv.slice(2));
const own = new URL(which === "all" ? "portmatrix.cjs" : `portmatrix-${which}.cjs`, import.meta.url);
const file = fileURLToPath(mtime(own) > 0 ? own : new URL("portmatrix.cjs", import.meta.url));

if (mtime(new URL("../../.tsbuildinfo", import.meta.url)) > mtime(file))
  await import(new URL("main.tsc.js", import.meta.url).href);
else runCli(compileCli(file), file);
