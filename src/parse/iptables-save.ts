/**
 * Reader for iptables-save / ip6tables-save output (iptables 1.8, legacy and nf_tables backends),
 * tables filter, nat, mangle, raw, security. ipset contents may precede the rules in `ipset save`
 * form (`create NAME hash:net …`, `add NAME 203.0.113.0/24`); `-m set` then matches exactly.
 * Semantics: iptables(8), iptables-extensions(8); built-in chain priorities from the kernel's
 * nf_ip_hook_priorities (raw -300, mangle -150, dnat -100, filter 0, security 50, snat 100).
 */
import { diag, hasErrors, type Diagnostic } from "../diag/diagnostic.js";
import { MatchBuilder } from "../ir/match.js";
import {
  findChain,
  type Action,
  type BaseChainSpec,
  type Chain,
  type Hook,
  type HostAddressTerm,
  type Origin,
  type Rule,
  type Ruleset,
  type Table,
} from "../ir/ruleset.js";
import { IntervalSet } from "../space/interval-set.js";
import { ctSet, CT_STATES, type CtState } from "../space/box.js";
import { NameSet } from "../space/name-set.js";
import { Space } from "../space/space.js";
import { parseAddresses, parseNatTarget, parsePortList, tokenize } from "./terms.js";
import { iptAddresses, iptIcmpType, iptPorts, iptProto, longOption } from "./iptables-terms.js";
import { MAX_READER_DIAGNOSTICS, stoppedReading, type ParsedRuleset } from "./reader.js";
import { HOP_LIMIT_255_REASON, NOT_NEIGHBOUR_DISCOVERY } from "./hop-limit.js";
import { headerReason, needsHeader } from "./extension-headers.js";
import { lookupTable } from "./lookup.js";
import { listedRow, type ListColumns } from "./iptables-list.js";
import {
  addrTypeReason,
  addrTypeSet,
  hostAddressTerm,
  moduleApproximation,
  moduleReason,
  parseAddrTypes,
  type AddrType,
} from "./iptables-matches.js";
import { TCP_FLAG_BITS, tcpFlagStates } from "./tcp-flags.js";

const PRIORITY: Record<string, number> = lookupTable({
  raw: -300,
  mangle: -150,
  nat: -100,
  filter: 0,
  security: 50,
});
const BUILTIN: Record<string, Partial<Record<string, Hook>>> = lookupTable({
  filter: { INPUT: "input", FORWARD: "forward", OUTPUT: "output" },
  nat: { PREROUTING: "prerouting", INPUT: "input", OUTPUT: "output", POSTROUTING: "postrouting" },
  mangle: {
    PREROUTING: "prerouting",
    INPUT: "input",
    FORWARD: "forward",
    OUTPUT: "output",
    POSTROUTING: "postrouting",
  },
  raw: { PREROUTING: "prerouting", OUTPUT: "output" },
  security: { INPUT: "input", FORWARD: "forward", OUTPUT: "output" },
});

/** The hook of a built-in chain of a table; a chain name from the file is looked up as its own key only. */
function builtinHook(table: string, chain: string): Hook | undefined {
  const chains = BUILTIN[table];
  return chains && Object.hasOwn(chains, chain) ? chains[chain] : undefined;
}

export interface State {
  file: string;
  family: 4 | 6;
  tables: Table[];
  table?: Table;
  sets: Map<string, IntervalSet>;
  diags: Diagnostic[];
}

export function readIptablesSave(text: string, file: string): ParsedRuleset {
  return readIptables(text, file);
}

/** `--ruleset-format ip6tables-save`: the file is IPv6 whatever its name; IPv4 content is an error. */
export function readIp6tablesSave(text: string, file: string): ParsedRuleset {
  return readIptables(text, file, 6);
}

function readIptables(text: string, file: string, forced?: 4 | 6): ParsedRuleset {
  const lines = text.split("\n");
  const fam = familyOf(lines, file, forced);
  const st: State = { file, family: fam.family, tables: [], sets: new Map(), diags: [...fam.diags] };
  const crlf = lines.findIndex((l) => l.endsWith("\r"));
  if (crlf >= 0)
    st.diags.push(
      diag(
        "iptables-crlf",
        "warning",
        "CRLF line endings: iptables-restore refuses the file as it is (table name 'filter\\r')",
        {
          at: { file, line: crlf + 1, col: lines[crlf]!.length },
          expected: "LF line endings (dos2unix) before loading it; the rules are read as if converted",
        },
      ),
    );
  // A file whose family contradicts itself is refused whole: reading its rules as either family
  // would only repeat the contradiction rule by rule.
  if (hasErrors(fam.diags)) lines.length = 0;
  // An `iptables -L -n -v` display, an `iptables -S` listing, or iptables-save input.
  const display = displayBlocks(lines);
  const blocks = display ? undefined : listingBlocks(lines);
  if (display) readDisplay(st, lines, display);
  else {
    let block = 0;
    let skipping = false;
    for (const [i, raw] of lines.entries()) {
      if (st.diags.length >= MAX_READER_DIAGNOSTICS) {
        st.diags.push(stoppedReading(file, i + 1));
        break;
      }
      if (blocks && blocks[block]?.start === i) skipping = !startListedTable(st, blocks[block++]!);
      if (skipping) continue;
      line(st, raw.replace(/\r$/, ""), i + 1, blocks !== undefined);
    }
  }
  // A listing or display has no COMMIT: its last table ends with the file.
  if (blocks || display) delete st.table;
  if (st.table)
    st.diags.push(
      diag("iptables-no-commit", "error", `table ${st.table.name} has no COMMIT`, {
        at: { file, line: lines.length, col: 1 },
        expected: "COMMIT at the end of each table",
      }),
    );
  for (const t of st.tables) checkTargets(st, t);
  const ruleset: Ruleset = {
    format: st.family === 6 ? "ip6tables-save" : "iptables-save",
    source: file,
    semantics: "first-match",
    stateful: false,
    tables: st.tables,
  };
  return { ruleset, diagnostics: st.diags };
}

interface Evidence {
  family: 4 | 6;
  what: string;
  line: number;
}

/**
 * What a line shows of its family: ip(6)tables-save headers, addresses, ICMP matches and the
 * extensions only one of iptables/ip6tables has (iptables-extensions(8): ttl vs hl, rt/frag/hbh/
 * dst/ipv6header/mh; REJECT icmp- vs icmp6- codes). First hit per line.
 */
const CONTENT: Array<[RegExp, 4 | 6, string]> = [
  [/^#.*\bip6tables(-legacy|-nft)?-(save|restore)\b/, 6, "an ip6tables-save header"],
  [/^#.*\biptables(-legacy|-nft)?-(save|restore)\b/, 4, "an iptables-save header"],
  [
    /(?:^|\s)(?:-[sd]|--source|--destination|--src-range|--dst-range|--to-destination|--to-source)\s+(?:!\s*)?\[?[0-9a-f]*:[0-9a-f]*:/i,
    6,
    "an IPv6 address",
  ],
  [
    /(?:^|\s)(?:-[sd]|--source|--destination|--src-range|--dst-range|--to-destination|--to-source)\s+(?:!\s*)?\d{1,3}(?:\.\d{1,3}){1,3}\b/,
    4,
    "an IPv4 address",
  ],
  [/(?:^|\s)-p\s+(?:!\s*)?(?:ipv6-icmp|icmpv6|58)\b|--icmpv6-type\b/, 6, "an ICMPv6 match"],
  // `-p icmp` alone is not evidence: ip6tables takes protocol 1 too (it never matches there).
  [/--icmp-type\b/, 4, "an ICMP (IPv4) match"],
  [
    /\s-m\s+(?:rt|frag|hbh|dst|ipv6header|mh|hl)\b|\s--hl-(?:eq|lt|gt|set|inc|dec)\b|icmp6-/,
    6,
    "an ip6tables-only extension",
  ],
  [
    /\s-m\s+ttl\b|\s--ttl-(?:eq|lt|gt|set|inc|dec)\b|--reject-with\s+icmp-/,
    4,
    "an iptables-only (IPv4) extension",
  ],
];

/**
 * What a row of an `iptables -L -n` display shows of its family: its source and destination
 * columns, which every row has (`0.0.0.0/0` or `::/0` at least). Undefined for other lines.
 */
function displayRowFamily(text: string): { family: 4 | 6; what: string } | undefined {
  const ws = text.split(/\s+/);
  // [num] pkts bytes [target] prot opt in out source destination …
  if (!/^\d+[KMGT]?$/.test(ws[0] ?? "") || !/^\d+[KMGT]?$/.test(ws[1] ?? "")) return undefined;
  const opt = ws.findIndex((w, k) => k >= 3 && k <= 5 && (w === "--" || w === "-f" || w === "!f"));
  if (opt < 0) return undefined;
  for (const a of [ws[opt + 3], ws[opt + 4]]) {
    const v = a?.replace(/^!/, "") ?? "";
    if (/^[0-9a-fA-F]*:[0-9a-fA-F:]*(\/\d+)?$/.test(v)) return { family: 6, what: "an IPv6 address column" };
    if (/^\d{1,3}(\.\d{1,3}){3}(\/\d+)?$/.test(v)) return { family: 4, what: "an IPv4 address column" };
  }
  return undefined;
}

/** The file's family: from its content, then its name; a file showing neither is read as IPv4, said. */
function familyOf(
  lines: readonly string[],
  file: string,
  forced: 4 | 6 | undefined,
): { family: 4 | 6; diags: Diagnostic[] } {
  const seen: Evidence[] = [];
  lines.forEach((raw, i) => {
    const text = raw.trim();
    if (text.startsWith("#") && !/^#\s*(Generated by|Completed on)/.test(text)) return;
    const shown = displayRowFamily(text);
    if (shown) return void seen.push({ ...shown, line: i + 1 });
    for (const [re, family, what] of CONTENT)
      if (re.test(text)) {
        seen.push({ family, what, line: i + 1 });
        break;
      }
  });
  const base = file.split(/[\\/]/).pop() ?? file;
  // Names as the tools and distributions write them: rules.v6 (iptables-persistent), ip6tables
  // (RHEL's /etc/sysconfig/ip6tables, ip6tables.rules), rules6, *.ipv6; not any "ipv6" inside;
  // ufw's /etc/ufw/{before,after,user}6.rules (ip6tables-restore input; the others IPv4).
  const named: 4 | 6 | undefined =
    /(^|[^a-z0-9])(ip6tables|rules6)|\.(v6|ipv6)$|(^|[^a-z0-9])(before|after|user)6\.rules$/i.test(base)
      ? 6
      : /(^|[^a-z0-9])rules4|\.(v4|ipv4)$|(^|[^a-z0-9])(before|after|user)\.rules$/i.test(base)
        ? 4
        : undefined;
  const v4 = seen.find((e) => e.family === 4);
  const v6 = seen.find((e) => e.family === 6);
  const clash = (e: Evidence, other: string): Diagnostic =>
    diag("iptables-family", "error", `${e.what} (IPv${e.family}) contradicts ${other}`, {
      at: { file, line: e.line, col: 1 },
      expected: `one family per file: IPv${e.family === 4 ? 6 : 4} only, as ${other} says (iptables-save and ip6tables-save write separate files)`,
    });
  if (forced !== undefined) {
    const against = forced === 6 ? v4 : v6;
    return { family: forced, diags: against ? [clash(against, `--ruleset-format ip6tables-save`)] : [] };
  }
  if (v4 && v6) {
    const [first, later] = v6.line < v4.line ? [v6, v4] : [v4, v6];
    return { family: first.family, diags: [clash(later, `${first.what} on line ${first.line}`)] };
  }
  const content = v6 ?? v4;
  if (content && named !== undefined && named !== content.family)
    return { family: content.family, diags: [clash(content, `the file name ${base}`)] };
  if (content) return { family: content.family, diags: [] };
  if (named !== undefined) return { family: named, diags: [] };
  return {
    family: 4,
    diags: [
      diag(
        "iptables-family-assumed",
        "warning",
        `${file}: nothing in the file or its name says IPv4 or IPv6; read as IPv4 (iptables-save)`,
        {
          at: { file, line: 1, col: 1 },
          expected:
            "an iptables-save/ip6tables-save header, an address or ICMP match, a .v4/.v6 name, or --ruleset-format ip6tables-save for IPv6",
        },
      ),
    ],
  };
}

function at(st: State, line: number, col: number, text: string): Origin {
  return { file: st.file, line, col, text: text.trim() };
}

/**
 * One table of an `iptables -S` (`--list-rules`) listing: iptables prints a table's policies (`-P`,
 * one per built-in chain), then its user chains (`-N`), then its rules (`-A`), and no table name.
 * The built-in chains name the table — except filter and security, which have the same three.
 */
interface ListedTable {
  /** 0-based index of the block's first `-P` line. */
  start: number;
  chains: string[];
}

const LISTED_TABLES: Record<string, string> = lookupTable({
  "FORWARD INPUT OUTPUT": "filter",
  "INPUT OUTPUT POSTROUTING PREROUTING": "nat",
  "FORWARD INPUT OUTPUT POSTROUTING PREROUTING": "mangle",
  "OUTPUT PREROUTING": "raw",
});

const HOOK_ORDER = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"];

const POLICY_LINE = /^-P\s+(\S+)\s+\S+\s*$/;

/**
 * The tables of an `iptables -S` listing (or of several, `iptables -S; iptables -t nat -S`): a file
 * with no `*table` line whose commands begin with `-P`. Each run of `-P` lines after other commands
 * begins the next table. Undefined for anything else (iptables-save input).
 */
function listingBlocks(lines: readonly string[]): ListedTable[] | undefined {
  if (!lines.some((l) => l.startsWith("-P"))) return undefined;
  const commands = lines.map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
  if (commands.some((l) => l.startsWith("*")) || !commands.find((l) => l.startsWith("-"))?.startsWith("-P "))
    return undefined;
  const blocks: ListedTable[] = [];
  let inPolicies = false;
  let last = Infinity;
  lines.forEach((raw, i) => {
    const m = POLICY_LINE.exec(raw.trim());
    if (m) {
      // iptables lists a table's built-in chains in hook order; a table whose chains have no rules
      // is only its -P lines, so the next table begins where the order starts again.
      const order = HOOK_ORDER.indexOf(m[1]!);
      if (!inPolicies || order <= last) blocks.push({ start: i, chains: [] });
      blocks[blocks.length - 1]!.chains.push(m[1]!);
      inPolicies = true;
      last = order < 0 ? Infinity : order;
    } else if (raw.trim() !== "" && !raw.trim().startsWith("#")) inPolicies = false;
  });
  return blocks;
}

/**
 * What iptables-restore loads for an `iptables -S` listing: each table's lines under its `*name`,
 * then COMMIT (iptables-restore takes -P and -N lines in a table). Undefined for text that is not a
 * listing, or whose tables cannot be told (the reader refuses it).
 */
export function restoreInputOfListing(text: string): string | undefined {
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  const blocks = listingBlocks(lines);
  if (!blocks) return undefined;
  const out: string[] = [];
  for (const [k, b] of blocks.entries()) {
    const name = LISTED_TABLES[[...new Set(b.chains)].sort().join(" ")];
    if (name === undefined) return undefined;
    const body = lines.slice(b.start, blocks[k + 1]?.start ?? lines.length);
    out.push(`*${name}`, ...body.filter((l) => l.trim() !== "" && !l.trim().startsWith("#")), "COMMIT");
  }
  return out.join("\n") + "\n";
}

/** A chain's head in `iptables -L -v`: `Chain INPUT (policy DROP 0 packets, 0 bytes)`, `Chain X (2 references)`. */
const DISPLAY_CHAIN =
  /^Chain (\S+) \((?:policy (ACCEPT|DROP) \d+[KMGT]? packets, \d+[KMGT]? bytes|\d+ references)\)\s*$/;
/** The columns' head of `iptables -L -v` (`num` first with --line-numbers). */
const DISPLAY_HEADER =
  /^\s*(num\s+)?pkts\s+bytes\s+target\s+prot\s+opt\s+in\s+out\s+source\s+destination\s*$/;

/**
 * The tables of an `iptables -L -v` display (`iptables -L -n -v; iptables -t nat -L -n -v`): a
 * file with no `*table` line, with chain heads and the -v columns' head. A table's built-in chains
 * come first, in hook order, then its user chains; the next table begins at a built-in chain after
 * them. Undefined for anything else.
 */
function displayBlocks(lines: readonly string[]): ListedTable[] | undefined {
  if (!lines.some((l) => l.startsWith("Chain ")) || !lines.some((l) => DISPLAY_HEADER.test(l)))
    return undefined;
  if (lines.some((l) => /^\*\S/.test(l.trim()))) return undefined;
  const blocks: ListedTable[] = [];
  let inBuiltins = false;
  let last = Infinity;
  lines.forEach((raw, i) => {
    const m = DISPLAY_CHAIN.exec(raw.replace(/\r$/, ""));
    if (!m) return;
    if (m[2] === undefined) {
      inBuiltins = false;
      return;
    }
    const order = HOOK_ORDER.indexOf(m[1]!);
    if (!inBuiltins || order <= last) blocks.push({ start: i, chains: [] });
    blocks[blocks.length - 1]!.chains.push(m[1]!);
    inBuiltins = true;
    last = order < 0 ? Infinity : order;
  });
  return blocks.length > 0 ? blocks : undefined;
}

/** A table of iptables-restore input being written: its chain declarations, then its rules. */
interface RestoreTable {
  name: string;
  heads: string[];
  rules: string[];
}

/**
 * Reads an `iptables -L -n -v` display: each row's columns and last column as the rule's options.
 * With `restore`, also writes what iptables-restore loads for it (restoreInputOfDisplay).
 */
function readDisplay(
  st: State,
  lines: readonly string[],
  blocks: readonly ListedTable[],
  restore?: RestoreTable[],
): void {
  let block = 0;
  let skipping = false;
  let chain: string | undefined;
  let columns: ListColumns | undefined;
  for (const [i, line] of lines.entries()) {
    if (st.diags.length >= MAX_READER_DIAGNOSTICS) {
      st.diags.push(stoppedReading(st.file, i + 1));
      break;
    }
    if (blocks[block]?.start === i) {
      skipping = !startListedTable(st, blocks[block++]!, "-L");
      if (!skipping) restore?.push({ name: st.table!.name, heads: [], rules: [] });
      // The table's user chains, declared first as iptables-save and -S do: a rule jumping to a
      // chain displayed further down is a jump, not an unknown target.
      const end = blocks[block]?.start ?? lines.length;
      for (let j = i; j < end && !skipping; j++) {
        const user = DISPLAY_CHAIN.exec(lines[j]!.replace(/\r$/, ""));
        if (user && user[2] === undefined)
          command(
            st,
            st.table!,
            [
              { text: "-N", col: 0 },
              { text: user[1]!, col: 0 },
            ],
            {
              file: st.file,
              line: j + 1,
              col: 1,
              text: lines[j]!.trim(),
            },
          );
      }
    }
    if (skipping) continue;
    const raw = line.replace(/\r$/, "");
    if (raw.trim() === "" || raw.trim().startsWith("#")) continue;
    const origin = (text: string): Origin => ({ file: st.file, line: i + 1, col: 1, text });
    const table = st.table;
    const head = DISPLAY_CHAIN.exec(raw);
    if (head && table) {
      chain = head[1]!;
      columns = undefined;
      const words = head[2] ? ["-P", chain, head[2]] : ["-N", chain];
      restore?.at(-1)?.heads.push(`:${chain} ${head[2] ?? "-"} [0:0]`);
      command(
        st,
        table,
        words.map((text) => ({ text, col: 0 })),
        origin(raw.trim()),
      );
      continue;
    }
    const cols = DISPLAY_HEADER.exec(raw);
    if (cols && chain) {
      columns = { num: cols[1] !== undefined };
      continue;
    }
    if (!table || !chain || !columns) {
      st.diags.push(
        diag("iptables-outside-table", "error", "line before the display", {
          at: { file: st.file, line: i + 1, col: 1 },
          expected: "only what `iptables -L -n -v` prints: chain heads, the columns' head and rule rows",
        }),
      );
      continue;
    }
    const row = listedRow(raw, columns);
    if (!row.ok) {
      st.diags.push(
        diag("iptables-display-row", "error", row.message, {
          at: { file: st.file, line: i + 1, col: row.col + 1 },
          expected:
            "a row as `iptables -L -n -v` prints it, for the matches and targets read here; `iptables-save` output for the rest",
        }),
      );
      continue;
    }
    // The rule as the display shows it, without its counters.
    const text = raw
      .replace(/^\s*(\d+\s+)?\d+[KMGT]?\s+\d+[KMGT]?\s+/, "")
      .trim()
      .replace(/\s{2,}/g, " ");
    command(st, table, [{ text: "-A", col: 0 }, { text: chain, col: 0 }, ...row.tokens], origin(text));
    restore?.at(-1)?.rules.push(["-A", chain, ...row.tokens.map((t) => restoreWord(t.text))].join(" "));
  }
}

/** A word as iptables-restore reads it back: quoted when it holds a space or a quote. */
function restoreWord(w: string): string {
  return /^[^\s"'\\]+$/.test(w) ? w : `"${w.replace(/(["\\])/g, "\\$1")}"`;
}

/**
 * What iptables-restore loads for an `iptables -L -n -v` display: each table under its name, its
 * chains declared, each row as the options it was read as. Undefined for text that is not such a
 * display, or that the reader refuses (a table it cannot tell, a row it does not read).
 */
export function restoreInputOfDisplay(text: string): string | undefined {
  const lines = text.split("\n");
  const blocks = displayBlocks(lines);
  if (!blocks) return undefined;
  // Read as the reader reads it (the family from the display, as audit tells it): only what reads.
  const st: State = {
    file: "",
    family: familyOf(lines, "", undefined).family,
    tables: [],
    sets: new Map(),
    diags: [],
  };
  const tables: RestoreTable[] = [];
  readDisplay(st, lines, blocks, tables);
  if (hasErrors(st.diags)) return undefined;
  return tables.flatMap((t) => [`*${t.name}`, ...t.heads, ...t.rules, "COMMIT"]).join("\n") + "\n";
}

/** Starts the table a listing's block lists; false (the block is passed over) when it cannot be told. */
function startListedTable(st: State, b: ListedTable, cmd: "-S" | "-L" = "-S"): boolean {
  const what = cmd === "-S" ? "an `iptables -S` listing" : "an `iptables -L` display";
  const at = { file: st.file, line: b.start + 1, col: 1 };
  const chains = [...new Set(b.chains)].sort();
  const name = LISTED_TABLES[chains.join(" ")];
  if (name === undefined) {
    st.diags.push(
      diag(
        "iptables-listing-table",
        "error",
        `${what} whose policies are for ${chains.join(", ")}: not every built-in chain of one table (a listing of some chains only, \`iptables ${cmd} INPUT\`, leaves out the others)`,
        {
          at,
          expected: `the whole table's listing (\`iptables ${cmd}\`, \`iptables -t nat ${cmd}\`: every built-in chain with its policy), or \`iptables-save\`, which writes every table under its name`,
        },
      ),
    );
    return false;
  }
  if (st.tables.some((t) => t.name === name)) {
    const filterOrSecurity = name === "filter";
    st.diags.push(
      diag(
        "iptables-listing-table",
        "error",
        filterOrSecurity
          ? `a second listing with filter's chains: \`iptables -t security ${cmd}\` lists the same ones, so which table this is cannot be told`
          : `a second listing of table ${name}`,
        {
          at,
          expected: filterOrSecurity
            ? "`iptables-save` output, which names its tables, or the listings without the security table's"
            : "each table listed once",
        },
      ),
    );
    return false;
  }
  if (name === "filter")
    st.diags.push(
      diag(
        "iptables-listing",
        "warning",
        `${what}, which names no table: read as table filter, which it lists unless \`-t\` names another (the security table has the same chains)`,
        { at, expected: "`iptables-save` output, which names its tables" },
      ),
    );
  st.table = { family: st.family === 4 ? "ip" : "ip6", name, chains: [] };
  st.tables.push(st.table);
  return true;
}

function line(st: State, raw: string, n: number, listing = false): void {
  const text = raw.trim();
  if (text === "" || text.startsWith("#")) return;
  if (text.startsWith("*")) {
    const name = text.slice(1);
    const famName = st.family === 4 ? "ip" : "ip6";
    st.table = { family: famName, name, chains: [] };
    if (PRIORITY[name] === undefined)
      st.diags.push(
        diag("iptables-unknown-table", "error", `unknown table ${name}`, {
          at: { file: st.file, line: n, col: 2 },
          expected: "filter, nat, mangle, raw or security",
        }),
      );
    st.tables.push(st.table);
    return;
  }
  if (text.startsWith("create ") || text.startsWith("add ")) return ipsetLine(st, text, n);
  if (text === "COMMIT") {
    delete st.table;
    return;
  }
  const table = st.table;
  if (!table)
    return void st.diags.push(
      diag("iptables-outside-table", "error", listing ? "line before the listing" : "line outside a table", {
        at: { file: st.file, line: n, col: 1 },
        expected: listing
          ? "only what `iptables -S` prints: -P, -N and -A lines"
          : "*filter (or another table) before chains and rules",
      }),
    );
  if (text.startsWith(":")) return chainLine(st, table, text, n);
  const body = text.replace(/^\[\d+:\d+\]\s*/, "");
  command(st, table, tokenize(body), at(st, n, raw.indexOf(body) + 1, body));
}

/** Commands iptables-restore (and an `iptables` command line) may hold besides -A. */
const COMMANDS: Record<string, string> = lookupTable({
  "-A": "-A",
  "--append": "-A",
  "-I": "-I",
  "--insert": "-I",
  "-N": "-N",
  "--new-chain": "-N",
  "-P": "-P",
  "--policy": "-P",
  "-F": "-F",
  "--flush": "-F",
  "-X": "-X",
  "--delete-chain": "-X",
  "-Z": "-Z",
  "--zero": "-Z",
  "-D": "-D",
  "--delete": "-D",
  "-R": "-R",
  "--replace": "-R",
  "-E": "-E",
  "--rename-chain": "-E",
});

export interface Token {
  text: string;
  col: number;
}

/**
 * One command in `table`: -A/-I add a rule, -N declares a chain, -P sets a built-in chain's
 * policy, -F empties chains, -X deletes user chains, -Z only resets counters. Rule edits by
 * position or specification (-D, -R) and renames (-E) are refused: following them exactly is
 * not worth guessing.
 */
export function command(st: State, table: Table, tokens: readonly Token[], origin: Origin): void {
  const k = tokens.findIndex((t) => COMMANDS[t.text] !== undefined);
  const cmd = k < 0 ? "-A" : COMMANDS[tokens[k]!.text]!;
  const arg = (j: number): string | undefined => {
    const t = tokens[k + j]?.text;
    return t === undefined || t.startsWith("-") ? undefined : t;
  };
  const fail = (msg: string, expected: string): void =>
    void st.diags.push(
      diag("iptables-bad-rule", "error", msg, {
        at: { file: st.file, line: origin.line, col: origin.col + (tokens[Math.max(k, 0)]?.col ?? 0) },
        expected,
      }),
    );
  switch (cmd) {
    case "-A":
    case "-I":
      return ruleLine(st, table, tokens, origin);
    case "-N": {
      const name = arg(1);
      if (!name) return fail("-N without a chain name", "-N CHAIN");
      if (!findChain(table, name)) table.chains.push({ name, rules: [], origin });
      return;
    }
    case "-P": {
      const name = arg(1) ?? "";
      const policy = arg(2) ?? "";
      const hook = builtinHook(table.name, name);
      if (!hook)
        return fail(
          `-P ${name}: not a built-in chain of table ${table.name}`,
          "-P INPUT|FORWARD|OUTPUT|… ACCEPT|DROP",
        );
      if (policy !== "ACCEPT" && policy !== "DROP")
        return fail(`policy ${policy} of ${name}`, "ACCEPT or DROP");
      const chain = builtinChain(st, table, name, origin);
      if (chain?.base) chain.base = { ...chain.base, policy: policy === "DROP" ? "drop" : "accept" };
      return;
    }
    case "-F": {
      const name = arg(1);
      for (const c of table.chains) if (name === undefined || c.name === name) c.rules.length = 0;
      return;
    }
    case "-X": {
      const name = arg(1);
      table.chains = table.chains.filter((c) => c.base || (name !== undefined && c.name !== name));
      return;
    }
    case "-Z":
      return;
    default:
      return fail(
        `${tokens[k]!.text}: editing or renaming rules and chains is not followed`,
        "rules added with -A/-I (the result of the edits: iptables-save prints it)",
      );
  }
}

/** A built-in chain, created as the kernel has it (policy ACCEPT) when the file uses it without a `:` line. */
function builtinChain(st: State, table: Table, name: string, origin: Origin): Chain | undefined {
  const found = findChain(table, name);
  if (found) return found;
  const hook = builtinHook(table.name, name);
  if (!hook) return undefined;
  const chain: Chain = {
    name,
    rules: [],
    origin,
    base: {
      hook,
      priority: priorityOf(table.name, hook),
      type: table.name === "nat" ? "nat" : "filter",
      policy: "accept",
    },
  };
  table.chains.push(chain);
  void st;
  return chain;
}

function chainLine(st: State, table: Table, text: string, n: number): void {
  const m = /^:(\S+)\s+(\S+)/.exec(text);
  if (!m)
    return void st.diags.push(
      diag("iptables-bad-chain", "error", "malformed chain line", {
        at: { file: st.file, line: n, col: 1 },
        expected: ":NAME POLICY [packets:bytes]",
      }),
    );
  const [, name, policy] = m as unknown as [string, string, string];
  const hook = builtinHook(table.name, name);
  const chain: Chain = { name, rules: [], origin: at(st, n, 1, text) };
  if (hook) {
    if (policy !== "ACCEPT" && policy !== "DROP")
      st.diags.push(
        diag("iptables-bad-policy", "error", `policy ${policy} of ${name}`, {
          at: { file: st.file, line: n, col: name.length + 3 },
          expected: "ACCEPT or DROP",
        }),
      );
    const base: BaseChainSpec = {
      hook,
      priority: priorityOf(table.name, hook),
      type: table.name === "nat" ? "nat" : "filter",
      policy: policy === "DROP" ? "drop" : "accept",
    };
    chain.base = base;
  }
  table.chains.push(chain);
}

function priorityOf(table: string, hook: Hook): number {
  if (table === "nat") return hook === "prerouting" || hook === "output" ? -100 : 100;
  return PRIORITY[table] ?? 0;
}

function ipsetLine(st: State, text: string, n: number): void {
  const t = text.split(/\s+/);
  const name = t[1] ?? "";
  if (t[0] === "create") return void st.sets.set(name, IntervalSet.EMPTY);
  const a = parseAddresses(t[2] ?? "");
  if (!a.ok || !st.sets.has(name))
    return void st.diags.push(
      diag("ipset-bad-add", "error", `cannot add ${t[2] ?? ""} to set ${name}`, {
        at: { file: st.file, line: n, col: 1 },
        expected: a.ok ? `a set created before (create ${name} …)` : a.expected,
      }),
    );
  st.sets.set(name, st.sets.get(name)!.union(a.set));
}

interface RuleCtx {
  st: State;
  table: Table;
  n: number;
  origin: Origin;
  mb: MatchBuilder;
  family: 4 | 6;
  /** Matches and the target loaded so far (-m, -p, -j): their long options may be abbreviated. */
  modules: Set<string>;
  proto?: string;
  chain?: string;
  /** -I CHAIN [N]: 1-based position. */
  insertAt?: number;
  action?: Action;
  /** The last `-m` module, and the approximation its unmodelled options are gathered in. */
  module?: string;
  /** A `-m` module whose long options MODULE_OPTIONS does not list was loaded. */
  unlisted?: boolean;
  openApprox?: number;
  /** A module loaded (`-m rpfilter`) whose bare form matches something, no option of it read yet. */
  bare?: string;
  /** `-m addrtype` terms, applied when the rule is complete (`--limit-iface-*` may follow them). */
  addrtype?: { src?: AddrType; dst?: AddrType; limitIface: boolean; text: string[] };
  /** `--ctstate …,DNAT` (not negated, no SNAT): its real states, kept until the target is known. */
  ctDnat?: { states: CtState[]; text: string };
}

/** Long options per module (iptables(8), iptables-extensions(8)), for getopt_long abbreviations. */
const MODULE_OPTIONS: Record<string, readonly string[]> = lookupTable({
  "": [
    "--append",
    "--insert",
    "--source",
    "--destination",
    "--protocol",
    "--in-interface",
    "--out-interface",
    "--jump",
    "--goto",
    "--match",
    "--fragment",
    "--set-counters",
    "--ipv4",
    "--ipv6",
    "--table",
  ],
  tcp: ["--source-port", "--sport", "--destination-port", "--dport", "--tcp-flags", "--syn", "--tcp-option"],
  udp: ["--source-port", "--sport", "--destination-port", "--dport"],
  sctp: ["--source-port", "--sport", "--destination-port", "--dport", "--chunk-types"],
  multiport: ["--source-ports", "--sports", "--destination-ports", "--dports", "--ports"],
  conntrack: ["--ctstate", "--ctproto", "--ctstatus", "--ctexpire", "--ctdir", "--ctorigsrc", "--ctorigdst"],
  state: ["--state"],
  icmp: ["--icmp-type"],
  icmpv6: ["--icmpv6-type"],
  "ipv6-icmp": ["--icmpv6-type"],
  iprange: ["--src-range", "--dst-range"],
  set: ["--match-set"],
  addrtype: ["--src-type", "--dst-type", "--limit-iface-in", "--limit-iface-out"],
  limit: ["--limit", "--limit-burst"],
  mark: ["--mark"],
  connmark: ["--mark"],
  statistic: ["--mode", "--probability", "--every", "--packet"],
  recent: [
    "--name",
    "--set",
    "--rcheck",
    "--update",
    "--remove",
    "--rsource",
    "--rdest",
    "--mask",
    "--seconds",
    "--reap",
    "--hitcount",
    "--rttl",
  ],
  comment: ["--comment"],
  REJECT: ["--reject-with"],
  DNAT: ["--to-destination", "--random", "--persistent"],
  SNAT: ["--to-source", "--random", "--persistent"],
  REDIRECT: ["--to-ports", "--random"],
  MASQUERADE: ["--to-ports", "--random"],
  LOG: [
    "--log-level",
    "--log-prefix",
    "--log-tcp-sequence",
    "--log-tcp-options",
    "--log-ip-options",
    "--log-uid",
  ],
});

const ALL_LONG_OPTIONS = new Set(Object.values(MODULE_OPTIONS).flat());

/** Whether every `-m` module of the rule so far has its long options listed here. */
function knowsAllOptions(rc: RuleCtx): boolean {
  return rc.unlisted !== true;
}

function knownOptions(rc: RuleCtx): string[] {
  return [""].concat([...rc.modules]).flatMap((m) => MODULE_OPTIONS[m] ?? []);
}

function ruleLine(st: State, table: Table, tokens: readonly Token[], origin: Origin): void {
  const n = origin.line;
  const col0 = origin.col;
  const rc: RuleCtx = {
    st,
    table,
    n,
    origin,
    mb: new MatchBuilder(),
    family: table.family === "ip6" ? 6 : 4,
    modules: new Set(),
  };
  rc.mb.family(rc.family);
  let i = 0;
  const err = (msg: string, tokIndex: number, expected: string): void => {
    const tok = tokens[Math.min(tokIndex, tokens.length - 1)];
    st.diags.push(
      diag("iptables-bad-rule", "error", msg, {
        at: { file: st.file, line: n, col: col0 + (tok?.col ?? 0) },
        expected,
      }),
    );
  };
  while (i < tokens.length) {
    let neg = false;
    if (tokens[i]!.text === "!") {
      neg = true;
      i++;
    }
    const written = tokens[i]?.text ?? "";
    // Only a long option no module spells out whole can be an abbreviation (most are whole).
    // With a module loaded whose options are not listed here, getopt_long may take one of its
    // options: the word is kept as written then (an unknown option: approximated, said).
    const full =
      written.startsWith("--") && !ALL_LONG_OPTIONS.has(written) && knowsAllOptions(rc)
        ? longOption(written, knownOptions(rc))
        : written;
    if (typeof full === "object")
      return err(`ambiguous option ${written}`, i, `one of ${full.ambiguous.join(", ")}`);
    const opt = full ?? written;
    const arg = tokens[i + 1]?.text ?? "";
    const consumed = option(
      rc,
      opt,
      arg,
      neg,
      tokens.slice(i + 1).map((t) => t.text),
      (m, e) => err(m, i, e),
    );
    if (consumed < 0) return;
    i += 1 + consumed;
  }
  bareModule(rc);
  if (rc.addrtype) addrType(rc, rc.addrtype);
  reversePath(rc);
  extensionHeaders(rc);
  if (!rc.chain) return err("rule without -A CHAIN", 0, "-A CHAIN …");
  const chain = builtinChain(st, table, rc.chain, origin) ?? findChain(table, rc.chain);
  if (!chain)
    return err(
      `chain ${rc.chain} is not declared`,
      1,
      `a :${rc.chain} line (or -N ${rc.chain}) before its rules`,
    );
  const action: Action = rc.action ?? { kind: "continue", effect: "no target (counts only)" };
  const rules = splitRules(rc, action, origin).map((r, k): Rule => {
    const match = r.mb.build();
    return {
      id: `${table.family} ${table.name}/${chain.name}#${chain.rules.length + 1 + k}`,
      table: table.name,
      chain: chain.name,
      match,
      action,
      origin: r.origin,
      approximations: r.mb.approximationsOf(match),
    };
  });
  const at = rc.insertAt === undefined ? chain.rules.length : Math.min(rc.insertAt - 1, chain.rules.length);
  chain.rules.splice(at, 0, ...rules);
  if (at < chain.rules.length - rules.length)
    chain.rules.forEach((r, k) => (r.id = `${table.family} ${table.name}/${chain.name}#${k + 1}`));
}

/**
 * The rule's matches, as one rule — or, for `--ctstate STATES,DNAT` with a terminal target, as
 * two: the STATES (exact) and "destination-NATed" (an approximation the audit decides where it
 * knows a path's NAT: `dnatStatus`, audit/hooks.ts), each named after the line in brackets. Either
 * half deciding alike, their order is the OR's. Any other target (a jump, a log) keeps the whole
 * state test approximated: a packet returning from the first half's jump would meet the second.
 */
function splitRules(
  rc: RuleCtx,
  action: Action,
  origin: Origin,
): Array<{ mb: MatchBuilder; origin: Origin }> {
  const d = rc.ctDnat;
  if (!d) return [{ mb: rc.mb, origin }];
  const terminal = action.kind === "accept" || action.kind === "drop" || action.kind === "reject";
  if (!terminal) {
    rc.mb.approximate(d.text, "SNAT/DNAT states are not modelled; matched as any state", rc.origin, "match");
    return [{ mb: rc.mb, origin }];
  }
  const out: Array<{ mb: MatchBuilder; origin: Origin }> = [];
  const named = (what: string): Origin => ({ ...origin, text: `${origin.text} [${what}]` });
  if (d.states.length > 0) {
    const states = rc.mb.clone();
    states.narrow("ct", ctSet(d.states));
    out.push({ mb: states, origin: named(d.states.map((s) => s.toUpperCase()).join(",")) });
  }
  const dnat = rc.mb.clone();
  dnat.approximate(
    `${d.text} (DNAT)`,
    "conntrack status not modelled as a packet dimension; the rule is treated as matching regardless of it where the NAT its packets took is not known (replies, dead rules)",
    rc.origin,
    "match",
  );
  const i = dnat.approximations.length - 1;
  dnat.approximations[i] = { ...dnat.approximations[i]!, dnatStatus: { negate: false } };
  out.push({ mb: dnat, origin: named("DNAT") });
  return out;
}

/** Targets that only observe a packet (iptables-extensions(8)): evaluation continues exactly. */
const OBSERVING_TARGETS = new Set([
  "LOG",
  "NFLOG",
  "ULOG",
  "TRACE",
  "AUDIT",
  "MARK",
  "CONNMARK",
  "TOS",
  "DSCP",
  "TTL",
  "HL",
  // Header and checksum edits that no filter match here reads (iptables-extensions(8)).
  "TCPMSS",
  "CHECKSUM",
  "CLASSIFY",
  "ECN",
  "IDLETIMER",
]);
/** Targets whose effect the engine does not follow, with what they change. */
const TARGET_REASONS: Record<string, string> = lookupTable({
  CT: "conntrack settings (--notrack makes later packets UNTRACKED, --helper expects related connections at run time, --zone) are not modelled: treated as observing only (evaluation continues)",
  NOTRACK:
    "the packet is left untracked (state UNTRACKED in later chains), not modelled: treated as observing only (evaluation continues)",
  NFQUEUE:
    "a user-space program decides the packet's verdict: treated as observing only (evaluation continues)",
  SET: "adds to or deletes from an ipset at run time: treated as observing only (evaluation continues)",
});
const IGNORED_MATCH_OPTS = new Set(["--comment"]);

/** One option; returns how many argument tokens it used, or -1 after reporting an error. */
function option(
  rc: RuleCtx,
  opt: string,
  arg: string,
  neg: boolean,
  rest: string[],
  err: (m: string, e: string) => void,
): number {
  const { mb } = rc;
  const addr = (dim: "src" | "dst"): number => {
    const a = iptAddresses(arg, rc.family);
    if (!a.ok) return (err(a.message, a.expected), -1);
    if (a.approx) mb.approximate(`${opt} ${arg}`, a.approx, rc.origin, "match");
    // An over-approximated set cannot be negated exactly: leave the dimension whole then.
    if (!(a.approx && neg)) mb.narrow(dim, a.set, neg);
    return 1;
  };
  const ports = (dim: "sport" | "dport"): number => {
    const p = iptPorts(arg, rc.proto);
    if (!p.ok) return (err(p.message, p.expected), -1);
    mb.narrow(dim, p.set, neg);
    return 1;
  };
  switch (opt) {
    case "-A":
    case "--append":
      rc.chain = arg;
      return 1;
    case "-I":
    case "--insert": {
      rc.chain = arg;
      const pos = rest[1];
      if (pos !== undefined && /^\d+$/.test(pos)) {
        rc.insertAt = Math.max(1, Number(pos));
        return 2;
      }
      rc.insertAt = 1;
      return 1;
    }
    case "-t":
    case "--table":
      return 1;
    case "--syn":
      return tcpFlags(rc, "SYN,RST,ACK,FIN", "SYN", neg, err) < 0 ? -1 : 0;
    case "--tcp-flags":
      return tcpFlags(rc, arg, rest[1] ?? "", neg, err);
    case "-f":
    case "--fragment":
      // Second and further fragments carry no transport header: none of the packets the audit
      // judges (whole packets, or first fragments, which carry the ports) is one, and with
      // conntrack loaded the kernel reassembles them before filtering anyway. `! -f` then matches
      // every packet judged (exact); `-f` none of them (outsideModel, as `-m rt`).
      if (neg) return 0;
      mb.outsideModel(
        "-f",
        "matches only second and further fragments, which carry no ports and are none of the packets the audit judges (with conntrack loaded the kernel reassembles them before filtering): read as matching none of them",
        rc.origin,
      );
      return 0;
    case "-s":
    case "--source":
    case "--src-range":
      return addr("src");
    case "-d":
    case "--destination":
    case "--dst-range":
      return addr("dst");
    case "-p":
    case "--protocol": {
      const p = iptProto(arg);
      if (!p)
        return (
          err(
            `unknown protocol ${arg}`,
            "a protocol name from /etc/protocols or a number (tcp, udp, icmp, all, 47)",
          ),
          -1
        );
      rc.proto = arg.toLowerCase();
      rc.modules.add(rc.proto);
      mb.narrow("proto", p, neg);
      return 1;
    }
    case "-i":
    case "--in-interface":
    case "-o":
    case "--out-interface":
      return iface(rc, opt === "-i" || opt === "--in-interface" ? "iif" : "oif", arg, neg);
    case "-m":
    case "--match":
      bareModule(rc);
      rc.modules.add(arg);
      rc.module = arg;
      if (BARE_MATCHING.has(arg)) rc.bare = arg;
      if (!Object.hasOwn(MODULE_OPTIONS, arg)) rc.unlisted = true;
      delete rc.openApprox;
      return 1;
    case "--src-type":
    case "--dst-type": {
      const t = parseAddrTypes(arg, neg);
      if (!t.ok) return (err(t.message, t.expected), -1);
      rc.addrtype ??= { limitIface: false, text: [] };
      rc.addrtype[opt === "--src-type" ? "src" : "dst"] = t.value;
      rc.addrtype.text.push(`${neg ? "! " : ""}${opt} ${arg}`);
      return 1;
    }
    case "--limit-iface-in":
    case "--limit-iface-out":
      rc.addrtype ??= { limitIface: false, text: [] };
      rc.addrtype.limitIface = true;
      rc.addrtype.text.push(opt);
      return 0;
    case "-4":
    case "-6":
      return 0;
    case "--sport":
    case "--source-port":
    case "--sports":
    case "--source-ports":
      return ports("sport");
    case "--dport":
    case "--destination-port":
    case "--dports":
    case "--destination-ports":
      return ports("dport");
    case "--ports": {
      const p = iptPorts(arg, rc.proto);
      if (!p.ok) return (err(p.message, p.expected), -1);
      const set = neg ? IntervalSet.of(0, 65535).subtract(p.set) : p.set;
      mb.anyOf([
        { ...fullBox(), sport: set },
        { ...fullBox(), dport: set },
      ]);
      return 1;
    }
    case "--ctstate":
    case "--state": {
      const states = arg.split(",").map((s) => s.toLowerCase());
      const bad = states.find(
        (s) => !(CT_STATES as readonly string[]).includes(s) && s !== "snat" && s !== "dnat",
      );
      if (bad)
        return (err(`unknown conntrack state ${bad}`, "NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED"), -1);
      const exact = states.filter((s): s is CtState => (CT_STATES as readonly string[]).includes(s));
      // `STATES,DNAT` is "in one of STATES, or destination-NATed": read when the target is known
      // (splitRules), as a rule per half where that is the same (a terminal target).
      if (!neg && states.includes("dnat") && !states.includes("snat")) {
        rc.ctDnat = { states: exact, text: `${opt} ${arg}` };
        return 1;
      }
      if (exact.length < states.length)
        mb.approximate(
          `--ctstate ${arg}`,
          "SNAT/DNAT states are not modelled; matched as any state",
          rc.origin,
          "match",
        );
      else mb.narrow("ct", ctSet(exact), neg);
      return 1;
    }
    case "--icmp-type":
    case "--icmpv6-type": {
      const t = iptIcmpType(arg, opt === "--icmpv6-type");
      if (!t)
        return (err(`unknown ICMP type ${arg}`, "a type number, type/code or a name like echo-request"), -1);
      mb.narrow("dport", t, neg);
      return 1;
    }
    case "--match-set":
      return matchSet(rc, arg, rest[1] ?? "", neg, err);
    case "-j":
    case "--jump":
    case "-g":
    case "--goto":
      return target(rc, opt, arg, rest, err);
    case "-c":
      return 2;
    case "--hl-eq":
      // RFC 4890's guard on neighbour discovery (ufw's before6.rules): exact for those packets.
      if (rc.module === "hl" && !neg && arg === "255" && rc.openApprox === undefined) {
        delete rc.bare;
        mb.approximate(
          "-m hl --hl-eq 255",
          HOP_LIMIT_255_REASON,
          rc.origin,
          "match",
          NOT_NEIGHBOUR_DISCOVERY,
        );
        return 1;
      }
      return genericOption(rc, opt, neg, rest);
    default:
      if (IGNORED_MATCH_OPTS.has(opt)) return 1;
      if (opt.startsWith("--")) return genericOption(rc, opt, neg, rest);
      return (err(`unknown option ${opt}`, "an iptables option (-A, -s, -d, -p, -i, -o, -m, -j, -g, …)"), -1);
  }
}

/** A module option not modelled: added to the approximation of its module instance (moduleApproximation). */
function genericOption(rc: RuleCtx, opt: string, neg: boolean, rest: string[]): number {
  const n = rest.findIndex((t) => t === "!" || (t.startsWith("-") && t.length > 1 && !/^-\d/.test(t)));
  const used = n < 0 ? rest.length : n;
  delete rc.bare;
  rc.openApprox = moduleApproximation(
    rc.mb,
    rc.openApprox,
    rc.module,
    `${neg ? "! " : ""}${opt} ${rest.slice(0, used).join(" ")}`.trim(),
    rc.origin,
  );
  return used;
}

/**
 * `-m addrtype`: each end narrowed to the addresses its type list can hold; exact for MULTICAST,
 * otherwise an approximation naming what only the host knows (iptables-matches.ts).
 */
function addrType(rc: RuleCtx, a: NonNullable<RuleCtx["addrtype"]>): void {
  let exact = true;
  const terms: HostAddressTerm[] = [];
  let bindable = true;
  for (const dim of ["src", "dst"] as const) {
    const t = a[dim];
    if (!t) continue;
    const r = addrTypeSet(t, a.limitIface);
    rc.mb.narrow(dim, r.set);
    exact &&= r.exact;
    if (r.exact) continue;
    const term = hostAddressTerm(dim, t, a.limitIface);
    if (term) terms.push(term);
    else bindable = false;
  }
  if (exact) return;
  rc.mb.approximate(`-m addrtype ${a.text.join(" ")}`, addrTypeReason(bindable), rc.origin, "match");
  if (bindable) {
    const i = rc.mb.approximations.length - 1;
    rc.mb.approximations[i] = { ...rc.mb.approximations[i]!, hostAddresses: terms };
  }
}

/**
 * Modules whose bare form (no option) still matches only some packets: `-m rpfilter` (a strict
 * reverse-path check), `-m limit` (3/hour), `-m socket` (packets of an open socket), `-m physdev`
 * (bridged packets), `-m frag`/`-m rt`/`-m hbh`/`-m dst` (packets with that IPv6 header), `-m quota`. Read
 * as their options are: an approximation, never as matching every packet exactly.
 */
const BARE_MATCHING = new Set([
  "rpfilter",
  "limit",
  "socket",
  "physdev",
  "frag",
  "rt",
  "hbh",
  "dst",
  "quota",
]);

function bareModule(rc: RuleCtx): void {
  if (rc.bare === undefined) return;
  rc.mb.approximate(`-m ${rc.bare}`, moduleReason(rc.bare), rc.origin, "match");
  delete rc.bare;
}

/**
 * `-m rpfilter [--loose] [--invert] [--accept-local] [--validmark]` (xt_rpfilter): matches packets
 * whose source has a route back (through the input interface unless `--loose`), or, inverted, those
 * without; `--accept-local` counts the host's own addresses as having one. Marked for the audit,
 * which decides it from a host's routes (audit/reverse-path.ts).
 */
function reversePath(rc: RuleCtx): void {
  rc.mb.approximations.forEach((a, i) => {
    if (!/^-m rpfilter( |$)/.test(a.construct)) return;
    const flags = a.construct.split(/\s+/).slice(2);
    if (!flags.every((f) => ["--loose", "--invert", "--accept-local", "--validmark"].includes(f))) return;
    rc.mb.approximations[i] = {
      ...a,
      reversePath: {
        strict: !flags.includes("--loose"),
        negate: !flags.includes("--invert"),
        ...(flags.includes("--accept-local") ? { acceptLocal: true } : {}),
        xt: true,
      },
    };
  });
}

/** The IPv6 extension header each ip6tables module needs (ip6t_rt, ip6t_frag, ip6t_hbh for hbh and dst). */
const EXTENSION_HEADERS: Readonly<Record<string, string>> = lookupTable({
  rt: "an IPv6 routing header (RFC 8200 §4.4; type 0 is deprecated, RFC 5095)",
  frag: "an IPv6 fragment header (RFC 8200 §4.5)",
  hbh: "an IPv6 hop-by-hop options header (RFC 8200 §4.3)",
  dst: "an IPv6 destination options header (RFC 8200 §4.6)",
});

/**
 * `-m rt`, `-m frag`, `-m hbh`, `-m dst` (ip6tables): each matches only packets carrying its
 * extension header — without one the module returns false whatever its options and their
 * negations (ip6t_rt.c, ip6t_frag.c, ip6t_hbh.c: `ipv6_find_hdr(…) < 0` → no match). ufw's
 * before6.rules drops routing type 0 in INPUT, OUTPUT and FORWARD; hardening scripts drop
 * fragments. Read as extension-headers.ts says: none of the packets judged (`outsideModel`: never
 * dead, never uncertain), or for `-m hbh` MLD messages at most, approximately.
 */
function extensionHeaders(rc: RuleCtx): void {
  let kind: "hbh" | "other" | undefined;
  rc.mb.approximations.forEach((a, i) => {
    const module = /^-m (rt|frag|hbh|dst)( |$)/.exec(a.construct)?.[1];
    if (!module) return;
    const hopByHop = module === "hbh";
    if (!hopByHop || kind === undefined) kind = hopByHop ? "hbh" : "other";
    rc.mb.approximations[i] = {
      ...a,
      reason: headerReason(EXTENSION_HEADERS[module]!, hopByHop, module === "frag"),
      ...(hopByHop ? {} : { outsideModel: true as const }),
    };
  });
  if (kind) needsHeader(rc.mb, kind);
}

const TCP_FLAGS: Record<string, number> = lookupTable({
  FIN: TCP_FLAG_BITS.fin,
  SYN: TCP_FLAG_BITS.syn,
  RST: TCP_FLAG_BITS.rst,
  PSH: TCP_FLAG_BITS.psh,
  ACK: TCP_FLAG_BITS.ack,
  URG: TCP_FLAG_BITS.urg,
});

function flagSet(text: string): number | undefined {
  if (text === "ALL") return 63;
  if (text === "NONE") return 0;
  let v = 0;
  for (const f of text.split(",")) {
    const b = TCP_FLAGS[f];
    if (b === undefined) return undefined;
    v |= b;
  }
  return v;
}

/**
 * `--tcp-flags MASK COMP` (and `--syn`): as the conntrack states whose packets can match. A state
 * whose packets all match or none match is exact; one where only some can is kept (an
 * over-approximation) and said.
 */
function tcpFlags(
  rc: RuleCtx,
  maskText: string,
  compText: string,
  neg: boolean,
  err: (m: string, e: string) => void,
): number {
  const mask = flagSet(maskText);
  const comp = flagSet(compText);
  if (mask === undefined || comp === undefined)
    return (
      err(
        `bad TCP flags ${maskText} ${compText}`,
        "comma-separated FIN, SYN, RST, PSH, ACK, URG, or ALL / NONE",
      ),
      -1
    );
  const { states, partial } = tcpFlagStates(mask, comp, neg);
  rc.mb.narrow("ct", ctSet(states));
  if (partial.length > 0)
    rc.mb.approximate(
      `${neg ? "! " : ""}--tcp-flags ${maskText} ${compText}`,
      `TCP flags are not in the packet space: matched as every packet in state ${partial.join(", ")}, where only some carry these flags`,
      rc.origin,
      "match",
      Space.box({ ct: ctSet(partial) }),
    );
  return 2;
}

function fullBox() {
  return new MatchBuilder().build().boxes[0]!;
}

function iface(rc: RuleCtx, dim: "iif" | "oif", name: string, neg: boolean): number {
  if (name === "+") return neg ? (rc.mb.narrowName(dim, NameSet.EMPTY), 1) : 1;
  if (name.endsWith("+")) {
    // Names are not prefixes in the space: `-i eth+` is widened to every name (an
    // over-approximation, as approximations are), `! -i eth+` to every name but the literal one.
    rc.mb.approximate(
      `${dim === "iif" ? "-i" : "-o"} ${neg ? "! " : ""}${name}`,
      "interface wildcard: names with this prefix are not told apart from others; matched as any interface",
      rc.origin,
      "match",
    );
    if (!neg) return 1;
  }
  rc.mb.narrowName(dim, NameSet.of(name), neg);
  return 1;
}

function matchSet(
  rc: RuleCtx,
  name: string,
  flags: string,
  neg: boolean,
  err: (m: string, e: string) => void,
): number {
  const set = rc.st.sets.get(name);
  const dirs = flags.split(",");
  if (!set || dirs.length !== 1) {
    rc.mb.approximate(
      `--match-set ${name} ${flags}`,
      set
        ? "multi-dimensional set match not modelled"
        : `ipset ${name} contents not given (prepend \`ipset save\` output)`,
      rc.origin,
      "match",
    );
    return 2;
  }
  if (dirs[0] !== "src" && dirs[0] !== "dst") return (err(`bad set direction ${flags}`, "src or dst"), -1);
  rc.mb.narrow(dirs[0] === "src" ? "src" : "dst", set, neg);
  return 2;
}

function target(
  rc: RuleCtx,
  opt: string,
  name: string,
  rest: string[],
  err: (m: string, e: string) => void,
): number {
  rc.modules.add(name);
  // A target's options may be abbreviated too (`--to` for --to-destination).
  const flag = (f: string): string | undefined => {
    const i = rest.findIndex((t) => t === f || (t.length > 3 && t.startsWith("--") && f.startsWith(t)));
    return i >= 0 ? rest[i + 1] : undefined;
  };
  const isGoto = opt === "-g" || opt === "--goto";
  let used = 1;
  const count = (): number => {
    const n = rest
      .slice(1)
      .findIndex((t) => t === "-m" || t === "-j" || t === "-A" || t === "-p" || t === "-s" || t === "-d");
    return 1 + (n < 0 ? rest.length - 1 : n);
  };
  switch (name) {
    case "ACCEPT":
      rc.action = { kind: "accept" };
      break;
    case "DROP":
      rc.action = { kind: "drop" };
      break;
    case "REJECT": {
      const w = flag("--reject-with");
      rc.action = w ? { kind: "reject", with: w } : { kind: "reject" };
      used = count();
      break;
    }
    case "RETURN":
      rc.action = { kind: "return" };
      break;
    case "DNAT":
    case "SNAT": {
      const to = flag(name === "DNAT" ? "--to-destination" : "--to-source");
      const t = to ? parseNatTarget(to) : undefined;
      if (!t || !t.ok)
        return (
          err(
            `bad ${name} target ${to ?? ""}`,
            t && !t.ok ? t.expected : `--to-${name === "DNAT" ? "destination" : "source"} ADDR[:PORT[-PORT]]`,
          ),
          -1
        );
      rc.action = name === "DNAT" ? { kind: "dnat", to: t.target } : { kind: "snat", to: t.target };
      used = count();
      break;
    }
    case "MASQUERADE":
      rc.action = { kind: "masquerade" };
      used = count();
      break;
    case "REDIRECT": {
      const p = flag("--to-ports");
      const ps = p ? parsePortList(p) : undefined;
      rc.action = ps?.ok ? { kind: "redirect", ports: ps.set } : { kind: "redirect" };
      used = count();
      break;
    }
    default:
      if (/^[A-Z]+$/.test(name) && !findChain(rc.table, name)) {
        rc.action = { kind: "continue", effect: name };
        if (!OBSERVING_TARGETS.has(name))
          rc.mb.approximate(
            `-j ${name}`,
            TARGET_REASONS[name] ?? "target not modelled: treated as observing only (evaluation continues)",
            rc.origin,
            "action",
          );
        used = count();
      } else rc.action = isGoto ? { kind: "goto", chain: name } : { kind: "jump", chain: name };
  }
  if (isGoto && rc.action.kind !== "goto")
    return (err(`-g needs a chain, not ${name}`, "a user chain name"), -1);
  return used;
}

export function checkTargets(st: State, t: Table): void {
  for (const c of t.chains)
    for (const r of c.rules) {
      const a = r.action;
      if ((a.kind === "jump" || a.kind === "goto") && !findChain(t, a.chain)) {
        st.diags.push(
          diag("iptables-unknown-chain", "error", `jump to undeclared chain ${a.chain}`, {
            at: { file: st.file, line: r.origin.line, col: r.origin.col },
            // ufw's rules files are fragments ufw loads around the chains it makes itself.
            expected: /^ufw6?-/.test(a.chain)
              ? `a :${a.chain} line in table ${t.name} (ufw makes its ufw-* chains itself and loads its rules files around them: audit \`iptables-save\` and \`ip6tables-save\` of the running host)`
              : `a :${a.chain} line in table ${t.name}`,
          }),
        );
      }
    }
}
