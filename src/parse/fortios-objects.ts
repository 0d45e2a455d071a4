/**
 * FortiOS firewall objects → sets: addresses (`firewall address`, `address6`, groups, VIPs as the
 * addresses they map to) and services (`firewall service custom`, `service group`, the predefined
 * ones). What a set cannot say exactly (an FQDN, a geography, a wildcard mask, a dynamic or MAC
 * address, a service limited to a destination) comes back as the closest over-approximation with
 * a note; the reader makes every policy using it an approximation. FortiOS CLI Reference:
 * firewall address, address6, addrgrp, addrgrp6, vip, vipgrp, service custom, service group.
 */
import { ALL_V4, ALL_V6, parseAddress } from "../space/address.js";
import { makeBox, type Box } from "../space/box.js";
import { IntervalSet } from "../space/interval-set.js";
import { Space } from "../space/space.js";
import { parseFortiosCli, type Entry, type Table } from "./fortios-cli.js";
import { PREDEFINED_SERVICES } from "./fortios-services.js";
import { lookupTable } from "./lookup.js";

export interface Resolved<T> {
  value: T;
  /** Why the value is an over-approximation (empty: exact). */
  approximations: string[];
}

export type Lookup<T> = (name: string) => Resolved<T> | undefined;

const exact = <T>(value: T): Resolved<T> => ({ value, approximations: [] });

/** `A.B.C.D M.M.M.M`, `A.B.C.D/len`, or an IPv6 prefix → the set; undefined when malformed. */
export function subnetSet(values: readonly string[]): IntervalSet | undefined {
  const [addr, mask] = values;
  if (addr === undefined) return undefined;
  if (mask !== undefined && /^\d+\.\d+\.\d+\.\d+$/.test(mask)) {
    const bits = mask.split(".").reduce((n, o) => n * 256 + Number(o), 0);
    const len = 32 - Math.log2(2 ** 32 - bits);
    if (!Number.isInteger(len)) return undefined;
    const a = parseAddress(`${addr}/${len}`);
    return a.ok ? a.set : undefined;
  }
  const a = parseAddress(addr);
  return a.ok ? a.set : undefined;
}

function range(start: string | undefined, end: string | undefined): IntervalSet | undefined {
  if (start === undefined) return undefined;
  const a = parseAddress(end === undefined || end === start ? start : `${start}-${end}`);
  return a.ok ? a.set : undefined;
}

/** One address object (v4 or v6 table entry) → its set. */
function addressOf(e: Entry, family: 4 | 6): Resolved<IntervalSet> | undefined {
  const get = (k: string) => e.settings.get(k)?.values;
  const all = family === 4 ? ALL_V4 : ALL_V6;
  const type = get("type")?.[0] ?? (family === 4 ? "ipmask" : "ipprefix");
  switch (type) {
    case "ipmask":
    case "interface-subnet": {
      const s = subnetSet(get("subnet") ?? ["0.0.0.0", "0.0.0.0"]);
      return s ? exact(s) : undefined;
    }
    case "ipprefix": {
      const s = subnetSet(get("ip6") ?? ["::/0"]);
      return s ? exact(s) : undefined;
    }
    case "iprange": {
      const s = range(get("start-ip")?.[0], get("end-ip")?.[0] ?? get("start-ip")?.[0]);
      return s ? exact(s) : undefined;
    }
    default:
      // fqdn, geography, wildcard, wildcard-fqdn, dynamic, mac, template, route-tag: addresses
      // known only at run time (DNS answers, geo database, SDN connectors, MAC tables).
      return {
        value: all,
        approximations: [`address ${e.name} is of type ${type}: taken as any IPv${family} address`],
      };
  }
}

export interface AddressBook {
  v4: Lookup<IntervalSet>;
  v6: Lookup<IntervalSet>;
  /** VIPs by name (destination NAT); their addresses in the book are the mapped ones. */
  vips: Map<string, Vip>;
}

export interface Vip {
  entry: Entry;
  family: 4 | 6;
  ext: IntervalSet;
  mapped: IntervalSet;
  /** Set with `portforward enable`: the protocol and ports translated. */
  forward?: { proto: number; extPorts: IntervalSet; mappedPorts: IntervalSet };
  extintf: string;
}

function vipOf(e: Entry, family: 4 | 6): Vip | undefined {
  const get = (k: string) => e.settings.get(k)?.values;
  const ext = range(...(((get("extip")?.[0] ?? "").split("-") as [string, string?]) ?? []));
  const mappedText = get("mappedip")?.[0];
  const mapped =
    mappedText === undefined ? undefined : range(...(mappedText.split("-") as [string, string?]));
  if (!ext || !mapped) return undefined;
  const vip: Vip = { entry: e, family, ext, mapped, extintf: get("extintf")?.[0] ?? "any" };
  if (get("portforward")?.[0] === "enable") {
    const ports = (t: string | undefined) => {
      const m = /^(\d+)(?:-(\d+))?$/.exec(t ?? "");
      return m ? IntervalSet.of(Number(m[1]), Number(m[2] ?? m[1])) : undefined;
    };
    const extPorts = ports(get("extport")?.[0]);
    const mappedPorts = ports(get("mappedport")?.[0]) ?? extPorts;
    if (!extPorts || !mappedPorts) return undefined;
    const proto = { tcp: 6, udp: 17, sctp: 132, icmp: 1 }[get("protocol")?.[0] ?? "tcp"] ?? 6;
    vip.forward = { proto, extPorts, mappedPorts };
  }
  return vip;
}

/**
 * Names resolve in one family's tables (v4: address, addrgrp, vip, vipgrp; v6: address6,
 * addrgrp6, vip6, vipgrp6); groups nest, with `exclude-member` subtracted. `all` and `none`
 * exist on every FortiGate; they are used when the file does not define them.
 */
export function addressBook(tables: readonly Table[], problem: (e: Entry, msg: string) => void): AddressBook {
  const table = (path: string) => tables.find((t) => t.path === path)?.entries ?? [];
  const vips = new Map<string, Vip>();
  const make = (family: 4 | 6): Lookup<IntervalSet> => {
    const sfx = family === 4 ? "" : "6";
    const objects = new Map(table(`firewall address${sfx}`).map((e) => [e.name, e]));
    const groups = new Map(
      [...table(`firewall addrgrp${sfx}`), ...table(`firewall vipgrp${sfx}`)].map((e) => [e.name, e]),
    );
    for (const e of table(`firewall vip${sfx}`)) {
      const v = vipOf(e, family);
      if (v) vips.set(e.name, v);
      else
        problem(e, `VIP ${e.name}: extip/mappedip (and extport/mappedport with portforward) not understood`);
    }
    const builtin: Record<string, IntervalSet> =
      family === 4
        ? lookupTable({ all: ALL_V4, none: IntervalSet.of(0n) })
        : lookupTable({ all: ALL_V6, none: subnetSet(["::/128"])! });
    const cache = new Map<string, Resolved<IntervalSet> | undefined>();
    const resolve = (name: string, seen: Set<string>): Resolved<IntervalSet> | undefined => {
      if (cache.has(name)) return cache.get(name);
      let r: Resolved<IntervalSet> | undefined;
      const obj = objects.get(name);
      const group = groups.get(name);
      const vip = vips.get(name);
      if (obj) r = addressOf(obj, family);
      else if (vip && vip.family === family) r = exact(vip.mapped);
      else if (group && !seen.has(name)) {
        const inner = new Set([...seen, name]);
        const members = (k: string) =>
          (group.settings.get(k)?.values ?? []).map((m) => ({ m, r: resolve(m, inner) }));
        const parts = members("member");
        const excluded =
          group.settings.get("exclude")?.values[0] === "enable" ? members("exclude-member") : [];
        const missing = [...parts, ...excluded].filter((p) => !p.r);
        if (missing.length > 0) return undefined;
        let set = parts.reduce((s, p) => s.union(p.r!.value), IntervalSet.EMPTY);
        for (const x of excluded) set = set.subtract(x.r!.value);
        r = {
          value: set,
          approximations: [...parts, ...excluded].flatMap((p) => p.r!.approximations),
        };
        // An excluded over-approximated member makes the group an under-approximation: still
        // approximate, which is what the note says.
      } else if (builtin[name]) r = exact(builtin[name]);
      cache.set(name, r);
      return r;
    };
    return (name) => resolve(name, new Set());
  };
  return { v4: make(4), v6: make(6), vips };
}

/** Services as packet spaces over proto, sport, dport (the rest of the box is any). */
export type ServiceBook = Lookup<Space>;

/** `dlo[-dhi][:slo[-shi]]` → [dport, sport]; undefined when malformed. */
export function portRange(text: string): [IntervalSet, IntervalSet] | undefined {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?(?::(\d{1,5})(?:-(\d{1,5}))?)?$/.exec(text);
  if (!m) return undefined;
  const d = [Number(m[1]), Number(m[2] ?? m[1])] as const;
  // No source range: any source port (FortiOS writes the default as 1-65535; port 0 is no real
  // TCP/UDP source port, so any and 1-65535 decide every real packet alike).
  const s = m[3] === undefined ? ([0, 65535] as const) : ([Number(m[3]), Number(m[4] ?? m[3])] as const);
  if (d[1] > 65535 || s[1] > 65535 || d[0] > d[1] || s[0] > s[1]) return undefined;
  return [IntervalSet.of(d[0], d[1]), IntervalSet.of(s[0], s[1])];
}

function serviceOf(e: Entry): Resolved<Space> | undefined {
  const get = (k: string) => e.settings.get(k)?.values;
  const protocol = (get("protocol")?.[0] ?? "TCP/UDP/SCTP").toUpperCase();
  const notes: string[] = [];
  if (get("iprange") && get("iprange")![0] !== "0.0.0.0")
    notes.push(
      `service ${e.name} is limited to destinations ${get("iprange")![0]}: taken as any destination`,
    );
  if (get("fqdn"))
    notes.push(`service ${e.name} is limited to destination ${get("fqdn")![0]}: taken as any destination`);
  const boxes: Box[] = [];
  switch (protocol) {
    case "TCP/UDP/SCTP":
    case "TCP/UDP/UDP-LITE/SCTP": {
      for (const [key, proto] of [
        ["tcp-portrange", 6],
        ["udp-portrange", 17],
        ["sctp-portrange", 132],
        ["udplite-portrange", 136],
      ] as const)
        for (const r of get(key) ?? []) {
          const p = portRange(r);
          if (!p) return undefined;
          boxes.push(makeBox({ proto: IntervalSet.of(proto), dport: p[0], sport: p[1] }));
        }
      break;
    }
    case "ICMP":
    case "ICMP6": {
      const proto = protocol === "ICMP" ? 1 : 58;
      const type = get("icmptype")?.[0];
      const code = get("icmpcode")?.[0];
      const dport =
        type === undefined
          ? IntervalSet.of(0, 65535)
          : code === undefined
            ? IntervalSet.of(Number(type) * 256, Number(type) * 256 + 255)
            : IntervalSet.of(Number(type) * 256 + Number(code));
      boxes.push(makeBox({ proto: IntervalSet.of(proto), dport }));
      break;
    }
    case "IP": {
      const n = Number(get("protocol-number")?.[0] ?? 0);
      boxes.push(makeBox({ proto: n === 0 ? IntervalSet.of(0, 255) : IntervalSet.of(n) }));
      break;
    }
    case "ALL":
      boxes.push(makeBox({}));
      break;
    default:
      return {
        value: Space.ANY,
        approximations: [`service ${e.name} has protocol ${protocol}: taken as any packet`],
      };
  }
  return { value: Space.fromBoxes(boxes), approximations: notes };
}

/**
 * The shipped defaults, parsed once, when a FortiOS configuration first needs them (constant data;
 * not at load: every audit loads this reader, ~1 ms of its start, issue 21).
 */
let defaults: { custom: Map<string, Entry>; groups: Map<string, Entry> } | undefined;
function fortiosDefaults(): { custom: Map<string, Entry>; groups: Map<string, Entry> } {
  if (defaults === undefined) {
    const { tables } = parseFortiosCli("(FortiOS predefined services)", PREDEFINED_SERVICES);
    const of = (p: string) =>
      new Map((tables.find((t) => t.path === p)?.entries ?? []).map((e) => [e.name, e]));
    defaults = { custom: of("firewall service custom"), groups: of("firewall service group") };
  }
  return defaults;
}

export function serviceBook(tables: readonly Table[]): ServiceBook {
  const of = (p: string) =>
    new Map((tables.find((t) => t.path === p)?.entries ?? []).map((e) => [e.name, e]));
  const d = fortiosDefaults();
  const custom = new Map([...d.custom, ...of("firewall service custom")]);
  const groups = new Map([...d.groups, ...of("firewall service group")]);
  const cache = new Map<string, Resolved<Space> | undefined>();
  const resolve = (name: string, seen: Set<string>): Resolved<Space> | undefined => {
    if (cache.has(name)) return cache.get(name);
    let r: Resolved<Space> | undefined;
    const c = custom.get(name);
    const g = groups.get(name);
    if (c) r = serviceOf(c);
    else if (g && !seen.has(name)) {
      const inner = new Set([...seen, name]);
      const parts = (g.settings.get("member")?.values ?? []).map((m) => resolve(m, inner));
      if (parts.some((p) => !p)) return undefined;
      r = {
        value: Space.unionAll(parts.map((p) => p!.value)),
        approximations: parts.flatMap((p) => p!.approximations),
      };
    }
    cache.set(name, r);
    return r;
  };
  return (name) => resolve(name, new Set());
}
