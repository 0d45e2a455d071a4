#!/usr/bin/env node
/**
 * The shipped CLI as a bundle (issue 21: start-up ≤ 0.1 s). `npm run build` runs tsc first (types,
 * and the per-module dist/ the tests import), then this: esbuild bundles src/cli/main.ts and
 * everything it imports into dist/src/cli/main.js, over tsc's file of that name, so every caller
 * (package.json bin, the tests, the lab's child processes, README commands) runs the bundle.
 *
 * - Code splitting keeps the lazy loading of src/cli/commands.ts: each command's file and what only
 *   it needs (zod schemas, yaml, elkjs, @peculiar/x509 …) is a chunk in dist/src/cli/chunks/,
 *   loaded by the command that needs it. Chunks sit one level below main.js, so a chunk's
 *   `new URL("../cli/main.js", import.meta.url)` (src/lab/run.ts) still names the entry.
 * - better-sqlite3 stays external: a native addon, found through node_modules at run time.
 * - Source maps (without the sources' text) beside each file; main.ts turns them on, so a stack
 *   trace names the TypeScript file and line.
 * - Bundled CommonJS packages call require(): the banner gives each ESM chunk one.
 */
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist/src/cli");
rmSync(join(outdir, "chunks"), { recursive: true, force: true });

/**
 * zod re-exports its 60 locales as one namespace (`z.locales`), which a bundler cannot shake out of
 * `import { z } from "zod"`: 366 KB that every command using a schema would compile. portmatrix
 * never calls z.config(z.locales.xx()) (its messages come from src/model/zod-diagnostics.ts), and
 * zod registers English itself (classic/schemas.js imports locales/en.js directly), so the
 * namespace is given English only.
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

await build({
  absWorkingDir: root,
  entryPoints: { main: "src/cli/main.ts" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  chunkNames: "chunks/[name]-[hash]",
  // .mjs: Node knows a chunk is ESM without looking up package.json scopes for each one.
  outExtension: { ".js": ".mjs" },
  external: ["better-sqlite3"],
  sourcemap: true,
  sourcesContent: false,
  banner: {
    js: 'import { createRequire as __portmatrixRequire } from "node:module"; const require = __portmatrixRequire(import.meta.url);',
  },
  plugins: [zodEnglishOnly],
  logLevel: "warning",
});

// The entry keeps tsc's name (main.js: package.json's scope makes it ESM); only the chunks are .mjs.
const entry = join(outdir, "main.js");
renameSync(join(outdir, "main.mjs.map"), `${entry}.map`);
const code = readFileSync(join(outdir, "main.mjs"), "utf8");
rmSync(join(outdir, "main.mjs"));
writeFileSync(entry, code.replace(/\/\/# sourceMappingURL=main\.mjs\.map\s*$/, "//# sourceMappingURL=main.js.map\n"));
