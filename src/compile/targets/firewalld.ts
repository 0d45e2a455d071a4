/**
 * firewalld (RHEL, Fedora, SUSE): the host's own firewall as firewalld's permanent configuration —
 * a zone (the main file, `zones/<name>.xml`) for what may reach the host and a policy from HOST to
 * ANY (`FILE.policy.xml`, `policies/<name>_out.xml`) for what the host may open, each flow a rich
 * rule. firewalld 1.3's model (firewalld.zone(5), firewalld.policy(5), firewalld.richlanguage(5)):
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
 * Names reach file names and chain names: firewalld keeps at most 17 characters of a zone's or a
 * policy's name (functions.py, max_zone_name_len), so compile.name is checked against that.
 */
import { diag, type Diagnostic } from "../../diag/diagnostic.js";
import { oneLine } from "../../diag/safe-text.js";
import type { Plan, PlanRule } from "../plan.js";
import {
  families,
  header,
  interfaceWarnings,
  isAny,
  optionWarnings,
  rangeText,
  unsupported,
  wrongKind,
} from "../plan.js";
import type { Target, TargetResult } from "../target.js";

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

function body(target: string, plan: Plan, dir: "in" | "out", diagnostics: Diagnostic[]): string[] {
  const out: string[] = [];
  for (const r of plan.rules.filter((x) => x.direction === dir)) {
    const rules = richRules(target, r);
    if (!Array.isArray(rules)) {
      diagnostics.push(rules);
      continue;
    }
    out.push(`  <!-- ${xmlComment(r.comment)} -->`, ...rules.map((x) => `  ${x}`));
  }
  return out;
}

function compile(plan: Plan): TargetResult {
  const wrong = wrongKind("firewalld", plan, "host", "configures the host's own firewalld");
  if (wrong) return wrong;
  const zone = plan.options.name ?? "portmatrix";
  const policy = `${zone}_out`;
  if (policy.length > MAX_NAME)
    return {
      ok: false,
      diagnostics: [
        diag(
          "compile-unsupported",
          "error",
          `target firewalld cannot name its zone and policy "${zone}" and "${policy}": firewalld keeps at most ${MAX_NAME} characters of a name`,
          { expected: `compile.name of at most ${MAX_NAME - 4} characters` },
        ),
      ],
    };
  const diagnostics: Diagnostic[] = [];
  const inbound = body("firewalld", plan, "in", diagnostics);
  const outbound = body("firewalld", plan, "out", diagnostics);
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  const head = header(plan, "", "firewalld", xmlComment).map((l) => `<!--${l} -->`);
  const o = plan.options;
  const zoneText = [
    '<?xml version="1.0" encoding="utf-8"?>',
    ...head,
    // An XML comment cannot hold `--`: the commands (firewall-cmd's new-zone-from-file, reload) are in the README.
    `<!-- Install: this file as /etc/firewalld/zones/${zone}.xml, FILE.policy.xml as /etc/firewalld/policies/${policy}.xml; -->`,
    "<!-- then check them with firewall-cmd's check-config option and reload firewalld. -->",
    "<!-- The zone binds every source, so it decides before any interface's zone: default deny inbound. -->",
    `<zone target="${o.reject.in ? "%%REJECT%%" : "DROP"}">`,
    `  <short>${xml(zone)}</short>`,
    `  <description>${xml(`${plan.profileId}: ${plan.profileTitle} (portmatrix compile)`)}</description>`,
    '  <source address="0.0.0.0/0"/>',
    '  <source address="::/0"/>',
    ...essentials(),
    ...inbound,
    ...logRule(plan),
    "</zone>",
  ];
  const policyText = [
    '<?xml version="1.0" encoding="utf-8"?>',
    ...head,
    "<!-- What the host may open: every packet it sends (HOST to ANY) that no rule accepts is dropped. -->",
    "<!-- Outbound is default-deny: every connection the host needs beyond the matrix (DNS, updates,",
    "     directory, monitoring) needs its own rule here before it is loaded, or the host loses it. -->",
    `<policy target="${o.reject.out ? "REJECT" : "DROP"}">`,
    `  <short>${xml(policy)}</short>`,
    `  <description>${xml(`${plan.profileId}: what ${plan.firewall.kind === "host" ? plan.firewall.host : "the host"} may open (portmatrix compile)`)}</description>`,
    '  <ingress-zone name="HOST"/>',
    '  <egress-zone name="ANY"/>',
    ...essentials(),
    ...outbound,
    ...logRule(plan),
    "</policy>",
  ];
  const warnings = [
    ...optionWarnings("firewalld", plan, {
      counters: "firewalld keeps no per-rule counters",
      priority:
        "firewalld orders its chains itself (a zone's ingress-priority or a policy's priority, not a hook priority)",
    }),
    ...interfaceWarnings("firewalld", plan),
  ];
  return {
    ok: true,
    files: [
      { suffix: "", text: zoneText.join("\n") + "\n" },
      { suffix: ".policy.xml", text: policyText.join("\n") + "\n" },
    ],
    warnings,
  };
}

export const firewalld: Target = {
  id: "firewalld",
  description: "firewalld zone and policy (XML) for the host's own firewalld (RHEL, Fedora, SUSE)",
  extension: "xml",
  compile,
};
