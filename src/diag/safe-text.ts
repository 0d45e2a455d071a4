/**
 * Text from input files (profiles, topologies, rulesets) is data, never structure: before it is
 * written into a line-based output it must not be able to end the line, move the cursor, or hide
 * and reorder what a reader sees. The characters that can: C0 and C1 controls and DEL (newlines,
 * ESC sequences for terminals), the Unicode line and paragraph separators (line breaks to
 * JavaScript, JSON readers and some editors), the bidirectional controls that make text display in
 * another order than it parses ("Trojan Source", CVE-2021-42574), the BOM, and lone surrogates
 * (not encodable as UTF-8). One list here; the compile targets' escapers (src/compile/text.ts) and
 * the report renderers build on it. Pure.
 */
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** True when `s` holds a character of the unsafe list. */
export function hasUnsafeText(s: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(s);
  UNSAFE.lastIndex = 0;
  return found;
}

/** One line of plain text: every run of unsafe characters becomes one space (for comments). */
export function oneLine(s: string): string {
  return s.replace(new RegExp(`(?:${UNSAFE.source})+`, "g"), " ");
}

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * The text with its unsafe characters shown as escapes (`\n`, `\x1b`, `\u202e`): what a terminal
 * or a report shows of a ruleset's own text, so the reader sees what is there and nothing runs.
 */
export function visible(s: string): string {
  // Most text has nothing to escape: a test, not a replace that calls back (issue 21: audit's
  // text report passes every rule's text through here).
  if (!hasUnsafeText(s)) return s;
  return s.replace(UNSAFE, (c) => {
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** UTF-8 bytes of one character (a lone surrogate counts as the 3 bytes of its replacement). */
const width = (ch: string): number => {
  const cp = ch.codePointAt(0)!;
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
};

/**
 * Characters XML 1.0 does not allow at all (§2.2 Char: C0 controls but tab, LF and CR; U+FFFE,
 * U+FFFF; lone surrogates), even as character references: one makes a JUnit file unreadable.
 */
const NOT_XML =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The text with the characters XML cannot hold shown as escapes (`\x1b`); tab and newlines kept. */
export function xmlChars(s: string): string {
  return s.replace(NOT_XML, visible);
}

/** At most `max` bytes of UTF-8, cut between characters (never inside one). */
export function truncateUtf8(s: string, max: number): string {
  let bytes = 0;
  let out = "";
  for (const ch of s) {
    const n = width(ch);
    if (bytes + n > max) break;
    bytes += n;
    out += ch;
  }
  return out;
}

/** Length of `s` in UTF-8 bytes. */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (const ch of s) bytes += width(ch);
  return bytes;
}
