/**
 * FortiOS configuration (`show full-configuration`, a backup file) → IR (format `fortios`).
 * Transit traffic as a FortiGate in NAT mode decides it (FortiOS Administration Guide, "Firewall
 * policy", "Policy views and policy lookup", "Virtual IPs"):
 *  - stateful: packets of sessions a policy accepted pass (implicit rule first);
 *  - `config firewall policy` is read top-down in table order (the sequence, not the ids); the
 *    first policy whose incoming interface (srcintf), outgoing interface (dstintf), source,
 *    destination and service all match decides (accept or deny); `set status disable` takes a
 *    policy out; `srcaddr-negate` / `dstaddr-negate` / `service-negate` match the complement;
 *    interfaces may be zones (`config system zone`) or `any`;
 *  - no policy matched: the implicit deny (policy 0);
 *  - IPv4 addresses from srcaddr/dstaddr, IPv6 from srcaddr6/dstaddr6 (7.x consolidated policy)
 *    or from `config firewall policy6` (6.x);
 *  - a VIP (`config firewall vip`) named as a policy's destination translates extip[:extport] to
 *    mappedip[:mappedport] before the policy is matched (destination NAT, prerouting), and the
 *    policy then matches the mapped address; `set nat enable` translates the source of the
 *    sessions the policy accepts (to an `ippool`, else the outgoing interface's address).
 * Approximations (the rule's match over-approximates; verdicts it decides are uncertain): FQDN,
 * geography, wildcard, dynamic and MAC addresses; schedules other than `always`; user, group
 * and Internet-service (ISDB) matches; services limited to a destination.
 * Not modelled, and said: policy-based NGFW mode (`security-policy`), proxy policies, central
 * NAT, local-in policies, traffic to the FortiGate itself.
 */
import type { Action, Approximation, Chain, Rule } from "../ir/ruleset.js";
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { ALL_V4, ALL_V6 } from "../space/address.js";
import { makeBox, type Box } from "../space/box.js";
import { IntervalSet } from "../space/interval-set.js";
import { NameSet } from "../space/name-set.js";
import { Space } from "../space/space.js";
import { baseChain, deviceRule, origin, statefulPass } from "./device.js";
import { parseFortiosCli, type Entry, type Table } from "./fortios-cli.js";
import {
  addressBook,
  serviceBook,
  subnetSet,
  type AddressBook,
  type Lookup,
  type Vip,
} from "./fortios-objects.js";
import type { ParsedRuleset } from "./reader.js";
import { lookupTable } from "./lookup.js";

const TABLE = "fortios";

/** Tables present in a configuration that decide traffic but are not modelled here. */
const UNMODELLED: Record<string, string> = lookupTable({
  "firewall security-policy": "policy-based NGFW mode security policies",
  "firewall proxy-policy": "explicit and transparent proxy policies",
  "firewall central-snat-map": "central SNAT",
  "firewall local-in-policy": "local-in policies (traffic to the FortiGate itself)",
  "firewall policy46": "NAT46 policies",
  "firewall policy64": "NAT64 policies",
  "firewall multicast-policy": "multicast policies",
});

export function readFortios(text: string, file: string): ParsedRuleset {
  const parsed = parseFortiosCli(file, text);
  const diagnostics = [...parsed.diagnostics];
  const tables = chooseVdom(parsed.tables, parsed.vdoms, file, diagnostics);
  const chains = tables ? fortiosChains(tables, file, diagnostics) : [];
  return {
    ruleset: {
      format: "fortios",
      source: file,
      semantics: "first-match",
      stateful: true,
      tables: [{ family: "inet", name: TABLE, chains }],
    },
    diagnostics,
  };
}

const hasPolicies = (tables: readonly Table[]) =>
  tables.some((t) => /^firewall policy6?$/.test(t.path) && t.entries.length > 0);

/** The one VDOM with policies (said), or a refusal listing them. */
function chooseVdom(
  plain: Table[],
  vdoms: Map<string, Table[]>,
  file: string,
  diagnostics: Diagnostic[],
): Table[] | undefined {
  if (vdoms.size === 0) return plain;
  const withPolicies = [...vdoms].filter(([, t]) => hasPolicies(t));
  if (withPolicies.length === 1) {
    const [name, tables] = withPolicies[0]!;
    diagnostics.push(
      diag(
        "fortios-vdom",
        "note",
        `multi-VDOM configuration: reading VDOM ${name}, the only one with firewall policies`,
        {
          at: { file, line: tables[0]?.line ?? 1, col: 1 },
        },
      ),
    );
    return tables;
  }
  if (withPolicies.length === 0 && !hasPolicies(plain) && vdoms.size === 1) return [...vdoms.values()][0]!;
  diagnostics.push(
    diag(
      "fortios-vdom",
      "error",
      `multi-VDOM configuration with firewall policies in VDOMs ${withPolicies.map(([n]) => n).join(", ")}: one firewall is read at a time`,
      {
        at: { file, line: 1, col: 1 },
        expected:
          "the configuration of one VDOM (show full-configuration inside `config vdom` / `edit <name>`)",
      },
    ),
  );
  return undefined;
}

interface Ctx {
  file: string;
  diagnostics: Diagnostic[];
  addresses: AddressBook;
  services: ReturnType<typeof serviceBook>;
  interfaces: (name: string) => NameSet;
  /** `firewall ippool` ranges by name. */
  pools: Map<string, IntervalSet>;
}

function fortiosChains(tables: Table[], file: string, diagnostics: Diagnostic[]): Chain[] {
  const entries = (path: string) => tables.find((t) => t.path === path)?.entries ?? [];
  for (const t of tables)
    if (UNMODELLED[t.path] && t.entries.length > 0)
      diagnostics.push(
        diag(
          "fortios-unmodelled",
          "warning",
          `${UNMODELLED[t.path]} (config ${t.path}) are not modelled: the audit ignores them`,
          {
            at: { file, line: t.line, col: 1 },
          },
        ),
      );
  const settings = tables.find((t) => t.path === "system settings")?.settings;
  if (settings?.get("central-nat")?.values[0] === "enable")
    diagnostics.push(
      diag(
        "fortios-unmodelled",
        "warning",
        "central NAT is enabled: policies' NAT settings are ignored by the FortiGate and central NAT is not modelled",
        {
          at: { file, line: settings.get("central-nat")!.line, col: 1 },
        },
      ),
    );
  const zones = new Map(
    entries("system zone").map((z) => [z.name, z.settings.get("interface")?.values ?? []]),
  );
  const ctx: Ctx = {
    file,
    diagnostics,
    addresses: addressBook(tables, (e, msg) =>
      diagnostics.push(diag("fortios-object", "error", msg, { at: { file, line: e.line, col: 1 } })),
    ),
    services: serviceBook(tables),
    pools: new Map(
      entries("firewall ippool").flatMap((p) => {
        const [lo, hi] = [p.settings.get("startip")?.values[0], p.settings.get("endip")?.values[0]];
        const set = lo ? subnetSet([hi && hi !== lo ? `${lo}-${hi}` : lo]) : undefined;
        return set ? [[p.name, set] as const] : [];
      }),
    ),
    interfaces: (name) => (name === "any" ? NameSet.ALL : NameSet.of(...(zones.get(name) ?? [name]))),
  };
  const top = origin(file, 1, "(implicit) transit traffic");
  const policies = [
    ...entries("firewall policy").map((e) => ({ e, v6only: false })),
    ...entries("firewall policy6").map((e) => ({ e, v6only: true })),
  ];
  const forward: Rule[] = [statefulPass(TABLE, "forward", "The FortiGate", top)];
  const read = policies.map((p) => ({ ...p, r: policyRule(p.e, p.v6only, ctx) }));
  for (const { r } of read) if (r) forward.push(r.rule);
  for (const z of entries("system zone").filter((z) => z.settings.get("intrazone")?.values[0] === "allow")) {
    const members = NameSet.of(...(z.settings.get("interface")?.values ?? []));
    const because = `zone ${z.name} has intrazone allow: traffic between its interfaces passes without a policy`;
    const at = origin(file, z.settings.get("intrazone")!.line, `(implicit) ${because}`);
    const rule = deviceRule(
      TABLE,
      "forward",
      0,
      Space.box({ iif: members, oif: members }),
      { kind: "accept" },
      at,
      because,
    );
    rule.approximations = [
      {
        construct: `zone ${z.name}`,
        reason: "intrazone allow taken after the policies (a deny policy within the zone is taken to win)",
        origin: at,
      },
    ];
    forward.push(rule);
  }
  const why = "the implicit deny (policy 0): traffic no policy accepts is dropped";
  forward.push(
    deviceRule(TABLE, "forward", 0, Space.ANY, { kind: "drop" }, { ...top, text: `(implicit) ${why}` }, why),
  );
  const chains = [baseChain("forward", "forward", "drop", top, forward)];
  const dnat = vipRules(
    read.flatMap(({ r }) => (r?.accepts ? [r] : [])),
    ctx,
  );
  if (dnat.length > 0)
    chains.unshift({
      ...baseChain("vip", "prerouting", "accept", top, dnat),
      base: { hook: "prerouting", priority: -100, type: "nat", policy: "accept" },
    });
  if (read.some(({ r }) => r?.nat)) {
    const snat = read.flatMap(({ e, r }) => (r ? [snatRule(e, r, ctx)] : []));
    chains.push({
      ...baseChain("snat", "postrouting", "accept", top, snat),
      base: { hook: "postrouting", priority: 100, type: "nat", policy: "accept" },
    });
  }
  return chains;
}

interface PolicyRead {
  rule: Rule;
  accepts: boolean;
  nat: boolean;
  vips: Vip[];
}

/** `srcaddr` names of one family → the set (negated when asked), or undefined after a diagnostic. */
function addressSet(
  e: Entry,
  key: string,
  lookup: Lookup<IntervalSet>,
  all: IntervalSet,
  negate: boolean,
  ctx: Ctx,
  notes: string[],
  vips?: Vip[],
): IntervalSet | undefined {
  const s = e.settings.get(key);
  if (!s) return IntervalSet.EMPTY;
  let set = IntervalSet.EMPTY;
  for (const name of s.values) {
    const r = lookup(name);
    if (!r) {
      ctx.diagnostics.push(
        diag("fortios-reference", "error", `policy ${e.name}: ${key} names undefined address "${name}"`, {
          at: { file: ctx.file, line: s.line, col: 1 },
          expected: "an address, address group or VIP defined in the configuration",
        }),
      );
      return undefined;
    }
    notes.push(...r.approximations);
    const vip = ctx.addresses.vips.get(name);
    if (vip && vips) {
      vips.push(vip);
      notes.push(`VIP ${name}: packets sent straight to its mapped address are taken to match too`);
    }
    set = set.union(r.value);
  }
  return negate ? all.subtract(set) : set;
}

function policyRule(e: Entry, v6only: boolean, ctx: Ctx): PolicyRead | undefined {
  const get = (k: string) => e.settings.get(k)?.values;
  const on = (k: string) => get(k)?.[0] === "enable";
  const notes: string[] = [];
  const vips: Vip[] = [];
  const intf = (k: string) => (get(k) ?? []).reduce((s, n) => s.union(ctx.interfaces(n)), NameSet.EMPTY);
  const [iif, oif] = [intf("srcintf"), intf("dstintf")];
  const v4 = ctx.addresses.v4;
  const v6 = ctx.addresses.v6;
  for (const side of ["srcaddr", "dstaddr"])
    if (!v6only && on(`${side}-negate`) && get(`${side}6`) && !get(`${side}6-negate`))
      notes.push(
        `${side}-negate with ${side}6: taken to negate the IPv6 addresses too (FortiOS versions with ${side}6-negate negate them separately)`,
      );
  const fam = v6only
    ? [
        [
          addressSet(e, "srcaddr", v6, ALL_V6, on("srcaddr-negate"), ctx, notes),
          addressSet(e, "dstaddr", v6, ALL_V6, on("dstaddr-negate"), ctx, notes, vips),
        ],
      ]
    : [
        [
          addressSet(e, "srcaddr", v4, ALL_V4, on("srcaddr-negate"), ctx, notes),
          addressSet(e, "dstaddr", v4, ALL_V4, on("dstaddr-negate"), ctx, notes, vips),
        ],
        [
          addressSet(e, "srcaddr6", v6, ALL_V6, on("srcaddr6-negate") || on("srcaddr-negate"), ctx, notes),
          addressSet(
            e,
            "dstaddr6",
            v6,
            ALL_V6,
            on("dstaddr6-negate") || on("dstaddr-negate"),
            ctx,
            notes,
            vips,
          ),
        ],
      ];
  if (fam.some(([s, d]) => !s || !d)) return undefined;
  let service = Space.EMPTY;
  for (const name of get("service") ?? []) {
    const r = ctx.services(name);
    if (!r) {
      ctx.diagnostics.push(
        diag("fortios-reference", "error", `policy ${e.name}: service names undefined service "${name}"`, {
          at: { file: ctx.file, line: e.settings.get("service")!.line, col: 1 },
          expected: "a custom or predefined service or a service group",
        }),
      );
      return undefined;
    }
    notes.push(...r.approximations);
    service = service.union(r.value);
  }
  if (on("service-negate")) service = Space.ANY.subtract(service);
  if (on("internet-service")) {
    notes.push("Internet-service (ISDB) destination: taken as any destination and service");
    service = Space.ANY;
    for (const f of fam) f[1] = f === fam[0] && !v6only ? ALL_V4 : ALL_V6;
  }
  if (on("internet-service-src")) {
    notes.push("Internet-service (ISDB) source: taken as any source");
    for (const f of fam) f[0] = f === fam[0] && !v6only ? ALL_V4 : ALL_V6;
  }
  const schedule = get("schedule")?.[0] ?? "always";
  if (schedule !== "always") notes.push(`schedule ${schedule}: the policy is taken as always active`);
  for (const k of ["users", "groups", "fsso-groups"])
    if (get(k)) notes.push(`${k} ${get(k)!.join(" ")}: identity is not part of the packet, taken as anyone`);
  const boxes: Box[] = fam
    .map(([src, dst]) => makeBox({ src: src!, dst: dst!, iif, oif }))
    .filter((b) => !b.src.isEmpty() && !b.dst.isEmpty());
  const disabled = get("status")?.[0] === "disable";
  const match = disabled ? Space.EMPTY : Space.fromBoxes(boxes).intersect(service);
  const action = get("action")?.[0] ?? "deny";
  const accepts = action === "accept" || action === "ipsec";
  if (action === "ipsec") notes.push("action ipsec: taken as accept (the IPsec tunnel is not modelled)");
  const at = origin(
    ctx.file,
    e.line,
    `policy ${e.name}${get("name") ? ` "${get("name")![0]}"` : ""}: ${(get("srcintf") ?? []).join(",")} -> ${(get("dstintf") ?? []).join(",")}, ${action}${disabled ? " (disabled)" : ""}`,
  );
  const rule = deviceRule(TABLE, "forward", 0, match, accepts ? { kind: "accept" } : { kind: "drop" }, at);
  rule.approximations = [...new Set(notes)].map((reason): Approximation => ({
    construct: `policy ${e.name}`,
    reason,
    origin: at,
  }));
  return { rule, accepts: accepts && !disabled, nat: accepts && !disabled && on("nat"), vips };
}

/**
 * Destination NAT of the VIPs that accepting policies name (a VIP no policy uses translates
 * nothing): the FortiGate translates a session when a policy naming the VIP matches it, so each
 * DNAT rule matches what those policies match (sources, interfaces, services), addressed to the
 * external address — not every packet to it.
 */
function vipRules(policies: readonly PolicyRead[], ctx: Ctx): Rule[] {
  const seen = new Set<string>();
  const rules: Rule[] = [];
  for (const v of policies.flatMap((p) => p.vips)) {
    if (seen.has(v.entry.name)) continue;
    seen.add(v.entry.name);
    const box: Partial<Box> = { dst: v.ext, iif: ctx.interfaces(v.extintf) };
    const to = v.forward ? { addresses: v.mapped, ports: v.forward.mappedPorts } : { addresses: v.mapped };
    const vipSpace = v.forward
      ? Space.box({ ...box, proto: IntervalSet.of(v.forward.proto), dport: v.forward.extPorts })
      : Space.box(box);
    // What the policies naming this VIP match, seen before the translation (the external address
    // and port instead of the mapped ones).
    const pre = policies
      .filter((p) => p.vips.includes(v))
      .flatMap((p) => p.rule.match.boxes.filter((b) => b.dst.intersects(v.mapped)))
      .map((b) => ({
        ...b,
        dst: v.ext,
        ...(v.forward && b.dport.intersects(v.forward.mappedPorts) ? { dport: v.forward.extPorts } : {}),
      }));
    const match = vipSpace.intersect(Space.fromBoxes(pre));
    const action: Action = { kind: "dnat", to };
    rules.push(
      deviceRule(TABLE, "vip", 0, match, action, origin(ctx.file, v.entry.line, `vip ${v.entry.name}`)),
    );
  }
  return rules;
}

/** The source NAT of the policies in order: a session takes the NAT of the policy that accepted it. */
function snatRule(e: Entry, r: PolicyRead, ctx: Ctx): Rule {
  const pool =
    e.settings.get("ippool")?.values[0] === "enable" ? e.settings.get("poolname")?.values[0] : undefined;
  const range = pool === undefined ? undefined : ctx.pools.get(pool);
  const action: Action = !r.nat
    ? { kind: "accept" }
    : range
      ? { kind: "snat", to: { addresses: range } }
      : { kind: "masquerade" };
  return { ...r.rule, chain: "snat", action, approximations: [] };
}
