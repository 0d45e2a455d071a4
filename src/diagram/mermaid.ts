/**
 * @module The diagram as a Mermaid flowchart (mermaid.js.org/syntax/flowchart.html): zones as
 * subgraphs, endpoints as boxes, one arrow per endpoint pair with one label line per flow, arrows
 * coloured by linkStyle. Mermaid lays it out itself. Pure and deterministic.
 *
 * Node ids are generated (n0, n1 …) because endpoint ids may be Mermaid keywords (`end`) or hold
 * characters its grammar reserves; every label is quoted and every character outside a small safe
 * set written as an entity code `#<decimal>;` (Mermaid's documented escape for quoted labels).
 */
import { labelText, type DiagramGraph, type DiagramNode } from "./graph.js";
import { MARK_STYLE } from "./palette.js";

export function mermaidText(s: string): string {
  return [...s].map((c) => (/[A-Za-z0-9 .,:/()_+*=-]/.test(c) ? c : `#${c.codePointAt(0)};`)).join("");
}

function nodeLine(n: DiagramNode, indent: string): string {
  const label = [n.name, ...n.addresses].map(mermaidText).join("<br/>");
  return `${indent}${n.id}["${label}"]`;
}

export function renderMermaid(g: DiagramGraph): string {
  const out = ["flowchart LR", `  %% ${mermaidText(g.title)}`];
  for (const n of g.nodes) if (n.group === undefined) out.push(nodeLine(n, "  "));
  for (const grp of g.groups) {
    out.push(`  subgraph ${grp.id}["${mermaidText(grp.label)}"]`);
    for (const n of g.nodes) if (n.group === grp.id) out.push(nodeLine(n, "    "));
    out.push("  end");
  }
  g.edges.forEach((e) => {
    const label = e.lines.map((l) => mermaidText(labelText(l))).join("<br/>");
    out.push(`  ${e.from} -->|"${label}"| ${e.to}`);
  });
  g.edges.forEach((e, i) => {
    const s = MARK_STYLE[e.mark];
    const dash = s.dash ? `,stroke-dasharray:${s.dash}` : "";
    out.push(`  linkStyle ${i} stroke:${s.color},stroke-width:2px,color:${s.color}${dash}`);
  });
  if (g.inactive.length > 0)
    out.push(`  %% not drawn (conditions not met): ${mermaidText(g.inactive.join(", "))}`);
  return out.join("\n") + "\n";
}
