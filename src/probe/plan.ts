/**
 * What `portmatrix probe --from ENDPOINT [--to ENDPOINT]` sends, decided from the bound topology alone
 * (pure: the sockets are in src/live/).
 *
 * - Flows: every active flow whose `from` is the prober's endpoint (and whose `to` is --to when given);
 *   retired flows only with includeRetired (their service has ended: nothing should answer there).
 * - Targets: the destination endpoint's addresses, each host of it. The prober never invents an
 *   address: an endpoint bound to `any` or to more than maxHosts hosts is not probed, and the flow is
 *   listed in `skipped` with the reason (bind it to test hosts in a topology to probe it).
 * - Sources: the prober's own addresses per family when they are single hosts (bound as the source so
 *   the firewall sees the packets the matrix describes); none for `any` (the system picks).
 * - Services: the same reading of the protocol column as listen (listen/plan.ts flowService), so
 *   the prober speaks what the stand-in answers: TLS (+SIP OPTIONS), MS-TURN pseudo-TLS, STUN.
 * - Certificate names: for TLS targets, the names the profile's certificates for the destination
 *   endpoint must carry once the topology names its SIP domains (cert-names.ts).
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { flowService, type Service } from "../listen/plan.js";
import {
  eachAddress,
  singleAddresses,
  type BoundTopology,
  type ResolvedFlow,
  type Transport,
} from "../model/flow.js";
import { addressText, familyOf, familyPart } from "../space/address.js";
import { expectedNames } from "./cert-names.js";
import type { PortRange } from "../space/port.js";

export interface ProbeTarget {
  flow: string;
  /** Destination endpoint id and the one host address probed. */
  to: string;
  address: string;
  family: 4 | 6;
  transport: Transport;
  ports: PortRange[];
  /** Source ports the matrix pins (A/V Edge from 50000-59999 to 443); absent = any. */
  sourcePorts?: PortRange[];
  service: Service;
  retired: boolean;
  /** Names the destination's TLS certificate must carry (profile certificates, topology sipDomains). */
  certificateNames?: string[];
}

export interface SkippedFlow {
  flow: string;
  to: string;
  /** Why, in words; `kind` says which of the three reasons (retired, family, no-address). */
  reason: string;
  kind: SkipKind;
}

export type SkipKind = "retired" | "family" | "no-address";

export interface ProbePlan {
  from: string;
  fromName: string;
  /** The prober's source address per family, when the endpoint gives a single host of it. */
  sources: { 4?: string; 6?: string };
  targets: ProbeTarget[];
  skipped: SkippedFlow[];
}

export interface ProbePlanOptions {
  to?: string;
  includeRetired: boolean;
  /** Most hosts probed per destination endpoint (a /24 is 256). */
  maxHosts: number;
}

export type ProbePlanResult = { ok: true; plan: ProbePlan } | { ok: false; diagnostics: Diagnostic[] };

type Endpoint = BoundTopology["endpoints"][number];

/** The hosts of an endpoint, or why it cannot be probed. */
export function endpointHosts(e: Endpoint, maxHosts: number): { hosts: string[] } | { reason: string } {
  let count = 0n;
  for (const [lo, hi] of e.addresses.intervals) count += hi - lo + 1n;
  if (count === 0n) return { reason: `${e.id} has no addresses` };
  if (count > BigInt(maxHosts))
    return {
      reason: `${e.id} is ${e.text.join(", ")} (${count > 1n << 32n ? "more than 2^32" : count.toString()} addresses): the prober only sends to hosts the topology names; bind ${e.id} to test hosts (at most ${maxHosts}) to probe this flow`,
    };
  const hosts: string[] = [];
  for (const [lo, hi] of e.addresses.intervals) for (let v = lo; v <= hi; v++) hosts.push(addressText(v));
  return { hosts };
}

export function planProbe(t: BoundTopology, fromId: string, o: ProbePlanOptions): ProbePlanResult {
  const ids = t.endpoints.map((e) => e.id).join(", ");
  const from = t.endpoints.find((e) => e.id === fromId);
  if (!from)
    return fail("unknown-endpoint", `--from: the topology has no endpoint "${fromId}"`, `one of ${ids}`);
  if (o.to !== undefined && !t.endpoints.some((e) => e.id === o.to))
    return fail("unknown-endpoint", `--to: the topology has no endpoint "${o.to}"`, `one of ${ids}`);
  const sources: ProbePlan["sources"] = {};
  for (const v of eachAddress(singleAddresses(from))) {
    const fam = familyOf(v);
    if (sources[fam] === undefined) sources[fam] = addressText(v);
  }
  const mine = t.flows.filter((f) => f.active && f.from === fromId && (o.to === undefined || f.to === o.to));
  const flows = mine.filter((f) => o.includeRetired || !f.retired);
  // Retired flows left out are said, never silently dropped (the seed after 2013-10-31 probes one
  // flow of three: the other two are Windows Live Messenger's).
  const retired: SkippedFlow[] = mine
    .filter((f) => f.retired && !o.includeRetired)
    .map((f) => ({
      flow: f.id,
      to: f.to,
      kind: "retired",
      reason: `retired: ${f.lifecycle ? `${f.lifecycle.service} ended${f.lifecycle.ended ? ` ${f.lifecycle.ended}` : ""}` : "its service has ended"} (--include-retired probes it)`,
    }));
  if (flows.length === 0)
    return fail(
      "probe-no-flows",
      `no active flow of ${t.profileId} starts at "${fromId}"${o.to === undefined ? "" : ` and ends at "${o.to}"`}`,
      `an endpoint that is the source of a flow: ${[...new Set(t.flows.filter((f) => f.active).map((f) => f.from))].join(", ")}`,
    );
  const targets: ProbeTarget[] = [];
  const skipped: SkippedFlow[] = [...retired];
  // A flow has packets only in the families its source has addresses in: an IPv4-only A/V Edge
  // sends nothing to the IPv6 hosts of `any`, so those are not probed (the audit judges the same).
  const fromFamilies = new Set(([4, 6] as const).filter((fam) => !familyPart(from.addresses, fam).isEmpty()));
  for (const f of flows) {
    const to = t.endpoints.find((e) => e.id === f.to)!;
    const hosts = endpointHosts(to, o.maxHosts);
    if ("reason" in hosts) {
      skipped.push({ flow: f.id, to: f.to, kind: "no-address", reason: hosts.reason });
      continue;
    }
    const names = expectedNames(t, f.to);
    const all = hosts.hosts.map((address) => target(f, address));
    for (const fam of [4, 6] as const) {
      const cannot = all.filter((x) => x.family === fam && !fromFamilies.has(fam)).map((x) => x.address);
      if (cannot.length > 0)
        skipped.push({
          flow: f.id,
          to: f.to,
          kind: "family",
          reason: `${f.to}'s IPv${fam} ${cannot.length === 1 ? "address" : "addresses"} ${cannot.join(", ")} not probed: ${fromId} has no IPv${fam} address, so the flow has no IPv${fam} packets`,
        });
    }
    for (const x of all.filter((y) => fromFamilies.has(y.family))) {
      if (names.length > 0 && x.service.kind === "tls") x.certificateNames = names;
      targets.push(x);
    }
  }
  return { ok: true, plan: { from: fromId, fromName: from.name, sources, targets, skipped } };
}

function target(f: ResolvedFlow, address: string): ProbeTarget {
  const t: ProbeTarget = {
    flow: f.id,
    to: f.to,
    address,
    family: address.includes(":") ? 6 : 4,
    transport: f.transport,
    ports: f.ports,
    service: flowService(f),
    retired: f.retired,
  };
  if (f.sourcePorts) t.sourcePorts = f.sourcePorts;
  return t;
}

function fail(code: string, message: string, expected: string): ProbePlanResult {
  return { ok: false, diagnostics: [diag(code, "error", message, { expected })] };
}
