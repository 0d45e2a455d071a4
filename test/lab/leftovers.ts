/** What a lab run may leave behind, looked up by the lab's pid: its namespaces and its processes. */
import { execFileSync, spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, ROOT } from "../cli/run-cli.js";

/** The lab's network namespaces still there (their names start with pml<pid>-). */
export function ours(pid: number): string[] {
  const prefix = `pml${pid % 100000}-`;
  return execFileSync("ip", ["netns", "list"], { encoding: "utf8" })
    .split("\n")
    .map((l) => l.split(" ")[0]!)
    .filter((n) => n.startsWith(prefix));
}

/** Processes still running from the lab run with this pid (its work folder is in their command lines). */
export function strays(pid: number): string[] {
  try {
    return execFileSync("pgrep", ["-af", `portmatrix-lab-${pid}-`], { encoding: "utf8" })
      .trim()
      .split("\n")
      .filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** The lab's work folders still in the temporary folder. */
export function folders(pid: number): string[] {
  return readdirSync(tmpdir()).filter((f) => f.startsWith(`portmatrix-lab-${pid}-`));
}

/**
 * Starts `portmatrix lab -t topology`, sends `signal` once its first listener runs, and waits for it
 * to end: what it had while running, and its exit status.
 */
export async function signalledLab(
  topology: string,
  signal: NodeJS.Signals,
): Promise<{
  pid: number;
  status: number | null;
  /** The signal that ended it (a SIGHUP is raised again after its clean-up), or null. */
  signal: NodeJS.Signals | null;
  stderr: string;
  running: { namespaces: number; processes: number; folders: number };
}> {
  const child = spawn(process.execPath, [CLI, "lab", "-t", join(ROOT, topology)], { cwd: ROOT });
  let stderr = "";
  const listening = new Promise<void>((resolve) =>
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
      if (stderr.includes("listening as")) resolve();
    }),
  );
  const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  await listening;
  const pid = child.pid!;
  const running = {
    namespaces: ours(pid).length,
    processes: strays(pid).length,
    folders: folders(pid).length,
  };
  child.kill(signal);
  const [status, ended] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on("exit", (code, sig) => resolve([code, sig])),
  );
  clearTimeout(timer);
  return { pid, status, signal: ended, stderr, running };
}
