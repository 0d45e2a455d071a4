/**
 * Problems are data: every reader, validator and compiler collects Diagnostics instead of throwing,
 * so the user sees all of them at once. One renderer words them (render.ts); `throw` is for bugs.
 */
import { visible } from "./safe-text.js";

export type Severity = "error" | "warning" | "note";

export interface Position {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
}

export interface Diagnostic {
  /** Stable machine code, e.g. `yaml-syntax`, `unknown-key`; listed in ARCHITECTURE.md. */
  code: string;
  severity: Severity;
  message: string;
  /** What would have been accepted. */
  expected?: string;
  at?: Position;
}

export function diag(
  code: string,
  severity: Severity,
  message: string,
  extra: { expected?: string | undefined; at?: Position | undefined } = {},
): Diagnostic {
  const d: Diagnostic = { code, severity, message };
  if (extra.expected !== undefined) d.expected = extra.expected;
  if (extra.at !== undefined) d.at = extra.at;
  return d;
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === "error");
}

/** `file:line:col: error[code]: message; expected …` — one line per problem. */
export function renderDiagnostic(d: Diagnostic): string {
  const where = d.at ? `${d.at.file}:${d.at.line}:${d.at.col}: ` : "";
  const expected = d.expected ? `; expected ${d.expected}` : "";
  // One line, whatever a message quotes (a JSON parser's snippet of the input can hold newlines),
  // and no control character of the input reaches the terminal (shown as escapes).
  return visible(`${where}${d.severity}[${d.code}]: ${d.message}${expected}`);
}

/** Sorts by file, line, column so output is stable whatever order checks ran in. */
export function sortDiagnostics(diags: readonly Diagnostic[]): Diagnostic[] {
  return [...diags].sort((a, b) => {
    const fa = a.at?.file ?? "";
    const fb = b.at?.file ?? "";
    if (fa !== fb) return fa < fb ? -1 : 1;
    return (a.at?.line ?? 0) - (b.at?.line ?? 0) || (a.at?.col ?? 0) - (b.at?.col ?? 0);
  });
}

/** Thrown for bad input (by commands, and by the shell's file writer); main.ts prints the diagnostics and exits 2. Never for bugs. */
export class InputError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(renderDiagnostic).join("\n"));
  }
}
