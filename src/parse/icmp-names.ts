/**
 * ICMP (RFC 792 and successors) and ICMPv6 (RFC 4443 §2.1, RFC 4861, RFC 3810) type names as nft
 * spells them (nftables src/proto.c `icmp_type_type`, `icmp6_type_type`), shared by the readers.
 */
import { lookupTable } from "./lookup.js";

export const ICMP_TYPES: Readonly<Record<string, number>> = lookupTable({
  "echo-reply": 0,
  "destination-unreachable": 3,
  "source-quench": 4,
  redirect: 5,
  "echo-request": 8,
  "router-advertisement": 9,
  "router-solicitation": 10,
  "time-exceeded": 11,
  "parameter-problem": 12,
  "timestamp-request": 13,
  "timestamp-reply": 14,
  "info-request": 15,
  "info-reply": 16,
  "address-mask-request": 17,
  "address-mask-reply": 18,
});

export const ICMPV6_TYPES: Readonly<Record<string, number>> = lookupTable({
  "destination-unreachable": 1,
  "packet-too-big": 2,
  "time-exceeded": 3,
  "parameter-problem": 4,
  "echo-request": 128,
  "echo-reply": 129,
  "mld-listener-query": 130,
  "mld-listener-report": 131,
  "mld-listener-done": 132,
  "mld-listener-reduction": 132,
  "nd-router-solicit": 133,
  "nd-router-advert": 134,
  "nd-neighbor-solicit": 135,
  "nd-neighbor-advert": 136,
  "nd-redirect": 137,
  "router-renumbering": 138,
  "ind-neighbor-solicit": 141,
  "ind-neighbor-advert": 142,
  "mld2-listener-report": 143,
});
