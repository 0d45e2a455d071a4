/**
 * ICMP (RFC 792 and successors) and ICMPv6 (RFC 4443 §2.1, RFC 4861, RFC 3810) types. A box holds
 * an ICMP message's type and code in its destination-port dimension as type·256 + code (what the
 * readers write and the compilers read); this module names them as nft spells them (nftables
 * src/proto.c `icmp_type_type`, `icmp6_type_type`) and renders such a set in types and codes.
 */
import { IntervalSet } from "./interval-set.js";

/** ICMP(v6) types `from`..`to` (every code), as the destination-port dimension holds them. */
export function icmpTypes(from: number, to = from): IntervalSet {
  return IntervalSet.of(from * 256, to * 256 + 255);
}

export const ICMP_TYPE_ENTRIES: Readonly<Record<string, number>> = {
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
};

export const ICMPV6_TYPE_ENTRIES: Readonly<Record<string, number>> = {
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
};

/** Type number → its first name in `entries` (nft prints 132 as mld-listener-done). */
function namesOf(entries: Readonly<Record<string, number>>): ReadonlyMap<number, string> {
  const out = new Map<number, string>();
  for (const [name, type] of Object.entries(entries)) if (!out.has(type)) out.set(type, name);
  return out;
}

export const ICMP_NAMES = namesOf(ICMP_TYPE_ENTRIES);
export const ICMPV6_NAMES = namesOf(ICMPV6_TYPE_ENTRIES);

/**
 * A set of type·256 + code values in types and codes, nft's words: whole types by name (or number
 * where the family has no name for it, or numbers for a run of several), part of a type's codes
 * as `TYPE code C` or `TYPE code C1-C2`. `names`: the family's (none when a set mixes families).
 * One item alone, several in braces: `echo-request`, `{0-7, 9-255}`, `{destination-unreachable
 * code 4, echo-request}`.
 */
export function icmpTypesText(set: IntervalSet, names?: ReadonlyMap<number, string>): string {
  const items: string[] = [];
  const type = (t: number): string => names?.get(t) ?? `${t}`;
  for (const [l, h] of set.intervals) {
    let lo = Number(l);
    const hi = Number(h);
    // A partial first type: its codes up to the end of the interval or of the type.
    if (lo % 256 !== 0 || hi < lo - (lo % 256) + 255) {
      const t = Math.floor(lo / 256);
      const last = Math.min(hi, t * 256 + 255);
      const codes = lo === last ? `${lo % 256}` : `${lo % 256}-${last % 256}`;
      items.push(`${type(t)} code ${codes}`);
      lo = last + 1;
    }
    if (lo > hi) continue;
    // Whole types, then a partial last one.
    const whole = Math.floor((hi + 1) / 256) - lo / 256;
    if (whole === 1) items.push(type(lo / 256));
    else if (whole > 1) items.push(`${lo / 256}-${lo / 256 + whole - 1}`);
    const rest = lo + whole * 256;
    if (rest <= hi) {
      const t = rest / 256;
      items.push(`${type(t)} code ${rest === hi ? "0" : `0-${hi % 256}`}`);
    }
  }
  return items.length === 1 ? items[0]! : `{${items.join(", ")}}`;
}
