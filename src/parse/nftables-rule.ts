/**
 * One nftables rule (text form, as `nft list ruleset` prints it) → IR rules. Expressions narrow
 * the match (ir/match.ts); statements that only observe (counter, log, comment) continue;
 * anything not modelled becomes an approximation with its column, never a silent skip.
 * Selector semantics: nft(8) "PAYLOAD EXPRESSION", "META EXPRESSIONS", "CONNTRACK EXPRESSIONS".
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { MatchBuilder } from "../ir/match.js";
import type { Action, Origin, Rule, TableFamily } from "../ir/ruleset.js";
import {
  ctSet,
  CT_STATES,
  makeBox,
  withDim,
  type Box,
  FULL,
  type CtState,
  type IntervalDim,
} from "../space/box.js";
import { IntervalSet } from "../space/interval-set.js";
import { NameSet } from "../space/name-set.js";
import { Space } from "../space/space.js";
import { addressMask, maskedPrefix, nftTcpFlags } from "./nft-bitwise.js";
import { nftAddress, nftIcmpCode, nftIcmpType, nftPort, nftProto, REJECT_CODES } from "./nft-values.js";
import { parseNatTarget, parsePortList, type Token } from "./terms.js";
import { HOP_LIMIT_255_REASON, NOT_NEIGHBOUR_DISCOVERY } from "./hop-limit.js";
import { lookupTable } from "./lookup.js";
import { headerReason, mldMessages, needsHeader } from "./extension-headers.js";
import { addrTypeReason, addrTypeSet, hostAddressTerm, parseAddrTypes } from "./address-types.js";
import { moduleReason } from "./iptables-matches.js";
import { tcpFlagStates } from "./tcp-flags.js";

/** One element of a set or map: its key (the parts of a concatenation) and, in a map, its data. */
export interface NftElem {
  parts: string[];
  /** The data of a map element (`: accept`, `: jump c1`), as tokens. */
  data?: Token[];
  col: number;
}

/** A named set or map of the table (`set NAME { … }`, `map NAME { … }`). */
export interface NftSets {
  kind: "set" | "map";
  /** The key type (`ipv4_addr . inet_service`, or `typeof` expressions). */
  type: string;
  /** A map's data type: `verdict` for a verdict map. */
  data?: string;
  elements: NftElem[];
  /** Why the content changes at run time (dynamic/timeout flags, updated from rules), if it does. */
  dynamic?: string;
  origin: Origin;
}

/** Words that end an element's key: per-element options as nft prints and accepts them. */
const ELEM_OPTIONS = new Set([
  "counter",
  "timeout",
  "expires",
  "comment",
  "packets",
  "bytes",
  "limit",
  "quota",
]);

/**
 * The elements of `{ … }` starting at `tokens[i]` (the `{`): keys split at ` . `, map data after
 * ` : `, per-element options (counter packets N bytes M, timeout, expires, comment) skipped, nested
 * `{ }` (a variable holding a set, inside a set) flattened as nft does. Returns the index after `}`.
 */
export function readElements(tokens: readonly Token[], i: number): { elements: NftElem[]; next: number } {
  const elements: NftElem[] = [];
  let key: Token[] = [];
  let data: Token[] | undefined;
  let depth = 0;
  const push = (): void => {
    const parts: string[] = [];
    let cur: string[] = [];
    for (const t of key) {
      if (ELEM_OPTIONS.has(t.text)) break;
      if (t.text === ".") {
        parts.push(cur.join(" "));
        cur = [];
      } else cur.push(t.text);
    }
    parts.push(cur.join(" "));
    if (key.length > 0) elements.push({ parts, ...(data ? { data } : {}), col: key[0]!.col });
    key = [];
    data = undefined;
  };
  for (i++; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.text === "{") depth++;
    else if (t.text === "}") {
      if (depth === 0) break;
      depth--;
    } else if (t.text === ",") push();
    else if (t.text === ":" && !data) data = [];
    else if (
      !data &&
      t.text.endsWith(":") &&
      t.text.length > 1 &&
      VERDICT_WORDS.has(tokens[i + 1]?.text ?? "")
    ) {
      key.push({ text: t.text.slice(0, -1), col: t.col });
      data = [];
    } else if (data) data.push(t);
    else key.push(t);
  }
  push();
  return { elements, next: i + 1 };
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

/** `any`: a concatenation part the space has no dimension for (`ether saddr`): any value matches. */
type ValueKind =
  | "addr"
  | "port"
  | "proto"
  | "ct"
  | "icmp"
  | "icmpv6"
  | "icmpcode"
  | "icmpv6code"
  | "ifname"
  | "nfproto"
  | "any";
interface Selector {
  kind: ValueKind;
  dim: IntervalDim | "iif" | "oif" | "family";
  /** Implied narrowing: protocol (tcp dport → proto 6) and family (ip saddr → IPv4). */
  proto?: number;
  family?: 4 | 6;
  /** As written, where messages name the selector (the family selectors). */
  name?: string;
}

/** Family names of `meta nfproto` (ipv4, ipv6) and of the link layer's `meta protocol` (ip, ip6). */
const FAMILY_NAMES: Readonly<Record<string, 4 | 6>> = lookupTable({ ipv4: 4, ipv6: 6, ip: 4, ip6: 6 });

const SELECTORS: Record<string, Selector> = lookupTable({
  "ip saddr": { kind: "addr", dim: "src", family: 4 },
  "ip daddr": { kind: "addr", dim: "dst", family: 4 },
  "ip6 saddr": { kind: "addr", dim: "src", family: 6 },
  "ip6 daddr": { kind: "addr", dim: "dst", family: 6 },
  "ip protocol": { kind: "proto", dim: "proto", family: 4 },
  "ip6 nexthdr": { kind: "proto", dim: "proto", family: 6 },
  "meta l4proto": { kind: "proto", dim: "proto" },
  "meta nfproto": { kind: "nfproto", dim: "family", name: "meta nfproto" },
  // The link layer's protocol: at the IP hooks of ip, ip6 and inet tables an IPv4 packet's is `ip`
  // and an IPv6 packet's `ip6`, so it decides the family as nfproto does.
  "meta protocol": { kind: "nfproto", dim: "family", name: "meta protocol" },
  "th sport": { kind: "port", dim: "sport" },
  "th dport": { kind: "port", dim: "dport" },
  "ct state": { kind: "ct", dim: "ct" },
  "icmp type": { kind: "icmp", dim: "dport", proto: 1, family: 4 },
  "icmpv6 type": { kind: "icmpv6", dim: "dport", proto: 58, family: 6 },
  "icmp code": { kind: "icmpcode", dim: "dport", proto: 1, family: 4 },
  "icmpv6 code": { kind: "icmpv6code", dim: "dport", proto: 58, family: 6 },
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
/** Words that begin a selector (a payload, meta or conntrack expression). */
const SELECTOR_HEADS = ["meta", "ct", "ip", "ip6", "tcp", "udp", "th"] as const;
const STATEMENT_WORDS = new Set([
  "counter",
  "log",
  "comment",
  "limit",
  ...SELECTOR_HEADS,
  "iifname",
  "oifname",
  "iif",
  "oif",
  "icmp",
  "icmpv6",
  "exthdr",
  ...VERDICT_WORDS,
]);

interface Parser {
  t: Token[];
  i: number;
  input: NftRuleInput;
  mb: MatchBuilder;
  diags: Diagnostic[];
  action?: Action;
  vmap?: { key: Selector[]; entries: Array<{ elem: NftElem; verdict: Action }> };
  /** The previous term if it was `SELECTOR != one value` (see mergedInequality), with where it ended. */
  lastNe?: { sel: Selector; end: number };
}

export function nftRule(input: NftRuleInput): { rules: Rule[]; diagnostics: Diagnostic[] } {
  const p: Parser = { t: input.tokens, i: 0, input, mb: new MatchBuilder(), diags: [] };
  if (input.family === "ip") p.mb.family(4);
  if (input.family === "ip6") p.mb.family(6);
  while (p.i < p.t.length) step(p);
  const mk = (mb: MatchBuilder, action: Action, k: number, origin = input.origin): Rule => {
    const match = mb.build();
    return {
      id: `${input.family} ${input.table}/${input.chain}#${input.index + k + 1}`,
      table: input.table,
      chain: input.chain,
      match,
      action,
      origin,
      approximations: mb.approximationsOf(match),
    };
  };
  if (!p.vmap)
    return {
      rules: [mk(p.mb, p.action ?? { kind: "continue", effect: "no verdict" }, 0)],
      diagnostics: p.diags,
    };
  // A verdict map: for each element, the rule's other matches and key ∈ element → its verdict.
  // Keys are disjoint (the kernel refuses overlaps), so the order of the rules does not matter; a
  // packet whose key is in no element is not decided by this rule (nft_lookup breaks the rule).
  const { key, entries } = p.vmap;
  // Each element's rule is named by its element too: findings about one element (a redundant
  // `established : accept`) would otherwise read as the same rule twice.
  const rules = entries.map((e, k) => {
    const mb = p.mb.clone();
    applyElements(p, mb, key, [e.elem], false);
    const element = `${e.elem.parts.join(" . ")} : ${(e.elem.data ?? []).map((t) => t.text).join(" ")}`;
    const origin =
      entries.length > 1 ? { ...input.origin, text: `${input.origin.text} [${element}]` } : input.origin;
    return mk(mb, e.verdict, k, origin);
  });
  // Nothing decided, but what the rule does besides (an approximated statement) stays said.
  if (rules.length === 0 && p.mb.approximations.length > 0)
    rules.push(mk(p.mb, { kind: "continue", effect: "verdict map without elements" }, 0));
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

function approx(
  p: Parser,
  construct: string,
  reason: string,
  tok = p.t[p.i],
  decides = false,
  where?: Space,
): void {
  const o = p.input.origin;
  p.mb.approximate(
    construct,
    reason,
    { ...o, col: (tok?.col ?? 0) + 1 },
    // A construct that may itself decide the verdict (a verdict map of unknown content, a queue
    // to a program) leaves the rule's action unknown; any other leaves only its match unknown.
    decides || /(^| )(vmap|queue|synproxy)( |$)/.test(construct) ? "action" : "match",
    where,
  );
}

/** `MatchBuilder.outsideModel` at a token of this rule (its column, as `approx` gives it). */
function outsideModel(p: Parser, construct: string, reason: string, tok: Token | undefined): void {
  p.mb.outsideModel(construct, reason, { ...p.input.origin, col: (tok?.col ?? 0) + 1 });
}

function word(p: Parser, k = 0): string {
  return p.t[p.i + k]?.text ?? "";
}

const PAYLOADS = new Set<string>([
  ...SELECTOR_HEADS,
  "icmp",
  "icmpv6",
  "ether",
  "vlan",
  "arp",
  "sctp",
  "dccp",
  "udplite",
]);

/**
 * A two-word selector the space has no dimension for, as a part of a concatenation (`ip saddr .
 * ether saddr @s`): consumed and said as an approximation; the other parts still narrow the match.
 */
function unmodelledPart(p: Parser): Selector | undefined {
  if (!PAYLOADS.has(word(p)) || !/^[a-z][\w-]*$/.test(word(p, 1))) return undefined;
  approx(
    p,
    `${word(p)} ${word(p, 1)}`,
    "a part of a concatenation not modelled: any value of it is taken to match",
  );
  p.i += 2;
  return { kind: "any", dim: "proto" };
}

/** The selector at the parser's position (two words, then one), consumed; undefined if none. */
function selectorAt(p: Parser): Selector | undefined {
  const two = SELECTORS[`${word(p)} ${word(p, 1)}`];
  if (two) {
    p.i += 2;
    return two;
  }
  const one = SELECTORS[word(p)];
  if (one) p.i++;
  return one;
}

function step(p: Parser): void {
  const w = word(p);
  const two = `${w} ${word(p, 1)}`;
  const start = p.i;
  const first = selectorAt(p);
  if (first) {
    // A concatenation `ip daddr . tcp dport`: one key over several dimensions.
    const key = [first];
    while (word(p) === ".") {
      p.i++;
      const next = selectorAt(p) ?? unmodelledPart(p);
      if (!next) {
        // The whole key and what follows it (`ip saddr . meta mark vmap @m`): one approximation.
        p.i = start;
        const construct = skipExpr(p).join(" ");
        return approx(p, construct, "concatenation with a selector not modelled", p.t[start]);
      }
      key.push(next);
    }
    if (word(p) === "set") {
      p.i = start;
      return skipUnknown(p, `${two} set`, "statement not modelled (it may change later matches)");
    }
    return selectorExpr(p, key);
  }
  if (two === "tcp flags" && tcpFlagsMatch(p)) return;
  if (two === "ip6 hoplimit" && hopLimit255(p)) return;
  if (two === "ip frag-off" && fragmentOffset(p)) return;
  if (two === "ct status" && dnatStatusMatch(p)) return;
  if (ipv6ExtensionHeader(p)) return;
  if (w === "xt" && (word(p, 1) === "match" || word(p, 1) === "target") && word(p, 2) !== "") {
    // iptables-nft's rules nft cannot translate, as `nft list ruleset` prints them (`xt match
    // recent`, `xt target TPROXY`): the iptables module's own reason; a target may decide.
    const tok = p.t[p.i];
    const [kind, name] = [word(p, 1), word(p, 2)];
    p.i += 3;
    return approx(
      p,
      `xt ${kind} ${name}`,
      kind === "match"
        ? `iptables-nft's -m ${name} (nft lists it untranslated): ${moduleReason(name.toLowerCase())}`
        : `iptables-nft's -j ${name} (nft lists it untranslated): what it does to the packet is not modelled`,
      tok,
      kind === "target",
    );
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
    return skipUnknown(p, two, "selector not modelled; the rule is treated as matching regardless of it", 2);
  }
  statementOrVerdict(p, w);
}

/**
 * `ip6 hoplimit 255` (RFC 4890's guard on neighbour discovery rules): hop limits are not in the
 * packet space, but every neighbour discovery packet a node accepts has 255 (RFC 4861 §7.1: the
 * stack discards the others), so for those the test is exact — it matches them all; for every
 * other packet it stays an approximation (matched as read). Consumed when it is that, else false.
 */
function hopLimit255(p: Parser): boolean {
  let k = 2;
  if (word(p, k) === "==" || word(p, k) === "eq") k++;
  if (word(p, k) !== "255") return false;
  const next = word(p, k + 1);
  if (next === "." || next === "," || next === "-" || next === "/") return false;
  const tok = p.t[p.i];
  p.i += k + 1;
  p.mb.family(6);
  approx(p, "ip6 hoplimit 255", HOP_LIMIT_255_REASON, tok, false, NOT_NEIGHBOUR_DISCOVERY);
  return true;
}

/**
 * `ip frag-off & 0x1fff != 0` (hand-written rulesets' "drop fragments"): a second or further IPv4
 * fragment, which carries no transport header — none of the packets the audit judges is one (whole
 * packets and first fragments carry the ports; with conntrack the kernel reassembles before
 * filtering anyway). Read as matching none of them (`outsideModel`, as iptables' `-f`); `== 0`
 * matches every IPv4 packet judged, exactly. Consumed when it is one of these, else false.
 */
function fragmentOffset(p: Parser): boolean {
  if (word(p, 2) !== "&" || !["0x1fff", "8191"].includes(word(p, 3))) return false;
  let k = 4;
  let nonzero = false;
  if (word(p, k) === "!=" || word(p, k) === "ne") {
    nonzero = true;
    k++;
  } else if (word(p, k) === "==" || word(p, k) === "eq") k++;
  if (!["0", "0x0"].includes(word(p, k))) return false;
  const next = word(p, k + 1);
  if (next === "." || next === "," || next === "-" || next === "/") return false;
  const tok = p.t[p.i];
  p.i += k + 1;
  p.mb.family(4);
  if (!nonzero) return true;
  outsideModel(
    p,
    "ip frag-off & 0x1fff != 0",
    "matches only second and further IPv4 fragments, which carry no ports and are none of the packets the audit judges (with conntrack loaded the kernel reassembles them before filtering): read as matching none of them",
    tok,
  );
  return true;
}

/**
 * IPv6 extension header fields nft reads (src/exthdr.c: hbh, rt, rt0, rt2, srh, frag, dst, mh), by
 * header; `rt` also names the routing expression (`rt nexthop`, `rt mtu`), whose keys differ.
 */
const EXTHDR_FIELDS: Readonly<Record<string, readonly string[]>> = lookupTable({
  hbh: ["nexthdr", "hdrlength"],
  rt: ["nexthdr", "hdrlength", "type", "seg-left"],
  rt0: ["addr"],
  rt2: ["addr"],
  srh: ["last-entry", "flags", "tag", "sid"],
  frag: ["nexthdr", "reserved", "frag-off", "reserved2", "more-fragments", "id"],
  dst: ["nexthdr", "hdrlength"],
  mh: ["nexthdr", "hdrlength", "type", "reserved", "checksum"],
});

const EXTHDR_NAMES: Readonly<Record<string, string>> = lookupTable({
  hbh: "an IPv6 hop-by-hop options header (RFC 8200 §4.3)",
  rt: "an IPv6 routing header (RFC 8200 §4.4)",
  rt0: "an IPv6 type 0 routing header (RFC 5095)",
  rt2: "an IPv6 type 2 routing header (RFC 6275 §6.4)",
  srh: "an IPv6 segment routing header (RFC 8754)",
  frag: "an IPv6 fragment header (RFC 8200 §4.5)",
  dst: "an IPv6 destination options header (RFC 8200 §4.6)",
  mh: "an IPv6 mobility header (RFC 6275 §6.1)",
});

/**
 * `exthdr NAME exists|missing` and `NAME FIELD …` (`frag more-fragments 1`, `rt type 0`, `hbh
 * nexthdr tcp`): IPv6 extension headers. nft loads each with a `meta nfproto ipv6` dependency in
 * inet tables (and refuses it in ip ones), and a field comparison on a packet without the header
 * ends the rule (nft_exthdr_ipv6_eval: NFT_BREAK), whatever the operator. Read as
 * extension-headers.ts says: `exists` and fields match none of the packets judged
 * (`outsideModel`), or for hop-by-hop MLD messages at most, approximately; `missing` every IPv6
 * packet, exactly but for MLD messages (hop-by-hop). Consumed when it is one of these, else false
 * (`exthdr … set`, other forms).
 */
function ipv6ExtensionHeader(p: Parser): boolean {
  const tok = p.t[p.i];
  const w = word(p);
  const header = w === "exthdr" ? word(p, 1) : w;
  const fields = EXTHDR_FIELDS[header];
  if (!fields) return false;
  const hopByHop = header === "hbh";
  let construct: string;
  if (w === "exthdr") {
    let k = 2;
    const op = word(p, k);
    const negate = op === "!=" || op === "ne";
    if (negate || op === "==" || op === "eq") k++;
    const v = word(p, k);
    if (v !== "exists" && v !== "missing") return false;
    if (p.i + k + 1 < p.t.length && !STATEMENT_WORDS.has(word(p, k + 1))) return false;
    p.i += k + 1;
    p.mb.family(6);
    if ((v === "exists") === negate) {
      if (hopByHop)
        approx(
          p,
          p.t
            .slice(p.i - k - 1, p.i)
            .map((t) => t.text)
            .join(" "),
          "MLD messages carry a hop-by-hop options header (the Router Alert option, RFC 3810 §5), which the packet space does not hold: exact for every other packet, matched as every MLD message",
          tok,
          false,
          mldMessages(),
        );
      return true;
    }
    construct = `exthdr ${header} exists`;
  } else {
    if (!fields.includes(word(p, 1).replace(/\[.*$/, "")) || word(p, 2) === "set") return false;
    const start = p.i;
    p.i += 2;
    if (["==", "!=", "eq", "ne", "<", ">", "<=", ">=", "lt", "gt", "le", "ge"].includes(word(p))) p.i++;
    if (word(p) === "{") p.i = readElements(p.t, p.i).next;
    else if (p.i < p.t.length) p.i++;
    const parts = p.t.slice(start, p.i).map((t) => t.text);
    if (p.i < p.t.length && !STATEMENT_WORDS.has(word(p))) skipExpr(p, parts);
    construct = parts.join(" ");
  }
  const reason = headerReason(EXTHDR_NAMES[header]!, hopByHop, header === "frag");
  if (hopByHop) {
    needsHeader(p.mb, "hbh");
    approx(p, construct, reason, tok);
  } else outsideModel(p, construct, reason, tok);
  return true;
}

function selectorExpr(p: Parser, key: Selector[]): void {
  if (word(p) === "&" && key.length === 1 && key[0]!.kind === "addr") return maskedAddress(p, key[0]!);
  let neg = false;
  if (word(p) === "!=" || word(p) === "ne") {
    neg = true;
    p.i++;
  } else if (word(p) === "==" || word(p) === "eq") p.i++;
  if (word(p) === "vmap") {
    p.i++;
    return readVmap(p, key);
  }
  const start = p.i;
  const elems = readItems(p, key);
  if (elems === undefined) {
    // A set whose content is not known (dynamic state): what the key implies still holds — an
    // `ip saddr @denylist` match is never met by an IPv6 packet, negated or not (nft adds the
    // family and protocol dependencies to the rule).
    return impliedBy(p.mb, key);
  }
  const single = elems.length === 1 && isSingleValue(key[0]!.kind, p.t[start]?.text ?? "{");
  if (neg && key.length === 1 && single) mergedInequality(p, key[0]!, start);
  applyElements(p, p.mb, key, elems, neg);
}

/**
 * Whether a value token is one value nft compares with `cmp` (not a set, prefix or range): names
 * may hold dashes (`destination-unreachable`), a range `a-b` has a value on each side.
 */
function isSingleValue(kind: ValueKind, text: string): boolean {
  if (text === "{" || text.startsWith("@") || text.includes("/")) return false;
  return ![...text.matchAll(/-/g)].some(
    (d) => valueSet(kind, text.slice(0, d.index)) && valueSet(kind, text.slice(d.index + 1)),
  );
}

/**
 * nft 1.0.6 (Debian 12's) merges adjacent payload matches into one load and comparison, also when
 * both are `!=`: `udp sport != 1555 udp dport != 808` is loaded as (sport, dport) != (1555, 808),
 * which matches unless both are equal — not what the text says (seen in the kernel differential
 * test, `nft --debug=netlink`). Which nft loaded the ruleset is not known here: said as an
 * approximation, so verdicts it can change are uncertain.
 */
function mergedInequality(p: Parser, sel: Selector, start: number): void {
  const last = p.lastNe;
  p.lastNe = { sel, end: p.i };
  const adjacent =
    (last?.sel.dim === "sport" &&
      sel.dim === "dport" &&
      last.sel.proto === sel.proto &&
      sel.proto !== undefined) ||
    (last?.sel.dim === "src" && sel.dim === "dst" && last.sel.family === sel.family && sel.kind === "addr") ||
    // ICMP type and code are adjacent bytes too: `icmp type != 3 icmp code != 1` is merged alike.
    (last?.sel.kind === (sel.kind === "icmpv6code" ? "icmpv6" : "icmp") && /code$/.test(sel.kind));
  const consecutive =
    last !== undefined && p.t.slice(last.end, start).filter((t) => !/^(!=|ne)$/.test(t.text)).length === 2;
  if (adjacent && consecutive)
    approx(
      p,
      p.t
        .slice(last.end - 4, p.i)
        .map((t) => t.text)
        .join(" "),
      "nft 1.0.6 loads two adjacent `!=` matches as one comparison (matches unless both are equal)",
      p.t[last.end - 4],
    );
}

/** `x`, `{ a, b-c }` or `@set` → elements; undefined after an approximation or error. */
function readItems(p: Parser, key: Selector[]): NftElem[] | undefined {
  const w = word(p);
  if (p.i >= p.t.length)
    return void err(p, "a match without a value", "SELECTOR VALUE, SELECTOR { … } or SELECTOR @set");
  if (w === "{") {
    const r = readElements(p.t, p.i);
    p.i = r.next;
    return r.elements;
  }
  const tok = p.t[p.i];
  p.i++;
  if (w.startsWith("@")) return namedSet(p, w.slice(1), "set", tok)?.elements;
  // `ct state established,related`: an unbraced comma list (nft prints flag values this way);
  // `ip daddr . tcp dport 203.0.113.1 . 443`: one concatenated value.
  const items: NftElem[] = [];
  const one = (): NftElem => {
    const parts = [p.t[p.i - 1]!.text];
    for (let k = 1; k < key.length && word(p) === "."; k++) {
      parts.push(word(p, 1));
      p.i += 2;
    }
    return { parts, col: tok?.col ?? 0 };
  };
  items.push(one());
  while (word(p) === "," && p.i + 1 < p.t.length) {
    p.i += 2;
    items.push(one());
  }
  return items;
}

/** A named set or map of the table; an error if the table has none by that name. */
function namedSet(p: Parser, name: string, want: "set" | "map", tok: Token | undefined): NftSets | undefined {
  const set = p.input.sets.get(name);
  if (!set) {
    err(
      p,
      `${want} @${name} is not declared in table ${p.input.table}`,
      `a ${want} ${name} declared in the table`,
      tok,
    );
    return undefined;
  }
  if (set.dynamic) {
    // A verdict map's run-time elements decide verdicts of their own.
    return void approx(
      p,
      `@${name}`,
      `${set.kind} ${name} ${set.dynamic} (dynamic state): its content at run time is not known`,
      tok,
      want === "map",
    );
  }
  return set;
}

/** The protocol and family a key's selectors imply (`tcp dport`: TCP; `ip saddr`: IPv4). */
function impliedBy(mb: MatchBuilder, key: readonly Selector[]): void {
  for (const sel of key) {
    if (sel.proto !== undefined) mb.narrow("proto", IntervalSet.of(sel.proto));
    if (sel.family) mb.family(sel.family);
  }
}

/** Narrows `mb` to packets whose key is one of `elems` (or, negated, none of them). */
function applyElements(p: Parser, mb: MatchBuilder, key: Selector[], elems: NftElem[], neg: boolean): void {
  impliedBy(mb, key);
  const bad = elems.find((e) => e.parts.length !== key.length);
  if (bad)
    return err(
      p,
      `element \`${bad.parts.join(" . ")}\` has ${bad.parts.length} part(s) for a key of ${key.length}`,
      key.length > 1 ? "elements as concatenations A . B of the key's parts" : "single values",
      { text: "", col: bad.col },
    );
  if (key.length === 1)
    return applySingle(
      p,
      mb,
      key[0]!,
      elems.map((e) => e.parts[0]!),
      neg,
    );
  // A concatenation: each element is a box over the key's dimensions; the key is in their union.
  if (neg) return approx(p, `!= ${key.length}-part concatenation`, "a negated concatenation is not modelled");
  const boxes: Box[] = [];
  for (const e of elems) {
    let box: Box = makeBox({});
    for (const [k, sel] of key.entries()) {
      const item = e.parts[k]!;
      if (sel.kind === "any") continue;
      if (sel.kind === "ifname" || sel.kind === "nfproto") {
        if (sel.kind === "nfproto" || item.endsWith("*"))
          return approx(
            p,
            item,
            `${sel.kind === "nfproto" ? (sel.name ?? "meta nfproto") : "interface wildcard"} in a concatenation is not modelled`,
          );
        const dim = sel.dim === "iif" ? "iif" : "oif";
        box = withDim(box, dim, box[dim].intersect(NameSet.of(item)));
        continue;
      }
      const v = valueSet(sel.kind, item);
      if (!v) return err(p, badValue(sel.kind, item), expectedFor(sel.kind), { text: item, col: e.col });
      const dim = sel.dim as IntervalDim;
      box = withDim(box, dim, box[dim].intersect(v));
    }
    boxes.push(box);
  }
  mb.anyOf(boxes);
}

function applySingle(p: Parser, mb: MatchBuilder, sel: Selector, items: string[], neg: boolean): void {
  if (sel.kind === "ifname") {
    const wild = items.filter((x) => x.endsWith("*"));
    const names = items.filter((x) => !x.endsWith("*"));
    // Where a packet has no such interface (oif in prerouting/input, iif in output) the kernel's
    // meta expression breaks the rule: neither `oifname x` nor `oifname != x` matches (nft_meta_get_eval).
    // A wildcard (`eth*`) is a prefix the name sets cannot say: the match is widened to every
    // name (positive) or kept to the literal names' complement (negated), and said.
    if (wild.length > 0)
      approx(
        p,
        wild.join(","),
        "interface wildcard: taken as matching any interface name (wider than it is)",
      );
    return void mb.narrowName(
      sel.dim === "iif" ? "iif" : "oif",
      neg ? NameSet.except(...names, "") : wild.length > 0 ? NameSet.except("") : NameSet.of(...names),
    );
  }
  if (sel.kind === "nfproto") {
    // nfproto's names (ipv4, ipv6) and the link layer's (ip, ip6) for `meta protocol`.
    const fam = items.length === 1 ? FAMILY_NAMES[items[0]!] : undefined;
    if (!fam || neg)
      return approx(
        p,
        `${sel.name ?? "meta nfproto"} ${items.join(",")}`,
        "only one positive family is modelled",
      );
    return void mb.family(fam);
  }
  let set = IntervalSet.EMPTY;
  for (const item of items) {
    const v = valueSet(sel.kind, item);
    if (!v) return err(p, badValue(sel.kind, item), expectedFor(sel.kind), p.t[p.i - 1]);
    set = set.union(v);
  }
  mb.narrow(sel.dim as IntervalDim, set, neg);
}

function valueSet(kind: ValueKind, item: string): IntervalSet | undefined {
  // `*`: the catch-all element of a set or map (nft 1.0+), every value of the key.
  if (item === "*")
    return kind === "addr" ? FULL.addr : kind === "proto" ? FULL.proto : kind === "ct" ? FULL.ct : FULL.port;
  switch (kind) {
    case "addr":
      return nftAddress(item);
    case "port":
      return nftPort(item);
    case "proto":
      return nftProto(item);
    case "ct": {
      const states = item.split(",");
      if (!states.every((s) => (CT_STATES as readonly string[]).includes(s))) return undefined;
      return ctSet(states as CtState[]);
    }
    case "icmp":
      return nftIcmpType(item, false);
    case "icmpv6":
      return nftIcmpType(item, true);
    case "icmpcode":
      return nftIcmpCode(item, false);
    case "icmpv6code":
      return nftIcmpCode(item, true);
    case "ifname":
    case "nfproto":
      return undefined;
    case "any":
      return FULL.port;
  }
}

function badValue(kind: ValueKind, item: string): string {
  if (kind === "addr" && /^[a-z][\w-]*(\.[\w-]+)+$/i.test(item) && !/^[\d.]+$/.test(item))
    return `host name ${item}: nft resolves it when it loads the ruleset, so what it matches is not in the file`;
  if (kind === "port" && /^[a-z][\w-]*$/i.test(item))
    return `unknown service name ${item} (not in Debian netbase's /etc/services)`;
  return `bad value ${item}`;
}

function expectedFor(kind: ValueKind): string {
  return {
    addr: "an address, prefix or range",
    port: "a port, range or service name (/etc/services)",
    proto: "a protocol name or number",
    ct: "new, established, related, invalid, untracked",
    icmp: "an ICMP type name or number",
    icmpv6: "an ICMPv6 type name or number",
    icmpcode: "an ICMP code name or number (0-255)",
    icmpv6code: "an ICMPv6 code name or number (0-255)",
    ifname: "an interface name",
    nfproto: "ipv4 or ipv6",
    any: "a value",
  }[kind];
}

/** `KEY vmap { k : verdict, … }` or `KEY vmap @map`: one rule per element (nftRule). */
function readVmap(p: Parser, key: Selector[]): void {
  let elems: NftElem[];
  const tok = p.t[p.i];
  if (word(p) === "{") {
    const r = readElements(p.t, p.i);
    p.i = r.next;
    elems = r.elements;
  } else if (word(p).startsWith("@")) {
    p.i++;
    const map = namedSet(p, tok!.text.slice(1), "map", tok);
    if (!map) return impliedBy(p.mb, key);
    if (map.kind !== "map" || map.data !== "verdict")
      return err(p, `${tok!.text} is not a verdict map`, "a map of type KEY : verdict", tok);
    elems = map.elements;
  } else return err(p, `bad verdict map ${word(p)}`, "vmap { KEY : VERDICT, … } or vmap @MAP");
  const entries: Array<{ elem: NftElem; verdict: Action }> = [];
  for (const elem of elems) {
    const v = elem.data && elem.data.length > 0 ? verdictOf(elem.data) : undefined;
    if (!v)
      return err(
        p,
        `bad verdict \`${(elem.data ?? []).map((t) => t.text).join(" ")}\` for ${elem.parts.join(" . ")}`,
        "KEY : accept|drop|return|continue|jump CHAIN|goto CHAIN",
        { text: "", col: elem.col },
      );
    entries.push({ elem, verdict: v });
  }
  // The catch-all element decides only where no other element does: it goes last.
  const isCatchAll = (e: { elem: NftElem }): boolean => e.elem.parts.every((x) => x === "*");
  p.vmap = { key, entries: [...entries.filter((e) => !isCatchAll(e)), ...entries.filter(isCatchAll)] };
}

/** A verdict from a map element's data tokens (`accept`, `jump c1`). */
function verdictOf(data: readonly Token[]): Action | undefined {
  const sub: Parser = { t: [...data], i: 0, input: undefined as never, mb: undefined as never, diags: [] };
  const v = verdict(sub);
  return v && sub.i === data.length ? v : undefined;
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
      // `counter name "c"` / `counter name ip saddr map { … }`: a named counter, observes only.
      else if (word(p) === "name") skipExpr(p);
      return;
    case "comment":
      if (!nftString(p, "comment")) return;
      p.i++;
      return;
    case "log":
      while (["prefix", "level", "flags", "group", "snaplen", "queue-threshold"].includes(word(p))) {
        if (word(p) === "prefix") {
          p.i++;
          if (!nftString(p, "log prefix")) return;
          p.i++;
          continue;
        }
        p.i += word(p) === "flags" && word(p, 2) === "," ? 4 : 2;
      }
      return;
    case "reject":
      return rejectStatement(p);
    case "dnat":
    case "snat":
      return natStatement(p, w);
    case "fib": {
      // `fib saddr . iif oif missing`: flags joined by `.`, a result, then the comparison (a
      // value or a set: `fib daddr type { local, broadcast }`).
      p.i--;
      const parts: string[] = [];
      while (p.i < p.t.length && !["oif", "oifname", "type"].includes(word(p))) parts.push(p.t[p.i++]!.text);
      if (p.i < p.t.length) parts.push(p.t[p.i++]!.text);
      if (["==", "!=", "eq", "ne"].includes(word(p))) parts.push(p.t[p.i++]!.text);
      if (word(p) === "{") {
        const end = readElements(p.t, p.i).next;
        while (p.i < end && p.i < p.t.length) parts.push(p.t[p.i++]!.text);
      } else if (p.i < p.t.length) parts.push(p.t[p.i++]!.text);
      approx(p, parts.join(" "), "fib (a routing lookup) is not modelled", start);
      const result = parts.findIndex((w, i) => i > 0 && ["oif", "oifname", "type"].includes(w));
      const flags = parts.slice(1, Math.max(result, 1)).filter((w) => w !== ".");
      const negated = ["!=", "ne"].includes(parts[result + 1] ?? "");
      const values = parts
        .slice(result + (["==", "!=", "eq", "ne"].includes(parts[result + 1] ?? "") ? 2 : 1))
        .filter((w) => !["{", "}", ","].includes(w));
      // `fib saddr [. mark] [. iif] oif missing`: a reverse-path check the topology's routes decide.
      // `oif exists` is `oif != missing`: a route was found.
      if (
        parts[result] === "oif" &&
        values.length === 1 &&
        (values[0] === "missing" || values[0] === "exists") &&
        flags[0] === "saddr" &&
        flags.slice(1).every((f) => f === "mark" || f === "iif") &&
        new Set(flags).size === flags.length
      ) {
        const i = p.mb.approximations.length - 1;
        p.mb.approximations[i] = {
          ...p.mb.approximations[i]!,
          reversePath: { strict: flags.includes("iif"), negate: negated !== (values[0] === "exists") },
        };
      }
      if (parts[result] === "type") fibAddressType(p, flags, values, negated);
      return;
    }
    case "masquerade":
      // `masquerade [to :PORT] [random|persistent|fully-random[,…]]` (flags joined by commas).
      while (
        word(p) === "to" ||
        word(p).startsWith(":") ||
        NAT_FLAGS.has(word(p)) ||
        (word(p) === "," && NAT_FLAGS.has(word(p, 1)))
      )
        p.i++;
      p.action = { kind: "masquerade" };
      return;
    case "redirect": {
      let ports: IntervalSet | undefined;
      if (word(p) === "to") {
        const r = parsePortList(word(p, 1).replace(/^:/, ""));
        if (r.ok) ports = r.set;
        // A port looked up from the packet (`to :tcp dport map { … }`) brings its own protocol.
        if (r.ok && !transportMatched(p)) return err(p, ...NO_TRANSPORT);
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

/**
 * `reject [with icmp|icmpv6|icmpx [type] CODE | with tcp reset]`. nft adds the dependency the
 * reply needs: `with tcp reset` only applies to TCP (`meta l4proto tcp`), `with icmp` to IPv4 and
 * `with icmpv6` to IPv6 packets (in inet tables), so the rule matches only those.
 */
function rejectStatement(p: Parser): void {
  if (word(p) !== "with") return void (p.action = { kind: "reject" });
  const kind = word(p, 1);
  if (kind === "tcp" && word(p, 2) === "reset") {
    p.i += 3;
    p.mb.narrow("proto", IntervalSet.of(6));
    return void (p.action = { kind: "reject", with: "tcp reset" });
  }
  if (kind !== "icmp" && kind !== "icmpv6" && kind !== "icmpx")
    return err(
      p,
      `bad reject type ${kind}`,
      "reject with icmp|icmpv6|icmpx CODE or with tcp reset",
      p.t[p.i + 1],
    );
  p.i += word(p, 2) === "type" ? 3 : 2;
  const code = word(p);
  if (!REJECT_CODES[kind].includes(code) && !/^\d{1,3}$/.test(code))
    return err(p, `unknown ${kind} reject code ${code}`, REJECT_CODES[kind].join(", "));
  p.i++;
  if (kind === "icmp") p.mb.family(4);
  if (kind === "icmpv6") p.mb.family(6);
  p.action = { kind: "reject", with: `${kind} ${code}` };
}

/**
 * `fib daddr type local` (Docker's and Incus' nat jump: "to one of this host's addresses"), `fib
 * saddr type != local`, a set of types: the route type of an address, which is what iptables'
 * `-m addrtype` tests (both ask inet_addr_type / ipv6_chk_addr; `. iif` / `. oif` limit the lookup
 * to one interface, as `--limit-iface-*`). Read as addrtype is (address-types.ts): narrowed to
 * the addresses the types can hold, exact for multicast alone, and where LOCAL is what is left open
 * and no interface limits it, bound to a host firewall's own addresses by the audit. With `. mark`
 * (policy routing may answer otherwise) it stays the plain approximation.
 */
function fibAddressType(p: Parser, flags: string[], values: string[], negated: boolean): void {
  const ends = flags.filter((f) => f === "saddr" || f === "daddr");
  if (ends.length !== 1 || !flags.every((f) => ["saddr", "daddr", "iif", "oif"].includes(f))) return;
  if (new Set(flags).size !== flags.length) return;
  const types = parseAddrTypes(values.join(","), negated);
  if (!types.ok || values.length === 0) return;
  const limitIface = flags.includes("iif") || flags.includes("oif");
  const dim = ends[0] === "saddr" ? "src" : "dst";
  const { set, exact } = addrTypeSet(types.value, limitIface);
  p.mb.narrow(dim, set);
  const i = p.mb.approximations.length - 1;
  const a = p.mb.approximations[i]!;
  if (exact) return void p.mb.approximations.splice(i, 1);
  const term = hostAddressTerm(dim, types.value, limitIface);
  p.mb.approximations[i] = {
    ...a,
    reason: addrTypeReason(term !== undefined),
    ...(term ? { hostAddresses: [term] } : {}),
  };
}

/**
 * Whether the token at the parser is a string as nft's grammar takes one after `log prefix` or
 * `comment`: a quoted string, or a word of its scanner's `string` ({letter}|[_.])({letter}|{digit}|
 * [/\-_.])*, with a trailing `*` (asterisk_string). Anything else — `log prefix [nftables] Denied:`
 * — nft refuses (syntax error), and so the whole file with it: said as an error at it.
 */
function nftString(p: Parser, what: string): boolean {
  const tok = p.t[p.i];
  if (tok && (tok.quoted || /^[A-Za-z_.][\w/.-]*\*?$/.test(tok.text))) return true;
  err(
    p,
    tok
      ? `${what} ${tok.text}: not a string nft reads unquoted (nft refuses the file: syntax error)`
      : `${what} without a string`,
    `${what} "…" (a quoted string)`,
    tok,
  );
  p.i = p.t.length;
  return false;
}

/** The flags of a NAT statement (`snat to … random,persistent`, `masquerade fully-random`). */
const NAT_FLAGS = new Set(["random", "persistent", "fully-random"]);

function natStatement(p: Parser, w: "dnat" | "snat"): void {
  const family = word(p) === "ip" || word(p) === "ip6";
  if (family) p.i++;
  // `dnat ip addr . port to …` (nft ≥ 1.0): one map lookup gives both.
  if (word(p) === "addr" && word(p, 1) === "." && word(p, 2) === "port") p.i += 3;
  const prefix = word(p) === "prefix" || word(p) === "interval";
  if (prefix) p.i++;
  // nft's grammar (parser_bison.y `nat_stmt_args`) takes the target without `to` unless a family,
  // `prefix` or `interval` precedes it: `dnat 10.0.0.2:22` is what OpenWrt's fw4 writes.
  const bare = !family && !prefix && word(p) !== "to" && p.i < p.t.length && !STATEMENT_WORDS.has(word(p));
  if (word(p) !== "to" && !bare) return err(p, `${w} without a target`, `${w} [to] ADDR[:PORT]`);
  if (!bare) p.i++;
  const target = word(p);
  if (
    prefix ||
    word(p, 1) === "map" ||
    SELECTORS[`${target} ${word(p, 1)}`] ||
    SELECTORS[target] ||
    OPERAND_NEXT.has(target) ||
    ["numgen", "jhash", "symhash"].includes(target)
  ) {
    // The target is computed from the packet (a map lookup, a hash): which address is not known.
    const tok = p.t[p.i];
    approx(
      p,
      `${w} to ${skipExpr(p).join(" ")}`,
      "a NAT target computed from the packet (map, hash, prefix) is not modelled",
      tok,
    );
    p.action = w === "dnat" ? { kind: "dnat", to: {} } : { kind: "snat", to: {} };
    return;
  }
  const t = parseNatTarget(target);
  if (!t.ok) return err(p, `bad ${w} target ${target}`, t.expected);
  if (t.target.ports && !transportMatched(p)) return err(p, ...NO_TRANSPORT);
  p.i++;
  while (NAT_FLAGS.has(word(p)) || word(p) === ",") p.i++;
  p.action = w === "dnat" ? { kind: "dnat", to: t.target } : { kind: "snat", to: t.target };
}

/**
 * A port in a NAT target needs a transport protocol match earlier in the rule (`tcp dport`, `meta
 * l4proto tcp`, `ip protocol udp`; `th dport` is none): nft refuses the rule otherwise (evaluate.c
 * `nat_evaluate_transport`; nft 1.0.6 checked here), so the file does not load.
 */
function transportMatched(p: Parser): boolean {
  return !p.mb.current("proto").equals(FULL.proto);
}
const NO_TRANSPORT: [string, string] = [
  "a NAT port without a transport protocol match: nft refuses it (transport protocol mapping is only valid after transport protocol match)",
  "a protocol match before it (tcp dport …, meta l4proto tcp, meta l4proto { tcp, udp })",
];

/** After these words an expression goes on: the next word is an operand, not a new statement. */
const OPERAND_NEXT = new Set([
  "set",
  "to",
  ".",
  "map",
  "vmap",
  ":",
  "mod",
  "name",
  "|",
  "&",
  "^",
  ">>",
  "<<",
  "and",
  "or",
  "xor",
  "jhash",
  "symhash",
  "==",
  "!=",
  "<",
  ">",
  "<=",
  ">=",
  "eq",
  "ne",
  "lt",
  "gt",
  "le",
  "ge",
  "prefix",
  "ip",
  "ip6",
  "tcp",
  "udp",
  "meta",
  "ct",
  "th",
  "icmp",
  "icmpv6",
  "sctp",
  "dccp",
  "udplite",
  "original",
  "reply",
  "offset",
  "seed",
  "typeof",
  "in",
  "out",
]);

/**
 * The tokens of one statement or expression not modelled, consumed: up to the next statement
 * keyword that is not an operand (`meta mark set ip saddr map { … }`, `add @s { ip saddr timeout
 * 1m }`, `queue to jhash tcp dport . tcp sport mod 4`), braces taken whole.
 */
function skipExpr(p: Parser, parts: string[] = []): string[] {
  if (p.i >= p.t.length) return parts;
  do {
    if (word(p) === "{") {
      const end = readElements(p.t, p.i).next;
      while (p.i < end && p.i < p.t.length) parts.push(p.t[p.i++]!.text);
    } else parts.push(p.t[p.i++]!.text);
  } while (
    p.i < p.t.length &&
    !(STATEMENT_WORDS.has(word(p)) && !OPERAND_NEXT.has(parts[parts.length - 1]!))
  );
  return parts;
}

/**
 * `ct status dnat` / `ct status != dnat` (fw4's "Accept port forwards"): whether the connection was
 * destination-NATed, which no packet dimension holds. An approximation the audit decides where it
 * knows the NAT a flow's packets took (`dnatStatus`, audit/hooks.ts); other status words, sets and
 * bit operations are left to the general case.
 */
function dnatStatusMatch(p: Parser): boolean {
  const at = p.i;
  let k = 2;
  const op = word(p, k);
  const negate = op === "!=" || op === "ne";
  if (negate || op === "==" || op === "eq") k++;
  if (word(p, k) !== "dnat") return false;
  const after = p.i + k + 1;
  if (after < p.t.length && !STATEMENT_WORDS.has(p.t[after]!.text)) return false;
  const tok = p.t[at];
  p.i = after;
  approx(
    p,
    negate ? "ct status != dnat" : "ct status dnat",
    "conntrack status not modelled as a packet dimension; the rule is treated as matching regardless of it where the NAT its packets took is not known (replies, dead rules)",
    tok,
  );
  const i = p.mb.approximations.length - 1;
  p.mb.approximations[i] = { ...p.mb.approximations[i]!, dnatStatus: { negate } };
  return true;
}

/**
 * Records the construct as an approximation and skips to the next statement keyword. A selector
 * (`ct status dnat`, `ip dscp cs1`) keeps its first value even if that is a keyword too; a
 * concatenation with a part not modelled (`meta pkttype . udp dport vmap { … }`) is taken whole.
 */
function skipUnknown(p: Parser, construct: string, reason: string, selectorWords = 0): void {
  const tok = p.t[p.i];
  const parts: string[] = [];
  if (selectorWords > 0 && word(p, selectorWords) !== "set") {
    for (let k = 0; k < selectorWords && p.i < p.t.length; k++) parts.push(p.t[p.i++]!.text);
    if (word(p) === ".")
      return approx(p, skipExpr(p, parts).join(" "), "concatenation with a selector not modelled", tok);
    if (["==", "!=", "eq", "ne"].includes(word(p))) parts.push(p.t[p.i++]!.text);
    if (word(p) === "{") {
      const end = readElements(p.t, p.i).next;
      while (p.i < end && p.i < p.t.length) parts.push(p.t[p.i++]!.text);
    } else if (p.i < p.t.length) parts.push(p.t[p.i++]!.text);
    if (p.i >= p.t.length || STATEMENT_WORDS.has(word(p))) return approx(p, parts.join(" "), reason, tok);
  }
  skipExpr(p, parts);
  approx(p, parts.join(" ") || construct, reason, tok);
}

/** One operand of a bitwise expression, consumed: `(fin | syn)`, `fin|syn`, `syn,ack`, `0x0`, `::ffff`. */
function operand(p: Parser): string {
  const parts: string[] = [];
  if (word(p).startsWith("(")) {
    while (p.i < p.t.length) {
      parts.push(p.t[p.i++]!.text);
      if (parts[parts.length - 1]!.endsWith(")")) break;
    }
    return parts.join(" ");
  }
  if (p.i < p.t.length) parts.push(p.t[p.i++]!.text);
  while ((word(p) === "|" || word(p) === ",") && p.i + 1 < p.t.length) {
    parts.push(word(p), word(p, 1));
    p.i += 2;
  }
  return parts.join(" ");
}

/** `==`/`!=` (or their word forms) at the parser's position, consumed: whether it negates; undefined if none. */
function comparison(p: Parser): boolean | undefined {
  const w = word(p);
  if (w !== "==" && w !== "eq" && w !== "!=" && w !== "ne") return undefined;
  p.i++;
  return w === "!=" || w === "ne";
}

/**
 * `tcp flags & MASK ==|!= COMP`, `tcp flags [!=] COMP / MASK` (fw4 writes it, nft 1.0.6 prints it),
 * `tcp flags ! MASK` (none set) and `tcp flags A,B` (any set; nft loads the implicit operator on a
 * bitmask as `& A,B != 0`, seen with `nft --debug=netlink`): read by conntrack state as iptables'
 * `--tcp-flags` is (tcp-flags.ts). False, nothing consumed, for other forms (`== syn`, which
 * compares all eight bits, a set of values, a mask with ecn or cwr): the caller approximates those.
 */
function tcpFlagsMatch(p: Parser): boolean {
  const start = p.i;
  p.i += 2;
  let mask: number | undefined;
  let comp: number | undefined;
  let neg: boolean | undefined;
  if (word(p) === "&") {
    p.i++;
    mask = nftTcpFlags(operand(p));
    neg = comparison(p);
    comp = neg === undefined ? undefined : nftTcpFlags(operand(p));
  } else if (word(p) === "!") {
    // `tcp flags ! fin,syn`: none of them set (nft 1.0.6 prints `& MASK == 0x0` so).
    p.i++;
    [mask, comp, neg] = [nftTcpFlags(operand(p)), 0, false];
  } else {
    const op = comparison(p);
    const value = word(p) === "{" ? undefined : nftTcpFlags(operand(p));
    if (word(p) === "/") {
      p.i++;
      [mask, comp, neg] = [nftTcpFlags(operand(p)), value, op ?? false];
    } else if (op === undefined)
      // `tcp flags syn` (no operator): any of them set, (flags & syn) != 0 as nft loads it.
      [mask, comp, neg] = [value, 0, true];
  }
  if (mask === undefined || comp === undefined || neg === undefined || mask > 0x3f) {
    p.i = start;
    return false;
  }
  const text = p.t
    .slice(start, p.i)
    .map((t) => t.text)
    .join(" ");
  const { states, partial } = tcpFlagStates(mask, comp, neg);
  p.mb.narrow("proto", IntervalSet.of(6));
  p.mb.narrow("ct", ctSet(states));
  if (partial.length > 0)
    approx(
      p,
      text,
      `TCP flags are not in the packet space: matched as every packet in state ${partial.join(", ")}, where only some carry these flags`,
      p.t[start],
      false,
      Space.box({ ct: ctSet(partial) }),
    );
  return true;
}

/**
 * `ip saddr & MASK ==|!= VALUE` (or a set of values): a contiguous mask is a prefix, exact; a
 * non-contiguous one (fw4's `ip6 saddr & ::ffff == ::1`, host parts across prefixes) is no interval
 * set of any sane size, so the address is left whole — the rule, negated or not, matches more —
 * and said.
 */
function maskedAddress(p: Parser, sel: Selector): void {
  const start = p.i - 2;
  p.i++;
  const maskTok = p.t[p.i];
  const mask = addressMask(word(p));
  p.i++;
  const neg = comparison(p) ?? false;
  const elems = readItems(p, [sel]);
  if (elems === undefined) return;
  const fam = sel.family === 6 ? "IPv6" : "IPv4";
  if (!mask || mask.family !== sel.family)
    return err(p, `bad address mask ${maskTok?.text ?? ""}`, `an ${fam} address (the mask)`, maskTok);
  p.mb.family(mask.family);
  const text = p.t
    .slice(start, p.i)
    .map((t) => t.text)
    .join(" ");
  if (mask.prefix === "non-contiguous")
    return approx(
      p,
      text,
      "a non-contiguous address mask is not modelled: any address is taken to match",
      p.t[start],
    );
  let set = IntervalSet.EMPTY;
  for (const e of elems) {
    const v = maskedPrefix(e.parts[0]!, mask.family, mask.prefix);
    if (!v) return err(p, `bad value ${e.parts[0]!}`, `an ${fam} address`, { text: "", col: e.col });
    set = set.union(v);
  }
  p.mb.narrow(sel.dim as IntervalDim, set, neg);
}
