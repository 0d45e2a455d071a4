/**
 * PAN-OS reader, syntax half: the three ways admins export a PAN-OS configuration, read into one
 * tree of named nodes. The running-config XML (`<entry name="X">` becomes the node X under its
 * parent), the brace form of `show config running` (`X { … }`, `key value;`, `key [ a b ];`) and
 * the `set` form of `set cli config-output-format set` (`set a b c value`, `set … key [ a b ]`,
 * `delete a b`). Leaf values are lists: `<member>` elements, `[ … ]` lists and repeated `set`
 * lines accumulate; single-valued fields are read as their last value. The XML subset a
 * running-config uses (elements, attributes, text, comments, the five entities and numeric
 * references, CDATA) is read by hand: no XML parser is a dependency of portmatrix. Pure.
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { lookupTable } from "./lookup.js";

export class PNode {
  readonly children = new Map<string, PNode>();
  values: string[] = [];
  constructor(readonly line: number) {}
  child(key: string, line: number): PNode {
    let n = this.children.get(key);
    if (!n) this.children.set(key, (n = new PNode(line)));
    return n;
  }
  get(...path: string[]): PNode | undefined {
    return path.reduce<PNode | undefined>((n, k) => n?.children.get(k), this);
  }
  /** The last value of a single-valued field (or of a one-child node: `<action>allow</action>`). */
  value(...path: string[]): string | undefined {
    const n = this.get(...path);
    return n?.values.at(-1);
  }
  /** Values of a list field; `<x><member>a</member></x>` and `x [ a b ]` alike. */
  list(...path: string[]): string[] {
    return this.get(...path)?.values ?? [];
  }
}

export type PanosSyntax = "xml" | "brace" | "set";

export interface PanosTree {
  root: PNode;
  syntax: PanosSyntax;
  diagnostics: Diagnostic[];
}

export function panosSyntax(text: string): PanosSyntax {
  const head = text.replace(/^\uFEFF/, "").trimStart();
  if (head.startsWith("<")) return "xml";
  if (/^\s*(set|delete)\s/m.test(text) && !/^\s*config\s*\{/m.test(text)) return "set";
  return "brace";
}

export function parsePanosTree(text: string, file: string): PanosTree {
  const syntax = panosSyntax(text);
  const diagnostics: Diagnostic[] = [];
  const root = new PNode(1);
  const problem = (line: number, col: number, message: string, expected?: string): void => {
    diagnostics.push(diag("panos-syntax", "error", message, { at: { file, line, col }, expected }));
  };
  if (syntax === "xml") readXml(text, root, problem);
  else if (syntax === "brace") readBrace(text, root, problem);
  else readSet(text, root, problem);
  return { root, syntax, diagnostics };
}

type Problem = (line: number, col: number, message: string, expected?: string) => void;

function lineCol(text: string, at: number): [number, number] {
  let line = 1;
  let last = -1;
  for (let i = text.indexOf("\n"); i !== -1 && i < at; i = text.indexOf("\n", i + 1)) {
    line++;
    last = i;
  }
  return [line, at - last];
}

const ENTITIES: Record<string, string> = lookupTable({ amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" });

function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (all, e: string) => {
    if (e.startsWith("#x")) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith("#")) return String.fromCodePoint(Number(e.slice(1)));
    return ENTITIES[e] ?? all;
  });
}

function readXml(text: string, root: PNode, problem: Problem): void {
  // Each open element: the node it fills, its tag, and the text seen inside it.
  const stack: Array<{ node: PNode; tag: string; text: string; hasChild: boolean; parent: PNode }> = [];
  let i = 0;
  const tagRe = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/y;
  while (i < text.length) {
    const lt = text.indexOf("<", i);
    const chunk = text.slice(i, lt === -1 ? text.length : lt);
    if (stack.length > 0) stack[stack.length - 1]!.text += chunk;
    else if (chunk.trim() !== "" && chunk.trim() !== "\uFEFF") {
      const [l, c] = lineCol(text, i);
      problem(l, c, "text outside the XML root element", "one <config> element");
    }
    if (lt === -1) break;
    if (text.startsWith("<!--", lt) || text.startsWith("<?", lt) || text.startsWith("<!DOCTYPE", lt)) {
      const end = text.startsWith("<!--", lt) ? text.indexOf("-->", lt) : text.indexOf(">", lt);
      if (end === -1) {
        const [l, c] = lineCol(text, lt);
        return problem(l, c, "unterminated XML comment or declaration", "--> or >");
      }
      i = end + (text.startsWith("<!--", lt) ? 3 : 1);
      continue;
    }
    if (text.startsWith("<![CDATA[", lt)) {
      const end = text.indexOf("]]>", lt);
      if (end === -1) {
        const [l, c] = lineCol(text, lt);
        return problem(l, c, "unterminated CDATA section", "]]>");
      }
      if (stack.length > 0) stack[stack.length - 1]!.text += text.slice(lt + 9, end).replace(/&/g, "&amp;");
      i = end + 3;
      continue;
    }
    tagRe.lastIndex = lt;
    const m = tagRe.exec(text);
    const [line, col] = lineCol(text, lt);
    if (!m) return problem(line, col, "malformed XML tag", '<name attr="value">, </name> or <name/>');
    i = tagRe.lastIndex;
    const [, close, tag, attrText, selfClose] = m as unknown as [string, string, string, string, string];
    if (close) {
      const top = stack.pop();
      if (!top || top.tag !== tag)
        return problem(
          line,
          col,
          `</${tag}> closes ${top ? `<${top.tag}>` : "nothing"}`,
          `</${top?.tag ?? ""}>`,
        );
      closeElement(top);
      continue;
    }
    const attrs = new Map<string, string>();
    for (const a of attrText.matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g))
      attrs.set(a[1]!, unescapeXml(a[2] ?? a[3] ?? ""));
    const parentFrame = stack[stack.length - 1];
    const parent = parentFrame?.node ?? root;
    if (parentFrame) parentFrame.hasChild = true;
    // `<entry name="X">` is the node X; `<member>` is a value of its parent; others are nodes.
    let node: PNode;
    if (tag === "member") node = new PNode(line);
    else if (tag === "entry" && attrs.has("name")) node = parent.child(attrs.get("name")!, line);
    else node = parent.child(tag, line);
    const frame = { node, tag, text: "", hasChild: false, parent };
    if (selfClose) closeElement(frame);
    else stack.push(frame);
  }
  if (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    problem(top.node.line, 1, `<${top.tag}> is never closed`, `</${top.tag}>`);
  }
  function closeElement(f: {
    node: PNode;
    tag: string;
    text: string;
    hasChild: boolean;
    parent: PNode;
  }): void {
    const value = unescapeXml(f.text.trim());
    if (f.tag === "member") {
      if (value !== "") f.parent.values.push(value);
    } else if (!f.hasChild && value !== "") f.node.values.push(value);
  }
}

/** Words, quoted strings and the punctuation of the brace and set forms, with their lines. */
function tokenize(line: string): string[] | undefined {
  const out: string[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\[^])*)"|'([^']*)'|([{}[\];])|([^\s{}[\];"']+))/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < line.length && (m = re.exec(line))) {
    if (m[0].trim() === "") break;
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : (m[2] ?? m[3] ?? m[4]!));
  }
  return line.slice(re.lastIndex).trim() === "" ? out : undefined;
}

/** Top-level keywords of the set form that belong to a virtual system (`set address …` = vsys1). */
const VSYS_KEYS = new Set([
  "rulebase",
  "zone",
  "address",
  "address-group",
  "service",
  "service-group",
  "application",
  "application-group",
  "application-filter",
  "external-list",
  "tag",
  "profiles",
  "profile-group",
  "schedule",
  "region",
  "import",
]);

/**
 * Lines, with a quoted string that spans lines (certificates, descriptions) joined into the line it
 * starts on; each with its first line number.
 */
function logicalLines(text: string): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = lines[i]!;
    while (openQuote(line) && i + 1 < lines.length) line += "\n" + lines[++i]!;
    out.push([line, start]);
  }
  return out;
}

function openQuote(line: string): boolean {
  let open = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "\\" && open) i++;
    else if (c === '"') open = !open;
    else if (c === "#" && !open && /^\s*$/.test(line.slice(0, i))) return false;
  }
  return open;
}

/** Fields of a security or NAT rule that take one value or a [ list ] (one-line rule form). */
const RULE_FIELDS = new Set([
  "from",
  "to",
  "source",
  "destination",
  "source-user",
  "category",
  "application",
  "service",
  "source-hip",
  "destination-hip",
  "action",
  "description",
  "disabled",
  "negate-source",
  "negate-destination",
  "rule-type",
  "log-start",
  "log-end",
  "log-setting",
  "schedule",
  "tag",
  "to-interface",
]);

const SERVICE_FIELDS = new Set(["port", "source-port"]);

function readSet(text: string, root: PNode, problem: Problem): void {
  logicalLines(text).forEach(([raw, line]) => {
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const tokens = tokenize(trimmed);
    if (!tokens) return problem(line, 1, "unterminated quoted string", 'a closing "');
    const verb = tokens.shift();
    if (verb !== "set" && verb !== "delete") return;
    if (tokens.length === 0) return problem(line, 1, `"${verb}" without a path`, `${verb} PATH`);
    // `set config devices NAME …` and `set config shared …` are the full paths of the short forms.
    if (tokens[0] === "config" && tokens[1] === "devices") tokens.splice(0, 3);
    else if (tokens[0] === "config" && tokens[1] === "shared") tokens.shift();
    if (VSYS_KEYS.has(tokens[0]!)) tokens.unshift("vsys", "vsys1");
    if (verb === "delete") {
      const last = tokens.pop()!;
      const parent = root.get(...tokens);
      if (parent) {
        if (!parent.children.delete(last)) parent.values = parent.values.filter((v) => v !== last);
      }
      return;
    }
    // Several fields on one line: `… rules NAME from a to b source [ x y ] …` (rules of a
    // rulebase), `… protocol tcp port 443 source-port 3478` (services).
    const named = tokens.indexOf("rules") + 1;
    const inRulebase = named >= 3 && /^(pre-|post-)?rulebase$/.test(tokens[named - 3]!);
    const proto = tokens.indexOf("protocol") + 2;
    const inService =
      proto >= 4 && tokens[proto - 4] === "service" && /^(tcp|udp|sctp)$/.test(tokens[proto - 1] ?? "");
    const at = inRulebase ? named + 1 : inService ? proto : -1;
    const fields = inRulebase ? RULE_FIELDS : SERVICE_FIELDS;
    if (at > 0 && fields.has(tokens[at] ?? "") && tokens.length > at + 2) {
      let owner = root;
      for (const k of tokens.slice(0, at)) owner = owner.child(k, line);
      for (let i = at; i < tokens.length;) {
        const key = tokens[i++]!;
        if (!fields.has(key))
          return problem(
            line,
            1,
            `unexpected "${key}" among the fields of "${tokens[at - 1]}"`,
            [...fields].join(", "),
          );
        const field = owner.child(key, line);
        if (tokens[i] === "[") {
          const close = tokens.indexOf("]", i);
          if (close === -1) return problem(line, 1, "unterminated [ list", "]");
          field.values.push(...tokens.slice(i + 1, close));
          i = close + 1;
        } else if (i < tokens.length) field.values.push(tokens[i++]!);
        else return problem(line, 1, `"${key}" without a value`, `${key} VALUE`);
      }
      return;
    }
    const open = tokens.indexOf("[");
    let path: string[];
    let values: string[];
    if (open !== -1) {
      if (tokens.at(-1) !== "]") return problem(line, 1, "unterminated [ list", "] at the end of the line");
      path = tokens.slice(0, open);
      values = tokens.slice(open + 1, -1);
    } else if (tokens.length >= 2) {
      path = tokens.slice(0, -1);
      values = [tokens.at(-1)!];
    } else {
      path = tokens;
      values = [];
    }
    let node = root;
    for (const k of path) node = node.child(k, line);
    for (const v of values) if (!node.values.includes(v)) node.values.push(v);
  });
}

function readBrace(text: string, root: PNode, problem: Problem): void {
  const stack: PNode[] = [root];
  let pending: string[] = [];
  let list: string[] | undefined;
  let listLine = 0;
  const lines = logicalLines(text);
  for (const [raw, line] of lines) {
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const tokens = tokenize(trimmed);
    if (!tokens) return problem(line, 1, "unterminated quoted string", 'a closing "');
    for (const t of tokens) {
      const top = stack[stack.length - 1]!;
      if (list) {
        if (t === "]") {
          pending.push("\u0000list");
        } else if (t === ";") {
          if (pending.at(-1) !== "\u0000list") return problem(line, 1, "[ list without ]", "]");
          pending.pop();
          let node = top;
          for (const k of pending) node = node.child(k, listLine);
          node.values.push(...list);
          list = undefined;
          pending = [];
        } else if (pending.at(-1) === "\u0000list")
          return problem(line, 1, `unexpected "${t}" after a list`, ";");
        else list.push(t);
        continue;
      }
      if (t === "[") {
        list = [];
        listLine = line;
      } else if (t === "{") {
        if (pending.length === 0) return problem(line, 1, "{ without a name", "NAME {");
        let node = top;
        for (const k of pending) node = node.child(k, line);
        stack.push(node);
        pending = [];
      } else if (t === "}") {
        if (pending.length > 0 || stack.length === 1)
          return problem(line, 1, "unexpected }", pending.length > 0 ? ";" : "a matching {");
        stack.pop();
      } else if (t === ";") {
        if (pending.length === 0) continue;
        const value = pending.length > 1 ? pending.pop()! : undefined;
        let node = top;
        for (const k of pending) node = node.child(k, line);
        if (value !== undefined) node.values.push(value);
        pending = [];
      } else if (t === "]") return problem(line, 1, "] without [", "[ … ];");
      else pending.push(t);
    }
  }
  if (stack.length > 1 || pending.length > 0 || list)
    problem(lines.at(-1)?.[1] ?? 1, 1, "the configuration ends inside a block", "a closing }");
}
