/**
 * firewalld (RHEL, Fedora, SUSE): the host's own firewall as firewalld's permanent configuration,
 * in /etc/firewalld's layout (`-o DIR`: DIR/zones/*.xml, DIR/policies/*.xml) — a zone for what may
 * reach the host and a policy from HOST for what the host may open, each flow a rich rule.
 * firewalld 1.3's model (firewalld.zone(5), firewalld.policy(5), firewalld.richlanguage(5)):
 * - A zone applies to the packets its bindings send it. The zone binds the sources 0.0.0.0/0 and
 *   ::/0: a source binding is dispatched before every interface's zone, so the matrix holds on
 *   every interface whatever zone NetworkManager gives it (firewalld still accepts loopback and
 *   established connections before any zone). Its target DROP (`%%REJECT%%` with compile.reject
 *   in) is the default deny.
 * - Outbound, firewalld filters nothing until a policy does: the policy's ingress zone HOST and
 *   egress zone ANY take every packet the host sends, its target DROP (REJECT) the default deny.
 * - A rich rule holds one address per side and one element: a port (or range) or a source port,
 *   not both. Several addresses or ports are several rules; a flow pinning both its destination and
 *   its source ports cannot be written and is refused, naming it.
 * - A host that names its interfaces (`firewall.interfaces`) gets a zone per interface, bound to it
 *   (`NAME-in1`, …), and a policy from HOST to that zone (`NAME-out1`, …), each with the rules whose
 *   packets use that interface: firewalld dispatches a policy whose egress zone is bound to an
 *   interface by `oifname`. Other interfaces go to firewalld's default zone (warned).
 * Names reach file names and chain names: firewalld keeps at most 17 characters of a zone's or a
 * policy's name (functions.py, max_zone_name_len), so compile.name is checked against that.
 */
import { diag, type Diagnostic } from "../../diag/diagnostic.js";
import { oneLine } from "../../diag/safe-text.js";
import type { Plan, PlanRule } from "../plan.js";
import { families, header, isAny, optionWarnings, rangeText, unsupported } from "../plan.js";
import type { CompiledFile, Target, TargetResult } from "../target.js";
import { plainInterface, refuseInterfaces } from "../text.js";

/** firewalld's longest zone or policy name (28-character chains less `POST_` and `_allow`). */
const MAX_NAME = 17;

/** XML character data or attribute value (double-quoted), one line. */
function xml(s: string): string {
  return oneLine(s)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** The text of an XML comment: `--` may not occur in one, nor may it end in `-`. */
function xmlComment(s: string): string {
  return oneLine(s)
    .replace(/-(?=-)/g, "- ")
    .replace(/-$/, "- ");
}

/** One rich rule's element: a port (range), a source port (range), a protocol, or none (every protocol). */
function elements(target: string, r: PlanRule): string[] | Diagnostic {
  if (r.dports.length > 0 && r.sports.length > 0)
    return unsupported(
      target,
      r,
      "both destination and source ports: a firewalld rich rule holds a port or a source port, not both",
      "a target with both matches (nftables, iptables, pf, cisco-asa, junos, panos), or firewalld's direct rules written by hand",
    );
  if (r.transport === "any") return [""];
  if (r.dports.length > 0)
    return r.dports.map((p) => `<port port="${rangeText(p, "-")}" protocol="${r.transport}"/>`);
  if (r.sports.length > 0)
    return r.sports.map((p) => `<source-port port="${rangeText(p, "-")}" protocol="${r.transport}"/>`);
  return [`<protocol value="${r.transport}"/>`];
}

/** The rich rules of one plan rule: one per family, source, destination and element. */
function richRules(target: string, r: PlanRule): string[] | Diagnostic {
  const els = elements(target, r);
  if (!Array.isArray(els)) return els;
  const out: string[] = [];
  for (const fam of families(r)) {
    const key = fam === 4 ? "v4" : "v6";
    const side = (list: string[], tag: string): string[] =>
      isAny(list) ? [""] : list.map((a) => `<${tag} address="${a}"/>`);
    for (const src of side(r.src[key], "source"))
      for (const dst of side(r.dst[key], "destination"))
        for (const el of els) out.push(`<rule family="ipv${fam}">${src}${dst}${el}<accept/></rule>`);
  }
  return out;
}

/**
 * The ICMPv6 IPv6 cannot work without (RFC 4890 §4.4), as the nftables target keeps open: neighbour
 * discovery and router discovery, both ways. firewalld accepts none of it on its own once a zone's
 * target drops or a policy from HOST does; ICMP errors of allowed connections are `related`, which
 * firewalld accepts before any zone or policy.
 */
const ND_TYPES = [
  "neighbour-solicitation",
  "neighbour-advertisement",
  "router-solicitation",
  "router-advertisement",
];

function essentials(): string[] {
  return [
    "  <!-- IPv6 neighbour and router discovery (RFC 4890) -->",
    ...ND_TYPES.map((t) => `  <rule family="ipv6"><icmp-type name="${t}"/><accept/></rule>`),
  ];
}

/** firewalld's rate units are one letter (`5/m`); compile.log.rate says them in words. */
function rateOf(rate: string): string {
  const [n, unit] = rate.split("/");
  return `${n}/${unit![0]}`;
}

/** The rule that logs what falls to the target: no element (every packet), last (priority 32767). */
function logRule(plan: Plan): string[] {
  const log = plan.options.log;
  if (!log) return [];
  return [
    "  <!-- compile.log: what falls to the target, rate-limited -->",
    `  <rule priority="32767"><log prefix="${xml(log.prefix)}" level="warning"><limit value="${rateOf(log.rate)}"/></log></rule>`,
  ];
}

function body(target: string, rules: readonly PlanRule[], diagnostics: Diagnostic[]): string[] {
  const out: string[] = [];
  for (const r of rules) {
    const rich = richRules(target, r);
    if (!Array.isArray(rich)) {
      if (!diagnostics.some((d) => d.message === rich.message)) diagnostics.push(rich);
      continue;
    }
    out.push(`  <!-- ${xmlComment(r.comment)} -->`, ...rich.map((x) => `  ${x}`));
  }
  return out;
}

/**
 * One zone and one policy: every interface (the zone bound to every source, the policy to ANY),
 * or one interface of a host that names its interfaces (the zone bound to it, the policy's egress
 * that zone), with the rules whose packets use it.
 */
interface Unit {
  zone: string;
  policy: string;
  iface?: string;
}

function units(plan: Plan, name: string): Unit[] {
  const fw = plan.firewall;
  if (fw.kind !== "host" || !fw.interfaces) return [{ zone: name, policy: `${name}_out` }];
  return fw.interfaces.map((i, k) => ({
    zone: `${name}-in${k + 1}`,
    policy: `${name}-out${k + 1}`,
    iface: i.name,
  }));
}

/** The refusal of a zone or policy name over firewalld's 17 characters, or undefined. */
function tooLong(name: string, names: readonly string[]): TargetResult | undefined {
  const long = names.find((n) => n.length > MAX_NAME);
  if (long === undefined) return undefined;
  return refuse(
    `target firewalld cannot name a zone or policy "${long}": firewalld keeps at most ${MAX_NAME} characters of a name`,
    `compile.name of at most ${name.length - (long.length - MAX_NAME)} characters`,
  );
}

function refuse(message: string, expected: string): TargetResult {
  return { ok: false, diagnostics: [diag("compile-unsupported", "error", message, { expected })] };
}

/**
 * A router running firewalld between a perimeter's zones: a firewalld zone per topology zone,
 * bound to its interface, whose target (DROP; `%%REJECT%%` where compile.reject says so) ends what
 * arrives there — forwarded or for the router itself —, the management rules and IPv6's neighbour
 * discovery in each; one policy per pair of zones a flow crosses (ingress zone → egress zone,
 * target CONTINUE: what it does not accept meets the ingress zone's target), each flow a rich rule.
 * The router's own output stays open (firewalld filters nothing the host sends without a policy
 * from HOST), as the other targets leave a perimeter's.
 */
function perimeter(plan: Plan, name: string): TargetResult {
  const zones = plan.zones.map((z, k) => ({ ...z, zone: `${name}-z${k + 1}` }));
  const pairs: Array<{ from: (typeof zones)[number]; to: (typeof zones)[number]; rules: PlanRule[] }> = [];
  for (const r of plan.rules.filter((x) => x.direction === "forward")) {
    const from = zones.find((z) => z.interface === r.fromZone?.interface)!;
    const to = zones.find((z) => z.interface === r.toZone?.interface)!;
    let pair = pairs.find((p) => p.from === from && p.to === to);
    if (!pair) pairs.push((pair = { from, to, rules: [] }));
    pair.rules.push(r);
  }
  const policyName = (p: (typeof pairs)[number]) =>
    `${name}-p${zones.indexOf(p.from) + 1}-${zones.indexOf(p.to) + 1}`;
  const long = tooLong(name, [...zones.map((z) => z.zone), ...pairs.map(policyName)]);
  if (long) return long;
  const diagnostics: Diagnostic[] = [];
  const head = header(plan, "", "firewalld", xmlComment).map((l) => `<!--${l} -->`);
  const o = plan.options;
  const management = body(
    "firewalld",
    plan.rules.filter((r) => r.direction === "in"),
    diagnostics,
  );
  const files: CompiledFile[] = [];
  for (const z of zones) {
    const reject = o.reject.forward || o.reject.zones.some((x) => x.interface === z.interface);
    files.push({
      suffix: `/zones/${z.zone}.xml`,
      text:
        [
          '<?xml version="1.0" encoding="utf-8"?>',
          ...head,
          "<!-- Install: the zones/ and policies/ files into /etc/firewalld/, check them with firewall-cmd's -->",
          "<!-- check-config option, then reload firewalld. -->",
          `<!-- Zone ${xmlComment(z.name)} (${z.interface}): what arrives here and no policy or rule accepts is ${reject ? "rejected" : "dropped"}, -->`,
          "<!-- forwarded or for the router itself. -->",
          `<zone target="${reject ? "%%REJECT%%" : "DROP"}">`,
          `  <short>${xml(z.zone)}</short>`,
          `  <description>${xml(`${plan.profileId}: zone ${z.name} (${z.interface}) of the perimeter (portmatrix compile)`)}</description>`,
          `  <interface name="${xml(z.interface)}"/>`,
          ...essentials(),
          ...management,
          ...logRule(plan),
          "</zone>",
        ].join("\n") + "\n",
    });
  }
  for (const p of pairs) {
    const rules = body("firewalld", p.rules, diagnostics);
    files.push({
      suffix: `/policies/${policyName(p)}.xml`,
      text:
        [
          '<?xml version="1.0" encoding="utf-8"?>',
          ...head,
          `<!-- What may be forwarded from ${xmlComment(p.from.name)} (${p.from.interface}) to ${xmlComment(p.to.name)} (${p.to.interface}); the rest meets zone ${p.from.zone}'s target. -->`,
          '<policy target="CONTINUE">',
          `  <short>${xml(policyName(p))}</short>`,
          `  <description>${xml(`${plan.profileId}: from ${p.from.name} to ${p.to.name} (portmatrix compile)`)}</description>`,
          `  <ingress-zone name="${xml(p.from.zone)}"/>`,
          `  <egress-zone name="${xml(p.to.zone)}"/>`,
          ...rules,
          "</policy>",
        ].join("\n") + "\n",
    });
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  const warnings = [
    ...optionWarnings("firewalld", plan, {
      counters: "firewalld keeps no per-rule counters",
      priority:
        "firewalld orders its chains itself (a zone's ingress-priority or a policy's priority, not a hook priority)",
    }),
    `target firewalld binds a zone to each of ${zones.map((z) => z.interface).join(", ")}: packets on any other interface go to firewalld's default zone, which should then be drop (firewall-cmd --set-default-zone=drop); the kernel must forward (net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=1)`,
  ];
  return { ok: true, files, warnings };
}

function compile(plan: Plan): TargetResult {
  const refused = refuseInterfaces("firewalld", plan, plainInterface());
  if (refused.length > 0) return { ok: false, diagnostics: refused };
  if (plan.firewall.kind === "perimeter") return perimeter(plan, plan.options.name ?? "portmatrix");
  const name = plan.options.name ?? "portmatrix";
  const all = units(plan, name);
  const long = tooLong(
    name,
    all.flatMap((u) => [u.zone, u.policy]),
  );
  if (long) return long;
  const diagnostics: Diagnostic[] = [];
  const head = header(plan, "", "firewalld", xmlComment).map((l) => `<!--${l} -->`);
  const o = plan.options;
  const host = plan.firewall.kind === "host" ? plan.firewall.host : "the host";
  const uses = (u: Unit) => (r: PlanRule) =>
    u.iface === undefined || r.interfaces === undefined || r.interfaces.includes(u.iface);
  const files: CompiledFile[] = [];
  for (const u of all) {
    const inbound = body(
      "firewalld",
      plan.rules.filter((r) => r.direction === "in" && uses(u)(r)),
      diagnostics,
    );
    const outbound = body(
      "firewalld",
      plan.rules.filter((r) => r.direction === "out" && uses(u)(r)),
      diagnostics,
    );
    const on = u.iface === undefined ? "" : ` on ${u.iface}`;
    files.push({
      suffix: `/zones/${u.zone}.xml`,
      text:
        [
          '<?xml version="1.0" encoding="utf-8"?>',
          ...head,
          // An XML comment cannot hold `--`: the commands (firewall-cmd's reload) are in the README.
          "<!-- Install: the zones/ and policies/ files into /etc/firewalld/, check them with firewall-cmd's -->",
          "<!-- check-config option, then reload firewalld. -->",
          u.iface === undefined
            ? "<!-- The zone binds every source, so it decides before any interface's zone: default deny inbound. -->"
            : `<!-- What may reach ${xmlComment(host)} through ${u.iface}: every other packet arriving there is dropped. -->`,
          `<zone target="${o.reject.in ? "%%REJECT%%" : "DROP"}">`,
          `  <short>${xml(u.zone)}</short>`,
          `  <description>${xml(`${plan.profileId}: ${plan.profileTitle}${on} (portmatrix compile)`)}</description>`,
          ...(u.iface === undefined
            ? ['  <source address="0.0.0.0/0"/>', '  <source address="::/0"/>']
            : [`  <interface name="${xml(u.iface)}"/>`]),
          ...essentials(),
          ...inbound,
          ...logRule(plan),
          "</zone>",
        ].join("\n") + "\n",
    });
    files.push({
      suffix: `/policies/${u.policy}.xml`,
      text:
        [
          '<?xml version="1.0" encoding="utf-8"?>',
          ...head,
          `<!-- What the host may open${on}: every packet it sends there that no rule accepts is dropped. -->`,
          "<!-- Outbound is default-deny: every connection the host needs beyond the matrix (DNS, updates,",
          "     directory, monitoring) needs its own rule here before it is loaded, or the host loses it. -->",
          `<policy target="${o.reject.out ? "REJECT" : "DROP"}">`,
          `  <short>${xml(u.policy)}</short>`,
          `  <description>${xml(`${plan.profileId}: what ${host} may open${on} (portmatrix compile)`)}</description>`,
          '  <ingress-zone name="HOST"/>',
          `  <egress-zone name="${u.iface === undefined ? "ANY" : u.zone}"/>`,
          ...essentials(),
          ...outbound,
          ...logRule(plan),
          "</policy>",
        ].join("\n") + "\n",
    });
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  const fw = plan.firewall;
  const warnings = [
    ...optionWarnings("firewalld", plan, {
      counters: "firewalld keeps no per-rule counters",
      priority:
        "firewalld orders its chains itself (a zone's ingress-priority or a policy's priority, not a hook priority)",
    }),
    ...(fw.kind === "host" && fw.interfaces
      ? [
          `target firewalld binds a zone to each of ${fw.interfaces.map((i) => i.name).join(", ")}: packets on any other interface go to firewalld's default zone, which should then be drop (firewall-cmd --set-default-zone=drop)`,
        ]
      : []),
  ];
  return { ok: true, files, warnings };
}

export const firewalld: Target = {
  id: "firewalld",
  description:
    "firewalld zones and policies (XML, /etc/firewalld's layout) for the host's own firewalld (RHEL, Fedora, SUSE)",
  extension: "xml",
  layout: "directory",
  compile,
};
