/**
 * Readable rendering of packet spaces, one line per box, in the words of the port tables:
 *   `tcp dport 50000-50999 from any to 198.51.100.10`
 *   `udp dport 3478 from 203.0.113.0/24 to any4 ct new iif eth0`
 *   `icmp type echo-request from any4 to 203.0.113.10` (ICMP's type and code, not its dport)
 * Dimensions that are whole are left out (except from/to, always shown). Deterministic.
 */
import { ADDR_MAX, ALL_V4, ALL_V6, toReadable } from "./address.js";
import { CT_STATES, FULL, type Box } from "./box.js";
import { ICMP_NAMES, ICMPV6_NAMES, icmpTypesText } from "./icmp.js";
import { IntervalSet } from "./interval-set.js";
import type { NameSet } from "./name-set.js";
import { PROTO } from "./port.js";
import type { Space } from "./space.js";

const PROTO_NAMES: ReadonlyMap<number, string> = new Map([
  [PROTO.icmp, "icmp"],
  [PROTO.tcp, "tcp"],
  [PROTO.udp, "udp"],
  [PROTO.ipv6icmp, "icmpv6"],
  [132, "sctp"],
  [136, "udplite"],
  [33, "dccp"],
  [47, "gre"],
  [50, "esp"],
  [51, "ah"],
]);

/** Protocol and port texts rendered so far, once per (immutable, widely shared) set, as ADDRESS_TEXT. */
const PROTO_TEXT = new WeakMap<IntervalSet, string>();
const LIST_TEXT = new WeakMap<IntervalSet, string>();

export function protoText(set: IntervalSet): string {
  return once(PROTO_TEXT, set, renderProto);
}

function renderProto(set: IntervalSet): string {
  if (set.equals(FULL.proto)) return "any";
  const parts = set.intervals.map(([lo, hi]) =>
    lo === hi ? (PROTO_NAMES.get(Number(lo)) ?? `proto ${lo}`) : `proto ${lo}-${hi}`,
  );
  return parts.length === 1 ? parts[0]! : `{${parts.join(", ")}}`;
}

function listText(set: IntervalSet): string {
  return once(LIST_TEXT, set, renderList);
}

function renderList(set: IntervalSet): string {
  const parts = set.intervals.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`));
  return parts.length === 1 ? parts[0]! : `{${parts.join(", ")}}`;
}

/**
 * Address sets rendered so far. Sets are immutable and shared by many boxes (a rule's source
 * prefix is in every piece of its hits), so each is rendered once; the map holds them weakly.
 */
const ADDRESS_TEXT = new WeakMap<IntervalSet, string>();

export function addressesText(set: IntervalSet): string {
  return once(ADDRESS_TEXT, set, renderAddresses);
}

/** `render(set)`, kept in `cache` the first time. */
function once(
  cache: WeakMap<IntervalSet, string>,
  set: IntervalSet,
  render: (s: IntervalSet) => string,
): string {
  let text = cache.get(set);
  if (text === undefined) {
    text = render(set);
    cache.set(set, text);
  }
  return text;
}

function renderAddresses(set: IntervalSet): string {
  if (set.min() === 0n && set.max() === ADDR_MAX && set.intervals.length === 1) return "any";
  if (set.equals(ALL_V4)) return "any4";
  if (set.equals(ALL_V6)) return "any6";
  const parts = toReadable(set);
  return parts.length === 1 ? parts[0]! : `{${parts.join(", ")}}`;
}

const CT_TEXT = new WeakMap<IntervalSet, string>();

function ctText(set: IntervalSet): string {
  return once(CT_TEXT, set, renderCt);
}

function renderCt(set: IntervalSet): string {
  const names = set.intervals.flatMap(([lo, hi]) => {
    const out: string[] = [];
    for (let v = Number(lo); v <= Number(hi); v++) out.push(CT_STATES[v] ?? `${v}`);
    return out;
  });
  return names.join(",");
}

const ICMP = IntervalSet.of(PROTO.icmp);
const ICMPV6 = IntervalSet.of(PROTO.ipv6icmp);
const ICMP_BOTH = ICMP.union(ICMPV6);
const ICMP_TEXT = new WeakMap<IntervalSet, string>();
const ICMPV6_TEXT = new WeakMap<IntervalSet, string>();
const ICMP_BOTH_TEXT = new WeakMap<IntervalSet, string>();

/**
 * An ICMP box's destination-port dimension (type·256 + code, icmp.ts) in types and codes: `type
 * echo-request`, `type {0-7, 9-255}`; named by the family when the box is of one. Undefined for
 * any other protocol set.
 */
function icmpText(proto: IntervalSet, dport: IntervalSet): string | undefined {
  if (proto.equals(ICMP)) return once(ICMP_TEXT, dport, (d) => icmpTypesText(d, ICMP_NAMES));
  if (proto.equals(ICMPV6)) return once(ICMPV6_TEXT, dport, (d) => icmpTypesText(d, ICMPV6_NAMES));
  if (proto.equals(ICMP_BOTH)) return once(ICMP_BOTH_TEXT, dport, (d) => icmpTypesText(d));
  return undefined;
}

export function boxText(b: Box): string {
  const out: string[] = [protoText(b.proto)];
  if (!b.sport.equals(FULL.port)) out.push(`sport ${listText(b.sport)}`);
  if (!b.dport.equals(FULL.port)) {
    const types = icmpText(b.proto, b.dport);
    out.push(types === undefined ? `dport ${listText(b.dport)}` : `type ${types}`);
  }
  out.push(`from ${addressesText(b.src)}`, `to ${addressesText(b.dst)}`);
  if (!b.ct.equals(FULL.ct)) out.push(`ct ${ctText(b.ct)}`);
  if (!b.iif.isAll() && !noInterface(b.iif)) out.push(`iif ${b.iif.text()}`);
  if (!b.oif.isAll() && !noInterface(b.oif)) out.push(`oif ${b.oif.text()}`);
  return out.join(" ");
}

/**
 * The interface of a packet that has none at its hook (`oif ""` on the way in to a host, `iif ""`
 * on the way out of it, as nft's `oifname ""` tests it): the direction of the finding says so, and
 * the empty name on every line of a host's findings only hid the interface that matters.
 */
function noInterface(s: NameSet): boolean {
  return !s.cofinite && s.names.length === 1 && s.names[0] === "";
}

/**
 * One line per box, sorted so output is stable whatever order the engine produced them in. A pair
 * of boxes equal but for covering all of IPv4 and all of IPv6 (how Space.UNIVERSE splits) prints
 * once with `from any to any`.
 */
export function spaceText(s: Space): string[] {
  const lines = new Set<string>();
  const v6Whole = new Set<string>();
  for (const b of s.boxes)
    if (b.src.equals(ALL_V6) && b.dst.equals(ALL_V6))
      v6Whole.add(boxText({ ...b, src: ALL_V4, dst: ALL_V4 }));
  for (const b of s.boxes) {
    const text = boxText(b);
    const v4Whole = b.src.equals(ALL_V4) && b.dst.equals(ALL_V4);
    if (v4Whole && v6Whole.has(text)) {
      lines.add(boxText({ ...b, src: FULL.addr, dst: FULL.addr }));
      v6Whole.delete(text);
    } else if (!(b.src.equals(ALL_V6) && b.dst.equals(ALL_V6))) lines.add(text);
  }
  for (const t of v6Whole) lines.add(t.replace("from any4 to any4", "from any6 to any6"));
  return [...lines].sort();
}
