/**
 * The one registry of commands; each command file registers its own options. Only the invoked
 * command's file is loaded (its dependencies — TLS certificates, SQLite, the layout engine — cost
 * tenths of a second each at start-up); `--help`, a mistyped command or none at all load every one,
 * so help lists them all and commander can suggest the nearest name.
 */
import type { Command } from "commander";

export type Runner = (fn: () => Promise<number> | number) => void;
type Register = (program: Command, run: Runner) => void;

// In help order. listen.ts: listen + certs · probe.ts: probe + merge · report.ts: diagram + report + serve.
const REGISTRY: ReadonlyArray<readonly [names: readonly string[], load: () => Promise<Register>]> = [
  [["profiles", "show"], async () => (await import("./show.js")).registerShow],
  [["compile"], async () => (await import("./compile.js")).registerCompile],
  [["audit"], async () => (await import("./audit.js")).registerAudit],
  [["listen", "certs"], async () => (await import("./listen.js")).registerListen],
  [["probe", "merge"], async () => (await import("./probe.js")).registerProbe],
  [["dns"], async () => (await import("./dns.js")).registerDns],
  [["apply"], async () => (await import("./apply.js")).registerApply],
  [["lab"], async () => (await import("./lab.js")).registerLab],
  [["diagram", "report", "serve"], async () => (await import("./report.js")).registerReport],
  [["schemas"], async () => (await import("./schemas.js")).registerSchemas],
  [["demo"], async () => (await import("./demo.js")).registerDemo],
];

/** `args`: the command line after the program name. */
export async function registerCommands(
  program: Command,
  run: Runner,
  args: readonly string[],
): Promise<void> {
  const first = args.find((a) => !a.startsWith("-"));
  if (first === undefined && args.length > 0 && args.every((a) => a === "-V" || a === "--version")) return;
  const hit = REGISTRY.filter(([names]) => first !== undefined && names.includes(first));
  for (const [, load] of hit.length > 0 ? hit : REGISTRY) (await load())(program, run);
}
