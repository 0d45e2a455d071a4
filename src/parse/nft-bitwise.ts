/**
 * Values of nft's bitwise matches (`SELECTOR & MASK == VALUE`), as generators write them: OpenWrt's
 * fw4 matches address suffixes (`ip6 saddr & ::ffff == ::1`), fw4 and proxmox-firewall match TCP
 * flags (`tcp flags & (fin | syn | rst | ack) == syn`, `tcp flags syn / syn,fin,rst`). nft's
 * grammar: parser_bison.y `and_expr`, `basic_rhs_expr`; flag names: proto.c `tcp_flag_type`. Pure.
 */
import { familyOf, parseAddress, V6_BASE } from "../space/address.js";
import { IntervalSet } from "../space/interval-set.js";
import { nftAddress } from "./nft-values.js";
import { lookupTable } from "./lookup.js";
import { TCP_FLAG_BITS } from "./tcp-flags.js";

/** nft's TCP flag names (proto.c `tcp_flag_type`): RFC 9293 §3.1's six and RFC 3168's ecn, cwr. */
const TCP_FLAG_NAMES: Readonly<Record<string, number>> = lookupTable({
  ...TCP_FLAG_BITS,
  ecn: 0x40,
  cwr: 0x80,
});

/**
 * A TCP flag value as nft writes it: names joined by `|` or `,` (`fin|syn`, `fin, syn`, in
 * parentheses or not), or a number (`0x0`, `18`). Undefined if it is none of these.
 */
export function nftTcpFlags(text: string): number | undefined {
  const inner = text.replace(/^\(\s*/, "").replace(/\s*\)$/, "");
  let v = 0;
  for (const part of inner.split(/\s*[|,]\s*/)) {
    const named = TCP_FLAG_NAMES[part];
    if (named !== undefined) v |= named;
    else if (/^(0x[0-9a-f]{1,2}|\d{1,3})$/i.test(part) && Number(part) <= 0xff) v |= Number(part);
    else return undefined;
  }
  return v;
}

/** A masked address's mask: the prefix length it stands for, or `non-contiguous`. */
export type AddressMask = { family: 4 | 6; prefix: number } | { family: 4 | 6; prefix: "non-contiguous" };

export function addressMask(text: string): AddressMask | undefined {
  const lo = oneAddress(text);
  if (lo === undefined) return undefined;
  const family = familyOf(lo);
  const width = family === 4 ? 32 : 128;
  const raw = family === 4 ? lo : lo - V6_BASE;
  let ones = 0;
  while (ones < width && (raw >> BigInt(width - 1 - ones)) & 1n) ones++;
  const contiguous = raw === ((1n << BigInt(ones)) - 1n) << BigInt(width - ones);
  return { family, prefix: contiguous ? ones : "non-contiguous" };
}

/**
 * The addresses `a` with `a & mask == value` for a contiguous mask of `prefix` bits: the prefix
 * value/prefix, or nothing when the value has bits the mask clears (no address can equal it).
 * Undefined if `value` is not one address of the mask's family.
 */
export function maskedPrefix(value: string, family: 4 | 6, prefix: number): IntervalSet | undefined {
  const lo = oneAddress(value);
  if (lo === undefined || familyOf(lo) !== family) return undefined;
  const width = family === 4 ? 32 : 128;
  const raw = family === 4 ? lo : lo - V6_BASE;
  const hostBits = (1n << BigInt(width - prefix)) - 1n;
  if ((raw & hostBits) !== 0n) return IntervalSet.EMPTY;
  return nftAddress(`${value}/${prefix}`);
}

/** The address `text` names if it names exactly one (not a prefix, range or `any`). */
function oneAddress(text: string): bigint | undefined {
  if (text.includes("/") || text.includes("-")) return undefined;
  const parsed = parseAddress(text);
  const only = parsed.ok && parsed.set.intervals.length === 1 ? parsed.set.intervals[0] : undefined;
  return only && only[0] === only[1] ? only[0] : undefined;
}
