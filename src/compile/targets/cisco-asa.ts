/**
 * Cisco ASA (9.x CLI): network object-groups per endpoint, one extended access-list per zone
 * interface for the traffic entering it, bound with `access-group … in interface <nameif>`; the
 * zones' `interface` names are the ASA's nameifs. The ASA is stateful (replies of permitted
 * connections pass) and every access-list ends in an implicit deny. Every zone interface gets an
 * access-list, even one that permits nothing: without one, security levels would let traffic
 * from higher to lower levels pass (not default deny). IPv4 and IPv6 share the access-lists
 * (unified ACLs: any4, any6). Ranges: `range 50000 59999`; one ACE per flow and family, never one
 * per port; several ports on one side go into a service object-group (`port-object`). A destination
 * known by DNS name only becomes `fqdn` network objects (ASA 8.4+: the ASA resolves the name and
 * tracks its addresses); a wildcard name is refused, since an fqdn object names one host. Cisco ASA
 * Series Command Reference: access-list extended, object-group, object network (fqdn), access-group.
 */
import type { Plan, PlanRule } from "../plan.js";
import { families, header, isAny, natComment, optionWarnings, rangeText, wrongKind } from "../plan.js";
import type { Target, TargetResult } from "../target.js";
import { diag } from "../../diag/diagnostic.js";
import { asaRemarks, asaText, plainInterface, refuseInterfaces } from "../text.js";
import { byCodeUnits } from "../../diag/order.js";

const groupName = (prefix: string, id: string, fam: 4 | 6) => `${prefix}-${id}-v${fam}`;

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

const portObject = (r: PlanRule["dports"][number]): string =>
  r.from === r.to ? `eq ${r.from}` : `range ${rangeText(r, " ")}`;

/** A port clause; several ranges become a service object-group named `group` (recorded in `services`). */
function portSpec(
  list: PlanRule["dports"],
  group: string,
  transport: string,
  services: Map<string, string[]>,
): string {
  if (list.length === 0) return "";
  if (list.length === 1) return ` ${portObject(list[0]!)}`;
  services.set(
    `${group} ${transport}`,
    list.map((r) => ` port-object ${portObject(r)}`),
  );
  return ` object-group ${group}`;
}

/** fqdn network objects for a destination known by name, grouped per family; wildcards are refused. */
function fqdnGroup(
  prefix: string,
  r: PlanRule,
  fam: 4 | 6,
  objects: Map<string, string[]>,
  groups: Map<string, string[]>,
): string {
  const base = `${prefix}-${r.toEndpoint ?? r.flowId}`;
  const members = r.dstFqdns!.map((name, i) => {
    const obj = `${base}-${i + 1}-v${fam}`;
    objects.set(obj, [` fqdn v${fam} ${name}`]);
    return ` network-object object ${obj}`;
  });
  groups.set(`${base}-fqdn-v${fam}`, members);
  return `object-group ${base}-fqdn-v${fam}`;
}

function compile(plan: Plan): TargetResult {
  const wrong = wrongKind("cisco-asa", plan, "perimeter", "configures a perimeter firewall between zones");
  if (wrong) return wrong;
  // A nameif is one word of the CLI; plain names only.
  const refused = refuseInterfaces("cisco-asa", plan, plainInterface());
  if (refused.length > 0) return { ok: false, diagnostics: refused };
  const prefix = plan.options.name ?? "pm";
  const groups = new Map<string, string[]>();
  const addr = (list: string[], endpoint: string | undefined, fam: 4 | 6): string => {
    if (isAny(list)) return fam === 4 ? "any4" : "any6";
    if (list.length === 1) {
      const [a, len] = list[0]!.split("/") as [string, string];
      if ((fam === 4 && len === "32") || (fam === 6 && len === "128")) return `host ${a}`;
      return fam === 4 ? `${a} ${mask(Number(len))}` : list[0]!;
    }
    const name = groupName(prefix, endpoint ?? "addresses", fam);
    groups.set(name, list);
    return `object-group ${name}`;
  };
  const diagnostics = [];
  const services = new Map<string, string[]>();
  const objects = new Map<string, string[]>();
  const fqdnGroups = new Map<string, string[]>();
  const acl = (zone: string) => `${prefix}-${zone}-in`;
  const aces = new Map<string, string[]>(plan.zones.map((z) => [z.name, []]));
  for (const r of plan.rules) {
    if (r.direction !== "forward") continue;
    const wild = r.dstFqdns?.filter((n) => n.includes("*")) ?? [];
    if (wild.length > 0) {
      diagnostics.push(
        diag(
          "compile-unsupported",
          "error",
          `target cisco-asa cannot express flow ${r.flowId} (wildcard names ${wild.join(", ")}: an ASA fqdn object resolves one host name)`,
          { expected: "a proxy or a firewall that matches wildcard names (TLS SNI / URL filtering)" },
        ),
      );
      continue;
    }
    const sp = portSpec(r.sports, `${prefix}-${r.flowId}-sports`, r.transport, services);
    const dp = portSpec(r.dports, `${prefix}-${r.flowId}-dports`, r.transport, services);
    const list = aces.get(r.fromZone!.name)!;
    list.push(...asaRemarks(r.comment).map((t) => `access-list ${acl(r.fromZone!.name)} remark ${t}`));
    for (const fam of families(r)) {
      const src = addr(fam === 4 ? r.src.v4 : r.src.v6, r.fromEndpoint, fam);
      const dst = r.dstFqdns
        ? fqdnGroup(prefix, r, fam, objects, fqdnGroups)
        : addr(fam === 4 ? r.dst.v4 : r.dst.v6, r.toEndpoint, fam);
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
  const sorted = (m: Map<string, string[]>) => [...m].sort((a, b) => byCodeUnits(a[0], b[0]));
  for (const [name, lines] of sorted(objects)) out.push(`object network ${name}`, ...lines);
  for (const [name, list] of sorted(groups))
    out.push(`object-group network ${name}`, ...list.map(networkObject));
  for (const [name, lines] of sorted(fqdnGroups)) out.push(`object-group network ${name}`, ...lines);
  for (const [head, lines] of sorted(services)) out.push(`object-group service ${head}`, ...lines);
  if (groups.size + objects.size + services.size > 0) out.push("!");
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
  if (plan.nat.length > 0) {
    // Network object NAT, static: the real (private) host is the mapped (public) address on every
    // other interface, both ways; access-lists name the real address (ASA 8.3 and later).
    out.push("! Static NAT (topology nat:), network object NAT.");
    for (const n of plan.nat)
      out.push(
        `object network ${prefix}-nat-${n.endpoints[0]}-v${n.family}`,
        ` description ${asaText(natComment(n)).slice(0, 200)}`,
        ` host ${n.private}`,
        ` nat (${n.zone.interface},any) static ${n.public}`,
      );
    out.push("!");
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
  const warnings = optionWarnings("cisco-asa", plan, {
    log: "the ASA logs denied packets itself (syslog 106023, rate-limited by `logging rate-limit`); add `log` to an ACE to log permits",
    counters: "the ASA counts every ACE already (show access-list: hitcnt)",
    reject:
      "the ASA drops denied packets silently (TCP resets only with `service resetinbound`, a device-wide setting)",
    priority: "an ASA has no hook priorities",
  });
  return { ok: true, files: [{ suffix: "", text: out.join("\n") + "\n" }], warnings };
}

export const ciscoAsa: Target = {
  nat: true,
  id: "cisco-asa",
  description: "Cisco ASA object-groups, access-lists and access-groups",
  extension: "asa.cfg",
  fqdn: true,
  compile,
};
