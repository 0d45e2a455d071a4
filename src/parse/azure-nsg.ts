/**
 * Azure network security group reader (format `azure-nsg`): the JSON `az network nsg show` prints
 * (rule fields flat, or under `properties` as the REST API gives them), or an ARM template holding
 * one Microsoft.Network/networkSecurityGroups resource (what portmatrix's azure target writes).
 * Semantics (Azure docs, "Network security groups: security rules"): per direction the rules by
 * ascending priority, first match wins; stateful (replies of allowed connections pass); Azure's
 * default rules (65000 AllowVnet…, 65001 AllowAzureLoadBalancerInBound / AllowInternetOutBound,
 * 65500 DenyAll…) come after the user's: read from `defaultSecurityRules` when present, else added.
 * Host kind (the NSG of the edge's network interface). Service tags (Internet, VirtualNetwork,
 * AzureLoadBalancer, …), application security groups and ARM expressions name addresses not in
 * the file: analysed as any address, approximated (verdicts through them are uncertain).
 * More than one NSG in a file (a perimeter template, `az network nsg list`) is refused.
 */
import type { Diagnostic } from "../diag/diagnostic.js";
import type { Approximation, Rule, Ruleset } from "../ir/ruleset.js";
import { parseYaml, type PathKey } from "../model/yaml-source.js";
import { ALL_ADDRESSES } from "../space/address.js";
import { makeBox } from "../space/box.js";
import { IntervalSet } from "../space/interval-set.js";
import { ALL_PORTS, ALL_PROTOCOLS, PROTO } from "../space/port.js";
import { Space } from "../space/space.js";
import { baseChain, deviceRule, origin, statefulPass } from "./device.js";
import { maskedCidr } from "./iptables-terms.js";
import { jsonProblems, type ParsedRuleset } from "./reader.js";

const TABLE = "azure-nsg";
const NSG_TYPE = "microsoft.network/networksecuritygroups";

type Obj = Record<string, unknown>;

function asObject(v: unknown): Obj | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

function field(o: Obj, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

const PROTOCOLS = new Map<string, IntervalSet>([
  ["*", ALL_PROTOCOLS],
  ["tcp", IntervalSet.of(PROTO.tcp)],
  ["udp", IntervalSet.of(PROTO.udp)],
  // Icmp: whether Azure's Icmp also matches ICMPv6 is not documented: both, approximated below.
  ["icmp", IntervalSet.of(PROTO.icmp).union(IntervalSet.of(PROTO.ipv6icmp))],
  ["esp", IntervalSet.of(50)],
  ["ah", IntervalSet.of(51)],
]);

/** Azure's default rules, as `az network nsg show` lists them under defaultSecurityRules. */
const DEFAULTS: Obj[] = [
  ["AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork", "VirtualNetwork"],
  ["AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer", "*"],
  ["DenyAllInBound", 65500, "Inbound", "Deny", "*", "*"],
  ["AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork", "VirtualNetwork"],
  ["AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "Internet"],
  ["DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*"],
].map(([name, priority, direction, access, src, dst]) => ({
  name,
  priority,
  direction,
  access,
  protocol: "*",
  sourcePortRange: "*",
  destinationPortRange: "*",
  sourceAddressPrefix: src,
  destinationAddressPrefix: dst,
}));

interface NsgRule {
  name: string;
  priority: number;
  inbound: boolean;
  allow: boolean;
  match: Space;
  approx: Array<{ construct: string; reason: string }>;
  line: number;
  implicit: boolean;
  /** Matches every packet, exactly: nothing after it in its direction is reached. */
  all: boolean;
}

export function readAzureNsg(text: string, file: string): ParsedRuleset {
  const parsed = parseYaml(file, text);
  const ruleset: Ruleset = {
    format: "azure-nsg",
    source: file,
    semantics: "first-match",
    stateful: true,
    tables: [],
  };
  const source = parsed.source;
  if (!source) return { ruleset, diagnostics: parsed.diagnostics };
  const diagnostics: Diagnostic[] = [];
  const problem = jsonProblems(source, diagnostics);
  const found = findNsg(source.value);
  if (typeof found === "string") {
    problem(
      "azure-format",
      found,
      [],
      "one NSG: `az network nsg show` JSON or an ARM template with one Microsoft.Network/networkSecurityGroups resource",
    );
    return { ruleset, diagnostics };
  }
  const { nsg, path: nsgPath } = found;
  const rules: NsgRule[] = [];
  const read = (r: Obj, path: PathKey[], implicit: boolean): void => {
    const props = asObject(field(r, "properties")) ?? r;
    const propPath: PathKey[] = props === r ? path : [...path, "properties"];
    const at = (k: string): PathKey[] => (implicit ? [] : [...propPath, k]);
    const name = String(field(r, "name") ?? field(props, "name") ?? `rule ${String(path.at(-1))}`);
    const bad = (k: string, what: string, expected: string): void =>
      problem("azure-format", `rule ${name}: ${what}`, at(k), expected);
    const priority = field(props, "priority");
    if (typeof priority !== "number" || !Number.isInteger(priority) || priority < 100 || priority > 65500)
      return bad(
        "priority",
        `bad priority ${JSON.stringify(priority)}`,
        "a whole number 100-4096 (defaults 65000-65500)",
      );
    const direction = String(field(props, "direction") ?? "").toLowerCase();
    if (direction !== "inbound" && direction !== "outbound")
      return bad(
        "direction",
        `bad direction ${JSON.stringify(field(props, "direction"))}`,
        '"Inbound" or "Outbound"',
      );
    const access = String(field(props, "access") ?? "").toLowerCase();
    if (access !== "allow" && access !== "deny")
      return bad("access", `bad access ${JSON.stringify(field(props, "access"))}`, '"Allow" or "Deny"');
    let proto = PROTOCOLS.get(String(field(props, "protocol") ?? "").toLowerCase());
    if (!proto)
      return bad(
        "protocol",
        `bad protocol ${JSON.stringify(field(props, "protocol"))}`,
        "Tcp, Udp, Icmp, Esp, Ah or *",
      );
    const approx: NsgRule["approx"] = [];
    const dims: Record<string, IntervalSet> = {};
    if (String(field(props, "protocol")).toLowerCase() === "icmp")
      approx.push({
        construct: "protocol Icmp",
        reason: "read as ICMP and ICMPv6 (Azure does not document whether Icmp matches ICMPv6)",
      });
    for (const [side, dim, pdim] of [
      ["source", "src", "sport"],
      ["destination", "dst", "dport"],
    ] as const) {
      const ports = list(props, `${side}PortRange`);
      let pset = IntervalSet.EMPTY;
      for (const p of ports.items) {
        const range = portRange(p);
        if (!range)
          return bad(
            ports.key,
            `bad port range ${JSON.stringify(p)}`,
            '"*", a port or "from-to" within 0-65535',
          );
        pset = pset.union(range);
      }
      if (ports.items.length === 0)
        return bad(ports.key, `no ${side} port range`, `${side}PortRange or ${side}PortRanges`);
      dims[pdim] = pset;
      let aset = IntervalSet.EMPTY;
      const addrs = list(props, `${side}AddressPrefix`);
      for (const a of addrs.items) {
        if (a === "*") aset = ALL_ADDRESSES;
        else {
          const cidr = typeof a === "string" ? maskedCidr(a) : undefined;
          if (cidr && !/^any[46]?$/i.test(String(a))) aset = aset.union(cidr.set);
          else if (typeof a === "string" && /^(\[.*\]|[A-Za-z][\w.-]*)$/.test(a)) {
            aset = ALL_ADDRESSES;
            approx.push({
              construct: `${side} ${a}`,
              reason: `${a.startsWith("[") ? "an ARM expression" : "a service tag"}: the addresses it names are not in this file; analysed as any address`,
            });
          } else
            return bad(
              addrs.key,
              `bad ${side} address ${JSON.stringify(a)}`,
              "*, an address, a CIDR or a service tag",
            );
        }
      }
      const asgs = field(props, `${side}ApplicationSecurityGroups`);
      if (Array.isArray(asgs) && asgs.length > 0) {
        aset = ALL_ADDRESSES;
        approx.push({
          construct: `${side}ApplicationSecurityGroups`,
          reason: "the groups' members are not in this file; analysed as any address",
        });
      }
      if (addrs.items.length === 0 && !(Array.isArray(asgs) && asgs.length > 0))
        return bad(
          addrs.key,
          `no ${side} address`,
          `${side}AddressPrefix, ${side}AddressPrefixes or ${side}ApplicationSecurityGroups`,
        );
      dims[dim] = aset;
    }
    const ported = proto.equals(IntervalSet.of(PROTO.tcp)) || proto.equals(IntervalSet.of(PROTO.udp));
    const portsLimited = !dims.sport!.equals(ALL_PORTS) || !dims.dport!.equals(ALL_PORTS);
    if (!ported) {
      if (portsLimited && proto.equals(ALL_PROTOCOLS)) {
        // Ports only exist for TCP and UDP: read as those two, said.
        proto = IntervalSet.of(PROTO.tcp).union(IntervalSet.of(PROTO.udp));
        approx.push({
          construct: "protocol * with port ranges",
          reason: "only TCP and UDP have ports: read as TCP and UDP on those ports",
        });
      } else {
        dims.sport = ALL_PORTS;
        dims.dport = ALL_PORTS;
      }
    }
    const all =
      approx.length === 0 &&
      proto.equals(ALL_PROTOCOLS) &&
      [dims.src!, dims.dst!].every((d) => d.equals(ALL_ADDRESSES)) &&
      [dims.sport!, dims.dport!].every((d) => d.equals(ALL_PORTS));
    const box = makeBox({ proto, src: dims.src!, dst: dims.dst!, sport: dims.sport!, dport: dims.dport! });
    const line = implicit ? 1 : source.positionOf(path).line;
    rules.push({
      name,
      priority,
      inbound: direction === "inbound",
      allow: access === "allow",
      match: Space.box(box),
      approx,
      line,
      implicit,
      all,
    });
  };
  const lists: Array<[string, boolean]> = [["securityRules", false]];
  if (Object.hasOwn(nsg, "defaultSecurityRules")) lists.push(["defaultSecurityRules", false]);
  for (const [key, implicit] of lists) {
    const v = field(nsg, key);
    if (v !== undefined && !Array.isArray(v))
      problem("azure-format", `${key} is not a list`, [...nsgPath, key], "a JSON array of rules");
    (Array.isArray(v) ? v : []).forEach((r, i) => {
      const o = asObject(r);
      if (!o)
        return problem(
          "azure-format",
          `${key} item ${i} is not an object`,
          [...nsgPath, key, i],
          "a rule object",
        );
      read(o, [...nsgPath, key, i], implicit);
    });
  }
  if (!Object.hasOwn(nsg, "defaultSecurityRules")) DEFAULTS.forEach((d, i) => read(d, ["default", i], true));
  for (const inbound of [true, false]) {
    const seen = new Map<number, string>();
    for (const r of rules.filter((x) => x.inbound === inbound)) {
      const other = seen.get(r.priority);
      if (other !== undefined)
        problem(
          "azure-priority",
          `rules ${other} and ${r.name} share priority ${r.priority} in one direction`,
          nsgPath,
          "unique priorities per direction (Azure refuses duplicates)",
        );
      seen.set(r.priority, r.name);
    }
  }
  if (diagnostics.some((d) => d.severity === "error"))
    return { ruleset, diagnostics: [...parsed.diagnostics, ...diagnostics] };
  const top = origin(file, source.positionOf(nsgPath).line, "network security group");
  const chains = [true, false].map((inbound) => {
    const name = inbound ? "inbound" : "outbound";
    const sorted = rules.filter((r) => r.inbound === inbound).sort((a, b) => a.priority - b.priority);
    // Azure's defaults behind a rule matching everything (portmatrix's own DenyAll at 4096) are
    // never reached: left out, so their service tags do not make anything uncertain.
    const cut = sorted.findIndex((r) => r.all);
    const mine = sorted.filter((r, i) => cut < 0 || i <= cut || !r.implicit);
    const body: Rule[] = [
      statefulPass(TABLE, name, "A network security group", top),
      ...mine.map((r, i) => toRule(r, name, i + 1, file)),
    ];
    return baseChain(
      name,
      inbound ? "input" : "output",
      "drop",
      origin(file, 1, `(implicit) end of ${name} rules`),
      body,
    );
  });
  return {
    ruleset: { ...ruleset, tables: [{ family: "inet", name: TABLE, chains }] },
    diagnostics: [...parsed.diagnostics, ...diagnostics],
  };
}

function toRule(r: NsgRule, chain: string, index: number, file: string): Rule {
  const text = `${r.implicit ? "(implicit, Azure default) " : ""}${r.name} priority ${r.priority} ${r.allow ? "Allow" : "Deny"}`;
  const at = origin(file, r.line, text);
  const rule = deviceRule(
    TABLE,
    chain,
    index,
    r.match,
    { kind: r.allow ? "accept" : "drop" },
    at,
    r.implicit ? `Azure adds default rule ${r.name} to every NSG` : undefined,
  );
  rule.approximations = r.approx.map((a): Approximation => ({ ...a, origin: at }));
  return rule;
}

/** The values of `<key>` or `<key>es` (Azure's singular and plural fields). */
function list(o: Obj, key: string): { key: string; items: unknown[] } {
  const plural = field(o, `${key}es`) ?? field(o, `${key}s`);
  const single = field(o, key);
  const items = [
    ...(single !== undefined && single !== null && single !== "" ? [single] : []),
    ...(Array.isArray(plural) ? plural : []),
  ];
  return {
    key: single !== undefined ? key : Array.isArray(field(o, `${key}es`)) ? `${key}es` : `${key}s`,
    items,
  };
}

function portRange(p: unknown): IntervalSet | undefined {
  if (p === "*") return ALL_PORTS;
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(
    typeof p === "number" ? String(p) : typeof p === "string" ? p.trim() : "",
  );
  if (!m) return undefined;
  const from = Number(m[1]);
  const to = Number(m[2] ?? m[1]);
  return from <= to && to <= 65535 ? IntervalSet.of(from, to) : undefined;
}

/** The one NSG object in the document and its path, or what is wrong. */
function findNsg(doc: unknown): { nsg: Obj; path: PathKey[] } | string {
  const o = asObject(doc);
  if (Array.isArray(doc)) {
    if (doc.length === 1 && asObject(doc[0])) return { nsg: asObject(doc[0])!, path: [0] };
    return `a list of ${doc.length} items; this reader takes one NSG per file`;
  }
  if (!o) return "not a JSON object";
  if (Object.hasOwn(o, "securityRules") || Object.hasOwn(o, "defaultSecurityRules"))
    return { nsg: o, path: [] };
  const props = asObject(field(o, "properties"));
  if (props && (Object.hasOwn(props, "securityRules") || Object.hasOwn(props, "defaultSecurityRules")))
    return { nsg: props, path: ["properties"] };
  const resources = field(o, "resources");
  if (Array.isArray(resources)) {
    const nsgs = resources
      .map((r, i) => ({ r: asObject(r), i }))
      .filter(({ r }) => r && String(field(r, "type") ?? "").toLowerCase() === NSG_TYPE);
    if (nsgs.length !== 1)
      return `an ARM template with ${nsgs.length} Microsoft.Network/networkSecurityGroups resources; this reader takes exactly one (a host's NIC NSG)`;
    const p = asObject(field(nsgs[0]!.r!, "properties"));
    if (!p) return "the NSG resource has no properties object";
    return { nsg: p, path: ["resources", nsgs[0]!.i, "properties"] };
  }
  return "no securityRules, defaultSecurityRules or ARM resources";
}
