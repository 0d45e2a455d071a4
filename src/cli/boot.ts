#!/usr/bin/env node
/**
 * The entry of the built CLI: scripts/bundle.mjs writes this file as dist/src/cli/main.js, beside
 * portmatrix.cjs (the whole CLI, src/cli/main.ts bundled) and its code cache (src/cli/code-cache.ts).
 */
import { fileURLToPath } from "node:url";
import { compileCli, runCli } from "./code-cache.js";

const file = fileURLToPath(new URL("portmatrix.cjs", import.meta.url));
runCli(compileCli(file), file);
