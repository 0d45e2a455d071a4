/**
 * Terms shared by the readers: tokens with columns, address and port lists, protocol names, ICMP
 * types and NAT targets, each returning the set or what was expected.
 */
import { parseAddress } from "../space/address.js";
import { IntervalSet } from "../space/interval-set.js";
import type { NatTarget } from "../ir/ruleset.js";
import { ICMP_TYPES as ICMP_V4_TYPES } from "./icmp-names.js";
import { lookupTable } from "./lookup.js";

export interface Token {
  text: string;
  /** 0-based column in the line it came from. */
  col: number;
  /** Set on a double-quoted string (its quotes removed from `text`), where a reader tells them apart. */
  quoted?: true;
}

/** Splits on blanks; double-quoted strings are one token (quotes removed). */
export function tokenize(line: string): Token[] {
  const out: Token[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line))
    out.push({ text: m[1] !== undefined ? m[1] : m[2]!, col: m.index });
  return out;
}

export type SetParse = { ok: true; set: IntervalSet } | { ok: false; expected: string };

/** `a`, `a/len`, `a-b`, comma-separated. */
export function parseAddresses(text: string): SetParse {
  let set = IntervalSet.EMPTY;
  for (const part of text.split(",")) {
    const a = parseAddress(part);
    if (!a.ok) return a;
    set = set.union(a.set);
  }
  return { ok: true, set };
}

/** `80`, `50000-59999`, comma-separated; 0-65535. */
export function parsePortList(text: string): SetParse {
  const pairs: Array<[number, number]> = [];
  for (const part of text.split(",")) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part.trim());
    const lo = m ? Number(m[1]) : NaN;
    const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
    if (!m || hi > 65535 || lo > hi)
      return { ok: false, expected: "ports 0-65535 as N, N-M or N:M, comma-separated" };
    pairs.push([lo, hi]);
  }
  return { ok: true, set: IntervalSet.from(pairs) };
}

/** IANA protocol numbers (https://www.iana.org/assignments/protocol-numbers) by /etc/protocols name. */
const PROTOCOLS: Record<string, number> = lookupTable({
  icmp: 1,
  igmp: 2,
  tcp: 6,
  udp: 17,
  gre: 47,
  esp: 50,
  ah: 51,
  "ipv6-icmp": 58,
  icmpv6: 58,
  icmp6: 58,
  sctp: 132,
  udplite: 136,
  dccp: 33,
});

export function parseProto(text: string): IntervalSet | undefined {
  const t = text.toLowerCase();
  if (t === "all" || t === "0") return IntervalSet.of(0, 255);
  if (/^\d{1,3}$/.test(t) && Number(t) <= 255) return IntervalSet.of(Number(t));
  const n = PROTOCOLS[t];
  return n === undefined ? undefined : IntervalSet.of(n);
}

/**
 * ICMP / ICMPv6 type names (RFC 792, RFC 4443 §2.1) → type, on the dport axis as type*256+code
 * (space/box.ts). A type without code covers all its codes.
 */
const ICMP_TYPES: Record<string, number> = lookupTable({
  ...ICMP_V4_TYPES,
  "packet-too-big": 2,
  "nd-router-solicit": 133,
  "nd-router-advert": 134,
  "nd-neighbor-solicit": 135,
  "nd-neighbor-advert": 136,
  "mld-listener-query": 130,
  "echo-request-v6": 128,
  "echo-reply-v6": 129,
});

export function icmpTypeSet(text: string): IntervalSet | undefined {
  if (text === "any") return IntervalSet.of(0, 65535);
  const m = /^(\d{1,3})(?:\/(\d{1,3}))?$/.exec(text);
  const type = m ? Number(m[1]) : ICMP_TYPES[text];
  if (type === undefined || type > 255) return undefined;
  if (m?.[2] !== undefined) return IntervalSet.of(type * 256 + Number(m[2]));
  return IntervalSet.of(type * 256, type * 256 + 255);
}

/** `ADDR`, `ADDR:PORT`, `ADDR:P1-P2`, `[V6]:PORT`, `:PORT`, `ADDR-ADDR`. */
export function parseNatTarget(
  text: string,
): { ok: true; target: NatTarget } | { ok: false; expected: string } {
  const expected = "ADDR[:PORT[-PORT]] (IPv6 in brackets when a port follows)";
  let addr = text;
  let port: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(.+))?$/.exec(text);
  if (v6) {
    addr = v6[1]!;
    port = v6[2];
  } else if ((text.match(/:/g) ?? []).length === 1) {
    [addr, port] = text.split(":") as [string, string];
  }
  const target: NatTarget = {};
  if (addr !== "") {
    const a = parseAddresses(addr);
    if (!a.ok) return { ok: false, expected };
    target.addresses = a.set;
  }
  if (port !== undefined) {
    const p = parsePortList(port);
    if (!p.ok) return { ok: false, expected };
    target.ports = p.set;
  }
  return { ok: true, target };
}
