import { constants } from "node:os";
/** What every command shares: printing diagnostics, the bad-input exit, format checking. */
import { InputError, renderDiagnostic, sortDiagnostics, type Diagnostic } from "../diag/diagnostic.js";
import { visible } from "../diag/safe-text.js";

export { InputError };

export const EXIT = { ok: 0, findings: 1, badInput: 2, environment: 3 } as const;

/** At most this many diagnostics are printed per file; the rest are counted (junk input can give millions). */
export const MAX_DIAGNOSTICS_PER_FILE = 100;

export function printDiagnostics(diags: readonly Diagnostic[]): void {
  const shown = new Map<string, number>();
  const hidden = new Map<string, number>();
  const lines: string[] = [];
  const flush = (): void => {
    if (lines.length > 0) process.stderr.write(lines.join("\n") + "\n");
    lines.length = 0;
  };
  for (const d of sortDiagnostics(diags)) {
    const file = d.at?.file ?? "";
    const n = shown.get(file) ?? 0;
    // A reader that stopped early says so even past the cap: the count below is then not all.
    if (n >= MAX_DIAGNOSTICS_PER_FILE && d.code !== "too-many-problems") {
      hidden.set(file, (hidden.get(file) ?? 0) + 1);
      continue;
    }
    shown.set(file, n + 1);
    lines.push(renderDiagnostic(d));
    if (lines.length >= 1000) flush();
  }
  for (const [file, more] of hidden)
    lines.push(
      renderDiagnostic({
        code: "more-diagnostics",
        severity: "note",
        message: `… and ${more} more problem${more === 1 ? "" : "s"} ${file === "" ? "" : `in ${file} `}not shown`,
        expected: `the first ${MAX_DIAGNOSTICS_PER_FILE} fixed, then a new run`,
      }),
    );
  flush();
}

export function choice<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError([
    {
      code: "bad-option",
      severity: "error",
      message: `${option} "${value}" is not supported`,
      expected: `one of ${allowed.join(", ")}`,
    },
  ]);
}

/**
 * The longest delay Node's timers take: a larger one fires after 1 ms instead (Node docs, setTimeout).
 * Every whole-number option stays within it, times in ms and counts alike.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** An option that must be a whole number from min to max; anything else is bad input. */
export function wholeNumber(option: string, value: string, min: number, max: number = MAX_TIMER_MS): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new InputError([
      {
        code: "bad-option",
        severity: "error",
        message: `${option} "${value}" is not a whole number from ${min} to ${max}`,
        expected: `${option} ${min} to ${max}`,
      },
    ]);
  return n;
}

/**
 * The signals that end a long-running command (lab, demo, listen, serve): Ctrl-C, kill, and SIGHUP
 * (the terminal closed) — each cleans up the same way. Returns the function that stops listening.
 */
export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

export function onStopSignal(fn: (signal: StopSignal) => void): () => void {
  const handlers = STOP_SIGNALS.map((s) => [s, () => fn(s)] as const);
  for (const [s, h] of handlers) process.once(s, h);
  return () => {
    for (const [s, h] of handlers) process.off(s, h);
  };
}

/** The shell's exit status for a process ended by `signal`: 128 + its number (130, 143, 129). */
export function signalExitCode(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}

/**
 * Ends the process after a stop signal's clean-up. SIGHUP is raised again with its default action
 * (the shell sees 129 all the same): after a hangup, Node's exit path restores the terminal's modes
 * and aborts when the terminal is gone (node::ResetStdio assertion, EIO).
 */
export function exitAfterSignal(signal: StopSignal): void {
  if (signal === "SIGHUP") {
    process.removeAllListeners("SIGHUP");
    process.kill(process.pid, "SIGHUP");
    return;
  }
  process.exit(signalExitCode(signal));
}

export function warn(lines: readonly string[]): void {
  // Warnings quote profile text (service names …): its control characters are shown, not run.
  for (const l of lines) process.stderr.write(`warning: ${visible(l)}\n`);
}
