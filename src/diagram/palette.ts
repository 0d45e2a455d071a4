/**
 * @module How marks look: a colour (distinguishable with the common colour-vision deficiencies:
 * green and red differ in lightness too), a dash pattern (so a grey-scale print still tells them
 * apart) and a symbol in front of each label line. Shared by svg, mermaid, dot and the report.
 */
import type { Mark } from "./results.js";

export interface MarkStyle {
  color: string;
  dash: string;
  symbol: string;
  /** Words for the legend. */
  legend: string;
}

export const MARK_STYLE = {
  ok: { color: "#1a7f37", dash: "", symbol: "✓", legend: "allowed / answered as expected" },
  partial: { color: "#9a6700", dash: "2 3", symbol: "◐", legend: "partly allowed / some probes as expected" },
  failed: { color: "#cf222e", dash: "7 4", symbol: "✗", legend: "blocked / no probe as expected" },
  "not-applicable": { color: "#6e7781", dash: "1 4", symbol: "–", legend: "not applicable" },
  none: { color: "#424a53", dash: "", symbol: "•", legend: "no audit or probe result" },
} as const satisfies Record<Mark, MarkStyle>;

export const MARKS: readonly Mark[] = ["ok", "partial", "failed", "not-applicable", "none"];
