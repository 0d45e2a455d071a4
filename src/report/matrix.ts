/**
 * `portmatrix show`: the matrix in the seed's own columns, and its JSON contract (version 1).
 * Pure: takes lowered flows, returns text.
 */
import type { BoundTopology, ProductSupport, ResolvedFlow } from "../model/flow.js";
import { supportText } from "../model/profile.js";
import type { Profile } from "../model/schema.js";
import { natOf } from "../model/nat.js";
import { addressText, toReadable } from "../space/address.js";
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

/** An endpoint's public addresses under the topology's static NAT; [] = none. */
function publicOf(topology: BoundTopology | undefined, endpoint: string): string[] {
  const nat = topology && natOf(topology, endpoint);
  return nat ? nat.pairs.map((p) => addressText(p.public)) : [];
}

function side(name: string, addresses: ResolvedFlow["fromAddresses"], pub: readonly string[]): string {
  if (!addresses) return name;
  const nat = pub.length > 0 ? ` (NAT: public ${pub.join(", ")})` : "";
  return `${name}\n${toReadable(addresses).join(", ")}${nat}`;
}

function status(f: ResolvedFlow, bound: boolean): string {
  const tags: string[] = f.origin === "site" ? ["[site]"] : [];
  if (bound && !f.active) tags.push(`[inactive: needs ${f.conditions.join(", ")}]`);
  if (f.retired) tags.push(`[retired ${f.lifecycle?.ended ?? ""}]`);
  else if (!bound && f.conditions.length > 0) tags.push(`[if ${f.conditions.join(", ")}]`);
  return tags.length > 0 ? `${tags.join(" ")} ` : "";
}

function rows(
  flows: readonly ResolvedFlow[],
  topology: BoundTopology | undefined,
  multiline: boolean,
): string[][] {
  const bound = topology !== undefined;
  const nl = (s: string): string => (multiline ? s : s.replace(/\n/g, " "));
  return flows.map((f) => [
    flowLabel(f),
    nl(side(f.source, f.fromAddresses, publicOf(topology, f.from))),
    nl(side(f.destination, f.toAddresses, publicOf(topology, f.to))),
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
  const t = input.topology;
  switch (format) {
    case "table":
      return (
        heading(input) +
        textTable(
          MATRIX_HEADERS.map((h, i) => ({ header: h, ...(i === 3 ? { wrap: 60 } : {}) })),
          rows(input.flows, t, true),
        )
      );
    case "csv":
      return csv(MATRIX_HEADERS, rows(input.flows, t, false));
    case "md":
      return markdownTable(MATRIX_HEADERS, rows(input.flows, t, false));
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
            ...(topology.nat && topology.nat.length > 0
              ? {
                  nat: Object.fromEntries(
                    topology.nat.map((n) => [n.endpoint, publicOf(topology, n.endpoint)]),
                  ),
                }
              : {}),
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
      ...(f.origin ? { origin: f.origin } : {}),
      ...(topology
        ? {
            active: f.active,
            retired: f.retired,
            addresses: { from: toReadable(f.fromAddresses!), to: toReadable(f.toAddresses!) },
            ...publicSides(topology, f),
          }
        : {}),
    })),
    defects: profile.defects,
  };
}

function publicSides(topology: BoundTopology, f: ResolvedFlow): object {
  const from = publicOf(topology, f.from);
  const to = publicOf(topology, f.to);
  if (from.length === 0 && to.length === 0) return {};
  return { public: { ...(from.length > 0 ? { from } : {}), ...(to.length > 0 ? { to } : {}) } };
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
