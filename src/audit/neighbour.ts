/**
 * IPv6 speaks only after neighbour discovery: a node sends a neighbour solicitation for the link
 * address of the next hop (the peer, or its router) and hears the advertisement back, and answers
 * the solicitations of others for its own addresses (RFC 4861 §7.2; RFC 4890 §4.4.1 lists them
 * among the messages a firewall must not drop). Linux's conntrack leaves these packets untracked
 * (`ct state untracked`: an `established,related` accept does not take them, `invalid` does not
 * drop them), and a netfilter input or output chain whose policy drops them cuts every IPv6
 * connection on that link, whatever the rules for the flow's own ports say — measured in the lab
 * (test/lab/lab.test.ts). This module names the packets; audit.ts runs them through the rules.
 */
import { ALL_V6, parseAddress } from "../space/address.js";
import { ctSet } from "../space/box.js";
import { IntervalSet } from "../space/interval-set.js";
import { NameSet } from "../space/name-set.js";
import { PROTO } from "../space/port.js";
import { Space } from "../space/space.js";

function v6(text: string): IntervalSet {
  const r = parseAddress(text);
  if (!r.ok) throw new Error(`bad built-in address ${text}`);
  return r.set;
}

/**
 * The address sets below, made on first use: an audit without IPv6 flows (and every other command)
 * never parses them.
 */
interface Addresses {
  linkLocal: IntervalSet;
  /**
   * The addresses a neighbour's discovery can come from and the host's can go to: link-local,
   * global unicast (2000::/3) and unique local (fc00::/7) — never the loopback, the unspecified
   * address (another node's duplicate address detection: dropping it cuts no connection of the
   * host's), a multicast source, or the IPv4-mapped and other reserved ranges a ruleset drops as
   * martians.
   */
  onLink: IntervalSet;
  /** All nodes (unsolicited advertisements) and the solicited-node groups (solicitations). */
  multicast: IntervalSet;
}

let addresses: Addresses | undefined;

function known(): Addresses {
  if (addresses) return addresses;
  const linkLocal = v6("fe80::/10");
  addresses = {
    linkLocal,
    onLink: linkLocal.union(v6("2000::/3")).union(v6("fc00::/7")),
    multicast: v6("ff02::1").union(v6("ff02::1:ff00:0/104")),
  };
  return addresses;
}

const NO_IF = NameSet.of("");

/** ICMPv6 types on the dport axis (type·256 + code; neighbour discovery's code is 0). */
export const ND_TYPES = [
  { type: 135, name: "neighbour solicitation" },
  { type: 136, name: "neighbour advertisement" },
] as const;

const typeSet = (t: number): IntervalSet => IntervalSet.of(t * 256);

/**
 * The neighbour discovery a node must receive (`in`) and send (`out`) on interfaces `nics` to
 * speak IPv6 there. `own`: its IPv6 addresses (a host firewall's host); undefined when the
 * topology does not know them (a perimeter firewall's own), then any. Its link-local addresses are
 * never in a topology: all of fe80::/10.
 */
export function neighbourDiscovery(own: IntervalSet | undefined, nics: NameSet): { in: Space; out: Space } {
  const { linkLocal, onLink, multicast } = known();
  const mine = own === undefined ? onLink : own.intersect(ALL_V6).union(linkLocal);
  const base = {
    proto: IntervalSet.of(PROTO.ipv6icmp),
    dport: typeSet(135).union(typeSet(136)),
    ct: ctSet(["untracked"]),
  };
  return {
    // A neighbour never sends from the host's own address (only in a duplicate-address conflict).
    in: Space.box({
      ...base,
      src: own === undefined ? onLink : onLink.subtract(own),
      dst: mine.union(multicast),
      iif: nics,
      oif: NO_IF,
    }),
    out: Space.box({ ...base, src: mine, dst: onLink.union(multicast), iif: NO_IF, oif: nics }),
  };
}

/**
 * The parts of `needed` that must each pass for IPv6 to work on an interface: one message type,
 * one direction, one interface (`nics` listed; a cofinite set — any interface but loopback — is
 * one part, as the host's real interfaces are not known).
 */
export function essentialParts(needed: Space, nics: NameSet, axis: "iif" | "oif"): Space[] {
  const names = nics.cofinite ? [nics] : nics.names.map((n) => NameSet.of(n));
  const parts: Space[] = [];
  for (const { type } of ND_TYPES)
    for (const n of names) {
      const part = needed.restrict({ dport: typeSet(type), [axis]: n });
      if (!part.isEmpty()) parts.push(part);
    }
  return parts;
}
