/**
 * What every ruleset reader returns. A reader is pure: text in (with the file name for
 * diagnostics), ruleset and problems out; it never throws on bad input.
 */
import type { Diagnostic } from "../diag/diagnostic.js";
import type { Ruleset } from "../ir/ruleset.js";

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
