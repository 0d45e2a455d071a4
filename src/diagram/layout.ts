/**
 * @module Layout of a DiagramGraph by ELK's layered (Sugiyama) algorithm (elkjs, the Eclipse Layout
 * Kernel compiled to JavaScript): zones/host as compound nodes, orthogonal edge routing, edge labels
 * placed by the layout so they never overlap boxes. The result is plain geometry in absolute
 * coordinates; rendering it is svg.ts's job. ELK is deterministic for the same input (fixed seed),
 * so the same topology gives the same picture byte for byte.
 */
import elkModule from "elkjs/lib/elk.bundled.js";
import type { ElkExtendedEdge, ElkNode, LayoutOptions } from "elkjs/lib/elk-api.js";
import { labelText, type DiagramGraph, type DiagramNode } from "./graph.js";
import { PAD, textHeight, textWidth, wrap } from "./metrics.js";

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface LaidOutDiagram {
  graph: DiagramGraph;
  width: number;
  height: number;
  groups: Map<string, Rect>;
  nodes: Map<string, Rect & { lines: string[]; nameLines: number }>;
  /** Per arrow: the route into its label box, the route out of it to the target, the box. */
  edges: Map<string, { in: Point[]; out: Point[]; label: Rect }>;
}

const NAME_WRAP = 30;
const MAX_ADDRESSES = 4;
const GROUP_TITLE = 24;
const GROUP_PAD = 14;
const ARROW_GAP = 14;

/** The lines a node box shows: its name wrapped, then its addresses (at most four, then a count). */
export function nodeLines(n: DiagramNode): { lines: string[]; nameLines: number } {
  const name = wrap(n.name, NAME_WRAP);
  const shown = n.addresses.slice(0, MAX_ADDRESSES);
  const rest = n.addresses.length - shown.length;
  return { lines: [...name, ...shown, ...(rest > 0 ? [`+${rest} more`] : [])], nameLines: name.length };
}

const ROOT_OPTIONS = {
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.edgeRouting": "ORTHOGONAL",
  "elk.partitioning.activate": "true",
  // Bands must line up across the whole drawing, not per connected component.
  "elk.separateConnectedComponents": "false",
  "elk.spacing.nodeNode": "36",
  "elk.layered.spacing.nodeNodeBetweenLayers": "56",
  "elk.spacing.edgeLabel": "4",
  "elk.spacing.edgeEdge": "14",
  "elk.layered.spacing.edgeEdgeBetweenLayers": "14",
  "elk.layered.spacing.edgeNodeBetweenLayers": "28",
  "elk.layered.nodePlacement.strategy": "NETWORK_SIMPLEX",
  "elk.padding": `[top=${GROUP_TITLE + 40},left=40,bottom=40,right=40]`,
  "elk.json.edgeCoords": "ROOT",
} as const;

/**
 * Zones are not ELK compound nodes, and flow labels are not ELK edge labels. Measured on the
 * largest catalog profile (lync2013-edge-scaled-hlb-external): with compound nodes ELK routed 5 of
 * 9 arrows (every flow back from the DMZ to the Internet) around the whole drawing, and centre
 * labels made layers of their own inside the zones. Instead the layout is flat and banded by
 * partitions: ungrouped endpoints in band 0, group i in band 2(i+1), and each arrow's label is a
 * node of its own in the odd band between its two ends; the group's box is drawn around its
 * endpoints afterwards. Return flows then run straight between neighbouring bands.
 */
function bands(g: DiagramGraph): { node: Map<string, number>; label: Map<string, number> } {
  const order = new Map(g.groups.map((grp, i) => [grp.id, 2 * (i + 1)]));
  const node = new Map(g.nodes.map((n) => [n.id, n.group === undefined ? 0 : (order.get(n.group) ?? 0)]));
  const label = new Map(
    g.edges.map((e) => {
      const a = node.get(e.from) ?? 0;
      const b = node.get(e.to) ?? 0;
      return [e.id, a === b ? a : Math.min(a, b) + 1];
    }),
  );
  return { node, label };
}

const band = (n: number): LayoutOptions => ({ "elk.partitioning.partition": String(n) });

function elkGraph(g: DiagramGraph): ElkNode {
  const { node, label } = bands(g);
  const degree = new Map<string, number>();
  for (const e of g.edges) for (const end of [e.from, e.to]) degree.set(end, (degree.get(end) ?? 0) + 1);
  // A box tall enough that its arrows arrive apart (the "Any" endpoint has a dozen).
  // Endpoints at least as wide as their zone's title, so the zone box needs no widening into the
  // band next to it (where the labels are).
  const titleWidth = new Map(g.groups.map((grp) => [grp.id, textWidth([grp.label]) - 2 * GROUP_PAD]));
  const children: ElkNode[] = g.nodes.map((n) => {
    const { lines } = nodeLines(n);
    const height = Math.max(textHeight(lines), (degree.get(n.id) ?? 0) * ARROW_GAP + PAD);
    const width = Math.max(textWidth(lines), n.group === undefined ? 0 : (titleWidth.get(n.group) ?? 0));
    return { id: n.id, width, height, layoutOptions: band(node.get(n.id) ?? 0) };
  });
  const edges: ElkExtendedEdge[] = [];
  for (const e of g.edges) {
    const lines = e.lines.map(labelText);
    children.push({
      id: `${e.id}.label`,
      width: textWidth(lines),
      height: textHeight(lines),
      layoutOptions: band(label.get(e.id) ?? 0),
    });
    edges.push({ id: `${e.id}.in`, sources: [e.from], targets: [`${e.id}.label`] });
    edges.push({ id: `${e.id}.out`, sources: [`${e.id}.label`], targets: [e.to] });
  }
  return { id: "root", layoutOptions: { ...ROOT_OPTIONS }, children, edges };
}

/** A group's box: around its endpoints, with room for its title above. */
function groupRects(g: DiagramGraph, nodes: LaidOutDiagram["nodes"]): Map<string, Rect> {
  const out = new Map<string, Rect>();
  for (const grp of g.groups) {
    const members = g.nodes
      .filter((n) => n.group === grp.id)
      .flatMap((n) => {
        const r = nodes.get(n.id);
        return r ? [r] : [];
      });
    if (members.length === 0) continue;
    const x0 = Math.min(...members.map((r) => r.x)) - GROUP_PAD;
    const y0 = Math.min(...members.map((r) => r.y)) - GROUP_PAD - GROUP_TITLE;
    const x1 = Math.max(...members.map((r) => r.x + r.width), x0 + textWidth([grp.label])) + GROUP_PAD;
    const y1 = Math.max(...members.map((r) => r.y + r.height)) + GROUP_PAD;
    out.set(grp.id, rect({ x: x0, y: y0, width: x1 - x0, height: y1 - y0 }));
  }
  return out;
}

const round = (v: number | undefined): number => Math.round((v ?? 0) * 10) / 10;
const rect = (n: { x?: number; y?: number; width?: number; height?: number }): Rect => ({
  x: round(n.x),
  y: round(n.y),
  width: round(n.width),
  height: round(n.height),
});

export async function layoutDiagram(g: DiagramGraph): Promise<LaidOutDiagram> {
  // elk.bundled.js is CommonJS with an ES-module-style `default`; Node hands us module.exports.
  const out: ElkNode = await new elkModule.default().layout(elkGraph(g));
  const shapes = new Map((out.children ?? []).map((c) => [c.id, rect(c)]));
  const routes = new Map(
    (out.edges ?? []).map((e) => {
      const s = e.sections?.[0];
      const pts = s ? [s.startPoint, ...(s.bendPoints ?? []), s.endPoint] : [];
      return [e.id, pts.map((p) => ({ x: round(p.x), y: round(p.y) }))];
    }),
  );
  const nodes: LaidOutDiagram["nodes"] = new Map();
  for (const n of g.nodes) {
    const r = shapes.get(n.id);
    if (r) nodes.set(n.id, { ...r, ...nodeLines(n) });
  }
  const edges: LaidOutDiagram["edges"] = new Map();
  for (const e of g.edges) {
    const label = shapes.get(`${e.id}.label`);
    if (label)
      edges.set(e.id, { in: routes.get(`${e.id}.in`) ?? [], out: routes.get(`${e.id}.out`) ?? [], label });
  }
  return {
    graph: g,
    width: round(out.width),
    height: round(out.height),
    groups: groupRects(g, nodes),
    nodes,
    edges,
  };
}
