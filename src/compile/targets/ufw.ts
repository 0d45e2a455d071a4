/**
 * ufw (Ubuntu, Debian): the host's own firewall as a script of ufw commands (ufw(8), ufw 0.36) —
 * what an admin types, reviewable line by line, run once as root. ufw keeps the rules in
 * /etc/ufw/user.rules and user6.rules and loads them behind its own before.rules (loopback,
 * established and related connections, ICMP errors and echo, IPv6 neighbour discovery, DHCP
 * client), which the script leaves as they are.
 * - Default deny (or reject, compile.reject) incoming, outgoing and routed, then one `ufw allow` per
 *   family, source, destination, interface and port group: ufw takes one address per side, and a
 *   port list of at most 15 ports, a range counting two (iptables' multiport, ufw's own limit).
 * - `allow in` for what may reach the host, `allow out` for what it may open, `on IFACE` where the
 *   topology names the host's interfaces. A perimeter's flows are route rules (`ufw route allow in on
 *   A out on B …`, routed default deny), its management input rules; its own output stays open, as
 *   the other targets leave a perimeter's.
 * - Rules already in ufw stay: the script adds to them (ufw skips a rule it has). A host whose ufw
 *   should hold the matrix alone starts from `ufw --force reset`, which also puts ufw's
 *   before/after rules back to the package's — a choice for the admin, not the script.
 * - ufw refuses a `'` in a comment (parser.py): it becomes `’`.
 * ICMP and ICMPv6 beyond ufw's before rules, rule counters, names and hook priorities are not
 * ufw's to say: flows that need them are refused, options warned.
 */
import type { Diagnostic } from "../../diag/diagnostic.js";
import { oneLine } from "../../diag/safe-text.js";
import type { PortRange } from "../../space/port.js";
import type { Plan, PlanRule } from "../plan.js";
import { families, header, isAny, optionWarnings, rangeText, unsupported } from "../plan.js";
import type { Target, TargetResult } from "../target.js";
import { plainInterface, refuseInterfaces, type InterfaceGrammar } from "../text.js";

/** Linux interface names (IFNAMSIZ: 15 characters); ufw refuses `!` and `:` (aliases). */
const UFW_INTERFACE: InterfaceGrammar = {
  valid: (n) => plainInterface().valid(n) && n.length <= 15,
  expected: `${plainInterface().expected}, at most 15 characters`,
};

/** A shell single-quoted comment ufw takes: one line, no `'` (ufw refuses it). */
function comment(s: string): string {
  return `'${oneLine(s).replace(/'/g, "’")}'`;
}

/** Port groups of at most 15 ports each (a range counts two), as `port` takes them: `80,443,5000:5010`. */
function portGroups(list: readonly PortRange[]): Array<string | undefined> {
  if (list.length === 0) return [undefined];
  const groups: string[][] = [];
  let cur: string[] = [];
  let used = 0;
  for (const p of list) {
    const cost = p.from === p.to ? 1 : 2;
    if (used + cost > 15) {
      groups.push(cur);
      cur = [];
      used = 0;
    }
    cur.push(rangeText(p, ":"));
    used += cost;
  }
  groups.push(cur);
  return groups.map((g) => g.join(","));
}

/** The `ufw allow` commands of one plan rule. */
function commands(r: PlanRule): string[] | Diagnostic {
  if (r.transport === "any" && (r.dports.length > 0 || r.sports.length > 0))
    return unsupported(
      "ufw",
      r,
      "ports without a protocol",
      "a flow with transport tcp or udp (ufw's port needs proto tcp or udp)",
    );
  const out: string[] = [];
  // A perimeter's forward rule is ufw's route rule (`ufw route allow in on A out on B …`), its
  // management one an input rule on the firewall itself.
  const verb =
    r.direction === "forward"
      ? `route allow in on ${r.fromZone!.interface} out on ${r.toZone!.interface}`
      : `allow ${r.direction === "in" ? "in" : "out"}${r.fromZone ? ` on ${r.fromZone.interface}` : ""}`;
  const proto = r.transport === "any" ? "" : ` proto ${r.transport}`;
  for (const fam of families(r)) {
    const key = fam === 4 ? "v4" : "v6";
    // `any` on both sides would be a rule for both families: each family's own any instead.
    const both = isAny(r.src[key]) && isAny(r.dst[key]);
    // A host as ufw prints it: without /32 or /128.
    const side = (list: string[]): string[] =>
      isAny(list) && !both ? ["any"] : list.map((a) => a.replace(/\/(32|128)$/, ""));
    for (const nic of r.interfaces ?? [undefined])
      for (const s of side(r.src[key]))
        for (const d of side(r.dst[key]))
          for (const sp of portGroups(r.sports))
            for (const dp of portGroups(r.dports))
              out.push(
                `ufw ${verb}${nic ? ` on ${nic}` : ""}${proto} from ${s}${sp ? ` port ${sp}` : ""} to ${d}${dp ? ` port ${dp}` : ""} comment ${comment(r.comment)}`,
              );
  }
  return out;
}

function compile(plan: Plan): TargetResult {
  const refused = refuseInterfaces("ufw", plan, UFW_INTERFACE);
  if (refused.length > 0) return { ok: false, diagnostics: refused };
  const diagnostics: Diagnostic[] = [];
  const body: string[] = [];
  for (const r of plan.rules) {
    const c = commands(r);
    if (!Array.isArray(c)) {
      if (!diagnostics.some((d) => d.message === c.message)) diagnostics.push(c);
      continue;
    }
    body.push(`# ${oneLine(r.comment)}`, ...c);
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  const o = plan.options;
  const host = plan.firewall.kind === "host";
  const six = plan.rules.some((r) => families(r).includes(6));
  const text = [
    "#!/bin/sh",
    ...header(plan, "#", "ufw (commands)"),
    `# Run as root on the ${host ? "host" : "firewall"}. Rules ufw already holds stay (it skips one it has): \`ufw status`,
    "# numbered` lists them, `ufw delete N` removes one; `ufw --force reset` empties them and puts",
    "# ufw's before/after rules back to the package's.",
    ...(host
      ? [
          "# Outbound is default-deny: every connection the host needs beyond the matrix (DNS, updates,",
          "# directory, monitoring; your SSH session's replies are kept) needs its own `ufw allow out`",
          "# before this runs, or the host loses it.",
        ]
      : [
          "# Routed traffic is default-deny between the zones' interfaces; the kernel must forward",
          "# (net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=1: /etc/ufw/sysctl.conf).",
        ]),
    ...(six ? ["# IPv6 rules need IPV6=yes in /etc/default/ufw (Debian's and Ubuntu's default)."] : []),
    "set -e",
    `ufw default ${o.reject.in ? "reject" : "deny"} incoming`,
    // A perimeter's own output is left open, as the other targets leave it; a host's is the matrix.
    `ufw default ${host ? (o.reject.out ? "reject" : "deny") : "allow"} outgoing`,
    `ufw default ${!host && o.reject.forward ? "reject" : "deny"} routed`,
    ...(o.log ? ["ufw logging low"] : []),
    ...body,
    "ufw --force enable",
  ];
  const warnings = optionWarnings("ufw", plan, {
    counters: "ufw keeps no per-rule counters of its own (iptables -L -v shows the kernel's)",
    name: "ufw's chains are its own (ufw-user-input, ufw-user-output)",
    priority: "ufw's chains hang off the filter table's built-in chains at netfilter's fixed priority",
    ...(o.log
      ? {
          log: `ufw logs what its policy blocks with its own prefix and rate ("[UFW BLOCK] ", 3/min, burst 10): compile.log's ${JSON.stringify(o.log.prefix)} at ${o.log.rate} is not written`,
        }
      : {}),
  });
  if (o.reject.zones.length > 0)
    warnings.push(
      `target ufw has one routed default for every interface: compile.reject's zones (${o.reject.zones.map((z) => z.name).join(", ")}) are not written, routed packets are dropped`,
    );
  return { ok: true, files: [{ suffix: "", text: text.join("\n") + "\n" }], warnings };
}

export const ufw: Target = {
  id: "ufw",
  description:
    "a script of ufw commands (Ubuntu, Debian): the host's own ufw, or ufw routing between a perimeter's zones",
  extension: "sh",
  compile,
};
