/**
 * Values of nft expressions as nft itself accepts them: addresses (a prefix with host bits is
 * masked, as nft does), ports and port service names (netbase's /etc/services, see
 * netbase-names.ts), protocol names (/etc/protocols), ICMP and ICMPv6 type names and the reject
 * code names. The name lists are nft's own (src/proto.c `icmp_type_type`, `icmp6_type_type`;
 * src/datatype.c `icmp_code_type`, `icmpv6_code_type`, `icmpx_code_type`). Pure.
 */
import { familyOf, parseAddress, V6_BASE } from "../space/address.js";
import { IntervalSet } from "../space/interval-set.js";
import { ICMP_TYPES, ICMPV6_TYPES } from "./icmp-names.js";
import { PROTOCOLS, SERVICES } from "./netbase-names.js";
import { parseAddresses, parsePortList, parseProto } from "./terms.js";
import { lookupTable } from "./lookup.js";

/** `reject with icmp|icmpv6|icmpx [type] CODE`: the code names nft accepts for each. */
export const REJECT_CODES: Readonly<Record<"icmp" | "icmpv6" | "icmpx", readonly string[]>> = {
  icmp: [
    "net-unreachable",
    "host-unreachable",
    "prot-unreachable",
    "port-unreachable",
    "net-prohibited",
    "host-prohibited",
    "admin-prohibited",
    "frag-needed",
  ],
  icmpv6: [
    "no-route",
    "admin-prohibited",
    "addr-unreachable",
    "port-unreachable",
    "policy-fail",
    "reject-route",
  ],
  icmpx: ["port-unreachable", "admin-prohibited", "no-route", "host-unreachable"],
};

/** An address, `a-b` range or prefix; host bits of a prefix are cleared, as nft does. */
export function nftAddress(item: string): IntervalSet | undefined {
  const a = parseAddresses(item);
  if (a.ok) return a.set;
  const m = /^([^/]+)\/(\d{1,3})$/.exec(item);
  if (!m) return undefined;
  const base = parseAddress(m[1]!);
  const lo = base.ok ? base.set.intervals[0]?.[0] : undefined;
  if (lo === undefined) return undefined;
  const fam = familyOf(lo);
  const len = Number(m[2]);
  if (len > (fam === 4 ? 32 : 128)) return undefined;
  const span = 1n << BigInt((fam === 4 ? 32 : 128) - len);
  const start = lo - ((lo - (fam === 4 ? 0n : V6_BASE)) % span);
  return IntervalSet.of(start, start + span - 1n);
}

/** A port, range or service name (`ssh`, `http-https` is not nft syntax: names are single). */
export function nftPort(item: string): IntervalSet | undefined {
  const r = parsePortList(item);
  if (r.ok) return r.set;
  const service = SERVICES[item];
  if (service !== undefined) return IntervalSet.of(service);
  const named = /^([^-]+)(?:-([^-]+))?$/.exec(item);
  if (!named) return undefined;
  const lo = portOf(named[1]!);
  const hi = named[2] === undefined ? lo : portOf(named[2]);
  return lo === undefined || hi === undefined || hi < lo ? undefined : IntervalSet.of(lo, hi);
}

function portOf(s: string): number | undefined {
  if (/^\d{1,5}$/.test(s)) return Number(s) <= 65535 ? Number(s) : undefined;
  return SERVICES[s];
}

export function nftProto(item: string): IntervalSet | undefined {
  const range = /^(\d{1,3})-(\d{1,3})$/.exec(item);
  if (range && Number(range[1]) <= Number(range[2]) && Number(range[2]) <= 255)
    return IntervalSet.of(Number(range[1]), Number(range[2]));
  const n = PROTOCOLS[item.toLowerCase()];
  return n !== undefined ? IntervalSet.of(n) : parseProto(item);
}

/** ICMP type (all its codes) on the dport axis (type*256+code, space/box.ts). */
export function nftIcmpType(item: string, v6: boolean): IntervalSet | undefined {
  const named = (v6 ? ICMPV6_TYPES : ICMP_TYPES)[item];
  const type = named ?? (/^\d{1,3}$/.test(item) ? Number(item) : undefined);
  if (type === undefined || type > 255) return undefined;
  return IntervalSet.of(type * 256, type * 256 + 255);
}

/** nft's ICMP and ICMPv6 code names (src/datatype.c `icmp_code_tbl`, `icmpv6_code_tbl`; RFC 792, RFC 4443 §3.1). */
const ICMP_CODES: Readonly<Record<string, number>> = lookupTable({
  "net-unreachable": 0,
  "host-unreachable": 1,
  "prot-unreachable": 2,
  "port-unreachable": 3,
  "frag-needed": 4,
  "net-prohibited": 9,
  "host-prohibited": 10,
  "admin-prohibited": 13,
});
const ICMPV6_CODES: Readonly<Record<string, number>> = lookupTable({
  "no-route": 0,
  "admin-prohibited": 1,
  "addr-unreachable": 3,
  "port-unreachable": 4,
  "policy-fail": 5,
  "reject-route": 6,
});

/**
 * ICMP code (of any type) on the dport axis: the code byte of every type, 256 intervals. With
 * `icmp type` in the same rule or concatenation (`icmpv6 type . icmpv6 code { 2 . 0 }`, fw4) the
 * intersection is the type's own code.
 */
export function nftIcmpCode(item: string, v6: boolean): IntervalSet | undefined {
  const code = (c: string): number | undefined =>
    (v6 ? ICMPV6_CODES : ICMP_CODES)[c] ?? (/^\d{1,3}$/.test(c) && Number(c) <= 255 ? Number(c) : undefined);
  // A range `lo-hi` of numbers or names, which have dashes themselves (`no-route-addr-unreachable`).
  const splits = [...item.matchAll(/-/g)].map((d) => [item.slice(0, d.index), item.slice(d.index + 1)]);
  const [lo, hi] = [[item, item], ...splits]
    .map(([a, b]) => [code(a!), code(b!)])
    .find(([a, b]) => a !== undefined && b !== undefined) ?? [undefined, undefined];
  if (lo === undefined || hi === undefined || hi < lo) return undefined;
  return IntervalSet.from(Array.from({ length: 256 }, (_, t) => [t * 256 + lo, t * 256 + hi] as const));
}
