/**
 * @module Text metrics without a browser: every label is set in a monospace font, so a line's width
 * is its length times one advance. DejaVu Sans Mono (Debian's default monospace, installed by
 * scripts/setup.sh for the e2e tests) advances 0.602 em; 7.3 px at 12 px leaves a little slack.
 */

export const FONT_SIZE = 12;
export const CHAR_WIDTH = 7.3;
export const LINE_HEIGHT = 16;
export const PAD = 8;
export const FONT_FAMILY = "'DejaVu Sans Mono', Menlo, Consolas, monospace";

/** Width in px of the widest line, plus padding on both sides. */
export function textWidth(lines: readonly string[]): number {
  return Math.ceil(Math.max(0, ...lines.map((l) => [...l].length)) * CHAR_WIDTH) + 2 * PAD;
}

export function textHeight(lines: readonly string[]): number {
  return lines.length * LINE_HEIGHT + PAD;
}

/** Greedy word wrap; a word longer than the width stands on its own line. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let cur = "";
  for (const w of text.split(/\s+/).filter((s) => s !== "")) {
    if (cur !== "" && cur.length + 1 + w.length > width) {
      out.push(cur);
      cur = w;
    } else cur = cur === "" ? w : `${cur} ${w}`;
  }
  if (cur !== "") out.push(cur);
  return out.length > 0 ? out : [""];
}
