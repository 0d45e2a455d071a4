/**
 * `portmatrix dns`: its options; src/cli/dns-run.ts, imported when it runs, does it (so `dns --help`
 * loads no model or resolver code).
 */
import type { Command } from "commander";
import type { Runner } from "./commands.js";

export const FORMATS = ["table", "json", "junit"] as const;

export const LOCATIONS = ["external", "internal", "all"] as const;

export interface DnsOpts {
  topology: string;
  server?: string;
  location: string;
  timeout: string;
  tries: string;
  format: string;
  output?: string;
}

export function registerDns(program: Command, run: Runner): void {
  program
    .command("dns")
    .description(
      "check the DNS records the profile needs (SRV, A) for the topology's SIP domains against a DNS server",
    )
    .requiredOption("-t, --topology <file>", "the topology (profile, addresses, sipDomains)")
    .option(
      "--server <address>",
      "the DNS server to ask: ADDRESS, ADDRESS:PORT or [IPv6]:PORT (default: the system's)",
    )
    .option(
      "--location <where>",
      "which records: external (the Internet's view), internal, or all",
      "external",
    )
    .option("--timeout <ms>", "time limit of one DNS query", "2000")
    .option("--tries <n>", "tries per query", "2")
    .option("--format <format>", FORMATS.join(", "), "table")
    .option("-o, --output <file>", "write the results to a file instead of standard output")
    .action((opts: DnsOpts) =>
      run(async () => {
        const r = await import("./dns-run.js");
        return r.runDns(opts);
      }),
    );
}
