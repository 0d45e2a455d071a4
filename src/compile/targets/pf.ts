/**
 * pf (OpenBSD/FreeBSD pf.conf, loaded with `pfctl -f`). `block all` first, then `pass … quick …
 * keep state` rules: with `quick` the first matching pass decides (no last-match surprises), and
 * `keep state` lets replies through (pf is stateful). Tables hold each endpoint's addresses; port
 * ranges are `50000:59999` (inclusive). Perimeter: a forwarded connection is filtered on the
 * interface it enters and on the one it leaves, so each flow gets a `pass in on` and a `pass out
 * on` rule (pf.conf(5): PACKET FILTERING, TABLES).
 */
import type { Plan, PlanRule } from "../plan.js";
import { families, header, isAny, rangeText } from "../plan.js";
import type { Target, TargetResult } from "../target.js";
import { diag } from "../../diag/diagnostic.js";
import { commentText, plainInterface, refuseInterfaces } from "../text.js";

const tableName = (id: string) => `pm_${id.replace(/[^A-Za-z0-9_]/g, "_")}`;

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
    const name = tableName(endpoint ?? "addresses");
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
      const what = `${af}${proto} from ${src}${ports(r.sports)} to ${dst}${ports(r.dports)} keep state label "${r.flowId}"`;
      if (r.direction === "forward") {
        rules.push(
          `pass in quick on ${r.fromZone!.interface} ${what}`,
          `pass out quick on ${r.toZone!.interface} ${what}`,
        );
      } else rules.push(`pass ${r.direction} quick ${what}`);
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
  for (const [name, list] of [...tables].sort((a, b) => a[0].localeCompare(b[0])))
    out.push(`table <${name}> const { ${[...new Set(list)].join(" ")} }`);
  if (tables.size > 0) out.push("");
  out.push(
    "# Default deny, both directions; the pass rules below are quick (first match wins).",
    "block all",
    "# IPv6 cannot work without neighbour discovery (RFC 4890).",
    "pass quick inet6 proto ipv6-icmp icmp6-type { neighbrsol neighbradv routersol routeradv } keep state",
    ...rules,
  );
  return { ok: true, files: [{ suffix: "", text: out.join("\n") + "\n" }], warnings: [] };
}

export const pf: Target = {
  id: "pf",
  description: "pf.conf rules with tables (pfctl -f)",
  extension: "pf.conf",
  compile,
};
