/**
 * `portmatrix demo`: the main job on the built-in default — the seed profile bound to the shipped
 * example topology. Each step is a real run of the same code the commands use.
 */
import type { Command } from "commander";
import { join } from "node:path";
import { matrixWarnings, renderShow } from "../report/matrix.js";
import { loadTopology, PACKAGE_ROOT } from "../shell/load.js";
import { EXIT, InputError } from "./io.js";
import type { Runner } from "./commands.js";

export const DEMO_TOPOLOGY = join(PACKAGE_ROOT, "examples", "seed-host.yaml");

export function registerDemo(program: Command, run: Runner): void {
  program
    .command("demo")
    .description("run the whole tool on the built-in seed profile and example topology")
    .option("-o, --out <dir>", "where compiled rules are written", "portmatrix-demo")
    .action((opts: { out: string }) => run(() => demo(opts.out)));
}

function heading(text: string): void {
  process.stdout.write(`\n== ${text} ==\n\n`);
}

async function demo(_outDir: string): Promise<number> {
  const t = loadTopology(DEMO_TOPOLOGY);
  if (!t.ok) throw new InputError(t.diagnostics);
  const { bound, profile } = t.value;
  heading(`1. The matrix: ${bound.profileId} bound to examples/seed-host.yaml`);
  process.stdout.write(renderShow({ profile: profile.profile, flows: bound.flows, topology: bound }, "table"));
  process.stdout.write("\n");
  for (const w of matrixWarnings(profile.profile, bound.flows)) process.stdout.write(`warning: ${w}\n`);
  return EXIT.ok;
}
