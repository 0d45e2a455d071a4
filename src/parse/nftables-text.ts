/**
 * Reader for `nft list ruleset` text (nftables 1.0). Tables of family ip, ip6 and inet are
 * analysed; arp, bridge and netdev tables are reported (they act outside the IP hooks modelled).
 * Base chains: `type T hook H priority P; policy X;` with named priorities (nft(8) "CHAINS":
 * raw -300, mangle -150, dstnat -100, filter 0, security 50, srcnat 100, and `name ± n`).
 * Verdict maps (`vmap { k : verdict }`) become one rule per element, in the same line.
 */
import { nftStatements, type Statement } from "./nft-statements.js";
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import {
  findChain,
  type Chain,
  type Hook,
  type Origin,
  type Ruleset,
  type Table,
  type TableFamily,
} from "../ir/ruleset.js";
import type { IntervalSet } from "../space/interval-set.js";
import type { Token } from "./terms.js";
import { nftRule, readElements, type NftElem, type NftSets } from "./nftables-rule.js";
import { MAX_READER_DIAGNOSTICS, stoppedReading, type ParsedRuleset } from "./reader.js";
import { tokenizeNft } from "./nftables-tokens.js";
import { lookupTable } from "./lookup.js";

const PRIORITY_NAMES: Record<string, number> = lookupTable({
  raw: -300,
  mangle: -150,
  dstnat: -100,
  filter: 0,
  security: 50,
  srcnat: 100,
});
/** Named stateful objects: they decide no verdict themselves (rules that use them are read). */
const OBJECTS =
  /^(flowtable|counter|quota|limit|secmark|synproxy|tunnel|ct\s+(helper|timeout|expectation))\s+\S+\s*\{$/;
const HOOKS = new Set<string>(["prerouting", "input", "forward", "output", "postrouting"]);
const IP_FAMILIES = new Set<string>(["ip", "ip6", "inet"]);

interface St {
  /** The file being read: the ruleset's, or an included one. */
  file: string;
  includes: NftIncludes | undefined;
  /** The files whose includes are being read (outermost first). */
  including: string[];
  diags: Diagnostic[];
  tables: Table[];
  table?: Table | undefined;
  skipTable: boolean;
  chain?: Chain | undefined;
  sets: Map<string, NftSets>;
  /** Open named set being read, with the element text gathered so far. */
  set?: { name: string; kind: "set" | "map"; type?: "ignored"; stmts: string[]; origin: Origin } | undefined;
  depth: number;
  /** The sets of each table (`family name`). */
  setsOf: Map<string, Map<string, NftSets>>;
  /** `define`d variables. */
  vars: Map<string, string>;
  /** Chains that hold the chain bindings being read (innermost last). */
  outer: Chain[];
  /** Tables with `flags dormant`. */
  dormant: Set<Table>;
  /** Sets that rules update (`add @s`, `update @s`, `delete @s`): their content is run-time state. */
  updated: Set<string>;
  /** A base chain header still missing its priority (split over lines). */
  header?: { text: string; origin: Origin } | undefined;
}

/**
 * The files an `include "…"` statement names, as a loader found them (src/shell/nft-includes.ts):
 * keyed by `includeKey(including file, the quoted name)`, the files in nft's order, or why not.
 * The reader itself reads no file.
 */
export type NftIncludes = ReadonlyMap<
  string,
  { files: ReadonlyArray<{ file: string; text: string }> } | { error: string }
>;

export function includeKey(from: string, name: string): string {
  return `${from}\n${name}`;
}

/** nft refuses includes nested deeper than this (MAX_INCLUDE_DEPTH in nftables' src/scanner.l). */
export const MAX_INCLUDE_DEPTH = 16;

export function readNftablesText(text: string, file: string, includes?: NftIncludes): ParsedRuleset {
  const st: St = {
    includes,
    including: [],
    file,
    diags: [],
    tables: [],
    skipTable: false,
    sets: new Map(),
    depth: 0,
    dormant: new Set(),
    outer: [],
    vars: new Map(),
    setsOf: new Map(),
    updated: new Set(
      [
        text,
        ...[...(includes?.values() ?? [])].flatMap((v) => ("files" in v ? v.files.map((f) => f.text) : [])),
      ]
        .flatMap((t) => (t.includes("@") ? [...t.matchAll(/\b(?:add|update|delete)\s+@([\w.-]+)/g)] : []))
        .map((m) => m[1]!),
    ),
  };
  readSource(st, text);
  for (const t of st.tables) checkJumps(st, t);
  for (const t of st.dormant) {
    st.diags.push(
      diag(
        "nft-dormant",
        "warning",
        `table ${t.family} ${t.name} is dormant (flags dormant): it filters nothing`,
        {
          at: at(t.chains[0]?.origin ?? { file, line: 1, col: 1, text: "" }),
        },
      ),
    );
    st.tables = st.tables.filter((x) => x !== t);
  }
  const ruleset: Ruleset = {
    format: "nftables-text",
    source: file,
    semantics: "first-match",
    stateful: false,
    tables: st.tables,
  };
  return { ruleset, diagnostics: st.diags };
}

function origin(st: St, line: number, raw: string): Origin {
  const col = raw.length - raw.trimStart().length + 1;
  return { file: st.file, line, col, text: raw.trim() };
}

function nftLine(st: St, raw: string, n: number): void {
  const text = raw.trim();
  if (text === "" || text.startsWith("#")) return;
  const o = origin(st, n, raw);
  if (st.set) return setLine(st, text, o);
  const words = text.split(/\s+/);
  if (text === "}") return close(st);
  if (words[0] === "table" && text.endsWith("{")) return openTable(st, words, o);
  if (!st.table && scriptCommand(st, words, o)) return;
  if (!st.table && commandLine(st, text, raw, o, n)) return;
  if (!st.table)
    return void st.diags.push(
      diag("nft-syntax", "error", `unexpected \`${text}\` outside a table`, {
        at: at(o),
        expected: "table FAMILY NAME {",
      }),
    );
  if (st.skipTable) return void (text.endsWith("{") && st.depth++);
  if ((words[0] === "set" || words[0] === "map") && text.endsWith("{")) {
    st.set = { name: words[1] ?? "", kind: words[0], stmts: [], origin: o };
    return;
  }
  if (text.endsWith("{") && OBJECTS.test(text)) {
    st.diags.push(
      diag("nft-unsupported-object", "warning", `${text.replace(/\s*\{$/, "")} is not modelled`, {
        at: at(o),
      }),
    );
    st.set = { name: "", kind: "set", type: "ignored", stmts: [], origin: o };
    return;
  }
  if (!st.chain && (words[0] === "flags" || words[0] === "comment")) {
    // Table flags: `dormant` turns the whole table off (its chains see no packets).
    if (words[0] === "flags" && /\bdormant\b/.test(text)) st.dormant.add(st.table);
    return;
  }
  if (words[0] === "chain" && text.endsWith("{")) {
    // A chain declared before (`add chain …`, an earlier block) gets the rules added, as `nft -f` does.
    const existing = findChain(st.table, words[1] ?? "");
    st.chain = existing ?? { name: words[1] ?? "", rules: [], origin: o };
    if (!existing) st.table.chains.push(st.chain);
    return;
  }
  if (!st.chain)
    return void st.diags.push(
      diag("nft-syntax", "error", `unexpected \`${text}\` outside a chain`, {
        at: at(o),
        expected: "chain NAME {, set NAME {, or }",
      }),
    );
  if (st.header) {
    const joined = `${st.header.text} ${text}`;
    const head = st.header.origin;
    st.header = undefined;
    return chainHeader(st, st.chain, joined, head);
  }
  if (words[0] === "type" && text.includes(" hook ")) {
    // A header split over lines (`type filter hook input` / `priority 0;`) waits for its priority.
    if (!(text.includes("priority") && /\bpriority\b/.test(text)))
      return void (st.header = { text, origin: o });
    return chainHeader(st, st.chain, text, o);
  }
  if (words[0] === "policy") return chainPolicy(st, st.chain, text, o);
  // A chain's own comment (`comment "…"` alone in the chain) is no rule.
  if (text.startsWith("comment") && /^comment\s+"[^"]*"\s*;?$/.test(text)) return;
  ruleLine(st, st.table, st.chain, tokenizeNft(raw), o, n);
}

/** One rule of `chain` (tokens with their columns); `insert` puts it first, as `nft insert rule`. */
function ruleLine(
  st: St,
  table: Table,
  chain: Chain,
  all: Token[],
  o: Origin,
  n: number,
  insert = false,
): void {
  // A chain binding (`… jump { rules }`): an anonymous chain, its rules follow until its `}`.
  // `;` ends a statement (hand-written files); it is no part of the rule.
  let tokens = all.filter((t) => t.text !== ";");
  let bound: Chain | undefined;
  if (
    ["jump", "goto"].includes(tokens[tokens.length - 2]?.text ?? "") &&
    tokens[tokens.length - 1]?.text === "{"
  ) {
    const k = table.chains.filter((c) => c.name.startsWith(`${chain.name}.binding#`)).length + 1;
    bound = { name: `${chain.name}.binding#${k}`, rules: [], origin: o };
    tokens = [...tokens.slice(0, -1), { text: bound.name, col: tokens[tokens.length - 1]!.col }];
  }
  const built = nftRule({
    tokens,
    origin: o,
    sets: st.sets,
    family: table.family,
    table: table.name,
    chain: chain.name,
    index: chain.rules.length,
  });
  st.diags.push(...built.diagnostics);
  if (insert) chain.rules.unshift(...built.rules);
  else chain.rules.push(...built.rules);
  if (bound) {
    table.chains.push(bound);
    if (st.chain) st.outer.push(st.chain);
    st.chain = bound;
  }
}

const FAMILIES = new Set(["ip", "ip6", "inet", "arp", "bridge", "netdev"]);

/**
 * The command form of an nft script (`nft -f` files written as commands, or `nft` command lines
 * collected in a file): `add|create table`, `add|create chain F T C [{ header }]`, `add|insert rule
 * F T C RULE`, `add set|map F T S { … }`, `add element F T S { … }`. Each acts on the ruleset built
 * so far, as nft applies them in order. The family is optional (ip), as in nft.
 */
function commandLine(st: St, text: string, raw: string, o: Origin, n: number): boolean {
  const m = ["add", "create", "insert"].some((verb) => text.startsWith(verb))
    ? /^(add|create|insert)\s+(table|chain|rule|set|map|element)\s+(.*)$/s.exec(text)
    : null;
  if (!m) return false;
  const [, verb, what] = m;
  const tokens = tokenizeNft(raw);
  const words = tokens.map((t) => t.text);
  let k = 2;
  const family =
    FAMILIES.has(words[k] ?? "") && words.length > k + 1 && words[k + 1] !== "{" ? words[k++]! : "ip";
  const tableName = words[k++] ?? "";
  openTable(st, ["table", family, tableName, "{"], o);
  const table = st.table!;
  const body = (): string => {
    const open = text.indexOf("{");
    return open < 0 ? "" : text.slice(open + 1, text.lastIndexOf("}"));
  };
  try {
    if (st.skipTable || what === "table") {
      if (/\bdormant\b/.test(body())) st.dormant.add(table);
      return true;
    }
    const name = words[k++] ?? "";
    if (what === "set" || what === "map") {
      st.set = { name, kind: what, stmts: [], origin: o };
      for (const s of nftStatements(body())) setLine(st, s.text);
      setLine(st, "}");
      return true;
    }
    if (what === "element") {
      const set = st.sets.get(name);
      const open = tokens.findIndex((t) => t.text === "{");
      if (!set || open < 0) {
        st.diags.push(
          diag("nft-syntax", "error", `add element: no set ${name} in table ${table.name}`, {
            at: at(o),
            expected: `add set ${family} ${table.name} ${name} { … } first`,
          }),
        );
        return true;
      }
      set.elements.push(...readElements(tokens, open).elements);
      return true;
    }
    let chain = findChain(table, name);
    if (what === "chain") {
      if (!chain) table.chains.push((chain = { name, rules: [], origin: o }));
      const header = body().trim().replace(/;\s*$/, "");
      if (header !== "") chainHeader(st, chain, header, o);
      return true;
    }
    if (!chain) {
      st.diags.push(
        diag("nft-unknown-chain", "error", `${verb} rule: no chain ${name} in table ${table.name}`, {
          at: at(o),
          expected: `add chain ${family} ${table.name} ${name} first`,
        }),
      );
      return true;
    }
    ruleLine(st, table, chain, tokens.slice(k), o, n, verb === "insert");
    return true;
  } finally {
    if (!st.chain) st.table = undefined;
    st.skipTable = false;
  }
}

/** `w` without one `;` at its end (as `w.replace(/;$/, "")`). */
function withoutSemicolon(w: string): string {
  return w.endsWith(";") ? w.slice(0, -1) : w;
}

/**
 * The statements of one file (the ruleset's or an included one), in order. Here and in the
 * statements below, a pattern is tried only on text that has the word it starts with: V8 compiles
 * a regular expression on its first use (twice when used again: bytecode, then machine code), some
 * hundred thousand instructions each, which a start pays for patterns that match nothing in most
 * files (issue 21: start-up ≤ 0.1 s). The results are the same.
 */
function readSource(st: St, text: string): void {
  for (const s of nftStatements(text)) {
    if (st.diags.length >= MAX_READER_DIAGNOSTICS) {
      if (!st.diags.some((d) => d.code === "too-many-problems"))
        st.diags.push(stoppedReading(st.file, s.line));
      return;
    }
    const inc = s.text.startsWith("include") ? /^include\s+"([^"]*)"\s*;?$/.exec(s.text) : null;
    if (inc) {
      include(st, inc[1]!, s);
      continue;
    }
    const expanded = expandVariables(st, s);
    if (expanded !== undefined) nftLine(st, " ".repeat(s.offset) + expanded, s.line);
  }
}

/** `include "name"`: the files the loader found, read in place with their own positions. */
function include(st: St, name: string, s: Statement): void {
  const found = st.includes?.get(includeKey(st.file, name));
  const o = origin(st, s.line, " ".repeat(s.offset) + s.text);
  const fail = (message: string, expected: string): void =>
    void st.diags.push(diag("nft-include", "error", message, { at: at(o), expected }));
  if (!found)
    return fail(
      `include "${name}" is not read: includes are read when the ruleset is read from a file`,
      "the ruleset file given to the CLI, whose includes it resolves",
    );
  if ("error" in found)
    return fail(found.error, "an include naming files that exist, relative to the including file");
  if (st.including.length >= MAX_INCLUDE_DEPTH)
    return fail(`includes nested deeper than ${MAX_INCLUDE_DEPTH}`, "fewer nested includes (nft's limit)");
  for (const f of found.files) {
    if (f.file === st.file || st.including.includes(f.file))
      return fail(`include "${name}" includes ${f.file} within itself`, "includes without a cycle");
    st.including.push(st.file);
    st.file = f.file;
    try {
      readSource(st, f.text);
    } finally {
      st.file = st.including.pop()!;
    }
  }
}

/**
 * `define NAME = VALUE` (and `redefine`, `undefine`) are recorded; `$NAME` in any other statement
 * is replaced by its value, as nft does (a set inside a set is flattened by the rule reader). A
 * variable used but never defined is an error at its position, and the statement is not read.
 * Variable names: nft's scanner `string` ({letter}|[_.])({letter}|{digit}|[/\-_.])*.
 */
function expandVariables(st: St, s: Statement): string | undefined {
  const def =
    s.text.startsWith("define") || s.text.startsWith("redefine")
      ? /^(define|redefine)\s+([A-Za-z_.][\w/.-]*)\s*=\s*([\s\S]*?)\s*;?$/.exec(s.text)
      : null;
  const undef = s.text.startsWith("undefine") ? /^undefine\s+(\S+?);?$/.exec(s.text) : null;
  if (undef) return void st.vars.delete(undef[1]!);
  let missing = false;
  const value = def ? def[3]! : s.text;
  // (No `$`, no variable: the text as it is, without compiling the pattern.)
  const text = !value.includes("$")
    ? value
    : value.replace(/\$([A-Za-z_.][\w/.-]*)/g, (whole, name: string, at: number) => {
        const v = st.vars.get(name);
        if (v !== undefined) return v;
        missing = true;
        st.diags.push(
          diag("nft-variable", "error", `undefined variable $${name}`, {
            at: { file: st.file, line: s.line, col: s.offset + at + 1 },
            expected: `define ${name} = … before its first use`,
          }),
        );
        return whole;
      });
  if (def) return void (!missing && st.vars.set(def[2]!, text));
  return missing ? undefined : text;
}

function at(o: Origin): { file: string; line: number; col: number } {
  return { file: o.file, line: o.line, col: o.col };
}

/**
 * Commands of an `nft -f` script outside table blocks (nftables.conf, portmatrix's own output):
 * `flush ruleset`, `table F N` (create if absent), `delete|destroy table F N`, `flush table F N`.
 * They are applied in order, as nft does, so the reader sees the ruleset the script leaves.
 */
function scriptCommand(st: St, words: string[], o: Origin): boolean {
  const [verb, what] = words.map(withoutSemicolon);
  if (what === "chain" && (verb === "flush" || verb === "delete" || verb === "destroy"))
    return chainCommand(st, verb, words.slice(2).map(withoutSemicolon), o);
  const tableWords = verb === "table" ? words : words.slice(1);
  if (tableWords[0] !== "table" && !(verb === "flush" && what === "ruleset")) return false;
  if (verb === "flush" && what === "ruleset") {
    st.tables = [];
    return true;
  }
  const family = tableWords.length >= 3 ? tableWords[1]! : "ip";
  const name = tableWords.length >= 3 ? tableWords[2]! : tableWords[1]!;
  const idx = st.tables.findIndex((t) => t.family === family && t.name === name);
  if (verb === "table") return true;
  if (verb === "delete" || verb === "destroy") {
    if (idx >= 0) st.tables.splice(idx, 1);
    return true;
  }
  if (verb === "flush") {
    for (const c of st.tables[idx]?.chains ?? []) c.rules = [];
    return true;
  }
  return false;
}

/**
 * `flush chain [F] T C` (the chain keeps its header, loses its rules: proxmox-firewall's ruleset
 * flushes each chain before redefining it) and `delete|destroy chain [F] T C`.
 */
function chainCommand(st: St, verb: string, args: string[], o: Origin): boolean {
  if (args.length < 2 || args.length > 3) return false;
  const [family, table, name] =
    args.length === 3 ? (args as [string, string, string]) : ["ip", args[0]!, args[1]!];
  // Tables of other families are not kept (openTable): nothing to act on.
  if (!IP_FAMILIES.has(family)) return true;
  const t = st.tables.find((x) => x.family === family && x.name === table);
  const k = t?.chains.findIndex((c) => c.name === name) ?? -1;
  if (t && k >= 0) {
    if (verb === "flush") t.chains[k]!.rules = [];
    else t.chains.splice(k, 1);
  } else if (verb !== "destroy")
    // nft refuses to flush or delete a chain that does not exist (destroy is its quiet form).
    st.diags.push(
      diag("nft-unknown-chain", "error", `${verb} chain: no chain ${name} in table ${family} ${table}`, {
        at: at(o),
        expected: `add chain ${family} ${table} ${name} first`,
      }),
    );
  return true;
}

function openTable(st: St, words: string[], o: Origin): void {
  const family = words.length >= 4 ? words[1]! : "ip";
  const name = words.length >= 4 ? words[2]! : words[1]!;
  // Sets belong to their table: a second block (or command) for the table sees them again.
  const key = `${family} ${name}`;
  st.sets = st.setsOf.get(key) ?? st.setsOf.set(key, new Map()).get(key)!;
  if (!IP_FAMILIES.has(family)) {
    st.diags.push(
      diag(
        "nft-family",
        "warning",
        `table ${family} ${name} is not analysed (only ip, ip6 and inet tables act at the IP hooks modelled)`,
        { at: at(o) },
      ),
    );
    st.table = { family: "inet", name, chains: [] };
    st.skipTable = true;
    st.depth = 0;
    return;
  }
  st.skipTable = false;
  // A second block for the same table adds to it, as `nft -f` does.
  const existing = st.tables.find((t) => t.family === family && t.name === name);
  if (existing) return void (st.table = existing);
  st.table = { family: family as TableFamily, name, chains: [] };
  st.tables.push(st.table);
}

function close(st: St): void {
  if (st.skipTable && st.depth > 0) return void st.depth--;
  if (st.chain) st.chain = st.outer.pop();
  else if (st.table) {
    st.table = undefined;
    st.skipTable = false;
  }
}

function chainHeader(st: St, chain: Chain, text: string, o: Origin): void {
  const m =
    /^type\s+(\w+)\s+hook\s+(\w+)(?:\s+devices?\s*=?\s*(?:\{[^}]*\}|\S+))?\s+priority\s+([^;]+?)\s*(?:;|$)(?:\s*policy\s+(\w+)\s*;?)?\s*$/.exec(
      text,
    );
  if (!m)
    return void st.diags.push(
      diag("nft-chain", "error", "malformed base chain header", {
        at: at(o),
        expected: "type filter|nat|route hook HOOK priority P; policy accept|drop;",
      }),
    );
  const [, type, hook, prio, policy] = m;
  const priority = parsePriority(prio!.trim());
  if (priority === undefined)
    return void st.diags.push(
      diag("nft-chain", "error", `unknown priority ${prio}`, {
        at: at(o),
        expected: "a number or raw, mangle, dstnat, filter, security, srcnat (± n)",
      }),
    );
  if (!HOOKS.has(hook!))
    return void st.diags.push(
      diag("nft-hook", "warning", `hook ${hook} is not modelled (chain ${chain.name} is not analysed)`, {
        at: at(o),
      }),
    );
  if (type !== "filter" && type !== "nat" && type !== "route")
    return void st.diags.push(
      diag("nft-chain", "error", `unknown chain type ${type}`, {
        at: at(o),
        expected: "filter, nat or route",
      }),
    );
  chain.base = { hook: hook as Hook, priority, type, policy: policy === "drop" ? "drop" : "accept" };
  chain.origin = o;
}

function chainPolicy(st: St, chain: Chain, text: string, o: Origin): void {
  const m = /^policy\s+(accept|drop)\s*;?$/.exec(text);
  if (!m || !chain.base)
    return void st.diags.push(
      diag("nft-chain", "error", "policy outside a base chain header", {
        at: at(o),
        expected: "policy accept|drop; in a base chain",
      }),
    );
  chain.base.policy = m[1] === "drop" ? "drop" : "accept";
}

export function parsePriority(text: string): number | undefined {
  const m = /^(-?\d+)$|^(\w+)(?:\s*([+-])\s*(\d+))?$/.exec(text);
  if (!m) return undefined;
  if (m[1] !== undefined) return Number(m[1]);
  const base = PRIORITY_NAMES[m[2]!];
  if (base === undefined) return undefined;
  return m[3] === "-" ? base - Number(m[4]) : base + Number(m[4] ?? 0);
}

/** A statement inside `set|map NAME { … }`; at its `}` the set is recorded for the table's rules. */
function setLine(st: St, text: string, o?: Origin): void {
  const s = st.set!;
  // `type ipv4_addr, ipv6_addr`, `type { ipv4_addr, ipv6_addr } . …`: nft's grammar takes one type
  // or a concatenation (`a . b`), and refuses the file (syntax error at the comma or brace; `typeof`
  // may hold commas: `@ih,32,32`); read
  // as written the set's elements would be taken as addresses of both families.
  const comma = /^type\s/.test(text) ? text.search(/[,{]/) : -1;
  if (comma >= 0)
    st.diags.push(
      diag(
        "nft-syntax",
        "error",
        `set ${s.name}: ${text.replace(/;$/, "")}: a set has one type (nft refuses a comma or a brace here)`,
        {
          at: o ? { file: st.file, line: o.line, col: o.col + comma } : at(s.origin),
          expected:
            "type T, or a concatenation type A . B (an inet table's set of both families is two sets)",
        },
      ),
    );
  if (text !== "}") return void s.stmts.push(text);
  st.set = undefined;
  if (s.type === "ignored" || !s.name) return;
  let type = "";
  let data: string | undefined;
  let dynamic: string | undefined;
  let elements: NftElem[] = [];
  for (const stmt of s.stmts) {
    const words = withoutSemicolon(stmt).split(/\s+/);
    if (words[0] === "type" || words[0] === "typeof") {
      const typeText = words.slice(1).join(" ");
      const [k, d] = typeText.includes(":") ? typeText.split(/\s+:\s+/) : [typeText];
      type = k ?? "";
      data = d;
    } else if (words[0] === "flags" && /\b(dynamic|timeout)\b/.test(stmt))
      dynamic = `has flags ${words.slice(1).join(" ")}`;
    else if (words[0] === "timeout") dynamic = "has a timeout";
    else if (stmt.startsWith("elements") && /^elements\s*=/.test(stmt)) {
      const tokens = tokenizeNft(stmt);
      const open = tokens.findIndex((t) => t.text === "{");
      if (open >= 0) elements = elements.concat(readElements(tokens, open).elements);
    }
  }
  st.sets.set(s.name, {
    kind: s.kind,
    type,
    ...(data !== undefined ? { data } : {}),
    elements,
    ...(dynamic !== undefined
      ? { dynamic }
      : st.updated.has(s.name)
        ? { dynamic: "is updated from rules (add/update @set)" }
        : {}),
    origin: s.origin,
  });
}

function checkJumps(st: St, t: Table): void {
  for (const c of t.chains)
    for (const r of c.rules) {
      const a = r.action;
      if ((a.kind === "jump" || a.kind === "goto") && !t.chains.some((x) => x.name === a.chain)) {
        st.diags.push(
          diag("nft-unknown-chain", "error", `${a.kind} to missing chain ${a.chain}`, {
            at: at(r.origin),
            expected: `a chain ${a.chain} in table ${t.name}`,
          }),
        );
      }
    }
}

export type { IntervalSet };
