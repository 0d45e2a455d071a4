/**
 * FortiOS (6.4/7.x CLI, consolidated IPv4/IPv6 policy): address objects per endpoint and family
 * (`firewall address` / `address6`, a group when an endpoint has several prefixes), one custom
 * service per flow, one `firewall policy` per flow from the source zone's interface (srcintf) to
 * the destination zone's (dstintf), its profile row in `set comments`, and the implicit deny
 * stated explicitly as the last policy (logged). Names and comments go through fortiosString
 * (text.ts). The FortiGate is stateful: replies of accepted sessions pass. Policy ids start at 1:
 * pasting the file replaces policies with those ids. FortiOS CLI Reference: firewall address,
 * address6, addrgrp, addrgrp6, service custom, policy.
 *
 * Static NAT (topology `nat:`), the FortiOS idiom (Administration Guide, "Static virtual IPs",
 * "One-to-one IP pools"): per pair a static-NAT VIP (`config firewall vip`, extip the public
 * address, mappedip the private one, extintf any) named as the destination of every policy a flow
 * arriving through the NAT takes (the FortiGate translates before it matches the policy, and the
 * VIP policy then matches the mapped address), and a one-to-one IP pool of the public address
 * that every policy of a flow leaving the NAT'ed endpoint uses (`set nat enable`, `set ippool
 * enable`, `set poolname`), so its sessions leave with the public address. A policy with IPv6
 * beside the source NAT is written as two policies, the IPv6 one without NAT (IPv6 is not
 * translated). IPv6 pairs (VIP6 / NAT66) are refused.
 */
import type { Plan, PlanRule } from "../plan.js";
import {
  families,
  header,
  isAny,
  natComment,
  natInbound,
  natOutbound,
  rangeText,
  refuseIpv6Nat,
  wrongKind,
} from "../plan.js";
import type { Target, TargetResult } from "../target.js";
import { commentText, fortiosString, plainInterface, refuseInterfaces } from "../text.js";

/** FortiOS object names keep 79 characters; policy names 35; comments 1023. */
const NAME = 79;
const POLICY_NAME = 35;
const COMMENT = 1023;
const q = (s: string, max = NAME) => fortiosString(s, max);

function mask(len: number): string {
  const m = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return [24, 16, 8, 0].map((s) => (m >>> s) & 255).join(".");
}

interface Objects {
  /** Per family: address entries, then group entries (name → members). */
  addresses: Record<4 | 6, Map<string, string>>;
  groups: Record<4 | 6, Map<string, string[]>>;
}

/** The name a policy uses for a list of prefixes: `all`, one address, or a group of them. */
function addressName(list: string[], endpoint: string, flowId: string, fam: 4 | 6, objects: Objects): string {
  if (isAny(list)) return "all";
  const entry = (cidr: string) => {
    const [addr, len] = cidr.split("/") as [string, string];
    return fam === 4 ? `set subnet ${addr} ${mask(Number(len))}` : `set ip6 ${cidr}`;
  };
  // One name per endpoint; a flow that narrows the endpoint's addresses gets its own.
  const wanted = list.map(entry);
  const existing = (name: string) =>
    objects.groups[fam].get(name)?.map((m) => objects.addresses[fam].get(m)!) ??
    (objects.addresses[fam].has(name) ? [objects.addresses[fam].get(name)!] : undefined);
  let base = `pm-${endpoint}${fam === 6 ? "-v6" : ""}`;
  const have = existing(base);
  if (have && have.join("\n") === wanted.join("\n")) return base;
  if (have) base = `${base}-${flowId}`;
  if (list.length === 1) {
    objects.addresses[fam].set(base, wanted[0]!);
    return base;
  }
  const members = wanted.map((line, i) => {
    const name = `${base}-${i + 1}`;
    objects.addresses[fam].set(name, line);
    return name;
  });
  objects.groups[fam].set(base, members);
  return base;
}

/** `tcp-portrange` entries: every destination range with every source range (`d[-d][:s[-s]]`). */
function portRanges(r: PlanRule): string {
  const d = r.dports.length > 0 ? r.dports.map((p) => rangeText(p, "-")) : ["0-65535"];
  const s = r.sports.map((p) => rangeText(p, "-"));
  return d.flatMap((dp) => (s.length > 0 ? s.map((sp) => `${dp}:${sp}`) : [dp])).join(" ");
}

/** Policy names are unique and keep 35 characters: a name cut to one already taken ends in its id. */
function policyName(name: string, id: number, taken: Set<string>): string {
  let n = [...name].slice(0, POLICY_NAME).join("");
  if (taken.has(n)) n = `${[...name].slice(0, POLICY_NAME - String(id).length - 1).join("")}-${id}`;
  taken.add(n);
  return n;
}

function serviceLines(r: PlanRule): string[] {
  if (r.transport === "any") return ["set protocol IP", "set protocol-number 0"];
  return [`set ${r.transport}-portrange ${portRanges(r)}`];
}

function compile(plan: Plan): TargetResult {
  const wrong = wrongKind("fortios", plan, "perimeter", "configures a FortiGate between zones");
  if (wrong) return wrong;
  const refused = refuseInterfaces("fortios", plan, plainInterface());
  if (refused.length > 0) return { ok: false, diagnostics: refused };
  const v6 = refuseIpv6Nat(
    "fortios",
    plan,
    "FortiOS maps IPv6 addresses with VIP6 and NAT66, which this target does not write",
    "IPv4 pairs in nat:, or a VIP6 and NAT66 configured on the FortiGate by hand",
  );
  if (v6) return v6;
  // One VIP and one one-to-one pool per pair, named after its first endpoint.
  const natNames = new Map(plan.nat.map((n) => [n, `pm-nat-${n.endpoints[0]!}`]));
  const objects: Objects = {
    addresses: { 4: new Map(), 6: new Map() },
    groups: { 4: new Map(), 6: new Map() },
  };
  const services: string[] = [];
  const policies: string[] = [];
  const warnings: string[] = [];
  let id = 0;
  const names = new Set<string>(["pm-default-deny"]);
  for (const r of plan.rules) {
    if (r.direction !== "forward") continue;
    const service = `pm-${r.flowId}`;
    services.push(
      `    edit ${q(service)}`,
      ...serviceLines(r).map((l) => `        ${l}`),
      `        set comment ${q(r.comment, 255)}`,
      "    next",
    );
    const inbound = natInbound(plan, r);
    const outbound = natOutbound(plan, r);
    // A policy with source NAT holds IPv4 only; its IPv6 part (not translated) is a policy of its own.
    const fams = families(r);
    const parts: Array<{ fams: Array<4 | 6>; nat: boolean }> =
      outbound.length > 0 && fams.includes(6) && fams.includes(4)
        ? [
            { fams: [4], nat: true },
            { fams: [6], nat: false },
          ]
        : [{ fams, nat: outbound.length > 0 && fams.includes(4) }];
    for (const part of parts) {
      const set: string[] = [];
      for (const fam of part.fams) {
        const sfx = fam === 6 ? "6" : "";
        const src = addressName(
          fam === 4 ? r.src.v4 : r.src.v6,
          r.fromEndpoint ?? "src",
          r.flowId,
          fam,
          objects,
        );
        // A flow arriving through the NAT is addressed to the VIP (policies name it as destination).
        const dst =
          fam === 4 && inbound.length > 0
            ? inbound.map((n) => q(natNames.get(n)!)).join(" ")
            : q(addressName(fam === 4 ? r.dst.v4 : r.dst.v6, r.toEndpoint ?? "dst", r.flowId, fam, objects));
        set.push(`set srcaddr${sfx} ${q(src)}`, `set dstaddr${sfx} ${dst}`);
      }
      if (part.nat)
        set.push(
          "set nat enable",
          "set ippool enable",
          `set poolname ${outbound.map((n) => q(natNames.get(n)!)).join(" ")}`,
        );
      policies.push(
        `    edit ${++id}`,
        ...[
          `set name ${q(policyName(`pm-${r.flowId}${parts.length > 1 && !part.nat ? "-v6" : ""}`, id, names), POLICY_NAME)}`,
          `set srcintf ${q(r.fromZone!.interface)}`,
          `set dstintf ${q(r.toZone!.interface)}`,
          ...set,
          "set action accept",
          'set schedule "always"',
          `set service ${q(service)}`,
          `set comments ${q(r.comment, COMMENT)}`,
        ].map((l) => `        ${l}`),
        "    next",
      );
    }
  }
  policies.push(
    `    edit ${++id}`,
    ...[
      `set name ${q("pm-default-deny", POLICY_NAME)}`,
      'set srcintf "any"',
      'set dstintf "any"',
      'set srcaddr "all"',
      'set dstaddr "all"',
      'set srcaddr6 "all"',
      'set dstaddr6 "all"',
      "set action deny",
      'set schedule "always"',
      'set service "ALL"',
      "set logtraffic all",
      `set comments ${q(`${plan.profileId}: default deny, the implicit deny (policy 0) stated and logged`, COMMENT)}`,
    ].map((l) => `        ${l}`),
    "    next",
  );
  if (plan.rules.some((r) => r.flowId === "management"))
    warnings.push(
      "management: access to the FortiGate itself is set per interface (allowaccess) and per administrator (trusthost); not part of this output",
    );
  const out = [
    ...header(plan, "#", "fortios", commentText),
    "# Paste into the FortiGate CLI (or restore as a script). Zones' interfaces are FortiOS interface names.",
  ];
  for (const fam of [4, 6] as const) {
    const sfx = fam === 6 ? "6" : "";
    if (objects.addresses[fam].size > 0) {
      out.push(`config firewall address${sfx}`);
      for (const [name, line] of objects.addresses[fam])
        out.push(`    edit ${q(name)}`, `        ${line}`, "    next");
      out.push("end");
    }
    if (objects.groups[fam].size > 0) {
      out.push(`config firewall addrgrp${sfx}`);
      for (const [name, members] of objects.groups[fam])
        out.push(
          `    edit ${q(name)}`,
          `        set member ${members.map((m) => q(m)).join(" ")}`,
          "    next",
        );
      out.push("end");
    }
  }
  if (plan.nat.length > 0) {
    out.push("config firewall vip");
    for (const [n, name] of natNames)
      out.push(
        `    edit ${q(name)}`,
        ...[
          `set comment ${q(natComment(n), 255)}`,
          "set type static-nat",
          `set extip ${n.public}`,
          `set mappedip ${q(n.private)}`,
          'set extintf "any"',
        ].map((l) => `        ${l}`),
        "    next",
      );
    out.push("end", "config firewall ippool");
    for (const [n, name] of natNames)
      out.push(
        `    edit ${q(name)}`,
        ...[
          "set type one-to-one",
          `set startip ${n.public}`,
          `set endip ${n.public}`,
          `set comments ${q(natComment(n), 255)}`,
        ].map((l) => `        ${l}`),
        "    next",
      );
    out.push("end");
  }
  if (services.length > 0) out.push("config firewall service custom", ...services, "end");
  out.push("config firewall policy", ...policies, "end");
  return { ok: true, files: [{ suffix: "", text: out.join("\n") + "\n" }], warnings };
}

export const fortios: Target = {
  id: "fortios",
  description: "FortiOS addresses, custom services and firewall policies (CLI)",
  extension: "fortios.conf",
  nat: true,
  compile,
};
