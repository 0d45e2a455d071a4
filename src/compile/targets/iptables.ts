/**
 * iptables: `iptables-restore` input for IPv4 and, when any rule has IPv6 addresses, an
 * `ip6tables-restore` file (suffix `.v6`). Each file replaces the whole `filter` table (that is
 * what iptables-restore does without --noflush): the generated policy is the host's or the
 * perimeter's complete filter policy, with DROP policies on the built-in chains it uses and no
 * user chains (nothing to collide with). Stateful: one conntrack ESTABLISHED,RELATED rule per
 * chain carries every reply. Ranges are `--dport 50000:59999`; several ports use multiport.
 */
import type { Plan, PlanRule } from "../plan.js";
import { families, header, isAny, rangeText } from "../plan.js";
import type { Target, TargetResult } from "../target.js";
import { iptablesString, plainInterface, refuseInterfaces } from "../text.js";

type Fam = 4 | 6;

/**
 * iptables-restore splits on blanks and reads `"` and `\` itself; `-i eth+` is a wildcard and a
 * leading `!` negates: plain names with `@` (as in `veth0@if2`) only.
 */
const IPT_INTERFACE = plainInterface("@");

function portArgs(transport: string, r: PlanRule): string[] {
  if (transport === "any") return [];
  const out = [`-p ${transport}`];
  const one = (flag: "sport" | "dport", list: PlanRule["dports"]) => {
    if (list.length === 0) return;
    if (list.length === 1) out.push(`-m ${transport} --${flag} ${rangeText(list[0]!, ":")}`);
    else out.push(`-m multiport --${flag}s ${list.map((p) => rangeText(p, ":")).join(",")}`);
  };
  one("sport", r.sports);
  one("dport", r.dports);
  return out;
}

function ruleLines(chain: string, r: PlanRule, fam: Fam): string[] {
  const src = fam === 4 ? r.src.v4 : r.src.v6;
  const dst = fam === 4 ? r.dst.v4 : r.dst.v6;
  const srcs = isAny(src) ? [undefined] : src;
  const dsts = isAny(dst) ? [undefined] : dst;
  const lines: string[] = [];
  for (const s of srcs)
    for (const d of dsts) {
      const parts = [`-A ${chain}`];
      if (r.fromZone) parts.push(`-i ${r.fromZone.interface}`);
      if (r.toZone) parts.push(`-o ${r.toZone.interface}`);
      if (s) parts.push(`-s ${s}`);
      if (d) parts.push(`-d ${d}`);
      parts.push(
        ...portArgs(r.transport, r),
        `-m comment --comment ${iptablesString(r.comment)}`,
        "-j ACCEPT",
      );
      lines.push(parts.join(" "));
    }
  return lines;
}

function table(plan: Plan, fam: Fam): string {
  const host = plan.firewall.kind === "host";
  const chainOf = (r: PlanRule) =>
    r.direction === "in" ? "INPUT" : r.direction === "out" ? "OUTPUT" : "FORWARD";
  const out = [
    ...header(plan, "#", fam === 4 ? "iptables (iptables-restore)" : "ip6tables (ip6tables-restore)"),
    "# Replaces the whole filter table.",
    "*filter",
  ];
  // Host: everything not allowed is dropped both ways. Perimeter: forwarding and the firewall's
  // own input are default-deny; its own output is left open.
  out.push(":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", `:OUTPUT ${host ? "DROP" : "ACCEPT"} [0:0]`);
  const chains = host ? ["INPUT", "OUTPUT"] : ["INPUT", "FORWARD"];
  for (const chain of chains) {
    if (chain === "INPUT") out.push("-A INPUT -i lo -j ACCEPT");
    if (chain === "OUTPUT") out.push("-A OUTPUT -o lo -j ACCEPT");
    out.push(
      `-A ${chain} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
      `-A ${chain} -m conntrack --ctstate INVALID -j DROP`,
    );
    if (fam === 6 && chain !== "FORWARD")
      for (const t of [133, 134, 135, 136])
        out.push(
          `-A ${chain} -p ipv6-icmp -m icmp6 --icmpv6-type ${t} -m comment --comment "IPv6 neighbour discovery (RFC 4890)" -j ACCEPT`,
        );
    for (const r of plan.rules)
      if (chainOf(r) === chain && families(r).includes(fam)) out.push(...ruleLines(chain, r, fam));
  }
  out.push("COMMIT");
  return out.join("\n") + "\n";
}

function compile(plan: Plan): TargetResult {
  const refused = refuseInterfaces("iptables", plan, IPT_INTERFACE);
  if (refused.length > 0) return { ok: false, diagnostics: refused };
  const files = [{ suffix: "", text: table(plan, 4) }];
  if (plan.rules.some((r) => families(r).includes(6))) files.push({ suffix: ".v6", text: table(plan, 6) });
  return { ok: true, files, warnings: [] };
}

export const iptables: Target = {
  id: "iptables",
  description: "iptables-restore / ip6tables-restore files (FILE and FILE.v6)",
  extension: "rules",
  compile,
};
