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
