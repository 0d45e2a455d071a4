/**
 * Cisco ASA (9.x CLI): network object-groups per endpoint, one extended access-list per zone
 * interface for the traffic entering it, bound with `access-group … in interface <nameif>`; the
 * zones' `interface` names are the ASA's nameifs. The ASA is stateful (replies of permitted
 * connections pass) and every access-list ends in an implicit deny. Every zone interface gets an
 * access-list, even one that permits nothing: without one, security levels would let traffic
 * from higher to lower levels pass (not default deny). IPv4 and IPv6 share the access-lists
 * (unified ACLs: any4, any6). Ranges: `range 50000 59999`; one ACE per flow and family, never one
 * per port. Cisco ASA Series Command Reference: access-list extended, object-group, access-group.
 */
import type { Plan, PlanRule } from "../plan.js";
import { families, header, isAny, perimeterOnly, rangeText } from "../plan.js";
import type { Target, TargetResult } from "../target.js";
import { diag } from "../../diag/diagnostic.js";
import { asaRemarks, asaText, plainInterface, refuseInterfaces } from "../text.js";

const groupName = (id: string, fam: 4 | 6) => `pm-${id}-v${fam}`;

function mask(len: number): string {
  const m = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return [24, 16, 8, 0].map((s) => (m >>> s) & 255).join(".");
}

function networkObject(cidr: string): string {
  const [addr, len] = cidr.split("/") as [string, string];
  if (!addr.includes(":"))
    return len === "32" ? ` network-object host ${addr}` : ` network-object ${addr} ${mask(Number(len))}`;
  return len === "128" ? ` network-object host ${addr}` : ` network-object ${cidr}`;
}

function portSpec(list: PlanRule["dports"]): string | undefined {
  if (list.length === 0) return "";
  if (list.length > 1) return undefined;
  const r = list[0]!;
  return r.from === r.to ? ` eq ${r.from}` : ` range ${rangeText(r, " ")}`;
}

function compile(plan: Plan): TargetResult {
  const notPerimeter = perimeterOnly("cisco-asa", plan);
  if (notPerimeter) return { ok: false, diagnostics: notPerimeter };
  // A nameif is one word of the CLI; plain names only.
  const refused = refuseInterfaces("cisco-asa", plan, plainInterface());
  if (refused.length > 0) return { ok: false, diagnostics: refused };
  const groups = new Map<string, string[]>();
  const addr = (list: string[], endpoint: string | undefined, fam: 4 | 6): string => {
    if (isAny(list)) return fam === 4 ? "any4" : "any6";
    if (list.length === 1) {
      const [a, len] = list[0]!.split("/") as [string, string];
      if ((fam === 4 && len === "32") || (fam === 6 && len === "128")) return `host ${a}`;
      return fam === 4 ? `${a} ${mask(Number(len))}` : list[0]!;
    }
    const name = groupName(endpoint ?? "addresses", fam);
    groups.set(name, list);
    return `object-group ${name}`;
  };
  const diagnostics = [];
  const acl = (zone: string) => `pm-${zone}-in`;
  const aces = new Map<string, string[]>(plan.zones.map((z) => [z.name, []]));
  for (const r of plan.rules) {
    if (r.direction !== "forward") continue;
    const sp = portSpec(r.sports);
    const dp = portSpec(r.dports);
    if (sp === undefined || dp === undefined) {
      diagnostics.push(
        diag(
          "compile-unsupported",
          "error",
          `target cisco-asa: flow ${r.flowId} has several port ranges on one side; one ACE takes one range`,
          { expected: "split the flow, or a service object-group (not generated yet)" },
        ),
      );
      continue;
    }
    const list = aces.get(r.fromZone!.name)!;
    list.push(...asaRemarks(r.comment).map((t) => `access-list ${acl(r.fromZone!.name)} remark ${t}`));
    for (const fam of families(r)) {
      const src = addr(fam === 4 ? r.src.v4 : r.src.v6, r.fromEndpoint, fam);
      const dst = addr(fam === 4 ? r.dst.v4 : r.dst.v6, r.toEndpoint, fam);
      list.push(
        `access-list ${acl(r.fromZone!.name)} extended permit ${r.transport} ${src}${sp} ${dst}${dp}`,
      );
    }
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  const out = [
    ...header(plan, "!", "cisco-asa", asaText),
    "! Paste in configuration mode. Zones' interfaces are the ASA's nameifs.",
    "!",
  ];
  for (const [name, list] of [...groups].sort((a, b) => a[0].localeCompare(b[0])))
    out.push(`object-group network ${name}`, ...list.map(networkObject));
  if (groups.size > 0) out.push("!");
  for (const z of plan.zones) {
    out.push(`clear configure access-list ${acl(z.name)}`);
    const list = aces.get(z.name)!;
    if (list.length === 0)
      out.push(
        ...asaRemarks(
          `no flow enters from zone ${z.name}: deny all (an interface without an access-list would fall back to security levels)`,
        ).map((t) => `access-list ${acl(z.name)} remark ${t}`),
        `access-list ${acl(z.name)} extended deny ip any any`,
      );
    else out.push(...list);
    out.push(`access-group ${acl(z.name)} in interface ${z.interface}`, "!");
  }
  const mgmt = [...plan.management.v4, ...plan.management.v6];
  if (mgmt.length > 0) {
    out.push("! Management: SSH to the ASA itself from the management addresses, on every zone interface.");
    for (const z of plan.zones)
      for (const m of mgmt) {
        const [a, len] = m.split("/") as [string, string];
        out.push(
          a.includes(":") ? `ssh ${m} ${z.interface}` : `ssh ${a} ${mask(Number(len))} ${z.interface}`,
        );
      }
  }
  return { ok: true, files: [{ suffix: "", text: out.join("\n") + "\n" }], warnings: [] };
}

export const ciscoAsa: Target = {
  id: "cisco-asa",
  description: "Cisco ASA object-groups, access-lists and access-groups",
  extension: "asa.cfg",
  compile,
};
