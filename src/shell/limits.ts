/**
 * Open-file limit for commands that hold many sockets (listen binds one per port and address: the
 * seed's media range on two families is 20,000). Node has no setrlimit, so the limit of this very
 * process is raised with util-linux `prlimit --pid` (root may raise the hard limit too; others up to
 * it). Linux only; elsewhere, or when prlimit is missing, the limit stays and EMFILE is reported per
 * port by the caller.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

export function fileLimit(): { soft: number; hard: number } | undefined {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const m = line && /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(line);
    if (!m) return undefined;
    const n = (s: string): number => (s === "unlimited" ? Number.MAX_SAFE_INTEGER : Number(s));
    return { soft: n(m[1]!), hard: n(m[2]!) };
  } catch {
    return undefined;
  }
}

/** Makes room for `need` open files if it can; returns the soft limit in force afterwards. */
export function raiseFileLimit(need: number): number | undefined {
  const now = fileLimit();
  if (!now || now.soft >= need) return now?.soft;
  const attempts = [`${need}:${Math.max(need, now.hard)}`, `${Math.min(need, now.hard)}:${now.hard}`];
  for (const spec of attempts) {
    try {
      execFileSync("prlimit", ["--pid", String(process.pid), `--nofile=${spec}`], {
        stdio: "ignore",
        timeout: 5000,
      });
      const after = fileLimit();
      if (after && after.soft > now.soft) return after.soft;
    } catch {
      /* not permitted or not installed: try the next, then give up */
    }
  }
  return fileLimit()?.soft;
}
