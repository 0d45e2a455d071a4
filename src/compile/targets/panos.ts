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
 *
 * Static NAT (topology `nat:`), as the PAN-OS Networking Administrator's Guide's "Destination NAT
 * Example — One-to-One Mapping" and static source NAT: per pair a destination NAT rule (from every
 * other zone, to the zone the public address is routed to, destination the public address,
 * translated to the private one) and a static-ip source NAT rule per other zone (from the private
 * zone, source the private address, translated to the public one) — two explicit rules rather than
 * `bi-directional yes`, whose implied reverse rule matches any source zone. PAN-OS security
 * policy matches the PRE-NAT addresses with the POST-NAT zone: a flow arriving through the NAT is
 * allowed by a rule to the private address's zone (dmz) whose destination is the PUBLIC address;
 * a flow leaving it keeps the private source in its rule. IPv6 has no 1:1 NAT on PAN-OS (NPTv6
 * translates prefixes): an IPv6 pair is refused.
 */
import type { Plan, PlanNat, PlanRule } from "../plan.js";
import {
  families,
  header,
  isAny,
  natComment,
  natInbound,
  rangeText,
  refuseIpv6Nat,
  unsupported,
  wrongKind,
} from "../plan.js";
import type { Target, TargetResult } from "../target.js";
import { asaText, panosString, plainInterface, refuseInterfaces, UniqueNames } from "../text.js";

const ports = (list: PlanRule["dports"]): string => list.map((r) => rangeText(r, "-")).join(",");

function compile(plan: Plan): TargetResult {
  const wrong = wrongKind("panos", plan, "perimeter", "configures a perimeter firewall between zones");
  if (wrong) return wrong;
  // Interface names as PAN-OS writes them (ethernet1/1, ae1.100): one CLI word.
  const refused = refuseInterfaces("panos", plan, plainInterface("/"));
  if (refused.length > 0) return { ok: false, diagnostics: refused };
  const v6 = refuseIpv6Nat(
    "panos",
    plan,
    "PAN-OS translates IPv6 by prefix (NPTv6) or to IPv4 (NAT64), not one address to another",
    "IPv4 pairs in nat:, or NPTv6 configured on the firewall by hand",
  );
  if (v6) return v6;
  const warnings: string[] = [];

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
  const addresses = (cidrs: string[], endpoint: string | undefined, suffix = ""): string => {
    if (cidrs.length === 0 || cidrs.every((c) => isAny([c]))) return "any";
    const key = `${endpoint ?? "addresses"}\u0000${cidrs.join(",")}`;
    const known = groups.get(key);
    if (known) return known;
    const group = objects.take(`pm-${endpoint ?? "addresses"}${suffix}`);
    const members = cidrs.map((c, i) => {
      const name = objects.take(`${group}-${i + 1}`);
      addressLines.push(`set address ${name} ip-netmask ${c}`);
      return name;
    });
    addressLines.push(`set address-group ${group} static [ ${members.join(" ")} ]`);
    groups.set(key, group);
    return group;
  };

  const nat = natObjects(plan, objects);
  const serviceLines: string[] = [];
  const ruleLines: string[] = [];
  for (const r of plan.rules) {
    if (r.direction !== "forward") continue;
    const fams = families(r);
    if (fams.length === 0) continue;
    const pick = (side: PlanRule["src"]) => fams.flatMap((f) => (f === 4 ? side.v4 : side.v6));
    const src = addresses(pick(r.src), r.fromEndpoint);
    // Security rules match the pre-NAT destination: the public address of a flow arriving through NAT.
    const inbound = natInbound(plan, r);
    let dst: string;
    if (inbound.length === 0) dst = addresses(pick(r.dst), r.toEndpoint);
    else {
      // The translated address becomes its public object; the rest (e.g. the endpoint's untranslated
      // IPv6 addresses) stays as it is.
      const host = (a: string) => `${a}/32`;
      const list = pick(r.dst);
      const used = inbound.filter((n) => list.includes(host(n.private)));
      const rest = list.filter((c) => !used.some((n) => c === host(n.private)));
      const restName = rest.length > 0 ? addresses(rest, r.toEndpoint) : undefined;
      const wide = rest.filter((c) => isAny([c]) || used.some((n) => holds(c, n.private)));
      if (wide.length > 0)
        return {
          ok: false,
          diagnostics: [
            unsupported(
              "panos",
              r,
              `destination ${wide.join(", ")} beside the NAT'ed address of ${r.toEndpoint ?? ""}`,
              "a flow to a NAT'ed endpoint names its addresses, not a prefix or any around them",
            ),
          ],
        };
      const names = [...used.map((n) => nat.get(n)!.pub), ...(restName ? [restName] : [])];
      dst = names.length === 1 ? names[0]! : `[ ${names.join(" ")} ]`;
    }
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
  const natLines = staticNat(plan, nat, (z) => zone.get(z)!, warnings);
  out.push(...addressLines, ...(addressLines.length > 0 ? [""] : []));
  out.push(...serviceLines, ...(serviceLines.length > 0 ? [""] : []));
  out.push(...natLines, ...(natLines.length > 0 ? [""] : []));
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
  return { ok: true, files: [{ suffix: "", text: out.join("\n") + "\n" }], warnings };
}

/** Whether IPv4 prefix `cidr` holds address `addr` (IPv6 prefixes hold no translated address). */
function holds(cidr: string, addr: string): boolean {
  const [base, len] = cidr.split("/") as [string, string?];
  if (!base.includes(".")) return false;
  const num = (a: string) => a.split(".").reduce((n, o) => n * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(len ?? 32));
  return Math.floor(num(base) / size) === Math.floor(num(addr) / size);
}

/** An address object per NAT pair side, named after the pair's first endpoint. */
function natObjects(
  plan: Plan,
  objects: UniqueNames,
): Map<PlanNat, { pub: string; priv: string; lines: string[] }> {
  return new Map(
    plan.nat.map((n) => {
      const base = `pm-nat-${n.endpoints[0]!}`;
      const pub = objects.take(`${base}-public`);
      const priv = objects.take(`${base}-private`);
      const lines = [
        `set address ${pub} ip-netmask ${n.public}/32`,
        `set address ${priv} ip-netmask ${n.private}/32`,
      ];
      return [n, { pub, priv, lines }];
    }),
  );
}

/**
 * The NAT rulebase: per pair a destination NAT rule and a static-ip source NAT rule per other
 * zone, with an address object for each side. NAT rules are first match; the two never overlap
 * (different source zones).
 */
function staticNat(
  plan: Plan,
  nat: Map<PlanNat, { pub: string; priv: string; lines: string[] }>,
  zoneName: (name: string) => string,
  warnings: string[],
): string[] {
  if (plan.nat.length === 0) return [];
  const out = ["# Static NAT: policies match the pre-NAT destination (public) and the post-NAT zone."];
  const natZones = [...new Set(plan.nat.map((n) => n.zone.name))];
  if (natZones.length > 1)
    warnings.push(
      `panos: NAT'ed endpoints in several zones (${natZones.join(", ")}): a session from one of them to another's public address takes the destination NAT rule only (PAN-OS applies one NAT rule per session), so it keeps its private source; audit reports it as not SNAT-ed`,
    );
  const names = new UniqueNames();
  for (const n of plan.nat) {
    const others = plan.zones.filter((z) => z.name !== n.zone.name);
    if (others.length === 0) continue;
    // The destination NAT rule's `to` is the zone the public address is routed to (the pre-NAT
    // destination's zone): with one other zone it is that zone; with more it is assumed to be the first.
    const publicZone = others[0]!;
    if (others.length > 1)
      warnings.push(
        `panos: NAT rule for ${n.public} (${n.endpoints.join(", ")}) written "to ${publicZone.name}": the zone ${n.public} is routed to is assumed to be ${publicZone.name}; change "to" if it is routed elsewhere`,
      );
    const base = `pm-nat-${n.endpoints[0]!}`;
    const { pub, priv, lines } = nat.get(n)!;
    out.push(...lines);
    const from = others.map((z) => zoneName(z.name)).join(" ");
    const dnat = names.take(`${base}-in`);
    // The translation is a nested field: PAN-OS prints it on its own line.
    out.push(
      `set rulebase nat rules ${dnat} from [ ${from} ] to ${zoneName(publicZone.name)}` +
        ` source any destination ${pub} service any` +
        ` description ${panosString(`${natComment(n)} (destination NAT)`)}`,
      `set rulebase nat rules ${dnat} destination-translation translated-address ${priv}`,
    );
    for (const z of others) {
      const snat = names.take(`${base}-out-${z.name}`);
      out.push(
        `set rulebase nat rules ${snat} from ${zoneName(n.zone.name)} to ${zoneName(z.name)}` +
          ` source ${priv} destination any service any` +
          ` description ${panosString(`${natComment(n)} (source NAT to ${z.name})`)}`,
        `set rulebase nat rules ${snat} source-translation static-ip translated-address ${pub}`,
      );
    }
  }
  return out;
}

export const panos: Target = {
  id: "panos",
  description: "Palo Alto Networks PAN-OS zones, address/service objects and security rules (set CLI)",
  extension: "panos.set",
  nat: true,
  compile,
};
