/**
 * @module The one escaping function for everything we write into HTML and SVG: text and attribute
 * values alike (both contexts are safe when &, <, >, " and ' are replaced). Pure.
 */
import { xmlChars } from "../diag/safe-text.js";

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function esc(value: string | number): string {
  // Characters HTML/XML cannot hold (a ruleset's comment may carry any) are shown as escapes.
  return xmlChars(String(value)).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}
