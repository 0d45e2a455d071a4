/**
 * The one vendor-neutral ruleset model that audit analyses, readers parse into and compilers
 * render from. Readers: parse/<dialect>.ts → ParsedRuleset { ruleset, diagnostics }.
 *
 * Shape: Ruleset → tables → chains → rules. A rule is a match (a packet Space, exact) plus one
 * action. Everything the space cannot say exactly is an `Approximation` on the rule: the reader
 * keeps the closest exact over-approximation as the match, names the construct and where it is,
 * and the engine reports which packets' verdicts it may change. Nothing is dropped silently.
 *
 * Semantics (`Ruleset.semantics`), how the engine (audit/engine.ts) decides a packet:
 *  - `first-match` (nftables, iptables, Cisco ASA, pf with quick): base chains of a hook run in
 *    priority order (lower first); in each, the first rule whose match holds acts: accept ends this
 *    base chain (the next one still runs), drop/reject are final, jump runs the target chain and
 *    continues after the jump if it returns, goto runs it and returns from the current chain
 *    afterwards, return hands the packet back to the caller (in a base chain: the policy decides),
 *    `continue` (log, counter, …) only observes. The end of a user chain returns; the end of a base
 *    chain applies its policy. Tables of family ip see IPv4 packets only, ip6 IPv6 only, inet both.
 *  - `block-wins` (Windows Firewall): every rule of the hook is considered; a packet matched by any
 *    block rule is dropped, else by any allow rule accepted, else the chain's policy (the profile's
 *    default inbound/outbound action). Rule order is irrelevant. One chain per hook, no jumps.
 *  - `allow-union` (AWS security groups): only accept rules; a packet is accepted when any rule
 *    (of any attached group: put each group's rules in the same chain) matches; policy drop.
 *  `stateful`: replies of an accepted connection pass without rules being consulted by the device
 *  (AWS, Windows); for nft/iptables the rules themselves decide `ct state established` packets, so
 *  readers of those set stateful = false and the engine asks the rules about replies too.
 *
 * NAT: chains of type `nat` rewrite the packets that later hooks and chains see (kernel order:
 * prerouting DNAT before input/forward filtering, postrouting SNAT after output/forward). Only the
 * first packet of a connection (ct state new) traverses nat chains; the rest get the same rewrite.
 */
import { Space } from "../space/space.js";
import type { IntervalSet } from "../space/interval-set.js";

export type Hook = "prerouting" | "input" | "forward" | "output" | "postrouting";
export const HOOKS: readonly Hook[] = ["prerouting", "input", "forward", "output", "postrouting"];

/** Address families of tables: which packets a table's chains see. */
export type TableFamily = "ip" | "ip6" | "inet";

export type Semantics = "first-match" | "block-wins" | "allow-union";

export interface Origin {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  /**
   * The rule as written (one line, trimmed). A verdict map of several elements is read as one rule
   * per element, each with its element after the line in brackets (`… vmap { … } [established :
   * accept]`), so that findings about one element name it.
   */
  text: string;
}

/** NAT rewrite target: a set of addresses and/or ports the kernel picks one from. */
export interface NatTarget {
  addresses?: IntervalSet;
  ports?: IntervalSet;
}

export type Action =
  | { kind: "accept" }
  | { kind: "drop" }
  | { kind: "reject"; with?: string }
  | { kind: "jump"; chain: string }
  | { kind: "goto"; chain: string }
  | { kind: "return" }
  /** Observes only (log, counter, comment-only, mark…): evaluation continues with the next rule. */
  | { kind: "continue"; effect: string }
  | { kind: "dnat"; to: NatTarget }
  | { kind: "snat"; to: NatTarget }
  /** SNAT to the outgoing interface's address (unknown statically: approximated as no rewrite). */
  | { kind: "masquerade" }
  /** Terminal verdict in a nat/filter chain that accepts without rewriting (nat `accept`). */
  | { kind: "redirect"; ports?: IntervalSet };

export type ActionKind = Action["kind"];

/**
 * A construct the reader could not express exactly. `match` of the rule over-approximates it:
 * the packets the rule truly matches are among those its `match` holds, so only packets that
 * reach the rule and meet its `match` can be treated otherwise than the engine says. The engine
 * marks every verdict, exposure and dead-rule finding that such packets take part in uncertain.
 */
export interface Approximation {
  construct: string;
  reason: string;
  origin: Origin;
  /**
   * What the construct leaves unknown: `match` (which packets the rule matches; a rule that only
   * observes then still changes no verdict) or `action` (what the rule does with the packets it
   * matches: a target or verdict not modelled). Unset: either (taken as `action`, the safe side).
   */
  affects?: "match" | "action";
  /**
   * Set when what the construct leaves unknown is only which addresses are the firewall's own
   * (iptables `-m addrtype --dst-type LOCAL`): an audit that knows them (a host firewall: the host
   * endpoint's addresses) makes the rule exact with these terms (audit/host-addresses.ts).
   */
  hostAddresses?: HostAddressTerm[];
  /**
   * Set when the construct matches only packets the packet space does not hold: an IPv6 routing
   * header (ip6tables `-m rt`) or a second or further fragment (iptables `-f`), which the packets of
   * flows, replies, neighbour discovery and exposure never are. The rule is read as matching none of them — exact for every packet the
   * audit judges — and is listed as not modelled, never as a dead rule (it matches other packets).
   */
  outsideModel?: true;
  /**
   * Set when the construct tests whether the packet's connection was destination-NATed (nft `ct
   * status dnat`, negated `ct status != dnat`): a path that knows the NAT its packets took decides
   * it (audit/hooks.ts, `natKnown`); elsewhere it stays an approximation.
   */
  dnatStatus?: { negate: boolean };
  /**
   * Set when the construct is a reverse-path check (nft `fib saddr [. mark] [. iif] oif missing`,
   * negated `!= missing`): whether the packet's source has a route back — through the interface it
   * came in on (`strict`, the `iif` flag) or through any. A host topology that names its interfaces
   * says the routes (audit/reverse-path.ts); elsewhere it stays an approximation.
   */
  reversePath?: {
    strict: boolean;
    negate: boolean;
    /** The host's own addresses count as routed back (xt_rpfilter `--accept-local`). */
    acceptLocal?: boolean;
    /** iptables' `-m rpfilter` (xt_rpfilter), whose IPv6 match passes every packet from `::`; unset: nft's `fib`. */
    xt?: boolean;
  };
  /**
   * Set when the reading is approximate for only some of the packets the rule's `match` holds:
   * those packets (a TCP flags test is exact for the states whose packets all carry, or all lack,
   * the flags, and kept whole for the others). Only on dimensions no NAT rewrites (connection
   * state): the walk meets it with packets in their original coordinates. Unset: all of them.
   */
  where?: Space;
}

/**
 * "The address at `dim` is one of the firewall's own" (negated: is not), or one of `also`: the
 * rule's `match` holds every address it can be; bound, the match keeps those of
 * ((own ∪ always) − never) ∪ also (or the complement, negated).
 */
export interface HostAddressTerm {
  dim: "src" | "dst";
  negate: boolean;
  /** Own on every host (loopback). */
  always: IntervalSet;
  /** Never one of a host's own (multicast, broadcast). */
  never: IntervalSet;
  /** Other types of the same term the address alone decides (MULTICAST). */
  also: IntervalSet;
}

export interface Rule {
  /** Stable id within the ruleset (`<family> <table>/<chain>#<index>`), for findings. */
  id: string;
  table: string;
  chain: string;
  match: Space;
  action: Action;
  origin: Origin;
  approximations: Approximation[];
  /**
   * Set on rules a reader adds for behaviour the device has without a configured line (a stateful
   * device's reply pass, an ASA access-list's implicit deny, security-level defaults): why it
   * exists. Findings name them (origin points at what causes them) but never call them dead.
   */
  implicit?: string;
}

export type ChainType = "filter" | "nat" | "route";

export interface BaseChainSpec {
  hook: Hook;
  /** Lower runs first (nft priorities; iptables: raw -300, mangle -150, dnat -100, filter 0, snat 100). */
  priority: number;
  type: ChainType;
  policy: "accept" | "drop";
}

export interface Chain {
  name: string;
  /** Present for base chains (attached to a hook); absent for user chains (jump/goto targets). */
  base?: BaseChainSpec;
  rules: Rule[];
  origin: Origin;
}

export interface Table {
  family: TableFamily;
  name: string;
  chains: Chain[];
}

export interface Ruleset {
  /** Reader format name (registry key), e.g. `nftables-json`, `iptables-save`. */
  format: string;
  /** The file it was read from (as given). */
  source: string;
  semantics: Semantics;
  stateful: boolean;
  tables: Table[];
}

/**
 * The table's first chain of that name (as `chains.find` gives it), by an index kept in step with
 * `table.chains`. Readers only append chains (push) or replace the array (a reader's -X); both are
 * followed. A hit is checked against its position (a list changed in place is then indexed again);
 * a chain put in place of another, not appended, after a lookup is not seen. A search of the list
 * per lookup was quadratic in readers and walks: 100k rules in 2,500 chains.
 */
export function findChain(table: Table, name: string): Chain | undefined {
  let ix = CHAIN_INDEX.get(table);
  if (ix === undefined || ix.chains !== table.chains || ix.seen > table.chains.length)
    ix = indexChains(table);
  for (; ix.seen < table.chains.length; ix.seen++) {
    const c = table.chains[ix.seen]!;
    if (!ix.byName.has(c.name)) ix.byName.set(c.name, ix.seen);
  }
  const at = ix.byName.get(name);
  if (at === undefined) return undefined;
  const c = table.chains[at]!;
  if (c.name === name) return c;
  return indexChains(table) && findChain(table, name);
}

function indexChains(table: Table): ChainIndex {
  const ix: ChainIndex = { chains: table.chains, seen: 0, byName: new Map() };
  CHAIN_INDEX.set(table, ix);
  return ix;
}

interface ChainIndex {
  chains: readonly Chain[];
  /** How many of `chains` are indexed. */
  seen: number;
  /** Position of the first chain of each name. */
  byName: Map<string, number>;
}

const CHAIN_INDEX = new WeakMap<Table, ChainIndex>();

/**
 * Whether the rule's approximations can change a packet's verdict: any approximation on a rule
 * that decides, jumps or rewrites; on a rule that only observes, one that may hide a verdict.
 */
export function approximationDecides(rule: Rule): boolean {
  if (rule.approximations.length === 0) return false;
  return rule.action.kind !== "continue" || rule.approximations.some((a) => a.affects !== "match");
}

/**
 * approximationDecides once the rule's `dnatStatus` terms are known (a path that knows whether its
 * packets' connections were destination-NATed decides them: audit/hooks.ts).
 */
export function approximationDecidesKnowingNat(rule: Rule): boolean {
  if (rule.approximations.length === 0) return false;
  let left = false;
  let decides = false;
  for (const a of rule.approximations) {
    if (a.dnatStatus) continue;
    left = true;
    if (a.affects !== "match") decides = true;
  }
  return left && (rule.action.kind !== "continue" || decides);
}

/**
 * The packets of `hit` (packets that reached `rule` and met its match) whose verdict the rule's
 * approximations may change: none when they cannot decide (approximationDecides, or
 * approximationDecidesKnowingNat with `knowingNat`), else those in the `where` of an approximation
 * that can (all of `hit` when one of them has none). Only these make a finding uncertain: packets
 * for which the reading is exact are decided as certainly as by any other rule.
 */
export function approximatedPart(rule: Rule, hit: Space, knowingNat: boolean): Space {
  if (!(knowingNat ? approximationDecidesKnowingNat(rule) : approximationDecides(rule))) return Space.EMPTY;
  const observes = rule.action.kind === "continue";
  let where: Space | undefined;
  for (const a of rule.approximations) {
    if (knowingNat && a.dnatStatus) continue;
    // An observing rule's match approximations change no verdict (approximationDecides).
    if (observes && a.affects === "match") continue;
    if (a.where === undefined) return hit;
    where = where === undefined ? a.where : where.union(a.where);
  }
  return where === undefined ? Space.EMPTY : hit.intersect(where);
}

/** Terminal for a packet in a chain walk (the packet leaves the current rule list). */
export function isTerminal(a: Action): boolean {
  return a.kind !== "continue" && a.kind !== "jump";
}
