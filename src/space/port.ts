/** Ports (0-65535) and IP protocol numbers (0-255) as interval sets. */
import { IntervalSet } from "./interval-set.js";

export const PORT_MAX = 65535;
export const ALL_PORTS = IntervalSet.of(0, PORT_MAX);
/** IANA protocol numbers (https://www.iana.org/assignments/protocol-numbers). */
export const PROTO = { icmp: 1, tcp: 6, udp: 17, ipv6icmp: 58 } as const;
export const ALL_PROTOCOLS = IntervalSet.of(0, 255);

export interface PortRange {
  from: number;
  to: number;
}

export function portSet(ranges: readonly PortRange[]): IntervalSet {
  return IntervalSet.from(ranges.map((r) => [r.from, r.to] as const));
}

export function portRanges(set: IntervalSet): PortRange[] {
  return set.intervals.map(([lo, hi]) => ({ from: Number(lo), to: Number(hi) }));
}

/** `5061`, `50000-59999`, joined with commas. */
export function portText(set: IntervalSet): string {
  if (set.equals(ALL_PORTS)) return "any";
  return set.intervals.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(",");
}
