/**
 * Azure network security group reader (format `azure-nsg`): the JSON `az network nsg show` prints
 * (rule fields flat, or under `properties` as the REST API gives them), `az network nsg list` (an
 * array of those), or an ARM template with Microsoft.Network/networkSecurityGroups resources (what
 * portmatrix's azure target writes). Semantics (Azure docs, "Network security groups: security
 * rules", https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview, and
 * "How network security groups filter network traffic",
 * https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works): per NSG
 * and direction the rules by ascending priority, first match wins; stateful (replies of allowed connections pass); Azure's
 * default rules (65000 AllowVnet…, 65001 AllowAzureLoadBalancerInBound / AllowInternetOutBound,
 * 65500 DenyAll…) come after the user's: read from `defaultSecurityRules` when present, else added.
 * One NSG: a host's (the NSG of the edge's network interface): input/output chains. NSGs on subnets:
 * a perimeter whose zones are subnets — traffic between subnets passes the source subnet's Outbound
 * rules and the destination subnet's Inbound rules (both must allow; also inside one subnet); a
 * subnet without an NSG filters nothing. An NSG is placed by a template's virtual network subnets,
 * by `subnets` ids in az output, or by the azure target's `portmatrix-subnet` tag; several NSGs of
 * which one cannot be placed are refused where it stands. Simple ARM expressions are resolved
 * (arm-expr.ts). Service tags (Internet, VirtualNetwork, AzureLoadBalancer, …), application security
 * groups and unresolved ARM expressions name addresses not in the file: analysed as any address,
 * approximated (verdicts through them are uncertain).
 */
import type { Diagnostic } from "../diag/diagnostic.js";
import type { Approximation, Chain, Rule, Ruleset } from "../ir/ruleset.js";
import { parseYaml, type PathKey, type YamlSource } from "../model/yaml-source.js";
import { NameSet } from "../space/name-set.js";
import { armContext, isArmExpression, resolveArm, type ArmContext } from "./arm-expr.js";
import { ALL_ADDRESSES } from "../space/address.js";
import { makeBox } from "../space/box.js";
import { IntervalSet } from "../space/interval-set.js";
import { ALL_PORTS, ALL_PROTOCOLS, PROTO } from "../space/port.js";
import { Space } from "../space/space.js";
import { baseChain, deviceRule, origin, statefulPass, userChain } from "./device.js";
import { maskedCidr } from "./iptables-terms.js";
import { jsonProblems, type JsonProblem, type ParsedRuleset } from "./reader.js";

const TABLE = "azure-nsg";
const NSG_TYPE = "microsoft.network/networksecuritygroups";
const VNET_TYPE = "microsoft.network/virtualnetworks";
const PUBLIC_IP_TYPE = "microsoft.network/publicipaddresses";

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

/** One NSG found in the document: the object holding its rules, and where it is. */
interface FoundNsg {
  nsg: Obj;
  path: PathKey[];
  name: string | undefined;
  /** Subnets named on the NSG itself (`subnets` ids of `az network nsg show/list`, a portmatrix tag). */
  subnets: string[];
}

interface Found {
  nsgs: FoundNsg[];
  subnets: FoundSubnet[];
  /** Where Microsoft.Network/publicIPAddresses resources are. */
  publicIps: PathKey[][];
}

/** A subnet a template or export names, and the NSG associated with it (null: none). */
interface FoundSubnet {
  name: string | undefined;
  nsg: string | null | undefined;
  path: PathKey[];
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
  const ctx = armContext(source.value);
  const found = findNsgs(source.value, ctx);
  if (typeof found === "string") {
    problem(
      "azure-format",
      found,
      [],
      "`az network nsg show` or `az network nsg list` JSON, or an ARM template with Microsoft.Network/networkSecurityGroups resources",
    );
    return { ruleset, diagnostics };
  }
  const perNsg = found.nsgs.map((n) => readRules(n, ctx, source, problem));
  if (found.publicIps.length > 0)
    problem(
      "azure-public-ip",
      `${found.publicIps.length} public IP address resource(s): Azure translates each public address to the private address it is associated with, but allocates the public address itself — it is not in this file, so traffic addressed to it is judged untranslated`,
      found.publicIps[0]!,
      "the NSG rules name private addresses; audit flows to the private addresses",
      "warning",
    );
  if (diagnostics.some((d) => d.severity === "error"))
    return { ruleset, diagnostics: [...parsed.diagnostics, ...diagnostics] };
  const chains: Chain[] = [];
  if (found.nsgs.length === 1) {
    const top = origin(file, source.positionOf(found.nsgs[0]!.path).line, "network security group");
    for (const inbound of [true, false]) {
      const name = inbound ? "inbound" : "outbound";
      const body: Rule[] = [
        statefulPass(TABLE, name, "A network security group", top),
        ...reached(perNsg[0]!, inbound).map((r, i) => toRule(r, name, i + 1, file)),
      ];
      chains.push(
        baseChain(
          name,
          inbound ? "input" : "output",
          "drop",
          origin(file, 1, `(implicit) end of ${name} rules`),
          body,
        ),
      );
    }
  }
  // Perimeter: the NSGs of subnets. Several NSGs must each be placed; one NSG is also a host's.
  const several = found.nsgs.length > 1;
  const subnetsOf = mapSubnets(found, several, problem);
  if (diagnostics.some((d) => d.severity === "error"))
    return { ruleset, diagnostics: [...parsed.diagnostics, ...diagnostics] };
  if (subnetsOf.some((s) => s.length > 0) || found.subnets.length > 0)
    chains.push(...perimeterChains(found, perNsg, subnetsOf, file, source));
  return {
    ruleset: { ...ruleset, tables: [{ family: "inet", name: TABLE, chains }] },
    diagnostics: [...parsed.diagnostics, ...diagnostics],
  };
}

/**
 * A direction's rules in priority order. Azure's defaults stay even behind a rule matching
 * everything (portmatrix's own DenyAll at 4096): no packet meets them there, but they are what
 * removing that rule would expose (AllowVnetInBound), so the DenyAll is never called redundant; the
 * audit does not list an implicit rule no packet meets as "not modelled exactly".
 */
function reached(rules: NsgRule[], inbound: boolean): NsgRule[] {
  return rules.filter((r) => r.inbound === inbound).sort((a, b) => a.priority - b.priority);
}

/** Each NSG's subnet names (index as found.nsgs); unplaceable NSGs and subnets are problems. */
function mapSubnets(found: Found, several: boolean, problem: JsonProblem): string[][] {
  const severity = several ? "error" : "warning";
  const out = found.nsgs.map((n) => [...n.subnets]);
  for (const s of found.subnets) {
    if (s.name === undefined) {
      problem(
        "azure-subnet",
        "a subnet's name is an ARM expression that cannot be resolved here",
        s.path,
        "a literal name, or parameters()/variables() with literal defaults",
        severity,
      );
      continue;
    }
    if (s.nsg === null) continue;
    const i = s.nsg === undefined ? -1 : found.nsgs.findIndex((n) => n.name === s.nsg);
    if (i < 0) {
      problem(
        "azure-subnet",
        s.nsg === undefined
          ? `subnet ${s.name}: its networkSecurityGroup id cannot be resolved here`
          : `subnet ${s.name}: its network security group ${s.nsg} is not in this file`,
        s.path,
        "a networkSecurityGroup id naming an NSG of this file",
        severity,
      );
      continue;
    }
    if (!out[i]!.includes(s.name)) out[i]!.push(s.name);
  }
  found.nsgs.forEach((n, i) => {
    if (several && out[i]!.length === 0)
      problem(
        "azure-subnet",
        `network security group ${n.name ?? "(name unresolved)"} is associated with no subnet in this file: which zone it filters is unknown`,
        n.path,
        "a subnet of this file whose networkSecurityGroup names it, `subnets` in `az network nsg list` output, or a portmatrix-subnet tag",
      );
  });
  for (let i = 0; i < out.length; i++)
    for (let j = i + 1; j < out.length; j++)
      for (const s of out[i]!.filter((x) => out[j]!.includes(x)))
        problem(
          "azure-subnet",
          `subnet ${s} is associated with two network security groups (${found.nsgs[i]!.name}, ${found.nsgs[j]!.name})`,
          found.nsgs[j]!.path,
          "one NSG per subnet (Azure allows one)",
          severity,
        );
  return out;
}

/**
 * Traffic between subnets (Azure docs, "How network security groups filter network traffic"): the
 * source subnet's NSG outbound rules, then the destination subnet's NSG inbound rules; both must
 * allow (intra-subnet traffic too); a subnet without an NSG filters nothing; stateful.
 * forward: [stateful pass, iif S → goto nsg_N_out …, goto subnet_in]; nsg_N_out: its outbound
 * rules (allow → goto subnet_in); subnet_in: [oif S → goto nsg_M_in …, accept]; nsg_M_in: inbound.
 */
function perimeterChains(
  found: Found,
  perNsg: NsgRule[][],
  subnetsOf: string[][],
  file: string,
  source: YamlSource,
): Chain[] {
  const top = origin(file, 1, "(implicit) traffic between subnets");
  const forward: Rule[] = [statefulPass(TABLE, "forward", "A network security group", top)];
  const dispatch: Rule[] = [];
  const chains: Chain[] = [];
  found.nsgs.forEach((n, i) => {
    const subnets = subnetsOf[i]!;
    if (subnets.length === 0) return;
    // Names label the chains; two NSGs of one name (az list across resource groups) keep apart.
    const twin = found.nsgs.some((o, k) => k !== i && o.name === n.name);
    const label = n.name === undefined ? `#${i + 1}` : twin ? `${n.name}#${i + 1}` : n.name;
    const at = origin(file, source.positionOf(n.path).line, `network security group ${label}`);
    const list = subnets.join(", ");
    for (const [inbound, name] of [
      [false, `nsg_${label}_out`],
      [true, `nsg_${label}_in`],
    ] as const) {
      (inbound ? dispatch : forward).push(
        deviceRule(
          TABLE,
          inbound ? "subnet_in" : "forward",
          0,
          Space.box(makeBox(inbound ? { oif: NameSet.of(...subnets) } : { iif: NameSet.of(...subnets) })),
          { kind: "goto", chain: name },
          at,
          `traffic ${inbound ? "to" : "from"} subnet ${list} meets NSG ${label}'s ${inbound ? "inbound" : "outbound"} rules`,
        ),
      );
      const end = deviceRule(
        TABLE,
        name,
        0,
        Space.ANY,
        { kind: "drop" },
        { ...at, text: `(implicit) end of ${label} ${inbound ? "inbound" : "outbound"} rules` },
        "no rule matched",
      );
      const rules = reached(perNsg[i]!, inbound);
      const body = rules.map((r, k) => toRule(r, name, k + 1, file, inbound ? undefined : "subnet_in"));
      // A rule matching everything ends the list (Azure's DenyAll… or the user's own): no end needed.
      chains.push(userChain(name, at, rules.some((r) => r.all) ? body : [...body, end]));
    }
  });
  const placed = new Set(subnetsOf.flat());
  const bare = [...new Set(found.subnets.filter((s) => s.nsg === null && s.name).map((s) => s.name!))].filter(
    (s) => !placed.has(s),
  );
  // Interfaces that are no subnet of this file are outside what it describes: nothing passes.
  const known = NameSet.of(...placed, ...bare);
  forward.push(
    deviceRule(
      TABLE,
      "forward",
      0,
      Space.box(makeBox({ iif: known, oif: known })),
      { kind: "goto", chain: "subnet_in" },
      { ...top, text: "(implicit) a subnet without an NSG filters nothing outbound" },
      "no NSG on the source subnet",
    ),
  );
  if (bare.length > 0)
    dispatch.push(
      deviceRule(
        TABLE,
        "subnet_in",
        0,
        Space.box(makeBox({ oif: NameSet.of(...bare) })),
        { kind: "accept" },
        { ...top, text: `(implicit) subnets without an NSG: ${bare.join(", ")}` },
        "no NSG on the destination subnet",
      ),
    );
  dispatch.push(
    deviceRule(
      TABLE,
      "subnet_in",
      0,
      Space.ANY,
      { kind: "drop" },
      { ...top, text: "(implicit) not a subnet of this file" },
      "the destination is no subnet this file describes",
    ),
  );
  return [
    baseChain("forward", "forward", "drop", top, forward),
    userChain("subnet_in", top, dispatch),
    ...chains,
  ];
}

/** The subnets an azure-nsg ruleset places (those a perimeter topology's zones may name). */
export function azureSubnets(chains: readonly Chain[]): string[] {
  const names = new Set<string>();
  for (const c of chains.filter((x) => x.name === "forward" || x.name === "subnet_in"))
    for (const r of c.rules)
      for (const b of r.match.boxes)
        for (const s of [b.iif, b.oif]) if (!s.cofinite) s.names.forEach((n) => names.add(n));
  return [...names];
}

/** An NSG's rules (user rules, and the defaults as listed or as Azure adds them). */
function readRules(found: FoundNsg, ctx: ArmContext, source: YamlSource, problem: JsonProblem): NsgRule[] {
  const { nsg, path: nsgPath } = found;
  const rules: NsgRule[] = [];
  const read = (raw: Obj, path: PathKey[], implicit: boolean): void => {
    // `"properties": "[variables('rule')]"`: the rule's fields from a resolved expression.
    const given = field(raw, "properties");
    const propsRaw = asObject(isArmExpression(given) ? resolveArm(given, ctx) : given) ?? raw;
    const props = resolveFields(propsRaw, ctx);
    const propPath: PathKey[] = propsRaw === raw ? path : [...path, "properties"];
    // Fields of a resolved expression have no place of their own: the expression's is theirs.
    const at = (k: string): PathKey[] =>
      implicit ? [] : isArmExpression(given) ? propPath : [...propPath, k];
    const rawName = resolveArm(field(raw, "name") ?? field(props, "name"), ctx);
    const name = typeof rawName === "string" ? rawName : `rule ${String(path.at(-1))}`;
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
    const raw = field(nsg, key);
    const v = isArmExpression(raw) ? resolveArm(raw, ctx) : raw;
    if (v !== undefined && !Array.isArray(v))
      problem(
        "azure-format",
        `${key} is not a list${isArmExpression(raw) ? " (an ARM expression that cannot be resolved here)" : ""}`,
        [...nsgPath, key],
        "a JSON array of rules",
      );
    (Array.isArray(v) ? v : []).forEach((r, i) => {
      const o = asObject(r);
      // Rules from a resolved expression have no place of their own: the list's is theirs.
      const path: PathKey[] = v === raw ? [...nsgPath, key, i] : [...nsgPath, key];
      if (!o) return problem("azure-format", `${key} item ${i} is not an object`, path, "a rule object");
      read(o, path, implicit);
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
  return rules;
}

/** A rule's fields with their ARM expressions resolved where they can be (else left as written). */
function resolveFields(o: Obj, ctx: ArmContext): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) {
    const r = isArmExpression(v) ? resolveArm(v, ctx) : v;
    out[k] = r === undefined ? v : r;
  }
  return out;
}

/** `allowTo`: where an allowed packet goes on (the destination's inbound rules), else accepted. */
function toRule(r: NsgRule, chain: string, index: number, file: string, allowTo?: string): Rule {
  const text = `${r.implicit ? "(implicit, Azure default) " : ""}${r.name} priority ${r.priority} ${r.allow ? "Allow" : "Deny"}`;
  const at = origin(file, r.line, text);
  const rule = deviceRule(
    TABLE,
    chain,
    index,
    r.match,
    r.allow ? (allowTo ? { kind: "goto", chain: allowTo } : { kind: "accept" }) : { kind: "drop" },
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

/** The last segment of a resource id or `vnet/subnet` name (ids: `/subscriptions/…/subnets/web`). */
const lastSegment = (v: unknown): string | undefined =>
  typeof v === "string" && v !== "" ? v.split("/").filter(Boolean).at(-1) : undefined;

/** An NSG as `az network nsg show` prints it (flat) or the REST API gives it (under `properties`). */
function shownNsg(o: Obj, path: PathKey[]): FoundNsg | undefined {
  const has = (x: Obj) => Object.hasOwn(x, "securityRules") || Object.hasOwn(x, "defaultSecurityRules");
  const props = asObject(field(o, "properties"));
  const holder = has(o) ? o : props && has(props) ? props : undefined;
  if (!holder) return undefined;
  const subnets = field(holder, "subnets") ?? field(o, "subnets");
  return {
    nsg: holder,
    path: holder === o ? path : [...path, "properties"],
    name: typeof o.name === "string" ? o.name : undefined,
    subnets: (Array.isArray(subnets) ? subnets : [])
      .map((s) => lastSegment(asObject(s)?.id))
      .filter((s): s is string => s !== undefined)
      .concat(tagged(o)),
  };
}

/** The subnet portmatrix's azure target names in an NSG's tags (`portmatrix-subnet`). */
function tagged(o: Obj): string[] {
  const t = asObject(field(o, "tags"))?.["portmatrix-subnet"];
  return typeof t === "string" && t !== "" ? [t.startsWith("[[") ? t.slice(1) : t] : [];
}

/** The NSGs in the document and the subnets it names, or what is wrong. */
function findNsgs(doc: unknown, ctx: ArmContext): Found | string {
  if (Array.isArray(doc)) {
    const nsgs = doc.map((x, i) => (asObject(x) ? shownNsg(asObject(x)!, [i]) : undefined));
    const bad = nsgs.findIndex((n) => !n);
    if (doc.length === 0) return "an empty list: no network security group";
    if (bad >= 0) return `list item ${bad} is not a network security group (no securityRules)`;
    return { nsgs: nsgs as FoundNsg[], subnets: [], publicIps: [] };
  }
  const o = asObject(doc);
  if (!o) return "not a JSON object";
  const shown = shownNsg(o, []);
  if (shown) return { nsgs: [shown], subnets: [], publicIps: [] };
  const resources = field(o, "resources");
  if (!Array.isArray(resources)) return "no securityRules, defaultSecurityRules or ARM resources";
  const nsgs: FoundNsg[] = [];
  const subnets: FoundSubnet[] = [];
  const publicIps: PathKey[][] = [];
  const subnet = (s: Obj, name: unknown, path: PathKey[]): void => {
    const props = asObject(field(s, "properties")) ?? {};
    const ref = asObject(field(props, "networkSecurityGroup"));
    const n = resolveArm(name, ctx);
    subnets.push({
      name: lastSegment(n),
      nsg: ref ? lastSegment(resolveArm(field(ref, "id"), ctx)) : null,
      path,
    });
  };
  const walk = (list: unknown[], path: PathKey[], parent: string): void =>
    list.forEach((x, i) => {
      const r = asObject(x);
      if (!r) return;
      const at: PathKey[] = [...path, i];
      const raw = String(field(r, "type") ?? "").toLowerCase();
      const type = raw.includes("/") ? raw : `${parent}/${raw}`;
      const props = asObject(field(r, "properties"));
      if (type === NSG_TYPE) {
        // Without properties: an NSG of Azure's default rules only.
        const name = resolveArm(field(r, "name"), ctx);
        nsgs.push({
          nsg: props ?? {},
          path: props ? [...at, "properties"] : at,
          name: typeof name === "string" ? lastSegment(name) : undefined,
          subnets: tagged(r),
        });
      } else if (type === VNET_TYPE) {
        const list = field(props ?? {}, "subnets");
        if (Array.isArray(list))
          list.forEach((s, k) => {
            const so = asObject(s);
            if (so) subnet(so, field(so, "name"), [...at, "properties", "subnets", k]);
          });
      } else if (type === `${VNET_TYPE}/subnets`) subnet(r, field(r, "name"), at);
      else if (type === PUBLIC_IP_TYPE) publicIps.push(at);
      const children = field(r, "resources");
      if (Array.isArray(children)) walk(children, [...at, "resources"], type);
    });
  walk(resources, ["resources"], "");
  if (nsgs.length === 0) return "an ARM template without Microsoft.Network/networkSecurityGroups resources";
  return { nsgs, subnets, publicIps };
}
