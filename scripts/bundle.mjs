#!/usr/bin/env node
/**
 * The shipped CLI as one script with a V8 code cache (issue 21: start-up ≤ 0.1 s). `npm run build`
 * runs tsc first (types, and the per-module dist/ the tests import), then this:
 *
 * 1. esbuild bundles src/cli/main.ts and all it imports into dist/src/cli/portmatrix.cjs, one
 *    CommonJS script: V8 can cache the code of a script (vm.Script cachedData), and Node 20 has no
 *    cache for ES modules (module.enableCompileCache is Node ≥ 22.1). Commands stay lazy: a module
 *    reached by import() (each command's file in src/cli/commands.ts, and what only it needs) runs
 *    when that command runs. Left out of the bundle and loaded from node_modules by the commands
 *    that need them: better-sqlite3 (native), elkjs (3.4 MB), @peculiar/x509 and reflect-metadata.
 * 2. src/cli/boot.ts becomes dist/src/cli/main.js, over tsc's file of that name (kept as
 *    main.tsc.js), so every caller (package.json bin, the tests, the lab's child processes via
 *    src/lab/run.ts, README commands) runs the bundle. After `npx tsc` alone the bundle may be
 *    older than the code: boot.ts then runs tsc's per-module CLI instead (slower start, same code).
 * 3. The code cache: this script runs itself with --make-cache, which runs the bundled CLI twice in
 *    one process (`--help`, loading every command, then `compile --target all` on the seed) and
 *    writes what V8 compiled to portmatrix.cjs.cache.
 * Source maps without the sources' text; src/cli/stack.ts maps an internal error's trace with them.
 * zod's 60 non-English locales are left out (see zodEnglishOnly).
 */
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist/src/cli");
const bundle = join(outdir, "portmatrix.cjs");

/**
 * zod re-exports its 60 locales as one namespace (`z.locales`), which a bundler cannot shake out of
 * `import { z } from "zod"`: 366 KB that every command using a schema would load. portmatrix never
 * calls z.config(z.locales.xx()) (its messages come from src/model/zod-diagnostics.ts), and zod
 * registers English itself (classic/schemas.js imports locales/en.js directly), so the namespace
 * is given English only.
 */
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer)
        ? { path: "zod-locales-en", namespace: "zod-english-only", pluginData: args.resolveDir }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-english-only" }, (args) => ({
      contents: 'export { default as en } from "../locales/en.js";',
      resolveDir: args.pluginData,
      loader: "js",
    }));
  },
};

async function main() {
  rmSync(`${bundle}.cache`, { force: true });
  await build({
    absWorkingDir: root,
    entryPoints: ["src/cli/main.ts"],
    outfile: bundle,
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    external: ["better-sqlite3", "elkjs", "@peculiar/x509", "reflect-metadata"],
    // A package's ES module build before its "main" (where it has no "exports" map): a UMD main
    // (jsonc-parser's) loads its parts with require() calls a bundler cannot follow.
    mainFields: ["module", "main"],
    // import.meta.url in a CommonJS script: the bundle's own URL (src/shell/package-root.ts walks
    // up from it; src/lab/run.ts's "../cli/main.js" from dist/src/cli/ is the entry below).
    define: { "import.meta.url": "__portmatrixUrl" },
    banner: { js: 'const __portmatrixUrl = require("node:url").pathToFileURL(__filename).href;' },
    sourcemap: true,
    sourcesContent: false,
    plugins: [zodEnglishOnly],
    logLevel: "warning",
  });
  // The per-module entry (tsc's main.js, which boot.ts replaces), for boot.ts to run when tsc has
  // built after this bundle: src/cli/main.ts alone, its imports left to tsc's files beside it.
  await build({
    absWorkingDir: root,
    entryPoints: ["src/cli/main.ts"],
    outfile: join(outdir, "main.tsc.js"),
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: true,
    sourcesContent: false,
    logLevel: "warning",
  });
  await build({
    absWorkingDir: root,
    entryPoints: ["src/cli/boot.ts"],
    outfile: join(outdir, "main.js"),
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: true,
    sourcesContent: false,
    logLevel: "warning",
  });
  const dir = mkdtempSync(join(tmpdir(), "portmatrix-cache-"));
  try {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--make-cache", dir], {
      cwd: root,
      stdio: ["ignore", "ignore", "pipe"],
      encoding: "utf8",
    });
    if (r.status !== 0 || !existsSync(`${bundle}.cache`))
      throw new Error(`bundle: making the code cache failed (exit ${r.status}):\n${r.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the bundle's commands in this process, then writes the code V8 compiled for them. */
async function makeCache(dir) {
  const { compileCli, runCli } = await import(pathToFileURL(join(outdir, "code-cache.js")).href);
  const script = compileCli(bundle, false);
  const runs = [["--help"], ["compile", "-t", "examples/seed-perimeter.yaml", "--target", "all", "-o", dir]];
  const next = () => {
    const argv = runs.shift();
    if (argv === undefined) return;
    process.argv = [process.execPath, join(outdir, "main.js"), ...argv];
    runCli(script, bundle);
    // The next command once this one has finished (the loop has nothing left to do).
    process.once("beforeExit", next);
  };
  // At exit, after the last command (beforeExit does not come again when one ends in microtasks).
  process.once("exit", () => {
    if (runs.length > 0 || process.exitCode) {
      process.stderr.write(
        `bundle: a warm-up command failed (${runs.length} left, exit ${process.exitCode})\n`,
      );
      process.exitCode = 1;
    } else writeFileSync(`${bundle}.cache`, script.createCachedData());
  });
  next();
}

if (process.argv[2] === "--make-cache") await makeCache(process.argv[3]);
else await main();
