/**
 * Constants of the `portmatrix audit --format json` contract (report-schema.ts), apart from its
 * zod schema: the audit and the text and SARIF reports need these values, not the schema, and
 * building the schema at load was most of `audit`'s start beyond the CLI's own (issue 21).
 */
export const AUDIT_REPORT_VERSION = 1;

/** `rule.note` of an exposure entry whose packets an approximated rule drops as read but may let pass. */
export const HIDDEN_EXPOSURE_NOTE = "approximated: these packets are dropped as read but may pass";

/**
 * Appended to the reason of an approximation in a rule that only observes (log, counter, a `ct
 * helper set`): it changes no verdict. The text report gathers such entries by it.
 */
export const OBSERVES_NOTE = " (the rule only observes: no verdict changes)";
