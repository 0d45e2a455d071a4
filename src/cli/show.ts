/**
 * `portmatrix profiles` and `portmatrix show`: their options; src/cli/show-run.ts, imported when
 * one runs, does them (so their help loads no model code).
 */
import type { Command } from "commander";
import { choice } from "./io.js";
import type { Runner } from "./commands.js";

export function registerShow(program: Command, run: Runner): void {
  program
    .command("profiles")
    .description("list the built-in profiles")
    .option("--format <format>", "table or json", "table")
    .action((opts: { format: string }) =>
      run(async () =>
        (await import("./show-run.js")).profiles(choice("--format", opts.format, ["table", "json"] as const)),
      ),
    );

  program
    .command("show")
    .description(
      "print a profile's port matrix in the vendor's columns (resolved to addresses with --topology)",
    )
    .argument("[profile]", "built-in profile id or profile file (default: the topology's profile)")
    .option("-t, --topology <file>", "bind the matrix to a topology")
    .option("--format <format>", "table, json, csv or md (with --compare: table, json or md)", "table")
    .option("--compare <profiles...>", "compare two profiles row by row (A B: what changes from A to B)")
    .action((ref: string | undefined, opts: { topology?: string; format: string; compare?: string[] }) =>
      run(async () =>
        opts.compare !== undefined
          ? (await import("./show-run.js")).compare(
              ref,
              opts.compare,
              opts.topology,
              choice("--format", opts.format, ["table", "json", "md"] as const),
            )
          : (await import("./show-run.js")).show(
              ref,
              opts.topology,
              choice("--format", opts.format, ["table", "json", "csv", "md"] as const),
            ),
      ),
    );
}
