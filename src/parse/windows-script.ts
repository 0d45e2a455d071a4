/**
 * Windows Firewall scripts (format `windows-script`): PowerShell with `New-NetFirewallRule`,
 * `Set-/Enable-/Disable-/Remove-NetFirewallRule` and `Set-NetFirewallProfile`, and batch files (or
 * PowerShell) running `netsh advfirewall firewall add|set|delete rule` and `netsh advfirewall set
 * … state|firewallpolicy` — the hardening scripts admins keep, and what `compile --target windows`
 * writes. Read as the firewall holds it after the script ran on a host with no rules of its own
 * (as `iptables-script` is): Windows ships built-in rules, so the result is the script's rules
 * alone, said once as a note; a script that changes rules it did not create (`Disable-NetFirewallRule
 * -DisplayGroup "File and Printer Sharing"`) is said to change rules not in it.
 * Followed: quoting (PowerShell's '…' and "…", here-strings, backtick escapes and continuations;
 * cmd's "…" and ^), comments, variables assigned a literal (`$group = '…'`, `set GROUP=…`), arrays
 * (`-LocalPort 80,443`, `@('a','b')`), splatting of a hashtable written out (`$p = @{ … }`, then
 * `@p`), pipelines from `Get-NetFirewallRule` into the rule cmdlets, `exit`.
 * Refused with their line (never guessed): a rule command inside a block that runs only when the
 * script decides (if, foreach, function, …), splatting of anything else, a variable the script does
 * not assign (or an expression) where it decides a rule, a Where-Object filter choosing rules, cmd
 * labels reached by `call`/`goto`, and `netsh advfirewall import` (the policy comes from a file
 * not given).
 * Inside `trap`/`catch` (the error path: the script as read ran without an error) rule commands are
 * passed over with a note. The model and conversion are the export's (windows-firewall.ts).
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { MAX_READER_DIAGNOSTICS, stoppedReading } from "./reader.js";
import { candidates, profileReasons } from "./windows-netsh.js";
import {
  recordRule,
  type WinFirewall,
  type WinProfile,
  type WinProfileName,
  type WinRule,
} from "./windows-firewall.js";

interface Tok {
  text: string;
  line: number;
  col: number;
  /** Quoted text ('…' or "…" or a here-string): never a parameter name or an operator. */
  quoted: boolean;
  /** Whether a variable in it stays to expand ("…" and bare words). */
  expands: boolean;
  /** Whether whitespace came before it (`name="X"` is one argument of two tokens). */
  spaced: boolean;
  op: boolean;
}

interface Statement {
  toks: Tok[];
  line: number;
  /** The keywords of the blocks around it, innermost last (`if`, `foreach`, `trap`, `{`…). */
  blocks: string[];
  /** Each block's header (`if ( … )`), where the reader kept it (PowerShell), aligned with `blocks`. */
  heads?: Array<readonly Tok[] | undefined>;
}

const PROFILE_NAMES: readonly WinProfileName[] = ["Domain", "Private", "Public"];

/** One command's words at most (a rule's address list is far shorter): past it, not a script. */
const MAX_STATEMENT_WORDS = 100_000;

/** PowerShell's tokens and statements, with the blocks around each. */
function powershellStatements(
  text: string,
  onStatement: (st: Statement) => void,
): Array<{ line: number; col: number; message: string }> {
  const problems: Array<{ line: number; col: number; message: string }> = [];
  const stack: string[] = [];
  let toks: Tok[] = [];
  let paren = 0;
  let line = 1;
  let col = 1;
  let i = 0;
  let spaced = true;
  // Each statement is handed on as it ends and not kept: a 20 MB file of junk holds millions of
  // tokens, never more than one statement's at once.
  /** The first word of the statement that ended last: `if (…)` on its own line, then `{`. */
  let lastHead: string | undefined;
  /** That statement's tokens: the header of a block whose `{` starts the next line. */
  let lastToks: readonly Tok[] | undefined;
  const heads: Array<readonly Tok[] | undefined> = [];
  const end = (): void => {
    if (toks.length > 0) {
      onStatement({ toks, line: toks[0]!.line, blocks: [...stack], heads: [...heads] });
      lastHead = toks.find((t) => !t.op)?.text.toLowerCase();
      lastToks = toks;
    }
    toks = [];
  };
  const advance = (n: number): void => {
    for (let k = 0; k < n; k++) {
      if (text[i] === "\n") {
        line++;
        col = 1;
      } else col++;
      i++;
    }
  };
  const push = (t: Omit<Tok, "spaced">): void => {
    toks.push({ ...t, spaced });
    spaced = false;
    if (toks.length > MAX_STATEMENT_WORDS) {
      problems.push({
        line: toks[0]!.line,
        col: toks[0]!.col,
        message: `a command of more than ${MAX_STATEMENT_WORDS} words: not a script`,
      });
      toks = [];
      i = text.length;
    }
  };
  while (i < text.length) {
    const c = text[i]!;
    const at = { line, col };
    if (c === " " || c === "\t" || c === "\r" || c === "\uFEFF") {
      advance(1);
      spaced = true;
      continue;
    }
    if (c === "\n") {
      advance(1);
      spaced = true;
      // A line ending in `|` goes on in the next (a pipeline written one stage per line).
      const last = toks[toks.length - 1];
      if (paren === 0 && !(last?.op && last.text === "|")) end();
      continue;
    }
    if (c === "`" && (text[i + 1] === "\n" || (text[i + 1] === "\r" && text[i + 2] === "\n"))) {
      advance(text[i + 1] === "\n" ? 2 : 3);
      spaced = true;
      continue;
    }
    if (c === "<" && text[i + 1] === "#") {
      const close = text.indexOf("#>", i + 2);
      advance((close < 0 ? text.length : close + 2) - i);
      spaced = true;
      continue;
    }
    if (c === "#") {
      while (i < text.length && text[i] !== "\n") advance(1);
      continue;
    }
    if (
      c === "@" &&
      (text[i + 1] === "'" || text[i + 1] === '"') &&
      /^[ \t]*\r?\n/.test(text.slice(i + 2, i + 4 + 2))
    ) {
      const q = text[i + 1]!;
      const close = new RegExp(`\\n[ \\t]*${q}@`).exec(text.slice(i));
      const stop = close ? i + close.index + close[0].length : text.length;
      const body = text.slice(i + 2, stop - 2);
      advance(stop - i);
      push({ text: body, ...at, quoted: true, expands: q === '"', op: false });
      continue;
    }
    if (c === "'") {
      let s = "";
      advance(1);
      while (i < text.length) {
        if (text[i] === "'" && text[i + 1] === "'") {
          s += "'";
          advance(2);
        } else if (text[i] === "'") break;
        else {
          s += text[i];
          advance(1);
        }
      }
      if (i >= text.length) problems.push({ ...at, message: "a quote ' that is never closed" });
      advance(1);
      push({ text: s, ...at, quoted: true, expands: false, op: false });
      continue;
    }
    if (c === '"') {
      let s = "";
      advance(1);
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "`" && i + 1 < text.length) {
          const e = text[i + 1]!;
          s += e === "n" ? "\n" : e === "t" ? "\t" : e === "0" ? "\0" : e;
          advance(2);
        } else {
          s += text[i];
          advance(1);
        }
        if (text[i] === '"' && text[i + 1] === '"') {
          s += '"';
          advance(2);
        }
      }
      if (i >= text.length) problems.push({ ...at, message: 'a quote " that is never closed' });
      advance(1);
      push({ text: s, ...at, quoted: true, expands: true, op: false });
      continue;
    }
    if (c === "{" || (c === "@" && text[i + 1] === "{")) {
      const hash = c === "@";
      advance(hash ? 2 : 1);
      const loop = toks.find(
        (t) => !t.op && /^(foreach-object|foreach|%|where-object|where|\?)$/i.test(t.text),
      );
      const head = toks.length === 0 ? lastHead : (loop ?? toks.find((t) => !t.op))?.text.toLowerCase();
      const header = toks.length === 0 ? lastToks : toks;
      // The header (`if (…)`, `Get-NetFirewallRule | Where`) is outside the block it opens.
      end();
      stack.push(hash ? "@{" : (head ?? "{"));
      heads.push(hash ? undefined : header);
      spaced = true;
      continue;
    }
    if (c === "}") {
      end();
      stack.pop();
      heads.pop();
      lastToks = undefined;
      advance(1);
      spaced = true;
      continue;
    }
    if (c === ";" && paren === 0) {
      end();
      advance(1);
      spaced = true;
      continue;
    }
    if ("()|,;".includes(c) || (c === "@" && text[i + 1] === "(")) {
      const two = c === "@";
      if (c === "(" || two) paren++;
      if (c === ")") paren = Math.max(0, paren - 1);
      push({ text: two ? "@(" : c, ...at, quoted: false, expands: false, op: true });
      advance(two ? 2 : 1);
      continue;
    }
    let s = "";
    while (i < text.length && !" \t\r\n'\"{}();|,".includes(text[i]!)) {
      if (text[i] === "`" && i + 1 < text.length && text[i + 1] !== "\n" && text[i + 1] !== "\r") {
        s += text[i + 1];
        advance(2);
      } else {
        s += text[i];
        advance(1);
      }
    }
    push({ text: s, ...at, quoted: false, expands: true, op: false });
  }
  end();
  return problems;
}

/** A batch file's statements: one command per line (with ^ continuations), cmd's quoting. */
function cmdStatements(
  text: string,
  onStatement: (st: Statement) => void,
): Array<{ line: number; col: number; message: string }> {
  const lines = text.split("\n");
  const stack: string[] = [];
  for (let n = 0; n < lines.length; n++) {
    const first = n + 1;
    let raw = lines[n]!.replace(/\r$/, "");
    while (raw.endsWith("^") && n + 1 < lines.length) raw = raw.slice(0, -1) + lines[++n]!.replace(/\r$/, "");
    const toks: Tok[] = [];
    let i = 0;
    let spaced = true;
    while (i < raw.length) {
      const c = raw[i]!;
      if (c === " " || c === "\t") {
        i++;
        spaced = true;
        continue;
      }
      const at = i;
      let s = "";
      let quoted = false;
      if (c === '"') {
        const close = raw.indexOf('"', i + 1);
        s = raw.slice(i + 1, close < 0 ? raw.length : close);
        i = close < 0 ? raw.length : close + 1;
        quoted = true;
      } else {
        while (i < raw.length && !' \t"'.includes(raw[i]!)) s += raw[i++];
      }
      toks.push({ text: s, line: first, col: at + 1, quoted, expands: true, spaced, op: false });
      spaced = false;
      if (toks.length > MAX_STATEMENT_WORDS)
        return [
          {
            line: first,
            col: 1,
            message: `a command of more than ${MAX_STATEMENT_WORDS} words: not a script`,
          },
        ];
    }
    if (toks.length === 0) continue;
    // Parenthesised blocks (`if exist x (` … `)`, `for … do (` … `)`): what is inside runs when
    // the script decides. A line opening one is the block's header, a line starting with `)` ends it.
    const head = toks[0]!;
    if (!head.quoted && head.text.startsWith(")")) {
      stack.pop();
      const rest = toks.slice(1);
      if (rest.length > 0 && /^else$/i.test(rest[0]!.text) && rest[rest.length - 1]!.text.endsWith("("))
        stack.push("else");
      continue;
    }
    onStatement({ toks, line: first, blocks: [...stack] });
    const last = toks[toks.length - 1]!;
    if (!last.quoted && last.text.endsWith("(")) stack.push(head.text.replace(/^@/, "").toLowerCase());
  }
  return [];
}

/**
 * The rule an `if` header tests for absence, when it tests nothing else: `if (-not
 * (Get-NetFirewallRule -Name X [-ErrorAction …]))` or `if (!(Get-NetFirewallRule -DisplayName X …))`.
 */
function existenceGuard(
  header: readonly Tok[] | undefined,
): { by: "Name" | "DisplayName"; name: string } | undefined {
  if (!header) return undefined;
  const ws = header.filter((t) => !(t.op && (t.text === "(" || t.text === ")")));
  if (header.some((t) => t.op && t.text !== "(" && t.text !== ")")) return undefined;
  const low = (k: number): string => (ws[k]?.quoted ? "" : (ws[k]?.text.toLowerCase() ?? ""));
  if (low(0) !== "if" || !["-not", "!"].includes(low(1)) || low(2) !== "get-netfirewallrule")
    return undefined;
  let found: { by: "Name" | "DisplayName"; name: string } | undefined;
  for (let k = 3; k < ws.length; k += 2) {
    const p = low(k);
    const v = ws[k + 1];
    if (v === undefined || (v.expands && v.text.includes("$")) || (!v.quoted && v.text.startsWith("$")))
      return undefined;
    if ((p === "-name" || p === "-displayname") && found === undefined)
      found = { by: p === "-name" ? "Name" : "DisplayName", name: v.text };
    else if (p !== "-erroraction" && p !== "-ea") return undefined;
  }
  return found;
}

/** `name="X"` is one argument: tokens joined where no whitespace parts them. */
function words(toks: readonly Tok[]): Tok[] {
  const out: Tok[] = [];
  for (const t of toks) {
    const last = out[out.length - 1];
    if (last && !t.spaced && !t.op && !last.op)
      out[out.length - 1] = { ...last, text: last.text + t.text, quoted: last.quoted || t.quoted };
    else out.push(t);
  }
  return out;
}

interface Held {
  record: Record<string, unknown>;
  /** Parameters given that may narrow the rule and are not modelled (read as not narrowing). */
  unmodelled: string[];
  line: number;
  /** Field → line where it was given. */
  lines: Map<string, number>;
  enabled: boolean;
}

interface ProfileState {
  enabled?: boolean;
  inbound?: "allow" | "block";
  inboundRules?: boolean;
  outbound?: "allow" | "block";
  line: number;
}

/** Blocks whose commands run only on an error (the script as read runs without one). */
const BLOCK_WORDS_ERROR = new Set(["trap", "catch"]);
/** netsh's advfirewall contexts and commands (`netsh advfirewall ?`, Windows Server 2012 and later). */
const NETSH_ADVFIREWALL = new Set([
  "?",
  "consec",
  "dump",
  "export",
  "firewall",
  "help",
  "import",
  "mainmode",
  "monitor",
  "reset",
  "set",
  "show",
]);
/** Blocks whose commands run as the script's own: a hashtable, `try`, `finally`. */
const BLOCK_WORDS_TRANSPARENT = new Set(["@{", "try", "finally"]);

/**
 * New-NetFirewallRule parameters that are read (recordRule, the caller) or that narrow nothing a
 * packet carries (texts, where the rule is stored, common parameters; edge traversal concerns
 * Teredo-tunnelled traffic only). Any other narrows the rule in a way the reader does not model.
 */
const READ_OR_INERT = new Set([
  "Name",
  "DisplayName",
  "Description",
  "Group",
  "Enabled",
  "Profile",
  "Direction",
  "Action",
  "Protocol",
  "LocalPort",
  "RemotePort",
  "IcmpType",
  "LocalAddress",
  "RemoteAddress",
  "Program",
  "Package",
  "Service",
  "InterfaceType",
  "InterfaceAlias",
  "LocalUser",
  "RemoteUser",
  "RemoteMachine",
  "Authentication",
  "Encryption",
  "OverrideBlockRules",
  "EdgeTraversalPolicy",
  "Owner",
  "Platform",
  "PolicyStore",
  "GPOSession",
  "ErrorAction",
  "WarningAction",
  "Confirm",
  "WhatIf",
  "Verbose",
  "PassThru",
]);

/** The parameter names the rule cmdlets take (canonical spelling): those and a few that narrow. */
const RULE_FIELDS = new Set([
  ...READ_OR_INERT,
  "LooseSourceMapping",
  "LocalOnlyMapping",
  "DynamicTarget",
  "NewDisplayName",
  "DisplayGroup",
]);

/** Values PowerShell binds case-insensitively: the export's spelling. */
const ENUMS: Record<string, Record<string, string>> = {
  Direction: { inbound: "Inbound", outbound: "Outbound" },
  Action: { allow: "Allow", block: "Block", notconfigured: "NotConfigured" },
  Protocol: { tcp: "TCP", udp: "UDP", icmpv4: "ICMPv4", icmpv6: "ICMPv6", any: "Any" },
  Enabled: { true: "True", false: "False", $true: "True", $false: "False", "1": "True", "0": "False" },
  Profile: { domain: "Domain", private: "Private", public: "Public", any: "Any" },
  OverrideBlockRules: { true: "True", false: "False", $true: "True", $false: "False" },
};

export function parseWindowsScript(
  text: string,
  file: string,
): { firewall?: WinFirewall; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const at = (line: number, col = 1): Diagnostic["at"] => ({ file, line, col });
  let stopped = false;
  const error = (line: number, message: string, expected?: string, col = 1): void => {
    if (stopped) return;
    if (diagnostics.length >= MAX_READER_DIAGNOSTICS) {
      diagnostics.push(stoppedReading(file, line));
      stopped = true;
      return;
    }
    diagnostics.push(diag("windows-script", "error", message, { at: at(line, col), expected }));
  };
  const body = text.replace(/^\uFEFF/, "");
  const powershell =
    /^\s*(?:[&.]\s*)?(New|Set|Enable|Disable|Remove|Get)-NetFirewall/im.test(body) ||
    /^\s*\$\w+\s*=/m.test(body);
  const stream = (): void => {
    const problems = powershell ? powershellStatements(body, handle) : cmdStatements(body, handle);
    for (const p of problems)
      error(p.line, p.message, "quotes closed, at most 100,000 words per command", p.col);
  };

  const vars = new Map<string, string | undefined>();
  /** Hashtables assigned literally (`$p = @{ Key = value … }`), for splatting: name → parameters. */
  const hashes = new Map<string, Map<string, { values: Array<string | undefined>; line: number }>>();
  let pendingHash: { name: string; depth: number } | undefined;
  const held: Held[] = [];
  const profiles = new Map<WinProfileName, ProfileState>();
  let profileUnknown: number | undefined;
  const notInScript: number[] = [];
  const errorPath: number[] = [];
  let resetAt: number | undefined;
  let firewallCommands = 0;
  /** Where the script ends (`exit`): what follows never runs. */
  let exited: number | undefined;
  /** cmd: the first `call`/`goto` and label: netsh commands after a label run only if jumped to. */
  let flowAt: number | undefined;
  let labelAt: number | undefined;
  let unknownCommands = 0;
  let firstUnknown = 0;

  /** A token's value with variables expanded; undefined when one is not known. */
  const value = (t: Tok): string | undefined => {
    if (!t.expands) return t.text;
    let unknown = false;
    const out = t.text.replace(/\$\{(\w+)\}|\$(\w+)|%(\w+)%/g, (m, a?: string, b?: string, c?: string) => {
      const name = (a ?? b ?? c)!.toLowerCase();
      if (powershell && (name === "true" || name === "false" || name === "null")) return m;
      if (!powershell && b !== undefined) return m;
      const v = vars.get(name);
      if (v === undefined) unknown = true;
      return v ?? "";
    });
    // PowerShell: a subexpression `$( … )` inside a string is evaluated when the script runs.
    if (powershell && t.text.includes("$(")) return undefined;
    // cmd: a loop variable (%%p) or a parameter (%1) is known only when the script runs.
    if (!powershell && /%(%\w|\d|\*)/.test(out)) return undefined;
    return unknown ? undefined : out;
  };

  /** PowerShell parameters: `-Name value[,value…]`, `-Switch`, `-Name:value`. */
  const psParams = (
    toks: readonly Tok[],
  ): { params: Map<string, { values: Array<string | undefined>; line: number }>; ok: boolean } => {
    const params = new Map<string, { values: Array<string | undefined>; line: number }>();
    let cur: { values: Array<string | undefined>; line: number } | undefined;
    let ok = true;
    let depth = 0;
    /** The depths at which an `@( … )` array is open. */
    const arrays: number[] = [];
    const ws = words(toks);
    for (let k = 1; k < ws.length; k++) {
      const t = ws[k]!;
      if (t.op && t.text === "|") break;
      // PowerShell takes an en or em dash for the hyphen (scripts pasted from documents have them).
      if (!t.quoted && !t.op && /^[-\u2013\u2014\u2015][A-Za-z]/.test(t.text)) {
        const [name, inline] = t.text.slice(1).split(/:(.*)/s) as [string, string | undefined];
        cur = { values: [], line: t.line };
        params.set(canonicalParam(name), cur);
        if (inline !== undefined && inline !== "") cur.values.push(value({ ...t, text: inline }));
        continue;
      }
      // `@( … )` is an array; `( … )` an expression the script evaluates: its value is not known.
      if (t.op && t.text === "@(") arrays.push(depth + 1);
      if (t.op && (t.text === "(" || t.text === "@(")) {
        depth++;
        if (t.text === "(" && cur !== undefined) cur.values.push(undefined);
        continue;
      }
      if (t.op && t.text === ")") {
        if (arrays[arrays.length - 1] === depth) arrays.pop();
        depth = Math.max(0, depth - 1);
        continue;
      }
      if (t.op) continue; // ,
      if (depth > 0 && arrays[arrays.length - 1] !== depth) continue; // inside an expression
      const splat =
        !t.quoted && /^@\w+$/.test(t.text) ? hashes.get(t.text.slice(1).toLowerCase()) : undefined;
      if (splat !== undefined) {
        for (const [k, v] of splat) params.set(k, { values: [...v.values], line: v.line });
        cur = undefined;
        continue;
      }
      if (!t.quoted && t.text.startsWith("@")) {
        error(
          t.line,
          `splatted parameters (${t.text}) are not followed`,
          "the parameters written out",
          t.col,
        );
        ok = false;
        continue;
      }
      if (cur === undefined) {
        // The rule cmdlets' first positional parameter is -Name.
        if (!params.has("Name")) params.set("Name", (cur = { values: [], line: t.line }));
        else continue;
      }
      cur.values.push(value(t));
    }
    return { params, ok };
  };

  function handle(st: Statement): void {
    if (stopped || exited !== undefined) return;
    // `… | Where-Object { … } | Remove-NetFirewallRule`: the rules come from a filter's block.
    if (st.toks[0]!.op && st.toks[0]!.text === "|") {
      if (st.toks.some((t) => /^(set|enable|disable|remove)-netfirewallrule$/i.test(t.text)))
        error(
          st.line,
          "rules picked by a filter in the pipeline (Where-Object, ForEach-Object): decided at run time",
          "-Name, -DisplayName, -Group or -DisplayGroup on Get-NetFirewallRule",
        );
      return;
    }
    const first = st.toks[0]!.text.replace(/^@/, "").toLowerCase();
    const blocked = st.blocks.some((b) => !BLOCK_WORDS_TRANSPARENT.has(b));
    // The script ends here — unless a batch file called a label before: its subroutine runs after.
    if (
      !blocked &&
      (powershell || flowAt === undefined) &&
      (first === "exit" || (!powershell && first === "goto" && /^:?eof$/i.test(st.toks[1]?.text ?? "")))
    ) {
      exited = st.line;
      return;
    }
    if (
      !powershell &&
      (first === "call" || first === "goto") &&
      !blocked &&
      !/^:?eof$/i.test(st.toks[1]?.text ?? "")
    )
      flowAt ??= st.line;
    if (!powershell && /^:\w/.test(first)) labelAt ??= st.line;
    const ws = words(st.toks);
    const head = ws[0]!;
    // A hashtable's entries (`$p = @{` then `Key = value` lines), kept for splatting (`@p`).
    if (pendingHash !== undefined) {
      const inside = st.blocks.length === pendingHash.depth + 1 && st.blocks[st.blocks.length - 1] === "@{";
      if (inside) {
        const eq = ws.findIndex((t) => t.text === "=" && !t.quoted);
        if (eq === 1 && !head.quoted && /^[A-Za-z]\w*$/.test(head.text)) {
          const values: Array<string | undefined> = [];
          let depth = 0;
          for (const t of ws.slice(2)) {
            if (t.op && (t.text === "(" || t.text === "@(")) depth += t.text === "(" ? 100 : 1;
            else if (t.op && t.text === ")") depth = depth >= 100 ? depth - 100 : Math.max(0, depth - 1);
            else if (t.op) continue;
            else if (depth >= 100) values.push(undefined);
            else values.push(value(t));
          }
          hashes.get(pendingHash.name)!.set(canonicalParam(head.text), { values, line: st.line });
        } else hashes.delete(pendingHash.name); // not a plain Key = value: not known
        return;
      }
      if (st.blocks.length <= pendingHash.depth) pendingHash = undefined;
    }
    // Assignments: `$x = 'literal'` (PowerShell), `set X=literal` (cmd).
    if (powershell && /^\$\w+$/.test(head.text) && ws[1]?.text === "=") {
      const name = head.text.slice(1).toLowerCase();
      const rest = ws.slice(2).filter((t) => !t.op);
      const literal = ws.length === 3 && !ws[2]!.op ? value(ws[2]!) : undefined;
      vars.set(name, rest.length === 1 ? literal : undefined);
      hashes.delete(name);
      // `$p = @{`: the hashtable's entries follow, in the block it opens.
      if (ws.length === 2) {
        hashes.set(name, new Map());
        pendingHash = { name, depth: st.blocks.length };
      }
      return;
    }
    if (!powershell && /^set$/i.test(head.text) && ws[1] && ws[1].text.includes("=")) {
      const [name, v] = ws
        .slice(1)
        .map((t) => t.text)
        .join(" ")
        .split(/=(.*)/s) as [string, string];
      if (!name.startsWith("/")) vars.set(name.trim().toLowerCase(), v);
      return;
    }
    if (!powershell && /^@?(if|for)$/i.test(head.text) && ws.some((t) => /^netsh(\.exe)?$/i.test(t.text))) {
      error(
        st.line,
        `a netsh command under \`${head.text}\`: it runs only when the script decides at run time`,
        "netsh commands on lines of their own",
      );
      return;
    }
    const cmd = head.text.replace(/^[@&.]/, "").toLowerCase();
    if (/-netfirewall|^(?:[a-z]:\\.*\\)?netsh(?:\.exe)?$/.test(cmd)) firewallCommands++;
    const isNetsh = /^(?:[a-z]:\\.*\\)?netsh(?:\.exe)?$/.test(cmd);
    const firewallCmd =
      isNetsh || /^(new|set|enable|disable|remove|get)-netfirewall(rule|profile)$/.test(cmd);
    if (!firewallCmd) {
      if (/-netfirewall/.test(cmd) || /^(copy|rename|import)-netfirewall/.test(cmd)) {
        if (unknownCommands++ === 0) firstUnknown = st.line;
      }
      return;
    }
    // A pure read changes nothing.
    if (cmd === "get-netfirewallrule" && !st.toks.some((t) => t.op && t.text === "|")) return;
    const inBlock = st.blocks.filter((b) => !BLOCK_WORDS_TRANSPARENT.has(b));
    if (!powershell && labelAt !== undefined && flowAt !== undefined) {
      error(
        st.line,
        `a netsh command after a label (line ${labelAt}) in a script that jumps (call/goto, line ${flowAt}): which commands run is decided at run time`,
        "netsh commands run from the top, without call :label or goto",
      );
      return;
    }
    // `if (-not (Get-NetFirewallRule -Name X …)) { New-NetFirewallRule -Name X … }`: the rule is
    // created unless one of that name exists — a rule of the host's, which no script reading holds.
    const guard =
      powershell && inBlock.length === 1 && inBlock[0] === "if" && cmd === "new-netfirewallrule"
        ? existenceGuard(st.heads?.[st.blocks.lastIndexOf("if")])
        : undefined;
    if (guard) {
      const { params, ok } = psParams(st.toks);
      if (!ok) return;
      const named = params.get(guard.by)?.values;
      if (named?.length === 1 && named[0] === guard.name) {
        // Get-NetFirewallRule's -Name and -DisplayName match regardless of case.
        const same = (h: Held) => String(h.record[guard.by] ?? "").toLowerCase() === guard.name.toLowerCase();
        const earlier = held.find(same);
        diagnostics.push(
          diag(
            "windows-script-guarded",
            "warning",
            earlier
              ? `not created: the script made a rule with ${guard.by} "${guard.name}" before (line ${earlier.line}), so the test finds it`
              : `read as created: the script skips this rule when the host already has one with ${guard.by} "${guard.name}", whose settings are the host's, not in this file`,
            { at: at(st.line) },
          ),
        );
        if (!earlier) newRule(params, st.line);
        return;
      }
    }
    // A conditional netsh `delete|set rule` that no rule the script holds answers to touches the
    // host's rules only, which the reading leaves out whether the branch runs or not.
    if (inBlock.length > 0 && isNetsh && onlyHostRules(ws.slice(1))) {
      notInScript.push(st.line);
      return;
    }
    // A netsh advfirewall command netsh has no context for fails whether it runs or not.
    if (isNetsh && netshRefuses(ws.slice(1), st.line)) return;
    if (inBlock.length > 0) {
      const errorPathBlock = inBlock.some((b) => BLOCK_WORDS_ERROR.has(b));
      if (errorPathBlock) {
        errorPath.push(st.line);
        return;
      }
      error(
        st.line,
        `a firewall command inside ${inBlock[inBlock.length - 1] === "{" ? "a script block" : `\`${inBlock[inBlock.length - 1]} { … }\``}: it runs only when the script decides at run time`,
        "firewall commands at the script's top level (the reader does not run the script)",
      );
      return;
    }
    if (isNetsh) {
      netsh(st, ws.slice(1));
      return;
    }
    if (cmd === "get-netfirewallrule") {
      pipeline(st);
      return;
    }
    const { params, ok } = psParams(st.toks);
    if (!ok) return;
    if (cmd === "new-netfirewallrule") newRule(params, st.line);
    else if (cmd === "set-netfirewallprofile") setProfile(params, st.line);
    else changeRules(cmd, params, params, st.line);
  }

  function single(
    p: Map<string, { values: Array<string | undefined>; line: number }>,
    k: string,
  ): string | undefined | null {
    const v = p.get(k);
    if (v === undefined) return null;
    return v.values.length === 0 ? "True" : v.values.length === 1 ? v.values[0] : v.values.join(",");
  }

  function newRule(
    params: Map<string, { values: Array<string | undefined>; line: number }>,
    line: number,
  ): void {
    // Keys are the script's own words: no prototype for `-__proto__` to reach.
    const record = Object.create(null) as Record<string, unknown>;
    const lines = new Map<string, number>();
    for (const [k, v] of params) {
      if (v.values.some((x) => x === undefined)) {
        if (["Direction", "Action", "Protocol", "Enabled", "Profile"].includes(k))
          return error(
            v.line,
            `-${k} set by a variable the script does not assign a value`,
            "a literal value",
          );
        record[k] = "(variable)";
      } else
        record[k] =
          v.values.length === 1 ? normalise(k, v.values[0]!) : v.values.map((x) => normalise(k, x!));
      lines.set(k, v.line);
    }
    if (record.PolicyStore !== undefined || record.GPOSession !== undefined)
      diagnostics.push(
        diag(
          "windows-script-store",
          "warning",
          "a rule written to a policy store or GPO session: read as if it applied to this host",
          {
            at: at(line),
          },
        ),
      );
    const unmodelled = [...params.keys()].filter((k) => !READ_OR_INERT.has(k));
    held.push({
      unmodelled,
      record: Object.assign(
        Object.create(null) as Record<string, unknown>,
        { Direction: "Inbound", Action: "Allow", Protocol: "Any", IcmpType: "Any" },
        record,
      ),
      line,
      lines,
      enabled: record.Enabled === undefined || record.Enabled === "True",
    });
  }

  /** The rules a selector (-Name, -DisplayName, -Group, -DisplayGroup; wildcards) picks. */
  /**
   * `filters`: the fields that pick rules too (Enable-, Disable-, Remove- and Get-NetFirewallRule
   * filter by -Direction and -Action; Set-NetFirewallRule sets them).
   */
  function select(
    params: Map<string, { values: Array<string | undefined>; line: number }>,
    line: number,
    filters: readonly string[],
  ): Held[] | undefined {
    const keys = ["Name", "DisplayName", "Group", "DisplayGroup", ...filters].filter((k) => params.has(k));
    if (keys.length === 0) {
      // -All, or a whole store: the persistent store (the default) holds the script's rules.
      if (params.has("All")) return held;
      const store = params.get("PolicyStore")?.values[0];
      if (store !== undefined) return /^persistentstore$/i.test(store) ? held : [];
      error(
        line,
        "a rule command without -Name, -DisplayName, -Group or -DisplayGroup",
        "a selector the reader can follow",
      );
      return undefined;
    }
    return held.filter((h) =>
      keys.every((k) => {
        const want = params.get(k)!.values;
        const field = k === "DisplayGroup" ? "Group" : k;
        const have = String(h.record[field] ?? (field === "DisplayName" ? h.record.Name : "") ?? "");
        return want.some((w) => w !== undefined && wildcard(normalise(k, w)).test(have));
      }),
    );
  }

  /**
   * `netsh advfirewall firewall delete|set rule name=X` (or group=) where no rule the script holds
   * now has that name (or group): whatever it changes is the host's. `all` and names set by a
   * variable could be the script's own.
   */
  function onlyHostRules(args: readonly Tok[]): boolean {
    const low = args.map((t) => t.text.toLowerCase());
    if (low[0] !== "advfirewall" || low[1] !== "firewall" || low[3] !== "rule") return false;
    if (low[2] !== "delete" && low[2] !== "set") return false;
    const stop = low[2] === "set" ? low.indexOf("new") : -1;
    const sel = (stop > 0 ? args.slice(4, stop) : args.slice(4)).map((t) => t.text);
    const get = (k: string): string | undefined =>
      sel.find((w) => w.toLowerCase().startsWith(`${k}=`))?.slice(k.length + 1);
    const name = get("name");
    const group = get("group");
    const v = name ?? group;
    if (v === undefined || v.includes("%") || v.includes("!") || name?.toLowerCase() === "all") return false;
    return !held.some((h) =>
      name !== undefined
        ? String(h.record.Name).toLowerCase() === name.toLowerCase()
        : String(h.record.Group ?? "").toLowerCase() === v.toLowerCase(),
    );
  }

  /**
   * `netsh advfirewall X …` where X is none of netsh's advfirewall contexts (`netsh advfirewall ?`):
   * netsh refuses the command ("The following command was not found") and nothing changes; said.
   */
  function netshRefuses(args: readonly Tok[], line: number): boolean {
    const low = args.map((t) => (t.quoted ? "" : t.text.toLowerCase()));
    if (low[0] !== "advfirewall" || low[1] === undefined || NETSH_ADVFIREWALL.has(low[1])) return false;
    diagnostics.push(
      diag(
        "windows-script-netsh",
        "warning",
        `netsh advfirewall has no command "${args[1]!.text}": netsh refuses it, and it changes nothing`,
        { at: at(line), expected: [...NETSH_ADVFIREWALL].filter((c) => c !== "?").join(", ") },
      ),
    );
    return true;
  }

  function changeRules(
    cmd: string,
    selectors: Map<string, { values: Array<string | undefined>; line: number }>,
    changes: Map<string, { values: Array<string | undefined>; line: number }>,
    line: number,
  ): void {
    const picked = select(
      selectors,
      line,
      selectors !== changes || cmd !== "set-netfirewallrule" ? ["Direction", "Action"] : [],
    );
    if (picked === undefined) return;
    if (picked.length === 0) {
      // Removing or disabling rules the script did not create leaves its own as they are.
      if (cmd !== "remove-netfirewallrule" && cmd !== "disable-netfirewallrule") notInScript.push(line);
      return;
    }
    if (cmd === "remove-netfirewallrule") {
      for (const h of picked) held.splice(held.indexOf(h), 1);
      return;
    }
    if (cmd === "enable-netfirewallrule" || cmd === "disable-netfirewallrule") {
      for (const h of picked) h.enabled = cmd === "enable-netfirewallrule";
      return;
    }
    for (const [k, v] of changes) {
      if (!RULE_FIELDS.has(k) || ["Name", "DisplayName", "Group", "DisplayGroup"].includes(k)) continue;
      if (v.values.some((x) => x === undefined))
        return error(v.line, `-${k} set by a variable the script does not assign a value`, "a literal value");
      for (const h of picked) {
        if (k === "Enabled") h.enabled = normalise(k, v.values[0]!) === "True";
        else if (k === "NewDisplayName") h.record.DisplayName = v.values[0];
        else
          h.record[k] =
            v.values.length === 1 ? normalise(k, v.values[0]!) : v.values.map((x) => normalise(k, x!));
        h.lines.set(k, v.line);
      }
    }
  }

  function pipeline(st: Statement): void {
    const bar = st.toks.findIndex((t) => t.op && t.text === "|");
    const left = psParams(st.toks.slice(0, bar));
    const right = st.toks.slice(bar + 1);
    const next = right[0]?.text.toLowerCase() ?? "";
    const stages = st.toks
      .filter((_, k) => k > 0 && st.toks[k - 1]!.op && st.toks[k - 1]!.text === "|")
      .map((t) => t.text.toLowerCase());
    if (
      stages.some((x) => /^(where-object|where|\?|foreach-object|%|select-object|select)$/.test(x)) &&
      stages.some((x) => /^(set|enable|disable|remove)-netfirewallrule$/.test(x))
    ) {
      error(
        st.line,
        "rules picked by a filter in the pipeline (Where-Object, ForEach-Object): decided at run time",
        "-Name, -DisplayName, -Group or -DisplayGroup on Get-NetFirewallRule",
      );
      return;
    }
    if (!/^(set|enable|disable|remove)-netfirewallrule$/.test(next)) {
      if (/-netfirewall/.test(next)) {
        if (unknownCommands++ === 0) firstUnknown = st.line;
      }
      return;
    }
    const changes = psParams(right);
    if (!left.ok || !changes.ok) return;
    // Get-NetFirewallRule without a selector lists every rule: the host's too.
    if (!["Name", "DisplayName", "Group", "DisplayGroup"].some((k) => left.params.has(k))) {
      left.params.set("All", { values: [], line: st.line });
      if (next === "set-netfirewallrule" || next === "enable-netfirewallrule") notInScript.push(st.line);
    }
    changeRules(next, left.params, changes.params, st.line);
  }

  function setProfile(
    params: Map<string, { values: Array<string | undefined>; line: number }>,
    line: number,
  ): void {
    const names = params.has("All")
      ? PROFILE_NAMES
      : (params.get("Profile") ?? params.get("Name"))?.values
          .flatMap((v) => (v ?? "").split(","))
          .map((v) => v.trim());
    if (!names || names.length === 0) {
      profileUnknown ??= line;
      return;
    }
    for (const raw of names) {
      const name =
        PROFILE_NAMES.find((n) => n.toLowerCase() === raw.toLowerCase()) ??
        (raw.toLowerCase() === "any" ? undefined : null);
      const targets = name === undefined ? PROFILE_NAMES : name === null ? [] : [name];
      if (name === null) error(line, `unknown profile "${raw}"`, "Domain, Private, Public or Any");
      for (const n of targets) {
        const s = profiles.get(n) ?? { line };
        s.line = line;
        const en = single(params, "Enabled");
        // Set by a variable the script does not assign: not known, as if not set (assumed).
        if (en === undefined) delete s.enabled;
        else if (en !== null) s.enabled = normalise("Enabled", en) !== "False";
        const inb = single(params, "DefaultInboundAction");
        if (inb !== null && inb !== undefined && !/^notconfigured$/i.test(inb))
          s.inbound = /^allow$/i.test(inb) ? "allow" : "block";
        const outb = single(params, "DefaultOutboundAction");
        if (outb !== null && outb !== undefined && !/^notconfigured$/i.test(outb))
          s.outbound = /^allow$/i.test(outb) ? "allow" : "block";
        const air = single(params, "AllowInboundRules");
        if (air !== null && air !== undefined) s.inboundRules = normalise("Enabled", air) !== "False";
        profiles.set(n, s);
      }
    }
  }

  /** netsh advfirewall …: arguments `key=value` after the verbs. */
  function netsh(st: Statement, raw: Tok[]): void {
    // `name = "X"` and `name ="X"` (spaces around =, as some scripts write them) are `name=X`.
    const args: Tok[] = [];
    for (let k = 0; k < raw.length; k++) {
      const t = raw[k]!;
      const last = args[args.length - 1];
      const next = raw[k + 1];
      if (last && t.text === "=" && !t.quoted && next) {
        args[args.length - 1] = { ...last, text: `${last.text}=${next.text}`, quoted: next.quoted };
        k++;
      } else if (last && t.text.startsWith("=") && !t.quoted && !last.text.includes("="))
        args[args.length - 1] = { ...last, text: last.text + t.text };
      else if (t.text.endsWith("=") && !t.quoted && next && next.spaced && !next.text.includes("=")) {
        args.push({ ...t, text: t.text + next.text, quoted: next.quoted });
        k++;
      } else args.push(t);
    }
    const vals = args.map((t) => value(t));
    const lower = args.map((t) => t.text.toLowerCase());
    if (lower[0] !== "advfirewall") {
      if (lower[0] === "firewall") {
        if (unknownCommands++ === 0) firstUnknown = st.line;
      }
      return;
    }
    const line = st.line;
    if (lower[1] === "firewall") {
      const verb = lower[2];
      if (lower[3] !== "rule") return;
      const kv = (from: number, to = args.length): Map<string, string | undefined> => {
        const m = new Map<string, string | undefined>();
        for (let k = from; k < to; k++) {
          const eq = args[k]!.text.indexOf("=");
          if (eq < 0) continue;
          const key = args[k]!.text.slice(0, eq).toLowerCase();
          const v = vals[k];
          m.set(key, v === undefined ? undefined : v.slice(v.indexOf("=") + 1));
        }
        return m;
      };
      if (verb === "add") {
        const m = kv(4);
        if (
          [...m.values()].some((v) => v === undefined) &&
          ["dir", "action", "protocol"].some((k) => m.has(k) && m.get(k) === undefined)
        )
          return error(
            line,
            "a rule's dir, action or protocol set by a variable the script does not assign",
            "a literal value",
          );
        const p = new Map<string, { values: Array<string | undefined>; line: number }>();
        const set = (k: string, v: string | undefined): void => {
          p.set(k, { values: v === undefined ? [undefined] : v.split(",").map((x) => x.trim()), line });
        };
        for (const [k, v] of m) {
          const lv = v?.toLowerCase();
          if (k === "name") {
            set("Name", v);
            set("DisplayName", v);
          } else if (k === "dir") set("Direction", lv === "out" ? "Outbound" : lv === "in" ? "Inbound" : v);
          else if (k === "action") {
            if (lv === "bypass") {
              set("Action", "Allow");
              set("OverrideBlockRules", "True");
            } else set("Action", v);
          } else if (k === "protocol") {
            const icmp = /^(icmpv[46]):(.*)$/i.exec(v ?? "");
            if (icmp) {
              set("Protocol", icmp[1]);
              const [t, c] = icmp[2]!.split(",");
              set(
                "IcmpType",
                /^any$/i.test(t ?? "") ? "Any" : c === undefined || /^any$/i.test(c) ? t : `${t}:${c}`,
              );
            } else set("Protocol", v);
          } else if (k === "localport") set("LocalPort", v);
          else if (k === "remoteport") set("RemotePort", v);
          else if (k === "localip") set("LocalAddress", v);
          else if (k === "remoteip") set("RemoteAddress", v);
          else if (k === "profile") set("Profile", v);
          else if (k === "enable") set("Enabled", lv === "no" ? "False" : "True");
          else if (k === "program") set("Program", v);
          else if (k === "service") set("Service", v);
          else if (k === "interfacetype") set("InterfaceType", v);
          else if (k === "security") set("Authentication", lv === "notrequired" ? "NotRequired" : v);
          else if (k === "rmtcomputergrp") set("RemoteMachine", v);
          else if (k === "rmtusrgrp") set("RemoteUser", v);
          else if (k === "group") set("Group", v);
          else if (k !== "description" && k !== "edge") set(`netsh ${k}=`, v);
        }
        if (!m.has("name")) return error(line, "netsh add rule without name=", "name=…");
        newRule(p, line);
        return;
      }
      if (verb === "delete" || verb === "set") {
        const newAt = lower.indexOf("new");
        const m = kv(4, verb === "set" && newAt > 0 ? newAt : args.length);
        const name = m.get("name");
        const group = m.get("group");
        if (name === undefined && group === undefined)
          return error(line, `netsh ${verb} rule without a known name= or group=`, "name=… or group=…");
        const picked =
          name?.toLowerCase() === "all"
            ? held
            : held.filter((h) =>
                name !== undefined
                  ? String(h.record.Name).toLowerCase() === name.toLowerCase()
                  : String(h.record.Group ?? "").toLowerCase() === group!.toLowerCase(),
              );
        const dir = m.get("dir")?.toLowerCase();
        const chosen = picked.filter(
          (h) => dir === undefined || (dir === "in") === (h.record.Direction === "Inbound"),
        );
        if (chosen.length === 0) {
          if (verb === "set") notInScript.push(line);
          return;
        }
        if (verb === "delete") {
          for (const h of chosen) held.splice(held.indexOf(h), 1);
          return;
        }
        const changes = kv(newAt + 1);
        for (const [k, v] of changes) {
          for (const h of chosen) {
            const lv = v?.toLowerCase();
            if (k === "enable") h.enabled = lv !== "no";
            else if (k === "action") h.record.Action = lv === "block" ? "Block" : "Allow";
            else if (k === "localport") h.record.LocalPort = v?.split(",");
            else if (k === "remoteport") h.record.RemotePort = v?.split(",");
            else if (k === "remoteip") h.record.RemoteAddress = v?.split(",");
            else if (k === "localip") h.record.LocalAddress = v?.split(",");
            else if (k === "profile") h.record.Profile = v;
            else if (k === "dir") h.record.Direction = lv === "out" ? "Outbound" : "Inbound";
            else if (k === "protocol") h.record.Protocol = v;
          }
        }
        return;
      }
      return;
    }
    if (lower[1] === "set") {
      const which = lower[2];
      const targets: readonly WinProfileName[] | undefined =
        which === "allprofiles"
          ? PROFILE_NAMES
          : which === "domainprofile"
            ? ["Domain"]
            : which === "privateprofile"
              ? ["Private"]
              : which === "publicprofile"
                ? ["Public"]
                : undefined;
      if (which === "currentprofile" || targets === undefined) {
        if (which === "currentprofile" || which?.endsWith("profile")) profileUnknown ??= line;
        return;
      }
      const setting = lower[3];
      const v = (vals[4] ?? "").toLowerCase();
      if (setting !== "state" && setting !== "firewallpolicy") return; // logging, settings: no verdict
      for (const n of targets) {
        const s = profiles.get(n) ?? { line };
        s.line = line;
        if (setting === "state") s.enabled = v !== "off";
        if (setting === "firewallpolicy")
          for (const part of v.split(",")) {
            if (part === "blockinbound") s.inbound = "block";
            if (part === "blockinboundalways") {
              s.inbound = "block";
              s.inboundRules = false;
            }
            if (part === "allowinbound") s.inbound = "allow";
            if (part === "allowoutbound") s.outbound = "allow";
            if (part === "blockoutbound") s.outbound = "block";
          }
        profiles.set(n, s);
      }
      return;
    }
    if (lower[1] === "reset") resetAt ??= line;
    if (lower[1] === "import")
      error(
        line,
        "netsh advfirewall import: the policy comes from a file the script reads",
        "the imported policy itself (export it, or give netsh's listing)",
      );
  }

  stream();
  if (firewallCommands === 0 && !diagnostics.some((d) => d.severity === "error"))
    error(
      1,
      exited !== undefined
        ? `the script exits (line ${exited}) before any firewall command`
        : "no firewall command in the script",
      "New-NetFirewallRule, Set-NetFirewallProfile or `netsh advfirewall …` commands",
    );
  if (diagnostics.some((d) => d.severity === "error")) return { diagnostics };

  if (unknownCommands > 0)
    diagnostics.push(
      diag(
        "windows-script-skipped",
        "warning",
        `${unknownCommands} firewall command${unknownCommands === 1 ? "" : "s"} the reader does not follow (the first here)`,
        {
          at: at(firstUnknown),
          expected:
            "New-/Set-/Enable-/Disable-/Remove-NetFirewallRule, Set-NetFirewallProfile, netsh advfirewall",
        },
      ),
    );
  if (notInScript.length > 0)
    diagnostics.push(
      diag(
        "windows-script-host-rules",
        "warning",
        `${notInScript.length} command${notInScript.length === 1 ? "" : "s"} change${notInScript.length === 1 ? "s" : ""} rules the script did not create (the host's own, Windows' built-in ones among them): not in the result (the first here)`,
        { at: at(notInScript[0]!) },
      ),
    );
  if (errorPath.length > 0)
    diagnostics.push(
      diag(
        "windows-script-error-path",
        "note",
        `${errorPath.length} firewall command${errorPath.length === 1 ? "" : "s"} inside trap/catch passed over: read as the script runs without an error (the first here)`,
        {
          at: at(errorPath[0]!),
        },
      ),
    );
  if (exited !== undefined)
    diagnostics.push(
      diag(
        "windows-script-exit",
        "note",
        "the script exits here: the commands after it never run and are not read",
        {
          at: at(exited),
        },
      ),
    );
  if (resetAt !== undefined)
    diagnostics.push(
      diag(
        "windows-script-host-rules",
        "warning",
        "netsh advfirewall reset restores Windows' built-in rules: they are not in the result",
        { at: at(resetAt) },
      ),
    );
  diagnostics.push(
    diag(
      "windows-script-alone",
      "note",
      "read as the rules this script leaves on a host with none of its own: rules already on the host (Windows' built-in ones among them) are not in it",
      { at: at(1) },
    ),
  );

  // Profiles: which is active is not known (netsh's candidates): settings the script gives all
  // three alike are exact; what it leaves unsaid is the host's own, Windows' defaults assumed.
  const read: WinProfile[] = PROFILE_NAMES.map((name) => {
    const s = profiles.get(name);
    const unsaid: string[] = [];
    if (profileUnknown !== undefined)
      unsaid.push("a setting of the current profile (which one is not known)");
    if (s?.enabled === undefined) unsaid.push("whether the firewall is on");
    if (s?.inbound === undefined) unsaid.push("the default inbound action");
    if (s?.outbound === undefined) unsaid.push("the default outbound action");
    const p: WinProfile = {
      name,
      enabled: s?.enabled !== false,
      defaultInbound: s?.inbound ?? "block",
      defaultOutbound: s?.outbound ?? "allow",
      inboundRules: s?.inboundRules !== false,
      line: s?.line ?? 1,
    };
    if (unsaid.length > 0) {
      p.assumed = `the script does not set ${unsaid.join(", ")} for the ${name} profile (the host's own settings then hold): Windows' defaults assumed`;
      if (profileUnknown === undefined && s?.enabled !== undefined)
        p.assumedDirections = [
          ...(s.inbound === undefined ? ["in" as const] : []),
          ...(s.outbound === undefined ? ["out" as const] : []),
        ];
    }
    return p;
  });
  const profileLine = read.find((p) => p.line > 1)?.line ?? 1;
  const active = candidates(read, false, profileLine, file, diagnostics);
  const rules: WinRule[] = [];
  for (const h of held) {
    if (!h.enabled) continue;
    const mayNot = profileReasons(
      h.record.Profile ?? "Any",
      active,
      h.record.Direction === "Inbound" && h.record.Action !== "Block",
    );
    if (mayNot === undefined) continue;
    const rule = recordRule(h.record, {
      lineOf: (k) => (k === undefined ? h.line : (h.lines.get(k) ?? h.line)),
      problem: (message, k) =>
        error(
          h.lines.get(k) ?? h.line,
          message,
          "Inbound|Outbound, Allow|Block, TCP, UDP, ICMPv4, ICMPv6, Any or 0-255",
        ),
      fallbackName:
        h.record.DisplayName !== undefined ? String(h.record.DisplayName) : `rule at line ${h.line}`,
    });
    if (!rule) continue;
    for (const k of h.unmodelled)
      rule.approximations.push({
        construct: k.startsWith("netsh ") ? k.slice("netsh ".length) : `-${k}`,
        reason: "a parameter the reader does not model; read as if it did not narrow the rule",
        line: h.lines.get(k) ?? h.line,
      });
    for (const why of mayNot)
      rule.approximations.push({
        construct: `Profile ${String(h.record.Profile ?? "Any")}`,
        reason: why,
        line: h.lines.get("Profile") ?? h.line,
      });
    rules.push(rule);
  }
  if (diagnostics.some((d) => d.severity === "error")) return { diagnostics };
  return { firewall: { active: active.profile, rules }, diagnostics };
}

function canonicalParam(name: string): string {
  const lower = name.toLowerCase();
  for (const k of RULE_FIELDS) if (k.toLowerCase() === lower) return k;
  for (const k of ["All", "DefaultInboundAction", "DefaultOutboundAction", "AllowInboundRules"])
    if (k.toLowerCase() === lower) return k;
  return name;
}

function normalise(k: string, v: string): string {
  const table = Object.hasOwn(ENUMS, k) ? ENUMS[k]! : undefined;
  const lower = v.toLowerCase();
  return table !== undefined && Object.hasOwn(table, lower) ? table[lower]! : v;
}

/** PowerShell's -like wildcards (`*`, `?`), case-insensitive. */
function wildcard(w: string): RegExp {
  const re = w
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`, "i");
}
