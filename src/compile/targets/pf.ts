/**
 * pf (OpenBSD/FreeBSD pf.conf, loaded with `pfctl -f`). `block all` first, then `pass … quick …
 * keep state` rules: with `quick` the first matching pass decides (no last-match surprises), and
 * `keep state` lets replies through (pf is stateful). Tables hold each endpoint's addresses; port
 * ranges are `50000:59999` (inclusive). Perimeter: a forwarded connection is filtered on the
 * interface it enters and on the one it leaves, so each flow gets a `pass in on` and a `pass out
 * on` rule (pf.conf(5): PACKET FILTERING, TABLES).
 */
import type { Plan, PlanRule } from "../plan.js";
import { families, header, isAny, natComment, optionWarnings, rangeText } from "../plan.js";
import type { Target, TargetResult } from "../target.js";
import { diag } from "../../diag/diagnostic.js";
import { commentText, plainInterface, refuseInterfaces } from "../text.js";
import { byCodeUnits } from "../../diag/order.js";

const tableName = (prefix: string, id: string) => `${prefix}_${id.replace(/[^A-Za-z0-9_]/g, "_")}`;

function ports(list: PlanRule["dports"]): string {
  if (list.length === 0) return "";
  const items = list.map((r) => rangeText(r, ":"));
  return ` port ${items.length === 1 ? items[0] : `{ ${items.join(" ")} }`}`;
}

function compile(plan: Plan): TargetResult {
  // pf.conf's lexer ends an unquoted word at its operators (`!`, `{`, `<`, `#` …).
  const refused = refuseInterfaces("pf", plan, plainInterface());
  if (refused.length > 0) return { ok: false, diagnostics: refused };
  const tables = new Map<string, string[]>();
  const addr = (list: string[], endpoint: string | undefined): string => {
    if (list.length === 0 || isAny(list)) return "any";
    if (list.length === 1) return list[0]!;
    const name = tableName(plan.options.name ?? "pm", endpoint ?? "addresses");
    tables.set(name, [...(tables.get(name) ?? []), ...list]);
    return `<${name}>`;
  };
  const rules: string[] = [];
  for (const r of plan.rules) {
    rules.push(`# ${commentText(r.comment)}`);
    for (const fam of families(r)) {
      const af = fam === 4 ? "inet" : "inet6";
      const src = addr(fam === 4 ? r.src.v4 : r.src.v6, r.fromEndpoint ?? r.flowId);
      // Perimeter management reaches the firewall itself: pf's `self` (its own addresses).
      const toSelf = plan.firewall.kind === "perimeter" && r.flowId === "management";
      const dst = toSelf ? "self" : addr(fam === 4 ? r.dst.v4 : r.dst.v6, r.toEndpoint);
      const proto = r.transport === "any" ? "" : ` proto ${r.transport}`;
      const what = (from: string) =>
        `${af}${proto} from ${from}${ports(r.sports)} to ${dst}${ports(r.dports)} keep state label "${r.flowId}"`;
      if (r.direction === "forward") {
        // pf translates before it filters: leaving by another zone's interface, a NATed source is
        // already its public address (pf.conf(5), TRANSLATION).
        const nat = plan.nat.find((n) => n.family === fam && n.endpoints.includes(r.fromEndpoint ?? ""));
        rules.push(
          `pass in quick on ${r.fromZone!.interface} ${what(src)}`,
          `pass out quick on ${r.toZone!.interface} ${what(nat && src.replace(/\/(32|128)$/, "") === nat.private ? nat.public : src)}`,
        );
      } else {
        // pf.conf(5): `on { if1 if2 }` takes a list.
        const nics = r.interfaces ?? [];
        const on = nics.length === 0 ? "" : `on ${nics.length === 1 ? nics[0] : `{ ${nics.join(" ")} }`} `;
        rules.push(`pass ${r.direction} quick ${on}${what(src)}`);
      }
    }
  }
  // pf keeps 31 characters of a table name (PF_TABLE_NAME_SIZE 32 with its NUL).
  const long = [...tables.keys()].filter((n) => n.length > 31);
  if (long.length > 0)
    return {
      ok: false,
      diagnostics: long.map((n) =>
        diag(
          "compile-unsupported",
          "error",
          `target pf cannot name table <${n}>: longer than 31 characters`,
          {
            expected: "endpoint ids of at most 28 characters",
          },
        ),
      ),
    };
  const out = [...header(plan, "#", "pf"), "", "set skip on lo", "set block-policy drop", ""];
  for (const [name, list] of [...tables].sort((a, b) => byCodeUnits(a[0], b[0])))
    out.push(`table <${name}> const { ${[...new Set(list)].join(" ")} }`);
  if (tables.size > 0) out.push("");
  if (plan.nat.length > 0) {
    // binat: 1:1 NAT both ways on each interface outside the endpoint's zone (FreeBSD pf.conf(5);
    // OpenBSD 4.7+ writes it as `match on IF from REAL binat-to PUBLIC`).
    out.push("# Static NAT (topology nat:).");
    for (const n of plan.nat)
      for (const z of plan.zones.filter((x) => x.name !== n.zone.name))
        out.push(
          `binat on ${z.interface} ${n.family === 4 ? "inet" : "inet6"} from ${n.private} to any -> ${n.public} # ${commentText(natComment(n))}`,
        );
    out.push("");
  }
  out.push(
    "# Default deny, both directions; the pass rules below are quick (first match wins).",
    plan.options.log ? "block log all" : "block all",
    ...rejects(plan),
    "# IPv6 cannot work without neighbour discovery (RFC 4890).",
    "pass quick inet6 proto ipv6-icmp icmp6-type { neighbrsol neighbradv routersol routeradv } keep state",
    ...rules,
  );
  const warnings = optionWarnings("pf", plan, {
    counters: "pf counts every rule already (pfctl -v -s rules)",
    priority: "pf has no hook priorities",
  });
  if (plan.options.log)
    warnings.push(
      `target pf logs blocked packets to pflog0 without a rate (compile.log.rate ${plan.options.log.rate} and its prefix are not pf's)`,
    );
  return { ok: true, files: [{ suffix: "", text: out.join("\n") + "\n" }], warnings };
}

/**
 * compile.reject: `block return` (TCP RST / ICMP unreachable) after `block all`; pf's last matching
 * block decides, and the quick passes below still win (pf.conf(5): block-policy, return).
 * Forwarded packets are rejected as they enter.
 */
function rejects(plan: Plan): string[] {
  const r = plan.options.reject;
  const out: string[] = [];
  if (r.in || r.forward) out.push("block return in all");
  if (r.out) out.push("block return out all");
  for (const z of r.zones) out.push(`block return in on ${z.interface} all`);
  return out;
}

export const pf: Target = {
  nat: true,
  id: "pf",
  description: "pf.conf rules with tables (pfctl -f)",
  extension: "pf.conf",
  compile,
};
