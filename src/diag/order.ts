/**
 * A locale-free order of strings, for everything a user sees sorted (generated rulesets, reports):
 * by UTF-16 code units, as `Array.prototype.sort` without a comparator. `localeCompare` follows the
 * collation of the user's locale (Danish sorts "aa" after "z", ICU's root puts "_" before digits),
 * so the same input gave different files on different machines; its first call also loads ICU's
 * collator (6–17 ms of a command's start, issue 21).
 */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
