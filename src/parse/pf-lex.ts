/**
 * pf.conf's lexical layer (OpenBSD sbin/pfctl/parse.y `yylex`, pf.conf(5) MACROS): comments from
 * `#` outside quotes, `\` at a line's end continues it, `{ }` lists may span lines, macros
 * (`name = value`, the value's words joined by one blank, `$name` expanded where it appears and
 * re-read, so a macro holding `{ a b }` is a list), inline anchor blocks (`anchor "x" … {` … `}`).
 * Also the lines `pfctl -sr` / `-sn` print (`@N` rule numbers and `[ Evaluations … ]` lines of -v).
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";

export interface PfToken {
  text: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  quoted: boolean;
}

export type PfStatement =
  | { kind: "tokens"; tokens: PfToken[] }
  /** `anchor … {`: the tokens before the brace, then the block's statements. */
  | { kind: "anchor"; tokens: PfToken[]; body: PfStatement[]; line: number };

const TOKEN = /"((?:[^"\\]|\\.)*)"|(->|!=|<=|>=|<>|><)|([{}(),!<>=])|([^\s{}(),!<>="#]+)/g;
const MACRO_USE = /\$([A-Za-z_][A-Za-z0-9_]*)/g;
const MAX_MACRO_DEPTH = 16;
/** Characters all macro expansions of one file may produce together. */
const MAX_EXPANSION = 1_000_000;

/** The line without its comment, and whether a quoted string is still open at its end. */
function stripComment(line: string, quotedAtStart: boolean): { body: string; open: boolean } {
  let quoted = quotedAtStart;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (c === "#" && !quoted) return { body: line.slice(0, i), open: false };
  }
  return { body: line, open: quoted };
}

function lexLine(text: string, line: number, colBase: number): PfToken[] {
  const out: PfToken[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    const quoted = m[1] !== undefined;
    out.push({ text: quoted ? m[1]! : m[0], line, col: colBase + m.index, quoted });
  }
  return out;
}

/** Splits pf.conf text into statements, expanding macros as pfctl does; problems are located. */
export function pfStatements(
  text: string,
  file: string,
): { statements: PfStatement[]; macros: Map<string, string>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const macros = new Map<string, string>();
  let budget = MAX_EXPANSION;
  let exhausted = false;
  const expand = (t: PfToken, depth: number): PfToken[] => {
    if (t.quoted || !t.text.includes("$")) return [t];
    if (depth > MAX_MACRO_DEPTH) {
      diagnostics.push(
        diag(
          "pf-macro",
          "error",
          `macro expansion deeper than ${MAX_MACRO_DEPTH} (a macro that names itself?)`,
          {
            at: { file, line: t.line, col: t.col },
          },
        ),
      );
      return [];
    }
    let missing: string | undefined;
    const value = t.text.replace(MACRO_USE, (_, name: string) => {
      const v = macros.get(name);
      if (v === undefined) missing ??= name;
      return v ?? "";
    });
    if (missing !== undefined) {
      diagnostics.push(
        diag("pf-macro", "error", `macro '${missing}' not defined`, {
          at: { file, line: t.line, col: t.col },
          expected: `a macro defined above its use (${missing} = "…")`,
        }),
      );
      return [];
    }
    // A macro that names itself inside quotes grows with every expansion: bounded, as pfctl's
    // own buffers are.
    budget -= value.length;
    if (budget < 0) {
      if (!exhausted)
        diagnostics.push(
          diag(
            "pf-macro",
            "error",
            `macro expansion beyond ${MAX_EXPANSION} characters (a macro that names itself?)`,
            {
              at: { file, line: t.line, col: t.col },
            },
          ),
        );
      exhausted = true;
      return [];
    }
    return lexLine(value, t.line, t.col).flatMap((x) => expand({ ...x, col: t.col }, depth + 1));
  };

  // Physical lines → logical lines (backslash continuation; a quoted string goes on over lines
  // without their line breaks, as pfctl's lexer reads it), each as tokens with their positions.
  const logical: PfToken[][] = [];
  let pending: PfToken[] | undefined;
  let quoted: { text: string; line: number } | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let raw = lines[i]!;
    if (pending === undefined && !quoted && /^\s*(\[|@\d+\s*$)/.test(raw)) continue; // pfctl -v counters
    if (!quoted) raw = raw.replace(/^(\s*)@\d+\s/, "$1"); // pfctl -vv rule numbers
    const { body, open } = stripComment(raw, quoted !== undefined);
    if (open) {
      quoted = { text: (quoted?.text ?? "") + body, line: quoted?.line ?? i + 1 };
      if (i < lines.length - 1) continue;
    }
    const whole = quoted ? quoted.text + (open ? "" : body) : body;
    const line = quoted?.line ?? i + 1;
    quoted = undefined;
    const cont = /\\\s*$/.test(whole);
    const toks = lexLine(cont ? whole.replace(/\\\s*$/, "") : whole, line, 1);
    pending = pending ? pending.concat(toks) : toks;
    if (!cont) {
      logical.push(pending);
      pending = undefined;
    }
  }
  if (pending) logical.push(pending);

  // Logical lines → statements: macros defined in order; `{ }` lists continue over lines.
  const root: PfStatement[] = [];
  const stack: Array<{ body: PfStatement[]; tokens: PfToken[]; line: number }> = [];
  let acc: PfToken[] = [];
  let depth = 0;
  const current = () => stack[stack.length - 1]?.body ?? root;
  for (const raw of logical) {
    if (raw.length === 0) continue;
    // A macro definition: `name = value…` (pfctl: varset).
    if (
      acc.length === 0 &&
      raw.length >= 2 &&
      !raw[0]!.quoted &&
      /^[A-Za-z_][A-Za-z0-9_]*$/.test(raw[0]!.text) &&
      raw[1]!.text === "=" &&
      !raw[1]!.quoted
    ) {
      const value = raw.slice(2).flatMap((t) => expand(t, 0));
      macros.set(raw[0]!.text, value.map((t) => t.text).join(" "));
      continue;
    }
    const toks = raw.flatMap((t) => expand(t, 0));
    if (toks.length === 0) continue;
    // The close of an inline anchor block.
    if (
      acc.length === 0 &&
      toks.length === 1 &&
      toks[0]!.text === "}" &&
      !toks[0]!.quoted &&
      stack.length > 0
    ) {
      const done = stack.pop()!;
      current().push({ kind: "anchor", tokens: done.tokens, body: done.body, line: done.line });
      continue;
    }
    let d = 0;
    for (const t of toks) if (!t.quoted) d += t.text === "{" ? 1 : t.text === "}" ? -1 : 0;
    const last = toks[toks.length - 1]!;
    if (acc.length === 0 && toks[0]!.text === "anchor" && last.text === "{" && !last.quoted && d === 1) {
      stack.push({ body: [], tokens: toks.slice(0, -1), line: toks[0]!.line });
      continue;
    }
    for (const t of toks) acc.push(t);
    depth += d;
    if (depth <= 0) {
      current().push({ kind: "tokens", tokens: acc });
      acc = [];
      depth = 0;
    }
  }
  if (acc.length > 0) {
    const t = acc[0]!;
    diagnostics.push(
      diag("pf-syntax", "error", "a `{` list is never closed", {
        at: { file, line: t.line, col: t.col },
        expected: "`}` closing the list",
      }),
    );
  }
  while (stack.length > 0) {
    const open = stack.pop()!;
    diagnostics.push(
      diag("pf-syntax", "error", "anchor block is never closed", {
        at: { file, line: open.line, col: 1 },
        expected: "a line `}` closing the anchor's rules",
      }),
    );
  }
  return { statements: root, macros, diagnostics };
}
