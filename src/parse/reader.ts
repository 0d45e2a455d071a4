/**
 * What every ruleset reader returns. A reader is pure: text in (with the file name for
 * diagnostics), ruleset and problems out; it never throws on bad input.
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import type { Ruleset } from "../ir/ruleset.js";
import type { PathKey, YamlSource } from "../model/yaml-source.js";

export interface ParsedRuleset {
  ruleset: Ruleset;
  diagnostics: Diagnostic[];
}

export type Reader = (text: string, file: string) => ParsedRuleset;

/**
 * A reader stops after this many problems: junk (a 30 MB binary given as a ruleset) would otherwise
 * hold one diagnostic per line in memory — hundreds of MB — for a printer that shows 100 per file.
 */
export const MAX_READER_DIAGNOSTICS = 10_000;

/** The note a reader adds when it stops early. */
export function stoppedReading(file: string, line: number): Diagnostic {
  return {
    code: "too-many-problems",
    severity: "error",
    message: `stopped reading after ${MAX_READER_DIAGNOSTICS} problems`,
    at: { file, line, col: 1 },
    expected: "a ruleset in the format given (is this the right file?)",
  };
}

/** How a JSON reader reports a problem at a path of its document (file:line:col from the source). */
export type JsonProblem = (
  code: string,
  message: string,
  path: PathKey[],
  expected?: string,
  severity?: "error" | "warning",
) => void;

/** A JSON reader's problem sink: each problem located at its path, pushed onto `diagnostics`. */
export function jsonProblems(source: YamlSource, diagnostics: Diagnostic[]): JsonProblem {
  return (code, message, path, expected, severity = "error") => {
    diagnostics.push(diag(code, severity, message, { at: source.positionOf(path), expected }));
  };
}
