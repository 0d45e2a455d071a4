/**
 * IPv6 extension header matches (ip6tables `-m frag|hbh|dst|rt`, nft `exthdr NAME exists` and
 * header fields), shared by both readers. The packet space has no extension headers: a packet it
 * holds is taken to carry none — true of every packet a flow or the exposure judges but one kind:
 * MLD messages (ICMPv6 130–132, 143) are always sent with a Hop-by-Hop Options header holding the
 * Router Alert option (RFC 2710 §3, RFC 3810 §5). So a match that needs a routing, fragment or
 * destination options header matches none of the packets judged (`outsideModel`), and one that
 * needs a hop-by-hop header matches MLD messages at most, approximately. Pure.
 */
import type { MatchBuilder } from "../ir/match.js";
import { IntervalSet } from "../space/interval-set.js";
import { icmpTypes } from "../space/icmp.js";
import { Space } from "../space/space.js";
import { ALL_V6 } from "../space/address.js";

/** MLD queries, reports and done (130–132) and MLDv2 reports (143), on the dport axis (made on first use). */
let mldTypes: IntervalSet | undefined;
const MLD_TYPES = (): IntervalSet => (mldTypes ??= icmpTypes(130, 132).union(icmpTypes(143)));

let mld: Space | undefined;
/**
 * Every MLD message: the only packets judged that carry an extension header (hop-by-hop); also
 * where `exthdr hbh missing` is not known (MLD carries one, but may be sent without).
 */
export function mldMessages(): Space {
  return (mld ??= Space.box({ src: ALL_V6, dst: ALL_V6, proto: IntervalSet.of(58), dport: MLD_TYPES() }));
}

/** Narrows a match that needs header `kind` to what it can match of the packets judged. */
export function needsHeader(mb: MatchBuilder, kind: "hbh" | "other"): void {
  if (kind === "other") return void mb.narrow("proto", IntervalSet.EMPTY);
  mb.family(6).narrow("proto", IntervalSet.of(58)).narrow("dport", MLD_TYPES());
}

const FRAGMENTS =
  " (with conntrack loaded the kernel reassembles fragments, removing the header, before any filter hook)";

/** Why a match needing `header` (named) is read as it is. */
export function headerReason(header: string, hopByHop: boolean, fragment = false): string {
  return hopByHop
    ? `matches only packets with ${header}: of the packets the audit judges only MLD messages carry one (the Router Alert option, RFC 3810 §5), so it is read as matching those, approximately, and none of the others`
    : `matches only packets with ${header}, which the packets the audit judges do not carry${fragment ? FRAGMENTS : ""}: read as matching none of them`;
}
