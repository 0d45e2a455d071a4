/**
 * iptables: `iptables-restore` input for IPv4 and always an `ip6tables-restore` file (suffix
 * `.v6`): IPv4 and IPv6 are separate tables in netfilter, and a host whose topology is IPv4 only
 * must still close IPv6 (loopback, neighbour discovery, default deny), or IPv6 passes unfiltered. Each file replaces the whole `filter` table (that is
 * what iptables-restore does without --noflush): the generated policy is the host's or the
 * perimeter's complete filter policy, with DROP policies on the built-in chains it uses and no
 * user chains (nothing to collide with). Stateful: one conntrack ESTABLISHED,RELATED rule per
 * chain carries every reply. Ranges are `--dport 50000:59999`; several ports use multiport.
 */
import type { Plan, PlanRule } from "../plan.js";
import { families, header, isAny, natComment, optionWarnings, rangeText } from "../plan.js";
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
  // A host rule on several interfaces: one line each (iptables takes one name per rule).
  const nics = r.interfaces ?? [undefined];
  for (const nic of nics)
    for (const s of srcs)
      for (const d of dsts) {
        const parts = [`-A ${chain}`];
        if (r.fromZone) parts.push(`-i ${r.fromZone.interface}`);
        if (r.toZone) parts.push(`-o ${r.toZone.interface}`);
        if (nic) parts.push(`${r.direction === "out" ? "-o" : "-i"} ${nic}`);
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
    ...(fam === 4
      ? ["# Load FILE.v6 (the IPv6 table) as well: it closes IPv6, which this file does not filter."]
      : []),
    "*filter",
  ];
  // Host: everything not allowed is dropped both ways. Perimeter: forwarding and the firewall's
  // own input are default-deny; its own output is left open.
  out.push(":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", `:OUTPUT ${host ? "DROP" : "ACCEPT"} [0:0]`);
  const chains = host ? ["INPUT", "OUTPUT"] : ["INPUT", "FORWARD"];
  for (const chain of chains) {
    if (chain === "INPUT") out.push("-A INPUT -i lo -j ACCEPT");
    if (chain === "OUTPUT") out.push("-A OUTPUT -o lo -j ACCEPT");
    const own = plan.rules.filter((r) => chainOf(r) === chain && families(r).includes(fam));
    out.push(`-A ${chain} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
    // Dropping invalid packets matters only before accept rules (an IPv4-only topology's IPv6
    // FORWARD has none: there the policy drops them, and the audit would call the rule dead).
    if (own.length > 0 || (fam === 6 && chain !== "FORWARD"))
      out.push(`-A ${chain} -m conntrack --ctstate INVALID -j DROP`);
    if (fam === 6 && chain !== "FORWARD")
      for (const t of [133, 134, 135, 136])
        out.push(
          `-A ${chain} -p ipv6-icmp -m icmp6 --icmpv6-type ${t} -m comment --comment "IPv6 neighbour discovery (RFC 4890)" -j ACCEPT`,
        );
    for (const r of own) out.push(...ruleLines(chain, r, fam));
    out.push(...chainTail(plan, chain));
  }
  out.push("COMMIT", ...natTable(plan, fam));
  return out.join("\n") + "\n";
}

/**
 * The operator's end of a DROP chain (topology `compile:`): LOG rate-limited by the limit match
 * (only the limited packets are logged), then REJECT where asked (per direction, or for packets
 * entering from a zone). iptables-extensions(8): LOG, limit, REJECT.
 */
function chainTail(plan: Plan, chain: string): string[] {
  const o = plan.options;
  const out: string[] = [];
  if (o.log)
    out.push(
      `-A ${chain} -m limit --limit ${o.log.rate} -j LOG --log-prefix ${iptablesString(o.log.prefix)}`,
    );
  if (chain === "FORWARD") for (const z of o.reject.zones) out.push(`-A FORWARD -i ${z.interface} -j REJECT`);
  if (chain === "INPUT" ? o.reject.in : chain === "OUTPUT" ? o.reject.out : o.reject.forward)
    out.push(`-A ${chain} -j REJECT`);
  return out;
}

/**
 * Static 1:1 NAT (topology `nat:`) as the `nat` table, which this file then replaces too: DNAT of
 * the public address for packets entering from outside the endpoint's zone (PREROUTING), SNAT of
 * the private address for packets leaving it (POSTROUTING); FORWARD sees the private address.
 * iptables-extensions(8): DNAT, SNAT.
 */
function natTable(plan: Plan, fam: Fam): string[] {
  const pairs = plan.nat.filter((n) => n.family === fam);
  if (pairs.length === 0) return [];
  const len = fam === 4 ? 32 : 128;
  return [
    "# Static NAT (topology nat:): replaces the whole nat table.",
    "*nat",
    ":PREROUTING ACCEPT [0:0]",
    ":INPUT ACCEPT [0:0]",
    ":OUTPUT ACCEPT [0:0]",
    ":POSTROUTING ACCEPT [0:0]",
    ...pairs.map(
      (n) =>
        `-A PREROUTING ! -i ${n.zone.interface} -d ${n.public}/${len} -m comment --comment ${iptablesString(natComment(n))} -j DNAT --to-destination ${n.private}`,
    ),
    ...pairs.map(
      (n) =>
        `-A POSTROUTING ! -o ${n.zone.interface} -s ${n.private}/${len} -m comment --comment ${iptablesString(natComment(n))} -j SNAT --to-source ${n.public}`,
    ),
    "COMMIT",
  ];
}

function compile(plan: Plan): TargetResult {
  const refused = refuseInterfaces("iptables", plan, IPT_INTERFACE);
  if (refused.length > 0) return { ok: false, diagnostics: refused };
  // The IPv6 file even when no rule has IPv6 addresses: without it IPv6 is not filtered at all.
  const files = [
    { suffix: "", text: table(plan, 4) },
    { suffix: ".v6", text: table(plan, 6) },
  ];
  const warnings = optionWarnings("iptables", plan, {
    counters: "iptables counts every rule and each chain's policy already (iptables-save -c, iptables -L -v)",
    name: "iptables-restore fills the built-in chains of the filter table; there is no own table to name",
    priority: "the filter table's chains have netfilter's fixed filter priority",
  });
  return { ok: true, files, warnings };
}

export const iptables: Target = {
  nat: true,
  id: "iptables",
  description: "iptables-restore / ip6tables-restore files (FILE and FILE.v6)",
  extension: "rules",
  compile,
};
