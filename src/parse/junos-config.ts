/**
 * Junos configuration text → flat statements (the words of `show configuration | display set`
 * without `set`), from either form Junos prints:
 *  - set form: `set security zones security-zone trust interfaces ge-0/0/0.0`, one per line, and
 *    `deactivate <path>` lines (the statements under <path> are inactive);
 *  - hierarchical form: `security { zones { security-zone trust { interfaces { ge-0/0/0.0; } } } }`,
 *    with `inactive:` before a statement or block (inactive), `[ a b ]` lists (one statement per
 *    member), `#` and `/* … *\/` comments, quoted strings.
 * `apply-groups G` is expanded: the statements of `groups G …` are copied where it is applied
 * (Junos "Configuration Groups"; wildcard `<*>` paths are not expanded, said as a warning).
 * Pure; problems are diagnostics, never exceptions.
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";

export interface JunosStatement {
  words: string[];
  line: number;
  col: number;
  /** The statement as a `set` line. */
  text: string;
  /** Words of the path that was deactivated (0: the whole statement is active … words.length). */
  inactiveAt?: number;
}

interface Tok {
  text: string;
  line: number;
  col: number;
  quoted: boolean;
}

const QUOTE_RE = /"((?:[^"\\]|\\.)*)"/y;

/** Junos words of one text: quoted strings keep their spaces; `{ } ; [ ]` are their own tokens. */
function tokens(text: string, file: string, diagnostics: Diagnostic[]): Tok[] {
  const out: Tok[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n") {
      line++;
      i++;
      lineStart = i;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const col = i - lineStart + 1;
    if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      for (let k = i; k < stop; k++)
        if (text[k] === "\n") {
          line++;
          lineStart = k + 1;
        }
      i = stop;
      continue;
    }
    if (c === '"') {
      QUOTE_RE.lastIndex = i;
      const m = QUOTE_RE.exec(text);
      if (!m) {
        diagnostics.push(
          diag("junos-syntax", "error", "unterminated quoted string", {
            at: { file, line, col },
            expected: 'a closing "',
          }),
        );
        return out;
      }
      out.push({ text: m[1]!.replace(/\\(.)/g, "$1"), line, col, quoted: true });
      for (const ch of m[0]) if (ch === "\n") line++;
      i += m[0].length;
      continue;
    }
    if ("{};[]".includes(c)) {
      out.push({ text: c, line, col, quoted: false });
      i++;
      continue;
    }
    let j = i;
    while (j < text.length && !/[\s{};[\]"]/.test(text[j]!)) j++;
    out.push({ text: text.slice(i, j), line, col, quoted: false });
    i = j;
  }
  return out;
}

const setText = (words: readonly string[]): string =>
  `set ${words.map((w) => (w === "" || /[\s"{};]/.test(w) ? JSON.stringify(w) : w)).join(" ")}`;

/** Whether the text is in set form (lines of `set …`), not hierarchical. */
export function isSetForm(text: string): boolean {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const isSet = (l: string) => /^(set|deactivate)\s/.test(l);
  return lines.some(isSet) && !lines.some((l) => !isSet(l) && !l.startsWith("#") && l.endsWith("{"));
}

function setForm(text: string, file: string, diagnostics: Diagnostic[]): JunosStatement[] {
  const out: JunosStatement[] = [];
  const deactivated: string[][] = [];
  text.split(/\r?\n/).forEach((raw, idx) => {
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const col = raw.length - raw.trimStart().length + 1;
    const at = { file, line: idx + 1, col };
    const toks = tokens(trimmed, file, diagnostics).map((t) => t.text);
    const verb = toks[0];
    const words = toks.slice(1);
    if (verb === "set" && words.length > 0) out.push({ words, line: idx + 1, col, text: trimmed });
    else if (verb === "deactivate" && words.length > 0) deactivated.push(words);
    else if (verb === "activate" || verb === "delete" || verb === "insert" || verb === "annotate")
      diagnostics.push(
        diag("junos-unsupported", "error", `"${verb}" lines are edits, not a configuration`, {
          at,
          expected: "the output of show configuration | display set (set and deactivate lines)",
        }),
      );
    else
      diagnostics.push(
        diag("junos-syntax", "error", `not a set statement: ${trimmed.slice(0, 60)}`, {
          at,
          expected: "set <statement> or deactivate <statement>",
        }),
      );
  });
  for (const s of out)
    for (const d of deactivated)
      if (d.length <= s.words.length && d.every((w, i) => s.words[i] === w))
        s.inactiveAt = Math.min(s.inactiveAt ?? Infinity, d.length);
  return out;
}

function hierarchical(text: string, file: string, diagnostics: Diagnostic[]): JunosStatement[] {
  const out: JunosStatement[] = [];
  const toks = tokens(text, file, diagnostics);
  const stack: Array<{ words: string[]; inactiveAt?: number }> = [];
  let words: Tok[] = [];
  let list: Tok[] | undefined;
  const path = () => stack.flatMap((s) => s.words);
  const inactiveOfPath = () => stack.find((s) => s.inactiveAt !== undefined)?.inactiveAt;
  /** Splits `inactive:` / `replace:` … off the words; returns the words and whether inactive. */
  const clean = (ws: Tok[]): { ws: Tok[]; inactive: boolean } => {
    let inactive = false;
    const rest = ws.filter((w) => {
      if (w.quoted) return true;
      if (w.text === "inactive:") return !(inactive = true);
      return !/^(replace|protect|delete|active):$/.test(w.text);
    });
    return { ws: rest, inactive };
  };
  const emit = (ws: Tok[], at: Tok) => {
    const { ws: rest, inactive } = clean(ws);
    if (rest.length === 0) return;
    const base = path();
    const all = [...base, ...rest.map((w) => w.text)];
    const s: JunosStatement = { words: all, line: at.line, col: at.col, text: setText(all) };
    const inactiveAt = inactiveOfPath() ?? (inactive ? base.length + 1 : undefined);
    if (inactiveAt !== undefined) s.inactiveAt = inactiveAt;
    out.push(s);
  };
  for (const t of toks) {
    if (list) {
      if (!t.quoted && t.text === "]") {
        const at = words[0] ?? t;
        for (const member of list) emit([...words, member], at);
        list = undefined;
        words = [];
      } else list.push(t);
      continue;
    }
    if (t.quoted) {
      words.push(t);
      continue;
    }
    switch (t.text) {
      case "[":
        list = [];
        break;
      case ";":
        if (words.length > 0) emit(words, words[0]!);
        words = [];
        break;
      case "{": {
        const { ws, inactive } = clean(words);
        const entry: { words: string[]; inactiveAt?: number } = { words: ws.map((w) => w.text) };
        if (inactive && inactiveOfPath() === undefined) entry.inactiveAt = path().length + 1;
        stack.push(entry);
        words = [];
        break;
      }
      case "}":
        if (words.length > 0) emit(words, words[0]!);
        words = [];
        if (stack.length === 0)
          diagnostics.push(
            diag("junos-syntax", "error", "unbalanced }", {
              at: { file, line: t.line, col: t.col },
              expected: "a } closing an open {",
            }),
          );
        stack.pop();
        break;
      default:
        words.push(t);
    }
  }
  if (stack.length > 0 || words.length > 0)
    diagnostics.push(
      diag("junos-syntax", "error", "the configuration ends inside a statement or block", {
        at: { file, line: toks.at(-1)?.line ?? 1, col: 1 },
        expected: "every { closed by } and every statement ended by ;",
      }),
    );
  return out;
}

/** Copies `groups G <path…>` statements to where `apply-groups G` applies them. */
function applyGroups(
  statements: JunosStatement[],
  file: string,
  diagnostics: Diagnostic[],
): JunosStatement[] {
  const inGroups = (s: JunosStatement) => s.words[0] === "groups";
  const out = statements.filter((s) => !inGroups(s) && s.words.at(-2) !== "apply-groups");
  for (const s of statements) {
    if (inGroups(s) || s.words.at(-2) !== "apply-groups" || s.inactiveAt !== undefined) continue;
    const group = s.words.at(-1)!;
    const base = s.words.slice(0, -2);
    for (const g of statements) {
      if (!inGroups(g) || g.words[1] !== group || g.inactiveAt !== undefined) continue;
      const rest = g.words.slice(2);
      if (rest.some((w) => w.startsWith("<"))) {
        diagnostics.push(
          diag("junos-unsupported", "warning", `group ${group}: wildcard paths are not applied`, {
            at: { file, line: g.line, col: g.col },
            expected:
              "groups without <…> wildcards (or the output of show configuration | display inheritance)",
          }),
        );
        continue;
      }
      if (!base.every((w, i) => rest[i] === w)) continue;
      out.push({ ...g, words: rest, text: setText(rest) });
    }
  }
  return out;
}

export function junosStatements(
  text: string,
  file: string,
): { statements: JunosStatement[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const flat = isSetForm(text) ? setForm(text, file, diagnostics) : hierarchical(text, file, diagnostics);
  return { statements: applyGroups(flat, file, diagnostics), diagnostics };
}
