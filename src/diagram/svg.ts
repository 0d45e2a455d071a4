/**
 * @module SVG from a laid-out diagram. Pure and deterministic: the same layout gives the same bytes.
 * Only presentation attributes, no <style> element and no script, so the picture renders the same
 * standalone, inlined in the report, and under the dashboard's Content-Security-Policy. Every
 * text is escaped (esc); flow ids travel as data-flow attributes for tests and links.
 */
import { esc } from "../report/html-escape.js";
import { labelText, type DiagramEdge } from "./graph.js";
import type { LaidOutDiagram, Point, Rect } from "./layout.js";
import { FONT_FAMILY, FONT_SIZE, LINE_HEIGHT, PAD, textWidth } from "./metrics.js";
import { MARK_STYLE, MARKS } from "./palette.js";
import type { Mark } from "./results.js";

export interface SvgOptions {
  /** Wrap each flow's label line in a link to `${flowHref}${encodeURIComponent(flowId)}` (dashboard). */
  flowHref?: string;
}

const LEGEND_GAP = 16;

function textAt(x: number, y: number, text: string, attrs = ""): string {
  return `<text x="${x}" y="${y}"${attrs}>${esc(text)}</text>`;
}

function box(r: Rect, attrs: string): string {
  return `<rect x="${r.x}" y="${r.y}" width="${r.width}" height="${r.height}" ${attrs}/>`;
}

function path(points: readonly Point[], mark: Mark, arrow: boolean): string {
  if (points.length < 2) return "";
  const d = points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x} ${p.y}`).join(" ");
  const s = MARK_STYLE[mark];
  const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : "";
  const end = arrow ? ` marker-end="url(#arrow-${mark})"` : "";
  return `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.6"${dash}${end}/>`;
}

function markers(): string {
  return MARKS.map(
    (m) =>
      `<marker id="arrow-${m}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="${MARK_STYLE[m].color}"/></marker>`,
  ).join("");
}

function groupSvg(d: LaidOutDiagram): string[] {
  return d.graph.groups.flatMap((g) => {
    const r = d.groups.get(g.id);
    if (!r) return [];
    return [
      `<g class="group" data-group="${esc(g.id)}">`,
      box(r, `rx="8" fill="#f6f8fa" stroke="#8c959f" stroke-dasharray="5 3"`),
      textAt(r.x + PAD, r.y + PAD + FONT_SIZE, g.label, ` font-weight="bold" fill="#424a53"`),
      `</g>`,
    ];
  });
}

function nodeSvg(d: LaidOutDiagram): string[] {
  return d.graph.nodes.flatMap((n) => {
    const r = d.nodes.get(n.id);
    if (!r) return [];
    const lines = r.lines.map((l, i) =>
      textAt(
        r.x + PAD,
        r.y + PAD / 2 + (i + 1) * LINE_HEIGHT - 4,
        l,
        i < r.nameLines ? ` font-weight="bold" fill="#1f2328"` : ` fill="#57606a"`,
      ),
    );
    return [
      `<g class="endpoint" data-endpoint="${esc(n.endpoint)}">`,
      `<title>${esc(`${n.endpoint}: ${n.name}`)}</title>`,
      box(r, `rx="4" fill="#ffffff" stroke="#24292f" stroke-width="1.2"`),
      ...lines,
      `</g>`,
    ];
  });
}

function edgeSvg(d: LaidOutDiagram, e: DiagramEdge, opts: SvgOptions): string[] {
  const route = d.edges.get(e.id);
  if (!route) return [];
  const r = route.label;
  const lines = e.lines.map((l, i) => {
    const text = textAt(
      r.x + PAD,
      r.y + PAD / 2 + (i + 1) * LINE_HEIGHT - 4,
      labelText(l),
      ` fill="${MARK_STYLE[l.mark].color}"`,
    );
    const line = `<g class="flow" data-flow="${esc(l.flow)}" data-mark="${l.mark}"><title>${esc(l.title)}</title>${text}</g>`;
    return opts.flowHref !== undefined
      ? `<a href="${esc(opts.flowHref + encodeURIComponent(l.flow))}">${line}</a>`
      : line;
  });
  return [
    `<g class="arrow" data-edge="${e.id}" data-mark="${e.mark}">`,
    path(route.in, e.mark, false),
    path(route.out, e.mark, true),
    box(r, `rx="3" fill="#ffffff" stroke="${MARK_STYLE[e.mark].color}"`),
    ...lines,
    `</g>`,
  ];
}

/** The legend under the drawing: one line per mark in use, then the flows not drawn. */
function legend(d: LaidOutDiagram, y0: number): { svg: string[]; height: number; width: number } {
  const used = new Set(d.graph.edges.flatMap((e) => e.lines.map((l) => l.mark)));
  const lines: Array<{ text: string; color: string }> = MARKS.filter((m) => used.has(m)).map((m) => ({
    text: `${MARK_STYLE[m].symbol} ${MARK_STYLE[m].legend}`,
    color: MARK_STYLE[m].color,
  }));
  if (d.graph.inactive.length > 0)
    lines.push({ text: `not drawn (conditions not met): ${d.graph.inactive.join(", ")}`, color: "#57606a" });
  const svg = lines.map((l, i) => textAt(24, y0 + (i + 1) * LINE_HEIGHT, l.text, ` fill="${l.color}"`));
  return { svg, height: lines.length * LINE_HEIGHT + PAD, width: 24 + textWidth(lines.map((l) => l.text)) };
}

export function renderSvg(d: LaidOutDiagram, opts: SvgOptions = {}): string {
  const title = textAt(
    24,
    24,
    d.graph.title,
    ` font-weight="bold" font-size="${FONT_SIZE + 2}" fill="#1f2328"`,
  );
  const top = 40;
  const body = [...groupSvg(d), ...d.graph.edges.flatMap((e) => edgeSvg(d, e, opts)), ...nodeSvg(d)];
  const key = legend(d, top + d.height + LEGEND_GAP);
  const width = Math.ceil(Math.max(d.width, key.width, textWidth([d.graph.title]) * 1.2));
  const height = Math.ceil(top + d.height + LEGEND_GAP + key.height);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(d.graph.title)}" font-family="${esc(FONT_FAMILY)}" font-size="${FONT_SIZE}">`,
    `<title>${esc(d.graph.title)}</title>`,
    `<defs>${markers()}</defs>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    title,
    `<g transform="translate(0 ${top})">`,
    ...body,
    `</g>`,
    ...key.svg,
    `</svg>`,
    "",
  ].join("\n");
}
