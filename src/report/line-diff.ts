/**
 * A line diff (longest common subsequence) for apply's "what changes": the owned part of the
 * ruleset as the kernel printed it before and after the load. The owned part is at most a few
 * thousand lines, so the quadratic table is fine; beyond a bound the lines are not compared one by
 * one but counted.
 */

const MAX_CELLS = 4_000_000;

/** Unified-style lines: "- old", "+ new"; unchanged lines are left out. */
export function lineDiff(a: readonly string[], b: readonly string[]): string[] {
  if (a.length * b.length > MAX_CELLS)
    return [`- ${a.length} lines`, `+ ${b.length} lines (too many to compare line by line)`];
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && (i === a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!))
      out.push(`+ ${b[j++]}`);
    else out.push(`- ${a[i++]}`);
  }
  return out;
}
