/**
 * pf.conf's terms (pf.conf(5) PARAMETERS; sbin/pfctl/parse.y `host`, `port_item`, `proto_item`,
 * `icmp_item`; pfctl_parser.c's ICMP names): a cursor over a statement's tokens, host lists with
 * `!` and tables, port operators, protocols and ICMP types as sets of the packet space. What pfctl
 * resolves only when loading (interface addresses, `self`, host names, tables filled at run time)
 * is an over-approximation: every address, with the reason.
 */
import { ALL_ADDRESSES, ALL_V4, ALL_V6, parseAddress, V6_BASE, type AddressParse } from "../space/address.js";
import { IntervalSet } from "../space/interval-set.js";
import { NameSet } from "../space/name-set.js";
import { lookupTable } from "./lookup.js";
import { NETBASE_PROTOCOLS, servicePort } from "./netbase.js";
import type { PfToken } from "./pf-lex.js";
import { parseProto } from "./terms.js";

export class PfSyntaxError {
  constructor(
    readonly token: PfToken | undefined,
    readonly message: string,
    readonly expected: string,
  ) {}
}

export class Cursor {
  i = 0;
  constructor(
    readonly tokens: readonly PfToken[],
    readonly end: PfToken,
  ) {}
  peek(k = 0): PfToken | undefined {
    return this.tokens[this.i + k];
  }
  is(text: string, k = 0): boolean {
    const t = this.peek(k);
    return t !== undefined && !t.quoted && t.text === text;
  }
  eat(text: string): boolean {
    if (!this.is(text)) return false;
    this.i++;
    return true;
  }
  next(expected: string): PfToken {
    const t = this.peek();
    if (!t) throw new PfSyntaxError(this.end, "the rule ends early", expected);
    this.i++;
    return t;
  }
  expect(text: string): PfToken {
    const t = this.peek();
    if (!t || t.quoted || t.text !== text)
      throw new PfSyntaxError(
        t ?? this.end,
        `expected \`${text}\`${t ? `, found \`${t.text}\`` : ""}`,
        `\`${text}\``,
      );
    this.i++;
    return t;
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }
  /** One item or a `{ a, b … }` list (commas optional), each item read by `item`. */
  list<T>(item: () => T): T[] {
    if (!this.eat("{")) return [item()];
    const out: T[] = [];
    while (!this.eat("}")) {
      if (this.eat(",")) continue;
      if (this.done()) throw new PfSyntaxError(this.end, "a `{` list is never closed", "`}`");
      out.push(item());
    }
    return out;
  }
  /** Skips a balanced `( … )` group if one follows. */
  skipParens(): void {
    if (!this.is("(")) return;
    let depth = 0;
    do {
      const t = this.next("`)`");
      if (!t.quoted) depth += t.text === "(" ? 1 : t.text === ")" ? -1 : 0;
    } while (depth > 0);
  }
}

/** A set of one dimension with, when pfctl resolves it only at load time, why it is wider. */
export interface Term<S> {
  set: S;
  approx: string[];
}

export interface Table {
  set: IntervalSet;
  approx: string[];
}

const FAMILY_ALL = { 4: ALL_V4, 6: ALL_V6 } as const;

/**
 * An interface or group name as `on` matches it. A name ending in a digit is an interface; any
 * other a group (ifconfig(8) GROUPS), whose members are known only on the host, except `lo`, the
 * loopback group: the engine names loopback `lo` (audit/flows.ts), so `lo` and OpenBSD's `lo0` are
 * that name.
 */
export function interfaceTerm(name: string): Term<NameSet> {
  if (name === "lo" || name === "lo0") return { set: NameSet.of("lo"), approx: [] };
  if (/\d$/.test(name)) return { set: NameSet.of(name), approx: [] };
  return {
    set: NameSet.ALL,
    approx: [`interface group ${name} (its member interfaces are known only on the host)`],
  };
}

/** `on if`, `on ! if`, `on { a b }`. */
export function readInterfaces(c: Cursor): Term<NameSet> {
  const items = c.list(() => {
    const neg = c.eat("!");
    const t = c.next("an interface name");
    return { neg, term: interfaceTerm(t.text) };
  });
  let set = NameSet.EMPTY;
  const approx: string[] = [];
  for (const { neg, term } of items) {
    approx.push(...term.approx);
    set = set.union(term.approx.length > 0 ? NameSet.ALL : neg ? term.set.complement() : term.set);
  }
  return { set, approx };
}

export interface HostTerm {
  set: IntervalSet;
  approx: string[];
  /** Families the addresses fix (pfctl sets the rule's af from them). */
  families: Set<4 | 6>;
  /** `self` among the items (`neg`: `! self`): the firewall's own addresses, by direction. */
  self?: "pos" | "neg";
}

/**
 * An address or CIDR as pfctl takes it: host bits under the mask are ignored (pf compares the
 * masked address), so `ff02::1/16` is ff02::/16.
 */
export function pfAddress(w: string): AddressParse {
  if (/^any[46]?$/.test(w)) return { ok: false, expected: "an address" };
  const a = parseAddress(w);
  if (a.ok) return a;
  const m = /^([^/]+)\/(\d{1,3})$/.exec(w);
  const base = m ? parseAddress(m[1]!) : undefined;
  if (!m || !base?.ok) return a;
  const v6 = m[1]!.includes(":");
  const bits = v6 ? 128 : 32;
  const len = Number(m[2]);
  if (len > bits) return a;
  const v = base.set.min()!;
  const offset = v6 ? V6_BASE : 0n;
  const span = 1n << BigInt(bits - len);
  const start = v - ((v - offset) % span);
  return { ok: true, set: IntervalSet.of(start, start + span - 1n) };
}

const ADDRESS_MODIFIERS = /^(.+?)(:network|:broadcast|:peer|:0)$/;

/** One host of a `from`/`to` (without `!`): the set, or why the set is approximated. */
function hostItem(c: Cursor, tables: ReadonlyMap<string, Table>): HostTerm {
  const t = c.next("an address, `any`, `self`, `<table>` or an interface");
  const exact = (set: IntervalSet, fam?: 4 | 6): HostTerm => ({
    set,
    approx: [],
    families: new Set(fam ? [fam] : []),
  });
  const wide = (why: string): HostTerm => ({ set: ALL_ADDRESSES, approx: [why], families: new Set() });
  if (!t.quoted && t.text === "<") {
    const name = c.next("a table name").text;
    c.expect(">");
    const table = tables.get(name);
    if (!table) return wide(`table <${name}> (not defined in this file: its addresses are set at run time)`);
    return { set: table.set, approx: [...table.approx], families: new Set() };
  }
  if (!t.quoted && t.text === "(") {
    const name = c.next("an interface name").text;
    c.expect(")");
    return wide(`(${name}) (the interface's addresses, known only on the host)`);
  }
  const w = t.text;
  if (w === "any") return exact(ALL_ADDRESSES);
  if (w === "self") return { set: IntervalSet.EMPTY, approx: [], families: new Set(), self: "pos" };
  if (w === "no-route" || w === "urpf-failed") return wide(`${w} (decided by the routing table)`);
  if (w === "route") {
    c.next("a route label");
    return wide("route label (decided by the routing table)");
  }
  if (c.is("-") && c.peek(1)) {
    c.i++;
    const hi = c.next("the range's last address").text;
    const a = parseAddress(`${w}-${hi}`);
    if (!a.ok) throw new PfSyntaxError(t, `bad address range ${w} - ${hi}`, a.expected);
    return exact(a.set, w.includes(":") ? 6 : 4);
  }
  const a = pfAddress(w);
  if (a.ok) return exact(a.set, w.includes(":") ? 6 : 4);
  if (/^[0-9.]+(\/\d+)?$/.test(w) || /^[0-9a-f:]*:[0-9a-f:.]*(\/\d+)?$/i.test(w))
    throw new PfSyntaxError(t, `bad address ${w}`, a.expected);
  const mod = ADDRESS_MODIFIERS.exec(w);
  const base = mod ? mod[1]! : w.replace(/\/\d+$/, "");
  if (/\d$/.test(base) || mod || !base.includes("."))
    return wide(`${w} (the addresses of interface or group ${base}, known only on the host)`);
  return wide(`${w} (a host name pfctl resolves when loading)`);
}

/** `any`, a host, `! host`, `{ host, ! host … }`: the union of the items (pfctl expands lists). */
export function readHosts(c: Cursor, tables: ReadonlyMap<string, Table>): HostTerm {
  const items = c.list(() => {
    const neg = c.eat("!");
    return { neg, item: hostItem(c, tables) };
  });
  let set = IntervalSet.EMPTY;
  const approx: string[] = [];
  const families = new Set<4 | 6>();
  let self: HostTerm["self"];
  // Plain items are gathered and built at once: a list of thousands stays linear.
  const plain: Array<readonly [bigint, bigint]> = [];
  for (const { neg, item } of items) {
    approx.push(...item.approx);
    if (item.self) {
      self = neg ? "neg" : "pos";
      continue;
    }
    for (const f of item.families) families.add(f);
    if (item.approx.length > 0) set = set.union(ALL_ADDRESSES);
    else if (!neg) for (const iv of item.set.intervals) plain.push(iv);
    else {
      // `! 10.0.0.0/8` is inet only (pfctl takes the af from the address); a table's complement is
      // in both families.
      const fam = [...item.families][0];
      const universe = fam ? FAMILY_ALL[fam] : ALL_ADDRESSES;
      set = set.union(universe.subtract(item.set));
    }
  }
  if (plain.length > 0) set = set.union(IntervalSet.from(plain));
  return { set, approx, families, ...(self ? { self } : {}) };
}

/**
 * A table's entries, longest prefix first wins (`!` entries exclude): pf's radix lookup. Applied
 * level by level from the shortest prefix (entries of one length are equal or disjoint), each
 * level's sets built at once: a blocklist of many thousand entries stays linear.
 */
export function tableSet(
  entries: ReadonlyArray<{ neg: boolean; set: IntervalSet; prefix: number }>,
): IntervalSet {
  const levels = new Map<
    number,
    { pos: Array<readonly [bigint, bigint]>; neg: Array<readonly [bigint, bigint]> }
  >();
  for (const e of entries) {
    const level = levels.get(e.prefix) ?? { pos: [], neg: [] };
    levels.set(e.prefix, level);
    for (const iv of e.set.intervals) (e.neg ? level.neg : level.pos).push(iv);
  }
  let set = IntervalSet.EMPTY;
  for (const prefix of [...levels.keys()].sort((a, b) => a - b)) {
    const { pos, neg } = levels.get(prefix)!;
    if (pos.length > 0) set = set.union(IntervalSet.from(pos));
    if (neg.length > 0) set = set.subtract(IntervalSet.from(neg));
  }
  return set;
}

/** Port names not in Debian netbase's services (another system's /etc/services may have them). */
export interface PortNotes {
  approx: string[];
}

function portNumber(t: PfToken, protos: readonly string[], notes?: PortNotes): number | undefined {
  if (/^\d+$/.test(t.text)) {
    const n = Number(t.text);
    if (n > 65535) throw new PfSyntaxError(t, `port ${t.text} above 65535`, "a port 0-65535");
    return n;
  }
  // pfctl's getservice: the name as a tcp service, else as a udp one.
  const order = protos.includes("tcp") || !protos.includes("udp") ? ["tcp", "udp"] : ["udp", "tcp"];
  for (const p of order) {
    const n = servicePort(t.text, p as "tcp" | "udp");
    if (n !== undefined) return n;
  }
  if (notes && /^[A-Za-z][\w.-]*$/.test(t.text)) {
    notes.approx.push(`port ${t.text} (not a service in Debian netbase's /etc/services: read as every port)`);
    return undefined;
  }
  throw new PfSyntaxError(
    t,
    `unknown port name ${t.text}`,
    "a port number or a service name of /etc/services",
  );
}

const FULL_PORTS = IntervalSet.of(0, 65535);

/** One port item: `N`, `name`, `op N`, `a:b`, `a >< b`, `a <> b`; an unknown name: every port. */
function portItem(c: Cursor, protos: readonly string[], notes?: PortNotes): IntervalSet {
  const num = (t: PfToken) => portNumber(t, protos, notes);
  const op = c.peek();
  if (op && !op.quoted && ["=", "!=", "<", "<=", ">", ">="].includes(op.text)) {
    c.i++;
    const n = num(c.next("a port"));
    if (n === undefined) return FULL_PORTS;
    switch (op.text) {
      case "=":
        return IntervalSet.of(n);
      case "!=":
        return FULL_PORTS.subtract(IntervalSet.of(n));
      case "<":
        return n === 0 ? IntervalSet.EMPTY : IntervalSet.of(0, n - 1);
      case "<=":
        return IntervalSet.of(0, n);
      case ">":
        return n === 65535 ? IntervalSet.EMPTY : IntervalSet.of(n + 1, 65535);
      default:
        return IntervalSet.of(n, 65535);
    }
  }
  const t = c.next("a port");
  const range = /^([^:]+):([^:]+)$/.exec(t.text);
  if (range) {
    const lo = num({ ...t, text: range[1]! });
    const hi = num({ ...t, text: range[2]! });
    if (lo === undefined || hi === undefined) return FULL_PORTS;
    return lo <= hi ? IntervalSet.of(lo, hi) : IntervalSet.EMPTY;
  }
  const lo = num(t);
  if (c.is("><") || c.is("<>") || c.is(":")) {
    const kind = c.next("an operator").text;
    const hi = num(c.next("the range's last port"));
    if (lo === undefined || hi === undefined) return FULL_PORTS;
    if (kind === ":") return lo <= hi ? IntervalSet.of(lo, hi) : IntervalSet.EMPTY;
    const inside = hi - lo > 1 ? IntervalSet.of(lo + 1, hi - 1) : IntervalSet.EMPTY;
    if (kind === "><") return inside;
    return FULL_PORTS.subtract(IntervalSet.of(lo, hi));
  }
  return lo === undefined ? FULL_PORTS : IntervalSet.of(lo);
}

/** `port …` after a host: the union of the items. */
export function readPorts(c: Cursor, protos: readonly string[], notes?: PortNotes): IntervalSet {
  return IntervalSet.from(c.list(() => portItem(c, protos, notes)).flatMap((p) => [...p.intervals]));
}

/** `proto tcp`, `proto { tcp udp }`, numbers. */
/**
 * Protocol names of the BSDs' /etc/protocols that Debian's netbase lacks (pfctl resolves names on
 * the firewall; pfSense writes `proto carp` and `proto pfsync`): `carp 112 CARP vrrp`,
 * `pfsync 240 PFSYNC`.
 */
const BSD_PROTOCOLS: Record<string, number> = lookupTable({ carp: 112, pfsync: 240 });

export function readProtos(c: Cursor): { set: IntervalSet; names: string[] } {
  let set = IntervalSet.EMPTY;
  const names: string[] = [];
  for (const t of c.list(() => c.next("a protocol"))) {
    const name = t.text.toLowerCase();
    const n =
      parseProto(name) ??
      (Object.hasOwn(NETBASE_PROTOCOLS, name) ? IntervalSet.of(NETBASE_PROTOCOLS[name]!) : undefined) ??
      (BSD_PROTOCOLS[name] !== undefined ? IntervalSet.of(BSD_PROTOCOLS[name]) : undefined);
    if (!n)
      throw new PfSyntaxError(
        t,
        `unknown protocol ${t.text}`,
        "a protocol name of /etc/protocols or a number",
      );
    set = set.union(n);
    const num = Number(n.min());
    names.push(num === 6 ? "tcp" : num === 17 ? "udp" : name);
  }
  return { set, names };
}

/** pfctl_parser.c `icmp_type` and `icmp6_type`. */
const ICMP4 = lookupTable({
  echorep: 0,
  unreach: 3,
  squench: 4,
  redir: 5,
  althost: 6,
  echoreq: 8,
  routeradv: 9,
  routersol: 10,
  timex: 11,
  paramprob: 12,
  timereq: 13,
  timerep: 14,
  inforeq: 15,
  inforep: 16,
  maskreq: 17,
  maskrep: 18,
  trace: 30,
  dataconv: 31,
  mobredir: 32,
  "ipv6-where": 33,
  "ipv6-here": 34,
  mobregreq: 35,
  mobregrep: 36,
  skip: 39,
  photuris: 40,
});
const ICMP6 = lookupTable({
  unreach: 1,
  toobig: 2,
  timex: 3,
  paramprob: 4,
  echoreq: 128,
  echorep: 129,
  groupqry: 130,
  listqry: 130,
  grouprep: 131,
  listenrep: 131,
  groupterm: 132,
  listendone: 132,
  routersol: 133,
  routeradv: 134,
  neighbrsol: 135,
  neighbradv: 136,
  redir: 137,
  routrrenum: 138,
  wrureq: 139,
  fqdnreq: 139,
  niqry: 139,
  wrurep: 140,
  fqdnrep: 140,
  nirep: 140,
  listenrepv2: 143,
  mtraceresp: 200,
  mtrace: 201,
});

/**
 * `icmp-type t [code c]` / `icmp6-type …`, one or a list: types on the dport axis (type·256+code,
 * space/box.ts). A code by name is read as every code of the type (approximated).
 */
export function readIcmpTypes(c: Cursor, v6: boolean): Term<IntervalSet> {
  const names = v6 ? ICMP6 : ICMP4;
  let set = IntervalSet.EMPTY;
  const approx: string[] = [];
  for (const { type, code } of c.list(() => {
    const type = c.next("an ICMP type");
    const code = c.eat("code") ? c.next("an ICMP code") : undefined;
    return { type, code };
  })) {
    const n = /^\d+$/.test(type.text) ? Number(type.text) : names[type.text];
    if (n === undefined || n > 255)
      throw new PfSyntaxError(
        type,
        `unknown ICMP${v6 ? "v6" : ""} type ${type.text}`,
        "an ICMP type name or number",
      );
    if (code && /^\d+$/.test(code.text) && Number(code.text) <= 255)
      set = set.union(IntervalSet.of(n * 256 + Number(code.text)));
    else {
      if (code) approx.push(`icmp code ${code.text} (read as every code of the type)`);
      set = set.union(IntervalSet.of(n * 256, n * 256 + 255));
    }
  }
  return { set, approx };
}
