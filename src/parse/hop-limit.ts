/**
 * A hop limit of 255 (RFC 4890's guard on neighbour discovery rules: nft's `ip6 hoplimit 255`,
 * ip6tables' `-m hl --hl-eq 255`). Hop limits are not in the packet space, but every neighbour
 * discovery packet a node accepts has 255 (RFC 4861 §7.1: the stack discards the others), so for
 * those the test is exact — it matches them all; for every other packet it stays an approximation
 * (matched as read), `where` below.
 */
import { IntervalSet } from "../space/interval-set.js";
import { icmpTypes } from "../space/icmp.js";
import { Space } from "../space/space.js";

/** ICMPv6 neighbour discovery (router/neighbour solicitation and advertisement, redirect) on the dport axis. */
const NEIGHBOUR_DISCOVERY = Space.box({
  proto: IntervalSet.of(58),
  dport: icmpTypes(133, 137),
});

/** Every packet but neighbour discovery: where a hop-limit-255 test is not known. */
export const NOT_NEIGHBOUR_DISCOVERY = Space.UNIVERSE.subtract(NEIGHBOUR_DISCOVERY);

export const HOP_LIMIT_255_REASON =
  "hop limit not in the packet space: exact for neighbour discovery (always 255: RFC 4861 §7.1), matched as every other packet";
