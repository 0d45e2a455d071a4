/** Runs the built CLI as a user would: a child process, with the lifecycle date pinned. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../../src/shell/load.js";

/** The repository root, from dist/ when built or from the sources under tsx. */
export const ROOT = PACKAGE_ROOT;
export const CLI = join(ROOT, "dist/src/cli/main.js");

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: readonly string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? ROOT,
    encoding: "utf8",
    env: { ...process.env, PORTMATRIX_AS_OF: "2026-11-25", ...opts.env },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
