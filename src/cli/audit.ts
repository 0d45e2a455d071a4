/**
 * `portmatrix audit`: its options; src/cli/audit-run.ts, imported when it runs, does it (so
 * `audit --help` loads neither the readers nor the engine).
 */
import type { Command } from "commander";
import { READER_NAMES } from "../parse/reader-names.js";
import type { Runner } from "./commands.js";

export const FORMATS = ["table", "json", "sarif", "junit"] as const;
export const LIVE = ["nftables", "iptables"] as const;

export interface AuditOpts {
  topology: string;
  ruleset: string[];
  live?: string | boolean;
  failOnDrift?: boolean;
  rulesetFormat?: string;
  format: string;
  maxLines: string;
  output?: string;
  save?: string | boolean;
}

export function registerAudit(program: Command, run: Runner): void {
  program
    .command("audit")
    .description(
      "check existing firewall rules against the matrix: flows allowed, exposure, dead and retired rules",
    )
    .requiredOption("-t, --topology <file>", "the topology (profile, addresses, firewall kind)")
    .option(
      "-r, --ruleset <file|dir>",
      "a ruleset to read, or firewalld's or ufw's directory (/etc/firewalld, /etc/ufw; with /etc/default/ufw as a further -r) (repeat for several: evaluated together)",
      collect,
      [],
    )
    .option(
      "--live [backend]",
      "read the running kernel's ruleset instead of files: nftables (nft -j list ruleset), iptables (iptables-save, ip6tables-save), or guessed",
    )
    .option(
      "--ruleset-format <format>",
      `force the reader: ${READER_NAMES.join(", ")} (default: guessed from the content)`,
    )
    .option("--format <format>", FORMATS.join(", "), "table")
    .option("--max-lines <n>", "packet-set lines per finding before the rest is counted", "20")
    .option("-o, --output <file>", "write the report to a file instead of standard output")
    .option("--save [db]", "record the run in the dashboard's SQLite database (default: portmatrix serve's)")
    .option(
      "--fail-on-drift",
      "with --save: exit 1 when a flow's verdict differs from the last saved run of the same rulesets",
    )
    .action((opts: AuditOpts) => run(async () => (await import("./audit-run.js")).runAudit(opts)));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
