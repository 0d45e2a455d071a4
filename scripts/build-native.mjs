#!/usr/bin/env node
/**
 * Builds the C sweep (native/sweep: binding.gyp, sweep.c) to native/sweep/build/Release/sweep.node
 * with node-gyp (npm ships it: npm sets npm_config_node_gyp in scripts; else it is found beside
 * npm), against the headers of the Node that runs this (include/node beside it, so nothing is
 * downloaded). Linux only. A failed build is not a failed `npm run build`: it prints one warning
 * line and the probe runs on the JS sweep (src/live/sweep-native.ts loads the addon when present).
 */
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = join(root, "native", "sweep");
const out = join(dir, "build", "Release", "sweep.node");

function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(
      dirname(process.execPath),
      "..",
      "lib",
      "node_modules",
      "npm",
      "node_modules",
      "node-gyp",
      "bin",
      "node-gyp.js",
    ),
    join(dirname(process.execPath), "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
  ];
  return candidates.find((c) => c && existsSync(c));
}

function main() {
  if (process.platform !== "linux") return "not Linux (the sweep uses epoll)";
  const gyp = nodeGyp();
  if (!gyp) return "node-gyp not found (it comes with npm)";
  const args = [gyp, "rebuild", "--directory", dir, "--loglevel", "error"];
  const prefix = join(dirname(process.execPath), "..");
  if (existsSync(join(prefix, "include", "node", "node_api.h"))) args.push(`--nodedir=${prefix}`);
  rmSync(out, { force: true });
  const r = spawnSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (r.status !== 0 || !existsSync(out)) {
    const lines = `${r.stderr ?? ""}${r.stdout ?? ""}`.split("\n").filter(Boolean);
    const why = lines.find((l) => /\berror\b/.test(l) && !/^gyp/.test(l)) ?? lines.pop();
    return `node-gyp failed${why ? `: ${why}` : ""}`;
  }
  return undefined;
}

const failed = main();
if (failed)
  console.warn(`build-native: the native sweep is not built (${failed}); the probe uses the JS sweep`);
