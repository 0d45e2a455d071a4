/**
 * `portmatrix schemas`: its options; src/cli/schemas-run.ts, imported when it runs, generates the
 * JSON Schemas of inputs and outputs from the zod schemas (so `schemas --help` builds none).
 */
import type { Command } from "commander";
import type { Runner } from "./commands.js";

export function registerSchemas(program: Command, run: Runner): void {
  program
    .command("schemas")
    .description("print or write the JSON Schemas of the input files and JSON outputs")
    .option("--write <dir>", "write <name>.schema.json files into this folder")
    .action((opts: { write?: string }) =>
      run(async () => (await import("./schemas-run.js")).runSchemas(opts)),
    );
}
