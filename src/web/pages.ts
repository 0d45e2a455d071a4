/**
 * @module The dashboard's pages, rendered on the server from the run store. Every value is escaped
 * (esc / the report's table helpers); no inline script or style (the CSP forbids both).
 */
import type { Mark } from "../diagram/results.js";
import { esc } from "../report/html-escape.js";
import { auditFindings, badge, probeResults, raw, table, type Html } from "../report/html-parts.js";
import type { RunDiff } from "../store/diff.js";
import type { HistoryEntry, RunSummary, StoredRun } from "../store/queries.js";

const runHref = (id: number): string => `/runs/${id}`;
const flowHref = (flow: string): string => `/flows/${encodeURIComponent(flow)}`;
const runLink = (id: number, kind: string): Html =>
  raw(`<a href="${runHref(id)}">${esc(`#${id} ${kind}`)}</a>`);
const flowLink = (flow: string): Html =>
  raw(`<a href="${flowHref(flow)}" data-flow="${esc(flow)}">${esc(flow)}</a>`);
const verdictBadge = (mark: string, verdict: string): Html => badge(mark as Mark, verdict);

export function page(title: string, body: string): string {
  return [
    "<!DOCTYPE html>",
    `<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${esc(title)} — portmatrix</title><link rel="stylesheet" href="/static/dashboard.css"></head>`,
    `<body><nav><strong>portmatrix</strong><a href="/">Runs</a><a href="/load">Load a run</a></nav>`,
    `<main><h1>${esc(title)}</h1>`,
    body,
    `</main></body></html>`,
    "",
  ].join("\n");
}

function markCounts(r: RunSummary): Html {
  const order: Mark[] = ["ok", "partial", "failed", "not-applicable", "none"];
  return raw(order.flatMap((m) => (r.marks[m] ? [badge(m, String(r.marks[m])).html] : [])).join(" "));
}

function diffForm(runs: readonly RunSummary[], a?: number, b?: number): string {
  const options = (selected: number | undefined): string =>
    runs
      .map(
        (r) =>
          `<option value="${r.id}"${r.id === selected ? " selected" : ""}>${esc(`#${r.id} ${r.kind} ${r.savedAt} ${r.label}`)}</option>`,
      )
      .join("");
  return `<form class="diff" method="get" action="/diff"><label>Run A <select name="a" id="diff-a">${options(a ?? runs[1]?.id)}</select></label>
<label>Run B <select name="b" id="diff-b">${options(b ?? runs[0]?.id)}</select></label> <button type="submit" id="diff-go">Compare</button></form>`;
}

/** Drift against the previous run of the same kind and label: a link to the diff when verdicts changed. */
function driftCell(r: RunSummary): Html {
  if (r.drift === null) return raw(`<span class="muted">first run</span>`);
  if (r.drift.flows.length === 0)
    return raw(`<span class="muted">${esc(`same as #${r.drift.previous}`)}</span>`);
  const n = r.drift.flows.length;
  return raw(
    `<a class="changed drift" data-drift="${n}" href="/diff?a=${r.drift.previous}&amp;b=${r.id}" title="${esc(r.drift.flows.join(", "))}">${esc(
      `changed: ${n} flow${n === 1 ? "" : "s"} since #${r.drift.previous}`,
    )}</a>`,
  );
}

export function runsPage(runs: readonly RunSummary[]): string {
  if (runs.length === 0)
    return page(
      "Runs",
      `<p>No runs saved yet. <a href="/load">Load a run</a>, or run <code>portmatrix audit … --save</code>.</p>`,
    );
  const rows = runs.map((r) => [
    runLink(r.id, r.kind),
    r.kind,
    r.savedAt,
    r.label,
    r.flows,
    markCounts(r),
    driftCell(r),
  ]);
  const diff = runs.length >= 2 ? `<h2>Compare two runs</h2>${diffForm(runs)}` : "";
  return page(
    "Runs",
    `${table(["Run", "Kind", "Saved (UTC)", "Label", "Flows", "Verdicts", "Drift"], rows, ` id="runs"`)}\n${diff}`,
  );
}

/** One run; `diagramSvg` (and a link to the run's report) when serve has the run's topology. */
export function runPage(run: StoredRun, diagramSvg?: string): string {
  const s = run.summary;
  const rows = run.verdicts.map(
    (v) =>
      `<tr id="flow-${esc(v.flow)}"><td>${flowLink(v.flow).html}</td><td>${verdictBadge(v.mark, v.verdict).html}</td><td>${esc(v.detail)}</td></tr>`,
  );
  const verdicts = `<table id="verdicts"><thead><tr><th>Flow</th><th>Verdict</th><th>Detail</th></tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>`;
  const findings = run.parsed.kind === "audit" ? auditFindings(run.parsed.run) : probeResults(run.parsed.run);
  return page(
    `Run #${s.id} (${s.kind})`,
    [
      `<p class="muted">${esc(`Saved ${s.savedAt} · ${s.label}`)} · <a href="/api/runs/${s.id}">JSON</a>${
        diagramSvg !== undefined ? ` · <a href="/runs/${s.id}/report" id="report-link">Report (HTML)</a>` : ""
      }</p>`,
      `<h2>Flows</h2>`,
      verdicts,
      diagramSvg !== undefined ? `<h2>Diagram</h2><div class="diagram" id="diagram">${diagramSvg}</div>` : "",
      `<h2>${s.kind === "audit" ? "Audit findings" : "Probe results"}</h2>`,
      findings,
    ].join("\n"),
  );
}

/** A flow's history; `about` describes the flow when serve knows the topology. */
export function flowPage(flow: string, history: readonly HistoryEntry[], about?: string): string {
  const intro = about !== undefined ? `<p id="about">${esc(about)}</p>` : "";
  if (history.length === 0) return page(`Flow ${flow}`, `${intro}<p>No saved run mentions this flow.</p>`);
  // Newest first; a row is marked when its verdict differs from the next older run of the same kind.
  const rows = history.map((h, i) => {
    const older = history.slice(i + 1).find((o) => o.kind === h.kind);
    const changed = older !== undefined && (older.verdict !== h.verdict || older.detail !== h.detail);
    const cells = [
      runLink(h.runId, h.kind).html,
      esc(h.savedAt),
      esc(h.label),
      verdictBadge(h.mark, h.verdict).html,
      esc(h.detail),
      changed ? `changed from ${esc(older.verdict)}` : "",
    ];
    return `<tr data-run="${h.runId}"${changed ? ` class="changed"` : ""}>${cells.map((c) => `<td>${c}</td>`).join("")}</tr>`;
  });
  const head = ["Run", "Saved (UTC)", "Label", "Verdict", "Detail", "Change"]
    .map((h) => `<th>${h}</th>`)
    .join("");
  return page(
    `Flow ${flow}`,
    `${intro}<p>${esc(`${history.length} runs, newest first.`)}</p>\n<table id="history"><thead><tr>${head}</tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>`,
  );
}

const FINDING_NAMES = {
  exposure: "exposure",
  deadRules: "dead rules",
  retired: "rules serving only retired flows",
  unsupported: "approximated constructs",
} as const;

export function diffPage(runs: readonly RunSummary[], a: StoredRun, b: StoredRun, diff: RunDiff): string {
  const cellOf = (v: RunDiff["flows"][number]["a"]): string =>
    v
      ? `${verdictBadge(v.mark, v.verdict).html} <span class="muted">${esc(v.detail)}</span>`
      : `<span class="muted">absent</span>`;
  const rows = diff.flows.map(
    (f) =>
      `<tr data-flow="${esc(f.flow)}" data-change="${f.change}"${f.change !== "same" ? ` class="changed"` : ""}><td>${flowLink(f.flow).html}</td><td>${cellOf(f.a)}</td><td>${cellOf(f.b)}</td><td>${esc(f.change)}</td></tr>`,
  );
  const head = [
    "Flow",
    `Run #${a.summary.id} (${a.summary.kind})`,
    `Run #${b.summary.id} (${b.summary.kind})`,
    "Change",
  ]
    .map((h) => `<th>${esc(h)}</th>`)
    .join("");
  const findings =
    diff.findings.length > 0
      ? `<h2>Other findings</h2><table id="finding-deltas"><thead><tr><th>Finding</th><th>${esc(`Run #${a.summary.id}`)}</th><th>${esc(`Run #${b.summary.id}`)}</th></tr></thead><tbody>${diff.findings
          .map(
            (d) =>
              `<tr${d.a !== d.b ? ` class="changed"` : ""}><td>${esc(FINDING_NAMES[d.finding])}</td><td>${d.a}</td><td>${d.b}</td></tr>`,
          )
          .join("")}</tbody></table>`
      : "";
  return page(
    `Run #${a.summary.id} → run #${b.summary.id}`,
    [
      diffForm(runs, a.summary.id, b.summary.id),
      `<p id="diff-summary">${esc(`${diff.changed} of ${diff.flows.length} flows differ.`)}</p>`,
      `<table id="diff"><thead><tr>${head}</tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>`,
      findings,
    ].join("\n"),
  );
}

export function loadPage(errors: readonly string[] = [], text = ""): string {
  const problems =
    errors.length > 0
      ? `<ul class="error" id="errors">${errors.map((e) => `<li>${esc(e)}</li>`).join("")}</ul>`
      : "";
  return page(
    "Load a run",
    `${problems}<p>Paste the output of <code>portmatrix audit --format json</code> or <code>portmatrix probe --format json</code>, or choose the file.</p>
<form method="post" action="/load" id="load-form">
<p><label>Kind <select name="kind" id="kind"><option value="auto">recognise</option><option value="audit">audit</option><option value="probe">probe</option></select></label>
<label>File <input type="file" id="file" accept=".json,application/json"></label></p>
<p><textarea name="json" id="json" spellcheck="false">${esc(text)}</textarea></p>
<p><button type="submit" id="save">Save run</button></p>
</form><script src="/static/load.js"></script>`,
  );
}

export function messagePage(title: string, message: string): string {
  return page(title, `<p>${esc(message)}</p>`);
}

/** Reads a chosen file into the textarea (no upload encoding needed: the form posts the text). */
export const LOAD_SCRIPT = `document.getElementById("file").addEventListener("change", function (ev) {
  var f = ev.target.files && ev.target.files[0];
  if (!f) return;
  f.text().then(function (t) { document.getElementById("json").value = t; });
});
`;
