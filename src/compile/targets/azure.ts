/**
 * Azure network security group as an ARM template (one Microsoft.Network/networkSecurityGroups
 * resource). NSG rules are evaluated by priority (lower first, 100–4096) and Azure adds default
 * rules at 65000+ that ALLOW VirtualNetwork and AzureLoadBalancer traffic inbound and all
 * outbound Internet traffic: a matrix-exact NSG must deny them itself, so priorities 4095/4096
 * carry explicit DenyAll rules (generators.md §3: priorities, not rule order, decide). Rules get
 * priorities 100, 110, … in plan order; one rule per flow and address family (a rule's prefixes
 * must share one IP version). Stateful: replies pass.
 */
import type { Plan, PlanRule } from "../plan.js";
import {
  families,
  header,
  interfaceWarnings,
  isAny,
  natComment,
  optionWarnings,
  rangeText,
} from "../plan.js";
import type { Target, TargetResult } from "../target.js";
import { diag } from "../../diag/diagnostic.js";
import { armString } from "../text.js";

/** NSG rule descriptions keep 140 characters (Azure: Network security group rule properties). */
const DESCRIPTION_MAX = 140;

const STEP = 10;
const FIRST = 100;
const LAST_ALLOWED = 4000;

function prefixes(key: "source" | "destination", list: string[]): Record<string, unknown> {
  if (isAny(list)) return { [`${key}AddressPrefix`]: "*" };
  return list.length === 1 ? { [`${key}AddressPrefix`]: list[0] } : { [`${key}AddressPrefixes`]: list };
}

function portField(key: "source" | "destination", list: PlanRule["dports"]): Record<string, unknown> {
  if (list.length === 0) return { [`${key}PortRange`]: "*" };
  const items = list.map((r) => rangeText(r, "-"));
  return items.length === 1 ? { [`${key}PortRange`]: items[0] } : { [`${key}PortRanges`]: items };
}

/** The security rules of one NSG: `entering` rules are Inbound, `leaving` ones Outbound. */
function securityRules(
  rules: ReadonlyArray<{ r: PlanRule; direction: "Inbound" | "Outbound" }>,
): { ok: true; rules: Array<Record<string, unknown>> } | { ok: false } {
  const out: Array<Record<string, unknown>> = [];
  let priority = FIRST;
  for (const { r, direction } of rules)
    for (const fam of families(r)) {
      if (priority > LAST_ALLOWED) return { ok: false };
      out.push({
        name: `pm-${r.flowId}-${direction === "Inbound" ? "in" : "out"}-v${fam}`.slice(0, 80),
        properties: {
          description: armString(r.comment, DESCRIPTION_MAX),
          priority,
          direction,
          access: "Allow",
          protocol: r.transport === "any" ? "*" : r.transport === "tcp" ? "Tcp" : "Udp",
          ...portField("source", r.sports),
          ...portField("destination", r.dports),
          ...prefixes("source", fam === 4 ? r.src.v4 : r.src.v6),
          ...prefixes("destination", fam === 4 ? r.dst.v4 : r.dst.v6),
        },
      });
      priority += STEP;
    }
  for (const direction of ["Inbound", "Outbound"] as const)
    out.push({
      name: `pm-deny-all-${direction.toLowerCase()}`,
      properties: {
        description: "portmatrix default deny: overrides Azure's default allow rules (65000+)",
        priority: 4096,
        direction,
        access: "Deny",
        protocol: "*",
        sourcePortRange: "*",
        destinationPortRange: "*",
        sourceAddressPrefix: "*",
        destinationAddressPrefix: "*",
      },
    });
  return { ok: true, rules: out };
}

function nsg(
  name: string,
  rules: Array<Record<string, unknown>>,
  tags?: Record<string, string>,
): Record<string, unknown> {
  return {
    type: "Microsoft.Network/networkSecurityGroups",
    apiVersion: "2023-09-01",
    name,
    location: "[parameters('location')]",
    ...(tags ? { tags } : {}),
    properties: { securityRules: rules },
  };
}

/**
 * Host kind: one NSG for the edge's network interface. Perimeter kind: one NSG per zone, for the
 * zone's subnet: flows entering the zone are its Inbound rules, flows leaving it its Outbound ones
 * (the zones' `interface` names the subnet, in the NSG's `portmatrix-subnet` tag).
 */
function compile(plan: Plan): TargetResult {
  const groups: Array<{
    name: string;
    rules: Array<{ r: PlanRule; direction: "Inbound" | "Outbound" }>;
    tags?: Record<string, string>;
  }> = [];
  if (plan.firewall.kind === "host")
    groups.push({
      name: "[parameters('nsgName')]",
      rules: plan.rules.map((r) => ({ r, direction: r.direction === "in" ? "Inbound" : "Outbound" })),
    });
  else
    for (const z of plan.zones) {
      const rules: Array<{ r: PlanRule; direction: "Inbound" | "Outbound" }> = [];
      for (const r of plan.rules) {
        if (r.direction !== "forward") continue;
        if (r.toZone?.name === z.name) rules.push({ r, direction: "Inbound" });
        if (r.fromZone?.name === z.name) rules.push({ r, direction: "Outbound" });
      }
      // Tagged with the zone and its subnet (the zone's interface): the azure-nsg reader places
      // the NSG by the tag, and the tags say where to associate it.
      groups.push({
        name: `[concat(parameters('nsgName'), '-${z.name}')]`,
        rules,
        tags: { "portmatrix-zone": armString(z.name), "portmatrix-subnet": armString(z.interface) },
      });
    }
  const resources: Array<Record<string, unknown>> = [];
  for (const g of groups) {
    const built = securityRules(g.rules);
    if (!built.ok)
      return {
        ok: false,
        diagnostics: [
          diag(
            "compile-unsupported",
            "error",
            `target azure: more rules than NSG priorities ${FIRST}-${LAST_ALLOWED} in steps of ${STEP}`,
            { expected: "fewer flows per NSG" },
          ),
        ],
      };
    resources.push(nsg(g.name, built.rules, g.tags));
  }
  resources.push(...publicIps(plan));
  const template = {
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    metadata: {
      comments: armString(
        header(plan, "", "azure")
          .map((l) => l.trim())
          .join(" ") +
          (plan.firewall.kind === "perimeter" ? " One NSG per zone, for the zone's subnet." : ""),
      ),
    },
    parameters: {
      nsgName: { type: "string", defaultValue: plan.options.name ?? `portmatrix-${plan.profileId}` },
      location: { type: "string", defaultValue: "[resourceGroup().location]" },
    },
    resources,
  };
  const warnings =
    plan.firewall.kind === "perimeter" && plan.rules.some((r) => r.flowId === "management")
      ? [
          "management: NSGs filter the zones' subnets, there is no firewall box of their own to reach; management rules are not part of this output",
        ]
      : [];
  warnings.push(
    ...interfaceWarnings("azure", plan),
    ...optionWarnings("azure", plan, {
      log: "NSG flow logs are a Network Watcher resource, not part of the NSG",
      counters: "NSGs keep no rule counters (NSG flow logs do)",
      reject: "NSGs drop denied packets silently",
      priority: "NSG rule priorities are assigned in plan order (100, 110, …)",
    }),
  );
  if (plan.nat.length > 0)
    warnings.push(
      "nat: Azure allocates each static public IP's address itself (a chosen one only from your own public IP prefix): associate each with the network interface's IP configuration holding the private address, and check the public addresses in DNS and the topology",
    );
  return { ok: true, files: [{ suffix: "", text: JSON.stringify(template, null, 2) + "\n" }], warnings };
}

/**
 * Static NAT (topology `nat:`) as Azure models it: a Standard static public IP per private address,
 * associated with the NIC's IP configuration that holds it; Azure translates both ways, so the NSG
 * rules name the private address.
 */
function publicIps(plan: Plan): Array<Record<string, unknown>> {
  return plan.nat.map((n) => ({
    type: "Microsoft.Network/publicIPAddresses",
    apiVersion: "2023-09-01",
    name: `[concat(parameters('nsgName'), '-nat-${n.endpoints[0]}-v${n.family}')]`,
    location: "[parameters('location')]",
    sku: { name: "Standard" },
    tags: { portmatrix: armString(natComment(n), 256) },
    properties: {
      publicIPAllocationMethod: "Static",
      publicIPAddressVersion: n.family === 4 ? "IPv4" : "IPv6",
    },
  }));
}

export const azure: Target = {
  nat: true,
  id: "azure",
  description: "Azure NSG security rules as an ARM template (priorities assigned)",
  extension: "arm.json",
  compile,
};
