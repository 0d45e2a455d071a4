/** What every command shares: printing diagnostics, the bad-input exit, format checking. */
import { InputError, renderDiagnostic, sortDiagnostics, type Diagnostic } from "../diag/diagnostic.js";
import { visible } from "../diag/safe-text.js";

export { InputError };

export const EXIT = { ok: 0, findings: 1, badInput: 2, environment: 3 } as const;

export function printDiagnostics(diags: readonly Diagnostic[]): void {
  for (const d of sortDiagnostics(diags)) process.stderr.write(renderDiagnostic(d) + "\n");
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

/** An option that must be a whole number ≥ min; anything else is bad input. */
export function wholeNumber(option: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new InputError([
      {
        code: "bad-option",
        severity: "error",
        message: `${option} "${value}" is not a whole number ≥ ${min}`,
        expected: `${option} ${min} or more`,
      },
    ]);
  return n;
}

export function warn(lines: readonly string[]): void {
  // Warnings quote profile text (service names …): its control characters are shown, not run.
  for (const l of lines) process.stderr.write(`warning: ${visible(l)}\n`);
}
