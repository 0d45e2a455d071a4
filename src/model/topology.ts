/** Binds a checked profile to a topology: addresses, features, firewall, management. Pure. */
import { diag, hasErrors, type Diagnostic, type Position } from "../diag/diagnostic.js";
import { addressText, ALL_V4, ALL_V6, parseAddress, toReadable, V6_BASE } from "../space/address.js";
import { IntervalSet } from "../space/interval-set.js";
import type {
  BoundTopology,
  ExpectedCertificate,
  ExpectedDnsRecord,
  FirewallSpec,
  HostInterface,
} from "./flow.js";
import { lowerFlows, oneOf, productSupport, resolveVariables, type LoadedProfile } from "./profile.js";
import {
  TOPOLOGY_SECTIONS,
  topologyKeys,
  topologySchema,
  topologySchemaWithoutSections,
  hostTopologySchemaWithoutSections,
  type Certificate,
  type DnsRecord,
  type Topology,
} from "./schema.js";
import type { PathKey, YamlSource } from "./yaml-source.js";
import { zodDiagnostics } from "./zod-diagnostics.js";
import { parseLeniently, type LenientResult } from "./lenient.js";
import { bindNat } from "./nat.js";
import { siteEndpoints, siteFlows } from "./site.js";

/**
 * Structure, field by field: the valid parts come back even when others are wrong, so the binding
 * checks can still run and the user sees every problem at once. `firewall` is absent when invalid.
 */
export type PartialTopology = Omit<Topology, "firewall"> & { firewall?: Topology["firewall"] };

export function parseTopology(source: YamlSource): { topology?: PartialTopology; diagnostics: Diagnostic[] } {
  const { data, issues } = parseTopologyFields(source.value);
  const diagnostics = issues.length === 0 ? [] : zodDiagnostics(source, topologySchema(), issues);
  if (typeof data.profile !== "string") return { diagnostics };
  return {
    // Records keyed by user names have no prototype (as nameRecord makes them), also when absent.
    topology: {
      endpoints: Object.create(null) as object,
      features: [],
      variables: Object.create(null) as object,
      ...data,
    } as unknown as PartialTopology,
    diagnostics,
  };
}

/**
 * parseLeniently with topologySchema, without building its `site` and `compile` schemas when the
 * file has neither (issue 21: start-up ≤ 0.1 s): the other fields are parsed as topologySchema
 * parses them (the same field schemas, in the same order), and the two absent sections come out as
 * zod gives an absent optional field: undefined, at their place among the keys. Unknown keys are
 * the same too, the input having no key of either section. A host firewall (`kind: host`) is parsed
 * with its option alone, as the discriminated union does, without the perimeter's schemas.
 */
export function parseTopologyFields(value: unknown): LenientResult {
  if (
    typeof value !== "object" ||
    value === null ||
    Array.isArray(value) ||
    TOPOLOGY_SECTIONS.some((key) => Object.hasOwn(value, key))
  )
    return parseLeniently(topologySchema(), value);
  const firewall = (value as Record<string, unknown>).firewall;
  const host =
    typeof firewall === "object" &&
    firewall !== null &&
    !Array.isArray(firewall) &&
    (firewall as Record<string, unknown>).kind === "host";
  const { data, issues } = parseLeniently(
    host ? hostTopologySchemaWithoutSections() : topologySchemaWithoutSections(),
    value,
  );
  const ordered: Record<string, unknown> = {};
  for (const key of topologyKeys())
    if (Object.hasOwn(data, key)) ordered[key] = data[key];
    else if ((TOPOLOGY_SECTIONS as readonly string[]).includes(key)) ordered[key] = undefined;
  return { data: ordered, issues };
}

export function bindTopology(
  topology: PartialTopology,
  source: YamlSource,
  loaded: LoadedProfile,
  asOf: string,
  structural: readonly Diagnostic[] = [],
): { bound?: BoundTopology; diagnostics: Diagnostic[] } {
  const { profile } = loaded;
  const diagnostics: Diagnostic[] = [...structural];
  const err = (code: string, message: string, path: PathKey[], expected?: string, key = false): void => {
    diagnostics.push(diag(code, "error", message, { at: source.positionOf(path, { key }), expected }));
  };
  const endpointIds = Object.keys(profile.endpoints);

  /** The set of addresses, and (`hosts`) those written one at a time: single addresses, not networks. */
  const addressesOf = (
    spec: string | string[],
    path: PathKey[],
  ): { set: IntervalSet; hosts: IntervalSet } => {
    const terms = Array.isArray(spec) ? spec : [spec];
    let set = IntervalSet.EMPTY;
    let hosts = IntervalSet.EMPTY;
    terms.forEach((t, i) => {
      const r = parseAddress(t);
      const at = Array.isArray(spec) ? [...path, i] : path;
      if (r.ok && MAPPED_V4.contains(r.set)) {
        err(
          "mapped-address",
          `"${t}" is an IPv4-mapped IPv6 address: IPv4 packets carry the IPv4 address, so rules for it would never match`,
          at,
          mappedExpectation(r.set),
        );
      } else if (r.ok) {
        set = set.union(r.set);
        if (r.set.size() === 1n) hosts = hosts.union(r.set);
      } else err("invalid-address", `"${t}" is not an address`, at, r.expected);
    });
    return { set, hosts };
  };

  for (const id of Object.keys(topology.endpoints)) {
    if (!profile.endpoints[id])
      err(
        "unknown-endpoint",
        `profile "${profile.id}" has no endpoint "${id}"`,
        ["endpoints", id],
        oneOf(endpointIds),
        true,
      );
  }
  const raw = source.value as { endpoints?: unknown } | null;
  const rawEndpoints =
    raw !== null && typeof raw === "object" && typeof raw.endpoints === "object" && raw.endpoints !== null
      ? (raw.endpoints as Record<string, unknown>)
      : {};
  const endpoints = endpointIds.flatMap((id) => {
    const spec = topology.endpoints[id];
    const known = profile.endpoints[id]!;
    if (spec === undefined && !Object.hasOwn(rawEndpoints, id) && (known.addresses || known.fqdns)) {
      // The profile knows this endpoint (a published service's ranges or names): the topology may omit it.
      const { set: addresses, hosts } = addressesOf(known.addresses ?? [], ["endpoints"]);
      const fqdns = known.addresses ? undefined : known.fqdns;
      return [
        {
          id,
          name: known.name,
          addresses,
          text: toReadable(addresses),
          hosts,
          ...(fqdns ? { fqdns: [...fqdns] } : {}),
        },
      ];
    }
    if (spec === undefined) {
      // Bound in the file but not validly: its own diagnostic says why; "not bound" would be false.
      if (Object.hasOwn(rawEndpoints, id)) return [];
      err(
        "unbound-endpoint",
        `endpoint "${id}" (${profile.endpoints[id]!.name}) is not bound to any address`,
        ["endpoints"],
        `an entry "${id}: <addresses or any>"`,
      );
      return [];
    }
    // `hosts`: the service addresses, each needing its own A record, a listener, a lab host.
    const { set: addresses, hosts } = addressesOf(spec, ["endpoints", id]);
    const at = source.positionOf(["endpoints", id]);
    return [{ id, name: profile.endpoints[id]!.name, addresses, text: toReadable(addresses), hosts, at }];
  });

  topology.features.forEach((f, i) => {
    if (!profile.features[f])
      err(
        "unknown-feature",
        `profile "${profile.id}" has no feature "${f}"`,
        ["features", i],
        oneOf(Object.keys(profile.features)),
      );
  });
  for (const name of Object.keys(topology.variables)) {
    if (!(name in profile.variables))
      err(
        "unknown-variable",
        `profile "${profile.id}" has no port variable "${name}"`,
        ["variables", name],
        oneOf(Object.keys(profile.variables)),
        true,
      );
  }
  const variables = resolveVariables(profile.variables, topology.variables, (message, path, expected) =>
    err("invalid-port", message, ["variables", ...path], expected),
  );

  // The site's own endpoints join the profile's (zones, NAT and flows may name them).
  const site = siteEndpoints(topology.site, profile, addressesOf, err);
  const allEndpoints = [...endpoints, ...site];
  const allIds = [...endpointIds, ...site.map((e) => e.id)];
  const ownFlows = siteFlows(topology.site, profile, allEndpoints, variables, err);
  const firewall =
    topology.firewall && checkFirewall(topology.firewall, allIds, err, (path) => source.positionOf(path));
  const management =
    topology.management === undefined
      ? IntervalSet.EMPTY
      : addressesOf(topology.management, ["management"]).set;
  const open = [ALL_V4, ALL_V6]
    .filter((all) => management.contains(all))
    .map((all) => (all === ALL_V4 ? "IPv4" : "IPv6"));
  if (open.length > 0) {
    const what = `management admits every ${open.join(" and every ")} address: any connection from the whole Internet to ${topology.firewall?.kind === "host" ? topology.firewall.host : "the firewall itself"}`;
    if (topology.managementFromAnywhere === true)
      diagnostics.push(
        diag("open-management", "warning", `${what} (managementFromAnywhere: true)`, {
          at: source.positionOf(["management"]),
        }),
      );
    else
      err(
        "open-management",
        what,
        ["management"],
        "the admin networks only (e.g. 198.51.100.0/28), or managementFromAnywhere: true to open it on purpose",
      );
  }
  // Not the whole Internet, but most of it (0.0.0.0/1, 2000::/3): said, not refused.
  const wide = (
    [
      [ALL_V4, "IPv4", 1n << 24n, "/8"],
      [ALL_V6, "IPv6", 1n << 96n, "/32"],
    ] as const
  ).filter(([all, , limit]) => !management.contains(all) && management.intersect(all).size() > limit);
  for (const [all, fam, , prefix] of wide)
    diagnostics.push(
      diag(
        "wide-management",
        "warning",
        `management admits more ${fam} addresses than a ${prefix} (${toReadable(management.intersect(all)).slice(0, 3).join(", ")}): connections from a large part of the Internet to ${topology.firewall?.kind === "host" ? topology.firewall.host : "the firewall itself"}`,
        { at: source.positionOf(["management"]), expected: "the admin networks only (e.g. 198.51.100.0/28)" },
      ),
    );
  const nat = bindNat({
    nat: topology.nat,
    endpoints: allEndpoints,
    endpointIds: allIds,
    firewall,
    advisories: profile.advisories,
    features: new Set(topology.features),
    source,
  });
  diagnostics.push(...nat.diagnostics);
  // Reject targets: a direction, or (perimeter) a zone whose entering packets are rejected.
  const directions = [
    "in",
    "out",
    "forward",
    ...(firewall?.kind === "perimeter" ? firewall.zones.map((z) => z.name) : []),
  ];
  (topology.compile?.reject ?? []).forEach((w, i) => {
    if (firewall && !directions.includes(w))
      err(
        "invalid-value",
        `compile.reject: "${w}" is no direction or zone`,
        ["compile", "reject", i],
        oneOf(directions),
      );
  });
  if (hasErrors(diagnostics) || !firewall) return { diagnostics };

  const byId = new Map(allEndpoints.map((e) => [e.id, e.addresses]));
  const lowered = lowerFlows(profile, { variables, features: new Set(topology.features), asOf });
  const flows = [...lowered, ...ownFlows].map((f) => ({
    ...f,
    fromAddresses: byId.get(f.from) ?? IntervalSet.EMPTY,
    toAddresses: byId.get(f.to) ?? IntervalSet.EMPTY,
  }));
  const support = productSupport(profile, asOf);
  return {
    bound: {
      profileId: profile.id,
      profileTitle: profile.title,
      ...(support ? { support } : {}),
      flows,
      endpoints: allEndpoints,
      features: [...topology.features],
      firewall,
      management,
      ...(nat.nat.length > 0 ? { nat: nat.nat } : {}),
      ...(topology.compile ? { compileOptions: topology.compile } : {}),
      sipDomains: [...(topology.sipDomains ?? [])],
      certificates: expectedCertificates(
        profile.certificates,
        topology.sipDomains ?? [],
        new Set(topology.features),
      ),
      dns: expectedDnsRecords(profile.dns, topology.sipDomains ?? [], new Set(topology.features)),
    },
    diagnostics,
  };
}

/**
 * ::ffff:0:0/96, the IPv4-mapped IPv6 addresses (RFC 4291 §2.5.5.2): they stand for IPv4 peers in
 * dual-stack socket APIs and never appear in packets, so a rule naming them matches nothing. The
 * topology is refused rather than silently rewritten: the admin meant one family, and the file
 * should say which (a rewrite would also change what probe and lab address).
 */
const MAPPED_V4 = IntervalSet.of(V6_BASE + 0xffff00000000n, V6_BASE + 0xffffffffffffn);

function mappedExpectation(set: IntervalSet): string {
  const lo = set.min()! - V6_BASE - 0xffff00000000n;
  const hi = set.max()! - V6_BASE - 0xffff00000000n;
  const v4 = lo === hi ? addressText(lo) : `${addressText(lo)}-${addressText(hi)}`;
  return lo === hi ? `the IPv4 address itself (${v4})` : `the IPv4 addresses themselves (${v4})`;
}

/**
 * A profile's certificate names for these SIP domains: `{domain}` is the default (first) domain,
 * `{each additional SIP domain}` one name per further domain. Certificates whose conditions the
 * features do not meet are left out; none at all without domains (the names would be templates).
 */
export function expectedCertificates(
  certs: readonly Certificate[],
  domains: readonly string[],
  features: ReadonlySet<string>,
): ExpectedCertificate[] {
  if (domains.length === 0) return [];
  const fill = (template: string): string[] => {
    if (template.includes("{each additional SIP domain}"))
      return domains.slice(1).map((d) => template.replaceAll("{each additional SIP domain}", d));
    return [template.replaceAll("{domain}", domains[0]!)];
  };
  return certs
    .filter((c) => conditionsMet(c.conditions, features))
    .map((c) => ({
      id: c.id,
      endpoints: [...c.assignedTo],
      names: [...new Set([c.subjectName, ...c.subjectAltNames].flatMap(fill).map((n) => n.toLowerCase()))],
    }));
}

const conditionsMet = (conds: Certificate["conditions"], features: ReadonlySet<string>): boolean =>
  conds.every((k) => (typeof k === "string" ? [k] : k.anyOf).some((n) => features.has(n)));

/**
 * A profile's DNS records for these SIP domains: a record whose name holds `{domain}` is needed once
 * per domain (the pages: "one per SIP domain"), its SRV target filled with the same domain. Records
 * whose conditions the features do not meet are left out; none at all without domains.
 */
export function expectedDnsRecords(
  records: readonly DnsRecord[],
  domains: readonly string[],
  features: ReadonlySet<string>,
): ExpectedDnsRecord[] {
  if (domains.length === 0) return [];
  return records
    .filter((r) => conditionsMet(r.conditions, features))
    .flatMap((r) =>
      (r.name.includes("{domain}") ? domains : [undefined]).map((domain) => {
        const fill = (t: string): string =>
          (domain === undefined ? t : t.replaceAll("{domain}", domain)).toLowerCase();
        const pointsAt = r.type === "SRV" || r.type === "CNAME";
        return {
          location: r.location,
          type: r.type,
          name: fill(r.name),
          ...(domain !== undefined ? { domain } : {}),
          ...(r.port !== undefined ? { port: r.port } : {}),
          ...(pointsAt ? { target: fill(r.target) } : { describes: r.target }),
          ...(r.endpoint !== undefined ? { endpoint: r.endpoint } : {}),
          notes: r.notes,
        };
      }),
    );
}

/**
 * `prefix*` stands for every endpoint whose id starts with prefix and that no group (zone,
 * interface) names outright (an imported feed's `set-*`; `*`: all the rest): the endpoints are
 * listed, not guessed, once the pattern is expanded. `except`: ids no pattern stands for.
 */
function patternExpander(
  groups: readonly (readonly string[])[],
  endpointIds: readonly string[],
  except?: string,
): (pattern: string) => string[] {
  const named = new Set(groups.flatMap((g) => g.filter((e) => !e.endsWith("*"))));
  return (e) =>
    e.endsWith("*")
      ? endpointIds.filter((id) => id !== except && id.startsWith(e.slice(0, -1)) && !named.has(id))
      : [e];
}

/**
 * A host's `interfaces:` — which endpoints each interface reaches, patterns expanded as zones'
 * are. The host is never reached through an interface (its own packets stay on it), and loopback
 * is not one of the host's network interfaces (the audit leaves it out of every leg).
 */
function hostInterfaces(
  host: string,
  given: Record<string, string[]>,
  endpointIds: string[],
  err: (code: string, message: string, path: PathKey[], expected?: string) => void,
  positionOf: (path: PathKey[]) => Position | undefined,
): HostInterface[] {
  const placed = new Map<string, string>();
  const expand = patternExpander(Object.values(given), endpointIds, host);
  return Object.entries(given).map(([name, patterns]) => {
    if (name === "lo")
      err(
        "host-interface",
        `interface "lo" is the loopback: no endpoint is reached through it`,
        ["firewall", "interfaces", name],
        "the host's network interfaces (eth0, ens192, …)",
      );
    patterns.forEach((pattern, i) => {
      const path = ["firewall", "interfaces", name, i];
      if (pattern === host) {
        err(
          "host-interface",
          `interface "${name}" names the host "${host}" itself: its own packets reach it through no interface`,
          path,
          "the endpoints the host reaches through this interface",
        );
        return;
      }
      if (pattern.endsWith("*") && expand(pattern).length === 0)
        err(
          "unknown-endpoint",
          `interface "${name}": "${pattern}" matches no endpoint`,
          path,
          oneOf(endpointIds),
        );
      for (const e of expand(pattern)) {
        if (!endpointIds.includes(e))
          err(
            "unknown-endpoint",
            `interface "${name}" names unknown endpoint "${e}"`,
            path,
            oneOf(endpointIds),
          );
        else if (placed.has(e))
          err(
            "duplicate-interface",
            `endpoint "${e}" is reached through interface "${placed.get(e)}" and interface "${name}"`,
            path,
            "each endpoint through one interface",
          );
        else placed.set(e, name);
      }
    });
    const at = positionOf(["firewall", "interfaces", name]);
    return {
      name,
      endpoints: patterns.flatMap(expand).filter((e) => e !== host && endpointIds.includes(e)),
      ...(at ? { at } : {}),
    };
  });
}

function checkFirewall(
  fw: Topology["firewall"],
  endpointIds: string[],
  err: (code: string, message: string, path: PathKey[], expected?: string) => void,
  positionOf: (path: PathKey[]) => Position | undefined,
): FirewallSpec | undefined {
  if (fw.kind === "host") {
    if (!endpointIds.includes(fw.host)) {
      err(
        "unknown-endpoint",
        `firewall host "${fw.host}" is not an endpoint of the profile`,
        ["firewall", "host"],
        oneOf(endpointIds),
      );
      return undefined;
    }
    if (!fw.interfaces) return { kind: "host", host: fw.host };
    return {
      kind: "host",
      host: fw.host,
      interfaces: hostInterfaces(fw.host, fw.interfaces, endpointIds, err, positionOf),
    };
  }
  const placed = new Map<string, string>();
  const expand = patternExpander(
    Object.values(fw.zones).map((z) => z.endpoints),
    endpointIds,
  );
  const zones = Object.entries(fw.zones).map(([name, z]) => {
    z.endpoints.forEach((pattern, i) => {
      const path = ["firewall", "zones", name, "endpoints", i];
      if (pattern.endsWith("*") && expand(pattern).length === 0)
        err("unknown-endpoint", `zone "${name}": "${pattern}" matches no endpoint`, path, oneOf(endpointIds));
      for (const e of expand(pattern)) {
        if (!endpointIds.includes(e))
          err("unknown-endpoint", `zone "${name}" names unknown endpoint "${e}"`, path, oneOf(endpointIds));
        else if (placed.has(e))
          err(
            "duplicate-zone",
            `endpoint "${e}" is in zone "${placed.get(e)}" and zone "${name}"`,
            path,
            "each endpoint in one zone",
          );
        else placed.set(e, name);
      }
    });
    const interfaceAt = positionOf(["firewall", "zones", name, "interface"]);
    return {
      name,
      interface: z.interface,
      endpoints: z.endpoints.flatMap(expand),
      ...(interfaceAt ? { interfaceAt } : {}),
    };
  });
  const interfaces = new Set<string>();
  zones.forEach((z) => {
    if (interfaces.has(z.interface))
      err(
        "duplicate-interface",
        `interface "${z.interface}" serves two zones`,
        ["firewall", "zones", z.name, "interface"],
        "one interface per zone",
      );
    interfaces.add(z.interface);
  });
  const unplaced = endpointIds.filter((e) => !placed.has(e));
  if (unplaced.length > 0)
    err(
      "unzoned-endpoint",
      `endpoints ${unplaced.join(", ")} are in no zone`,
      ["firewall", "zones"],
      "every endpoint in exactly one zone",
    );
  return { kind: "perimeter", zones };
}
