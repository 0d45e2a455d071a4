/**
 * Cisco ASA reader, vendor half: `show running-config` text → interfaces, resolved access-lists and
 * their access-group bindings. Object groups (network, service, protocol) and objects are resolved
 * to exact sets; a clause the reader cannot model exactly (time-range, fqdn objects, user/identity
 * matches, security-group tags) is reported with its line, never dropped in silence — Batfish's ASA
 * reader silently drops port clauses of protocol object-groups (batfish#5984).
 * Syntax: Cisco ASA Series Command Reference (access-list extended, object-group, access-group).
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { parseAddress, ALL_ADDRESSES, ALL_V4, ALL_V6 } from "../space/address.js";
import { IntervalSet } from "../space/interval-set.js";
import { ALL_PORTS, ALL_PROTOCOLS, PROTO } from "../space/port.js";
import { ASA_ICMP6_TYPES, ASA_ICMP_TYPES, ASA_PORTS, ASA_PROTOCOLS } from "./asa-names.js";

/** One protocol/ports combination of a service; an ACE's match is a union of these × src × dst. */
export interface AsaService {
  proto: IntervalSet;
  sport: IntervalSet;
  dport: IntervalSet;
}

export interface AsaAce {
  acl: string;
  action: "permit" | "deny";
  services: AsaService[];
  src: IntervalSet;
  dst: IntervalSet;
  /** `inactive` ACEs match nothing; kept so dead-rule reports can name them. */
  inactive: boolean;
  line: number;
  text: string;
  /** Clauses read approximately (time-range: analysed as always active). */
  approx: string[];
}

/**
 * One NAT rule (object NAT inside `object network`, or twice NAT `nat (real,mapped) source …`).
 * `real` are the addresses on the real interface's side, `mapped` what they are translated to on
 * the mapped interface's side (undefined: the interface's own or a pool, unknown here). `approx`
 * names what is not modelled (port translation, destination translation, …).
 */
export interface AsaNat {
  kind: "static" | "dynamic";
  realIf: string;
  mappedIf: string;
  real: IntervalSet;
  mapped: IntervalSet | undefined;
  approx: string[];
  line: number;
  text: string;
}

export interface AsaInterface {
  /** The `nameif`, which access-group and the topology's zones use. */
  name: string;
  hardware: string;
  securityLevel: number | undefined;
  addresses: IntervalSet;
}

export interface AsaBinding {
  acl: string;
  direction: "in" | "out" | "global";
  iface?: string;
  line: number;
}

export interface AsaConfig {
  interfaces: AsaInterface[];
  acls: Map<string, AsaAce[]>;
  bindings: AsaBinding[];
  nats: AsaNat[];
  /** `same-security-traffic permit inter-interface` is configured. */
  sameSecurityPermitted: boolean;
}

type Block =
  | { kind: "network"; name: string; set: IntervalSet }
  | {
      kind: "service";
      name: string;
      services: AsaService[];
      portsOnly: IntervalSet | undefined;
      protoOfPorts: IntervalSet | undefined;
    }
  | { kind: "protocol"; name: string; set: IntervalSet }
  /** `object-group icmp-type`: ICMP types as the dport dimension's type·256+code. */
  | { kind: "icmp"; name: string; set: IntervalSet }
  | { kind: "interface"; iface: AsaInterface }
  | { kind: "ignored" };

class Tokens {
  i = 0;
  constructor(readonly t: string[]) {}
  peek(): string | undefined {
    return this.t[this.i];
  }
  next(): string | undefined {
    return this.t[this.i++];
  }
  done(): boolean {
    return this.i >= this.t.length;
  }
}

export function parseCiscoAsa(file: string, text: string): { config: AsaConfig; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const networks = new Map<string, IntervalSet>();
  const services = new Map<string, Extract<Block, { kind: "service" }>>();
  const protocols = new Map<string, IntervalSet>();
  const icmpGroups = new Map<string, IntervalSet>();
  const config: AsaConfig = {
    interfaces: [],
    acls: new Map(),
    bindings: [],
    nats: [],
    sameSecurityPermitted: false,
  };
  let block: Block = { kind: "ignored" };
  const lines = text.split(/\r?\n/);

  lines.forEach((raw, idx) => {
    const line = idx + 1;
    const at = { file, line, col: raw.length - raw.trimStart().length + 1 };
    const problem = (
      code: string,
      message: string,
      expected?: string,
      severity: "error" | "warning" = "error",
    ): void => {
      diagnostics.push(diag(code, severity, message, { at, expected }));
    };
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("!") || trimmed.startsWith(":")) return;
    const tk = new Tokens(trimmed.split(/\s+/));
    const ctx: Ctx = {
      icmpGroups,
      networks,
      services,
      protocols,
      problem,
      interfaces: config.interfaces,
      nats: config.nats,
      line,
      text: trimmed,
    };

    if (/^\s/.test(raw)) {
      subcommand(block, tk, ctx);
      // Objects are defined before use on an ASA: keep the lookup tables current line by line.
      if (block.kind === "network") networks.set(block.name, block.set);
      if (block.kind === "protocol") protocols.set(block.name, block.set);
      if (block.kind === "icmp") icmpGroups.set(block.name, block.set);
      return;
    }
    const head = tk.next()!;
    block = { kind: "ignored" };
    if (head === "interface") {
      const iface: AsaInterface = {
        name: "",
        hardware: tk.next() ?? "",
        securityLevel: undefined,
        addresses: IntervalSet.EMPTY,
      };
      config.interfaces.push(iface);
      block = { kind: "interface", iface };
    } else if (head === "object" || head === "object-group") {
      block = objectHeader(head, tk, ctx);
      // A running-config prints an object's object NAT in a second `object network` block of the
      // same name: it adds to the object, it does not empty it.
      if (block.kind === "network") {
        block.set = networks.get(block.name) ?? IntervalSet.EMPTY;
        networks.set(block.name, block.set);
      }
      if (block.kind === "service") services.set(block.name, block);
      if (block.kind === "protocol") protocols.set(block.name, IntervalSet.EMPTY);
      if (block.kind === "icmp") icmpGroups.set(block.name, IntervalSet.EMPTY);
    } else if (head === "access-list") {
      const ace = accessListLine(tk, ctx, line, trimmed);
      if (ace) config.acls.set(ace.acl, [...(config.acls.get(ace.acl) ?? []), ace]);
    } else if (head === "access-group") {
      const acl = tk.next();
      const dir = tk.next();
      if (!acl || (dir !== "in" && dir !== "out" && dir !== "global"))
        return problem(
          "asa-syntax",
          "malformed access-group",
          "access-group NAME in|out interface IF, or access-group NAME global",
        );
      if (dir === "global") config.bindings.push({ acl, direction: "global", line });
      else {
        if (tk.next() !== "interface")
          return problem("asa-syntax", "malformed access-group", "access-group NAME in|out interface IF");
        config.bindings.push({ acl, direction: dir, iface: tk.next() ?? "", line });
      }
    } else if (trimmed === "same-security-traffic permit inter-interface")
      config.sameSecurityPermitted = true;
    // Twice NAT: `nat (real,mapped) [after-auto] [N] source static|dynamic REAL MAPPED …`.
    else if (head === "nat") natLine(tk, ctx, undefined);
    // Pre-8.3 `static`/`global` NAT: other syntax, other semantics (ACLs on mapped addresses).
    else if (head === "static" || head === "global")
      problem(
        "asa-unsupported",
        `"${head}" (NAT before ASA 8.3) is not modelled: it may change which rule sees a packet`,
        "object NAT or twice NAT (ASA 8.3 and later)",
      );
  });
  for (const b of config.bindings) {
    if (!config.acls.has(b.acl))
      diagnostics.push(
        diag("asa-reference", "error", `access-group names undefined access-list "${b.acl}"`, {
          at: { file, line: b.line, col: 1 },
        }),
      );
  }
  return { config, diagnostics };
}

interface Ctx {
  icmpGroups: Map<string, IntervalSet>;
  networks: Map<string, IntervalSet>;
  services: Map<string, Extract<Block, { kind: "service" }>>;
  protocols: Map<string, IntervalSet>;
  interfaces: AsaInterface[];
  nats: AsaNat[];
  line: number;
  text: string;
  problem: (code: string, message: string, expected?: string, severity?: "error" | "warning") => void;
}

function objectHeader(head: string, tk: Tokens, ctx: Ctx): Block {
  const type = tk.next();
  const name = tk.next() ?? "";
  if (type === "network") return { kind: "network", name, set: IntervalSet.EMPTY };
  if (type === "protocol") return { kind: "protocol", name, set: IntervalSet.EMPTY };
  if (type === "icmp-type") return { kind: "icmp", name, set: IntervalSet.EMPTY };
  if (type === "service") {
    // `object-group service NAME tcp|udp|tcp-udp` holds port-objects of that protocol.
    const p = tk.next();
    const protoOfPorts = p === undefined ? undefined : serviceProtocol(p);
    if (p !== undefined && !protoOfPorts)
      ctx.problem("asa-syntax", `unknown service group protocol "${p}"`, "tcp, udp or tcp-udp");
    return {
      kind: "service",
      name,
      services: [],
      portsOnly: protoOfPorts ? IntervalSet.EMPTY : undefined,
      protoOfPorts,
    };
  }
  ctx.problem(
    "asa-unsupported",
    `${head} ${type ?? ""} is not modelled; rules that use "${name}" are reported`,
    "network, service or protocol",
    "warning",
  );
  return { kind: "ignored" };
}

function serviceProtocol(p: string): IntervalSet | undefined {
  if (p === "tcp") return IntervalSet.of(PROTO.tcp);
  if (p === "udp") return IntervalSet.of(PROTO.udp);
  if (p === "tcp-udp")
    return IntervalSet.from([
      [PROTO.tcp, PROTO.tcp],
      [PROTO.udp, PROTO.udp],
    ]);
  return undefined;
}

function subcommand(block: Block, tk: Tokens, ctx: Ctx): void {
  const cmd = tk.next()!;
  switch (block.kind) {
    case "interface":
      if (cmd === "nameif") block.iface.name = tk.next() ?? "";
      else if (cmd === "security-level") block.iface.securityLevel = Number(tk.next());
      else if (cmd === "ip" && tk.peek() === "address") {
        tk.next();
        // `ip address A MASK`: the interface's own host address A (the mask only sizes its subnet).
        const a = parseAddress(tk.next() ?? "");
        if (a.ok) block.iface.addresses = block.iface.addresses.union(a.set);
      } else if (cmd === "ipv6" && tk.peek() === "address") {
        tk.next();
        const r = parseAddress((tk.next() ?? "").split("/")[0] ?? "");
        if (r.ok) block.iface.addresses = block.iface.addresses.union(r.set);
      }
      return;
    case "network": {
      if (cmd === "description") return;
      if (cmd === "network-object" || cmd === "host" || cmd === "subnet" || cmd === "range") {
        if (cmd !== "network-object") tk.i--;
        const a = cmd === "range" ? range(tk, ctx) : address(tk, ctx);
        if (a) block.set = block.set.union(a);
      } else if (cmd === "group-object")
        block.set = block.set.union(lookup(ctx.networks, tk.next(), "network object-group", ctx));
      else if (cmd === "nat") natLine(tk, ctx, block.set);
      else if (cmd === "fqdn")
        ctx.problem(
          "asa-unsupported",
          "fqdn network objects are resolved by DNS at run time and are not modelled",
          undefined,
          "warning",
        );
      else
        ctx.problem(
          "asa-syntax",
          `unexpected "${cmd}" in a network object`,
          "network-object, host, subnet, range or group-object",
        );
      return;
    }
    case "protocol":
      if (cmd === "protocol-object") {
        const p = protocolSet(tk.next(), ctx);
        if (p) block.set = block.set.union(p);
      } else if (cmd === "group-object")
        block.set = block.set.union(lookup(ctx.protocols, tk.next(), "protocol object-group", ctx));
      else if (cmd !== "description")
        ctx.problem(
          "asa-syntax",
          `unexpected "${cmd}" in a protocol object-group`,
          "protocol-object or group-object",
        );
      return;
    case "service":
      serviceLine(block, cmd, tk, ctx);
      return;
    case "icmp":
      if (cmd === "icmp-object") {
        const t = icmpType(IntervalSet.of(PROTO.icmp), tk, ctx);
        if (t) block.set = block.set.union(t);
      } else if (cmd === "group-object")
        block.set = block.set.union(lookup(ctx.icmpGroups, tk.next(), "icmp-type object-group", ctx));
      else if (cmd !== "description")
        ctx.problem(
          "asa-syntax",
          `unexpected "${cmd}" in an icmp-type object-group`,
          "icmp-object or group-object",
        );
      return;
    case "ignored":
      return;
  }
}

function serviceLine(block: Extract<Block, { kind: "service" }>, cmd: string, tk: Tokens, ctx: Ctx): void {
  if (cmd === "description") return;
  if (cmd === "port-object" && block.protoOfPorts) {
    const ports = portClause(tk, ctx);
    if (ports) {
      block.portsOnly = block.portsOnly!.union(ports);
      block.services.push({ proto: block.protoOfPorts, sport: ALL_PORTS, dport: ports });
    }
  } else if (cmd === "service-object" || cmd === "service") {
    if (tk.peek() === "object") {
      tk.next();
      block.services.push(...(ctx.services.get(tk.next() ?? "")?.services ?? []));
      return;
    }
    const word = tk.next();
    const proto = word === undefined ? undefined : (serviceProtocol(word) ?? protocolSet(word, ctx));
    if (!proto) return;
    const icmp = icmpType(proto, tk, ctx);
    if (icmp === null) return;
    if (icmp) return void block.services.push({ proto, sport: ALL_PORTS, dport: icmp });
    let sport = ALL_PORTS;
    let dport = ALL_PORTS;
    while (!tk.done()) {
      const w = tk.peek();
      if (w === "source" || w === "destination") tk.next();
      const ports = portClause(tk, ctx);
      if (!ports) return;
      if (w === "source") sport = ports;
      else dport = ports;
    }
    block.services.push({ proto, sport, dport });
  } else if (cmd === "group-object") {
    const g = ctx.services.get(tk.next() ?? "");
    if (!g) return ctx.problem("asa-reference", "undefined service object-group in group-object");
    block.services.push(...g.services);
    if (block.portsOnly && g.portsOnly) block.portsOnly = block.portsOnly.union(g.portsOnly);
  } else
    ctx.problem(
      "asa-syntax",
      `unexpected "${cmd}" in a service object`,
      "port-object, service-object, service or group-object",
    );
}

function lookup(
  map: Map<string, IntervalSet>,
  name: string | undefined,
  what: string,
  ctx: Ctx,
): IntervalSet {
  const v = map.get(name ?? "");
  if (v === undefined)
    ctx.problem("asa-reference", `undefined ${what} "${name ?? ""}"`, `a ${what} defined above its use`);
  return v ?? IntervalSet.EMPTY;
}

function protocolSet(word: string | undefined, ctx: Ctx): IntervalSet | undefined {
  if (word === "ip") return ALL_PROTOCOLS;
  if (word !== undefined && /^\d+$/.test(word) && Number(word) <= 255) return IntervalSet.of(Number(word));
  const n = word === undefined ? undefined : ASA_PROTOCOLS[word];
  if (n !== undefined) return IntervalSet.of(n);
  ctx.problem(
    "asa-syntax",
    `unknown protocol "${word ?? ""}"`,
    "ip, tcp, udp, icmp, a protocol name or number 0-255",
  );
  return undefined;
}

function portNumber(word: string | undefined, ctx: Ctx): number | undefined {
  if (word !== undefined && /^\d+$/.test(word) && Number(word) <= 65535) return Number(word);
  const n = word === undefined ? undefined : ASA_PORTS[word];
  if (n === undefined)
    ctx.problem("asa-syntax", `unknown port "${word ?? ""}"`, "a port number 0-65535 or an ASA port name");
  return n;
}

/** eq/neq/lt/gt/range → a port set. */
function portClause(tk: Tokens, ctx: Ctx): IntervalSet | undefined {
  const op = tk.next();
  const a = (): number | undefined => portNumber(tk.next(), ctx);
  switch (op) {
    case "eq": {
      const p = a();
      return p === undefined ? undefined : IntervalSet.of(p);
    }
    case "neq": {
      const p = a();
      return p === undefined ? undefined : ALL_PORTS.subtract(IntervalSet.of(p));
    }
    case "lt": {
      const p = a();
      return p === undefined ? undefined : IntervalSet.of(0, p - 1);
    }
    case "gt": {
      const p = a();
      return p === undefined ? undefined : IntervalSet.of(p + 1, 65535);
    }
    case "range": {
      const lo = a();
      const hi = a();
      return lo === undefined || hi === undefined ? undefined : IntervalSet.of(lo, hi);
    }
    default:
      ctx.problem(
        "asa-syntax",
        `unexpected "${op ?? "end of line"}" where a port clause belongs`,
        "eq, neq, lt, gt or range",
      );
      return undefined;
  }
}

function maskLength(mask: string): number | undefined {
  const r = parseAddress(mask);
  if (!r.ok) return undefined;
  const v = r.set.min()!;
  const bits = v.toString(2).padStart(32, "0");
  return /^1*0*$/.test(bits) ? (bits.indexOf("0") === -1 ? 32 : bits.indexOf("0")) : undefined;
}

function range(tk: Tokens, ctx: Ctx): IntervalSet | undefined {
  tk.next();
  const r = parseAddress(`${tk.next() ?? ""}-${tk.next() ?? ""}`);
  if (!r.ok) ctx.problem("asa-syntax", "malformed address range", r.expected);
  return r.ok ? r.set : undefined;
}

/** host A | A MASK | A/len | any | any4 | any6 | object N | object-group N | interface IF | subnet A MASK. */
function address(tk: Tokens, ctx: Ctx): IntervalSet | undefined {
  const w = tk.next();
  switch (w) {
    case "any":
      return ALL_ADDRESSES;
    case "any4":
      return ALL_V4;
    case "any6":
      return ALL_V6;
    case "object":
    case "object-group":
      return lookup(ctx.networks, tk.next(), w === "object" ? "network object" : "network object-group", ctx);
    case "interface": {
      const name = tk.next();
      const iface = ctx.interfaces.find((i) => i.name === name);
      if (!iface || iface.addresses.isEmpty())
        ctx.problem("asa-reference", `interface "${name ?? ""}" has no address in this configuration`);
      return iface?.addresses ?? IntervalSet.EMPTY;
    }
    case "host": {
      const r = parseAddress(tk.next() ?? "");
      if (!r.ok) ctx.problem("asa-syntax", "malformed host address", r.expected);
      return r.ok ? r.set : undefined;
    }
    case "subnet":
      return address(tk, ctx);
    default: {
      if (w === undefined)
        return (
          ctx.problem(
            "asa-syntax",
            "an address is missing",
            "any, host A, A MASK, A/len, object or object-group",
          ),
          undefined
        );
      if (w.includes("/")) {
        const r = parseAddress(w);
        if (!r.ok) ctx.problem("asa-syntax", `malformed prefix "${w}"`, r.expected);
        return r.ok ? r.set : undefined;
      }
      const len = maskLength(tk.peek() ?? "");
      const r = parseAddress(w);
      if (!r.ok || len === undefined) {
        ctx.problem(
          "asa-syntax",
          `malformed address "${w} ${tk.peek() ?? ""}"`,
          "A MASK with a contiguous mask",
        );
        return undefined;
      }
      tk.next();
      // A base with host bits set under its mask is accepted by ASA and means the network.
      const size = 1n << BigInt(32 - len);
      const base = r.set.min()! - (r.set.min()! % size);
      return IntervalSet.of(base, base + size - 1n);
    }
  }
}

function accessListLine(tk: Tokens, ctx: Ctx, line: number, text: string): AsaAce | undefined {
  const acl = tk.next() ?? "";
  const kind = tk.next();
  if (kind === "remark") return undefined;
  if (kind === "standard" || kind === "webtype" || kind === "ethertype") {
    ctx.problem("asa-unsupported", `access-list ${kind} is not modelled`, undefined, "warning");
    return undefined;
  }
  if (kind !== "extended")
    return (
      ctx.problem("asa-syntax", `unexpected "${kind ?? ""}" in access-list`, "extended, remark"),
      undefined
    );
  const action = tk.next();
  if (action !== "permit" && action !== "deny")
    return (ctx.problem("asa-syntax", `unexpected action "${action ?? ""}"`, "permit or deny"), undefined);

  // Protocol: a word, a protocol group, or a service object/group that carries its own ports.
  let svc: AsaService[] | undefined;
  let proto: IntervalSet | undefined;
  if (tk.peek() === "object-group" || tk.peek() === "object") {
    tk.next();
    const name = tk.next() ?? "";
    const s = ctx.services.get(name);
    if (s && !s.protoOfPorts) svc = s.services;
    else proto = lookup(ctx.protocols, name, "protocol or service object-group", ctx);
  } else proto = protocolSet(tk.next(), ctx);
  if (!svc && !proto) return undefined;

  const src = address(tk, ctx);
  const sport = svc ? ALL_PORTS : optionalPorts(tk, ctx);
  const dst = address(tk, ctx);
  const icmp = svc || !proto ? undefined : icmpType(proto, tk, ctx);
  if (icmp === null) return undefined;
  const dport = svc ? ALL_PORTS : (icmp ?? optionalPorts(tk, ctx));
  if (!src || !dst || !sport || !dport) return undefined;
  let inactive = false;
  const approx: string[] = [];
  while (!tk.done()) {
    const w = tk.next()!;
    if (w === "inactive") inactive = true;
    else if (w === "log") {
      while (!tk.done() && tk.peek() !== "inactive" && tk.peek() !== "time-range") tk.next();
    } else if (w === "time-range") {
      approx.push(`time-range ${tk.next() ?? ""}`.trim());
      ctx.problem(
        "asa-unsupported",
        "time-range is not modelled: this rule is analysed as always active",
        undefined,
        "warning",
      );
    } else {
      ctx.problem(
        "asa-unsupported",
        `"${w}" in an access-list entry is not modelled; the entry is left out, which may change the verdicts of the packets it matches`,
      );
      return undefined;
    }
  }
  return {
    acl,
    action,
    services: svc ?? [{ proto: proto!, sport, dport }],
    src,
    dst,
    inactive,
    line,
    text,
    approx,
  };
}

/** A port clause after an address: eq/neq/lt/gt/range, or `object-group SVC` holding port-objects. */
function optionalPorts(tk: Tokens, ctx: Ctx): IntervalSet | undefined {
  const w = tk.peek();
  if (w === "eq" || w === "neq" || w === "lt" || w === "gt" || w === "range") return portClause(tk, ctx);
  if (w === "object-group" && ctx.services.get(tk.t[tk.i + 1] ?? "")?.portsOnly) {
    tk.next();
    return ctx.services.get(tk.next()!)!.portsOnly;
  }
  return ALL_PORTS;
}

/**
 * An ICMP type (and optional code) after `icmp`/`icmp6`: as the dport dimension's type·256+code.
 * undefined: the protocol is not ICMP or no type follows; null: a problem was reported.
 */
function icmpType(proto: IntervalSet, tk: Tokens, ctx: Ctx): IntervalSet | undefined | null {
  const v6 = proto.equals(IntervalSet.of(PROTO.ipv6icmp));
  if (!v6 && !proto.equals(IntervalSet.of(PROTO.icmp))) return undefined;
  const w = tk.peek();
  if (w === undefined || w === "log" || w === "inactive" || w === "time-range") return undefined;
  if (w === "object-group") {
    tk.next();
    const name = tk.next();
    if (!ctx.icmpGroups.has(name ?? "")) {
      ctx.problem(
        "asa-reference",
        `undefined icmp-type object-group "${name ?? ""}"`,
        "an icmp-type object-group defined above its use",
      );
      return null;
    }
    return ctx.icmpGroups.get(name!)!;
  }
  const names = v6 ? ASA_ICMP6_TYPES : ASA_ICMP_TYPES;
  const type = /^\d{1,3}$/.test(w) && Number(w) <= 255 ? Number(w) : names[w];
  if (type === undefined) {
    ctx.problem(
      "asa-syntax",
      `unknown ICMP${v6 ? "v6" : ""} type "${w}"`,
      "an ICMP type literal or number 0-255",
    );
    return null;
  }
  tk.next();
  const code = tk.peek();
  if (code !== undefined && /^\d{1,3}$/.test(code) && Number(code) <= 255) {
    tk.next();
    return IntervalSet.of(type * 256 + Number(code));
  }
  return IntervalSet.of(type * 256, type * 256 + 255);
}

/**
 * `nat (real,mapped) static|dynamic TARGET …` in an object (real: the object's addresses), or twice
 * NAT `nat (real,mapped) [after-auto|after-object] [N] source static|dynamic REAL MAPPED …`.
 * Source translation only is modelled exactly; destination and port translation are approximations.
 */
function natLine(tk: Tokens, ctx: Ctx, objectSet: IntervalSet | undefined): void {
  // Without `(real,mapped)` a NAT rule applies on any interfaces.
  const ifs = (tk.peek() ?? "").startsWith("(")
    ? /^\(([^,()]+),([^,()]+)\)$/.exec(tk.next()!)
    : (["(any,any)", "any", "any"] as unknown as RegExpExecArray);
  if (!ifs) return ctx.problem("asa-syntax", "malformed nat", "nat [(REAL_IF,MAPPED_IF)] …");
  let real = objectSet;
  if (objectSet === undefined) {
    while (tk.peek() === "after-auto" || tk.peek() === "after-object" || /^\d+$/.test(tk.peek() ?? ""))
      tk.next();
    if (tk.next() !== "source")
      return ctx.problem(
        "asa-syntax",
        "malformed twice NAT",
        "nat (REAL_IF,MAPPED_IF) source static|dynamic REAL MAPPED …",
      );
  }
  const kind = tk.next();
  if (kind !== "static" && kind !== "dynamic")
    return ctx.problem("asa-syntax", `unexpected "${kind ?? ""}" in nat`, "static or dynamic");
  const approx: string[] = [];
  const target = (w: string | undefined): IntervalSet | undefined => {
    if (w === "any") return ALL_ADDRESSES;
    if (w === "interface") {
      const iface = ctx.interfaces.find((i) => i.name === ifs[2]);
      return iface && !iface.addresses.isEmpty() ? iface.addresses : undefined;
    }
    if (w === "pat-pool") {
      tk.next();
      return undefined;
    }
    const named = ctx.networks.get(w ?? "");
    if (named) return named;
    const a = parseAddress(w ?? "");
    if (a.ok) return a.set;
    ctx.problem(
      "asa-reference",
      `undefined network object "${w ?? ""}" in nat`,
      "a network object or an address",
    );
    return undefined;
  };
  if (objectSet === undefined) {
    const w = tk.next();
    real = w === "any" ? ALL_ADDRESSES : ctx.networks.get(w ?? "");
    if (!real)
      return ctx.problem("asa-reference", `undefined network object "${w ?? ""}" in nat`, "a network object");
  }
  const mapped = target(tk.next());
  while (!tk.done()) {
    const w = tk.next()!;
    if (w === "destination" || w === "service") {
      approx.push(`${w} ${tk.t.slice(tk.i).join(" ")}`.trim());
      break;
    }
    // Options that change no packet's translation here: proxy ARP, route lookup, DNS rewriting,
    // interface PAT fallback, one direction only (inbound packets then are not translated).
    if (w === "unidirectional") approx.push("unidirectional");
  }
  ctx.nats.push({
    kind,
    realIf: ifs[1]!,
    mappedIf: ifs[2]!,
    real: real!,
    mapped,
    approx,
    line: ctx.line,
    text: ctx.text,
  });
}
