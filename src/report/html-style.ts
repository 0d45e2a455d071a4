/**
 * @module The one stylesheet of the report file (inlined) and the dashboard (served as a file):
 * plain, readable tables, verdict colours from the diagram's palette, and a print layout
 * (@media print: no navigation, tables and the diagram fit the page, rows not split).
 */
import { MARK_STYLE, MARKS } from "../diagram/palette.js";

const marks = MARKS.map(
  (m) => `.mark-${m}{color:${MARK_STYLE[m].color};border-color:${MARK_STYLE[m].color}}`,
).join("\n");

export const REPORT_CSS = `
:root{color-scheme:light}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1f2328;margin:0 auto;padding:16px 24px 48px;max-width:1400px}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
nav{display:flex;gap:16px;flex-wrap:wrap;margin:8px 0 16px;padding:8px 0;border-bottom:1px solid #d0d7de}
a{color:#0550ae}
.unsupported{color:#82071e;border-left:4px solid #cf222e;padding:4px 8px;background:#fff5f5}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:13px}
th,td{border:1px solid #d0d7de;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f6f8fa}
tbody tr:nth-child(even){background:#fbfcfd}
code,pre{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12px}
pre{background:#f6f8fa;padding:8px;overflow:auto}
ul.packets{margin:0;padding-left:16px}
.where,.muted,.none{color:#57606a}
.badge{display:inline-block;border:1px solid;border-radius:10px;padding:0 7px;font-size:12px;white-space:nowrap;background:#fff}
.diagram{overflow:auto;border:1px solid #d0d7de;padding:8px;background:#fff}
.diagram svg{max-width:none;height:auto}
dl.summary{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dl.summary dt{font-weight:600}dl.summary dd{margin:0}
.changed,tbody tr.changed{background:#fff8c5}
form.inline{display:inline}
textarea{width:100%;min-height:220px;font-family:monospace}
.error{color:#cf222e}
${marks}
@media print{
  nav,.noprint{display:none}
  body{padding:0;max-width:none;font-size:11px}
  table{font-size:10px}
  tr,li,.diagram{break-inside:avoid}
  h2{break-after:avoid}
  .diagram{border:none;overflow:visible}
  .diagram svg{max-width:100%}
  a{color:inherit;text-decoration:none}
}
`.trimStart();
