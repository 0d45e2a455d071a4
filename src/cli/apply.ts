/**
 * `portmatrix apply`: its options; src/cli/apply-run.ts, imported when it runs, does it (so
 * `apply --help` loads no model, compiler or kernel code).
 */
import { Option, type Command } from "commander";
import type { Runner } from "./commands.js";

export interface ApplyOpts {
  topology?: string;
  target?: string;
  confirmWithin: string;
  rollback: boolean;
  backup?: string;
  confirm?: boolean;
  dropRetired?: boolean;
  watchdog?: string;
  watchdogFor?: string;
  firewalldDir?: string;
}

export const BACKENDS = ["nftables", "iptables", "firewalld", "ufw"] as const;

export function registerApply(program: Command, run: Runner): void {
  program
    .command("apply")
    .description(
      "load the compiled rules into this host's kernel (or firewalld, or ufw); restore the previous ones unless `apply --confirm` runs in time",
    )
    .option("-t, --topology <file>", "the topology (profile, addresses, firewall kind)")
    .option("--target <target>", BACKENDS.join(", "))
    .option("--confirm-within <seconds>", "time to confirm from another session before the restore", "120")
    .option("--no-rollback", "keep the rules without waiting (automation that confirms by its own means)")
    .option("--backup <file>", "also write the restore input for the previous rules here (FILE, FILE.v6)")
    .option("--drop-retired", "leave out flows whose service has ended")
    .option(
      "--firewalld-dir <dir>",
      "firewalld's configuration directory, for --target firewalld (default /etc/firewalld): the zone and policy files go there, then firewall-cmd --reload",
    )
    .option("--confirm", "confirm the pending apply (run it from another shell or SSH session)")
    .addOption(new Option("--watchdog <dir>").hideHelp())
    .addOption(new Option("--watchdog-for <pid:start>").hideHelp())
    .action((opts: ApplyOpts) =>
      run(async () => {
        const r = await import("./apply-run.js");
        return r.runApply(opts);
      }),
    );
}
