/**
 * @module Public face of the diagram: topology (+ audit/probe results) → SVG, Mermaid or DOT text.
 * Pure apart from awaiting the layout engine.
 */
import type { BoundTopology } from "../model/flow.js";
import { renderDot } from "./dot.js";
import { buildDiagram, type DiagramGraph } from "./graph.js";
import { layoutDiagram } from "./layout.js";
import { renderMermaid } from "./mermaid.js";
import { flowStatuses, type RunResults } from "./results.js";
import { renderSvg, type SvgOptions } from "./svg.js";
import type { DiagramFormat } from "./formats.js";

export { DIAGRAM_FORMATS, type DiagramFormat } from "./formats.js";

export function diagramOf(topology: BoundTopology, results: RunResults = {}): DiagramGraph {
  return buildDiagram(topology, flowStatuses(results));
}

export async function renderDiagram(
  topology: BoundTopology,
  format: DiagramFormat,
  results: RunResults = {},
  svg: SvgOptions = {},
): Promise<string> {
  const graph = diagramOf(topology, results);
  switch (format) {
    case "svg":
      return renderSvg(await layoutDiagram(graph), svg);
    case "mermaid":
      return renderMermaid(graph);
    case "dot":
      return renderDot(graph);
  }
}
