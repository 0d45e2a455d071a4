/**
 * ICMP and ICMPv6 type names as nft spells them (src/space/icmp.ts), as keyword tables the readers
 * index with words from the file.
 */
import { ICMP_TYPE_ENTRIES, ICMPV6_TYPE_ENTRIES } from "../space/icmp.js";
import { lookupTable } from "./lookup.js";

export const ICMP_TYPES: Readonly<Record<string, number>> = lookupTable(ICMP_TYPE_ENTRIES);

export const ICMPV6_TYPES: Readonly<Record<string, number>> = lookupTable(ICMPV6_TYPE_ENTRIES);
