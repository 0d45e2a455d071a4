/**
 * PAN-OS configuration → IR (format `panos`): the running-config XML, its brace form, or its `set`
 * form (panos-tree.ts reads all three). Transit traffic as a PAN-OS firewall decides it (PAN-OS
 * Administrator's Guide, "Security Policy", "Security Zones", "NAT"):
 *  - stateful: packets of allowed sessions pass without rules (implicit rule first);
 *  - a packet belongs to the zone of the interface it enters by (`zone Z network layer3 [ … ]`,
 *    also layer2, virtual-wire, tap, tunnel) and to the zone of the interface it leaves by;
 *  - the security rules of each virtual system are first-match over (from zone, to zone, source,
 *    destination, application, service); `rule-type` universal (default), intrazone (from = to)
 *    or interzone (from ≠ to); `disabled yes` rules match nothing (kept so they can be named);
 *    negate-source / negate-destination match the complement;
 *  - after the rules: `intrazone-default` allow, then `interzone-default` deny (both overridable
 *    under `rulebase default-security-rules`);
 *  - allow → accept; deny, drop → drop; reset-client, reset-server, reset-both → reject;
 *  - security rules match the pre-NAT addresses and the post-NAT zone: the filter runs in
 *    forward on the packet as it arrived (the egress interface being the post-NAT one), NAT rules
 *    rewrite it afterwards in postrouting, first match, once per session (source translation
 *    dynamic-ip-and-port, dynamic-ip, static-ip; destination translation address and port).
 * Approximated (the rule's verdicts become uncertain, never confident): applications other than
 * `any` (App-ID decides at run time) and `application-default` services (the application's
 * default ports), fqdn and dynamic address objects and groups (resolved at run time: all
 * addresses), region codes, external dynamic lists, users, URL categories, HIP profiles,
 * schedules, and a destination NAT rule's zone `to` (the zone of the pre-NAT destination, which
 * the packet's path does not give: not checked). Panorama device-group rulebases are refused.
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import type { Action, NatTarget, Rule } from "../ir/ruleset.js";
import { ALL_ADDRESSES, parseAddress } from "../space/address.js";
import { makeBox, type Box } from "../space/box.js";
import { IntervalSet } from "../space/interval-set.js";
import { NameSet } from "../space/name-set.js";
import { ALL_PORTS, ALL_PROTOCOLS, PROTO } from "../space/port.js";
import { Space } from "../space/space.js";
import { approximationsAt, deviceRule, origin, statefulPass, zoneFirewallRuleset } from "./device.js";
import { parsePanosTree, type PNode } from "./panos-tree.js";
import type { ParsedRuleset } from "./reader.js";
import { lookupTable } from "./lookup.js";

const TABLE = "panos";

/** A resolved address or service term, with what could not be modelled exactly. */
interface Resolved<T> {
  value: T;
  approx: string[];
}

interface Service {
  proto: IntervalSet;
  sport: IntervalSet;
  dport: IntervalSet;
}

/** Predefined services (PAN-OS: Objects > Services, "service-http" and "service-https"). */
const PREDEFINED: Record<string, Service[]> = lookupTable({
  "service-http": [
    {
      proto: IntervalSet.of(PROTO.tcp),
      sport: ALL_PORTS,
      dport: IntervalSet.from([
        [80, 80],
        [8080, 8080],
      ]),
    },
  ],
  "service-https": [{ proto: IntervalSet.of(PROTO.tcp), sport: ALL_PORTS, dport: IntervalSet.of(443) }],
});
/** Palo Alto Networks' predefined external dynamic lists (PAN-OS: Objects > External Dynamic Lists). */
const PREDEFINED_EDLS = new Set([
  "panw-highrisk-ip-list",
  "panw-known-ip-list",
  "panw-bulletproof-ip-list",
  "panw-torexit-ip-list",
]);
const ANY_SERVICE: Service = { proto: ALL_PROTOCOLS, sport: ALL_PORTS, dport: ALL_PORTS };

/** Fields of a security rule that narrow it beyond what the packet space says, when not `any`. */
const RUN_TIME_FIELDS = ["source-user", "category", "source-hip", "destination-hip"] as const;

interface Vsys {
  name: string;
  node: PNode;
  zones: Map<string, string[]>;
}

class Scope {
  constructor(
    readonly file: string,
    readonly vsys: PNode,
    readonly shared: PNode | undefined,
    readonly pushed: PNode | undefined,
    readonly diagnostics: Diagnostic[],
  ) {}
  /** An object of `kind` by name: the virtual system's own, else Panorama's pushed, else shared. */
  lookup(kind: string, name: string): PNode | undefined {
    return this.vsys.get(kind, name) ?? this.pushed?.get(kind, name) ?? this.shared?.get(kind, name);
  }
  problem(
    code: string,
    severity: "error" | "warning",
    message: string,
    line: number,
    expected?: string,
  ): void {
    this.diagnostics.push(diag(code, severity, message, { at: { file: this.file, line, col: 1 }, expected }));
  }

  address(name: string, line: number, seen: Set<string> = new Set()): Resolved<IntervalSet> {
    if (name === "any") return { value: ALL_ADDRESSES, approx: [] };
    if (seen.has(name)) {
      this.problem("panos-reference", "error", `address group "${name}" contains itself`, line);
      return { value: IntervalSet.EMPTY, approx: [] };
    }
    const obj = this.lookup("address", name);
    if (obj) return this.addressObject(name, obj);
    const group = this.lookup("address-group", name);
    if (group) {
      if (group.get("dynamic"))
        return {
          value: ALL_ADDRESSES,
          approx: [`dynamic address group "${name}" (its members are tagged at run time): all addresses`],
        };
      const next = new Set(seen).add(name);
      return union(
        group.list("static").map((m) => this.address(m, group.line, next)),
        IntervalSet.EMPTY,
      );
    }
    if (this.lookup("external-list", name) || PREDEFINED_EDLS.has(name))
      return { value: ALL_ADDRESSES, approx: [`external dynamic list "${name}": all addresses`] };
    const literal = addressLiteral(name);
    if (literal) return { value: literal, approx: [] };
    if (/^[A-Z]{2}$/.test(name) || this.lookup("region", name))
      return { value: ALL_ADDRESSES, approx: [`region "${name}" (geolocation at run time): all addresses`] };
    this.problem(
      "panos-reference",
      "error",
      `undefined address, address group or region "${name}"`,
      line,
      "an address object or group of this vsys or shared, an IP address, a prefix or a range",
    );
    return { value: IntervalSet.EMPTY, approx: [] };
  }

  addressObject(name: string, obj: PNode): Resolved<IntervalSet> {
    for (const kind of ["ip-netmask", "ip-range"]) {
      const v = obj.value(kind);
      if (v === undefined) continue;
      const set = addressLiteral(v);
      if (set) return { value: set, approx: [] };
      this.problem(
        "panos-syntax",
        "error",
        `address "${name}": malformed ${kind} "${v}"`,
        obj.line,
        kind === "ip-netmask" ? "A, A/len" : "A-B",
      );
      return { value: IntervalSet.EMPTY, approx: [] };
    }
    const fqdn = obj.value("fqdn");
    if (fqdn !== undefined)
      return {
        value: ALL_ADDRESSES,
        approx: [`fqdn address "${name}" (${fqdn}, resolved by DNS at run time): all addresses`],
      };
    const wildcard = obj.value("ip-wildcard");
    if (wildcard !== undefined)
      return { value: ALL_ADDRESSES, approx: [`ip-wildcard address "${name}" (${wildcard}): all addresses`] };
    this.problem("panos-syntax", "error", `address "${name}" has no ip-netmask, ip-range or fqdn`, obj.line);
    return { value: IntervalSet.EMPTY, approx: [] };
  }

  service(name: string, line: number, seen: Set<string> = new Set()): Resolved<Service[]> {
    if (name === "any") return { value: [ANY_SERVICE], approx: [] };
    if (name === "application-default")
      return {
        value: [ANY_SERVICE],
        approx: ["service application-default (the ports the application uses by default): any port"],
      };
    const obj = this.lookup("service", name);
    if (obj) return this.serviceObject(name, obj);
    const group = this.lookup("service-group", name);
    if (group && !seen.has(name)) {
      const next = new Set(seen).add(name);
      const parts = group.list("members").map((m) => this.service(m, group.line, next));
      return { value: parts.flatMap((p) => p.value), approx: parts.flatMap((p) => p.approx) };
    }
    const predefined = PREDEFINED[name];
    if (predefined) return { value: predefined, approx: [] };
    this.problem(
      "panos-reference",
      "error",
      `undefined service or service group "${name}"`,
      line,
      "a service or service-group of this vsys or shared, any, application-default, service-http or service-https",
    );
    return { value: [], approx: [] };
  }

  serviceObject(name: string, obj: PNode): Resolved<Service[]> {
    for (const [p, num] of [
      ["tcp", PROTO.tcp],
      ["udp", PROTO.udp],
      ["sctp", 132],
    ] as const) {
      const proto = obj.get("protocol", p);
      if (!proto) continue;
      const dport = portList(proto.value("port"));
      const sport =
        proto.value("source-port") === undefined ? ALL_PORTS : portList(proto.value("source-port"));
      if (!dport || !sport) {
        this.problem(
          "panos-syntax",
          "error",
          `service "${name}": malformed port list`,
          obj.line,
          "ports and ranges separated by commas: 80,443,5000-5100",
        );
        return { value: [], approx: [] };
      }
      return { value: [{ proto: IntervalSet.of(num), sport, dport }], approx: [] };
    }
    this.problem("panos-syntax", "error", `service "${name}" has no tcp, udp or sctp protocol`, obj.line);
    return { value: [], approx: [] };
  }
}

function union(parts: Array<Resolved<IntervalSet>>, init: IntervalSet): Resolved<IntervalSet> {
  return {
    value: parts.reduce((a, p) => a.union(p.value), init),
    approx: parts.flatMap((p) => p.approx),
  };
}

/** A, A/len (host bits allowed: the network is meant), A-B. */
function addressLiteral(text: string): IntervalSet | undefined {
  const r = parseAddress(text);
  if (r.ok) return r.set;
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const base = parseAddress(m[1]!);
  if (!base.ok) return undefined;
  const v6 = m[1]!.includes(":");
  const bits = v6 ? 128 : 32;
  const len = Number(m[2]);
  if (len > bits) return undefined;
  const offset = v6 ? 1n << 32n : 0n;
  const size = 1n << BigInt(bits - len);
  const start = base.set.min()! - ((base.set.min()! - offset) % size);
  return IntervalSet.of(start, start + size - 1n);
}

/** `80,443,5000-5100` → a port set; undefined when malformed. */
export function portList(text: string | undefined): IntervalSet | undefined {
  if (text === undefined) return undefined;
  let set = IntervalSet.EMPTY;
  for (const part of text.split(",")) {
    const m = /^\s*(\d{1,5})(?:\s*-\s*(\d{1,5}))?\s*$/.exec(part);
    if (!m) return undefined;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi > 65535 || lo > hi) return undefined;
    set = set.union(IntervalSet.of(lo, hi));
  }
  return set;
}

function isAny(list: readonly string[]): boolean {
  return list.length === 0 || list.includes("any");
}

export function readPanos(text: string, file: string): ParsedRuleset {
  const tree = parsePanosTree(text, file);
  const diagnostics = [...tree.diagnostics];
  const root = tree.root;
  const devices = root.get("config", "devices");
  const device = tree.syntax === "set" ? root : devices ? [...devices.children.values()][0] : undefined;
  const shared = tree.syntax === "set" ? root.get("shared") : root.get("config", "shared");
  // Rules and objects Panorama pushed to this firewall (`policy panorama` of its running-config).
  const pushed = root.get("policy", "panorama");
  const top = origin(file, 1, "(implicit) transit traffic");
  const forward: Rule[] = [statefulPass(TABLE, "forward", "PAN-OS", top)];
  const nat: Rule[] = [];
  const dgs = device?.get("device-group");
  const panorama = [...(dgs?.children.values() ?? [])].find(
    (g) => g.get("pre-rulebase") || g.get("post-rulebase"),
  );
  if (panorama)
    diagnostics.push(
      diag(
        "panos-unsupported",
        "error",
        "a Panorama configuration: device-group pre- and post-rulebases are pushed to firewalls and are not modelled here",
        {
          at: { file, line: panorama.line, col: 1 },
          expected: "a firewall's own running-config (show config running, or its XML export)",
        },
      ),
    );
  const vsysList: Vsys[] = [...(device?.get("vsys")?.children ?? [])].map(([name, node]) => ({
    name,
    node,
    zones: new Map(
      [...(node.get("zone")?.children ?? [])].map(([z, zn]) => [
        z,
        ["layer3", "layer2", "virtual-wire", "tap", "tunnel"].flatMap((k) => zn.list("network", k)),
      ]),
    ),
  }));
  // Inter-vsys traffic (a zone of type `external` names other virtual systems, not interfaces):
  // the packet is policed by each vsys in turn, as two sessions; not modelled. Each vsys's own
  // rules match only its own zones' interfaces, so keeping them in one chain is exact otherwise.
  for (const v of vsysList)
    for (const [z, zn] of v.node.get("zone")?.children ?? [])
      if (zn.get("network", "external"))
        diagnostics.push(
          diag(
            "panos-unsupported",
            "warning",
            `zone "${z}" of ${v.name} is an external (inter-vsys) zone: traffic between virtual systems is not modelled, and rules naming the zone match nothing here`,
            {
              at: { file, line: zn.line, col: 1 },
              expected:
                "zones on interfaces (layer3, layer2, virtual-wire, tap, tunnel); audit each vsys's own traffic",
            },
          ),
        );
  const zoneInterfaces = (v: Vsys, zones: readonly string[]): NameSet =>
    NameSet.of(...(isAny(zones) ? [...v.zones.keys()] : zones).flatMap((z) => v.zones.get(z) ?? []));

  for (const v of vsysList) {
    const scope = new Scope(file, v.node, shared, pushed, diagnostics);
    // A zone this file does not define has no interfaces here: no packet is in it.
    const zoneRef = (zones: string[], line: number): void => {
      for (const z of zones)
        if (z !== "any" && !v.zones.has(z))
          scope.problem(
            "panos-reference",
            "warning",
            `zone "${z}" is not defined in ${v.name}: no interface is in it, so no packet matches it`,
            line,
            `a zone of ${v.name}: ${[...v.zones.keys()].join(", ") || "(none)"}`,
          );
    };
    for (const [name, r] of rulebases(v, pushed, "security")) {
      const from = r.list("from");
      const to = r.list("to");
      zoneRef([...from, ...to], r.line);
      const src = scope.address.bind(scope);
      const srcR = union(
        r.list("source").map((a) => src(a, r.line)),
        isAny(r.list("source")) ? ALL_ADDRESSES : IntervalSet.EMPTY,
      );
      const dstR = union(
        r.list("destination").map((a) => src(a, r.line)),
        isAny(r.list("destination")) ? ALL_ADDRESSES : IntervalSet.EMPTY,
      );
      const svcNames = r.list("service");
      // A rule without a service: PAN-OS's default for new rules is application-default.
      const svcs = (svcNames.length === 0 ? ["application-default"] : svcNames)
        .map((s) => scope.service(s, r.line))
        .reduce((a, b) => ({ value: [...a.value, ...b.value], approx: [...a.approx, ...b.approx] }), {
          value: [] as Service[],
          approx: [] as string[],
        });
      const approx = [...srcR.approx, ...dstR.approx, ...svcs.approx];
      const apps = r.list("application");
      if (!isAny(apps))
        approx.push(
          `application ${apps.join(", ")} (identified by App-ID at run time): any application on the rule's services`,
        );
      for (const f of RUN_TIME_FIELDS) {
        const l = r.list(f);
        if (!isAny(l) && !(f === "source-user" && l.includes("any")))
          approx.push(`${f} ${l.join(", ")}: not modelled, any`);
      }
      if (r.value("schedule") !== undefined)
        approx.push(`schedule ${r.value("schedule")}: analysed as always active`);
      const srcSet = r.value("negate-source") === "yes" ? ALL_ADDRESSES.subtract(srcR.value) : srcR.value;
      const dstSet =
        r.value("negate-destination") === "yes" ? ALL_ADDRESSES.subtract(dstR.value) : dstR.value;
      const type = r.value("rule-type") ?? "universal";
      const pairs: Array<[NameSet, NameSet]> = [];
      const fromZones = isAny(from) ? [...v.zones.keys()] : from;
      const toZones = isAny(to) ? [...v.zones.keys()] : to;
      if (type === "intrazone")
        for (const z of fromZones.filter((z) => toZones.includes(z)))
          pairs.push([zoneInterfaces(v, [z]), zoneInterfaces(v, [z])]);
      else if (type === "interzone")
        for (const z of fromZones)
          pairs.push([
            zoneInterfaces(v, [z]),
            zoneInterfaces(
              v,
              toZones.filter((t) => t !== z),
            ),
          ]);
      else pairs.push([zoneInterfaces(v, fromZones), zoneInterfaces(v, toZones)]);
      const disabled = r.value("disabled") === "yes";
      const boxes: Box[] = [];
      if (!disabled)
        for (const [iif, oif] of pairs)
          for (const s of svcs.value)
            boxes.push(
              makeBox({ iif, oif, src: srcSet, dst: dstSet, proto: s.proto, sport: s.sport, dport: s.dport }),
            );
      const at = origin(
        file,
        r.line,
        `${v.name} security rule ${name}${disabled ? " (disabled)" : ""}: ${summary(r)}`,
      );
      const actionWord = r.value("action");
      if (actionWord === undefined) {
        scope.problem(
          "panos-unsupported",
          "warning",
          `security rule "${name}" has no action: PAN-OS's default (allow) is assumed`,
          r.line,
          "action allow, deny, drop or reset-*",
        );
        approx.push("a rule without an action: read as PAN-OS's default allow");
      }
      const action = securityAction(actionWord ?? "allow", scope, r.line);
      const rule = deviceRule(TABLE, "forward", 0, Space.fromBoxes(boxes), action, at);
      rule.approximations = approximationsAt(approx, at);
      forward.push(rule);
    }
    // The default rules of the virtual system.
    const defaults = v.node.get("rulebase", "default-security-rules", "rules");
    const intraAction = defaults?.value("intrazone-default", "action") ?? "allow";
    const at = origin(file, defaults?.line ?? 1, `(implicit) ${v.name} intrazone-default ${intraAction}`);
    const intra = [...v.zones.keys()].map((z) =>
      makeBox({ iif: zoneInterfaces(v, [z]), oif: zoneInterfaces(v, [z]) }),
    );
    forward.push(
      deviceRule(
        TABLE,
        "forward",
        0,
        Space.fromBoxes(intra),
        securityAction(intraAction, scope, at.line),
        at,
        `PAN-OS intrazone-default: traffic within one zone of ${v.name} is ${intraAction === "allow" ? "allowed" : "denied"} unless a rule above says otherwise`,
      ),
    );
    const interAction = defaults?.value("interzone-default", "action") ?? "deny";
    if (interAction === "allow") {
      const interAt = origin(file, defaults?.line ?? 1, `(implicit) ${v.name} interzone-default allow`);
      const all = zoneInterfaces(v, ["any"]);
      forward.push(
        deviceRule(
          TABLE,
          "forward",
          0,
          Space.box(makeBox({ iif: all, oif: all })),
          { kind: "accept" },
          interAt,
          `interzone-default overridden to allow in ${v.name}`,
        ),
      );
    }
    nat.push(...natRules(v, scope, zoneInterfaces, file));
  }
  return {
    ruleset: zoneFirewallRuleset(TABLE, file, top, forward, nat, {
      text: "(implicit) interzone-default deny",
      why: "PAN-OS interzone-default: traffic between zones that no rule allows is denied",
    }),
    diagnostics,
  };
}

/** A vsys's rules of one rulebase in evaluation order: Panorama's pre-rules, its own, Panorama's post-rules. */
function rulebases(v: Vsys, pushed: PNode | undefined, kind: "security" | "nat"): Array<[string, PNode]> {
  return [pushed?.get("pre-rulebase"), v.node.get("rulebase"), pushed?.get("post-rulebase")].flatMap((rb) => [
    ...(rb?.get(kind, "rules")?.children ?? []),
  ]);
}

function summary(r: PNode): string {
  const f = (k: string) => (r.list(k).length > 0 ? r.list(k).join(",") : "any");
  return `from ${f("from")} to ${f("to")} source ${f("source")} destination ${f("destination")} application ${f("application")} service ${f("service")} action ${r.value("action") ?? "?"}`;
}

function securityAction(action: string | undefined, scope: Scope, line: number): Action {
  switch (action) {
    case "allow":
      return { kind: "accept" };
    case "deny":
    case "drop":
      return { kind: "drop" };
    case "reset-client":
    case "reset-server":
    case "reset-both":
      return { kind: "reject", with: "tcp reset" };
    default:
      scope.problem(
        "panos-syntax",
        "error",
        `security rule action "${action ?? ""}"`,
        line,
        "allow, deny, drop, reset-client, reset-server or reset-both",
      );
      return { kind: "drop" };
  }
}

function natRules(
  v: Vsys,
  scope: Scope,
  zoneInterfaces: (v: Vsys, zones: readonly string[]) => NameSet,
  file: string,
): Rule[] {
  const out: Rule[] = [];
  for (const [name, r] of rulebases(v, scope.pushed, "nat")) {
    if (r.value("disabled") === "yes") continue;
    const src = union(
      r.list("source").map((a) => scope.address(a, r.line)),
      isAny(r.list("source")) ? ALL_ADDRESSES : IntervalSet.EMPTY,
    );
    const dst = union(
      r.list("destination").map((a) => scope.address(a, r.line)),
      isAny(r.list("destination")) ? ALL_ADDRESSES : IntervalSet.EMPTY,
    );
    const svc = scope.service(r.value("service") ?? "any", r.line);
    const approx = [...src.approx, ...dst.approx, ...svc.approx];
    const at = origin(file, r.line, `${v.name} nat rule ${name}`);
    const st = r.get("source-translation");
    const dt = r.get("destination-translation");
    const translated = (n: PNode | undefined): IntervalSet | undefined => {
      const names = n?.list("translated-address") ?? [];
      if (names.length === 0) return undefined;
      const res = union(
        names.map((a) => scope.address(a, r.line)),
        IntervalSet.EMPTY,
      );
      approx.push(...res.approx);
      return res.value;
    };
    let action: Action = { kind: "accept" };
    if (dt) {
      const to: NatTarget = {};
      const a = translated(dt);
      if (a) to.addresses = a;
      const p = dt.value("translated-port");
      if (p !== undefined) to.ports = portList(p) ?? ALL_PORTS;
      action = { kind: "dnat", to };
      if (st) approx.push("source translation of a rule that also translates the destination: not modelled");
      approx.push(`NAT zone to ${r.list("to").join(",")} (the pre-NAT destination's zone): not checked`);
    } else if (r.get("dynamic-destination-translation")) {
      approx.push("dynamic-destination-translation (FQDN resolved at run time): not modelled");
    } else if (st) {
      const kind = [...st.children.keys()][0] ?? "";
      const a = translated(st.get(kind));
      if (st.get(kind, "interface-address") || !a) {
        action = { kind: "masquerade" };
      } else action = { kind: "snat", to: { addresses: a } };
      if (st.get(kind, "bi-directional")?.values.includes("yes"))
        approx.push("bi-directional static-ip: the reverse destination translation is not modelled");
    }
    const svcBoxes = svc.value.map((s) =>
      makeBox({
        iif: zoneInterfaces(v, r.list("from")),
        // A destination-translating rule's `to` is the pre-NAT destination's zone, not the egress one: not checked.
        oif: dt ? NameSet.ALL : zoneInterfaces(v, r.list("to")),
        src: src.value,
        dst: dst.value,
        proto: s.proto,
        sport: s.sport,
        dport: s.dport,
      }),
    );
    const rule = deviceRule(TABLE, "nat", 0, Space.fromBoxes(svcBoxes), action, at);
    rule.approximations = approximationsAt(approx, at);
    out.push(rule);
  }
  return out;
}
