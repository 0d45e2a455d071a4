/**
 * Addresses of both families on one axis of the packet space, so a rule that names no family
 * (nftables `inet`, "any") is a single interval and a family is just a sub-range:
 *   IPv4 a.b.c.d  -> [0, 2^32)            (the 32-bit value)
 *   IPv6 x        -> [2^32, 2^32 + 2^128) (2^32 + the 128-bit value)
 * Parsing uses ipaddr.js; rendering back to CIDRs and ranges is a minimal prefix cover.
 */
import ipaddr from "ipaddr.js";
import { IntervalSet } from "./interval-set.js";

export type Family = 4 | 6;

export const V4_SIZE = 1n << 32n;
export const V6_SIZE = 1n << 128n;
export const V6_BASE = V4_SIZE;
export const ADDR_MAX = V6_BASE + V6_SIZE - 1n;
export const ALL_V4 = IntervalSet.of(0n, V4_SIZE - 1n);
export const ALL_V6 = IntervalSet.of(V6_BASE, ADDR_MAX);
export const ALL_ADDRESSES = IntervalSet.of(0n, ADDR_MAX);

export type AddressParse = { ok: true; set: IntervalSet } | { ok: false; expected: string };

const EXPECTED =
  "an IPv4 or IPv6 address, a CIDR (203.0.113.0/24, 2001:db8::/32), a range (203.0.113.10-203.0.113.20), or any/any4/any6";

function toBig(addr: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  let v = 0n;
  for (const b of addr.toByteArray()) v = (v << 8n) | BigInt(b);
  return addr.kind() === "ipv4" ? v : V6_BASE + v;
}

function parseOne(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (ipaddr.IPv6.isValid(text) && !text.includes("%")) return ipaddr.IPv6.parse(text);
  return undefined;
}

/** Parses one address term: host, CIDR, range or any/any4/any6. Host bits under a CIDR are refused. */
export function parseAddress(raw: string): AddressParse {
  const text = raw.trim();
  if (text === "any") return { ok: true, set: ALL_ADDRESSES };
  if (text === "any4") return { ok: true, set: ALL_V4 };
  if (text === "any6") return { ok: true, set: ALL_V6 };
  const slash = text.indexOf("/");
  if (slash >= 0) {
    const base = parseOne(text.slice(0, slash));
    const lenText = text.slice(slash + 1);
    if (!base || !/^\d{1,3}$/.test(lenText)) return { ok: false, expected: EXPECTED };
    const bits = base.kind() === "ipv4" ? 32 : 128;
    const len = Number(lenText);
    if (len > bits) return { ok: false, expected: `a prefix length of 0-${bits}` };
    const start = toBig(base);
    const span = 1n << BigInt(bits - len);
    const offset = base.kind() === "ipv4" ? 0n : V6_BASE;
    if ((start - offset) % span !== 0n) {
      return {
        ok: false,
        expected: `a network address without host bits (${cidrText(start - ((start - offset) % span), len, base.kind() === "ipv4" ? 4 : 6)})`,
      };
    }
    return { ok: true, set: IntervalSet.of(start, start + span - 1n) };
  }
  const dash = text.indexOf("-");
  if (dash > 0) {
    const a = parseOne(text.slice(0, dash).trim());
    const b = parseOne(text.slice(dash + 1).trim());
    if (!a || !b || a.kind() !== b.kind()) return { ok: false, expected: EXPECTED };
    const lo = toBig(a);
    const hi = toBig(b);
    if (lo > hi) return { ok: false, expected: "a range whose first address is not above its last" };
    return { ok: true, set: IntervalSet.of(lo, hi) };
  }
  const one = parseOne(text);
  if (!one) return { ok: false, expected: EXPECTED };
  const v = toBig(one);
  return { ok: true, set: IntervalSet.of(v, v) };
}

export function familyOf(v: bigint): Family {
  return v < V6_BASE ? 4 : 6;
}

/** The part of a set in one family. */
export function familyPart(set: IntervalSet, family: Family): IntervalSet {
  return set.intersect(family === 4 ? ALL_V4 : ALL_V6);
}

export function addressText(v: bigint): string {
  if (v < V6_BASE) {
    const n = Number(v); // below 2^32: exact as a number
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  const x = v - V6_BASE;
  const parts: number[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) parts.push(Number((x >> s) & 0xffffn));
  return ipaddr.fromByteArray(parts.flatMap((p) => [p >> 8, p & 255])).toString();
}

function cidrText(start: bigint, len: number, family: Family): string {
  return `${addressText(family === 4 ? start : start + (start < V6_BASE ? V6_BASE : 0n))}/${len}`;
}

/** Minimal list of CIDR prefixes covering exactly [lo, hi] of one family. */
function intervalToCidrs(lo: bigint, hi: bigint): string[] {
  const family = familyOf(lo);
  const base = family === 4 ? 0n : V6_BASE;
  const bits = family === 4 ? 32 : 128;
  const out: string[] = [];
  let cur = lo - base;
  const end = hi - base;
  while (cur <= end) {
    let size = 1n;
    let len = bits;
    // Grow the block while it stays aligned and inside the interval.
    while (len > 0 && cur % (size * 2n) === 0n && cur + size * 2n - 1n <= end) {
      size *= 2n;
      len--;
    }
    out.push(`${addressText(cur + base)}/${len}`);
    cur += size;
  }
  return out;
}

/** Splits intervals at the family boundary so each piece is one family. */
function familyIntervals(set: IntervalSet): Array<readonly [bigint, bigint]> {
  const out: Array<readonly [bigint, bigint]> = [];
  for (const [lo, hi] of set.intervals) {
    if (lo < V6_BASE && hi >= V6_BASE) {
      out.push([lo, V6_BASE - 1n], [V6_BASE, hi]);
    } else out.push([lo, hi]);
  }
  return out;
}

/** Renders as CIDRs (hosts keep their /32 or /128 so the family stays explicit). */
export function toCidrs(set: IntervalSet): string[] {
  return familyIntervals(set).flatMap(([lo, hi]) => intervalToCidrs(lo, hi));
}

/** The prefix length when [lo, hi] (one family) is exactly one CIDR block, else undefined. */
function prefixLength(lo: bigint, hi: bigint): number | undefined {
  const base = familyOf(lo) === 4 ? 0n : V6_BASE;
  const size = hi - lo + 1n;
  if ((size & (size - 1n)) !== 0n || (lo - base) % size !== 0n) return undefined;
  return (familyOf(lo) === 4 ? 32 : 128) - (size.toString(2).length - 1);
}

/**
 * The most readable rendering: `any`, `any4`, `any6`, hosts, CIDRs where an interval is one
 * prefix, and `a-b` ranges otherwise.
 */
export function toReadable(set: IntervalSet): string[] {
  if (set.equals(ALL_ADDRESSES)) return ["any"];
  const out: string[] = [];
  for (const [lo, hi] of familyIntervals(set)) {
    if (lo === 0n && hi === V4_SIZE - 1n) out.push("any4");
    else if (lo === V6_BASE && hi === ADDR_MAX) out.push("any6");
    else if (lo === hi) out.push(addressText(lo));
    else {
      const len = prefixLength(lo, hi);
      out.push(len !== undefined ? `${addressText(lo)}/${len}` : `${addressText(lo)}-${addressText(hi)}`);
    }
  }
  return out;
}
