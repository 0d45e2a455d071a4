/**
 * Apply's waiting: the countdown until `apply --confirm` or the deadline, signals that restore, and
 * the detached watchdog that restores when the waiting process is killed outright. The protocol
 * itself (lock, pending state, the one atomic decision) is shell/pending.ts.
 */
import { spawn } from "node:child_process";
import { KernelError, loadOwned } from "../shell/kernel-firewall.js";
import {
  alive,
  claim,
  decision,
  lockHolder,
  processId,
  readPending,
  release,
  type Pending,
  type ProcessId,
} from "../shell/pending.js";
import { diag } from "../diag/diagnostic.js";
import { EXIT, printDiagnostics } from "./io.js";

/** How long after the deadline the watchdog waits for the applying process to restore first. */
const WATCHDOG_GRACE_MS = 2000;
const POLL_MS = 100;
/** How long the watchdog waits for its apply's pending state to appear. */
const WATCHDOG_START_MS = 10_000;

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export interface Caught {
  first(): NodeJS.Signals | undefined;
  stop(): void;
}

export function catchSignals(): Caught {
  const seen: NodeJS.Signals[] = [];
  const on = (s: NodeJS.Signals) => seen.push(s);
  for (const s of SIGNALS) process.on(s, on);
  return { first: () => seen[0], stop: () => SIGNALS.forEach((s) => process.off(s, on)) };
}

/** The watchdog: this program again, detached into its own session, so it outlives a SIGKILL of ours. */
export function startWatchdog(dir: string): Pending["watchdog"] {
  // Who it watches goes on the command line: by the time it reads its parent pid, a SIGKILL may have
  // made it init's child.
  const me = processId(process.pid)!;
  const args = ["apply", "--watchdog", dir, "--watchdog-for", `${me.pid}:${me.start}`];
  // execArgv too: under `node --import tsx src/cli/main.ts` the watchdog needs the same loader.
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...args], {
    detached: true,
    stdio: "ignore",
  });
  child.unref();
  return child.pid === undefined ? undefined : processId(child.pid);
}

export function waitForDecision(
  dir: string,
  pending: Pending,
  backup: string | undefined,
  early: Caught,
): Promise<number> {
  return new Promise((resolve) => {
    const tty = process.stderr.isTTY === true;
    let shown = -1;
    const finish = (code: number) => {
      clearInterval(timer);
      for (const s of SIGNALS) process.off(s, onSignal);
      if (tty) process.stderr.write("\r\x1b[K");
      resolve(code);
    };
    const restoreNow = (why: string) => {
      if (claim(dir)) {
        try {
          loadOwned(pending.previous, pending.header);
        } catch (e) {
          if (!(e instanceof KernelError)) throw e;
          const kept = backup === undefined ? "" : ` (restore input: ${backup})`;
          printDiagnostics([
            diag("apply-environment", "error", `${why}, but the restore failed: ${e.message}`, {
              expected: `a manual restore${kept}`,
            }),
          ]);
          return finish(EXIT.environment);
        }
        process.stderr.write(`${tty ? "\r\x1b[K" : ""}${why}: the previous rules are restored\n`);
        return finish(EXIT.findings);
      }
      settle();
    };
    const onSignal = (s: NodeJS.Signals) => restoreNow(`${s} before confirmation`);
    const settle = () => {
      const d = decision(dir);
      if (d === "confirmed") {
        process.stderr.write(`${tty ? "\r\x1b[K" : ""}confirmed: the new rules are kept\n`);
        return finish(EXIT.ok);
      }
      if (d !== "pending") {
        process.stderr.write(`${tty ? "\r\x1b[K" : ""}not confirmed: the previous rules were restored\n`);
        return finish(EXIT.findings);
      }
      const left = Math.ceil((pending.deadlineMs - Date.now()) / 1000);
      if (left <= 0) return restoreNow(`not confirmed within the time`);
      if (tty && left !== shown)
        process.stderr.write(
          `\r\x1b[K${(shown = left)} s to confirm: portmatrix apply --confirm (another session)`,
        );
    };
    for (const s of SIGNALS) process.on(s, onSignal);
    early.stop();
    const timer = setInterval(settle, POLL_MS);
    const caught = early.first();
    if (caught) onSignal(caught);
    else settle();
  });
}

/**
 * The watchdog, started by an apply (its parent) before it writes pending.json: restores at the
 * deadline plus a grace unless the decision is taken. It acts only on its own apply's pending state
 * (a later apply's is not its business) and gives up if none appears within a few seconds.
 */
export async function watchdog(dir: string, watched: string): Promise<number> {
  for (const s of ["SIGINT", "SIGHUP"] as const) process.on(s, () => undefined);
  const [pid, start] = watched.split(":");
  const owner: ProcessId = { pid: Number(pid), start: start ?? "" };
  const same = (a: ProcessId | undefined) =>
    a !== undefined && a.pid === owner?.pid && a.start === owner.start;
  const startBy = Date.now() + WATCHDOG_START_MS;
  let mine = false;
  for (;;) {
    const p = readPending(dir);
    if (p !== undefined && same(p.apply)) {
      mine = true;
      if (Date.now() >= p.deadlineMs + WATCHDOG_GRACE_MS) {
        if (claim(dir)) loadOwned(p.previous, p.header);
        break;
      }
    } else if (mine || Date.now() > startBy || !alive(owner)) break;
    await new Promise((r) => setTimeout(r, POLL_MS * 2));
  }
  // The applying process cleans up after itself; when it is gone, the watchdog does.
  // (Also when it never saw the pending state: a quick confirmation can beat its start-up.)
  if (!alive(owner) && same(lockHolder(dir)) && decision(dir) !== "pending") release(dir);
  return EXIT.ok;
}
