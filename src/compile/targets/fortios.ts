/**
 * FortiOS (6.4 and later CLI): a zone per topology zone holding its interface, address objects
 * per CIDR (`firewall address`, IPv6 in `firewall address6`) gathered in a group per endpoint and
 * family, a custom service per flow (`tcp-portrange DST[:SRC]`), and one firewall policy per flow
 * from its zone to its zone, with the profile row as its comment and both families in one policy
 * (srcaddr/dstaddr and srcaddr6/dstaddr6). New policies are `edit 0` (the next free id), appended
 * in order; an explicit deny from any interface to any interface follows, logged (FortiOS's
 * implicit deny logs nothing by default). Stateful: replies need no policy. Management addresses
 * are listed in a closing comment for the administrators' `set trusthost` (admin accounts are not
 * touched). FortiOS Administration Guide (Policies, Zones, Addresses).
 */
import type { Plan, PlanRule } from "../plan.js";
import { families, header, isAny, perimeterOnly, rangeText } from "../plan.js";
import type { Target, TargetResult } from "../target.js";
import { asaText, fortiosString, plainInterface, refuseInterfaces, UniqueNames } from "../text.js";

function mask(len: number): string {
  const m = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return [24, 16, 8, 0].map((s) => (m >>> s) & 255).join(".");
}

function compile(plan: Plan): TargetResult {
  const notPerimeter = perimeterOnly("fortios", plan);
  if (notPerimeter) return { ok: false, diagnostics: notPerimeter };
  const refused = refuseInterfaces("fortios", plan, plainInterface());
  if (refused.length > 0) return { ok: false, diagnostics: refused };

  const names = new UniqueNames();
  const policyNames = new UniqueNames();
  const zone = new Map(plan.zones.map((z) => [z.name, names.take(z.name, 35)]));
  const v4: string[] = [];
  const v6: string[] = [];
  const groups4: string[] = [];
  const groups6: string[] = [];
  const known = new Map<string, string>();
  const entry = (name: string, sets: string[]) => [
    `    edit ${fortiosString(name)}`,
    ...sets.map((s) => `        ${s}`),
    "    next",
  ];
  /** The address (group) name for a side of a rule in one family, or `all`. */
  const side = (cidrs: string[], endpoint: string | undefined, fam: 4 | 6): string => {
    if (isAny(cidrs)) return "all";
    const key = `${fam}\u0000${cidrs.join(",")}`;
    const had = known.get(key);
    if (had) return had;
    const base = `pm-${endpoint ?? "addresses"}${fam === 6 ? "-v6" : ""}`;
    const members = cidrs.map((c, i) => {
      const name = names.take(`${base}-${i + 1}`, 79);
      const [a, len] = c.split("/") as [string, string];
      (fam === 4 ? v4 : v6).push(
        ...entry(name, [fam === 4 ? `set subnet ${a} ${mask(Number(len))}` : `set ip6 ${c}`]),
      );
      return name;
    });
    if (members.length === 1) {
      known.set(key, members[0]!);
      return members[0]!;
    }
    const group = names.take(base, 79);
    (fam === 4 ? groups4 : groups6).push(
      ...entry(group, [`set member ${members.map(fortiosString).join(" ")}`]),
    );
    known.set(key, group);
    return group;
  };

  const services: string[] = [];
  const policies: string[] = [];
  for (const r of plan.rules) {
    if (r.direction !== "forward") continue;
    const fams = families(r);
    if (fams.length === 0) continue;
    let service = "ALL";
    if (r.transport !== "any") {
      service = names.take(`pm-${r.flowId}`, 79);
      const d = r.dports.length === 0 ? ["1-65535"] : r.dports.map((p) => rangeText(p, "-"));
      const s = r.sports.length === 0 ? [""] : r.sports.map((p) => `:${rangeText(p, "-")}`);
      services.push(
        ...entry(service, [
          `set ${r.transport}-portrange ${d.flatMap((x) => s.map((y) => x + y)).join(" ")}`,
        ]),
      );
    }
    const sets = [
      `set name ${fortiosString(policyNames.take(`pm-${r.flowId}`, 35))}`,
      `set srcintf ${fortiosString(zone.get(r.fromZone!.name)!)}`,
      `set dstintf ${fortiosString(zone.get(r.toZone!.name)!)}`,
    ];
    for (const fam of fams) {
      const sfx = fam === 6 ? "6" : "";
      const pick = (a: PlanRule["src"]) => (fam === 4 ? a.v4 : a.v6);
      sets.push(`set srcaddr${sfx} ${fortiosString(side(pick(r.src), r.fromEndpoint, fam))}`);
      sets.push(`set dstaddr${sfx} ${fortiosString(side(pick(r.dst), r.toEndpoint, fam))}`);
    }
    sets.push(
      "set action accept",
      'set schedule "always"',
      `set service ${fortiosString(service)}`,
      "set logtraffic all",
      `set comments ${fortiosString(r.comment)}`,
    );
    policies.push(...entry("0", sets).map((l, i) => (i === 0 ? "    edit 0" : l)));
  }
  policies.push(
    "    edit 0",
    '        set name "pm-default-deny"',
    '        set srcintf "any"',
    '        set dstintf "any"',
    '        set srcaddr "all"',
    '        set dstaddr "all"',
    '        set srcaddr6 "all"',
    '        set dstaddr6 "all"',
    "        set action deny",
    '        set schedule "always"',
    '        set service "ALL"',
    "        set logtraffic all",
    `        set comments ${fortiosString("portmatrix: default deny (explicit, logged)")}`,
    "    next",
  );
  const block = (name: string, lines: string[]) =>
    lines.length > 0 ? [`config ${name}`, ...lines, "end"] : [];
  const out = [
    ...header(plan, "#", "fortios", asaText),
    "# Paste into the FortiGate CLI (or restore as a script). Policies are appended (edit 0).",
    ...block(
      "system zone",
      plan.zones.flatMap((z) => entry(zone.get(z.name)!, [`set interface ${fortiosString(z.interface)}`])),
    ),
    ...block("firewall address", v4),
    ...block("firewall address6", v6),
    ...block("firewall addrgrp", groups4),
    ...block("firewall addrgrp6", groups6),
    ...block("firewall service custom", services),
    ...block("firewall policy", policies),
  ];
  const mgmt = [...plan.management.v4, ...plan.management.v6];
  if (mgmt.length > 0)
    out.push(
      `# Management: allow administrative access from ${mgmt.join(", ")} only (config system admin, set trusthost).`,
    );
  return { ok: true, files: [{ suffix: "", text: out.join("\n") + "\n" }], warnings: [] };
}

export const fortios: Target = {
  id: "fortios",
  description: "Fortinet FortiOS zones, addresses, services and firewall policies (CLI)",
  extension: "fortios.conf",
  compile,
};
