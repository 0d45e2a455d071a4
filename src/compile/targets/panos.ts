/**
 * PAN-OS (10.x/11.x `set` CLI, configure mode): a zone per topology zone holding its interface
 * (layer3), an address object per CIDR and an address group per endpoint (named after the
 * profile's endpoints), a service object per flow (tcp/udp with its port list and source ports),
 * and one security rule per flow, from its zone to its zone, with the profile row as its
 * description; application `any` (the matrix is about ports, not App-IDs — `application-default`
 * would hand the port choice to App-ID). After the flows an explicit deny rule from any zone to
 * any zone, logged: PAN-OS's own interzone-default denies without logging, and its
 * intrazone-default would allow traffic that enters and leaves by one zone. PAN-OS is
 * stateful: replies of allowed sessions need no rules. Management addresses are written as the
 * management interface's permitted IPs. PAN-OS Administrator's Guide (Security Policy, Objects),
 * PAN-OS CLI Quick Start (set commands).
 */
import type { Plan, PlanRule } from "../plan.js";
import { families, header, isAny, rangeText, unsupported, wrongKind } from "../plan.js";
import type { Target, TargetResult } from "../target.js";
import { asaText, panosString, plainInterface, refuseInterfaces, UniqueNames } from "../text.js";

const ports = (list: PlanRule["dports"]): string => list.map((r) => rangeText(r, "-")).join(",");

function compile(plan: Plan): TargetResult {
  const wrong = wrongKind("panos", plan, "perimeter", "configures a perimeter firewall between zones");
  if (wrong) return wrong;
  // Interface names as PAN-OS writes them (ethernet1/1, ae1.100): one CLI word.
  const refused = refuseInterfaces("panos", plan, plainInterface("/"));
  if (refused.length > 0) return { ok: false, diagnostics: refused };

  const objects = new UniqueNames();
  const zoneNames = new UniqueNames();
  const ruleNames = new UniqueNames();
  const zone = new Map(plan.zones.map((z) => [z.name, zoneNames.take(z.name, 31)]));
  const out = [...header(plan, "#", "panos", asaText), "# Paste in configure mode, then commit.", ""];
  for (const z of plan.zones) out.push(`set zone ${zone.get(z.name)} network layer3 [ ${z.interface} ]`);
  out.push("");

  // One address group per endpoint (both families), its members one address object per CIDR.
  const groups = new Map<string, string>();
  const addressLines: string[] = [];
  const addresses = (cidrs: string[], endpoint: string | undefined): string => {
    if (cidrs.length === 0 || cidrs.every((c) => isAny([c]))) return "any";
    const key = `${endpoint ?? "addresses"}\u0000${cidrs.join(",")}`;
    const known = groups.get(key);
    if (known) return known;
    const group = objects.take(`pm-${endpoint ?? "addresses"}`);
    const members = cidrs.map((c, i) => {
      const name = objects.take(`${group}-${i + 1}`);
      addressLines.push(`set address ${name} ip-netmask ${c}`);
      return name;
    });
    addressLines.push(`set address-group ${group} static [ ${members.join(" ")} ]`);
    groups.set(key, group);
    return group;
  };

  const serviceLines: string[] = [];
  const ruleLines: string[] = [];
  for (const r of plan.rules) {
    if (r.direction !== "forward") continue;
    const fams = families(r);
    if (fams.length === 0) continue;
    const pick = (side: PlanRule["src"]) => fams.flatMap((f) => (f === 4 ? side.v4 : side.v6));
    const src = addresses(pick(r.src), r.fromEndpoint);
    const dst = addresses(pick(r.dst), r.toEndpoint);
    let service = "any";
    if (r.transport !== "any") {
      service = objects.take(`pm-${r.flowId}-${r.transport}`);
      const dport = r.dports.length === 0 ? "0-65535" : ports(r.dports);
      const sport = r.sports.length === 0 ? "" : ` source-port ${ports(r.sports)}`;
      serviceLines.push(`set service ${service} protocol ${r.transport} port ${dport}${sport}`);
    } else if (r.dports.length > 0 || r.sports.length > 0) {
      return {
        ok: false,
        diagnostics: [
          unsupported("panos", r, "ports without a transport", "tcp or udp for a flow with ports"),
        ],
      };
    }
    const name = ruleNames.take(`pm-${r.flowId}`);
    ruleLines.push(
      `set rulebase security rules ${name} from ${zone.get(r.fromZone!.name)} to ${zone.get(r.toZone!.name)}` +
        ` source ${src} destination ${dst} application any service ${service} action allow log-end yes` +
        ` description ${panosString(r.comment)}`,
    );
  }
  out.push(...addressLines, ...(addressLines.length > 0 ? [""] : []));
  out.push(...serviceLines, ...(serviceLines.length > 0 ? [""] : []));
  out.push(...ruleLines);
  out.push(
    `set rulebase security rules ${ruleNames.take("pm-default-deny")} from any to any` +
      ` source any destination any application any service any action deny log-end yes` +
      ` description ${panosString("portmatrix: default deny, between zones and within a zone (explicit, logged)")}`,
  );
  const mgmt = [...plan.management.v4, ...plan.management.v6];
  if (mgmt.length > 0) {
    out.push("", "# Management: the management interface accepts connections from these addresses only.");
    for (const m of mgmt) out.push(`set deviceconfig system permitted-ip ${m}`);
  }
  return { ok: true, files: [{ suffix: "", text: out.join("\n") + "\n" }], warnings: [] };
}

export const panos: Target = {
  id: "panos",
  description: "Palo Alto Networks PAN-OS zones, address/service objects and security rules (set CLI)",
  extension: "panos.set",
  compile,
};
