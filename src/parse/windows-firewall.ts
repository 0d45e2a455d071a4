/**
 * Windows Firewall reader, vendor half: the JSON export of Get-NetFirewallRule joined with its port,
 * address and application filters, plus Get-NetFirewallProfile (README: "Exporting a Windows
 * Firewall"). Enums are accepted as PowerShell prints them ([string] casts: "Inbound", "Allow",
 * "True") and as ConvertTo-Json's raw numbers (Direction 1/2, Action 2/4, Enabled 1/2 — see
 * the MSFT_NetFirewallRule class documentation).
 *
 * Semantics (Windows Filtering Platform, "Windows Firewall rule precedence"): block rules beat allow
 * rules whatever their order; allowed connections are stateful; packets matched by no rule get the
 * active profile's default action. NotConfigured defaults mean Block inbound, Allow outbound.
 */
import type { Diagnostic } from "../diag/diagnostic.js";
import { parseAddress, ALL_ADDRESSES } from "../space/address.js";
import { IntervalSet } from "../space/interval-set.js";
import { ALL_PORTS, ALL_PROTOCOLS, PROTO } from "../space/port.js";
import type { PathKey, YamlSource } from "../model/yaml-source.js";
import { maskedCidr } from "./iptables-terms.js";
import { jsonProblems } from "./reader.js";

export type WinProfileName = "Domain" | "Private" | "Public";

export interface WinRule {
  name: string;
  displayName: string;
  direction: "in" | "out";
  action: "allow" | "block";
  /**
   * An allow rule that overrides block rules ("authenticated bypass": netsh `action=bypass`,
   * `-OverrideBlockRules $true`): it holds only for IPsec-authenticated connections, so it always
   * carries an approximation, and it is ordered before the block rules.
   */
  bypass: boolean;
  proto: IntervalSet;
  /** ICMP types and codes (type × 256 + code, the ICMP axis) when the rule names some. */
  icmp?: IntervalSet;
  /** Port sets as local/remote; the converter maps them to source/destination by direction. */
  localPorts: IntervalSet;
  remotePorts: IntervalSet;
  localAddresses: IntervalSet;
  remoteAddresses: IntervalSet;
  line: number;
  /**
   * The profiles the rule applies in, when the firewall has `connections` (otherwise the reader
   * kept only rules of the active profile and this is undefined).
   */
  profiles?: WinProfileName[];
  /** The interfaces (InterfaceAlias) the rule is limited to; undefined: every interface. */
  interfaces?: string[];
  /**
   * Fields analysed as "any" because the export cannot say them exactly (keywords, programs).
   * `interfaceAlias` marks the InterfaceAlias one, which the listed connections can decide
   * (windows-reader.ts); `whereLocal` limits an approximation to packets with those local addresses.
   */
  approximations: Array<{
    construct: string;
    reason: string;
    line: number;
    interfaceAlias?: true;
    whereLocal?: IntervalSet;
  }>;
}

export interface WinProfile {
  /** Undefined when the input does not say which profile is active (netsh rules alone). */
  name: WinProfileName | undefined;
  enabled: boolean;
  defaultInbound: "allow" | "block";
  defaultOutbound: "allow" | "block";
  /**
   * False when inbound allow rules are ignored ("Block all incoming connections":
   * `AllowInboundRules False`, netsh `BlockInboundAlways`).
   */
  inboundRules: boolean;
  /**
   * Set when the state and default actions are not in the input and Windows' own defaults were
   * assumed (why, for the approximation the defaults then carry: they may be otherwise).
   */
  assumed?: string;
  /** The directions whose default `assumed` is about (undefined: both). */
  assumedDirections?: ReadonlyArray<"in" | "out">;
  /** The line that says the profile's settings (1 when none does). */
  line: number;
}

/** A network interface the export lists with its network category and its own addresses. */
export interface WinConnection {
  alias: string;
  /** The settings of the interface's category's profile. */
  profile: WinProfile;
  addresses: IntervalSet;
  line: number;
}

export interface WinFirewall {
  /**
   * The profile whose rules and defaults apply (the edge NIC's network category); with
   * `connections`, the one for packets whose local address is on none of them.
   */
  active: WinProfile;
  /**
   * Every connected interface with its category and addresses, when the export lists them: each
   * applies its own profile (an Edge Server's internal and external NICs are often in different
   * categories). Windows is a strong host: a packet's profile is that of the interface holding its
   * local address (the destination of inbound packets, the source of outbound ones).
   */
  connections?: WinConnection[];
  rules: WinRule[];
}

const PROFILE_BITS: Record<WinProfileName, number> = { Domain: 1, Private: 2, Public: 4 };

export function parseWindowsFirewall(source: YamlSource): {
  firewall?: WinFirewall;
  diagnostics: Diagnostic[];
} {
  const diagnostics: Diagnostic[] = [];
  const problem = jsonProblems(source, diagnostics);
  // `Get-NetFirewallRule … | ConvertTo-Json` alone is an array of rules: no profiles, no active one.
  const bare = Array.isArray(source.value);
  const rulesPath: PathKey[] = bare ? [] : ["rules"];
  const doc = (bare ? { rules: source.value } : source.value) as {
    profiles?: unknown;
    rules?: unknown;
    activeProfile?: unknown;
    connections?: unknown;
  } | null;
  if (typeof doc !== "object" || doc === null || !Array.isArray(doc.rules)) {
    problem(
      "windows-format",
      "not a Windows Firewall export",
      [],
      'an object {"activeProfile": "Public", "profiles": [...], "rules": [...]} (README: Exporting a Windows Firewall)',
    );
    return { diagnostics };
  }
  const activeKnown = doc.activeProfile !== undefined && doc.activeProfile !== null;
  const activeName = (activeKnown ? doc.activeProfile : "Public") as string;
  if (!(activeName in PROFILE_BITS)) {
    problem(
      "windows-format",
      `unknown activeProfile "${String(activeName)}"`,
      ["activeProfile"],
      "Domain, Private or Public",
    );
    return { diagnostics };
  }
  const profiles = Array.isArray(doc.profiles) ? (doc.profiles as Array<Record<string, unknown>>) : [];
  const settings = new Map<WinProfileName, WinProfile>();
  /** A profile's settings from the export (read, and warned about, once). */
  const profileOf = (name: WinProfileName, role: string): WinProfile => {
    const known = settings.get(name);
    if (known) return known;
    const p = profiles.find((x) => String(x.Name) === name);
    const profileIndex = p === undefined ? -1 : profiles.indexOf(p);
    const out: WinProfile = {
      name,
      // NotConfigured (a GPO store's word) leaves Windows' own default: on.
      enabled: p === undefined ? true : !falsy(p.Enabled),
      defaultInbound: defaultAction(p?.DefaultInboundAction, "block"),
      defaultOutbound: defaultAction(p?.DefaultOutboundAction, "allow"),
      // Absent from exports made before the README's script asked for it: rules apply.
      inboundRules:
        p?.AllowInboundRules === undefined || p.AllowInboundRules === null || !falsy(p.AllowInboundRules),
      line: p === undefined ? 1 : source.positionOf(["profiles", profileIndex]).line,
    };
    settings.set(name, out);
    if (p === undefined) {
      out.assumed = `no profile "${name}" in the export: Windows' defaults (inbound block, outbound allow) assumed`;
      problem("windows-profile", out.assumed, ["profiles"], undefined, "warning");
    }
    if (!out.enabled)
      problem(
        "windows-profile-off",
        `the ${role} profile (${name}) has the firewall off: Windows filters nothing there, every packet passes`,
        ["profiles", profileIndex, "Enabled"],
        undefined,
        "warning",
      );
    else if (!out.inboundRules)
      problem(
        "windows-block-all-inbound",
        `the ${role} profile (${name}) blocks all incoming connections (AllowInboundRules False): inbound allow rules are ignored there`,
        ["profiles", profileIndex, "AllowInboundRules"],
        undefined,
        "warning",
      );
    return out;
  };
  const FILTER_KEYS = ["Protocol", "LocalPort", "RemotePort", "LocalAddress", "RemoteAddress"];
  const bareRules = (doc.rules as unknown[]).filter(
    (r) => typeof r === "object" && r !== null && !FILTER_KEYS.some((k) => k in (r as object)),
  ).length;
  if (bareRules > 0) {
    const first = (doc.rules as unknown[]).findIndex(
      (r) => typeof r === "object" && r !== null && !FILTER_KEYS.some((k) => k in (r as object)),
    );
    problem(
      "windows-format",
      `${bareRules} rule${bareRules === 1 ? "" : "s"} without Protocol, ports or addresses: Get-NetFirewallRule's objects alone (their filters are other objects), read as matching everything they would be wrong`,
      [...rulesPath, first],
      "the export the README's script writes (each rule joined with its port and address filters)",
    );
    return { diagnostics };
  }
  const connections = readConnections(doc.connections, profileOf, problem, source);
  // Without activeProfile (or interfaces), which profile applies is not known: every profile may,
  // and settings they do not share are assumed (as for netsh's listing without its profile).
  const unknownActive = !activeKnown && !connections;
  const active = unknownActive
    ? anyProfile(profiles, source, problem)
    : profileOf(activeName as WinProfileName, "active");
  const states = profiles.map((p) => !falsy(p.Enabled));
  const mayBeOff = unknownActive && states.includes(false) && (states.includes(true) || profiles.length < 3);

  const rules: WinRule[] = [];
  (doc.rules as Array<Record<string, unknown>>).forEach((r, i) => {
    const at = (k: string): PathKey[] => [...rulesPath, i, k];
    if (!truthy(r.Enabled)) return;
    const inProfiles = (["Domain", "Private", "Public"] as const).filter((n) => profileApplies(r.Profile, n));
    if (connections || unknownActive ? inProfiles.length === 0 : !inProfiles.includes(active.name!)) return;
    const rule = recordRule(r, {
      lineOf: (k) => source.positionOf(k === undefined ? [...rulesPath, i] : at(k)).line,
      problem: (message, k, expected) => problem("windows-format", message, at(k), expected),
      fallbackName: `rule ${i}`,
    });
    if (rule && mayBeOff)
      rule.approximations.push({
        construct: "profile state",
        reason:
          "the firewall is off in some profiles and the export does not say which profile is active: the rule may not apply",
        line: source.positionOf(["profiles"]).line,
      });
    if (rule && unknownActive && inProfiles.length < 3)
      rule.approximations.push({
        construct: `Profile ${inProfiles.join(",")}`,
        reason: `applies only in the ${inProfiles.join(", ")} profile${inProfiles.length === 1 ? "" : "s"}, and the export does not say which profile is active: the rule may not apply`,
        line: source.positionOf(at("Profile")).line,
      });
    if (rule) rules.push(connections ? { ...rule, profiles: inProfiles } : rule);
  });
  return { firewall: { active, ...(connections ? { connections } : {}), rules }, diagnostics };
}

/**
 * The profile of an export that does not say which one is active: the listed profiles' settings
 * when all three are listed alike, else Windows' defaults where they differ or are missing,
 * assumed (verdicts they decide uncertain).
 */
function anyProfile(
  profiles: ReadonlyArray<Record<string, unknown>>,
  source: YamlSource,
  problem: ReturnType<typeof jsonProblems>,
): WinProfile {
  const listed = (["Domain", "Private", "Public"] as const).map((n) =>
    profiles.find((x) => String(x.Name) === n),
  );
  const read = listed.map((p) => ({
    enabled: p === undefined ? undefined : !falsy(p.Enabled),
    inbound: p === undefined ? undefined : defaultAction(p.DefaultInboundAction, "block"),
    outbound: p === undefined ? undefined : defaultAction(p.DefaultOutboundAction, "allow"),
    inboundRules: p === undefined ? undefined : !falsy(p.AllowInboundRules),
  }));
  const same = <T>(f: (x: (typeof read)[number]) => T): T | undefined =>
    read.every((x) => f(x) === f(read[0]!)) ? f(read[0]!) : undefined;
  const enabled = same((x) => x.enabled);
  const inbound = same((x) => x.inbound);
  const outbound = same((x) => x.outbound);
  const first = listed.findIndex((p) => p !== undefined);
  const out: WinProfile = {
    name: undefined,
    enabled: enabled !== false,
    defaultInbound: inbound ?? "block",
    defaultOutbound: outbound ?? "allow",
    inboundRules: same((x) => x.inboundRules) !== false,
    line: first < 0 ? 1 : source.positionOf(["profiles", profiles.indexOf(listed[first]!)]).line,
  };
  if (enabled === undefined || inbound === undefined || outbound === undefined) {
    out.assumed =
      "the export does not say which profile is active, and its profiles (or their absence) do not say one state and one default alike: Windows' defaults assumed where they differ";
    problem(
      "windows-profile",
      out.assumed,
      ["activeProfile"],
      "activeProfile (README's export script)",
      "warning",
    );
  } else if (!out.enabled)
    problem(
      "windows-profile-off",
      "the firewall is off in every profile: Windows filters nothing, every packet passes",
      ["profiles"],
      undefined,
      "warning",
    );
  return out;
}

/** Where a rule record's fields are, and where its problems go (the JSON export's, or a script's). */
export interface RecordContext {
  /** The line of field `k`, or of the rule itself. */
  lineOf(k?: string): number;
  problem(message: string, k: string, expected: string): void;
  fallbackName: string;
}

/**
 * One rule of the export's shape (Get-NetFirewallRule's fields joined with its filters': the
 * names New-NetFirewallRule takes as parameters too) as a WinRule; undefined, with a problem, when
 * its Direction, Action or Protocol is not usable. Enabled and Profile are the caller's.
 */
export function recordRule(r: Record<string, unknown>, ctx: RecordContext): WinRule | undefined {
  const direction = enumOf(r.Direction, { Inbound: "in", Outbound: "out", 1: "in", 2: "out" });
  const action = enumOf(r.Action, { Allow: "allow", Block: "block", 2: "allow", 4: "block" });
  if (!direction || !action) {
    ctx.problem(
      `rule "${String(r.Name ?? r.DisplayName ?? ctx.fallbackName)}" has no usable Direction/Action`,
      direction ? "Action" : "Direction",
      "Inbound|Outbound and Allow|Block",
    );
    return undefined;
  }
  const proto = protocolOf(r.Protocol);
  if (!proto) {
    ctx.problem(
      `rule "${String(r.Name ?? r.DisplayName ?? ctx.fallbackName)}": unknown Protocol "${String(r.Protocol)}"`,
      "Protocol",
      "TCP, UDP, ICMPv4, ICMPv6, Any or a number 0-255",
    );
    return undefined;
  }
  // Ports belong to TCP and UDP: Windows refuses them on any other protocol, so a rule holding
  // both is no rule Windows has (read as written it would match ICMP types on the port axis).
  const portless = !proto.subtract(IntervalSet.of(PROTO.tcp).union(IntervalSet.of(PROTO.udp))).isEmpty();
  for (const k of ["LocalPort", "RemotePort"] as const)
    if (portless && r[k] !== undefined && r[k] !== null && !isAny(r[k])) {
      ctx.problem(
        `rule "${String(r.Name ?? r.DisplayName ?? ctx.fallbackName)}": ${k} with Protocol ${String(r.Protocol)}`,
        k,
        "ports only with Protocol TCP or UDP (as Windows requires)",
      );
      return undefined;
    }
  // What the export cannot say exactly (keywords that depend on the machine, program or service
  // filters) is analysed as "any" and kept as an approximation: the audit reports the packets it
  // may decide differently, instead of leaving the rule out.
  const approximations: WinRule["approximations"] = [];
  const widen = (k: string, reason: string): void => {
    approximations.push({
      construct: `${k} ${JSON.stringify(r[k])}`,
      reason,
      line: ctx.lineOf(k),
    });
  };
  const ports = (k: "LocalPort" | "RemotePort"): IntervalSet => {
    const v = portsOf(r[k]);
    if (v !== undefined) return v;
    widen(
      k,
      "not a port list: a keyword (RPC, IPHTTPS, Teredo…) that depends on the machine, or a variable not assigned; analysed as any port",
    );
    return ALL_PORTS;
  };
  const addrs = (k: "LocalAddress" | "RemoteAddress"): IntervalSet => {
    const v = addressesOf(r[k]);
    if (v !== undefined) return v;
    widen(
      k,
      "not an address list: a keyword (LocalSubnet, DNS, DefaultGateway…) that depends on the machine's network, or a variable not assigned; analysed as any address",
    );
    return ALL_ADDRESSES;
  };
  const lp = ports("LocalPort");
  const rp = ports("RemotePort");
  const la = addrs("LocalAddress");
  const ra = addrs("RemoteAddress");
  for (const k of ["Program", "Service", "Package"] as const) {
    if (r[k] !== undefined && r[k] !== null && !isAny(r[k]))
      widen(
        k,
        `limited to one ${k === "Package" ? "app package" : k.toLowerCase()}; analysed as if it matched the traffic of every ${k === "Package" ? "application" : k.toLowerCase()}`,
      );
  }
  let icmp: IntervalSet | undefined;
  if (isIcmp(proto)) {
    if (r.IcmpType === undefined || r.IcmpType === null)
      widen(
        "Protocol",
        "an ICMP rule exported without its IcmpType (the README's export script writes it): analysed as every ICMP type",
      );
    else {
      icmp = icmpTypesOf(list(r.IcmpType));
      if (icmp === undefined) {
        widen("IcmpType", "an ICMP type the reader does not know: analysed as every ICMP type");
        icmp = undefined;
      } else if (icmp.equals(ALL_ICMP)) icmp = undefined;
    }
  }
  // What narrows a rule to some interfaces, users or IPsec-secured connections: the audit's
  // packets carry none of it, so the rule is read as matching them all.
  const aliases = isAny(r.InterfaceAlias) ? undefined : list(r.InterfaceAlias).map(String);
  for (const [k, why] of [
    ["InterfaceType", "limited to one kind of interface (wired, wireless, remote access)"],
    ["InterfaceAlias", "limited to some interfaces"],
    ["LocalUser", "limited to connections of some local users (IPsec)"],
    ["RemoteUser", "limited to connections from some remote users (IPsec)"],
    ["RemoteMachine", "limited to connections from some computers (IPsec)"],
  ] as const)
    if (r[k] !== undefined && r[k] !== null && !isAny(r[k])) {
      widen(k, `${why}; analysed as matching every connection`);
      if (k === "InterfaceAlias") approximations[approximations.length - 1]!.interfaceAlias = true;
    }
  const bypass = action === "allow" && truthy(r.OverrideBlockRules);
  const secure = [r.Authentication, r.Encryption].some(
    (v) => v !== undefined && v !== null && !["NotRequired", "0", "Any"].includes(String(v)),
  );
  if (secure || bypass)
    widen(
      r.Authentication !== undefined && String(r.Authentication) !== "NotRequired"
        ? "Authentication"
        : bypass
          ? "OverrideBlockRules"
          : "Encryption",
      `holds only for IPsec-${bypass ? "authenticated connections (it overrides block rules)" : "secured connections"}; analysed as matching every connection`,
    );
  return {
    name: String(r.Name ?? ctx.fallbackName),
    displayName: String(r.DisplayName ?? r.Name ?? ""),
    direction,
    action,
    bypass,
    proto,
    ...(icmp ? { icmp } : {}),
    localPorts: lp,
    remotePorts: rp,
    localAddresses: la,
    remoteAddresses: ra,
    line: ctx.lineOf(),
    ...(aliases ? { interfaces: aliases } : {}),
    approximations,
  };
}

/**
 * `connections`: `[{ "InterfaceAlias", "NetworkCategory", "Addresses": [...] }]` (the README's
 * export script, from Get-NetConnectionProfile and Get-NetIPAddress); undefined when absent or
 * holding no interface with an address.
 */
function readConnections(
  v: unknown,
  profileOf: (name: WinProfileName, role: string) => WinProfile,
  problem: ReturnType<typeof jsonProblems>,
  source: YamlSource,
): WinConnection[] | undefined {
  if (v === undefined || v === null) return undefined;
  const list = Array.isArray(v) ? v : [v];
  const out: WinConnection[] = [];
  list.forEach((c: unknown, i) => {
    const at = (k?: string): PathKey[] => (k === undefined ? ["connections", i] : ["connections", i, k]);
    if (typeof c !== "object" || c === null) {
      problem(
        "windows-format",
        "a connection that is not an object",
        at(),
        "{InterfaceAlias, NetworkCategory, Addresses}",
      );
      return;
    }
    const o = c as Record<string, unknown>;
    const category = String(o.NetworkCategory ?? "");
    const name = (
      {
        DomainAuthenticated: "Domain",
        Domain: "Domain",
        Private: "Private",
        Public: "Public",
        0: "Public",
        1: "Private",
        2: "Domain",
      } as Record<string, WinProfileName>
    )[category];
    if (name === undefined) {
      problem(
        "windows-format",
        `unknown NetworkCategory "${category}"`,
        at("NetworkCategory"),
        "Public, Private or DomainAuthenticated",
      );
      return;
    }
    let addresses = IntervalSet.EMPTY;
    const raw =
      o.Addresses === undefined || o.Addresses === null
        ? []
        : Array.isArray(o.Addresses)
          ? o.Addresses
          : [o.Addresses];
    for (const a of raw) {
      // Link-local IPv6 addresses come with their zone (`fe80::1%12`): the address is before it.
      const r = parseAddress(String(a).split("%")[0]!.trim());
      if (!r.ok) {
        problem(
          "windows-format",
          `connection "${String(o.InterfaceAlias)}": address "${String(a)}"`,
          at("Addresses"),
          "IPv4 or IPv6 addresses",
        );
        return;
      }
      addresses = addresses.union(r.set);
    }
    if (addresses.isEmpty()) {
      problem(
        "windows-connection",
        `connection "${String(o.InterfaceAlias)}" lists no address: left out`,
        at(),
        undefined,
        "warning",
      );
      return;
    }
    out.push({
      alias: String(o.InterfaceAlias ?? `connection ${i}`),
      profile: profileOf(name, `"${String(o.InterfaceAlias)}" interface's`),
      addresses,
      line: source.positionOf(at()).line,
    });
  });
  return out.length > 0 ? out : undefined;
}

function truthy(v: unknown): boolean {
  return v === true || v === 1 || v === "True" || v === "true";
}

function falsy(v: unknown): boolean {
  return v === false || v === 0 || v === "False" || v === "false";
}

function isAny(v: unknown): boolean {
  const xs = list(v);
  return xs.length === 0 || xs.every((x) => x === "Any" || x === "*" || x === "");
}

/** The whole ICMP axis (type × 256 + code). */
export const ALL_ICMP = IntervalSet.of(0, 255 * 256 + 255);

export function isIcmp(proto: IntervalSet): boolean {
  return proto.equals(IntervalSet.of(PROTO.icmp)) || proto.equals(IntervalSet.of(PROTO.ipv6icmp));
}

/**
 * ICMP types as Windows writes them: `Any`, a type (`8`), or `type:code` (`3:4`); a code may be
 * `Any` (`3:Any`, netsh's table). Undefined when one is not a number 0–255.
 */
export function icmpTypesOf(items: readonly string[]): IntervalSet | undefined {
  let set = IntervalSet.EMPTY;
  for (const t of items) {
    if (t === "Any" || t === "*") return ALL_ICMP;
    const m = /^(\d{1,3})(?::(\d{1,3}|Any|\*))?$/.exec(t);
    if (!m || Number(m[1]) > 255 || (m[2] !== undefined && /^\d/.test(m[2]) && Number(m[2]) > 255))
      return undefined;
    const type = Number(m[1]);
    set = set.union(
      m[2] === undefined || !/^\d/.test(m[2])
        ? IntervalSet.of(type * 256, type * 256 + 255)
        : IntervalSet.of(type * 256 + Number(m[2])),
    );
  }
  return set;
}

function defaultAction(v: unknown, notConfigured: "allow" | "block"): "allow" | "block" {
  return enumOf(v, { Allow: "allow", Block: "block", 2: "allow", 4: "block" }) ?? notConfigured;
}

function enumOf<T extends string>(v: unknown, table: Record<string | number, T>): T | undefined {
  const key = v === undefined || v === null ? undefined : String(v);
  return key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

export function profileApplies(v: unknown, active: WinProfileName): boolean {
  if (v === undefined || v === null || v === "Any" || v === 0 || v === "0") return true;
  if (typeof v === "number") return (v & PROFILE_BITS[active]) !== 0;
  return String(v)
    .split(/[,\s]+/)
    .includes(active);
}

export function list(v: unknown): string[] {
  if (v === undefined || v === null) return ["Any"];
  return (Array.isArray(v) ? v : [v]).map((x) => String(x).trim());
}

export function protocolOf(v: unknown): IntervalSet | undefined {
  const s = String(v ?? "Any");
  const named: Record<string, number> = {
    TCP: PROTO.tcp,
    UDP: PROTO.udp,
    ICMPv4: PROTO.icmp,
    ICMPv6: PROTO.ipv6icmp,
  };
  if (s === "Any") return ALL_PROTOCOLS;
  if (Object.hasOwn(named, s)) return IntervalSet.of(named[s]!);
  return /^\d+$/.test(s) && Number(s) <= 255 ? IntervalSet.of(Number(s)) : undefined;
}

export function portsOf(v: unknown): IntervalSet | undefined {
  let set = IntervalSet.EMPTY;
  for (const t of list(v)) {
    if (t === "Any") return ALL_PORTS;
    const m = /^(\d+)(?:-(\d+))?$/.exec(t);
    if (!m) return undefined;
    set = set.union(IntervalSet.of(Number(m[1]), Number(m[2] ?? m[1])));
  }
  return set;
}

/**
 * Hosts, CIDRs (host bits masked off, as Windows matches them), `a.b.c.d/255.255.0.0` masks and
 * `a-b` ranges; keywords are not modelled (undefined).
 */
export function addressesOf(v: unknown): IntervalSet | undefined {
  let set = IntervalSet.EMPTY;
  for (const t of list(v)) {
    if (t === "Any" || t === "*") return ALL_ADDRESSES;
    const mask = /^([\d.]+)\/(\d+\.\d+\.\d+\.\d+)$/.exec(t);
    const text = mask ? `${mask[1]}/${maskBits(mask[2]!)}` : t;
    const r = text.includes("/") ? maskedCidr(text) : parseAddress(text);
    if (r === undefined || ("ok" in r && !r.ok)) return undefined;
    set = set.union(r.set);
  }
  return set;
}

function maskBits(mask: string): number {
  return mask.split(".").reduce((n, o) => n + (Number(o).toString(2).match(/1/g)?.length ?? 0), 0);
}
