/**
 * `portmatrix compile`: its options; src/cli/compile-run.ts, imported when it runs, does it (so
 * `compile --help` loads neither the model nor the targets).
 */
import type { Command } from "commander";
import { TARGET_IDS } from "../compile/target.js";
import type { Runner } from "./commands.js";

export interface CompileOpts {
  topology: string;
  target: string;
  output?: string;
  dropRetired?: boolean;
}

export function registerCompile(program: Command, run: Runner): void {
  program
    .command("compile")
    .description("compile the matrix, bound to a topology, into firewall rules")
    .requiredOption("-t, --topology <file>", "the topology (profile, addresses, firewall kind)")
    .requiredOption("--target <target>", `${TARGET_IDS.join(", ")}, or all (with -o DIR)`)
    .option(
      "-o, --output <file>",
      "write FILE (and FILE.v6, FILE.tf … where the target needs more); firewalld and --target all: a folder",
    )
    .option(
      "--drop-retired",
      "leave out flows whose service has ended (they are kept, with a warning, by default)",
    )
    .action((opts: CompileOpts) => run(async () => (await import("./compile-run.js")).runCompile(opts)));
}
