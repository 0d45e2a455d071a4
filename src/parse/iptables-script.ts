/**
 * Reader for shell scripts of `iptables …` / `ip6tables …` commands (format `iptables-script`), a
 * common on-disk form (`/etc/firewall.sh`, rc.local). Followed: one command per line (with `\`
 * continuations), `-t TABLE`, the commands iptables-restore takes (-A, -I, -N, -P, -F, -X, -Z; see
 * iptables-save.ts `command`), shell variables assigned in the script (`IPT=/sbin/iptables`,
 * `WAN="eth0"`) and used as `$V`/`${V}`, quoting. The resulting tables are what the kernel holds
 * after the script ran on a host with no rules loaded before it.
 * Refused with their line (never guessed): what a script decides only when it runs — conditionals,
 * loops, functions, command substitution, pipelines and `&&`/`||`, positional parameters, unset
 * variables. Other commands (echo, modprobe, sysctl …) change no rule and are passed over; an
 * unknown one is said (warning).
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import type { Ruleset, Table } from "../ir/ruleset.js";
import { checkTargets, command, type State, type Token } from "./iptables-save.js";
import type { ParsedRuleset } from "./reader.js";

/**
 * What to give instead of a script the reader cannot follow: the rules it loads, listed by the
 * kernel, from a scratch network namespace (only the script's firewall commands are confined
 * there: run it only if it does nothing else).
 */
const RUN_IT =
  "a script whose iptables commands do not depend on running it, or the rules it loads: `ip netns add scratch; ip netns exec scratch sh SCRIPT ARGS; ip netns exec scratch iptables-save > rules.v4` (and ip6tables-save > rules.v6; the namespace confines its network changes only), then audit those";

const IPTABLES = /^(?:\S*\/)?(ip6?tables)(?:-legacy|-nft)?$/;
const HARMLESS = new Set([
  "echo",
  "printf",
  "modprobe",
  "sysctl",
  "set",
  "true",
  ":",
  "exit",
  "sleep",
  "logger",
  "iptables-save",
  "ip6tables-save",
  "ipset",
  "ip",
  "export",
  "readonly",
  "local",
  "service",
  "systemctl",
]);
const SHELL_WORDS = new Set([
  "if",
  "then",
  "else",
  "elif",
  "fi",
  "for",
  "while",
  "until",
  "do",
  "done",
  "case",
  "esac",
  "function",
  "select",
  "{",
  "}",
  "[",
  "[[",
  "source",
  ".",
  "eval",
]);

interface Word extends Token {
  /** Quoted in any part (a quoted `if` is not a keyword). */
  quoted: boolean;
  /** A `;` between commands or a redirection (`>/dev/null`, `2>&1`, `< file`). */
  op?: boolean;
}

type Split = { ok: true; words: Word[] } | { ok: false; col: number; what: string };

/** Shell words of one logical line with variables expanded; refuses what only running the script decides. */
function words(line: string, vars: ReadonlyMap<string, string>): Split {
  const out: Word[] = [];
  let cur: { text: string; col: number; quoted: boolean } | undefined;
  const push = (c: string, col: number, quoted = false): void => {
    cur ??= { text: "", col, quoted: false };
    cur.text += c;
    cur.quoted ||= quoted;
  };
  const end = (): void => {
    if (cur) out.push(cur);
    cur = undefined;
  };
  const expand = (i: number, col: number, inQuotes: boolean): { next: number; err?: string } => {
    const rest = line.slice(i + 1);
    if (rest.startsWith("(")) return { next: i, err: "command substitution $(…)" };
    const m = /^\{([A-Za-z_][A-Za-z0-9_]*)\}|^([A-Za-z_][A-Za-z0-9_]*)|^([0-9@*#?$!-])/.exec(rest);
    if (!m) {
      push("$", col, inQuotes);
      return { next: i + 1 };
    }
    if (m[3] !== undefined) return { next: i, err: `the script's parameter $${m[3]}` };
    if (m[0].startsWith("{") && !/^\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(m[0]))
      return { next: i, err: "parameter expansion ${…}" };
    const name = m[1] ?? m[2]!;
    const v = vars.get(name);
    if (v === undefined) return { next: i, err: `variable $${name}, not set in the script` };
    if (inQuotes) push(v, col, true);
    else
      v.split(/\s+/).forEach((part, k, all) => {
        if (part !== "") push(part, col);
        if (k < all.length - 1) end();
      });
    return { next: i + 1 + m[0].length };
  };
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    const col = i + 1;
    if (c === "#" && !cur) break;
    if (c === " " || c === "\t") {
      end();
      i++;
      continue;
    }
    if (c === "`") return { ok: false, col, what: "command substitution `…`" };
    if (c === ";") {
      // Commands in sequence: `iptables -F; iptables -X`.
      end();
      out.push({ text: ";", col, quoted: false, op: true });
      i++;
      continue;
    }
    const redirect = /^(?:[12]?>>?|&>|<)\s*(?:&[12]|[^\s;|&<>]+)/.exec(
      line.slice(cur?.text === "2" || cur?.text === "1" ? i - 1 : i),
    );
    if (redirect && (c === ">" || c === "<" || (c === "&" && line[i + 1] === ">"))) {
      // A redirection: where a command's output goes (or input comes from) is kept as a word of
      // its own, for the caller to judge (harmless on echo or iptables-save, not on the rest).
      if (cur?.text === "2" || cur?.text === "1") cur = undefined;
      else end();
      out.push({ text: redirect[0].replace(/\s+/g, ""), col, quoted: false, op: true });
      i += redirect[0].length - (line[i - 1] === "2" || line[i - 1] === "1" ? 1 : 0);
      continue;
    }
    if (c === "(" && /^\(\s*\)/.test(line.slice(i))) return { ok: false, col, what: "a function definition" };
    if (c === "|" || c === "&" || c === "<" || c === ">" || c === "(" || c === ")")
      return {
        ok: false,
        col,
        what: `the shell operator ${c === "&" || c === "|" ? line.slice(i, i + 2).trim() : c}`,
      };
    if (c === "'") {
      const j = line.indexOf("'", i + 1);
      if (j < 0) return { ok: false, col, what: "an unterminated quote" };
      push(line.slice(i + 1, j), col, true);
      if (j === i + 1) cur!.quoted = true;
      i = j + 1;
      continue;
    }
    if (c === '"') {
      push("", col, true);
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === "\\" && i + 1 < line.length) {
          push(line[i + 1]!, col, true);
          i += 2;
        } else if (line[i] === "$") {
          const r = expand(i, col, true);
          if (r.err) return { ok: false, col: i + 1, what: r.err };
          i = r.next;
        } else if (line[i] === "`") return { ok: false, col: i + 1, what: "command substitution `…`" };
        else push(line[i++]!, col, true);
      }
      if (i >= line.length) return { ok: false, col, what: "an unterminated quote" };
      i++;
      continue;
    }
    if (c === "\\" && i + 1 < line.length) {
      push(line[i + 1]!, col, true);
      i += 2;
      continue;
    }
    if (c === "$") {
      const r = expand(i, col, false);
      if (r.err) return { ok: false, col, what: r.err };
      i = r.next;
      continue;
    }
    push(c, col);
    i++;
  }
  end();
  return { ok: true, words: out };
}

/** Logical lines: `\`-newline continuations joined, each with its first physical line's number. */
function logicalLines(text: string): Array<{ text: string; line: number }> {
  const out: Array<{ text: string; line: number }> = [];
  let pending: { text: string; line: number } | undefined;
  text.split("\n").forEach((raw, i) => {
    const l = raw.replace(/\r$/, "");
    const cont = /(^|[^\\])\\$/.test(l);
    const body = cont ? l.slice(0, -1) : l;
    if (pending) pending.text += ` ${body.trimStart()}`;
    else pending = { text: body, line: i + 1 };
    if (!cont) {
      out.push(pending);
      pending = undefined;
    }
  });
  if (pending) out.push(pending);
  return out;
}

export function readIptablesScript(text: string, file: string): ParsedRuleset {
  const st: State = { file, family: 4, tables: [], sets: new Map(), diags: [] };
  const vars = new Map<string, string>();
  const diags = st.diags;
  const problem = (
    line: number,
    col: number,
    code: string,
    msg: string,
    expected: string,
    sev: "error" | "warning" = "error",
  ): void => void diags.push(diag(code, sev, msg, { at: { file, line, col }, expected }));
  let flushed = false;
  let commands = 0;
  /** One simple command (words of a line between `;`s). */
  const runCommand = (all: Word[], line: number): void => {
    const redirects = all.filter((x) => x.op);
    const ws = all.filter((x) => !x.op);
    if (ws.length === 0) return;
    let first = ws[0]!;
    let args = ws.slice(1);
    if (first.text === "sudo" && args.length > 0) {
      first = args[0]!;
      args = args.slice(1);
    }
    if (
      !first.quoted &&
      (SHELL_WORDS.has(first.text) ||
        /^[A-Za-z_][A-Za-z0-9_]*\(\)$/.test(first.text) ||
        args[0]?.text === "()")
    ) {
      problem(
        line,
        first.col,
        "iptables-script-shell",
        `the shell construct \`${first.text}\` cannot be followed without running the script`,
        RUN_IT,
      );
      return;
    }
    const m = IPTABLES.exec(first.text);
    if (!m) {
      const name = first.text.split("/").pop()!;
      if (name === "iptables-restore" || name === "ip6tables-restore")
        problem(
          line,
          first.col,
          "iptables-script-shell",
          `${name} loads rules from elsewhere; they are not in this script`,
          "the restored file itself (format iptables-save)",
        );
      else if (
        !HARMLESS.has(name) &&
        redirects.some((r) => !r.text.startsWith("<") && !/\/dev\/null$|&[12]$/.test(r.text)) &&
        !["echo", "printf", "iptables-save", "ip6tables-save", "sysctl"].includes(name)
      )
        problem(
          line,
          first.col,
          "iptables-script-shell",
          `${name} with a redirection is not followed`,
          "iptables commands (a script whose rules do not depend on running it)",
        );
      else if (!HARMLESS.has(name))
        problem(
          line,
          first.col,
          "iptables-script-command",
          `${name} is not an iptables command; passed over`,
          "iptables/ip6tables commands",
          "warning",
        );
      return;
    }
    // An iptables command's output may go anywhere; its input must not come from elsewhere.
    if (redirects.some((r) => r.text.startsWith("<")))
      return problem(
        line,
        redirects[0]!.col,
        "iptables-script-shell",
        "an input redirection is not followed",
        "iptables commands with their arguments on the line",
      );
    // `/etc/init.d/iptables save`, `iptables-persistent` style service calls: not rule commands.
    if (args[0] !== undefined && !args[0].text.startsWith("-")) {
      if (!["save", "status"].includes(args[0].text))
        problem(
          line,
          args[0].col,
          "iptables-script-command",
          `${first.text} ${args[0].text}: a service action, passed over`,
          "iptables/ip6tables commands",
          "warning",
        );
      return;
    }
    const family = m[1] === "ip6tables" ? 6 : 4;
    const t = args.findIndex((a) => a.text === "-t" || a.text === "--table");
    const tableName = t >= 0 ? (args[t + 1]?.text ?? "") : "filter";
    if (args.some((a) => a.text === "-F" || a.text === "--flush")) flushed = true;
    if (
      args.some(
        (a) =>
          ["--list", "--list-rules", "--check", "--help", "--version", "-h", "-V", "-C"].includes(a.text) ||
          /^-[nvxL]*[LS][nvxL]*$/.test(a.text),
      )
    )
      return;
    const table = tableOf(st, family, tableName, line, first.col);
    if (!table) return;
    commands++;
    const body = args.map((a) => a.text).join(" ");
    const tokens: Token[] = args.map((a) => ({ text: a.text, col: a.col - 1 }));
    command(st, table, tokens, { file, line, col: 1, text: `${first.text.split("/").pop()} ${body}`.trim() });
  };
  for (const { text: l, line } of logicalLines(text)) {
    if (l.trim() === "" || l.trim().startsWith("#")) continue;
    const lead = l.length - l.trimStart().length;
    // NAME=value (one or more, alone on the line): a variable for later lines.
    const assign = /^\s*(?:export\s+|readonly\s+|local\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(l);
    if (
      assign &&
      !/^\s*(?:export\s+|readonly\s+|local\s+)?[A-Za-z_][A-Za-z0-9_]*=\S*\s+\S/.test(
        l.replace(/(["']).*?\1/g, "x"),
      )
    ) {
      const w = words(assign[2]!, vars);
      if (!w.ok) {
        problem(
          line,
          lead + w.col,
          "iptables-script-shell",
          `${w.what} cannot be followed without running the script`,
          RUN_IT,
        );
        continue;
      }
      vars.set(assign[1]!, w.words.map((x) => x.text).join(" "));
      continue;
    }
    const w = words(l, vars);
    if (!w.ok) {
      problem(
        line,
        w.col,
        "iptables-script-shell",
        `${w.what} cannot be followed without running the script`,
        RUN_IT,
      );
      continue;
    }
    const segments: Word[][] = [[]];
    for (const x of w.words) {
      if (x.op && x.text === ";") segments.push([]);
      else segments[segments.length - 1]!.push(x);
    }
    for (const seg of segments) if (seg.length > 0) runCommand(seg, line);
  }
  if (commands > 0 && !flushed)
    problem(
      1,
      1,
      "iptables-script-no-flush",
      `${file}: the script never flushes (-F): read as if no rules were loaded before it`,
      "iptables -F (and -X) before the rules, as the kernel otherwise keeps what was loaded",
      "warning",
    );
  // One error for a script that needs running to be known: its first such line, and how many more.
  const shell = diags.filter((d) => d.code === "iptables-script-shell");
  if (shell.length > 1) {
    const first = shell[0]!;
    const more = new Set(shell.map((d) => d.at?.line)).size - 1;
    if (more > 0) first.message += ` (and ${more} more line${more > 1 ? "s" : ""} the reader cannot follow)`;
    const rest = new Set(shell.slice(1));
    const kept = diags.filter((d) => !rest.has(d));
    diags.length = 0;
    diags.push(...kept);
  }
  for (const t of st.tables) checkTargets(st, t);
  const ruleset: Ruleset = {
    format: "iptables-script",
    source: file,
    semantics: "first-match",
    stateful: false,
    tables: st.tables,
  };
  return { ruleset, diagnostics: diags as Diagnostic[] };
}

const TABLES = new Set(["filter", "nat", "mangle", "raw", "security"]);

function tableOf(st: State, family: 4 | 6, name: string, line: number, col: number): Table | undefined {
  const fam = family === 4 ? "ip" : "ip6";
  if (!TABLES.has(name)) {
    st.diags.push(
      diag("iptables-unknown-table", "error", `unknown table ${name}`, {
        at: { file: st.file, line, col },
        expected: "filter, nat, mangle, raw or security",
      }),
    );
    return undefined;
  }
  let t = st.tables.find((x) => x.family === fam && x.name === name);
  if (!t) {
    t = { family: fam, name, chains: [] };
    st.tables.push(t);
  }
  return t;
}
