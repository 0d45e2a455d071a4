/**
 * Reader for iptables-save / ip6tables-save output (iptables 1.8, legacy and nf_tables backends),
 * tables filter, nat, mangle, raw, security. ipset contents may precede the rules in `ipset save`
 * form (`create NAME hash:net …`, `add NAME 203.0.113.0/24`); `-m set` then matches exactly.
 * Semantics: iptables(8), iptables-extensions(8); built-in chain priorities from the kernel's
 * nf_ip_hook_priorities (raw -300, mangle -150, dnat -100, filter 0, security 50, snat 100).
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { MatchBuilder } from "../ir/match.js";
import type { Action, BaseChainSpec, Chain, Hook, Origin, Rule, Ruleset, Table } from "../ir/ruleset.js";
import { IntervalSet } from "../space/interval-set.js";
import { ctSet, CT_STATES, type CtState } from "../space/box.js";
import { NameSet } from "../space/name-set.js";
import { parseNatTarget, parsePortList, parseProto, parseAddresses, icmpTypeSet, tokenize } from "./terms.js";
import { MAX_READER_DIAGNOSTICS, stoppedReading, type ParsedRuleset } from "./reader.js";
import { lookupTable } from "./lookup.js";

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

interface State {
  file: string;
  family: 4 | 6;
  tables: Table[];
  table?: Table;
  sets: Map<string, IntervalSet>;
  diags: Diagnostic[];
}

export function readIptablesSave(text: string, file: string): ParsedRuleset {
  const lines = text.split("\n");
  // ip6tables-save says so in its header; a file without one (a hand-written or generated
  // ip6tables-restore input) shows IPv6 by its addresses or ICMPv6 matches.
  const family =
    /\bip6tables-(save|restore)\b/.test(text) ||
    /-[sd] [0-9a-f]*:[0-9a-f:]*[/ ]/i.test(text) ||
    /-p (ipv6-icmp|icmpv6)\b/.test(text)
      ? 6
      : 4;
  const st: State = { file, family, tables: [], sets: new Map(), diags: [] };
  for (const [i, raw] of lines.entries()) {
    if (st.diags.length >= MAX_READER_DIAGNOSTICS) {
      st.diags.push(stoppedReading(file, i + 1));
      break;
    }
    line(st, raw.replace(/\r$/, ""), i + 1);
  }
  if (st.table)
    st.diags.push(
      diag("iptables-no-commit", "error", `table ${st.table.name} has no COMMIT`, {
        at: { file, line: lines.length, col: 1 },
        expected: "COMMIT at the end of each table",
      }),
    );
  for (const t of st.tables) checkTargets(st, t);
  const ruleset: Ruleset = {
    format: "iptables-save",
    source: file,
    semantics: "first-match",
    stateful: false,
    tables: st.tables,
  };
  return { ruleset, diagnostics: st.diags };
}

function at(st: State, line: number, col: number, text: string): Origin {
  return { file: st.file, line, col, text: text.trim() };
}

function line(st: State, raw: string, n: number): void {
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
      diag("iptables-outside-table", "error", "line outside a table", {
        at: { file: st.file, line: n, col: 1 },
        expected: "*filter (or another table) before chains and rules",
      }),
    );
  if (text.startsWith(":")) return chainLine(st, table, text, n);
  const body = text.replace(/^\[\d+:\d+\]\s*/, "");
  ruleLine(st, table, body, n, raw.indexOf(body) + 1);
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
  const builtin = BUILTIN[table.name];
  const hook = builtin && Object.hasOwn(builtin, name) ? builtin[name] : undefined;
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
  proto?: string;
  chain?: string;
  action?: Action;
}

function ruleLine(st: State, table: Table, body: string, n: number, col0: number): void {
  const tokens = tokenize(body);
  const origin = at(st, n, col0, body);
  const rc: RuleCtx = { st, table, n, origin, mb: new MatchBuilder() };
  if (st.family === 6) rc.mb.family(6);
  else rc.mb.family(4);
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
    const opt = tokens[i]?.text ?? "";
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
  if (!rc.chain) return err("rule without -A CHAIN", 0, "-A CHAIN …");
  const chain = table.chains.find((c) => c.name === rc.chain);
  if (!chain) return err(`chain ${rc.chain} is not declared`, 1, `a :${rc.chain} line before its rules`);
  const rule: Rule = {
    id: `${table.family} ${table.name}/${chain.name}#${chain.rules.length + 1}`,
    table: table.name,
    chain: chain.name,
    match: rc.mb.build(),
    action: rc.action ?? { kind: "continue", effect: "no target (counts only)" },
    origin,
    approximations: rc.mb.approximations,
  };
  chain.rules.push(rule);
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
]);
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
    const a = parseAddresses(arg);
    if (!a.ok) return (err(`bad address ${arg}`, a.expected), -1);
    mb.narrow(dim, a.set, neg);
    return 1;
  };
  const ports = (dim: "sport" | "dport"): number => {
    const p = parsePortList(arg.replace(/:/g, "-"));
    if (!p.ok) return (err(`bad port ${arg}`, p.expected), -1);
    mb.narrow(dim, p.set, neg);
    return 1;
  };
  switch (opt) {
    case "-A":
    case "--append":
      rc.chain = arg;
      return 1;
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
      const p = parseProto(arg);
      if (!p)
        return (err(`unknown protocol ${arg}`, "a protocol name or number (tcp, udp, icmp, all, 47)"), -1);
      rc.proto = arg;
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
      return 1;
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
      const p = parsePortList(arg.replace(/:/g, "-"));
      if (!p.ok) return (err(`bad port ${arg}`, p.expected), -1);
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
      if (exact.length < states.length)
        mb.approximate(
          `--ctstate ${arg}`,
          "SNAT/DNAT states are not modelled; matched as any state",
          rc.origin,
        );
      else mb.narrow("ct", ctSet(exact), neg);
      return 1;
    }
    case "--icmp-type":
    case "--icmpv6-type": {
      const t = icmpTypeSet(arg);
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
    default:
      if (IGNORED_MATCH_OPTS.has(opt)) return 1;
      if (opt.startsWith("--")) {
        const n = rest.findIndex((t) => t === "!" || (t.startsWith("-") && t.length > 1 && !/^-\d/.test(t)));
        const used = n < 0 ? rest.length : n;
        mb.approximate(
          `${neg ? "! " : ""}${opt} ${rest.slice(0, used).join(" ")}`.trim(),
          "match option not modelled; the rule is treated as matching regardless of it",
          rc.origin,
        );
        return used;
      }
      return (err(`unknown option ${opt}`, "an iptables option (-A, -s, -d, -p, -i, -o, -m, -j, -g, …)"), -1);
  }
}

function fullBox() {
  return new MatchBuilder().build().boxes[0]!;
}

function iface(rc: RuleCtx, dim: "iif" | "oif", name: string, neg: boolean): number {
  if (name.endsWith("+")) {
    rc.mb.approximate(
      `${dim === "iif" ? "-i" : "-o"} ${neg ? "! " : ""}${name}`,
      "interface wildcard: only the literal name is matched exactly, other names with this prefix are not",
      rc.origin,
    );
    if (name === "+") return 1;
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
  const flag = (f: string): string | undefined => {
    const i = rest.indexOf(f);
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
      if (/^[A-Z]+$/.test(name) && !rc.table.chains.some((c) => c.name === name)) {
        rc.action = { kind: "continue", effect: name };
        if (!OBSERVING_TARGETS.has(name))
          rc.mb.approximate(
            `-j ${name}`,
            "target not modelled: treated as observing only (evaluation continues)",
            rc.origin,
          );
        used = count();
      } else rc.action = isGoto ? { kind: "goto", chain: name } : { kind: "jump", chain: name };
  }
  if (isGoto && rc.action.kind !== "goto")
    return (err(`-g needs a chain, not ${name}`, "a user chain name"), -1);
  return used;
}

function checkTargets(st: State, t: Table): void {
  for (const c of t.chains)
    for (const r of c.rules) {
      const a = r.action;
      if ((a.kind === "jump" || a.kind === "goto") && !t.chains.some((x) => x.name === a.chain)) {
        st.diags.push(
          diag("iptables-unknown-chain", "error", `jump to undeclared chain ${a.chain}`, {
            at: { file: st.file, line: r.origin.line, col: r.origin.col },
            expected: `a :${a.chain} line in table ${t.name}`,
          }),
        );
      }
    }
}
