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
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { onHost, type BoundTopology, type FirewallSpec, type ResolvedFlow } from "../model/flow.js";
import { ALL_V4, ALL_V6, familyPart, toCidrs } from "../space/address.js";
import type { IntervalSet } from "../space/interval-set.js";
import { portText, portSet, type PortRange } from "../space/port.js";
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
  /** Endpoint ids on each side (for names of address sets); undefined for management. */
  fromEndpoint?: string;
  toEndpoint?: string;
  src: PlanAddresses;
  dst: PlanAddresses;
  /** [] = any port. */
  dports: PortRange[];
  sports: PortRange[];
  retired: boolean;
}

export interface Plan {
  profileId: string;
  profileTitle: string;
  firewall: FirewallSpec;
  /** host kind: the host's own addresses. */
  hostAddresses?: PlanAddresses;
  zones: Array<{ name: string; interface: string }>;
  /** Management rules first, then the active flows in profile order. */
  rules: PlanRule[];
  management: PlanAddresses;
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

/** Families a rule applies to: those both sides have. */
export function families(r: PlanRule): Array<4 | 6> {
  const out: Array<4 | 6> = [];
  if (r.src.v4.length > 0 && r.dst.v4.length > 0) out.push(4);
  if (r.src.v6.length > 0 && r.dst.v6.length > 0) out.push(6);
  return out;
}

export function flowComment(profileId: string, f: ResolvedFlow): string {
  const sp = f.sourcePorts ? ` from port ${portText(portSet(f.sourcePorts))}` : "";
  const retired =
    f.retired && f.lifecycle ? ` [retired: ${f.lifecycle.service} ended ${f.lifecycle.ended ?? "?"}]` : "";
  return `${profileId} ${f.id}: ${f.protocol} ${f.transport} ${portText(portSet(f.ports))}${sp} ${f.from} -> ${f.to}${retired}`;
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
          { expected: "addresses of one family on both sides" },
        ),
      );
      continue;
    }
    rules.push(rule);
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  const zones =
    fw.kind === "perimeter" ? fw.zones.map((z) => ({ name: z.name, interface: z.interface })) : [];
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
      warnings,
    },
  };
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

/** The refusal of a perimeter-only target (ASA, PAN-OS …) for a host topology; undefined for a perimeter. */
export function perimeterOnly(target: string, plan: Plan): Diagnostic[] | undefined {
  if (plan.firewall.kind === "perimeter") return undefined;
  return [
    diag(
      "compile-unsupported",
      "error",
      `target ${target} configures a perimeter firewall between zones; the topology describes a host's own firewall`,
      { expected: "a topology with firewall: {kind: perimeter, zones: …}" },
    ),
  ];
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
