/**
 * The site's own rules (topology `site:`): endpoints and flows beside the vendor's rows — DNS, NTP,
 * directory, monitoring, management — in the profile's flow shape, lowered into the same
 * ResolvedFlow every consumer reads, marked `origin: "site"`. Pure. Checked with their places in the
 * file: ids unique across profile and site, endpoints known, ports valid.
 */
import { toReadable } from "../space/address.js";
import type { IntervalSet } from "../space/interval-set.js";
import type { BoundTopology, ResolvedFlow } from "./flow.js";
import { resolvePorts, toRanges } from "./ports.js";
import type { Profile, Topology } from "./schema.js";
import type { PathKey } from "./yaml-source.js";

type Err = (code: string, message: string, path: PathKey[], expected?: string, key?: boolean) => void;
type Endpoint = BoundTopology["endpoints"][number];

/** The site's endpoints, bound like the profile's (their names are their ids). */
export function siteEndpoints(
  site: Topology["site"],
  profile: Profile,
  addressesOf: (spec: string | string[], path: PathKey[]) => { set: IntervalSet; hosts: IntervalSet },
  err: Err,
): Endpoint[] {
  const out: Endpoint[] = [];
  for (const [id, spec] of Object.entries(site?.endpoints ?? {})) {
    if (profile.endpoints[id]) {
      err(
        "duplicate-id",
        `site endpoint "${id}" is also an endpoint of profile "${profile.id}"`,
        ["site", "endpoints", id],
        "a site endpoint id the profile does not use (bind the profile's own under endpoints:)",
        true,
      );
      continue;
    }
    const { set, hosts } = addressesOf(spec, ["site", "endpoints", id]);
    out.push({ id, name: id, addresses: set, text: toReadable(set), hosts, origin: "site" });
  }
  return out;
}

/** The site's flows as resolved flows (always active, never retired: the site states them for itself). */
export function siteFlows(
  site: Topology["site"],
  profile: Profile,
  endpoints: readonly Endpoint[],
  variables: ReadonlyMap<string, IntervalSet>,
  err: Err,
): ResolvedFlow[] {
  const ids = new Set(profile.flows.map((f) => f.id));
  const known = endpoints.map((e) => e.id);
  const out: ResolvedFlow[] = [];
  (site?.flows ?? []).forEach((f, i) => {
    const at = (...rest: PathKey[]): PathKey[] => ["site", "flows", i, ...rest];
    let ok = true;
    if (ids.has(f.id)) {
      err(
        "duplicate-id",
        `site flow id "${f.id}" is already a flow of ${profile.id} or of the site`,
        at("id"),
        "a flow id of its own",
      );
      ok = false;
    }
    ids.add(f.id);
    for (const side of ["from", "to"] as const)
      if (!known.includes(f[side])) {
        err(
          "unknown-endpoint",
          `site flow ${f.id}: "${f[side]}" is no endpoint of the profile or the site`,
          at(side),
          `one of ${known.join(", ")}`,
        );
        ok = false;
      }
    const ports = resolvePorts(f.ports, variables);
    const sourcePorts = f.sourcePorts === undefined ? undefined : resolvePorts(f.sourcePorts, variables);
    for (const [r, key] of [
      [ports, "ports"],
      [sourcePorts, "sourcePorts"],
    ] as const)
      if (r && !r.ok) {
        err("invalid-port", r.message, r.index === undefined ? at(key) : at(key, r.index), r.expected);
        ok = false;
      }
    if (!ok || !ports.ok) return;
    const nameOf = (id: string) => endpoints.find((e) => e.id === id)!.name;
    const flow: ResolvedFlow = {
      id: f.id,
      role: "Site",
      protocol: f.protocol,
      transport: f.transport,
      ports: toRanges(ports.set),
      from: f.from,
      to: f.to,
      source: nameOf(f.from),
      destination: nameOf(f.to),
      notes: f.notes,
      conditions: [],
      citation: "the topology's site rules",
      active: true,
      retired: false,
      origin: "site",
    };
    if (sourcePorts?.ok) flow.sourcePorts = toRanges(sourcePorts.set);
    out.push(flow);
  });
  return out;
}
