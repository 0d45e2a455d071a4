/**
 * `portmatrix show`: the matrix in the seed's own columns, and its JSON contract (version 1).
 * Pure: takes lowered flows, returns text.
 */
import type { BoundTopology, ProductSupport, ResolvedFlow } from "../model/flow.js";
import { supportText } from "../model/profile.js";
import type { Profile } from "../model/schema.js";
import { toReadable } from "../space/address.js";
import { csv, markdownTable, textTable } from "./table.js";

export const SHOW_JSON_VERSION = 1;
export type ShowFormat = "table" | "json" | "csv" | "md";

export const MATRIX_HEADERS = [
  "Role/Protocol/TCP or UDP/Port",
  "Source IP address",
  "Destination IP address",
  "Notes",
];

export function portsText(ranges: ReadonlyArray<{ from: number; to: number }>): string {
  return ranges.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(",");
}

/** `Access/SIP(MTLS)/TCP/5061`, as the vendor writes the first column. */
export function flowLabel(f: ResolvedFlow): string {
  const src = f.sourcePorts ? ` (source ${portsText(f.sourcePorts)})` : "";
  return `${f.role}/${f.protocol}/${f.transport.toUpperCase()}/${portsText(f.ports)}${src}`;
}

function side(name: string, addresses: ResolvedFlow["fromAddresses"]): string {
  return addresses ? `${name}\n${toReadable(addresses).join(", ")}` : name;
}

function status(f: ResolvedFlow, bound: boolean): string {
  const tags: string[] = [];
  if (bound && !f.active) tags.push(`[inactive: needs ${f.conditions.join(", ")}]`);
  if (f.retired) tags.push(`[retired ${f.lifecycle?.ended ?? ""}]`);
  else if (!bound && f.conditions.length > 0) tags.push(`[if ${f.conditions.join(", ")}]`);
  return tags.length > 0 ? `${tags.join(" ")} ` : "";
}

function rows(flows: readonly ResolvedFlow[], bound: boolean, multiline: boolean): string[][] {
  const nl = (s: string): string => (multiline ? s : s.replace(/\n/g, " "));
  return flows.map((f) => [
    flowLabel(f),
    nl(side(f.source, f.fromAddresses)),
    nl(side(f.destination, f.toAddresses)),
    `${status(f, bound)}${f.notes}`,
  ]);
}

export interface ShowInput {
  profile: Profile;
  flows: readonly ResolvedFlow[];
  topology?: BoundTopology;
  /** The product's support lifecycle judged at the as-of date (model/profile.ts productSupport). */
  support?: ProductSupport;
}

/** The title line, and under it the end of support once it has passed. */
function heading(input: ShowInput): string {
  const s = input.support;
  return `${input.profile.product}: ${input.profile.title}\n${s?.unsupported ? `${supportText(s)}\n` : ""}\n`;
}

export function renderShow(input: ShowInput, format: ShowFormat): string {
  const bound = input.topology !== undefined;
  switch (format) {
    case "table":
      return (
        heading(input) +
        textTable(
          MATRIX_HEADERS.map((h, i) => ({ header: h, ...(i === 3 ? { wrap: 60 } : {}) })),
          rows(input.flows, bound, true),
        )
      );
    case "csv":
      return csv(MATRIX_HEADERS, rows(input.flows, bound, false));
    case "md":
      return markdownTable(MATRIX_HEADERS, rows(input.flows, bound, false));
    case "json":
      return JSON.stringify(showJson(input), null, 2) + "\n";
  }
}

export function showJson(input: ShowInput): object {
  const { profile, topology } = input;
  return {
    version: SHOW_JSON_VERSION,
    profile: {
      id: profile.id,
      title: profile.title,
      product: profile.product,
      sources: profile.sources,
      ...(input.support ? { support: input.support } : {}),
    },
    ...(topology
      ? {
          topology: {
            features: topology.features,
            firewall: topology.firewall,
            management: toReadable(topology.management),
          },
        }
      : {}),
    flows: input.flows.map((f) => ({
      id: f.id,
      role: f.role,
      protocol: f.protocol,
      transport: f.transport,
      ports: f.ports,
      ...(f.sourcePorts ? { sourcePorts: f.sourcePorts } : {}),
      source: f.source,
      destination: f.destination,
      from: f.from,
      to: f.to,
      notes: f.notes,
      conditions: f.conditions,
      lifecycle: f.lifecycle ?? null,
      citation: f.citation,
      ...(topology
        ? {
            active: f.active,
            retired: f.retired,
            addresses: { from: toReadable(f.fromAddresses!), to: toReadable(f.toAddresses!) },
          }
        : {}),
    })),
    defects: profile.defects,
  };
}

/** Warnings `show`, `compile` and `audit` print: retired services and the page's known defects. */
export function matrixWarnings(
  profile: Profile,
  flows: readonly ResolvedFlow[],
  support?: ProductSupport,
): string[] {
  const out: string[] = support?.unsupported ? [supportText(support)] : [];
  const byLifecycle = new Map<string, ResolvedFlow[]>();
  for (const f of flows)
    if (f.lifecycle?.ended) byLifecycle.set(f.lifecycle.id, [...(byLifecycle.get(f.lifecycle.id) ?? []), f]);
  for (const [, fs] of byLifecycle) {
    const l = fs[0]!.lifecycle!;
    const exceptions = l.exceptions.map((e) => e.region).join(", ");
    // Each successor followed the one before: a chain, in the profile's (date) order.
    const successors = l.successors.map((s) => (s.date ? `${s.date}: ${s.service}` : s.service)).join(" → ");
    out.push(
      `retired: ${l.service} ended ${l.ended}${exceptions ? ` except ${exceptions}` : ""}; flows ${fs.map((f) => f.id).join(", ")} serve it` +
        (successors ? `; then ${successors}` : ""),
    );
  }
  for (const d of profile.defects) out.push(`source defect (${d.id}): ${d.text} Reading: ${d.reading}`);
  return out;
}
