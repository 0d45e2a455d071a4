/**
 * Juniper SRX (Junos) `set` commands, for `load set terminal` or pasting in configuration mode:
 * the topology's zones as security zones on their interfaces, one global address-book entry per
 * endpoint (an address-set when it has several prefixes, IPv4 and IPv6 together), one
 * application per flow (a term per protocol × port range pair), and one security policy per
 * flow `from-zone <source zone> to-zone <destination zone>` with the profile row in its
 * description; `default-policy deny-all` is written explicitly. The SRX is stateful: replies of
 * permitted sessions pass. Junos OS Security Policies User Guide; Junos CLI User Guide (set).
 *
 * Static NAT (topology `nat:`): one `security nat static` rule-set `from zone` every zone but the
 * private address's, one rule per pair (`match destination-address PUBLIC` → `then static-nat
 * prefix PRIVATE`). Static NAT is bidirectional on the SRX: the reverse mapping translates the
 * private source of traffic leaving by an interface of the rule-set's `from` context, and takes
 * precedence over source NAT (Junos OS NAT User Guide, "Understanding Static NAT", "Static NAT
 * rules"). Static NAT acts before the policy lookup, so the policies match the translated (private)
 * destination — the plan's addresses as they are. Proxy ARP/NDP for the public addresses depends on
 * which subnet they are routed in: a comment names the commands, nothing is guessed.
 */
import { diag } from "../../diag/diagnostic.js";
import type { Plan, PlanRule } from "../plan.js";
import { families, header, natComment, rangeText, wrongKind } from "../plan.js";
import type { Target, TargetResult } from "../target.js";
import { commentText, junosName, junosString, refuseInterfaces } from "../text.js";

/** Junos interface names: `ge-0/0/0.0`, `reth0.100`, `irb.10`, `eth0`. */
const JUNOS_INTERFACE = {
  valid: (n: string) => /^[A-Za-z0-9][A-Za-z0-9_./:-]*$/.test(n),
  expected: 'a Junos interface name (letters, digits, "_", ".", "/", ":" and "-", e.g. ge-0/0/0.0)',
};

function compile(plan: Plan): TargetResult {
  const wrong = wrongKind("junos", plan, "perimeter", "configures an SRX between security zones");
  if (wrong) return wrong;
  const refused = refuseInterfaces("junos", plan, JUNOS_INTERFACE);
  const badZones = plan.zones
    .filter((z) => junosName(z.name) !== z.name || z.name === "junos-host")
    .map((z) =>
      diag(
        "compile-unsupported",
        "error",
        `target junos cannot name zone ${JSON.stringify(z.name)} as written`,
        {
          expected: 'a zone name of at most 63 letters, digits, ".", "_" and "-" (not junos-host)',
        },
      ),
    );
  if (refused.length + badZones.length > 0) return { ok: false, diagnostics: [...refused, ...badZones] };

  const used = new Set<string>();
  const unique = (base: string): string => {
    const name = junosName(base);
    let out = name;
    for (let i = 2; used.has(out); i++) out = `${name.slice(0, 63 - String(i).length - 1)}-${i}`;
    used.add(out);
    return out;
  };
  const book: string[] = [];
  const named = new Map<string, string>();
  /** The address-book name for a list of prefixes (one entry, or a set of entries). */
  const addressName = (cidrs: string[], endpoint: string | undefined): string => {
    const key = cidrs.join(" ");
    if (key === "0.0.0.0/0 ::/0") return "any";
    if (key === "0.0.0.0/0") return "any-ipv4";
    if (key === "::/0") return "any-ipv6";
    const known = named.get(key);
    if (known) return known;
    const base = `pm-${endpoint ?? "addresses"}`;
    if (cidrs.length === 1) {
      const name = unique(base);
      book.push(`set security address-book global address ${name} ${cidrs[0]}`);
      named.set(key, name);
      return name;
    }
    const set = unique(base);
    cidrs.forEach((c, i) => {
      const entry = unique(`${set}-${i + 1}`);
      book.push(
        `set security address-book global address ${entry} ${c}`,
        `set security address-book global address-set ${set} address ${entry}`,
      );
    });
    named.set(key, set);
    return set;
  };
  const apps: string[] = [];
  const policies: string[] = [];
  for (const r of plan.rules) {
    if (r.direction !== "forward") continue;
    const fams = families(r);
    if (fams.length === 0) continue;
    const pick = (a: PlanRule["src"]) => fams.flatMap((f) => (f === 4 ? a.v4 : a.v6));
    const src = addressName(pick(r.src), r.fromEndpoint);
    const dst = addressName(pick(r.dst), r.toEndpoint);
    const app = unique(`pm-${r.flowId}`);
    const protos = r.transport === "any" ? ["tcp", "udp"] : [r.transport];
    const dports = r.dports.length > 0 ? r.dports.map((p) => rangeText(p, "-")) : ["0-65535"];
    const sports = r.sports.length > 0 ? r.sports.map((p) => rangeText(p, "-")) : [undefined];
    const terms = protos.flatMap((proto) =>
      dports.flatMap((dp) =>
        sports.map((sp) => `protocol ${proto}${sp ? ` source-port ${sp}` : ""} destination-port ${dp}`),
      ),
    );
    apps.push(`set applications application ${app} description ${junosString(r.comment)}`);
    if (terms.length === 1) apps.push(`set applications application ${app} ${terms[0]}`);
    else terms.forEach((t, i) => apps.push(`set applications application ${app} term t${i + 1} ${t}`));
    const at = `set security policies from-zone ${r.fromZone!.name} to-zone ${r.toZone!.name} policy ${app}`;
    policies.push(
      `${at} description ${junosString(r.comment)}`,
      `${at} match source-address ${src}`,
      `${at} match destination-address ${dst}`,
      `${at} match application ${app}`,
      `${at} then permit`,
    );
  }
  const out = [
    ...header(plan, "#", "junos", commentText),
    "# Load with: load set terminal (or paste in configuration mode), then commit check.",
    ...plan.zones.map((z) => `set security zones security-zone ${z.name} interfaces ${z.interface}`),
    ...book,
    ...apps,
    ...policies,
    "set security policies default-policy deny-all",
    ...staticNat(plan, unique),
  ];
  const warnings =
    plan.management.v4.length + plan.management.v6.length > 0
      ? [
          "junos: management access to the SRX itself (host-inbound-traffic, a lo0 filter) is not generated; configure it separately",
        ]
      : [];
  return { ok: true, files: [{ suffix: "", text: out.join("\n") + "\n" }], warnings };
}

/**
 * One static NAT rule-set per private zone, from every other zone; one rule per pair. The rule-set
 * and rule names share the target's namespace of names.
 */
function staticNat(plan: Plan, unique: (base: string) => string): string[] {
  const out: string[] = [];
  for (const z of plan.zones) {
    const pairs = plan.nat.filter((n) => n.zone.name === z.name);
    if (pairs.length === 0) continue;
    const others = plan.zones.filter((o) => o.name !== z.name);
    const set = unique(`pm-nat-${z.name}`);
    const at = `set security nat static rule-set ${set}`;
    out.push(`${at} description ${junosString(`portmatrix: static NAT of zone ${z.name}`)}`);
    for (const o of others) out.push(`${at} from zone ${o.name}`);
    for (const n of pairs) {
      const rule = unique(`pm-nat-${n.endpoints[0]!}-v${n.family}`);
      const len = n.family === 4 ? 32 : 128;
      out.push(
        `${at} rule ${rule} description ${junosString(natComment(n))}`,
        `${at} rule ${rule} match destination-address ${n.public}/${len}`,
        `${at} rule ${rule} then static-nat prefix ${n.private}/${len}`,
      );
    }
    const iface = others.length === 1 ? others[0]!.interface : "IFACE";
    const proxy = pairs.map((n) =>
      n.family === 4
        ? `set security nat proxy-arp interface ${iface} address ${n.public}/32`
        : `set security nat proxy-ndp interface ${iface} address ${n.public}/128`,
    );
    out.push(
      `# Proxy ARP/NDP: if a public address of zone ${z.name} is in the subnet of an interface of ${others.map((o) => `${o.name} (${o.interface})`).join(", ")},`,
      `# the SRX must answer ARP/NDP for it on that interface${iface === "IFACE" ? " (IFACE below)" : ""}; routed to the SRX, it needs none:`,
      ...proxy.map((l) => `#   ${l}`),
    );
  }
  return out;
}

export const junos: Target = {
  id: "junos",
  description: "Juniper SRX (Junos) set commands: zones, address book, applications, security policies",
  extension: "junos.set",
  nat: true,
  compile,
};
