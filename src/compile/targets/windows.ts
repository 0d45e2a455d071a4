/**
 * Windows Firewall with Advanced Security on the edge server itself: a PowerShell script.
 * Semantics (MS docs, "Windows Firewall rules" / New-NetFirewallRule): block rules beat allow rules
 * whatever their order, so the default deny must be the profiles' default action
 * (Set-NetFirewallProfile -DefaultInboundAction Block -DefaultOutboundAction Block), never a block
 * rule, which would override every allow (generators.md §3). Windows Firewall is stateful: replies
 * of allowed connections pass without rules. The rules carry one group, removed first, so running
 * the script again replaces what it created before and nothing else.
 */
import type { Plan, PlanRule } from "../plan.js";
import { header, interfaceWarnings, isAny, optionWarnings, rangeText, wrongKind } from "../plan.js";
import type { Target, TargetResult } from "../target.js";
import { rollbackEpilogue, rollbackPreamble } from "./windows-rollback.js";
import { commentText, psString as ps } from "../text.js";

function addressList(list: PlanRule["src"]): string {
  const all = [...list.v4, ...list.v6];
  if (
    (list.v4.length === 0 || isAny(list.v4)) &&
    (list.v6.length === 0 || isAny(list.v6)) &&
    list.v4.length > 0 &&
    list.v6.length > 0
  )
    return "Any";
  return all
    .map((a) =>
      a === "0.0.0.0/0"
        ? "0.0.0.0-255.255.255.255"
        : a === "::/0"
          ? "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
          : a,
    )
    .join(",");
}

function portList(list: PlanRule["dports"]): string | undefined {
  return list.length === 0 ? undefined : list.map((r) => rangeText(r, "-")).join(",");
}

function ruleCommand(r: PlanRule): string {
  const inbound = r.direction === "in";
  const local = inbound ? r.dst : r.src;
  const remote = inbound ? r.src : r.dst;
  const args = [
    `-Group $group`,
    `-Name ${ps(`portmatrix-${r.flowId}-${inbound ? "in" : "out"}`)}`,
    `-DisplayName ${ps(`portmatrix ${r.flowId}`)}`,
    `-Description ${ps(r.comment)}`,
    `-Direction ${inbound ? "Inbound" : "Outbound"}`,
    "-Action Allow",
    "-Profile Any",
    `-Protocol ${r.transport === "any" ? "Any" : r.transport.toUpperCase()}`,
  ];
  const lp = portList(inbound ? r.dports : r.sports);
  const rp = portList(inbound ? r.sports : r.dports);
  if (lp) args.push(`-LocalPort ${lp}`);
  if (rp) args.push(`-RemotePort ${rp}`);
  args.push(`-LocalAddress ${addressList(local)}`, `-RemoteAddress ${addressList(remote)}`);
  return `New-NetFirewallRule ${args.join(" ")} | Out-Null`;
}

function compile(plan: Plan): TargetResult {
  const wrong = wrongKind("windows", plan, "host", "configures the edge server's own Windows Firewall");
  if (wrong) return wrong;
  const group = plan.options.name ?? `portmatrix ${plan.profileId}`;
  const out = [
    "#Requires -RunAsAdministrator",
    ...header(plan, "#", "windows"),
    "# Run on the edge server in an elevated PowerShell. Outbound is default-deny too: every outbound",
    "# connection the server needs beyond the matrix (DNS, updates, AD, monitoring) needs its own rule",
    "# before you run this, or the server loses it.",
    "$ErrorActionPreference = 'Stop'",
    `$group = ${ps(group)}`,
    ...rollbackPreamble(),
    "# Replace what an earlier run created (only this group).",
    "Get-NetFirewallRule -Group $group -ErrorAction SilentlyContinue | Remove-NetFirewallRule",
    "# Default deny as the profiles' default action: a block rule would beat every allow rule.",
    "Set-NetFirewallProfile -Profile Domain,Private,Public -Enabled True -DefaultInboundAction Block -DefaultOutboundAction Block",
    ...(plan.options.log
      ? [
          "# compile.log: dropped packets into the firewall log (pfirewall.log), which has no rate limit.",
          "Set-NetFirewallProfile -Profile Domain,Private,Public -LogBlocked True",
        ]
      : []),
  ];
  for (const r of plan.rules) {
    out.push(`# ${commentText(r.comment)}`, ruleCommand(r));
  }
  const warnings = [
    ...optionWarnings("windows", plan, {
      counters: "Windows Firewall keeps no per-rule counters",
      reject: "Windows Firewall drops blocked packets silently; it has no reject action",
      priority: "Windows Firewall has no priorities (block rules win)",
    }),
    // Windows names an interface by its alias ("Ethernet 2"), not as the topology's Linux names.
    ...interfaceWarnings("windows", plan),
  ];
  if (plan.options.log)
    warnings.push(
      `target windows logs dropped packets without a rate (compile.log.rate ${plan.options.log.rate} and its prefix are not Windows')`,
    );
  out.push(...rollbackEpilogue());
  return { ok: true, files: [{ suffix: "", text: out.join("\n") + "\n" }], warnings };
}

export const windows: Target = {
  id: "windows",
  description: "PowerShell (New-NetFirewallRule) for the edge server's own Windows Firewall",
  extension: "ps1",
  compile,
};
