/**
 * The state of an apply that waits for confirmation, shared by the waiting `apply`, its detached
 * watchdog and `apply --confirm` from another session. One folder per network namespace
 * (/run/portmatrix/net-<inode of /proc/self/ns/net>): one kernel firewall, one pending apply;
 * `ip netns exec` sessions see the same /run but get their own folder.
 *
 * Files: `lock` (the applying process, created exclusively: a second apply is refused),
 * `pending.json` (what to restore and until when). The decision is one atomic rename(2) of
 * `pending.json`: to `confirmed.json` by `--confirm`, to `restoring.json` by whoever restores
 * (the waiting apply at the deadline or on a signal, the watchdog a little later if the apply is
 * gone). Exactly one rename can succeed, so a confirmation and a restore can never both happen.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { OwnedState } from "./kernel-firewall.js";

export interface ProcessId {
  pid: number;
  /** /proc/<pid>/stat start time (clock ticks since boot): a reused pid is not taken for ours. */
  start: string;
}

export interface Pending {
  version: 1;
  apply: ProcessId;
  watchdog?: ProcessId;
  deadlineMs: number;
  previous: OwnedState;
  header: string;
}

export function runRoot(): string {
  return process.env.PORTMATRIX_RUN_DIR ?? "/run/portmatrix";
}

export function stateDir(): string {
  return join(runRoot(), `net-${statSync("/proc/self/ns/net").ino}`);
}

const file = (dir: string, name: "lock" | "pending.json" | "confirmed.json" | "restoring.json") =>
  join(dir, name);

export function processId(pid: number): ProcessId | undefined {
  try {
    // Field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces, so count after ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { pid, start: rest[19] ?? "" };
  } catch {
    return undefined;
  }
}

export function alive(p: ProcessId | undefined): boolean {
  return p !== undefined && processId(p.pid)?.start === p.start;
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}

export type Acquired =
  | { ok: true; stale?: { holder: ProcessId | undefined; pending?: Pending } }
  | { ok: false; holder: ProcessId | undefined; pending?: Pending };

/**
 * Takes the lock for this process. Held by a live apply (or a live watchdog of a killed apply):
 * refused. Held by the dead: taken over, and the dead one's pending restore (if nobody decided it)
 * handed back to the caller, who restores it before anything else.
 */
export function acquire(dir: string): Acquired {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const me = processId(process.pid)!;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file(dir, "lock"), JSON.stringify(me) + "\n", { flag: "wx", mode: 0o600 });
      return { ok: true };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const holder = readJson<ProcessId>(file(dir, "lock"));
    const pending = readJson<Pending>(file(dir, "pending.json"));
    if (alive(holder) || alive(pending?.watchdog))
      return { ok: false, holder, ...(pending ? { pending } : {}) };
    // Stale: keep an undecided pending restore aside for the caller, clear the rest, retry once.
    const undecided = claim(dir) ? pending : undefined;
    release(dir);
    if (attempt === 0) {
      const again = acquire(dir);
      return again.ok ? { ok: true, stale: { holder, ...(undecided ? { pending: undecided } : {}) } } : again;
    }
  }
  return { ok: false, holder: undefined };
}

export function lockHolder(dir: string): ProcessId | undefined {
  return readJson<ProcessId>(file(dir, "lock"));
}

export function writePending(dir: string, p: Pending): void {
  const tmp = join(dir, `.pending.${process.pid}`);
  writeFileSync(tmp, JSON.stringify(p) + "\n", { mode: 0o600 });
  renameSync(tmp, file(dir, "pending.json"));
}

export function readPending(dir: string): Pending | undefined {
  return readJson<Pending>(file(dir, "pending.json"));
}

function rename(dir: string, to: "confirmed.json" | "restoring.json"): boolean {
  try {
    renameSync(file(dir, "pending.json"), file(dir, to));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw e;
  }
}

/** Takes the decision "restore"; false when it was already taken (confirmed or being restored). */
export function claim(dir: string): boolean {
  return rename(dir, "restoring.json");
}

export type Decision = "pending" | "confirmed" | "restoring" | "none";

export function decision(dir: string): Decision {
  const has = (n: Parameters<typeof file>[1]) => {
    try {
      statSync(file(dir, n));
      return true;
    } catch {
      return false;
    }
  };
  if (has("pending.json")) return "pending";
  if (has("confirmed.json")) return "confirmed";
  if (has("restoring.json")) return "restoring";
  return "none";
}

/** `apply --confirm`: what happened. */
export type ConfirmResult =
  { result: "confirmed"; pending: Pending; orphan: boolean } | { result: "too-late" | "nothing-pending" };

export function confirm(dir: string): ConfirmResult {
  const pending = readPending(dir);
  if (pending && rename(dir, "confirmed.json")) {
    // Nobody left to see the confirmation (apply and watchdog both gone): clear the state here.
    const orphan = !alive(pending.apply) && !alive(pending.watchdog);
    if (orphan) release(dir);
    return { result: "confirmed", pending, orphan };
  }
  return { result: decision(dir) === "restoring" ? "too-late" : "nothing-pending" };
}

export function release(dir: string): void {
  for (const n of ["pending.json", "confirmed.json", "restoring.json", "lock"] as const)
    rmSync(file(dir, n), { force: true });
}
