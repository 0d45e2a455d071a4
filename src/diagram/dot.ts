/**
 * @module The diagram in Graphviz DOT (graphviz.org/doc/info/lang.html): zones as clusters,
 * endpoints as boxes, one edge per endpoint pair labelled with one line per flow, coloured and
 * dashed by mark. Graphviz lays it out itself (`dot -Tsvg`). Pure and deterministic.
 *
 * Every string is a quoted DOT ID: backslash and double quote escaped, and lines joined with `\l`
 * (left-justified line break, an escString escape) so a label's own backslashes cannot form one.
 */
import { labelText, type DiagramGraph, type DiagramNode } from "./graph.js";
import { MARK_STYLE } from "./palette.js";

export function dotString(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, " ")}"`;
}

function lines(parts: readonly string[]): string {
  const body = parts
    .map((p) => p.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, " "))
    .join("\\l");
  return `"${body}\\l"`;
}

function nodeLine(n: DiagramNode, indent: string): string {
  return `${indent}${n.id} [label=${lines([n.name, ...n.addresses])}];`;
}

export function renderDot(g: DiagramGraph): string {
  const out = [
    "digraph portmatrix {",
    `  label=${dotString(g.title)}; labelloc=t; rankdir=LR; newrank=true;`,
    '  node [shape=box, style=rounded, fontname="DejaVu Sans Mono", fontsize=10];',
    '  edge [fontname="DejaVu Sans Mono", fontsize=9];',
  ];
  for (const n of g.nodes) if (n.group === undefined) out.push(nodeLine(n, "  "));
  for (const grp of g.groups) {
    out.push(`  subgraph cluster_${grp.id} {`, `    label=${dotString(grp.label)}; style=dashed;`);
    for (const n of g.nodes) if (n.group === grp.id) out.push(nodeLine(n, "    "));
    out.push("  }");
  }
  for (const e of g.edges) {
    const s = MARK_STYLE[e.mark];
    const style = s.dash === "" ? "solid" : e.mark === "failed" ? "dashed" : "dotted";
    out.push(
      `  ${e.from} -> ${e.to} [label=${lines(e.lines.map(labelText))}, color=${dotString(s.color)}, fontcolor=${dotString(s.color)}, style=${style}];`,
    );
  }
  if (g.inactive.length > 0)
    out.push(`  // not drawn (conditions not met): ${g.inactive.join(", ").replace(/[^\w ,.-]/g, "_")}`);
  out.push("}");
  return out.join("\n") + "\n";
}
