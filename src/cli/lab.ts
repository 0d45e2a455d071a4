/**
 * `portmatrix lab`: its options; src/cli/lab-run.ts, imported when it runs, does it (so `lab --help`
 * loads no model or namespace code).
 */
import type { Command } from "commander";
import type { Runner } from "./commands.js";

export interface LabOpts {
  topology: string;
  target: string;
  ruleset?: string;
  dropRetired?: boolean;
  format: string;
  output?: string;
  quiet?: boolean;
}

export function registerLab(program: Command, run: Runner): void {
  program
    .command("lab")
    .description(
      "rehearse the topology in network namespaces (root, Linux): load the rules, stand in for every endpoint, probe every flow, compare with the audit",
    )
    .requiredOption("-t, --topology <file>", "the topology")
    .option(
      "--target <target>",
      "compile the rules for nftables or iptables, or ufw (its commands run by the real ufw in the lab)",
      "nftables",
    )
    .option(
      "--ruleset <file|dir>",
      "load this existing nftables or iptables-save ruleset, or a firewalld (/etc/firewalld) or ufw (/etc/ufw) configuration, instead of compiling",
    )
    .option("--drop-retired", "compile without the flows whose service has ended (they are then not checked)")
    .option("--format <format>", "table or json", "table")
    .option("-o, --output <file>", "write the result to a file")
    .option("-q, --quiet", "no progress lines on standard error")
    .action((opts: LabOpts) =>
      run(async () => {
        const r = await import("./lab-run.js");
        return r.runLabCommand(opts);
      }),
    );
}
