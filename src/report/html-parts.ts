/**
 * @module HTML building blocks shared by the report file and the dashboard: tables, verdict
 * badges, rule references, audit findings and probe results. Pure; every value goes through esc().
 */
import type { AuditReportT, RuleRefT } from "../audit/report-schema.js";
import { MARK_STYLE } from "../diagram/palette.js";
import { auditMark, type Mark } from "../diagram/results.js";
import type { DnsOutputT } from "../dns/check.js";
import { groupResults, type ResultGroup } from "../probe/outcome.js";
import type { ProbeOutputT } from "../probe/result.js";
import { esc } from "./html-escape.js";

/** Already-escaped HTML, so callers cannot pass raw text where markup is expected by mistake. */
export interface Html {
  readonly html: string;
}
export const raw = (html: string): Html => ({ html });
export const cell = (v: string | number | Html): string => (typeof v === "object" ? v.html : esc(v));

export function table(
  headers: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number | Html>>,
  attrs = "",
): string {
  const head = `<thead><tr>${headers.map((h) => `<th scope="col">${esc(h)}</th>`).join("")}</tr></thead>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join("")}</tr>`).join("\n");
  return `<table${attrs}>${head}\n<tbody>\n${body}\n</tbody></table>`;
}

/** A coloured badge with the mark's symbol: the colour alone never carries the meaning. */
export function badge(mark: Mark, text: string): Html {
  return raw(`<span class="badge mark-${mark}">${esc(`${MARK_STYLE[mark].symbol} ${text}`)}</span>`);
}

export function ruleRef(r: RuleRefT): Html {
  const where = `${r.file}:${r.line}:${r.col}`;
  const chain =
    r.table !== "" || r.chain !== "" ? ` (${[r.table, r.chain].filter((s) => s !== "").join(" ")})` : "";
  const note = r.note !== undefined ? ` — ${r.note}` : "";
  return raw(
    `<code>${esc(r.text)}</code><br><span class="where">${esc(`${r.kind} at ${where}${chain}${note}`)}</span>`,
  );
}

export function packets(lines: readonly string[]): Html {
  return raw(
    lines.length === 0
      ? ""
      : `<ul class="packets">${lines.map((l) => `<li><code>${esc(l)}</code></li>`).join("")}</ul>`,
  );
}

function section(id: string, title: string, count: number, body: string): string {
  const inner = count === 0 ? `<p class="none">None.</p>` : body;
  return `<section id="${esc(id)}"><h3>${esc(`${title} (${count})`)}</h3>\n${inner}\n</section>`;
}

function auditSummary(a: AuditReportT): string {
  const tally = (v: string): number => a.flows.filter((f) => f.verdict === v).length;
  const counts = (["allowed", "partial", "blocked", "not-applicable"] as const)
    .map((v) => badge(auditMark(v), `${tally(v)} ${v}`).html)
    .join(" ");
  return [
    `<p>${esc(`Profile ${a.profile}, firewall ${a.firewall}.`)}</p>`,
    `<p class="counts">${counts}</p>`,
    table(
      ["Ruleset", "Format", "Tables", "Chains", "Rules"],
      a.rulesets.map((r) => [r.file, r.format, r.tables, r.chains, r.rules]),
    ),
  ].join("\n");
}

function flowFindings(a: AuditReportT): string {
  const notAllowed = a.flows.filter((f) => f.verdict === "partial" || f.verdict === "blocked");
  const rows = notAllowed.flatMap((f) =>
    (f.blocked.length > 0 ? f.blocked : [undefined]).map((b) => [
      raw(`<a href="#flow-${esc(f.id)}">${esc(f.id)}</a>${f.uncertain ? " (uncertain)" : ""}`),
      badge(auditMark(f.verdict), f.verdict),
      b?.direction ?? "",
      packets(b?.packets ?? []),
      b ? ruleRef(b.rule) : "",
    ]),
  );
  const headers = ["Flow", "Verdict", "Direction", "Packets not passed", "Decided by"];
  return section("audit-flows", "Flows not fully allowed", notAllowed.length, table(headers, rows));
}

function ruleFindings(a: AuditReportT): string[] {
  const exposure = a.exposure.map((e) => [e.direction, packets(e.packets), ruleRef(e.rule)]);
  const dead = a.deadRules.map((d) => [
    d.uncertain ? `${d.kind} (uncertain)` : d.kind,
    ruleRef(d.rule),
    raw(d.by.map((r) => ruleRef(r).html).join("<br>")),
  ]);
  const retired = a.retired.map((r) => [ruleRef(r.rule), r.flows.join(", ")]);
  const unsupported = a.unsupported.map((u) => [
    `${u.at.file}:${u.at.line}:${u.at.col}`,
    u.construct,
    u.reason,
    packets(u.mayAffect),
    u.flows.join(", "),
  ]);
  return [
    section(
      "audit-exposure",
      "Exposure: allowed beyond the matrix",
      exposure.length,
      table(["Direction", "Packets", "Allowed by"], exposure),
    ),
    section("audit-dead", "Dead rules", dead.length, table(["Kind", "Rule", "Because of"], dead)),
    section(
      "audit-retired",
      "Rules serving only retired flows",
      retired.length,
      table(["Rule", "Retired flows"], retired),
    ),
    section(
      "audit-unsupported",
      "Approximated constructs",
      unsupported.length,
      table(["Where", "Construct", "Reason", "May affect", "Flows"], unsupported),
    ),
  ];
}

/** The audit's findings: flows not allowed, exposure, dead and retired rules, approximations. */
export function auditFindings(a: AuditReportT): string {
  const notes =
    a.notes.length > 0 ? [`<ul class="notes">${a.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>`] : [];
  return [auditSummary(a), flowFindings(a), ...ruleFindings(a), ...notes].join("\n");
}

/** One line per group of consecutive ports with the same outcome (probe's own grouping). */
function probeRow(g: ResultGroup, withFrom: boolean): Array<string | number | Html> {
  const r = g.first;
  const ports = g.count === 1 ? String(g.fromPort) : `${g.fromPort}-${g.toPort} (${g.count} ports)`;
  return [
    raw(`<a href="#flow-${esc(r.flow)}">${esc(r.flow)}</a>`),
    ...(withFrom ? [r.from ?? ""] : []),
    r.target,
    r.transport.toUpperCase(),
    // A group's source ports differ port by port; one port shows its own.
    r.sourcePort === undefined
      ? ports
      : `${ports} (from ${g.count === 1 ? r.sourcePort : "pinned source ports"})`,
    r.state,
    r.expected,
    badge(r.ok ? "ok" : "failed", r.ok ? "as expected" : "not as expected"),
    r.reason,
    r.detail,
  ];
}

function summaryHtml(p: ProbeOutputT): string {
  const s = p.summary;
  const states = Object.entries(s.states)
    .map(([state, n]) => `${state} ${n}`)
    .join(", ");
  const items: Array<[string, string]> = [
    ["profile", p.profile],
    ["started", p.startedAt],
    ...(p.runs ?? []).map((r): [string, string] => [`run from ${r.from}`, `started ${r.startedAt}`]),
    ["results", `${s.total}: ${s.ok} as expected, ${s.failed} not`],
    ["states", states || "none"],
    ["skipped", String(s.skipped)],
    ["duration", `${s.durationMs} ms`],
  ];
  return `<dl class="summary">${items.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("")}</dl>`;
}

/** A probe run (probe or merge --format json): its summary, results grouped by port, what was skipped. */
export function probeResults(p: ProbeOutputT): string {
  const withFrom = p.results.some((r) => r.from !== undefined);
  const headers = [
    "Flow",
    ...(withFrom ? ["From"] : []),
    "Target",
    "Transport",
    "Port",
    "State",
    "Expected",
    "Result",
    "Reason",
    "Detail",
  ];
  const skipped =
    p.skipped.length > 0
      ? [
          `<p>${esc(`Skipped (${p.skipped.length}):`)}</p>`,
          table(
            ["Flow", "From", "To", "Reason"],
            p.skipped.map((k) => [k.flow, k.from ?? p.from, k.to, k.reason]),
            ` class="probe-skipped"`,
          ),
        ]
      : [];
  return [
    `<p>${esc(`Probed from ${p.from}: ${p.summary.ok} of ${p.summary.total} results as expected.`)}</p>`,
    summaryHtml(p),
    table(
      headers,
      groupResults(p.results).map((g) => probeRow(g, withFrom)),
      ` class="probe"`,
    ),
    ...skipped,
  ].join("\n");
}

/** `dns --format json` as a table: each record, what was expected, what DNS answered. */
export function dnsResults(d: DnsOutputT): string {
  const server = d.server === "system" ? "the system's resolver" : d.server;
  return [
    `<p>${esc(`Asked ${server} for the ${d.location === "all" ? "" : `${d.location} `}records of ${d.domains.join(", ")}: ${d.summary.ok} of ${d.summary.records} right.`)}</p>`,
    table(
      ["Result", "Type", "Name", "Expected", "Answer", "Detail"],
      d.records.map((r) => [
        badge(r.ok ? "ok" : "failed", r.state),
        r.type,
        r.name,
        r.type === "SRV"
          ? `${r.expected.target ?? ""}:${r.expected.port ?? ""}`
          : r.type === "CNAME"
            ? (r.expected.target ?? "")
            : r.expected.addresses.join(", ") || "(any)",
        r.answers.join(", "),
        r.detail,
      ]),
      ` class="dns"`,
    ),
  ].join("\n");
}
