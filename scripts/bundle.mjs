#!/usr/bin/env node
/**
 * The shipped CLI as CommonJS scripts with V8 code caches (issue 21: start-up ≤ 0.1 s). `npm run
 * build` runs tsc first (types, and the per-module dist/ the tests import), then this:
 *
 * 0. Each built-in profile's YAML parsed into dist/profiles/<id>.json, and checked into
 *    dist/profiles/<id>.checked.json (parseProfiles).
 * 1. esbuild bundles src/cli/main.ts and what it imports into dist/src/cli/: portmatrix.cjs (the
 *    whole CLI: help, no command, unknown names), portmatrix-version.cjs (`--version` alone: no
 *    command file) and portmatrix-<file>.cjs for each command file of src/cli/command-files.ts
 *    (that file alone: onlyCommandFile), so a command deserialises and runs only its own code.
 *    CommonJS scripts: V8 can cache the code of a script (vm.Script cachedData), and Node 20 has no
 *    cache for ES modules (module.enableCompileCache is Node ≥ 22.1). Modules stay lazy: one
 *    reached by import() (what a command does, src/cli/<file>-run.ts, and what only it needs) runs
 *    when that command runs. Left out of the bundles and loaded from node_modules by the commands
 *    that need them: better-sqlite3 (native), elkjs (3.4 MB), @peculiar/x509 and reflect-metadata.
 * 2. src/cli/boot.ts becomes dist/src/cli/main.js, over tsc's file of that name (kept as
 *    main.tsc.js), so every caller (package.json bin, the tests, the lab's child processes via
 *    src/lab/run.ts, README commands) runs a bundle; it picks the bundle from argv. After `npx tsc`
 *    alone the bundles may be older than the code: boot.ts then runs tsc's per-module CLI instead
 *    (slower start, same code).
 * 3. The code caches: this script runs itself with --make-cache for each bundle, which runs that
 *    bundle's warm-up commands (WARM_UP: help, and real runs on the examples where they need
 *    neither root nor the network) in one process and writes what V8 compiled to <bundle>.cache.
 * Source maps without the sources' text; src/cli/stack.ts maps an internal error's trace with them.
 * zod's 60 non-English locales are left out (see zodEnglishOnly).
 */
import { build } from "esbuild";
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist/src/cli");

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

/**
 * The bundles and what warms each one's code cache (the command lines run at build time, from the
 * package root; `DIR` is a scratch folder). "all" (portmatrix.cjs) runs help, no command and unknown
 * names; "version" `--version` alone; every other one the commands of one src/cli/<file>.ts
 * (src/cli/command-files.ts). Commands that need root, the network or a browser only show their
 * help here: their run's code compiles when it runs, as it did before.
 */
const helpOf = (names) => names.map((n) => [n, "--help"]);
const WARM_UP = {
  all: [["--help"]],
  version: [["--version"]],
  show: [
    ...helpOf(["profiles", "show"]),
    ["profiles", "--format", "json"],
    ["profiles"],
    ["show", "lync2013-public-im"],
    ["show", "-t", "examples/seed-perimeter.yaml", "--format", "json"],
  ],
  compile: [
    ["compile", "--help"],
    ["compile", "-t", "examples/seed-perimeter.yaml", "--target", "all", "-o", "DIR"],
  ],
  audit: [
    ["audit", "--help"],
    ["audit", "-t", "examples/legacy/host-topology.yaml", "-r", "examples/legacy/edge-nftables.nft"],
    [
      "audit",
      "-t",
      "examples/legacy/host-topology.yaml",
      "-r",
      "examples/legacy/edge-iptables.rules",
      "--format",
      "json",
    ],
  ],
  schemas: [["schemas", "--help"], ["schemas"]],
  report: [
    ...helpOf(["diagram", "report", "serve"]),
    ["diagram", "-t", "examples/seed-perimeter.yaml", "--format", "mermaid"],
    ["diagram", "-t", "examples/seed-host.yaml", "--format", "svg"],
    ["report", "-t", "examples/seed-perimeter.yaml", "-o", "DIR/report.html"],
  ],
  // A probe of one closed port on loopback (probeWarmUp: a port free a moment before; nothing
  // leaves the machine), run inside a network namespace made for it (warmUpNamespace: as root;
  // otherwise help alone, as before): the topology, the plan, the sweep, the results and their
  // JSON, ~25 ms of every probe's start that --help alone left to compile at each run.
  probe: [
    ...helpOf(["probe", "merge"]),
    [
      "probe",
      "-t",
      "DIR/probe-topology.yaml",
      "--from",
      "prober",
      "--format",
      "json",
      "--no-progress",
      "-o",
      "DIR/probe.json",
    ],
  ],
};

/**
 * The files of the probe's warm-up, in its scratch folder: a one-flow profile and a topology on
 * 127.0.0.1, the flow's port one that was free just before (so the connect is refused at once).
 */
async function probeWarmUp(dir) {
  const { createServer } = await import("node:net");
  const port = await new Promise((done, fail) => {
    const s = createServer().once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => done(port));
    });
  });
  writeFileSync(
    join(dir, "probe-profile.yaml"),
    [
      "id: code-cache-warm-up",
      "title: the probe's code cache warm-up (scripts/bundle.mjs)",
      "product: portmatrix",
      "sources:",
      "  build: {title: scripts/bundle.mjs, url: https://example.com/portmatrix/build}",
      "endpoints:",
      "  prober: {name: Prober}",
      "  target: {name: Target, kind: server}",
      "flows:",
      `  - {id: warm-up, role: Warm-up, protocol: TCP, transport: tcp, ports: ${port}, from: prober, to: target}`,
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "probe-topology.yaml"),
    "profile: ./probe-profile.yaml\nendpoints:\n  prober: 127.0.0.1\n  target: 127.0.0.1\nfirewall: {kind: host, host: target}\n",
  );
}

/**
 * Exit codes a warm-up may end with: 1 is an audit's or a probe's finding; a probe may also find no
 * loopback it can use (3, the environment): its cache then lacks the run, as before.
 */
const WARM_UP_EXITS = { probe: [0, 1, 3] };

/** The whole CLI, or (`only`) the CLI with one command file: the others' import() a stand-in. */
const onlyCommandFile = (only, files) => ({
  name: "only-command-file",
  setup(b) {
    b.onResolve({ filter: /^\.\/[a-z-]+\.js$/ }, (args) => {
      const name = args.path.slice(2, -3);
      return /[\\/]src[\\/]cli[\\/]commands\.ts$/.test(args.importer) && files.includes(name) && name !== only
        ? { path: name, namespace: "left-out" }
        : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: "left-out" }, (args) => ({
      contents: `throw new Error("src/cli/${args.path}.ts is not in the bundle made for ${only}");`,
      loader: "js",
    }));
  },
});

/**
 * Each built-in profile's YAML parsed (dist/profiles/<id>.json: its text and value), which
 * src/shell/load.ts takes instead of parsing the same text again at every start. Only where JSON
 * holds the value exactly (the yaml package could give what JSON cannot: -0, Infinity); any other
 * profile is parsed at run time, as is every user's file.
 */
async function parseProfiles() {
  const { parseYaml } = await import(pathToFileURL(join(root, "dist/src/model/yaml-source.js")).href);
  const dir = join(root, "dist/profiles");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(join(root, "profiles")).filter((n) => n.endsWith(".yaml"))) {
    const id = f.slice(0, -".yaml".length);
    const text = readFileSync(join(root, "profiles", f), "utf8");
    const { source } = parseYaml(`profiles/${f}`, text);
    if (source === undefined) continue;
    const json = JSON.stringify({ text, value: source.value });
    if (!isDeepStrictEqual(JSON.parse(json).value, source.value)) continue;
    writeFileSync(join(dir, `${id}.json`), json);
  }
  // Then each one checked (dist/profiles/<id>.checked.json), where its JSON gives back exactly the
  // profile checkProfile gave (prototypes included); src/shell/load.ts takes it while the texts of
  // its files are the same.
  const { checkForBuild, parseCheckedAtBuild } = await import(
    pathToFileURL(join(root, "dist/src/shell/load.js")).href
  );
  for (const f of readdirSync(join(root, "profiles")).filter((n) => n.endsWith(".yaml"))) {
    const id = f.slice(0, -".yaml".length);
    const built = checkForBuild(id);
    if (built === undefined) continue;
    if (!isDeepStrictEqual(parseCheckedAtBuild(built.json)?.profile, built.profile)) continue;
    writeFileSync(join(dir, `${id}.checked.json`), built.json);
  }
}

/**
 * commander requires node:child_process when it loads, for executable subcommands (`git-style`
 * commands in files of their own), which portmatrix has none of; child_process brings net, dgram
 * and streams with it, ~1.5 ms of every start. Here it is required when commander would spawn.
 */
const commanderSpawnOnUse = {
  name: "commander-spawn-on-use",
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const text = readFileSync(args.path, "utf8");
      const eager = "const childProcess = require('node:child_process');";
      if (!text.includes(eager)) throw new Error(`bundle: ${args.path} no longer has ${eager}`);
      const lazy = "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };";
      return { contents: text.replace(eager, lazy), loader: "js" };
    });
  },
};

/**
 * jsonc-parser's ES module build has no "sideEffects" in its package.json, so its formatter (with a
 * table of 1,200 indentation strings built at load, impl/string-intern.js) and its editor stayed in
 * every bundle that reads YAML or JSON, and ran at every start, though src/model/json-source.ts uses
 * only `visit` and `printParseErrorCode`. Its modules have no side effects but those tables: marked
 * so, what is not used is left out.
 */
const jsoncSideEffectFree = {
  name: "jsonc-side-effect-free",
  setup(b) {
    b.onResolve({ filter: /^\.\/impl\// }, async (args) => {
      if (!/[\\/]jsonc-parser[\\/]lib[\\/]esm[\\/]/.test(args.importer)) return undefined;
      const r = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: "jsonc",
      });
      return r.errors.length > 0 ? undefined : { path: r.path, sideEffects: false };
    });
  },
};

async function main() {
  await parseProfiles();
  const { COMMAND_FILES } = await import(pathToFileURL(join(outdir, "command-files.js")).href);
  const files = COMMAND_FILES.map(([name]) => name);
  const bundles = ["all", "version", ...files];
  for (const which of bundles) rmSync(`${bundleOf(which)}.cache`, { force: true });
  await Promise.all(
    bundles.map((which) =>
      build({
        absWorkingDir: root,
        entryPoints: ["src/cli/main.ts"],
        outfile: bundleOf(which),
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
        // A third less text for V8 to read and scan for the functions the cache lacks (audit of
        // the legacy example: 2.4 % fewer instructions); names are kept, traces map through the map.
        minifyWhitespace: true,
        minifySyntax: true,
        plugins: [
          zodEnglishOnly,
          commanderSpawnOnUse,
          jsoncSideEffectFree,
          ...(which === "all" ? [] : [onlyCommandFile(which, files)]),
        ],
        logLevel: "warning",
      }),
    ),
  );
  // The per-module entry (tsc's main.js, which boot.ts replaces), for boot.ts to run when tsc has
  // built after this bundle: src/cli/main.ts alone, its imports left to tsc's files beside it.
  const esmEntry = {
    absWorkingDir: root,
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: true,
    sourcesContent: false,
    logLevel: "warning",
  };
  await build({ ...esmEntry, entryPoints: ["src/cli/main.ts"], outfile: join(outdir, "main.tsc.js") });
  await build({
    ...esmEntry,
    entryPoints: ["src/cli/boot.ts"],
    outfile: join(outdir, "main.js"),
    bundle: true,
  });
  // One process per bundle, two at a time (the warm-ups are single-threaded).
  const queue = [...bundles];
  const worker = async () => {
    for (let which = queue.shift(); which !== undefined; which = queue.shift()) await makeCacheOf(which);
  };
  await Promise.all([worker(), worker()]);
}

/** portmatrix.cjs for "all", else portmatrix-<which>.cjs. */
function bundleOf(which) {
  return join(outdir, which === "all" ? "portmatrix.cjs" : `portmatrix-${which}.cjs`);
}

/**
 * A network namespace of its own for the probe's warm-up, its loopback up: probes never run in the
 * host's namespace (the project's rule for tests, kept by the build that `npm test` runs too).
 * Undefined when it cannot be made (not root, no iproute2): the probe cache is then warmed by help.
 */
function warmUpNamespace() {
  if (process.getuid?.() !== 0) return undefined;
  const ns = `pmcache-${process.pid}-${Date.now().toString(36)}`;
  if (spawnSync("ip", ["netns", "add", ns], { stdio: "ignore" }).status !== 0) return undefined;
  if (
    spawnSync("ip", ["netns", "exec", ns, "ip", "link", "set", "lo", "up"], { stdio: "ignore" }).status !== 0
  ) {
    spawnSync("ip", ["netns", "del", ns], { stdio: "ignore" });
    return undefined;
  }
  // Deleted when the build ends whatever way it ends: another bundle's failure ends the process
  // while this warm-up still runs (its `finally` never comes), and so does an interrupt.
  process.once("exit", () => dropNamespace(ns));
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"])
    process.once(signal, () => {
      dropNamespace(ns);
      process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
    });
  return ns;
}

/** Warm-up namespaces deleted already. */
const dropped = new Set();

/** Deletes the warm-up's namespace if it is still there (once is enough; later calls do nothing). */
function dropNamespace(ns) {
  if (dropped.has(ns)) return;
  dropped.add(ns);
  spawnSync("ip", ["netns", "del", ns], { stdio: "ignore" });
}

/** Runs this script with --make-cache for one bundle, in a scratch folder of its own. */
async function makeCacheOf(which) {
  const dir = mkdtempSync(join(tmpdir(), "portmatrix-cache-"));
  const ns = which === "probe" ? warmUpNamespace() : undefined;
  try {
    const r = await new Promise((done) => {
      const args = [fileURLToPath(import.meta.url), "--make-cache", which, dir];
      const child = spawn(
        ns ? "ip" : process.execPath,
        ns ? ["netns", "exec", ns, process.execPath, ...args] : args,
        {
          cwd: root,
          stdio: ["ignore", "ignore", "pipe"],
          env: ns ? { ...process.env, PORTMATRIX_WARM_UP_NETNS: ns } : process.env,
        },
      );
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (s) => (stderr += s));
      child.on("close", (status) => done({ status, stderr }));
    });
    if (r.status !== 0 || !existsSync(`${bundleOf(which)}.cache`))
      throw new Error(`bundle: making the code cache of ${which} failed (exit ${r.status}):\n${r.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (ns) dropNamespace(ns);
  }
}

/**
 * Runs one bundle's warm-up commands in this process, then writes the code V8 compiled for them.
 * An audit that finds something ends with 1: only a usage or internal error (2, 70) fails the build.
 */
async function makeCache(which, dir) {
  const bundle = bundleOf(which);
  const { compileCli, runCli } = await import(pathToFileURL(join(outdir, "code-cache.js")).href);
  const { COMMAND_FILES } = await import(pathToFileURL(join(outdir, "command-files.js")).href);
  const names = COMMAND_FILES.find(([name]) => name === which)?.[1] ?? [];
  const script = compileCli(bundle, false);
  // The probe runs only inside the namespace makeCacheOf made for it.
  const probing = which === "probe" && process.env.PORTMATRIX_WARM_UP_NETNS !== undefined;
  const warmUp = which === "probe" && !probing ? helpOf(names) : (WARM_UP[which] ?? helpOf(names));
  const runs = warmUp.map((argv) => argv.map((a) => a.replace(/^DIR\b/, () => dir)));
  if (probing) await probeWarmUp(dir);
  const fine = (code) => (WARM_UP_EXITS[which] ?? [0, 1]).includes(code ?? 0);
  let failed;
  const next = () => {
    if (!fine(process.exitCode))
      failed ??= `${JSON.stringify(process.argv.slice(2))} ended with ${process.exitCode}`;
    process.exitCode = 0;
    const argv = runs.shift();
    if (argv === undefined) return;
    process.argv = [process.execPath, join(outdir, "main.js"), ...argv];
    runCli(script, bundle);
    // The next command once this one has finished (the loop has nothing left to do); the
    // immediate keeps the loop alive for one more turn, so that beforeExit comes again also after
    // a command that ends in microtasks (help).
    process.once("beforeExit", next);
    setImmediate(() => {});
  };
  // At exit, after the last command.
  process.once("exit", () => {
    if (!fine(process.exitCode))
      failed ??= `${JSON.stringify(process.argv.slice(2))} ended with ${process.exitCode}`;
    if (runs.length > 0 || failed !== undefined) {
      process.stderr.write(`bundle: a warm-up command of ${which} failed (${runs.length} left): ${failed}\n`);
      process.exitCode = 1;
    } else {
      process.exitCode = 0;
      writeFileSync(`${bundle}.cache`, script.createCachedData());
    }
  });
  next();
}

if (process.argv[2] === "--make-cache") await makeCache(process.argv[3], process.argv[4]);
else await main();
