/**
 * Junos address books and applications, resolved to address sets and packet spaces.
 *  - address books: `security address-book <book> address A <prefix>|range-address X to Y`,
 *    `address-set S address A|address-set T`, and the zones' own books (`security zones
 *    security-zone Z address-book …`); `any`, `any-ipv4`, `any-ipv6` are predefined. A name is
 *    looked up in the zone's book first, then in the address books (global first).
 *  - applications: `applications application X protocol P destination-port N[-M] source-port …
 *    icmp-type …` (or the same under `term T`), `application-set S application A|application-set T`
 *    (nested), and the predefined `junos-*` applications of the junos-defaults group (table below).
 * What is not modelled (dns-name and wildcard addresses, RPC/UUID matches, a junos-* name not in
 * the table) is read as matching everything on that axis, with an approximation named.
 * Pure.
 */
import { parseAddress } from "../space/address.js";
import { ALL_ADDRESSES, ALL_V4, ALL_V6, V6_BASE } from "../space/address.js";
import { makeBox } from "../space/box.js";
import { IntervalSet } from "../space/interval-set.js";
import { Space } from "../space/space.js";
import { servicePort } from "./netbase.js";
import { icmpTypeSet, parseProto } from "./terms.js";
import { lookupTable } from "./lookup.js";
import type { JunosStatement } from "./junos-config.js";

/**
 * A Junos prefix: `a/len` with host bits set (`1.2.3.1/30`) stands for its network, as Junos
 * reads it; a bare address is a host.
 */
export function junosPrefix(text: string): IntervalSet | undefined {
  const exact = parseAddress(text);
  if (exact.ok) return exact.set;
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  const host = m ? parseAddress(m[1]!) : undefined;
  if (!m || !host?.ok) return undefined;
  const v = host.set.min()!;
  const v6 = m[1]!.includes(":");
  const bits = (v6 ? 128 : 32) - Number(m[2]);
  if (bits < 0) return undefined;
  const base = v6 ? V6_BASE : 0n;
  const size = 1n << BigInt(bits);
  const lo = base + ((v - base) / size) * size;
  return IntervalSet.of(lo, lo + size - 1n);
}

/** A resolved name: what it matches, or why it over-approximates, or that it is undefined. */
export interface Resolved<T> {
  value: T;
  approx: string[];
  undefinedNames: string[];
}

const ANY_PORT = IntervalSet.of(0, 65535);

/**
 * The predefined applications used most in SRX policies, as `show configuration groups
 * junos-defaults applications` lists them (Juniper, "Predefined Applications" in the Junos OS
 * Security Policies User Guide): protocol, destination ports (or ICMP type), any source port.
 * The well-known port of each name; not yet checked entry by entry against a device's dump of
 * junos-defaults. Any other `junos-*` name is read as any traffic with an approximation.
 */
export const JUNOS_PREDEFINED: Readonly<Record<string, ReadonlyArray<[proto: string, dport: string]>>> =
  lookupTable({
    "junos-ftp": [["tcp", "21"]],
    "junos-tftp": [["udp", "69"]],
    "junos-ssh": [["tcp", "22"]],
    "junos-telnet": [["tcp", "23"]],
    "junos-smtp": [["tcp", "25"]],
    "junos-dns-udp": [["udp", "53"]],
    "junos-dns-tcp": [["tcp", "53"]],
    "junos-http": [["tcp", "80"]],
    "junos-pop3": [["tcp", "110"]],
    "junos-ntp": [["udp", "123"]],
    "junos-imap": [["tcp", "143"]],
    "junos-bgp": [["tcp", "179"]],
    "junos-ldap": [["tcp", "389"]],
    "junos-https": [["tcp", "443"]],
    "junos-ike": [["udp", "500"]],
    "junos-syslog": [["udp", "514"]],
    "junos-imaps": [["tcp", "993"]],
    "junos-ms-sql": [["tcp", "1433"]],
    "junos-radius": [["udp", "1812"]],
    "junos-radacct": [["udp", "1813"]],
    "junos-ike-nat": [["udp", "4500"]],
    "junos-sip": [
      ["udp", "5060"],
      ["tcp", "5060"],
    ],
    "junos-ping": [["icmp", "echo-request"]],
    "junos-pingv6": [["icmp6", "echo-request-v6"]],
    "junos-icmp-all": [["icmp", "any"]],
    "junos-icmp6-all": [["icmp6", "any"]],
    "junos-gre": [["gre", "any"]],
    "junos-ospf": [["ospf", "any"]],
  });

export class JunosObjects {
  /** book → name → statements (books: `global`, other names, and `zone:<Z>` for zone books). */
  private addresses = new Map<string, Map<string, JunosStatement[]>>();
  private addressSets = new Map<string, Map<string, JunosStatement[]>>();
  private apps = new Map<string, JunosStatement[]>();
  /** zone → the address books attached to it (`security address-book B attach zone Z`). */
  private attached = new Map<string, string[]>();
  private appSets = new Map<string, JunosStatement[]>();

  add(s: JunosStatement): boolean {
    const w = s.words;
    let book: string | undefined;
    let rest: string[] = [];
    if (w[0] === "security" && w[1] === "address-book" && w[2]) {
      book = w[2];
      rest = w.slice(3);
    } else if (
      w[0] === "security" &&
      w[1] === "zones" &&
      w[2] === "security-zone" &&
      w[4] === "address-book"
    ) {
      book = `zone:${w[3]}`;
      rest = w.slice(5);
    }
    if (book !== undefined && rest[0] === "attach" && rest[1] === "zone" && rest[2]) {
      this.attached.set(rest[2], [...(this.attached.get(rest[2]) ?? []), book]);
      return true;
    }
    if (book !== undefined && (rest[0] === "address" || rest[0] === "address-set") && rest[1]) {
      const into = rest[0] === "address" ? this.addresses : this.addressSets;
      push(into, book, rest[1], { ...s, words: rest.slice(2) });
      return true;
    }
    if (w[0] === "applications" && (w[1] === "application" || w[1] === "application-set") && w[2]) {
      const into = w[1] === "application" ? this.apps : this.appSets;
      into.set(w[2], [...(into.get(w[2]) ?? []), { ...s, words: w.slice(3) }]);
      return true;
    }
    return book !== undefined || w[0] === "applications";
  }

  private books(zone: string | undefined): string[] {
    const names = [...new Set([...this.addresses.keys(), ...this.addressSets.keys()])];
    const plain = names
      .filter((b) => !b.startsWith("zone:"))
      .sort((a, b) => (a === "global" ? -1 : b === "global" ? 1 : 0));
    // A zone's own book, then the books attached to it, then the global book (Junos "Address
    // Books and Address Sets": a zone's attached book wins over the global one).
    return zone === undefined ? plain : [`zone:${zone}`, ...(this.attached.get(zone) ?? []), ...plain];
  }

  /** The addresses `name` stands for, looked up from `zone` (undefined: global books only). */
  address(name: string, zone: string | undefined, seen = new Set<string>()): Resolved<IntervalSet> {
    if (name === "any") return { value: ALL_ADDRESSES, approx: [], undefinedNames: [] };
    if (name === "any-ipv4") return { value: ALL_V4, approx: [], undefinedNames: [] };
    if (name === "any-ipv6") return { value: ALL_V6, approx: [], undefinedNames: [] };
    const out: Resolved<IntervalSet> = { value: IntervalSet.EMPTY, approx: [], undefinedNames: [] };
    if (seen.has(name)) return out;
    seen.add(name);
    for (const book of this.books(zone)) {
      const entry = this.addresses.get(book)?.get(name);
      if (entry) {
        for (const s of entry) {
          const w = s.words;
          const prefix = w[0] === "ip-prefix" ? w[1] : w[0];
          if (w[0] === "description" || prefix === undefined) continue;
          if (w[0] === "range-address" && w[2] === "to" && w[3]) {
            const a = parseAddress(`${w[1]}-${w[3]}`);
            if (a.ok) out.value = out.value.union(a.set);
            else out.undefinedNames.push(`${name} (${s.text})`);
          } else if (w[0] === "dns-name" || w[0] === "wildcard-address") {
            out.value = ALL_ADDRESSES;
            out.approx.push(`address ${name} ${w[0]} (not resolved: read as any address)`);
          } else {
            const a = junosPrefix(prefix);
            if (a) out.value = out.value.union(a);
            else out.undefinedNames.push(`${name} (${s.text})`);
          }
        }
        return out;
      }
      const set = this.addressSets.get(book)?.get(name);
      if (set) {
        for (const s of set) {
          const [kind, member] = s.words;
          if ((kind !== "address" && kind !== "address-set") || !member) continue;
          const r = this.address(member, zone, seen);
          out.value = out.value.union(r.value);
          out.approx.push(...r.approx);
          out.undefinedNames.push(...r.undefinedNames);
        }
        return out;
      }
    }
    out.undefinedNames.push(name);
    return out;
  }

  /** The packets (protocol, ports) application or application-set `name` matches. */
  application(name: string, seen = new Set<string>()): Resolved<Space> {
    const out: Resolved<Space> = { value: Space.EMPTY, approx: [], undefinedNames: [] };
    if (name === "any") return { ...out, value: Space.ANY };
    if (seen.has(name)) return out;
    seen.add(name);
    const set = this.appSets.get(name);
    if (set) {
      for (const s of set) {
        const [kind, member] = s.words;
        if ((kind !== "application" && kind !== "application-set") || !member) continue;
        const r = this.application(member, seen);
        out.value = out.value.union(r.value);
        out.approx.push(...r.approx);
        out.undefinedNames.push(...r.undefinedNames);
      }
      return out;
    }
    const app = this.apps.get(name);
    if (app) return this.userApplication(name, app);
    const predefined = JUNOS_PREDEFINED[name];
    if (predefined) {
      for (const [proto, port] of predefined)
        out.value = out.value.union(term(name, { protocol: proto, "destination-port": port }, out));
      return out;
    }
    if (name.startsWith("junos-")) {
      out.approx.push(`predefined application ${name} (not in portmatrix's table: read as any traffic)`);
      return { ...out, value: Space.ANY };
    }
    out.undefinedNames.push(name);
    return out;
  }

  private userApplication(name: string, statements: JunosStatement[]): Resolved<Space> {
    const out: Resolved<Space> = { value: Space.EMPTY, approx: [], undefinedNames: [] };
    const terms = new Map<string, Record<string, string>>();
    for (const s of statements) {
      const w = s.words;
      const [key, attrs] = w[0] === "term" && w[1] ? [w[1], w.slice(2)] : ["", w];
      const t = terms.get(key) ?? {};
      for (let i = 0; i + 1 < attrs.length; i += 2) t[attrs[i]!] = attrs[i + 1]!;
      terms.set(key, t);
    }
    for (const [key, attrs] of terms) {
      if (key === "" && terms.size > 1 && !attrs.protocol) continue;
      out.value = out.value.union(term(name, attrs, out));
    }
    return out;
  }
}

function push<V>(m: Map<string, Map<string, V[]>>, book: string, name: string, v: V): void {
  const inner = m.get(book) ?? new Map<string, V[]>();
  inner.set(name, [...(inner.get(name) ?? []), v]);
  m.set(book, inner);
}

/** Protocol names applications may use that parseProto does not know. */
const PROTOCOL_ALIASES: Readonly<Record<string, string>> = lookupTable({
  icmp6: "ipv6-icmp",
  icmpv6: "ipv6-icmp",
  ospf: "89",
  pim: "103",
});

/** One application term as packets; what it cannot model widens it and is named in `out.approx`. */
function term(name: string, a: Record<string, string>, out: Resolved<Space>): Space {
  const protoText = a.protocol ?? "";
  const proto =
    protoText === "" ? IntervalSet.of(0, 255) : parseProto(PROTOCOL_ALIASES[protoText] ?? protoText);
  if (!proto) {
    out.approx.push(`application ${name} protocol ${protoText} (unknown protocol: read as any)`);
    return Space.ANY;
  }
  if (protoText === "") out.approx.push(`application ${name} without a protocol (read as any)`);
  for (const k of ["rpc-program-number", "uuid", "ether-type"])
    if (a[k] !== undefined) out.approx.push(`application ${name} ${k} (not modelled: read as any)`);
  const transport = protoText === "tcp" || protoText === "udp" ? protoText : undefined;
  const ports = (text: string | undefined): IntervalSet => {
    if (text === undefined || text === "any" || transport === undefined) return ANY_PORT;
    const m = /^(\w[\w-]*?)(?:-(\d+))?$/.exec(text);
    // Junos port names stand for the same number whatever the protocol (udp pop3 is 110).
    const named = m?.[1] ?? text;
    const lo =
      m && /^\d+$/.test(m[1]!) ? Number(m[1]) : (servicePort(named, transport) ?? servicePort(named, "tcp"));
    const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
    if (lo === undefined || hi === undefined || hi > 65535 || lo > hi) {
      out.approx.push(`application ${name} port ${text} (not understood: read as any port)`);
      return ANY_PORT;
    }
    return IntervalSet.of(lo, hi);
  };
  const icmp = protoText === "icmp" || protoText === "icmp6" || protoText === "icmpv6";
  let dport = ports(a["destination-port"]);
  if (icmp && a["icmp-type"] !== undefined) dport = icmpType(a["icmp-type"], a["icmp-code"], name, out);
  else if (icmp && a["icmp6-type"] !== undefined)
    dport = icmpType(a["icmp6-type"], a["icmp6-code"], name, out);
  else if (icmp && a["destination-port"] !== undefined)
    dport = icmpType(a["destination-port"], undefined, name, out);
  const sport = icmp ? IntervalSet.of(0) : ports(a["source-port"]);
  return Space.box(makeBox({ proto, dport, sport }));
}

function icmpType(type: string, code: string | undefined, name: string, out: Resolved<Space>): IntervalSet {
  const set = icmpTypeSet(code !== undefined && /^\d+$/.test(type) ? `${type}/${code}` : type);
  if (set) return set;
  out.approx.push(`application ${name} icmp-type ${type} (not understood: read as any type)`);
  return ANY_PORT;
}
