/**
 * @module The diagram as data, before any layout: boxes for the firewall's zones (perimeter) or
 * the protected host (host firewall), boxes for endpoints, one arrow per (source, destination)
 * pair carrying one label line per flow. Pure and deterministic: endpoints in topology order,
 * flows in profile order.
 *
 * Flows between the same two endpoints share one arrow: the larger catalog profiles have up to
 * six flows per pair (A/V RTP/STUN over TCP and UDP), and six parallel arrows with six labels
 * are unreadable where one arrow with six coloured lines is not.
 */
import type { BoundTopology, ResolvedFlow } from "../model/flow.js";
import { portsText } from "../report/matrix.js";
import { toReadable } from "../space/address.js";
import { MARK_STYLE } from "./palette.js";
import { statusText, worstMark, type FlowStatus, type Mark } from "./results.js";

export interface DiagramGroup {
  id: string;
  label: string;
  kind: "zone" | "host";
}

export interface DiagramNode {
  id: string;
  /** Endpoint id in the topology. */
  endpoint: string;
  name: string;
  addresses: string[];
  group?: string;
}

export interface DiagramLine {
  flow: string;
  /** `Access SIP(MTLS) TCP 5061`. */
  text: string;
  mark: Mark;
  retired: boolean;
  /** Tooltip: the flow id, its status and notes. */
  title: string;
}

export interface DiagramEdge {
  id: string;
  from: string;
  to: string;
  lines: DiagramLine[];
  mark: Mark;
}

export interface DiagramGraph {
  title: string;
  groups: DiagramGroup[];
  nodes: DiagramNode[];
  edges: DiagramEdge[];
  /** Flows not drawn: their conditions do not hold for this topology. */
  inactive: string[];
}

/** `Access SIP(MTLS) TCP 5061`, with `from 50000-59999` when the matrix pins source ports. */
export function flowLine(f: ResolvedFlow): string {
  const src = f.sourcePorts ? ` from ${portsText(f.sourcePorts)}` : "";
  return `${f.role} ${f.protocol} ${f.transport.toUpperCase()} ${portsText(f.ports)}${src}`;
}

/** A label line as drawn: the mark's symbol, the flow, and whether it is retired. */
export function labelText(l: DiagramLine): string {
  return `${MARK_STYLE[l.mark].symbol} ${l.text}${l.retired ? " (retired)" : ""}`;
}

function groupsOf(topology: BoundTopology): { groups: DiagramGroup[]; groupOf: Map<string, string> } {
  const fw = topology.firewall;
  const groupOf = new Map<string, string>();
  switch (fw.kind) {
    case "host": {
      groupOf.set(fw.host, "g0");
      return { groups: [{ id: "g0", label: `host firewall on ${fw.host}`, kind: "host" }], groupOf };
    }
    case "perimeter": {
      const groups = fw.zones.map((z, i) => {
        for (const e of z.endpoints) if (!groupOf.has(e)) groupOf.set(e, `g${i}`);
        return { id: `g${i}`, label: `zone ${z.name} (${z.interface})`, kind: "zone" as const };
      });
      return { groups, groupOf };
    }
  }
}

export function buildDiagram(
  topology: BoundTopology,
  statuses: ReadonlyMap<string, FlowStatus> = new Map(),
): DiagramGraph {
  const { groups, groupOf } = groupsOf(topology);
  const drawn = topology.flows.filter((f) => f.active);
  const used = new Set(drawn.flatMap((f) => [f.from, f.to]));
  const nodeId = new Map<string, string>();
  const nodes: DiagramNode[] = [];
  for (const e of topology.endpoints) {
    if (!used.has(e.id) && !groupOf.has(e.id)) continue;
    const id = `n${nodes.length}`;
    nodeId.set(e.id, id);
    const group = groupOf.get(e.id);
    nodes.push({
      id,
      endpoint: e.id,
      name: e.name,
      addresses: toReadable(e.addresses),
      ...(group ? { group } : {}),
    });
  }
  const edges: DiagramEdge[] = [];
  const byPair = new Map<string, DiagramEdge>();
  for (const f of drawn) {
    const from = nodeId.get(f.from);
    const to = nodeId.get(f.to);
    if (from === undefined || to === undefined) continue;
    const key = `${from}>${to}`;
    let edge = byPair.get(key);
    if (!edge) {
      edge = { id: `e${edges.length}`, from, to, lines: [], mark: "none" };
      byPair.set(key, edge);
      edges.push(edge);
    }
    const status = statuses.get(f.id);
    const mark = status?.mark ?? "none";
    const said = statusText(status);
    edge.lines.push({
      flow: f.id,
      text: flowLine(f),
      mark,
      retired: f.retired,
      title: [f.id, said, f.retired ? "retired" : "", f.notes].filter((s) => s !== "").join(" — "),
    });
  }
  for (const e of edges) e.mark = worstMark(e.lines.map((l) => l.mark));
  const usedGroups = new Set(nodes.flatMap((n) => (n.group ? [n.group] : [])));
  return {
    title: `${topology.profileTitle} (${topology.profileId})`,
    groups: groups.filter((g) => usedGroups.has(g.id)),
    nodes,
    edges,
    inactive: topology.flows.filter((f) => !f.active).map((f) => f.id),
  };
}
