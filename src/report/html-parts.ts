/**
 * @module HTML building blocks shared by the report file and the dashboard: tables, verdict
 * badges, rule references, audit findings and probe results. Pure; every value goes through esc().
 */
import type { AuditReportT, RuleRefT } from "../audit/report-schema.js";
import { MARK_STYLE } from "../diagram/palette.js";
import { auditMark, type Mark, type ProbeResultT, type ProbeRunT } from "../diagram/results.js";
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
    d.kind,
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

function probeRow(r: ProbeResultT): Array<string | number | Html> {
  return [
    raw(`<a href="#flow-${esc(r.flow)}">${esc(r.flow)}</a>`),
    r.target,
    r.transport.toUpperCase(),
    r.port,
    r.state,
    r.expected,
    badge(r.ok ? "ok" : "failed", r.ok ? "as expected" : "not as expected"),
    r.detail,
  ];
}

function summaryHtml(summary: unknown): string {
  if (summary === undefined || summary === null) return "";
  const isFlat =
    typeof summary === "object" &&
    Object.values(summary as object).every((v) => typeof v !== "object" || v === null);
  if (isFlat)
    return `<dl class="summary">${Object.entries(summary as object)
      .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(String(v))}</dd>`)
      .join("")}</dl>`;
  return `<pre class="summary">${esc(JSON.stringify(summary, null, 2))}</pre>`;
}

export function probeResults(p: ProbeRunT): string {
  const ok = p.results.filter((r) => r.ok).length;
  return [
    `<p>${esc(`Probed from ${p.from}: ${ok} of ${p.results.length} results as expected.`)}</p>`,
    summaryHtml(p.summary),
    table(
      ["Flow", "Target", "Transport", "Port", "State", "Expected", "Result", "Detail"],
      p.results.map(probeRow),
      ` class="probe"`,
    ),
  ].join("\n");
}
