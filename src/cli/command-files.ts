/**
 * Which file registers which command, with nothing else loaded: src/cli/boot.ts reads it to pick
 * the bundle made for the command being run (scripts/bundle.mjs: one bundle and code cache per
 * command file, issue 21), and src/cli/commands.ts to load only that command's file.
 */

// In help order. listen: listen + certs · probe: probe + merge · report: diagram + report + serve.
export const COMMAND_FILES = [
  ["show", ["profiles", "show"]],
  ["compile", ["compile"]],
  ["audit", ["audit"]],
  ["listen", ["listen", "certs"]],
  ["probe", ["probe", "merge"]],
  ["dns", ["dns"]],
  ["apply", ["apply"]],
  ["lab", ["lab"]],
  ["report", ["diagram", "report", "serve"]],
  ["import", ["import"]],
  ["schemas", ["schemas"]],
  ["demo", ["demo"]],
] as const;

/** A command file's name: src/cli/<name>.ts. */
export type CommandFile = (typeof COMMAND_FILES)[number][0];

/**
 * What the command line `args` (after the program name) needs: "version" for `--version` alone
 * (no command file at all), a command's file, or "all" — no command, `--help`, or a name that is
 * no command, where every file is loaded so help lists them all and commander can suggest the
 * nearest name.
 */
export function commandFileOf(args: readonly string[]): CommandFile | "version" | "all" {
  const first = args.find((a) => !a.startsWith("-"));
  if (first === undefined)
    return args.length > 0 && args.every((a) => a === "-V" || a === "--version") ? "version" : "all";
  return COMMAND_FILES.find(([, names]) => (names as readonly string[]).includes(first))?.[0] ?? "all";
}
