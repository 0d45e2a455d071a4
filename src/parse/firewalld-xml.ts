/**
 * firewalld's XML files (zones, services, ipsets, policies, helpers, icmptypes) read into a tree of
 * elements with their positions, by saxes (a strict, non-validating XML parser that tracks lines
 * and columns). Pure: text in, tree or one located problem out.
 */
import { SaxesParser } from "saxes";

export interface XmlElement {
  name: string;
  attrs: Map<string, string>;
  children: XmlElement[];
  /** Text directly inside the element, trimmed. */
  text: string;
  line: number;
  col: number;
  /** The start tag as written, on one line (for findings). */
  source: string;
}

export type XmlRead =
  { ok: true; root: XmlElement } | { ok: false; line: number; col: number; message: string };

export function readXml(text: string): XmlRead {
  const parser = new SaxesParser({ position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let failed: { line: number; col: number; message: string } | undefined;
  let start = { line: 1, col: 1, offset: 0 };
  parser.on("opentagstart", (tag) => {
    // The parser stands one character past `<name`: the element starts name.length + 2 before.
    start = {
      line: parser.line,
      col: Math.max(1, parser.column - tag.name.length - 1),
      offset: Math.max(0, parser.position - tag.name.length - 2),
    };
  });
  parser.on("opentag", (tag) => {
    const attrs = new Map<string, string>();
    for (const [k, v] of Object.entries(tag.attributes)) attrs.set(k, typeof v === "string" ? v : v.value);
    const source = text
      .slice(start.offset, parser.position)
      .replace(/\s*\n\s*/g, " ")
      .trim();
    const el: XmlElement = {
      name: tag.name,
      attrs,
      children: [],
      text: "",
      line: start.line,
      col: start.col,
      source,
    };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root ??= el;
    stack.push(el); // saxes ends a self-closing element with a closetag event too
  });
  parser.on("text", (t) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  });
  parser.on("cdata", (t) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  });
  parser.on("closetag", (tag) => {
    const top = stack.pop();
    if (top) top.text = top.text.trim();
    void tag;
  });
  parser.on("error", (e) => {
    failed ??= {
      line: parser.line,
      col: Math.max(1, parser.column),
      message: e.message.replace(/^(?:[^:\n]*:)?\d+:\d+: /, ""),
    };
  });
  try {
    parser.write(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).close();
  } catch (e) {
    failed ??= { line: parser.line, col: Math.max(1, parser.column), message: (e as Error).message };
  }
  if (failed) return { ok: false, ...failed };
  if (!root) return { ok: false, line: 1, col: 1, message: "no XML element" };
  return { ok: true, root };
}
