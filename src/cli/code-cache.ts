/**
 * Runs the bundled CLI (dist/src/cli/portmatrix.cjs, one CommonJS script: scripts/bundle.mjs) through
 * V8 with a code cache, the functions V8 compiled while the build ran a few commands. A start then
 * deserialises code instead of parsing and compiling ~1 MB of JavaScript (issue 21: start-up
 * ≤ 0.1 s). V8 rejects a cache made by another V8 or under other V8 flags, and the script then
 * compiles as it would without one: slower, never different.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { Script, constants } from "node:vm";

/** The CommonJS wrapper Node itself puts around a module (Module.wrap); a #! line becomes a comment. */
const wrap = (source: string): string =>
  `(function (exports, require, module, __filename, __dirname) { ${source.startsWith("#!") ? "//" : ""}${source}\n});`;

/** `file`'s script, with `${file}.cache` when there is one (or with no cache when `useCache` is false). */
export function compileCli(file: string, useCache = true): Script {
  let cachedData: Buffer | undefined;
  if (useCache) {
    try {
      cachedData = readFileSync(`${file}.cache`);
    } catch {
      cachedData = undefined;
    }
  }
  return new Script(wrap(readFileSync(file, "utf8")), {
    filename: file,
    ...(cachedData === undefined ? {} : { cachedData }),
    // import() of the external packages (better-sqlite3, elkjs, @peculiar/x509) as from any module.
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
}

/** Runs the script as the CommonJS module `file` (its require() resolves from its own folder). */
export function runCli(script: Script, file: string): void {
  const fn = script.runInThisContext() as (
    exports: object,
    require: NodeRequire,
    module: { exports: object },
    filename: string,
    dirname: string,
  ) => void;
  const module = { exports: {} };
  fn.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
}
