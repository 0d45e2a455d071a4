/**
 * The compile plan: the matrix bound to a topology, lowered once into target-neutral allow rules
 * (who may open which connections to whom, on which interfaces), which every target renders in
 * its own syntax and semantics. Pure.
 *
 * Host firewall: a flow to the host is an inbound rule, from it an outbound rule; flows that do
 * not touch the host are not this firewall's business (a warning says so). Perimeter: a flow
 * between zones is a forward rule from the source zone's interface to the destination zone's;
 * a flow within one zone does not cross the firewall (warning). Everything else is denied; replies
 * are the targets' business (stateful rule or explicit return rules). Management addresses may
 * open any connection to the host (host kind) or to the firewall itself (perimeter kind).
 */
import { diag, type Diagnostic, type Position } from "../diag/diagnostic.js";
import { onHost, type BoundTopology, type FirewallSpec, type ResolvedFlow } from "../model/flow.js";
import { addressText, ALL_V4, ALL_V6, familyPart, toCidrs } from "../space/address.js";
import type { IntervalSet } from "../space/interval-set.js";
import { portText, portSet, type PortRange } from "../space/port.js";
import type { TargetResult } from "./target.js";
import { commentText } from "./text.js";

/** Minimal CIDR lists per family, sorted; "any" of a family is ["0.0.0.0/0"] / ["::/0"]; [] = family absent. */
export interface PlanAddresses {
  v4: string[];
  v6: string[];
}

export interface PlanRule {
  /** Profile row id (e.g. "sip-mtls-in") or "management". */
  flowId: string;
  /** One line naming the profile row (every target's rule comment). */
  comment: string;
  transport: "tcp" | "udp" | "any";
  /** host kind: "in" (to the host) / "out" (from the host); perimeter: "forward", or "in" for management of the firewall itself. */
  direction: "in" | "out" | "forward";
  fromZone?: { name: string; interface: string };
  toZone?: { name: string; interface: string };
  /**
   * host kind with `firewall.interfaces`: the host's interfaces this rule's packets use (in: arrive
   * by, out: leave by) — its peer's one, or all of the host's when no interface names the peer.
   */
  interfaces?: string[];
  /** Endpoint ids on each side (for names of address sets); undefined for management. */
  fromEndpoint?: string;
  toEndpoint?: string;
  src: PlanAddresses;
  dst: PlanAddresses;
  /**
   * The destination by DNS name (an endpoint the profile knows by name only): `dst` is empty and
   * only targets with FQDN objects can express the rule (compile/index.ts refuses it for the rest).
   */
  dstFqdns?: string[];
  /** [] = any port. */
  dports: PortRange[];
  sports: PortRange[];
  retired: boolean;
}

/** One static 1:1 NAT pair on the perimeter firewall (topology `nat:`); endpoints sharing it are listed together. */
export interface PlanNat {
  endpoints: string[];
  /** The zone the private address sits in: traffic crossing its interface is translated. */
  zone: { name: string; interface: string };
  family: 4 | 6;
  private: string;
  public: string;
}

/** The operator's options (topology `compile:`), normalised; every field off = today's output. */
export interface PlanOptions {
  log?: { rate: string; prefix: string };
  counters: boolean;
  /** Directions whose dropped packets are rejected instead, and (perimeter) zones whose entering packets are. */
  reject: { in: boolean; out: boolean; forward: boolean; zones: Array<{ name: string; interface: string }> };
  name?: string;
  priority?: number;
}

export type OptionName = "log" | "counters" | "reject" | "name" | "priority";

export interface Plan {
  profileId: string;
  profileTitle: string;
  firewall: FirewallSpec;
  /** host kind: the host's own addresses. */
  hostAddresses?: PlanAddresses;
  /** `at`: where the topology names the interface (for a target's refusal). */
  zones: Array<{ name: string; interface: string; at?: Position }>;
  /** Management rules first, then the active flows in profile order. */
  rules: PlanRule[];
  management: PlanAddresses;
  /** Static NAT pairs (perimeter kind), in topology order; [] = none. */
  nat: PlanNat[];
  options: PlanOptions;
  warnings: string[];
}

export type PlanResult = { ok: true; plan: Plan } | { ok: false; diagnostics: Diagnostic[] };

export function planAddresses(set: IntervalSet): PlanAddresses {
  const part = (fam: 4 | 6, all: IntervalSet, any: string): string[] => {
    const p = familyPart(set, fam);
    if (p.isEmpty()) return [];
    return p.equals(all) ? [any] : toCidrs(p);
  };
  return { v4: part(4, ALL_V4, "0.0.0.0/0"), v6: part(6, ALL_V6, "::/0") };
}

export function isAny(list: readonly string[]): boolean {
  return list.length === 1 && (list[0] === "0.0.0.0/0" || list[0] === "::/0");
}

/** Families a rule applies to: those both sides have (a destination by name: the source's). */
export function families(r: PlanRule): Array<4 | 6> {
  const out: Array<4 | 6> = [];
  const byName = r.dstFqdns !== undefined;
  if (r.src.v4.length > 0 && (byName || r.dst.v4.length > 0)) out.push(4);
  if (r.src.v6.length > 0 && (byName || r.dst.v6.length > 0)) out.push(6);
  return out;
}

export function flowComment(profileId: string, f: ResolvedFlow): string {
  const sp = f.sourcePorts ? ` from port ${portText(portSet(f.sourcePorts))}` : "";
  const retired =
    f.retired && f.lifecycle ? ` [retired: ${f.lifecycle.service} ended ${f.lifecycle.ended ?? "?"}]` : "";
  // A site flow is named as the site's, not as a row of the profile.
  return `${f.origin === "site" ? "site" : profileId} ${f.id}: ${f.protocol} ${f.transport} ${portText(portSet(f.ports))}${sp} ${f.from} -> ${f.to}${retired}`;
}

export function makePlan(t: BoundTopology, opts: { dropRetired: boolean }): PlanResult {
  const warnings: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const fw = t.firewall;
  const addressesOf = (id: string) => t.endpoints.find((e) => e.id === id)?.addresses;
  const management = planAddresses(t.management);
  const rules: PlanRule[] = [];
  let hostAddresses: PlanAddresses | undefined;
  if (fw.kind === "host") {
    const host = addressesOf(fw.host);
    hostAddresses = host ? planAddresses(host) : { v4: [], v6: [] };
  }
  if (!t.management.isEmpty())
    rules.push({
      flowId: "management",
      comment: `${t.profileId} management: any connection from the management addresses to ${fw.kind === "host" ? fw.host : "the firewall itself"}`,
      transport: "any",
      direction: "in",
      src: management,
      dst: hostAddresses ?? {
        v4: management.v4.length ? ["0.0.0.0/0"] : [],
        v6: management.v6.length ? ["::/0"] : [],
      },
      dports: [],
      sports: [],
      retired: false,
    });
  const fqdnsOf = (id: string) => t.endpoints.find((e) => e.id === id)?.fqdns;
  for (const f of t.flows) {
    if (!f.active) continue;
    if (f.retired) {
      const what = `flow ${f.id} is retired (${f.lifecycle?.service ?? "service"} ended ${f.lifecycle?.ended ?? "?"})`;
      if (opts.dropRetired) {
        warnings.push(`${what}: left out (--drop-retired)`);
        continue;
      }
      warnings.push(`${what}; kept — pass --drop-retired to leave it out`);
    }
    const base = {
      flowId: f.id,
      comment: flowComment(t.profileId, f),
      transport: f.transport,
      fromEndpoint: f.from,
      toEndpoint: f.to,
      src: planAddresses(f.fromAddresses ?? addressesOf(f.from)!),
      dst: planAddresses(f.toAddresses ?? addressesOf(f.to)!),
      dports: f.ports,
      sports: f.sourcePorts ?? [],
      retired: f.retired,
      ...(fqdnsOf(f.to) ? { dstFqdns: [...fqdnsOf(f.to)!] } : {}),
    };
    let rule: PlanRule | undefined;
    if (fw.kind === "host") {
      const fromHost = onHost(t, f.from);
      const toHost = onHost(t, f.to);
      if (toHost && !fromHost) rule = { ...base, direction: "in" };
      else if (fromHost && !toHost) rule = { ...base, direction: "out" };
      else
        warnings.push(
          `flow ${f.id} (${f.from} -> ${f.to}) does not enter or leave ${fw.host}: not this firewall's rule`,
        );
    } else {
      const zoneOf = (id: string) => fw.zones.find((z) => z.endpoints.includes(id));
      const a = zoneOf(f.from);
      const b = zoneOf(f.to);
      if (!a || !b)
        diagnostics.push(
          diag(
            "compile-unzoned",
            "error",
            `flow ${f.id}: endpoint ${!a ? f.from : f.to} is in no zone of the perimeter firewall`,
            { expected: "every endpoint in one zone" },
          ),
        );
      else if (a.name === b.name)
        warnings.push(
          `flow ${f.id} (${f.from} -> ${f.to}) stays inside zone ${a.name}: it does not cross the firewall`,
        );
      else
        rule = {
          ...base,
          direction: "forward",
          fromZone: { name: a.name, interface: a.interface },
          toZone: { name: b.name, interface: b.interface },
        };
    }
    if (!rule) continue;
    if (families(rule).length === 0) {
      diagnostics.push(
        diag(
          "compile-family",
          "error",
          `flow ${f.id}: ${f.from} and ${f.to} share no address family (one side IPv4 only, the other IPv6 only)`,
          {
            // At the destination's binding in the topology (where such a mismatch is usually fixed).
            ...atEndpoint(t, f.to),
            expected: "addresses of one family on both sides",
          },
        ),
      );
      continue;
    }
    rules.push(onInterfaces(fw, rule, rule.direction === "in" ? f.from : f.to));
  }
  // Management comes through any of the host's interfaces.
  if (rules[0]?.flowId === "management") rules[0] = onInterfaces(fw, rules[0]);
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  const zones =
    fw.kind === "perimeter"
      ? fw.zones.map((z) => ({
          name: z.name,
          interface: z.interface,
          ...(z.interfaceAt ? { at: z.interfaceAt } : {}),
        }))
      : [];
  return {
    ok: true,
    plan: {
      profileId: t.profileId,
      profileTitle: t.profileTitle,
      firewall: fw,
      ...(hostAddresses ? { hostAddresses } : {}),
      zones,
      rules,
      management,
      nat: planNat(t),
      options: planOptions(t),
      warnings,
    },
  };
}

/**
 * A host rule on the interfaces its peer is reached through (`firewall.interfaces`: one, or every
 * one of the host's when none names the peer); as it is without the list, or on a perimeter.
 */
function onInterfaces(fw: FirewallSpec, rule: PlanRule, peer?: string): PlanRule {
  if (fw.kind !== "host" || !fw.interfaces || rule.direction === "forward") return rule;
  const mine = peer === undefined ? undefined : fw.interfaces.find((i) => i.endpoints.includes(peer));
  return { ...rule, interfaces: (mine ? [mine] : fw.interfaces).map((i) => i.name) };
}

/**
 * For a target whose host rules cannot name interfaces (Windows, security groups): a warning that
 * they hold on every interface, wider than `firewall.interfaces` says.
 */
export function interfaceWarnings(target: string, plan: Plan): string[] {
  const fw = plan.firewall;
  if (fw.kind !== "host" || !fw.interfaces) return [];
  return [
    `target ${target} does not write firewall.interfaces (${fw.interfaces.map((i) => i.name).join(", ")}): its rules hold on every interface of ${fw.host}`,
  ];
}

/** The topology's NAT as pairs, one per (private, public) pair whatever the endpoints sharing it. */
function planNat(t: BoundTopology): PlanNat[] {
  const fw = t.firewall;
  if (fw.kind !== "perimeter") return [];
  const out: PlanNat[] = [];
  for (const n of t.nat ?? []) {
    const zone = fw.zones.find((z) => z.endpoints.includes(n.endpoint));
    if (!zone) continue;
    for (const p of n.pairs) {
      const [priv, pub] = [addressText(p.private), addressText(p.public)];
      const same = out.find((x) => x.private === priv && x.public === pub);
      if (same) same.endpoints.push(n.endpoint);
      else
        out.push({
          endpoints: [n.endpoint],
          zone: { name: zone.name, interface: zone.interface },
          family: p.family,
          private: priv,
          public: pub,
        });
    }
  }
  return out;
}

function planOptions(t: BoundTopology): PlanOptions {
  const o = t.compileOptions ?? {};
  const fw = t.firewall;
  const rej = new Set(o.reject ?? []);
  const log = o.log === true ? { rate: "5/minute", prefix: "portmatrix drop: " } : o.log || undefined;
  return {
    ...(log ? { log } : {}),
    counters: o.counters === true,
    reject: {
      in: rej.has("in"),
      out: rej.has("out"),
      forward: rej.has("forward"),
      zones:
        fw.kind === "perimeter"
          ? fw.zones.filter((z) => rej.has(z.name)).map((z) => ({ name: z.name, interface: z.interface }))
          : [],
    },
    ...(o.name !== undefined ? { name: o.name } : {}),
    ...(o.priority !== undefined ? { priority: o.priority } : {}),
  };
}

/** The options the plan sets. */
export function optionsSet(o: PlanOptions): OptionName[] {
  const out: OptionName[] = [];
  if (o.log) out.push("log");
  if (o.counters) out.push("counters");
  if (o.reject.in || o.reject.out || o.reject.forward || o.reject.zones.length > 0) out.push("reject");
  if (o.name !== undefined) out.push("name");
  if (o.priority !== undefined) out.push("priority");
  return out;
}

/** One warning per option set that the target cannot render, with its reason (never silent). */
export function optionWarnings(
  target: string,
  plan: Plan,
  cannot: Partial<Record<OptionName, string>>,
): string[] {
  return optionsSet(plan.options)
    .filter((k) => cannot[k] !== undefined)
    .map((k) => `target ${target} does not render compile.${k}: ${cannot[k]}`);
}

/** One comment line naming a NAT pair (every target's comment for its NAT rules). */
export function natComment(n: PlanNat): string {
  return `static NAT ${n.endpoints.join(", ")}: ${n.private} is ${n.public} outside zone ${n.zone.name}`;
}

/** `lo-hi` / `lo` ranges in a separator a target uses (nft `-`, iptables `:`…). */
export function rangeText(r: PortRange, sep: string): string {
  return r.from === r.to ? `${r.from}` : `${r.from}${sep}${r.to}`;
}

/** The diagnostic for a construct a target cannot express (never dropped silently). */
export function unsupported(target: string, rule: PlanRule, feature: string, expected: string): Diagnostic {
  return diag(
    "compile-unsupported",
    "error",
    `target ${target} cannot express flow ${rule.flowId} (${feature})`,
    { expected },
  );
}

/** The refusal of a target that configures only one firewall kind (`what`: what it configures). */
export function wrongKind(
  target: string,
  plan: Plan,
  kind: "host" | "perimeter",
  what: string,
): TargetResult | undefined {
  if (plan.firewall.kind === kind) return undefined;
  const expected =
    kind === "perimeter"
      ? "a topology with firewall: {kind: perimeter, zones: …}"
      : "a topology with firewall: {kind: host, host: …}";
  const other = kind === "perimeter" ? "a host's own firewall" : "a perimeter firewall";
  return {
    ok: false,
    diagnostics: [
      diag("compile-unsupported", "error", `target ${target} ${what}; the topology describes ${other}`, {
        expected,
      }),
    ],
  };
}

/**
 * A file header shared by the comment syntaxes (`#`, `!`, `//`); each line's text goes through the
 * target's comment escaper (text.ts), so a title cannot end the comment.
 */
export function header(
  plan: Plan,
  prefix: string,
  target: string,
  text: (s: string) => string = commentText,
): string[] {
  const fw =
    plan.firewall.kind === "host"
      ? `the own firewall of ${plan.firewall.host}`
      : `a perimeter firewall between zones ${plan.zones.map((z) => `${z.name} (${z.interface})`).join(", ")}`;
  return [
    `${prefix} ${text(`portmatrix ${target}: ${plan.profileId} — ${plan.profileTitle}`)}`,
    `${prefix} ${text(`For ${fw}. Default deny; each rule names the profile row it comes from.`)}`,
    `${prefix} Generated by portmatrix compile; regenerate rather than edit.`,
  ];
}

/** `{ at }` of an endpoint's binding in the topology, when known. */
function atEndpoint(t: BoundTopology, id: string): { at?: Position } {
  const at = t.endpoints.find((e) => e.id === id)?.at;
  return at ? { at } : {};
}

/** The NAT pairs a forward rule's destination is reached through (the packets carry the public address). */
export function natInbound(plan: Plan, r: PlanRule): PlanNat[] {
  if (r.direction !== "forward" || r.toEndpoint === undefined) return [];
  return plan.nat.filter((n) => n.endpoints.includes(r.toEndpoint!) && n.zone.name !== r.fromZone?.name);
}

/** The NAT pairs a forward rule's source leaves through (its packets must leave with the public address). */
export function natOutbound(plan: Plan, r: PlanRule): PlanNat[] {
  if (r.direction !== "forward" || r.fromEndpoint === undefined) return [];
  return plan.nat.filter((n) => n.endpoints.includes(r.fromEndpoint!) && n.zone.name !== r.toZone?.name);
}

/**
 * A target that translates IPv4 addresses one-to-one only refuses the topology's IPv6 pairs, one
 * diagnostic each saying why the device cannot (`why`), or undefined when there are none.
 */
export function refuseIpv6Nat(
  target: string,
  plan: Plan,
  why: string,
  expected: string,
): TargetResult | undefined {
  const v6 = plan.nat.filter((n) => n.family === 6);
  if (v6.length === 0) return undefined;
  return {
    ok: false,
    diagnostics: v6.map((n) =>
      diag(
        "compile-unsupported",
        "error",
        `target ${target} cannot write the static IPv6 NAT of ${n.endpoints.join(", ")} (${n.private} is ${n.public}): ${why}`,
        { expected },
      ),
    ),
  };
}
