/**
 * nftables: one `table inet portmatrix`, loaded with `nft -f`. The file first creates and deletes
 * the table, so loading it again replaces exactly what it loaded before and nothing else (other
 * tables keep running: netfilter evaluates every table's base chains; ours drops what it does not
 * allow, and a packet must pass all tables). Named sets hold each endpoint's addresses per family;
 * port ranges are intervals (`50000-59999`), never one rule per port. Stateful: one
 * `ct state established,related accept` per chain carries every reply. nft(8): SETS, CHAINS.
 */
import type { Plan, PlanRule } from "../plan.js";
import { families, header, isAny, natComment, optionWarnings, rangeText } from "../plan.js";
import type { Target, TargetResult } from "../target.js";
import { commentText, nftString, refuseInterfaces, type InterfaceGrammar } from "../text.js";
import { byCodeUnits } from "../../diag/order.js";

/**
 * nft names interfaces in quoted strings: a `"` cannot be written in one, a trailing `*` is a
 * wildcard (nft(8): "iifname "eth*"") and a backslash escapes it; anything else the kernel allows
 * is carried as written.
 */
const NFT_INTERFACE: InterfaceGrammar = {
  valid: (n) => !/["\\*]/.test(n),
  expected: 'an interface name without `"`, `\\` or `*` (nftables reads `*` as a wildcard)',
};

type Fam = 4 | 6;

interface Sets {
  /** set name → [type, elements] */
  defs: Map<string, { fam: Fam; elements: string[] }>;
  /** compile.counters: a `counter` on every accepting rule. */
  counter?: boolean;
}

const setName = (endpoint: string, fam: Fam) => `${endpoint.replace(/[^A-Za-z0-9_]/g, "_")}_v${fam}`;

function addrMatch(
  sets: Sets,
  side: "saddr" | "daddr",
  list: string[],
  fam: Fam,
  endpoint: string | undefined,
): string | undefined {
  if (list.length === 0 || isAny(list)) return undefined;
  const kw = fam === 4 ? "ip" : "ip6";
  if (list.length === 1) return `${kw} ${side} ${list[0]}`;
  const name = setName(endpoint ?? side, fam);
  sets.defs.set(name, { fam, elements: list });
  return `${kw} ${side} @${name}`;
}

function ports(kw: "sport" | "dport", transport: string, list: PlanRule["dports"]): string | undefined {
  if (list.length === 0) return undefined;
  const items = list.map((r) => rangeText(r, "-"));
  return `${transport} ${kw} ${items.length === 1 ? items[0] : `{ ${items.join(", ")} }`}`;
}

/** One rule text per family the plan rule needs (one for both when no address narrows it). */
function ruleLines(sets: Sets, r: PlanRule): string[] {
  const fams = families(r);
  const perFam = fams.map((fam) => {
    const parts: string[] = [];
    if (r.fromZone) parts.push(`iifname "${r.fromZone.interface}"`);
    if (r.toZone) parts.push(`oifname "${r.toZone.interface}"`);
    if (r.interfaces) {
      const names = r.interfaces.map((n) => `"${n}"`);
      parts.push(
        `${r.direction === "out" ? "oifname" : "iifname"} ${names.length === 1 ? names[0] : `{ ${names.join(", ")} }`}`,
      );
    }
    const src = addrMatch(
      sets,
      "saddr",
      fam === 4 ? r.src.v4 : r.src.v6,
      fam,
      r.fromEndpoint ?? (r.flowId === "management" ? "management" : undefined),
    );
    const dst = addrMatch(sets, "daddr", fam === 4 ? r.dst.v4 : r.dst.v6, fam, r.toEndpoint);
    return { fam, parts, src, dst };
  });
  // Both families, no address narrowing: one inet rule serves both.
  const unnarrowed = perFam.every((p) => !p.src && !p.dst);
  const variants = unnarrowed && fams.length === 2 ? [{ ...perFam[0]!, fam: undefined }] : perFam;
  return variants.map((v) => {
    const parts = [...v.parts];
    if (!v.src && !v.dst && v.fam !== undefined) parts.push(`meta nfproto ${v.fam === 4 ? "ipv4" : "ipv6"}`);
    if (v.src) parts.push(v.src);
    if (v.dst) parts.push(v.dst);
    if (r.transport !== "any") {
      const sp = ports("sport", r.transport, r.sports);
      const dp = ports("dport", r.transport, r.dports);
      if (!sp && !dp) parts.push(`meta l4proto ${r.transport}`);
      if (sp) parts.push(sp);
      if (dp) parts.push(dp);
    }
    // nft keeps at most 128 bytes of comment: the row id there, the whole row on the line above.
    parts.push(`${sets.counter ? "counter " : ""}accept comment ${nftString(shortComment(r))}`);
    return parts.join(" ");
  });
}

function shortComment(r: PlanRule): string {
  const id = r.comment.split(":")[0]!;
  return r.retired ? `${id} (retired)` : id;
}

function ruleBlock(sets: Sets, r: PlanRule): string[] {
  return [`# ${commentText(r.comment)}`, ...ruleLines(sets, r)];
}

/**
 * What a careful admin keeps open besides the matrix: loopback (host), invalid dropped, and the
 * ICMPv6 that IPv6 cannot work without (RFC 4890 §4.4: neighbour discovery, router advertisement,
 * packet too big arrives as `related`). ICMP errors of allowed connections are `related`. The
 * stack itself discards ND packets whose hop limit is not 255 (RFC 4861 §7.1.1), so no hop-limit
 * match is needed.
 */
function essentials(hook: "input" | "output" | "forward", host: boolean): string[] {
  const out: string[] = [];
  if (host) out.push(`${hook === "output" ? "oifname" : "iifname"} "lo" accept`);
  out.push("ct state established,related accept", "ct state invalid drop");
  if (hook !== "forward")
    out.push(
      'icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } accept comment "IPv6 neighbour discovery (RFC 4890)"',
    );
  return out;
}

/**
 * The operator's end of a default-drop chain (topology `compile:`): a rate-limited log of what is
 * about to be dropped (`limit` before `log`, so only the limited packets are logged), then reject
 * instead of drop where asked (per direction, or per zone a packet enters from), and with counters
 * a verdict-less counter of what falls to the policy. nft(8): LOG, LIMIT, REJECT, COUNTER.
 */
function chainTail(plan: Plan, hook: "input" | "output" | "forward"): string[] {
  const o = plan.options;
  const c = o.counters ? "counter " : "";
  const out: string[] = [];
  if (o.log) out.push(`limit rate ${o.log.rate} log prefix ${nftString(o.log.prefix)}`);
  if (hook === "forward") for (const z of o.reject.zones) out.push(`iifname "${z.interface}" ${c}reject`);
  const rejectAll = hook === "input" ? o.reject.in : hook === "output" ? o.reject.out : o.reject.forward;
  if (rejectAll) out.push(`${c}reject`);
  // Counted as they fall to the policy (a verdict here would only repeat the policy).
  else if (o.counters) out.push('counter comment "dropped by the policy"');
  return out;
}

function compile(plan: Plan): TargetResult {
  const refused = refuseInterfaces("nftables", plan, NFT_INTERFACE);
  if (refused.length > 0) return { ok: false, diagnostics: refused };
  const sets: Sets = { defs: new Map(), counter: plan.options.counters };
  const host = plan.firewall.kind === "host";
  const chains: Array<{ name: string; hook: string; policy: string; note?: string; lines: string[] }> = [];
  const of = (dir: PlanRule["direction"]) =>
    plan.rules.filter((r) => r.direction === dir).flatMap((r) => ruleBlock(sets, r));
  if (host) {
    chains.push({
      name: "input",
      hook: "input",
      policy: "drop",
      lines: [...essentials("input", true), ...of("in"), ...chainTail(plan, "input")],
    });
    chains.push({
      name: "output",
      hook: "output",
      policy: "drop",
      lines: [...essentials("output", true), ...of("out"), ...chainTail(plan, "output")],
    });
  } else {
    chains.push({
      name: "input",
      hook: "input",
      policy: "drop",
      note: "the firewall itself: management only",
      lines: [...essentials("input", true), ...of("in"), ...chainTail(plan, "input")],
    });
    chains.push({
      name: "forward",
      hook: "forward",
      policy: "drop",
      lines: [...essentials("forward", false), ...of("forward"), ...chainTail(plan, "forward")],
    });
  }
  const table = plan.options.name ?? "portmatrix";
  const priority = plan.options.priority ?? "filter";
  const out = [
    "#!/usr/sbin/nft -f",
    ...header(plan, "#", "nftables"),
    "",
    "# Replace only our own table: create it (if absent), delete it, define it anew.",
    `table inet ${table}`,
    `delete table inet ${table}`,
    "",
    `table inet ${table} {`,
  ];
  for (const [name, s] of [...sets.defs].sort((a, b) => byCodeUnits(a[0], b[0]))) {
    out.push(
      `\tset ${name} {`,
      `\t\ttype ${s.fam === 4 ? "ipv4_addr" : "ipv6_addr"}`,
      "\t\tflags interval",
      `\t\telements = { ${s.elements.join(", ")} }`,
      "\t}",
      "",
    );
  }
  chains.forEach((c, i) => {
    if (c.note) out.push(`\t# ${c.note}`);
    out.push(
      `\tchain ${c.name} {`,
      `\t\ttype filter hook ${c.hook} priority ${priority}; policy ${c.policy};`,
      ...c.lines.map((l) => `\t\t${l}`),
      "\t}",
    );
    if (i < chains.length - 1) out.push("");
  });
  out.push(...natChains(plan), "}");
  return {
    ok: true,
    files: [{ suffix: "", text: out.join("\n") + "\n" }],
    warnings: optionWarnings("nftables", plan, {}),
  };
}

/**
 * Static 1:1 NAT (topology `nat:`): packets to the public address that arrive from outside the
 * endpoint's zone are DNAT-ed to its private address at prerouting (priority dstnat), so the
 * forward chain above sees, and matches, the private one; the endpoint's packets leaving its zone
 * are SNAT-ed to the public address at postrouting (srcnat). Conntrack reverses both for replies.
 * nft(8): NAT STATEMENTS (`dnat ip to` in an inet table).
 */
function natChains(plan: Plan): string[] {
  if (plan.nat.length === 0) return [];
  const kw = (fam: Fam) => (fam === 4 ? "ip" : "ip6");
  const comment = (n: Plan["nat"][number]) => `comment ${nftString(natComment(n))}`;
  const chain = (hook: "prerouting" | "postrouting", line: (n: Plan["nat"][number]) => string) => [
    "",
    `\tchain ${hook} {`,
    `\t\ttype nat hook ${hook} priority ${hook === "prerouting" ? "dstnat" : "srcnat"}; policy accept;`,
    ...plan.nat.map((n) => `\t\t${line(n)} ${comment(n)}`),
    "\t}",
  ];
  return [
    "",
    "\t# static NAT (topology nat:): one public address per private one, both ways",
    ...chain(
      "prerouting",
      (n) =>
        `iifname != "${n.zone.interface}" ${kw(n.family)} daddr ${n.public} dnat ${kw(n.family)} to ${n.private}`,
    ).slice(1),
    ...chain(
      "postrouting",
      (n) =>
        `oifname != "${n.zone.interface}" ${kw(n.family)} saddr ${n.private} snat ${kw(n.family)} to ${n.public}`,
    ),
  ];
}

export const nftables: Target = {
  nat: true,
  id: "nftables",
  description: "nftables: one `table inet portmatrix` for `nft -f`",
  extension: "nft",
  compile,
};
