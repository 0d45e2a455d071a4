/** Plain renderers shared by every command's table, csv and md formats. Pure. */
import { visible } from "../diag/safe-text.js";

export interface Column {
  header: string;
  /** Wrap long cells at this width in the text table (notes). */
  wrap?: number;
}

/**
 * Lines of aligned columns, two spaces apart, without a rule: the last column (a free-text detail)
 * is neither padded nor counted in the widths. Probe, dns and lab tables.
 */
export function alignedLines(head: readonly string[], raw: readonly string[][]): string[] {
  // Cells quote input files (profile texts, rule comments): their control characters are shown.
  const rows = raw.map((r) => r.map(visible));
  const widths = head.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (i === r.length - 1 ? 0 : (r[i] ?? "").length))),
  );
  const fmt = (r: readonly string[]): string =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [fmt(head), ...rows.map(fmt)];
}

/** A boxless text table: header, a rule, rows; long cells wrap within their column. */
export function textTable(columns: readonly Column[], rows: readonly string[][]): string {
  const wrapped = rows.map((r) => r.map((cell, i) => wrapCell(cell, columns[i]?.wrap)));
  const widths = columns.map((c, i) =>
    Math.max(c.header.length, ...wrapped.map((r) => Math.max(0, ...(r[i] ?? [""]).map((l) => l.length)))),
  );
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const out = [line(columns.map((c) => c.header)), line(widths.map((w) => "-".repeat(w)))];
  for (const r of wrapped) {
    const height = Math.max(1, ...r.map((c) => c.length));
    for (let k = 0; k < height; k++) out.push(line(r.map((c) => c[k] ?? "")));
  }
  return out.join("\n") + "\n";
}

function wrapCell(cell: string, width: number | undefined): string[] {
  // A cell's own line breaks are layout; every other control character of the input is shown.
  const lines = cell.split("\n").map(visible);
  if (!width) return lines;
  return lines.flatMap((l) => {
    const words = l.split(" ");
    const out: string[] = [];
    let cur = "";
    for (const w of words) {
      if (cur.length > 0 && cur.length + 1 + w.length > width) {
        out.push(cur);
        cur = w;
      } else cur = cur.length > 0 ? `${cur} ${w}` : w;
    }
    out.push(cur);
    return out;
  });
}

/** RFC 4180 CSV with CRLF-free LF line ends (deterministic across platforms). */
export function csv(headers: readonly string[], rows: readonly string[][]): string {
  const esc = (v: string): string => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [headers, ...rows].map((r) => r.map(esc).join(",")).join("\n") + "\n";
}

/** GitHub-flavoured Markdown table. */
export function markdownTable(headers: readonly string[], rows: readonly string[][]): string {
  const esc = (v: string): string => v.replace(/\|/g, "\\|").replace(/\n/g, "<br>");
  const line = (cells: readonly string[]): string => `| ${cells.map(esc).join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n") + "\n";
}
