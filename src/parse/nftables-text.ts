/**
 * Reader for `nft list ruleset` text (nftables 1.0). Tables of family ip, ip6 and inet are
 * analysed; arp, bridge and netdev tables are reported (they act outside the IP hooks modelled).
 * Base chains: `type T hook H priority P; policy X;` with named priorities (nft(8) "CHAINS":
 * raw -300, mangle -150, dstnat -100, filter 0, security 50, srcnat 100, and `name ± n`).
 * Verdict maps (`vmap { k : verdict }`) become one rule per element, in the same line.
 */
import { nftStatements } from "./nft-statements.js";
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import type { Chain, Hook, Origin, Ruleset, Table, TableFamily } from "../ir/ruleset.js";
import type { IntervalSet } from "../space/interval-set.js";
import { nftRule, type NftSets } from "./nftables-rule.js";
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
const HOOKS = new Set<string>(["prerouting", "input", "forward", "output", "postrouting"]);
const IP_FAMILIES = new Set<string>(["ip", "ip6", "inet"]);

interface St {
  file: string;
  diags: Diagnostic[];
  tables: Table[];
  table?: Table | undefined;
  skipTable: boolean;
  chain?: Chain | undefined;
  sets: Map<string, NftSets>;
  /** Open named set being read, with the element text gathered so far. */
  set?: { name: string; type: string; text: string; origin: Origin } | undefined;
  depth: number;
}

export function readNftablesText(text: string, file: string): ParsedRuleset {
  const st: St = { file, diags: [], tables: [], skipTable: false, sets: new Map(), depth: 0 };
  for (const s of nftStatements(text)) {
    if (st.diags.length >= MAX_READER_DIAGNOSTICS) {
      st.diags.push(stoppedReading(file, s.line));
      break;
    }
    nftLine(st, " ".repeat(s.offset) + s.text, s.line);
  }
  for (const t of st.tables) checkJumps(st, t);
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
  if (st.set) return setLine(st, text);
  const words = text.split(/\s+/);
  if (text === "}") return close(st);
  if (words[0] === "table" && text.endsWith("{")) return openTable(st, words, o);
  if (!st.table && scriptCommand(st, words)) return;
  if (words[0] === "include" || words[0] === "define")
    return void st.diags.push(
      diag(
        "nft-script",
        "error",
        `\`${words[0]}\` is not expanded: this reader reads rulesets, not nft scripts`,
        {
          at: at(o),
          expected: "the ruleset as `nft list ruleset` prints it (includes and variables expanded)",
        },
      ),
    );
  if (!st.table)
    return void st.diags.push(
      diag("nft-syntax", "error", `unexpected \`${text}\` outside a table`, {
        at: at(o),
        expected: "table FAMILY NAME {",
      }),
    );
  if (st.skipTable) return void (text.endsWith("{") && st.depth++);
  if ((words[0] === "set" || words[0] === "map") && text.endsWith("{")) {
    st.set = { name: words[1] ?? "", type: "", text: "", origin: o };
    if (words[0] === "map")
      st.diags.push(
        diag("nft-map", "warning", `named map ${words[1]} is not modelled; rules using it are approximated`, {
          at: at(o),
        }),
      );
    return;
  }
  if (
    (words[0] === "flowtable" || words[0] === "ct" || words[0] === "counter" || words[0] === "quota") &&
    text.endsWith("{")
  ) {
    st.diags.push(
      diag("nft-unsupported-object", "warning", `${words[0]} ${words[1] ?? ""} is not modelled`, {
        at: at(o),
      }),
    );
    st.set = { name: "", type: "ignored", text: "", origin: o };
    return;
  }
  if (words[0] === "chain" && text.endsWith("{")) {
    st.chain = { name: words[1] ?? "", rules: [], origin: o };
    st.table.chains.push(st.chain);
    return;
  }
  if (!st.chain)
    return void st.diags.push(
      diag("nft-syntax", "error", `unexpected \`${text}\` outside a chain`, {
        at: at(o),
        expected: "chain NAME {, set NAME {, or }",
      }),
    );
  if (words[0] === "type" && text.includes(" hook ")) return chainHeader(st, st.chain, text, o);
  if (words[0] === "policy") return chainPolicy(st, st.chain, text, o);
  const tokens = tokenizeNft(raw);
  const built = nftRule({
    tokens,
    origin: o,
    sets: st.sets,
    family: st.table.family,
    table: st.table.name,
    chain: st.chain.name,
    index: st.chain.rules.length,
  });
  st.diags.push(...built.diagnostics);
  st.chain.rules.push(...built.rules);
}

function at(o: Origin): { file: string; line: number; col: number } {
  return { file: o.file, line: o.line, col: o.col };
}

/**
 * Commands of an `nft -f` script outside table blocks (nftables.conf, portmatrix's own output):
 * `flush ruleset`, `table F N` (create if absent), `delete|destroy table F N`, `flush table F N`.
 * They are applied in order, as nft does, so the reader sees the ruleset the script leaves.
 */
function scriptCommand(st: St, words: string[]): boolean {
  const [verb, what] = words;
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

function openTable(st: St, words: string[], o: Origin): void {
  const family = words.length >= 4 ? words[1]! : "ip";
  const name = words.length >= 4 ? words[2]! : words[1]!;
  st.sets = new Map();
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
  if (st.chain) st.chain = undefined;
  else if (st.table) {
    st.table = undefined;
    st.skipTable = false;
  }
}

function chainHeader(st: St, chain: Chain, text: string, o: Origin): void {
  const m =
    /type\s+(\w+)\s+hook\s+(\w+)(?:\s+device\s+\S+)?\s+priority\s+([^;]+);(?:\s*policy\s+(\w+);)?/.exec(text);
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
  const m = /^policy\s+(accept|drop);?$/.exec(text);
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

function setLine(st: St, text: string): void {
  const s = st.set!;
  s.text += " " + text;
  const opens = (s.text.match(/{/g) ?? []).length;
  const closes = (s.text.match(/}/g) ?? []).length;
  if (closes <= opens) return;
  st.set = undefined;
  if (s.type === "ignored" || !s.name) return;
  const type = /type\s+([^;]+?)\s*(?:;|flags|elements|$)/.exec(s.text)?.[1] ?? "";
  const elements = /elements\s*=\s*{([^}]*)}/.exec(s.text)?.[1] ?? "";
  st.sets.set(s.name, { type: type.trim(), elements: elements.trim(), origin: s.origin });
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
