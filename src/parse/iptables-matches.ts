/**
 * iptables match modules the packet space has no dimension for, as generators write them (Docker,
 * kube-proxy, ufw, fail2ban, firewalld, OpenWrt fw3, Tailscale): each module instance on a rule is
 * one approximation naming the module, its options and why (iptables-extensions(8)), so a rule
 * with `-m limit --limit 3/min --limit-burst 10` reports one construct, not two. `-m addrtype` is
 * read as far as the address alone decides it (address-types.ts, shared with nft's `fib … type`).
 */
import type { MatchBuilder } from "../ir/match.js";
import type { Origin } from "../ir/ruleset.js";
import { lookupTable } from "./lookup.js";
export {
  addrTypeReason,
  addrTypeSet,
  hostAddressTerm,
  parseAddrTypes,
  type AddrType,
} from "./address-types.js";

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
