/**
 * One nftables rule (text form, as `nft list ruleset` prints it) → IR rules. Expressions narrow
 * the match (ir/match.ts); statements that only observe (counter, log, comment) continue;
 * anything not modelled becomes an approximation with its column, never a silent skip.
 * Selector semantics: nft(8) "PAYLOAD EXPRESSION", "META EXPRESSIONS", "CONNTRACK EXPRESSIONS".
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { MatchBuilder } from "../ir/match.js";
import type { Action, Origin, Rule, TableFamily } from "../ir/ruleset.js";
import { ctSet, CT_STATES, type CtState, type IntervalDim } from "../space/box.js";
import { IntervalSet } from "../space/interval-set.js";
import { NameSet } from "../space/name-set.js";
import {
  icmpTypeSet,
  parseAddresses,
  parseNatTarget,
  parsePortList,
  parseProto,
  type Token,
} from "./terms.js";
import { lookupTable } from "./lookup.js";

export interface NftSets {
  type: string;
  elements: string;
  origin: Origin;
}

export interface NftRuleInput {
  tokens: Token[];
  origin: Origin;
  sets: ReadonlyMap<string, NftSets>;
  family: TableFamily;
  table: string;
  chain: string;
  index: number;
}

type ValueKind = "addr" | "port" | "proto" | "ct" | "icmp" | "icmpv6" | "ifname" | "nfproto";
interface Selector {
  kind: ValueKind;
  dim: IntervalDim | "iif" | "oif" | "family";
  /** Implied narrowing: protocol (tcp dport → proto 6) and family (ip saddr → IPv4). */
  proto?: number;
  family?: 4 | 6;
}

const SELECTORS: Record<string, Selector> = lookupTable({
  "ip saddr": { kind: "addr", dim: "src", family: 4 },
  "ip daddr": { kind: "addr", dim: "dst", family: 4 },
  "ip6 saddr": { kind: "addr", dim: "src", family: 6 },
  "ip6 daddr": { kind: "addr", dim: "dst", family: 6 },
  "ip protocol": { kind: "proto", dim: "proto", family: 4 },
  "ip6 nexthdr": { kind: "proto", dim: "proto", family: 6 },
  "meta l4proto": { kind: "proto", dim: "proto" },
  "meta nfproto": { kind: "nfproto", dim: "family" },
  "th sport": { kind: "port", dim: "sport" },
  "th dport": { kind: "port", dim: "dport" },
  "ct state": { kind: "ct", dim: "ct" },
  "icmp type": { kind: "icmp", dim: "dport", proto: 1, family: 4 },
  "icmpv6 type": { kind: "icmpv6", dim: "dport", proto: 58, family: 6 },
  iifname: { kind: "ifname", dim: "iif" },
  oifname: { kind: "ifname", dim: "oif" },
  iif: { kind: "ifname", dim: "iif" },
  oif: { kind: "ifname", dim: "oif" },
  "meta iifname": { kind: "ifname", dim: "iif" },
  "meta oifname": { kind: "ifname", dim: "oif" },
  "meta iif": { kind: "ifname", dim: "iif" },
  "meta oif": { kind: "ifname", dim: "oif" },
});
const PORT_PROTOS: Record<string, number> = lookupTable({
  tcp: 6,
  udp: 17,
  udplite: 136,
  sctp: 132,
  dccp: 33,
});
for (const [name, proto] of Object.entries(PORT_PROTOS)) {
  SELECTORS[`${name} sport`] = { kind: "port", dim: "sport", proto };
  SELECTORS[`${name} dport`] = { kind: "port", dim: "dport", proto };
}
/** ICMPv6 type names (RFC 4443 §2.1, RFC 4861 §4) as nft spells them. */
const ICMPV6: Record<string, number> = lookupTable({
  "destination-unreachable": 1,
  "packet-too-big": 2,
  "time-exceeded": 3,
  "parameter-problem": 4,
  "echo-request": 128,
  "echo-reply": 129,
  "mld-listener-query": 130,
  "mld-listener-report": 131,
  "nd-router-solicit": 133,
  "nd-router-advert": 134,
  "nd-neighbor-solicit": 135,
  "nd-neighbor-advert": 136,
  "nd-redirect": 137,
});
const VERDICT_WORDS = new Set([
  "accept",
  "drop",
  "reject",
  "jump",
  "goto",
  "return",
  "continue",
  "dnat",
  "snat",
  "masquerade",
  "redirect",
  "notrack",
  "queue",
]);
const STATEMENT_WORDS = new Set([
  "counter",
  "log",
  "comment",
  "limit",
  "meta",
  "ct",
  "ip",
  "ip6",
  "tcp",
  "udp",
  "th",
  "iifname",
  "oifname",
  "iif",
  "oif",
  "icmp",
  "icmpv6",
  ...VERDICT_WORDS,
]);

interface Parser {
  t: Token[];
  i: number;
  input: NftRuleInput;
  mb: MatchBuilder;
  diags: Diagnostic[];
  action?: Action;
  vmap?: { sel: Selector; entries: Array<{ key: string[]; verdict: Action }> };
}

export function nftRule(input: NftRuleInput): { rules: Rule[]; diagnostics: Diagnostic[] } {
  const p: Parser = { t: input.tokens, i: 0, input, mb: new MatchBuilder(), diags: [] };
  if (input.family === "ip") p.mb.family(4);
  if (input.family === "ip6") p.mb.family(6);
  while (p.i < p.t.length) step(p);
  const mk = (mb: MatchBuilder, action: Action, k: number): Rule => ({
    id: `${input.family} ${input.table}/${input.chain}#${input.index + k + 1}`,
    table: input.table,
    chain: input.chain,
    match: mb.build(),
    action,
    origin: input.origin,
    approximations: mb.approximations,
  });
  if (!p.vmap)
    return {
      rules: [mk(p.mb, p.action ?? { kind: "continue", effect: "no verdict" }, 0)],
      diagnostics: p.diags,
    };
  const { sel, entries } = p.vmap;
  const rules = entries.map((e, k) => {
    const mb = p.mb.clone();
    applyValue(p, mb, sel, e.key, false);
    return mk(mb, e.verdict, k);
  });
  return { rules, diagnostics: p.diags };
}

function err(p: Parser, msg: string, expected: string, tok = p.t[Math.min(p.i, p.t.length - 1)]): void {
  const o = p.input.origin;
  p.diags.push(
    diag("nft-rule", "error", msg, {
      at: { file: o.file, line: o.line, col: (tok?.col ?? 0) + 1 },
      expected,
    }),
  );
}

function approx(p: Parser, construct: string, reason: string, tok = p.t[p.i]): void {
  const o = p.input.origin;
  p.mb.approximate(construct, reason, { ...o, col: (tok?.col ?? 0) + 1 });
}

function word(p: Parser, k = 0): string {
  return p.t[p.i + k]?.text ?? "";
}

function step(p: Parser): void {
  const w = word(p);
  const two = `${w} ${word(p, 1)}`;
  const sel = SELECTORS[two] ?? SELECTORS[w];
  if (sel) {
    p.i += SELECTORS[two] ? 2 : 1;
    return selectorExpr(p, sel);
  }
  if (
    PORT_PROTOS[w] !== undefined ||
    w === "ip" ||
    w === "ip6" ||
    w === "meta" ||
    w === "ct" ||
    w === "icmp" ||
    w === "icmpv6" ||
    w === "tcp" ||
    w === "udp"
  ) {
    if (word(p, 2) === "set")
      return skipUnknown(p, `${two} set`, "statement not modelled (it may change later matches)");
    return skipUnknown(p, two, "selector not modelled; the rule is treated as matching regardless of it");
  }
  statementOrVerdict(p, w);
}

function selectorExpr(p: Parser, sel: Selector): void {
  let neg = false;
  if (word(p) === "!=" || word(p) === "ne") {
    neg = true;
    p.i++;
  } else if (word(p) === "==" || word(p) === "eq") p.i++;
  if (word(p) === "vmap") {
    p.i++;
    return readVmap(p, sel);
  }
  const items = readItems(p);
  if (items === undefined) return;
  applyValue(p, p.mb, sel, items, neg);
}

/** `x`, `{ a, b-c }` or `@set` → element strings; undefined after an approximation/error. */
function readItems(p: Parser): string[] | undefined {
  const w = word(p);
  if (w === "{") {
    const items: string[] = [];
    p.i++;
    while (p.i < p.t.length && word(p) !== "}") {
      if (word(p) !== ",") items.push(word(p));
      p.i++;
    }
    p.i++;
    return items;
  }
  p.i++;
  if (w.startsWith("@")) {
    const set = p.input.sets.get(w.slice(1));
    if (!set || set.type.includes(" . ")) {
      approx(p, w, set ? "concatenated set not modelled" : `set ${w.slice(1)} not found`, p.t[p.i - 1]);
      return undefined;
    }
    return set.elements
      .split(",")
      .map((e) => e.trim())
      .filter((e) => e !== "");
  }
  // `ct state established,related`: an unbraced comma list (nft prints flag values this way).
  const items = [w];
  while (word(p) === "," && p.i + 1 < p.t.length) {
    items.push(word(p, 1));
    p.i += 2;
  }
  return items;
}

function applyValue(p: Parser, mb: MatchBuilder, sel: Selector, items: string[], neg: boolean): void {
  if (sel.proto !== undefined) mb.narrow("proto", IntervalSet.of(sel.proto));
  if (sel.family) mb.family(sel.family);
  if (sel.kind === "ifname") {
    const wild = items.filter((x) => x.endsWith("*"));
    if (wild.length > 0)
      approx(p, wild.join(","), "interface wildcard: only the literal name is matched exactly");
    // Where a packet has no such interface (oif in prerouting/input, iif in output) the kernel's
    // meta expression breaks the rule: neither `oifname x` nor `oifname != x` matches (nft_meta_get_eval).
    return void mb.narrowName(
      sel.dim === "iif" ? "iif" : "oif",
      neg ? NameSet.except(...items, "") : NameSet.of(...items),
    );
  }
  if (sel.kind === "nfproto") {
    const fam =
      items.length === 1 ? (items[0] === "ipv4" ? 4 : items[0] === "ipv6" ? 6 : undefined) : undefined;
    if (!fam || neg)
      return approx(p, `meta nfproto ${items.join(",")}`, "only one positive family is modelled");
    return void mb.family(fam);
  }
  let set = IntervalSet.EMPTY;
  for (const item of items) {
    const v = valueSet(sel.kind, item);
    if (!v) return err(p, `bad value ${item}`, expectedFor(sel.kind), p.t[p.i - 1]);
    set = set.union(v);
  }
  mb.narrow(sel.dim as IntervalDim, set, neg);
}

function valueSet(kind: ValueKind, item: string): IntervalSet | undefined {
  switch (kind) {
    case "addr": {
      const a = parseAddresses(item);
      return a.ok ? a.set : undefined;
    }
    case "port": {
      const r = parsePortList(item);
      return r.ok ? r.set : undefined;
    }
    case "proto":
      return parseProto(item);
    case "ct": {
      const states = item.split(",");
      if (!states.every((s) => (CT_STATES as readonly string[]).includes(s))) return undefined;
      return ctSet(states as CtState[]);
    }
    case "icmp":
      return icmpTypeSet(item);
    case "icmpv6": {
      const n = ICMPV6[item];
      return n !== undefined ? IntervalSet.of(n * 256, n * 256 + 255) : icmpTypeSet(item);
    }
    case "ifname":
    case "nfproto":
      return undefined;
  }
}

function expectedFor(kind: ValueKind): string {
  return {
    addr: "an address, prefix or range",
    port: "a port or range 0-65535",
    proto: "a protocol name or number",
    ct: "new, established, related, invalid, untracked",
    icmp: "an ICMP type name or number",
    icmpv6: "an ICMPv6 type name or number",
    ifname: "an interface name",
    nfproto: "ipv4 or ipv6",
  }[kind];
}

function readVmap(p: Parser, sel: Selector): void {
  const entries: Array<{ key: string[]; verdict: Action }> = [];
  if (word(p) !== "{") {
    approx(p, `vmap ${word(p)}`, "named verdict map not modelled");
    p.i++;
    return;
  }
  p.i++;
  while (p.i < p.t.length && word(p) !== "}") {
    const key = word(p);
    if (word(p, 1) !== ":") return err(p, "malformed verdict map element", "KEY : VERDICT");
    p.i += 2;
    const v = verdict(p);
    if (!v) return err(p, `bad verdict ${word(p)}`, "accept, drop, jump CHAIN, goto CHAIN, return");
    entries.push({ key: [key], verdict: v });
    if (word(p) === ",") p.i++;
  }
  p.i++;
  p.vmap = { sel, entries };
}

function verdict(p: Parser): Action | undefined {
  const w = word(p);
  p.i++;
  switch (w) {
    case "accept":
      return { kind: "accept" };
    case "drop":
      return { kind: "drop" };
    case "return":
      return { kind: "return" };
    case "continue":
      return { kind: "continue", effect: "continue" };
    case "jump":
    case "goto": {
      const chain = word(p);
      p.i++;
      return { kind: w, chain };
    }
    default:
      p.i--;
      return undefined;
  }
}

function statementOrVerdict(p: Parser, w: string): void {
  const v = verdict(p);
  if (v) return void (p.action = v);
  const start = p.t[p.i];
  p.i++;
  switch (w) {
    case "counter":
      if (word(p) === "packets") p.i += 4;
      return;
    case "comment":
      p.i++;
      return;
    case "log":
      while (["prefix", "level", "flags", "group", "snaplen", "queue-threshold"].includes(word(p)))
        p.i += word(p) === "flags" && word(p, 2) === "," ? 4 : 2;
      return;
    case "reject": {
      const rest: string[] = [];
      while (p.i < p.t.length && !STATEMENT_WORDS.has(word(p))) rest.push(p.t[p.i++]!.text);
      p.action = rest.length ? { kind: "reject", with: rest.join(" ") } : { kind: "reject" };
      return;
    }
    case "dnat":
    case "snat":
      return natStatement(p, w);
    case "masquerade":
      while (
        word(p) === "to" ||
        word(p).startsWith(":") ||
        word(p) === "random" ||
        word(p) === "persistent" ||
        word(p) === "fully-random"
      )
        p.i++;
      p.action = { kind: "masquerade" };
      return;
    case "redirect": {
      let ports: IntervalSet | undefined;
      if (word(p) === "to") {
        const r = parsePortList(word(p, 1).replace(/^:/, ""));
        if (r.ok) ports = r.set;
        p.i += 2;
      }
      p.action = ports ? { kind: "redirect", ports } : { kind: "redirect" };
      return;
    }
    default:
      p.i--;
      return skipUnknown(
        p,
        w,
        w === "limit" || w === "notrack"
          ? `${w} not modelled (it may change which packets this rule decides)`
          : "expression not modelled",
      );
  }
  void start;
}

function natStatement(p: Parser, w: "dnat" | "snat"): void {
  if (word(p) === "ip" || word(p) === "ip6") p.i++;
  if (word(p) !== "to") return err(p, `${w} without a target`, `${w} to ADDR[:PORT]`);
  p.i++;
  const t = parseNatTarget(word(p));
  if (!t.ok) return err(p, `bad ${w} target ${word(p)}`, t.expected);
  p.i++;
  p.action = w === "dnat" ? { kind: "dnat", to: t.target } : { kind: "snat", to: t.target };
}

/** Records the construct as an approximation and skips to the next statement keyword. */
function skipUnknown(p: Parser, construct: string, reason: string): void {
  const tok = p.t[p.i];
  const parts: string[] = [];
  do parts.push(p.t[p.i++]!.text);
  while (
    p.i < p.t.length &&
    !(
      STATEMENT_WORDS.has(word(p)) &&
      !["ip", "ip6", "tcp", "udp", "meta", "ct"].includes(parts[parts.length - 1]!)
    )
  );
  approx(p, parts.join(" ") || construct, reason, tok);
}
