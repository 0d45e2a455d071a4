/**
 * The one registry of commands; each command file registers its own options. Only the invoked
 * command's file is loaded (its dependencies — TLS certificates, SQLite, the layout engine — cost
 * tenths of a second each at start-up); `--help`, a mistyped command or none at all load every one,
 * so help lists them all and commander can suggest the nearest name (src/cli/command-files.ts).
 */
import type { Command } from "commander";
import { COMMAND_FILES, commandFileOf, type CommandFile } from "./command-files.js";

export type Runner = (fn: () => Promise<number> | number) => void;
type Register = (program: Command, run: Runner) => void;

// A bundle made for one command file (scripts/bundle.mjs) holds only that file: the others'
// import() there is a stand-in that throws, never reached, as src/cli/boot.ts runs that bundle
// only for that file's commands.
const LOAD: Readonly<Record<CommandFile, () => Promise<Register>>> = {
  show: async () => (await import("./show.js")).registerShow,
  compile: async () => (await import("./compile.js")).registerCompile,
  audit: async () => (await import("./audit.js")).registerAudit,
  listen: async () => (await import("./listen.js")).registerListen,
  probe: async () => (await import("./probe.js")).registerProbe,
  dns: async () => (await import("./dns.js")).registerDns,
  apply: async () => (await import("./apply.js")).registerApply,
  lab: async () => (await import("./lab.js")).registerLab,
  report: async () => (await import("./report.js")).registerReport,
  import: async () => (await import("./import.js")).registerImport,
  schemas: async () => (await import("./schemas.js")).registerSchemas,
  demo: async () => (await import("./demo.js")).registerDemo,
};

/** `args`: the command line after the program name. */
export async function registerCommands(
  program: Command,
  run: Runner,
  args: readonly string[],
): Promise<void> {
  const file = commandFileOf(args);
  if (file === "version") return;
  for (const f of file === "all" ? COMMAND_FILES.map(([name]) => name) : [file])
    (await LOAD[f]())(program, run);
}
