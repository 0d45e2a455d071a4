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

/**
 * Compiles the seed perimeter for `target` without its retired rows into `file`, audits the file
 * back, and checks the verdicts: the retired flows blocked (as they should be), every other one
 * allowed, and at least one of those.
 */
export function assertPerimeterRoundTrip(target: string, file: string): void {
  const c = runCli([
    "compile",
    "-t",
    "examples/seed-perimeter.yaml",
    "--target",
    target,
    "--drop-retired",
    "-o",
    file,
  ]);
  if (c.status !== 0) throw new Error(`compile --target ${target}: exit ${c.status}: ${c.stderr}`);
  const ok = runCli(["audit", "-t", "examples/seed-perimeter.yaml", "-r", file, "--format", "json"]);
  if (ok.status !== 0) throw new Error(`audit of the ${target} output: exit ${ok.status}: ${ok.stderr}`);
  const report = JSON.parse(ok.stdout) as { flows: Array<{ id: string; verdict: string; retired: boolean }> };
  if (!report.flows.some((f) => !f.retired)) throw new Error("no flow that is not retired");
  const wrong = report.flows.filter((f) => f.verdict !== (f.retired ? "blocked" : "allowed"));
  if (wrong.length > 0) throw new Error(`verdicts read back: ${JSON.stringify(wrong)}`);
}
