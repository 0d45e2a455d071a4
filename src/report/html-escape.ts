/**
 * @module The one escaping function for everything we write into HTML and SVG: text and attribute
 * values alike (both contexts are safe when &, <, >, " and ' are replaced). Pure.
 */
const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}
