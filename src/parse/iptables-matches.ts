/**
 * iptables match modules the packet space has no dimension for, as generators write them (Docker,
 * kube-proxy, ufw, fail2ban, firewalld, OpenWrt fw3, Tailscale): each module instance on a rule is
 * one approximation naming the module, its options and why (iptables-extensions(8)), so a rule
 * with `-m limit --limit 3/min --limit-burst 10` reports one construct, not two. `-m addrtype` is
 * read as far as the address alone decides it (xt_addrtype.c, and inet_addr_type() in
 * net/ipv4/fib_frontend.c: 0.0.0.0/8 and 255.255.255.255 are BROADCAST and 224.0.0.0/4 MULTICAST
 * on every host; ipv6_addr_type(): ff00::/8 MULTICAST); which addresses are the host's own
 * (LOCAL) or a subnet's broadcast is the host's configuration, not the file's.
 */
import type { MatchBuilder } from "../ir/match.js";
import type { HostAddressTerm, Origin } from "../ir/ruleset.js";
import { ALL_ADDRESSES, parseAddress } from "../space/address.js";
import { IntervalSet } from "../space/interval-set.js";
import { lookupTable } from "./lookup.js";

/** Why a module's match cannot be exact: what decides it that the file does not hold. */
const MODULE_REASONS: Record<string, string> = lookupTable({
  limit: "a rate limit: which packets exceed it depends on the traffic at run time; matched as every packet",
  hashlimit:
    "a per-address rate limit: which packets exceed it depends on the traffic at run time; matched as every packet",
  recent:
    "an address list filled at run time (--set/--update on this or other rules); matched as every packet",
  connlimit: "a limit on open connections, counted at run time; matched as every packet",
  mark: "the packet mark is set at run time (MARK/CONNMARK targets, routing daemons, other programs); matched as every mark",
  connmark:
    "the connection mark is set at run time (CONNMARK targets, other programs); matched as every mark",
  statistic: "every n-th or a random share of packets (--mode nth/random); matched as every packet",
  owner:
    "the socket owner (uid, gid, pid) of local packets is not in the packet space; matched as every owner",
  physdev: "bridge ports are not in the packet space; matched as every bridge port",
  time: "the time of day and date; matched at every time",
  quota: "a byte quota counted at run time; matched as every packet",
  connbytes: "bytes or packets of a connection so far, counted at run time; matched as every packet",
  length: "packet lengths are not in the packet space; matched as every length",
  string: "packet payloads are not in the packet space; matched as every payload",
  u32: "header bits are not in the packet space; matched as every packet",
  pkttype: "link-layer packet types are not in the packet space; matched as every type",
  mac: "MAC addresses are not in the packet space; matched as every address",
  policy: "IPsec policies are not in the packet space; matched as every packet",
  helper: "conntrack helpers are assigned at run time; matched as every packet",
  socket: "open sockets are run-time state; matched as every packet",
  rpfilter: "reverse-path lookups depend on the host's routes; matched as every packet",
  ttl: "TTL values are not in the packet space; matched as every TTL",
  hl: "hop limits are not in the packet space; matched as every hop limit",
  tos: "TOS bits are not in the packet space; matched as every value",
  dscp: "DSCP values are not in the packet space; matched as every value",
  ecn: "ECN bits are not in the packet space; matched as every value",
  rt: "IPv6 routing headers are not in the packet space; matched as every packet",
  frag: "IPv6 fragment headers are not in the packet space; matched as every packet",
  hbh: "IPv6 hop-by-hop options are not in the packet space; matched as every packet",
  dst: "IPv6 destination options are not in the packet space; matched as every packet",
  ipv6header: "IPv6 extension headers are not in the packet space; matched as every packet",
});

export const UNMODELLED_OPTION =
  "match option not modelled; the rule is treated as matching regardless of it";

/** Why `module`'s options are approximated. */
export function moduleReason(module: string | undefined): string {
  return (module !== undefined && MODULE_REASONS[module]) || UNMODELLED_OPTION;
}

/**
 * Adds `text` (an option and its arguments) to the approximation of the module instance that is
 * open on this rule, or opens one for `module` (`-m NAME` then its options: one construct).
 * Returns the index of that approximation for the next option of the same instance.
 */
export function moduleApproximation(
  mb: MatchBuilder,
  open: number | undefined,
  module: string | undefined,
  text: string,
  origin: Origin,
): number {
  const last = open === undefined ? undefined : mb.approximations[open];
  if (last) {
    mb.approximations[open!] = { ...last, construct: `${last.construct} ${text}` };
    return open!;
  }
  const construct = module === undefined ? text : `-m ${module} ${text}`;
  mb.approximate(construct, moduleReason(module), origin, "match");
  return mb.approximations.length - 1;
}

const ADDRTYPES = [
  "UNSPEC",
  "UNICAST",
  "LOCAL",
  "BROADCAST",
  "ANYCAST",
  "MULTICAST",
  "BLACKHOLE",
  "UNREACHABLE",
  "PROHIBIT",
  "THROW",
  "NAT",
  "XRESOLVE",
] as const;

function cidrs(...texts: string[]): IntervalSet {
  return texts.reduce((acc, t) => {
    const a = parseAddress(t);
    if (!a.ok) throw new Error(`bad built-in address ${t}`);
    return acc.union(a.set);
  }, IntervalSet.EMPTY);
}

/** Multicast on every host: 224.0.0.0/4 (RFC 5771), ff00::/8 (RFC 4291 §2.7). */
const MULTICAST = cidrs("224.0.0.0/4", "ff00::/8");
/** Broadcast on every host (inet_addr_type: ipv4_is_zeronet, ipv4_is_lbcast); IPv6 has none. */
const BROADCAST = cidrs("0.0.0.0/8", "255.255.255.255/32");
/** Local on every host whose loopback is up (the kernel's `local 127.0.0.0/8 dev lo`, ::1). */
const LOOPBACK = cidrs("127.0.0.0/8", "::1/128");
/** What the address alone leaves open: a host's own, a subnet's broadcast, or any other unicast. */
const OTHER = ALL_ADDRESSES.subtract(MULTICAST).subtract(BROADCAST);

export interface AddrType {
  types: string[];
  neg: boolean;
}

export type AddrTypeParse = { ok: true; value: AddrType } | { ok: false; message: string; expected: string };

export function parseAddrTypes(text: string, neg: boolean): AddrTypeParse {
  const types = text.split(",").map((t) => t.toUpperCase());
  const bad = types.find((t) => !(ADDRTYPES as readonly string[]).includes(t));
  if (bad !== undefined)
    return { ok: false, message: `unknown address type ${bad}`, expected: ADDRTYPES.join(", ") };
  return { ok: true, value: { types, neg } };
}

/**
 * The term as the host's own addresses decide it (audit/host-addresses.ts), when only LOCAL is
 * left open: LOCAL with or without MULTICAST, not limited to an interface (`--limit-iface-*`
 * makes it the addresses of one interface, which no topology says).
 */
export function hostAddressTerm(
  dim: "src" | "dst",
  t: AddrType,
  limitIface: boolean,
): HostAddressTerm | undefined {
  if (limitIface || !t.types.includes("LOCAL")) return undefined;
  if (!t.types.every((x) => x === "LOCAL" || x === "MULTICAST")) return undefined;
  return {
    dim,
    negate: t.neg,
    always: LOOPBACK,
    never: MULTICAST.union(BROADCAST),
    also: t.types.includes("MULTICAST") ? MULTICAST : IntervalSet.EMPTY,
  };
}

/**
 * The addresses an addrtype match can hold, and whether that is exact: MULTICAST alone is; any
 * other type depends on the host's own addresses and subnets, so the set is the widest the address
 * alone allows (a negation leaves out only what is certainly of a type: with `--limit-iface-*`
 * loopback addresses are local to `lo` only, so nothing is certainly LOCAL).
 */
export function addrTypeSet(t: AddrType, limitIface: boolean): { set: IntervalSet; exact: boolean } {
  const exact = t.types.every((x) => x === "MULTICAST");
  if (t.neg) {
    let certain = IntervalSet.EMPTY;
    for (const x of t.types) {
      if (x === "MULTICAST") certain = certain.union(MULTICAST);
      if (x === "BROADCAST") certain = certain.union(BROADCAST);
      if (x === "LOCAL" && !limitIface) certain = certain.union(LOOPBACK);
    }
    return { set: ALL_ADDRESSES.subtract(certain), exact };
  }
  let set = IntervalSet.EMPTY;
  for (const x of t.types) {
    if (x === "MULTICAST") set = set.union(MULTICAST);
    else if (x === "BROADCAST") set = set.union(BROADCAST).union(OTHER);
    else if (x === "LOCAL" || x === "UNICAST") set = set.union(OTHER);
    else set = ALL_ADDRESSES;
  }
  return { set, exact };
}
