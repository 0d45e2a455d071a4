/**
 * FortiOS configuration → IR (format `fortios`): `show full-configuration` or a backup file
 * (`config … / edit … / set … / next / end`). Transit traffic as a FortiGate decides it (FortiOS
 * Administration Guide, "Policies", "Address objects", "Services", "Zones", "Virtual IPs"):
 *  - stateful: packets of sessions a policy accepted pass without policies (implicit rule first);
 *  - a packet entering interface I and leaving by J is checked by the firewall policies in the
 *    order they are listed (the id does not order them); srcintf/dstintf name interfaces or zones
 *    (`config system zone`), `any` is every interface; `set status disable` policies match
 *    nothing; srcaddr/dstaddr(6) name addresses, groups (nested, `exclude-member` subtracted),
 *    `all`; `*-negate enable` complements; services are custom services and groups (nested), with
 *    `tcp-portrange DST[:SRC]` lists, `protocol IP` + protocol-number, ICMP; `action` accept, or
 *    deny (the default);
 *  - after the policies the implicit deny; within a zone with `intrazone allow`, traffic between
 *    its interfaces passes without a policy;
 *  - a destination address that is a virtual IP (`config firewall vip`) matches the external
 *    address and port the packet arrives with; the VIP's mapping and a policy's `nat enable`
 *    (egress interface address, or `ippool enable` + `poolname`) rewrite after the policy, in a
 *    postrouting nat chain.
 * Approximated (verdicts uncertain): fqdn, geography, wildcard, dynamic and other address types,
 * internet services, schedules other than `always`, users and groups, and an `any`-typed VIP
 * mapping. Predefined services a backup leaves out are taken from FortiOS's defaults (ALL, HTTP,
 * HTTPS, SSH, DNS, PING, ALL_TCP, ALL_UDP, ALL_ICMP). Multi-VDOM files are read as one VDOM (said).
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import type { Action, Origin, Rule } from "../ir/ruleset.js";
import { ALL_ADDRESSES, ALL_V4, ALL_V6, parseAddress } from "../space/address.js";
import { makeBox, type Box } from "../space/box.js";
import { IntervalSet } from "../space/interval-set.js";
import { NameSet } from "../space/name-set.js";
import { ALL_PORTS, ALL_PROTOCOLS, PROTO } from "../space/port.js";
import { Space } from "../space/space.js";
import { approximationsAt, deviceRule, origin, statefulPass, zoneFirewallRuleset } from "./device.js";
import { PNode } from "./panos-tree.js";
import type { ParsedRuleset } from "./reader.js";

const TABLE = "fortios";

interface Service {
  proto: IntervalSet;
  sport: IntervalSet;
  dport: IntervalSet;
}
interface Resolved<T> {
  value: T;
  approx: string[];
}

const tcp = (p: number | [number, number]): Service => ({
  proto: IntervalSet.of(PROTO.tcp),
  sport: ALL_PORTS,
  dport: typeof p === "number" ? IntervalSet.of(p) : IntervalSet.of(p[0], p[1]),
});
const udp = (p: number | [number, number]): Service => ({ ...tcp(p), proto: IntervalSet.of(PROTO.udp) });
const icmp: Service = { proto: IntervalSet.of(PROTO.icmp), sport: ALL_PORTS, dport: ALL_PORTS };
/** FortiOS's default services, for backups that leave them out. */
const PREDEFINED: Record<string, Service[]> = {
  ALL: [{ proto: ALL_PROTOCOLS, sport: ALL_PORTS, dport: ALL_PORTS }],
  ALL_TCP: [tcp([1, 65535])],
  ALL_UDP: [udp([1, 65535])],
  ALL_ICMP: [icmp],
  PING: [icmp],
  HTTP: [tcp(80)],
  HTTPS: [tcp(443)],
  SSH: [tcp(22)],
  DNS: [tcp(53), udp(53)],
};

/** Words; quoted pieces and bare pieces without space between them are one word (`"new"_name`). */
function tokenize(line: string): string[] | undefined {
  const out: string[] = [];
  const piece = /"((?:[^"\\]|\\[^])*)"|'((?:[^'\\]|\\[^])*)'|([^\s"']+)/y;
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) break;
    let word = "";
    piece.lastIndex = i;
    let m: RegExpExecArray | null;
    while (i < line.length && !/\s/.test(line[i]!) && (m = piece.exec(line))) {
      word += m[3] ?? (m[1] ?? m[2]!).replace(/\\(.)/g, "$1");
      i = piece.lastIndex;
    }
    if (i < line.length && !/\s/.test(line[i]!)) return undefined;
    out.push(word);
  }
  return out;
}

/** The config tree: `config firewall policy` → node "firewall policy", `edit 1` → its child "1". */
export function parseFortiosTree(
  text: string,
  file: string,
): { root: PNode; diagnostics: Diagnostic[]; vdoms: number } {
  const root = new PNode(1);
  const diagnostics: Diagnostic[] = [];
  const stack: Array<{ node: PNode; kind: "config" | "edit" | "vdom" }> = [{ node: root, kind: "config" }];
  let vdoms = 0;
  const lines = text.split(/\r?\n/);
  for (let idx = 0; idx < lines.length; idx++) {
    const line = idx + 1;
    let raw = lines[idx]!;
    while ((raw.match(/(?<!\\)"/g)?.length ?? 0) % 2 === 1 && idx + 1 < lines.length)
      raw += "\n" + lines[++idx]!;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const problem = (message: string, expected?: string) =>
      diagnostics.push(diag("fortios-syntax", "error", message, { at: { file, line, col: 1 }, expected }));
    // A script command FortiOS would refuse (an undefined name) changes nothing: said, then skipped.
    const noEffect = (what: string) =>
      diagnostics.push(
        diag(
          "fortios-reference",
          "warning",
          `"${what}" names an entry that does not exist (or already does): no effect`,
          {
            at: { file, line, col: 1 },
          },
        ),
      );
    const t = tokenize(trimmed);
    if (!t) {
      problem("unterminated quoted string", 'a closing "');
      continue;
    }
    const top = stack[stack.length - 1]!;
    const [verb, ...rest] = t as [string, ...string[]];
    if (verb === "config") {
      // `config vdom` / `config global` wrap the rest: read through them.
      if (rest[0] === "vdom" || rest[0] === "global") {
        stack.push({ node: top.node, kind: "vdom" });
        continue;
      }
      stack.push({ node: top.node.child(rest.join(" "), line), kind: "config" });
    } else if (verb === "edit") {
      if (top.kind === "vdom") {
        vdoms++;
        stack.push({ node: top.node, kind: "edit" });
        continue;
      }
      // `edit 0` creates a new entry with the next free id (scripts): never the same as another.
      const key = rest.join(" ") === "0" ? `0#${line}` : rest.join(" ");
      stack.push({ node: top.node.child(key, line), kind: "edit" });
    } else if (verb === "next") {
      if (top.kind !== "edit") problem('"next" outside an edit block', "end");
      else stack.pop();
    } else if (verb === "end") {
      if (top.kind === "edit") stack.pop();
      if (stack.length === 1) problem('"end" without "config"');
      else stack.pop();
    } else if (verb === "set" || verb === "append" || verb === "select" || verb === "unselect") {
      const key = rest.shift();
      if (!key) {
        problem(`"${verb}" without a field`, `${verb} FIELD VALUE…`);
        continue;
      }
      const n = top.node.child(key, line);
      n.values =
        verb === "set" || verb === "select"
          ? rest
          : verb === "append"
            ? [...n.values, ...rest]
            : n.values.filter((v) => !rest.includes(v));
    } else if (verb === "unset") top.node.children.delete(rest[0] ?? "");
    else if (verb === "delete") top.node.children.delete(rest.join(" "));
    else if (verb === "rename" || verb === "clone") {
      // `rename A to B`, `clone A to B` (scripts): the entry under its new name (at the end).
      const [from, to, name] = rest;
      const n = top.node.children.get(from ?? "");
      if (to !== "to" || name === undefined) problem(`malformed "${verb}"`, `${verb} NAME to NEW`);
      else if (!n || top.node.children.has(name)) noEffect(`${verb} ${from} to ${name}`);
      else {
        // FortiOS renames the references too.
        if (verb === "rename") {
          top.node.children.delete(from!);
          renameRefs(root, from!, name);
        }
        const copy = verb === "clone" ? cloneNode(n) : n;
        top.node.children.set(name, copy);
      }
    } else if (verb === "move") {
      // `move A before|after B` (scripts): reorders entries, which orders policies.
      const [name, where, other] = rest;
      const entries = [...top.node.children];
      const moving = entries.find(([k]) => k === name);
      const rest2 = entries.filter(([k]) => k !== name);
      const at = rest2.findIndex(([k]) => k === other);
      if (where !== "before" && where !== "after")
        problem('malformed "move"', "move NAME before|after OTHER");
      else if (!moving || at === -1) noEffect(`move ${name} ${where} ${other}`);
      else {
        rest2.splice(where === "before" ? at : at + 1, 0, moving);
        top.node.children.clear();
        for (const [k, v] of rest2) top.node.children.set(k, v);
      }
    } else if (verb === "purge") top.node.children.clear();
    else problem(`unexpected "${verb}"`, "config, edit, set, append, unset, next or end");
  }
  if (stack.length > 1)
    diagnostics.push(
      diag("fortios-syntax", "error", "the configuration ends inside a block", {
        at: { file, line: lines.length, col: 1 },
        expected: "end",
      }),
    );
  return { root, diagnostics, vdoms };
}

function renameRefs(n: PNode, from: string, to: string): void {
  n.values = n.values.map((v) => (v === from ? to : v));
  for (const c of n.children.values()) renameRefs(c, from, to);
}

function cloneNode(n: PNode): PNode {
  const c = new PNode(n.line);
  c.values = [...n.values];
  for (const [k, v] of n.children) c.children.set(k, cloneNode(v));
  return c;
}

function mask(text: string): number | undefined {
  const r = parseAddress(text);
  if (!r.ok) return undefined;
  const bits = r.set.min()!.toString(2).padStart(32, "0");
  return /^1*0*$/.test(bits) ? bits.replace(/0+$/, "").length : undefined;
}

/** `A M`, `A/len` (host bits allowed: the network is meant). */
function subnet(words: readonly string[]): IntervalSet | undefined {
  const [a, m] = words.length === 1 ? (words[0]!.split("/") as [string, string?]) : [words[0], words[1]];
  if (a === undefined) return undefined;
  const v6 = a.includes(":");
  const len = m === undefined ? (v6 ? 128 : 32) : /^\d+$/.test(m) ? Number(m) : mask(m);
  const base = parseAddress(a);
  if (!base.ok || len === undefined || len > (v6 ? 128 : 32)) return undefined;
  const offset = v6 ? 1n << 32n : 0n;
  const size = 1n << BigInt((v6 ? 128 : 32) - len);
  const start = base.set.min()! - ((base.set.min()! - offset) % size);
  return IntervalSet.of(start, start + size - 1n);
}

class Scope {
  constructor(
    readonly root: PNode,
    readonly file: string,
    readonly diagnostics: Diagnostic[],
  ) {}
  problem(
    code: string,
    severity: "error" | "warning",
    message: string,
    line: number,
    expected?: string,
  ): void {
    this.diagnostics.push(diag(code, severity, message, { at: { file: this.file, line, col: 1 }, expected }));
  }

  address(name: string, line: number, seen = new Set<string>()): Resolved<IntervalSet> {
    if (name === "all") return { value: ALL_ADDRESSES, approx: [] };
    if (name === "none") return { value: IntervalSet.EMPTY, approx: [] };
    for (const sec of ["firewall address", "firewall address6"]) {
      const a = this.root.get(sec, name);
      if (a) return this.addressObject(name, a, sec === "firewall address6");
    }
    const vip = this.root.get("firewall vip", name) ?? this.root.get("firewall vip6", name);
    if (vip) {
      const ext = vip.list("extip");
      const set = ext.length > 0 ? rangeOrSubnet(ext) : undefined;
      if (set) return { value: set, approx: [] };
      return {
        value: ALL_ADDRESSES,
        approx: [`virtual IP "${name}" without a readable extip: all addresses`],
      };
    }
    for (const sec of ["firewall addrgrp", "firewall addrgrp6", "firewall vipgrp"]) {
      const g = this.root.get(sec, name);
      if (!g) continue;
      if (seen.has(name)) {
        this.problem("fortios-reference", "error", `address group "${name}" contains itself`, line);
        return { value: IntervalSet.EMPTY, approx: [] };
      }
      const next = new Set(seen).add(name);
      const parts = g.list("member").map((m) => this.address(m, g.line, next));
      let value = parts.reduce((s, p) => s.union(p.value), IntervalSet.EMPTY);
      const approx = parts.flatMap((p) => p.approx);
      if (g.value("exclude") === "enable") {
        const ex = g.list("exclude-member").map((m) => this.address(m, g.line, next));
        // Subtracting an over-approximation would under-approximate: said, never silent.
        for (const e of ex)
          if (e.approx.length > 0) approx.push(`exclude-member of "${name}" is approximated`);
        value = value.subtract(ex.reduce((s, p) => s.union(p.value), IntervalSet.EMPTY));
      }
      return { value, approx };
    }
    this.problem("fortios-reference", "error", `undefined address, address group or VIP "${name}"`, line);
    return { value: IntervalSet.EMPTY, approx: [] };
  }

  addressObject(name: string, a: PNode, v6: boolean): Resolved<IntervalSet> {
    const type = a.value("type") ?? (a.get("start-ip") ? "iprange" : "ipmask");
    if (type === "ipmask" || type === "ipprefix") {
      const words = a.list(v6 ? "ip6" : "subnet");
      if (words.length === 0) return { value: v6 ? ALL_V6 : ALL_V4, approx: [] };
      const set = subnet(words);
      if (set) return { value: set, approx: [] };
    } else if (type === "iprange") {
      const r = parseAddress(
        `${a.value("start-ip") ?? ""}-${a.value("end-ip") ?? a.value("start-ip") ?? ""}`,
      );
      if (r.ok) return { value: r.set, approx: [] };
    } else
      return {
        value: v6 ? ALL_V6 : ALL_V4,
        approx: [`${type} address "${name}" (resolved at run time or not an IP set): all addresses`],
      };
    this.problem(
      "fortios-syntax",
      "error",
      `address "${name}": malformed ${type}`,
      a.line,
      "A M, A/len or start-ip/end-ip",
    );
    return { value: IntervalSet.EMPTY, approx: [] };
  }

  service(name: string, line: number, seen = new Set<string>()): Resolved<Service[]> {
    const s = this.root.get("firewall service custom", name);
    if (s) return this.customService(name, s);
    const g = this.root.get("firewall service group", name);
    if (g && !seen.has(name)) {
      const next = new Set(seen).add(name);
      const parts = g.list("member").map((m) => this.service(m, g.line, next));
      return { value: parts.flatMap((p) => p.value), approx: parts.flatMap((p) => p.approx) };
    }
    const pre = PREDEFINED[name];
    if (pre) return { value: pre, approx: [] };
    this.problem("fortios-reference", "error", `undefined service or service group "${name}"`, line);
    return { value: [], approx: [] };
  }

  customService(name: string, s: PNode): Resolved<Service[]> {
    const protocol = s.value("protocol") ?? "TCP/UDP/SCTP";
    if (protocol === "IP") {
      const n = Number(s.value("protocol-number") ?? "0");
      return {
        value: [{ proto: n === 0 ? ALL_PROTOCOLS : IntervalSet.of(n), sport: ALL_PORTS, dport: ALL_PORTS }],
        approx: [],
      };
    }
    if (protocol === "ICMP" || protocol === "ICMP6")
      return {
        value: [{ ...icmp, proto: IntervalSet.of(protocol === "ICMP" ? PROTO.icmp : PROTO.ipv6icmp) }],
        approx: [],
      };
    const out: Service[] = [];
    for (const [field, num] of [
      ["tcp-portrange", PROTO.tcp],
      ["udp-portrange", PROTO.udp],
      ["sctp-portrange", 132],
    ] as const)
      for (const term of s.list(field)) {
        const [d, src] = term.split(":");
        const dport = portRange(d);
        const sport = src === undefined ? ALL_PORTS : portRange(src);
        if (!dport || !sport) {
          this.problem(
            "fortios-syntax",
            "error",
            `service "${name}": malformed ${field} "${term}"`,
            s.line,
            "DST[-HI][:SRC[-HI]]",
          );
          continue;
        }
        out.push({ proto: IntervalSet.of(num), sport, dport });
      }
    return { value: out, approx: [] };
  }
}

function rangeOrSubnet(words: readonly string[]): IntervalSet | undefined {
  const w = words[0]!;
  if (w.includes("-")) {
    const r = parseAddress(w);
    return r.ok ? r.set : undefined;
  }
  return subnet([w]);
}

function portRange(text: string | undefined): IntervalSet | undefined {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text ?? "");
  if (!m) return undefined;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  return hi > 65535 || lo > hi ? undefined : IntervalSet.of(lo, hi);
}

export function readFortios(text: string, file: string): ParsedRuleset {
  const { root, diagnostics, vdoms } = parseFortiosTree(text, file);
  if (vdoms > 1)
    diagnostics.push(
      diag(
        "fortios-unsupported",
        "warning",
        `${vdoms} VDOMs are read as one: their policies and objects are merged`,
        {
          at: { file, line: 1, col: 1 },
        },
      ),
    );
  const scope = new Scope(root, file, diagnostics);
  const zones = new Map<string, { interfaces: string[]; intrazone: string; line: number }>();
  for (const [name, z] of root.get("system zone")?.children ?? [])
    zones.set(name, {
      interfaces: z.list("interface"),
      intrazone: z.value("intrazone") ?? "deny",
      line: z.line,
    });
  const interfaces = (names: readonly string[]): NameSet =>
    names.includes("any")
      ? NameSet.ALL
      : NameSet.of(...names.flatMap((n) => zones.get(n)?.interfaces ?? [n]));

  const top = origin(file, 1, "(implicit) transit traffic");
  const forward: Rule[] = [statefulPass(TABLE, "forward", "FortiOS", top)];
  const nat: Rule[] = [];
  for (const [id, p] of root.get("firewall policy")?.children ?? []) {
    // `edit 0` entries (keyed 0#LINE) get their id on the device: named by their name or line.
    const shown = id.startsWith("0#") ? `(new, line ${p.line})` : id;
    const label = p.value("name") ? `${shown} (${p.value("name")})` : shown;
    const at = origin(
      file,
      p.line,
      `firewall policy ${label}${p.value("status") === "disable" ? " (disabled)" : ""}`,
    );
    const approx: string[] = [];
    const addrs = (v4: string, v6: string, negate: string): IntervalSet => {
      const names = [...p.list(v4), ...p.list(v6)];
      const parts = names.map((n) => scope.address(n, p.line));
      approx.push(...parts.flatMap((x) => x.approx));
      const set = parts.reduce((s, x) => s.union(x.value), IntervalSet.EMPTY);
      return p.value(negate) === "enable" ? ALL_ADDRESSES.subtract(set) : set;
    };
    const src = addrs("srcaddr", "srcaddr6", "srcaddr-negate");
    const dst = addrs("dstaddr", "dstaddr6", "dstaddr-negate");
    const svcs = p.list("service").map((s) => scope.service(s, p.line));
    approx.push(...svcs.flatMap((s) => s.approx));
    let services = svcs.flatMap((s) => s.value);
    if (p.value("service-negate") === "enable") {
      // The complement of a union of boxes, per protocol/ports: built as a space.
      const all = Space.box(makeBox({}));
      const cut = Space.fromBoxes(
        services.map((s) => makeBox({ proto: s.proto, sport: s.sport, dport: s.dport })),
      );
      services = [];
      for (const b of all.subtract(cut).boxes)
        services.push({ proto: b.proto, sport: b.sport, dport: b.dport });
    }
    if ((p.value("schedule") ?? "always") !== "always")
      approx.push(`schedule ${p.value("schedule")}: analysed as always active`);
    for (const f of ["users", "groups", "internet-service-name", "internet-service-id", "fsso-groups"])
      if (p.list(f).length > 0) approx.push(`${f} ${p.list(f).join(", ")}: not modelled, any`);
    if (p.value("internet-service") === "enable")
      approx.push("internet-service: not modelled, any destination");
    const iif = interfaces(p.list("srcintf"));
    const oif = interfaces(p.list("dstintf"));
    const disabled = p.value("status") === "disable";
    const boxes: Box[] = disabled
      ? []
      : services.map((s) => makeBox({ iif, oif, src, dst, proto: s.proto, sport: s.sport, dport: s.dport }));
    const action: Action = p.value("action") === "accept" ? { kind: "accept" } : { kind: "drop" };
    const rule = deviceRule(TABLE, "forward", 0, Space.fromBoxes(boxes), action, at);
    rule.approximations = approximationsAt(approx, at);
    forward.push(rule);
    if (!disabled && action.kind === "accept") nat.push(...natFor(p, scope, rule, at));
  }
  for (const [name, z] of zones)
    if (z.intrazone === "allow" && z.interfaces.length > 0) {
      const ifs = NameSet.of(...z.interfaces);
      forward.push(
        deviceRule(
          TABLE,
          "forward",
          0,
          Space.box(makeBox({ iif: ifs, oif: ifs })),
          { kind: "accept" },
          origin(file, z.line, `(implicit) zone ${name} intrazone allow`),
          `zone ${name}: intrazone allow`,
        ),
      );
    }
  return {
    ruleset: zoneFirewallRuleset(TABLE, file, top, forward, nat, {
      text: "(implicit) implicit deny",
      why: "FortiOS: traffic no policy accepts is denied",
    }),
    diagnostics,
  };
}

/** The rewrites of an accepting policy: its VIP destinations (DNAT), then `nat enable` (SNAT). */
function natFor(p: PNode, scope: Scope, rule: Rule, at: Origin): Rule[] {
  const out: Rule[] = [];
  for (const name of [...p.list("dstaddr"), ...p.list("dstaddr6")]) {
    const vip = scope.root.get("firewall vip", name);
    if (!vip) continue;
    const ext = rangeOrSubnet(vip.list("extip"));
    const mapped = vip.list("mappedip").map((m) => rangeOrSubnet([m]));
    if (!ext || mapped.some((m) => !m)) continue;
    const to: { addresses?: IntervalSet; ports?: IntervalSet } = {
      addresses: mapped.reduce<IntervalSet>((s, m) => s.union(m!), IntervalSet.EMPTY),
    };
    const box: { dst: IntervalSet; dport?: IntervalSet } = { dst: ext };
    if (vip.value("portforward") === "enable") {
      const ep = portRange(vip.value("extport"));
      const mp = portRange(vip.value("mappedport") ?? vip.value("extport"));
      if (ep) box.dport = ep;
      if (mp) to.ports = mp;
    }
    const r = deviceRule(
      TABLE,
      "nat",
      0,
      rule.match.restrict(box),
      { kind: "dnat", to },
      { ...at, text: `${at.text}: virtual IP ${name}` },
    );
    out.push(r);
  }
  if (p.value("nat") === "enable") {
    const pools = p.value("ippool") === "enable" ? p.list("poolname") : [];
    let addresses = IntervalSet.EMPTY;
    for (const pool of pools) {
      const n = scope.root.get("firewall ippool", pool);
      const r =
        n && parseAddress(`${n.value("startip") ?? ""}-${n.value("endip") ?? n.value("startip") ?? ""}`);
      if (r && r.ok) addresses = addresses.union(r.set);
    }
    out.push(
      deviceRule(
        TABLE,
        "nat",
        0,
        rule.match,
        addresses.isEmpty() ? { kind: "masquerade" } : { kind: "snat", to: { addresses } },
        { ...at, text: `${at.text}: nat enable` },
      ),
    );
  }
  return out;
}
