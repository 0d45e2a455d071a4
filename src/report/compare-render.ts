/** Text renderers of a Comparison (compare.ts): table, md, json. Pure. */
import type { CompareRow, Comparison, FlowDigest, NamedDiff } from "./compare.js";
import { markdownTable, textTable } from "./table.js";

export type CompareFormat = "table" | "json" | "md";

const HEADERS = ["Status", "Flow", "In A", "In B", "What to do"];

function label(f: FlowDigest): string {
  const src = f.sourcePorts ? ` (source ${f.sourcePorts})` : "";
  return `${f.role}/${f.protocol}/${f.transport.toUpperCase()}/${f.ports}${src} ${f.from} → ${f.to}`;
}

/** `ports: 443 → 80,443`; set-valued fields list what B adds (+) and removes (-). */
function changeText(c: CompareRow["changes"][number]): string {
  if (c.added === undefined && c.removed === undefined) return `${c.field}: ${c.a} → ${c.b}`;
  const items = [...(c.added ?? []).map((x) => `+${x}`), ...(c.removed ?? []).map((x) => `-${x}`)];
  return `${c.field} ${c.a} → ${c.b}: ${items.join(" ")}`;
}

function action(r: CompareRow): string {
  switch (r.status) {
    case "removed":
      return "not in B: close it (or keep it for a service B no longer lists)";
    case "added":
      return `new in B: open it${r.b!.conditions.length > 0 ? ` if ${r.b!.conditions.join(", ")}` : ""}`;
    case "changed":
      return r.changes.map(changeText).join("; ") + (r.notesChanged ? " (notes reworded)" : "");
    case "unchanged":
      return r.notesChanged ? "same (notes reworded)" : "same";
  }
}

function rows(c: Comparison): string[][] {
  return c.rows
    .filter((r) => r.status !== "unchanged")
    .map((r) => [
      r.status,
      r.b?.id === r.a?.id || !r.a || !r.b ? (r.a ?? r.b)!.id : `${r.a.id} → ${r.b.id}`,
      r.a ? label(r.a) : "",
      r.b ? label(r.b) : "",
      action(r),
    ]);
}

function diffLines(c: Comparison): string[] {
  const line = (what: string, d: NamedDiff): string[] =>
    [
      d.removed.length > 0 ? `${what} only in A: ${d.removed.join(", ")}` : "",
      d.added.length > 0 ? `${what} only in B: ${d.added.join(", ")}` : "",
    ].filter(Boolean);
  return [
    ...line("features", c.features),
    ...line("DNS records", c.dns),
    ...line("certificates", c.certificates),
    ...line("source defects", c.defects),
  ];
}

function heading(c: Comparison): string[] {
  const s = c.summary;
  const same = c.rows.filter((r) => r.status === "unchanged").map((r) => r.b!.id);
  return [
    `A: ${c.a.product} ${c.a.id} (${c.a.rows} rows) → B: ${c.b.product} ${c.b.id} (${c.b.rows} rows)`,
    `${s.removed} removed, ${s.added} added, ${s.changed} changed, ${s.unchanged} unchanged` +
      (same.length > 0 ? ` (${same.join(", ")})` : ""),
  ];
}

export function renderComparison(c: Comparison, format: CompareFormat): string {
  switch (format) {
    case "json":
      return JSON.stringify(c, null, 2) + "\n";
    case "table": {
      const body = c.rows.some((r) => r.status !== "unchanged")
        ? textTable(
            HEADERS.map((h, i) => ({ header: h, ...(i >= 2 ? { wrap: 44 } : {}) })),
            rows(c),
          )
        : "no row changes\n";
      const extra = diffLines(c);
      return (
        [...heading(c), "", body.trimEnd(), ...(extra.length > 0 ? ["", ...extra] : [])].join("\n") + "\n"
      );
    }
    case "md": {
      const body = markdownTable(HEADERS, rows(c));
      const extra = diffLines(c).map((l) => `- ${l}`);
      return (
        [
          ...heading(c).map((l, i) => (i === 0 ? `**${l}**` : l)),
          "",
          body.trimEnd(),
          ...(extra.length > 0 ? ["", ...extra] : []),
        ].join("\n") + "\n"
      );
    }
  }
}
