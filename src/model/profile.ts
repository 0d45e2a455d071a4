/**
 * A profile's checks beyond structure (references, ports) and its flows in lowered form.
 * Pure: takes parsed YAML, returns data and diagnostics.
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { parseAddress } from "../space/address.js";
import { IntervalSet } from "../space/interval-set.js";
import type { LifecycleFact, ProductSupport, ResolvedFlow } from "./flow.js";
import { resolvePorts, toRanges, type PortSpec } from "./ports.js";
import { profileSchema, type Profile } from "./schema.js";
import type { PathKey, YamlSource } from "./yaml-source.js";
import { zodDiagnostics } from "./zod-diagnostics.js";
import { parseLeniently } from "./lenient.js";

export interface LoadedProfile {
  profile: Profile;
  source: YamlSource;
}

export function checkProfile(source: YamlSource): { loaded?: LoadedProfile; diagnostics: Diagnostic[] } {
  const { data, issues } = parseLeniently(profileSchema(), source.value);
  const diagnostics: Diagnostic[] = zodDiagnostics(source, profileSchema(), issues);
  // Reference checks run on the valid parts, so every problem is reported in one run.
  // Records keyed by user names have no prototype (as nameRecord makes them), also when absent.
  const none = (): Record<string, never> => Object.create(null) as Record<string, never>;
  const profile = {
    sources: none(),
    endpoints: none(),
    features: none(),
    variables: none(),
    lifecycles: none(),
    defects: [],
    flows: [],
    dns: [],
    certificates: [],
    advisories: [],
    ...data,
  } as unknown as Profile;
  // Structurally broken flows are holes (undefined) so positions of the others stay right.
  const flows = profile.flows as ReadonlyArray<Profile["flows"][number] | undefined>;
  const err = (code: string, message: string, path: PathKey[], expected?: string): void => {
    diagnostics.push(diag(code, "error", message, { at: source.positionOf(path), expected }));
  };
  const variables = resolveVariables(profile.variables, {}, (message, path, expected) =>
    err("invalid-port", message, ["variables", ...path], expected),
  );
  const endpointIds = Object.keys(profile.endpoints);
  const endpointsKnown = data.endpoints !== undefined;
  const featureIds = Object.keys(profile.features);
  const seen = new Set<string>();
  flows.forEach((flow, i) => {
    if (!flow) return;
    const at = (...p: PathKey[]): PathKey[] => ["flows", i, ...p];
    if (seen.has(flow.id))
      err("duplicate-id", `flow id "${flow.id}" is used twice`, at("id"), "unique flow ids");
    seen.add(flow.id);
    for (const side of ["from", "to"] as const) {
      if (endpointsKnown && !profile.endpoints[flow[side]]) {
        err(
          "unknown-endpoint",
          `flow "${flow.id}" names unknown endpoint "${flow[side]}"`,
          at(side),
          oneOf(endpointIds),
        );
      }
    }
    checkPorts(flow.ports, variables, at("ports"), err);
    if (flow.sourcePorts !== undefined) checkPorts(flow.sourcePorts, variables, at("sourcePorts"), err);
    flow.conditions.forEach((c, k) => {
      const names = typeof c === "string" ? [c] : c.anyOf;
      names.forEach((name, n) => {
        if (data.features !== undefined && !profile.features[name]) {
          const path = typeof c === "string" ? at("conditions", k) : at("conditions", k, "anyOf", n);
          err(
            "unknown-feature",
            `flow "${flow.id}" depends on unknown feature "${name}"`,
            path,
            oneOf(featureIds),
          );
        }
      });
    });
    if (
      flow.lifecycle !== undefined &&
      data.lifecycles !== undefined &&
      !profile.lifecycles[flow.lifecycle]
    ) {
      err(
        "unknown-lifecycle",
        `flow "${flow.id}" names unknown lifecycle "${flow.lifecycle}"`,
        at("lifecycle"),
        oneOf(Object.keys(profile.lifecycles)),
      );
    }
    if (flow.source !== undefined && data.sources !== undefined && !profile.sources[flow.source]) {
      err(
        "unknown-source",
        `flow "${flow.id}" cites unknown source "${flow.source}"`,
        at("source"),
        oneOf(Object.keys(profile.sources)),
      );
    }
  });
  if (data.sources !== undefined && Object.keys(profile.sources).length === 0)
    err("missing-source", "the profile cites no source document", ["sources"], "at least one source");
  checkCatalogData(
    profile,
    data.features !== undefined,
    endpointsKnown,
    rawKeys(source.value, "lifecycles"),
    err,
  );
  if (profile.support !== undefined && data.lifecycles !== undefined && !profile.lifecycles[profile.support])
    err(
      "unknown-lifecycle",
      `support names unknown lifecycle "${profile.support}"`,
      ["support"],
      oneOf(Object.keys(profile.lifecycles)),
    );
  for (const [name, l] of Object.entries(profile.lifecycles))
    if (l.source !== undefined && data.sources !== undefined && !profile.sources[l.source])
      err(
        "unknown-source",
        `lifecycle "${name}" cites unknown source "${l.source}"`,
        ["lifecycles", name, "source"],
        oneOf(Object.keys(profile.sources)),
      );
  profile.defects.forEach((d, i) =>
    d?.flows.forEach((f, k) => {
      if (!seen.has(f))
        err("unknown-flow", `defect "${d.id}" names unknown flow "${f}"`, ["defects", i, "flows", k]);
    }),
  );
  return diagnostics.length > 0 ? { diagnostics } : { loaded: { profile, source }, diagnostics };
}

/**
 * References inside the DNS records, certificates and advisories (additive catalog data): endpoint
 * ids, feature names and source ids must exist, like the flows' references.
 */
function checkCatalogData(
  profile: Profile,
  featuresKnown: boolean,
  endpointsKnown: boolean,
  lifecycleNames: readonly string[],
  err: (code: string, message: string, path: PathKey[], expected?: string) => void,
): void {
  const endpointIds = Object.keys(profile.endpoints);
  const endpoint = (id: string, what: string, path: PathKey[]): void => {
    if (endpointsKnown && !profile.endpoints[id])
      err("unknown-endpoint", `${what} names unknown endpoint "${id}"`, path, oneOf(endpointIds));
  };
  const conditions = (cs: Profile["advisories"][number]["conditions"], what: string, path: PathKey[]): void =>
    cs.forEach((c, k) =>
      (typeof c === "string" ? [c] : c.anyOf).forEach((name, n) => {
        if (featuresKnown && !profile.features[name])
          err(
            "unknown-feature",
            `${what} depends on unknown feature "${name}"`,
            typeof c === "string" ? [...path, "conditions", k] : [...path, "conditions", k, "anyOf", n],
            oneOf(Object.keys(profile.features)),
          );
      }),
    );
  const source = (id: string | undefined, what: string, path: PathKey[]): void => {
    if (id !== undefined && Object.keys(profile.sources).length > 0 && !profile.sources[id])
      err(
        "unknown-source",
        `${what} cites unknown source "${id}"`,
        [...path, "source"],
        oneOf(Object.keys(profile.sources)),
      );
  };
  // Structurally broken items are holes (undefined), already reported: skipped here.
  for (const [id, e] of Object.entries(profile.endpoints))
    e?.addresses?.forEach((a, i) => {
      const r = parseAddress(a);
      if (!r.ok)
        err("invalid-address", `"${a}" is not an address`, ["endpoints", id, "addresses", i], r.expected);
    });
  profile.dns.forEach((r, i) => {
    if (!r) return;
    const what = `DNS record "${r.name}"`;
    if (r.endpoint !== undefined) endpoint(r.endpoint, what, ["dns", i, "endpoint"]);
    conditions(r.conditions, what, ["dns", i]);
    source(r.source, what, ["dns", i]);
  });
  profile.certificates.forEach((c, i) => {
    if (!c) return;
    const what = `certificate "${c.id}"`;
    c.assignedTo.forEach((e, k) => endpoint(e, what, ["certificates", i, "assignedTo", k]));
    conditions(c.conditions, what, ["certificates", i]);
    source(c.source, what, ["certificates", i]);
  });
  // Names from the YAML itself: a lifecycle with a structural error is already reported, not "unknown".
  for (const [name, f] of Object.entries(profile.features)) {
    if (f.lifecycle !== undefined && !lifecycleNames.includes(f.lifecycle))
      err(
        "unknown-lifecycle",
        `feature "${name}" names unknown lifecycle "${f.lifecycle}"`,
        ["features", name, "lifecycle"],
        oneOf(lifecycleNames),
      );
  }
  profile.advisories.forEach((a, i) => {
    if (!a) return;
    const what = `advisory "${a.id}"`;
    conditions(a.conditions, what, ["advisories", i]);
    source(a.source, what, ["advisories", i]);
  });
}

function rawKeys(value: unknown, key: string): string[] {
  const v = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  return v !== null && typeof v === "object" && !Array.isArray(v) ? Object.keys(v) : [];
}

export function oneOf(ids: readonly string[]): string {
  return ids.length > 0 ? `one of ${ids.join(", ")}` : "none are defined";
}

type PortError = (message: string, path: PathKey[], expected: string) => void;

function checkPorts(
  spec: PortSpec,
  variables: ReadonlyMap<string, IntervalSet>,
  path: PathKey[],
  err: (c: string, m: string, p: PathKey[], e?: string) => void,
): void {
  const r = resolvePorts(spec, variables);
  if (!r.ok) err("invalid-port", r.message, r.index === undefined ? path : [...path, r.index], r.expected);
}

/** Resolves port variables: the profile's defaults, then the topology's overrides. */
export function resolveVariables(
  defaults: Readonly<Record<string, PortSpec>>,
  overrides: Readonly<Record<string, PortSpec>>,
  onError: PortError,
): Map<string, IntervalSet> {
  const out = new Map<string, IntervalSet>();
  const none = new Map<string, IntervalSet>();
  for (const [name, spec] of Object.entries({ ...defaults, ...overrides })) {
    const r = resolvePorts(spec, none);
    if (r.ok) out.set(name, r.set);
    else onError(r.message, r.index === undefined ? [name] : [name, r.index], r.expected);
  }
  return out;
}

export interface FlowContext {
  variables: ReadonlyMap<string, IntervalSet>;
  /** Enabled features; undefined = no topology (every flow counts as active). */
  features?: ReadonlySet<string>;
  /** ISO date used to judge lifecycles (passed in: the pure core reads no clock). */
  asOf?: string;
}

/** Lowers every flow of a checked profile (ports resolved, lifecycle attached). */
export function lowerFlows(profile: Profile, ctx: FlowContext): ResolvedFlow[] {
  const firstSource = Object.keys(profile.sources)[0] ?? "";
  return profile.flows.map((f) => {
    const ports = resolvePorts(f.ports, ctx.variables);
    const sourcePorts = f.sourcePorts === undefined ? undefined : resolvePorts(f.sourcePorts, ctx.variables);
    const lifecycle = f.lifecycle === undefined ? undefined : lifecycleFact(profile, f.lifecycle);
    const conditions = f.conditions.map((c) => (typeof c === "string" ? c : c.anyOf.join("|")));
    const active =
      ctx.features === undefined ||
      f.conditions.every((c) => (typeof c === "string" ? [c] : c.anyOf).some((n) => ctx.features!.has(n)));
    const flow: ResolvedFlow = {
      id: f.id,
      role: f.role,
      protocol: f.protocol,
      transport: f.transport,
      ports: toRanges(ports.ok ? ports.set : IntervalSet.EMPTY),
      from: f.from,
      to: f.to,
      source: profile.endpoints[f.from]?.name ?? f.from,
      destination: profile.endpoints[f.to]?.name ?? f.to,
      notes: f.notes,
      conditions,
      citation: citationOf(profile, f.source ?? firstSource),
      active,
      retired: lifecycle?.ended !== undefined && ctx.asOf !== undefined && lifecycle.ended <= ctx.asOf,
    };
    if (sourcePorts?.ok) flow.sourcePorts = toRanges(sourcePorts.set);
    if (lifecycle) flow.lifecycle = lifecycle;
    return flow;
  });
}

/**
 * The product's own support lifecycle (`support`), judged against `asOf` when one is given: the pure
 * core reads no clock, so without a date nothing is called unsupported.
 */
export function productSupport(profile: Profile, asOf?: string): ProductSupport | undefined {
  if (profile.support === undefined) return undefined;
  const l = profile.lifecycles[profile.support];
  if (!l) return undefined;
  const out: ProductSupport = {
    product: profile.product,
    lifecycle: profile.support,
    service: l.service,
    // The vendor's end date is the last day of support: unsupported from the day after.
    unsupported: l.ended !== undefined && asOf !== undefined && l.ended < asOf,
    citation: l.citation,
  };
  if (l.ended !== undefined) out.ended = l.ended;
  if (asOf !== undefined) out.asOf = asOf;
  const src = l.source === undefined ? undefined : profile.sources[l.source];
  if (src)
    out.source = [src.title, src.url, src.accessed ? `read ${src.accessed}` : ""].filter(Boolean).join(", ");
  return out;
}

/** One line for people: "Skype for Business Server 2019: support ended 2025-10-14 (as of …)". */
export function supportText(s: {
  service: string;
  ended?: string | undefined;
  asOf?: string | undefined;
  unsupported: boolean;
  citation: string;
}): string {
  if (s.unsupported)
    return `unsupported product: ${s.service} reached the end of support on ${s.ended} (as of ${s.asOf}); ${s.citation}`;
  return s.ended !== undefined
    ? `${s.service}: support ends ${s.ended}${s.asOf ? ` (as of ${s.asOf}: still supported)` : ""}`
    : `${s.service}: no end of support published; ${s.citation}`;
}

function lifecycleFact(profile: Profile, id: string): LifecycleFact | undefined {
  const l = profile.lifecycles[id];
  if (!l) return undefined;
  const fact: LifecycleFact = {
    id,
    service: l.service,
    exceptions: l.exceptions.map((e) => ({ ...e })),
    successors: l.successors.map((s) => ({ ...s })),
    citation: l.citation,
  };
  if (l.ended !== undefined) fact.ended = l.ended;
  return fact;
}

function citationOf(profile: Profile, sourceId: string): string {
  const s = profile.sources[sourceId];
  if (!s) return sourceId;
  return [s.title, s.docId, s.url].filter(Boolean).join(", ");
}
