/**
 * `portmatrix demo`: its options; src/cli/demo-run.ts, imported when it runs, does it (so
 * `demo --help` loads nothing else).
 */
import type { Command } from "commander";
import type { Runner } from "./commands.js";

export function registerDemo(program: Command, run: Runner): void {
  program
    .command("demo")
    .description("run the whole tool on the built-in seed profile and example topologies")
    .option("-o, --out <dir>", "where compiled rules are written", "portmatrix-demo")
    .action((opts: { out: string }) =>
      run(async () => {
        const r = await import("./demo-run.js");
        return r.demo(opts.out);
      }),
    );
}
