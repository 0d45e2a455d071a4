/** What a lab run may leave behind, looked up by the lab's pid: its namespaces and its processes. */
import { execFileSync } from "node:child_process";

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
