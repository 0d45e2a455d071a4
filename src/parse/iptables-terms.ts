/**
 * Values as iptables itself reads them (libxtables), not as a general address parser would:
 * IPv4 addresses with fewer than four parts (`172.16.0/24` is 172.16.0.0/24: xtables fills the
 * missing bytes with zeros, unlike inet_aton), bytes in C notation (`0x0a`, octal `012`), masks as
 * prefix lengths or dotted (`/255.255.255.0`, also non-contiguous), host bits masked off (the
 * kernel compares `addr & mask`), service and protocol names (netbase.ts), ICMP and ICMPv6 type
 * names with iptables' case-insensitive unique-prefix matching, and long options abbreviated as
 * getopt_long(3) allows (a unique prefix of a known option).
 */
import { parseAddress, V6_BASE } from "../space/address.js";
import { IntervalSet } from "../space/interval-set.js";
import { NETBASE_PROTOCOLS, servicePort } from "./netbase.js";
import { parseProto } from "./terms.js";

export type TermParse =
  { ok: true; set: IntervalSet; approx?: string } | { ok: false; message: string; expected: string };

const ADDRESS_EXPECTED =
  "an address (198.51.100.1, 2001:db8::1), optionally /prefix or /dotted-mask, or a range a-b; comma-separated";

/** libxtables' strtoui with base 0: decimal, 0x hex, leading-0 octal. */
function cNumber(s: string, max: number): number | undefined {
  let n: number;
  if (/^0x[0-9a-f]+$/i.test(s)) n = parseInt(s.slice(2), 16);
  else if (/^0[0-7]*$/.test(s)) n = s.length === 1 ? 0 : parseInt(s.slice(1), 8);
  else if (/^[1-9][0-9]*$/.test(s)) n = Number(s);
  else return undefined;
  return n <= max ? n : undefined;
}

/**
 * xtables_numeric_to_ipaddr: one to four dot-separated bytes; missing trailing bytes are zero
 * (a network written short). Masks (`isMask`) need all four.
 */
export function xtablesIpv4(text: string, isMask = false): bigint | undefined {
  const parts = text.split(".");
  if (parts.length > 4 || (isMask && parts.length !== 4)) return undefined;
  let v = 0n;
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    const b = p === undefined ? 0 : cNumber(p, 255);
    if (b === undefined) return undefined;
    v = (v << 8n) | BigInt(b);
  }
  return v;
}

const V4_FULL = (1n << 32n) - 1n;

/** The addresses `(a & mask) == (net & mask)` for an IPv4 mask of any shape (exact up to 4096 pieces). */
function maskedV4(net: bigint, mask: bigint): TermParse {
  const base = net & mask;
  let trailing = 0n;
  while (trailing < 32n && ((mask >> trailing) & 1n) === 0n) trailing++;
  const free: bigint[] = [];
  for (let b = trailing; b < 32n; b++) if (((mask >> b) & 1n) === 0n) free.push(b);
  const block = (1n << trailing) - 1n;
  if (free.length === 0) return { ok: true, set: IntervalSet.of(base, base | block) };
  if (free.length > 12) {
    let hi = base | block;
    for (const b of free) hi |= 1n << b;
    return {
      ok: true,
      set: IntervalSet.of(base, hi),
      approx:
        "non-contiguous mask with too many pieces: matched as the range from its lowest to its highest address",
    };
  }
  let set = IntervalSet.EMPTY;
  for (let k = 0; k < 1 << free.length; k++) {
    let lo = base;
    free.forEach((b, i) => {
      if ((k >> i) & 1) lo |= 1n << b;
    });
    set = set.union(IntervalSet.of(lo, lo | block));
  }
  return { ok: true, set };
}

/** One address with an optional mask, as iptables -s/-d take it; host bits are masked off. */
function oneAddress(text: string, family: 4 | 6): TermParse {
  const slash = text.indexOf("/");
  const addr = slash < 0 ? text : text.slice(0, slash);
  const mask = slash < 0 ? undefined : text.slice(slash + 1);
  if (family === 4) {
    const net = xtablesIpv4(addr);
    if (net === undefined) return refuse(text, family);
    if (mask === undefined) return { ok: true, set: IntervalSet.of(net) };
    if (/^\d+$/.test(mask) && Number(mask) <= 32) {
      const len = BigInt(mask);
      return maskedV4(net, (V4_FULL << (32n - len)) & V4_FULL);
    }
    const m = xtablesIpv4(mask, true);
    if (m === undefined)
      return { ok: false, message: `bad mask /${mask}`, expected: "a prefix length 0-32 or a dotted mask" };
    return maskedV4(net, m);
  }
  const a = parseAddress(addr);
  if (!a.ok || a.set.isEmpty() || a.set.min()! < V6_BASE) return refuse(text, family);
  if (mask === undefined) return a;
  if (!/^\d+$/.test(mask) || Number(mask) > 128)
    return { ok: false, message: `bad IPv6 mask /${mask}`, expected: "a prefix length 0-128" };
  const free = 128n - BigInt(mask);
  const lo = ((a.set.min()! - V6_BASE) >> free) << free;
  return { ok: true, set: IntervalSet.of(V6_BASE + lo, V6_BASE + lo + (1n << free) - 1n) };
}

function refuse(text: string, family: 4 | 6): TermParse {
  if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(text) && /[a-z]/i.test(text))
    return {
      ok: false,
      message: `hostname ${text}: iptables resolves it when the rules are loaded, so the file does not say which addresses it meant`,
      expected: "the addresses themselves (iptables-save prints them resolved)",
    };
  return { ok: false, message: `bad IPv${family} address ${text}`, expected: ADDRESS_EXPECTED };
}

/** `-s`/`-d`/`--src-range`/`--dst-range` values: comma-separated addresses, masks or ranges. */
export function iptAddresses(text: string, family: 4 | 6): TermParse {
  let set = IntervalSet.EMPTY;
  let approx: string | undefined;
  for (const part of text.split(",")) {
    let r: TermParse;
    if (part.includes("-") && !part.includes("/")) {
      const [a, b] = part.split("-") as [string, string];
      const lo = oneAddress(a, family);
      const hi = oneAddress(b, family);
      r =
        lo.ok && hi.ok && lo.set.min()! <= hi.set.max()!
          ? { ok: true, set: IntervalSet.of(lo.set.min()!, hi.set.max()!) }
          : lo.ok && hi.ok
            ? { ok: false, message: `empty range ${part}`, expected: "a range low-high" }
            : !lo.ok
              ? lo
              : hi;
    } else r = oneAddress(part, family);
    if (!r.ok) return r;
    set = set.union(r.set);
    approx ??= r.approx;
  }
  return approx ? { ok: true, set, approx } : { ok: true, set };
}

/** A CIDR as a device that masks host bits reads it (`10.0.0.5/24` is 10.0.0.0/24); undefined when malformed. */
export function maskedCidr(text: string): { set: IntervalSet; hostBits: boolean } | undefined {
  const exact = parseAddress(text);
  if (exact.ok) return { set: exact.set, hostBits: false };
  const m = /^(.+)\/(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const family = m[1]!.includes(":") ? 6 : 4;
  if (family === 4 && (m[1]!.split(".").length !== 4 || Number(m[2]) > 32)) return undefined;
  const r = oneAddress(text, family);
  return r.ok ? { set: r.set, hostBits: true } : undefined;
}

/** Protocol: a number, `all`, iptables' own names, or a name from /etc/protocols (netbase). */
export function iptProto(text: string): IntervalSet | undefined {
  const own = parseProto(text);
  if (own) return own;
  const t = text.toLowerCase();
  const n = Object.hasOwn(NETBASE_PROTOCOLS, t) ? NETBASE_PROTOCOLS[t] : NETBASE_PROTOCOLS[text];
  return n === undefined ? undefined : IntervalSet.of(n);
}

/**
 * Ports of a tcp/udp/sctp/multiport match: comma-separated, each a port or range `a:b` (either end
 * may be left out: `1024:` is 1024-65535), numbers or service names for `proto`.
 */
export function iptPorts(text: string, proto: string | undefined): TermParse {
  const p = proto === "udp" || proto === "sctp" ? proto : "tcp";
  const one = (s: string, dflt: number): number | undefined => {
    if (s === "") return dflt;
    if (/^\d+$/.test(s)) return Number(s) <= 65535 ? Number(s) : undefined;
    return servicePort(s, p);
  };
  let set = IntervalSet.EMPTY;
  for (const part of text.split(",")) {
    const [a, b] = part.includes(":") ? (part.split(":", 2) as [string, string]) : [part, part];
    const lo = one(a, 0);
    const hi = one(b, 65535);
    if (lo === undefined || hi === undefined || lo > hi || part === "")
      return {
        ok: false,
        message: `bad port ${part}`,
        expected: `a port 0-65535, a range a:b, or a ${p} service name from /etc/services`,
      };
    set = set.union(IntervalSet.of(lo, hi));
  }
  return { ok: true, set };
}

/** libxt_icmp.h icmp_codes: [type, code min, code max]. */
const ICMP: ReadonlyArray<[string, number, number, number]> = [
  ["any", 255, 0, 255],
  ["echo-reply", 0, 0, 255],
  ["pong", 0, 0, 255],
  ["destination-unreachable", 3, 0, 255],
  ["network-unreachable", 3, 0, 0],
  ["host-unreachable", 3, 1, 1],
  ["protocol-unreachable", 3, 2, 2],
  ["port-unreachable", 3, 3, 3],
  ["fragmentation-needed", 3, 4, 4],
  ["source-route-failed", 3, 5, 5],
  ["network-unknown", 3, 6, 6],
  ["host-unknown", 3, 7, 7],
  ["network-prohibited", 3, 9, 9],
  ["host-prohibited", 3, 10, 10],
  ["TOS-network-unreachable", 3, 11, 11],
  ["TOS-host-unreachable", 3, 12, 12],
  ["communication-prohibited", 3, 13, 13],
  ["host-precedence-violation", 3, 14, 14],
  ["precedence-cutoff", 3, 15, 15],
  ["source-quench", 4, 0, 255],
  ["redirect", 5, 0, 255],
  ["network-redirect", 5, 0, 0],
  ["host-redirect", 5, 1, 1],
  ["TOS-network-redirect", 5, 2, 2],
  ["TOS-host-redirect", 5, 3, 3],
  ["echo-request", 8, 0, 255],
  ["ping", 8, 0, 255],
  ["router-advertisement", 9, 0, 255],
  ["router-solicitation", 10, 0, 255],
  ["time-exceeded", 11, 0, 255],
  ["ttl-exceeded", 11, 0, 255],
  ["ttl-zero-during-transit", 11, 0, 0],
  ["ttl-zero-during-reassembly", 11, 1, 1],
  ["parameter-problem", 12, 0, 255],
  ["ip-header-bad", 12, 0, 0],
  ["required-option-missing", 12, 1, 1],
  ["timestamp-request", 13, 0, 255],
  ["timestamp-reply", 14, 0, 255],
  ["address-mask-request", 17, 0, 255],
  ["address-mask-reply", 18, 0, 255],
];

/** libxt_icmp.h icmpv6_codes. */
const ICMPV6: ReadonlyArray<[string, number, number, number]> = [
  ["destination-unreachable", 1, 0, 255],
  ["no-route", 1, 0, 0],
  ["communication-prohibited", 1, 1, 1],
  ["beyond-scope", 1, 2, 2],
  ["address-unreachable", 1, 3, 3],
  ["port-unreachable", 1, 4, 4],
  ["failed-policy", 1, 5, 5],
  ["reject-route", 1, 6, 6],
  ["packet-too-big", 2, 0, 255],
  ["time-exceeded", 3, 0, 255],
  ["ttl-exceeded", 3, 0, 255],
  ["ttl-zero-during-transit", 3, 0, 0],
  ["ttl-zero-during-reassembly", 3, 1, 1],
  ["parameter-problem", 4, 0, 255],
  ["bad-header", 4, 0, 0],
  ["unknown-header-type", 4, 1, 1],
  ["unknown-option", 4, 2, 2],
  ["echo-request", 128, 0, 255],
  ["ping", 128, 0, 255],
  ["echo-reply", 129, 0, 255],
  ["pong", 129, 0, 255],
  ["mld-listener-query", 130, 0, 255],
  ["mld-listener-report", 131, 0, 255],
  ["mld-listener-done", 132, 0, 255],
  ["mld-listener-reduction", 132, 0, 255],
  ["router-solicitation", 133, 0, 255],
  ["router-advertisement", 134, 0, 255],
  ["neighbour-solicitation", 135, 0, 255],
  ["neighbor-solicitation", 135, 0, 255],
  ["neighbour-advertisement", 136, 0, 255],
  ["neighbor-advertisement", 136, 0, 255],
  ["redirect", 137, 0, 255],
];

/**
 * `--icmp-type`/`--icmpv6-type`: a number, type/code, or a name (case-insensitive; a unique prefix
 * of one, as iptables accepts), as the dport dimension's type·256+code.
 */
export function iptIcmpType(text: string, v6: boolean): IntervalSet | undefined {
  const m = /^(\d{1,3})(?:\/(\d{1,3}))?$/.exec(text);
  if (m) {
    const type = Number(m[1]);
    if (type > 255 || (m[2] !== undefined && Number(m[2]) > 255)) return undefined;
    return m[2] !== undefined
      ? IntervalSet.of(type * 256 + Number(m[2]))
      : IntervalSet.of(type * 256, type * 256 + 255);
  }
  const t = text.toLowerCase();
  const table = v6 ? ICMPV6 : ICMP;
  const exact = table.find(([n]) => n.toLowerCase() === t);
  const byPrefix = table.filter(([n]) => n.toLowerCase().startsWith(t));
  const hit = exact ?? (byPrefix.length === 1 ? byPrefix[0] : undefined);
  if (!hit) return undefined;
  const [, type, lo, hi] = hit;
  if (type === 255) return IntervalSet.of(0, 65535);
  return IntervalSet.of(type * 256 + lo, type * 256 + hi);
}

/**
 * getopt_long(3): a long option may be abbreviated to any unique prefix of the options known at
 * that point (exact names win). Returns the full name, or the candidates when ambiguous.
 */
export function longOption(
  opt: string,
  known: readonly string[],
): string | { ambiguous: string[] } | undefined {
  if (!opt.startsWith("--") || known.includes(opt)) return opt;
  const c = known.filter((k) => k.startsWith(opt));
  if (c.length === 1) return c[0];
  return c.length > 1 ? { ambiguous: c } : undefined;
}
