/**
 * FortiOS configuration CLI (`show full-configuration`, backup files) → a tree of tables. The
 * grammar (FortiOS CLI Reference, "CLI syntax"): `config <path…>` opens a table or a settings
 * block that `end` closes; in a table `edit <name>` opens an entry that `next` closes; `set <key>
 * <values…>` / `unset <key>` / `append <key> <values…>` / `unselect` change a setting; tables nest.
 * Values are words or quoted strings: `"…"` (backslash escapes `\"` and `\\`) or `'…'`, which may
 * span lines (certificates, replacement messages). `#` at the start of a line is a comment
 * (the `#config-version=` header). Multi-VDOM backups put each VDOM's tables under `config vdom`
 * / `edit <vdom>`; `config global` holds the shared ones.
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";

export interface Setting {
  values: string[];
  line: number;
}

export interface Entry {
  name: string;
  line: number;
  text: string;
  settings: Map<string, Setting>;
  tables: Table[];
}

export interface Table {
  path: string;
  line: number;
  /** `edit` entries in order (a table); a settings block has its own in `settings`. */
  entries: Entry[];
  settings: Map<string, Setting>;
  /** Tables opened directly inside a settings block (or the file). */
  tables: Table[];
}

interface Statement {
  words: string[];
  line: number;
  col: number;
  text: string;
}

/** Statements (one per line outside quotes), words unquoted. */
function statements(text: string): Statement[] {
  const out: Statement[] = [];
  let words: string[] = [];
  let word: string | undefined;
  let line = 1;
  let start = 1;
  let col = 1;
  let lineStart = 0;
  let quote: '"' | "'" | undefined;
  const flush = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  const close = (end: number) => {
    flush();
    if (words.length > 0 && !words[0]!.startsWith("#"))
      out.push({ words, line: start, col, text: text.slice(lineStart, end).trim().slice(0, 200) });
    words = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === "\\" && i + 1 < text.length) word += text[++i]!;
      else if (c === quote) quote = undefined;
      else word += c;
      if (c === "\n") line++;
      continue;
    }
    if (c === "\n" || c === "\r") {
      close(i);
      if (c === "\n") line++;
      lineStart = i + 1;
      continue;
    }
    if (c === " " || c === "\t") {
      flush();
      continue;
    }
    if (c === "#" && words.length === 0 && word === undefined) {
      // A comment line (the `#config-version=` header, notes in scripts): quotes in it mean nothing.
      const end = text.indexOf("\n", i);
      i = (end < 0 ? text.length : end) - 1;
      continue;
    }
    if (words.length === 0 && word === undefined) {
      start = line;
      col = i - lineStart + 1;
    }
    if (c === "\\" && i + 1 < text.length) {
      // Outside quotes a backslash takes the next character literally (FortiOS CLI escapes).
      word = (word ?? "") + text[++i]!;
      if (text[i] === "\n") line++;
      continue;
    }
    if (c === '"' || c === "'") {
      word ??= "";
      quote = c;
    } else word = (word ?? "") + c;
  }
  close(text.length);
  return out;
}

/** The table commands of a script: `rename A to B`, `clone A to B`, `move A before|after B`, `delete A`. */
function editTable(t: Table, verb: string, [name, how, other]: string[], root: Table): boolean {
  const i = t.entries.findIndex((e) => e.name === name);
  if (i < 0) return false;
  const e = t.entries[i]!;
  if (verb === "delete") return (void t.entries.splice(i, 1), true);
  if (other === undefined || (verb !== "move" && how !== "to")) return false;
  if (verb !== "move" && t.entries.some((x) => x.name === other)) return false;
  if (verb === "rename") {
    // FortiOS renames the references too.
    t.entries[i] = { ...e, name: other };
    renameReferences(root, name!, other);
    return true;
  }
  if (verb === "clone")
    return (
      void t.entries.push({ ...e, name: other, settings: new Map(e.settings), tables: [...e.tables] }),
      true
    );
  const j = t.entries.findIndex((x) => x.name === other);
  if (j < 0 || (how !== "before" && how !== "after")) return false;
  t.entries.splice(i, 1);
  const k = t.entries.indexOf(t.entries.find((x) => x.name === other)!);
  t.entries.splice(how === "before" ? k : k + 1, 0, e);
  return true;
}

function renameReferences(t: Table, from: string, to: string): void {
  const fix = (m: Map<string, Setting>) => {
    for (const [k, v] of m)
      if (v.values.includes(from)) m.set(k, { ...v, values: v.values.map((x) => (x === from ? to : x)) });
  };
  fix(t.settings);
  for (const e of t.entries) {
    fix(e.settings);
    for (const c of e.tables) renameReferences(c, from, to);
  }
  for (const c of t.tables) renameReferences(c, from, to);
}

export interface ParsedCli {
  /** Top-level tables outside `config vdom` and `config global`. */
  tables: Table[];
  /** Per VDOM name, its tables (multi-VDOM backups). */
  vdoms: Map<string, Table[]>;
  diagnostics: Diagnostic[];
}

export function parseFortiosCli(file: string, text: string): ParsedCli {
  const diagnostics: Diagnostic[] = [];
  const root: Table = { path: "", line: 0, entries: [], settings: new Map(), tables: [] };
  // The open tables and entries, innermost last.
  const stack: Array<{ table: Table; entry?: Entry }> = [{ table: root }];
  for (const s of statements(text)) {
    const at = { file, line: s.line, col: s.col };
    const top = stack[stack.length - 1]!;
    const [verb, ...rest] = s.words as [string, ...string[]];
    const settings = top.entry?.settings ?? top.table.settings;
    switch (verb) {
      case "config": {
        // A table opened again (scripts, repeated blocks) continues the one already read.
        const parent = (top.entry ?? top.table).tables;
        let table = parent.find((t) => t.path === rest.join(" "));
        if (!table) {
          table = { path: rest.join(" "), line: s.line, entries: [], settings: new Map(), tables: [] };
          parent.push(table);
        }
        stack.push({ table });
        break;
      }
      case "edit": {
        if (top.entry) stack.pop();
        const t = stack[stack.length - 1]!.table;
        if (t === root) {
          diagnostics.push(
            diag("fortios-syntax", "error", "`edit` outside a `config` table", {
              at,
              expected: "`config <table>` … `edit <name>`",
            }),
          );
          break;
        }
        const name = rest.join(" ");
        // `edit` of an existing entry continues it (scripts, repeated blocks).
        let entry = t.entries.find((e) => e.name === name);
        if (!entry) {
          entry = { name, line: s.line, text: s.text, settings: new Map(), tables: [] };
          t.entries.push(entry);
        }
        stack.push({ table: t, entry });
        break;
      }
      case "next": {
        // A `next` inside a settings block nested in an entry (`config ipv6` without its `end`)
        // closes that block too, as the FortiGate's CLI does; said, because the file is cut.
        const open = stack.map((f) => f.entry !== undefined).lastIndexOf(true);
        if (open < 0) {
          diagnostics.push(
            diag("fortios-syntax", "error", "`next` outside an `edit` entry", {
              at,
              expected: "`edit <name>` … `next`",
            }),
          );
          break;
        }
        if (open < stack.length - 1)
          diagnostics.push(
            diag(
              "fortios-syntax",
              "warning",
              `\`next\` closes \`config ${top.table.path}\`, which has no \`end\``,
              {
                at,
                expected: "`end` closing every `config`",
              },
            ),
          );
        stack.length = open;
        break;
      }
      case "end":
        if (top.entry) stack.pop();
        if (stack.length > 1) stack.pop();
        else
          diagnostics.push(
            diag("fortios-syntax", "error", "`end` without an open `config`", {
              at,
              expected: "`config <table>` … `end`",
            }),
          );
        break;
      case "rename":
      case "clone":
      case "move":
      case "delete":
        if (!top.entry && editTable(top.table, verb, rest, root)) break;
        diagnostics.push(
          diag("fortios-syntax", "error", `\`${verb}\` of an entry that is not in the table`, {
            at,
            expected: `${verb} <entry>${verb === "delete" ? "" : verb === "move" ? " before|after <entry>" : " to <name>"} inside \`config <table>\``,
          }),
        );
        break;
      case "select":
      case "set":
        if (rest.length > 0) settings.set(rest[0]!, { values: rest.slice(1), line: s.line });
        break;
      case "append":
        if (rest.length > 0) {
          const old = settings.get(rest[0]!);
          settings.set(rest[0]!, { values: [...(old?.values ?? []), ...rest.slice(1)], line: s.line });
        }
        break;
      case "unset":
        if (rest.length > 0) settings.delete(rest[0]!);
        break;
      case "unselect":
        if (rest.length > 1) {
          const old = settings.get(rest[0]!);
          if (old) settings.set(rest[0]!, { ...old, values: old.values.filter((v) => !rest.includes(v)) });
        }
        break;
      default:
        // Other commands of a pasted script (`show`, `get`, `execute`) do not configure tables;
        // `delete` does and is not replayed here.
        diagnostics.push(
          diag("fortios-syntax", "error", `unexpected command \`${verb}\``, {
            at,
            expected: "config, edit, set, unset, append, unselect, next or end",
          }),
        );
    }
  }
  if (stack.length > 1)
    diagnostics.push(
      diag(
        "fortios-syntax",
        "error",
        `the file ends inside \`config ${stack[stack.length - 1]!.table.path}\``,
        {
          at: { file, line: stack[stack.length - 1]!.table.line, col: 1 },
          expected: "`end` closing every `config`",
        },
      ),
    );
  const vdoms = new Map<string, Table[]>();
  for (const t of root.tables.filter((t) => t.path === "vdom"))
    for (const e of t.entries) vdoms.set(e.name, [...(vdoms.get(e.name) ?? []), ...e.tables]);
  return { tables: root.tables.filter((t) => t.path !== "vdom" && t.path !== "global"), vdoms, diagnostics };
}

export function findTable(tables: readonly Table[], path: string): Table | undefined {
  return tables.find((t) => t.path === path);
}
