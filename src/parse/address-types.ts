/**
 * Address types as the kernel's route lookup gives them (iptables `-m addrtype`, nft `fib … type`):
 * what the address alone decides on every host, and the term a host firewall's own addresses
 * decide (audit/host-addresses.ts). From xt_addrtype.c and inet_addr_type() in
 * net/ipv4/fib_frontend.c: 0.0.0.0 and 255.255.255.255 are BROADCAST and 224.0.0.0/4 MULTICAST on
 * every host; ipv6_addr_type(): ff00::/8 MULTICAST. The rest of 0.0.0.0/8 was BROADCAST too until
 * Linux 5.3, whose ipv4_is_zeronet() became `addr == 0` ("Allow 0.0.0.0/8 as a valid address
 * range"): unicast since, and local where assigned — which kernel runs a ruleset the file does not
 * say, so those addresses are left open like the host's own (measured on 6.1: `fib daddr type !=
 * { local, broadcast, multicast }` matches a packet to 0.0.0.1). Which addresses are the host's own
 * (LOCAL) or a subnet's broadcast is the host's configuration, not the file's. Pure.
 */
import type { HostAddressTerm } from "../ir/ruleset.js";
import { ALL_ADDRESSES, parseAddress } from "../space/address.js";
import { IntervalSet } from "../space/interval-set.js";

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

/**
 * The address sets every host agrees on, made on first use: an nftables audit loads this module
 * with its reader, and most rulesets name no address type (start-up, issue 21).
 */
let known:
  { MULTICAST: IntervalSet; BROADCAST: IntervalSet; LOOPBACK: IntervalSet; OTHER: IntervalSet } | undefined;
function sets(): NonNullable<typeof known> {
  if (known) return known;
  /** Multicast on every host: 224.0.0.0/4 (RFC 5771), ff00::/8 (RFC 4291 §2.7). */
  const MULTICAST = cidrs("224.0.0.0/4", "ff00::/8");
  /**
   * Broadcast on every host and kernel (inet_addr_type: ipv4_is_zeronet — 0.0.0.0/8 before Linux
   * 5.3, 0.0.0.0 since — and ipv4_is_lbcast); IPv6 has none.
   */
  const BROADCAST = cidrs("0.0.0.0/32", "255.255.255.255/32");
  /** Local on every host whose loopback is up (the kernel's `local 127.0.0.0/8 dev lo`, ::1). */
  const LOOPBACK = cidrs("127.0.0.0/8", "::1/128");
  /** What the address alone leaves open: a host's own, a subnet's broadcast, or any other unicast. */
  const OTHER = ALL_ADDRESSES.subtract(MULTICAST).subtract(BROADCAST);
  return (known = { MULTICAST, BROADCAST, LOOPBACK, OTHER });
}

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
  const { MULTICAST, BROADCAST, LOOPBACK } = sets();
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
  const { MULTICAST, BROADCAST, LOOPBACK, OTHER } = sets();
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

/**
 * Why an address-type test is approximated (iptables' `-m addrtype`, nft's `fib … type`): `bound`
 * when only LOCAL is left open, which a host firewall's audit decides from the topology.
 */
export function addrTypeReason(bound: boolean): string {
  return bound
    ? "which addresses are the host's own (local) is the host's configuration, not the file's: matched as every address that can be local (multicast, 0.0.0.0 and 255.255.255.255 are told apart exactly); a host firewall's audit takes the topology's host addresses and loopback"
    : "which addresses are the host's own (local), a subnet's broadcast or of another route type is the host's configuration, not the file's: matched as every address that can be of these types (multicast, 0.0.0.0 and 255.255.255.255 are told apart exactly)";
}
