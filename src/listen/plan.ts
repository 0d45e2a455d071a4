/**
 * What `portmatrix listen --as ENDPOINT` binds and how each port answers, decided from the bound
 * topology alone (pure: no sockets here; serve.ts carries the plan out).
 *
 * - Addresses: the endpoint's own topology addresses, each a single host; `any`, CIDRs and ranges
 *   are refused (a stand-in must never grab addresses the matrix does not give it).
 * - Ports: every active flow whose `to` is the endpoint (retired flows included: the matrix still
 *   lists them, and a probe of them should find an answer), merged per transport and port.
 * - Service per port, from the flow's protocol column (the vendor's words, uc-ports.md §1):
 *   MSTURN over TCP → pseudo-TLS + MS-TURN; STUN/MSTURN over UDP → STUN Binding + MS-TURN 401;
 *   SIP over MTLS → TLS requesting a client certificate + SIP; SIP over TLS → TLS + SIP; other
 *   TLS/MTLS/HTTPS → TLS (MTLS requests a certificate), then holds the connection; anything else over
 *   TCP → accept and close; over UDP → a short marker datagram back (STUN still answered).
 *   When one port carries several services (a consolidated edge on one address), TLS wins and the
 *   pseudo-TLS ClientHello is recognised on the same socket (msturn.ts isPseudoTlsClientHello).
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import {
  eachAddress,
  singleAddresses,
  type BoundTopology,
  type ResolvedFlow,
  type Transport,
} from "../model/flow.js";
import { addressText } from "../space/address.js";
import { byCodeUnits } from "../diag/order.js";

export type Service =
  | { kind: "msturn-tcp" }
  | { kind: "stun-udp" }
  | { kind: "tls"; sip: boolean; requestCert: boolean; msturn: boolean }
  | { kind: "tcp-accept" }
  | { kind: "udp-answer" };

export type ServiceKind = Service["kind"];

export interface PortPlan {
  transport: Transport;
  port: number;
  service: Service;
  /** Ids of the flows that expect this port, in profile order. */
  flows: string[];
}

export interface ListenPlan {
  endpoint: string;
  endpointName: string;
  addresses: string[];
  ports: PortPlan[];
}

export type PlanResult = { ok: true; plan: ListenPlan } | { ok: false; diagnostics: Diagnostic[] };

/** The service one flow asks for, from its transport and protocol column. */
export function flowService(flow: Pick<ResolvedFlow, "transport" | "protocol">): Service {
  const p = flow.protocol.toUpperCase();
  const mtls = p.includes("MTLS");
  const tls = mtls || p.includes("TLS") || p.includes("HTTPS");
  if (flow.transport === "udp")
    return p.includes("STUN") || p.includes("TURN") ? { kind: "stun-udp" } : { kind: "udp-answer" };
  if (p.includes("MSTURN")) return { kind: "msturn-tcp" };
  if (tls) return { kind: "tls", sip: p.includes("SIP"), requestCert: mtls, msturn: false };
  return { kind: "tcp-accept" };
}

/** Two services on one port: the one a client can tell apart from the other stays reachable. */
export function mergeServices(a: Service, b: Service): Service {
  if (a.kind === "tls" && b.kind === "tls")
    return {
      kind: "tls",
      sip: a.sip || b.sip,
      requestCert: a.requestCert || b.requestCert,
      msturn: a.msturn || b.msturn,
    };
  if (a.kind === "tls" && b.kind === "msturn-tcp") return { ...a, msturn: true };
  if (b.kind === "tls" && a.kind === "msturn-tcp") return { ...b, msturn: true };
  const rank: Record<ServiceKind, number> = {
    tls: 4,
    "msturn-tcp": 3,
    "stun-udp": 2,
    "tcp-accept": 1,
    "udp-answer": 1,
  };
  return rank[b.kind] > rank[a.kind] ? b : a;
}

export function planListen(t: BoundTopology, endpointId: string): PlanResult {
  const endpoint = t.endpoints.find((e) => e.id === endpointId);
  if (!endpoint)
    return fail(
      "unknown-endpoint",
      `the topology has no endpoint "${endpointId}"`,
      t.endpoints.map((e) => e.id).join(", "),
    );
  const singles = singleAddresses(endpoint);
  if (!endpoint.addresses.subtract(singles).isEmpty())
    return fail(
      "listen-not-host",
      `endpoint "${endpointId}" has ${endpoint.text.join(", ")}: listen binds single host addresses only, never any or a range`,
      "an endpoint whose addresses are single hosts (e.g. 203.0.113.10, 2001:db8::10)",
    );
  const addresses = eachAddress(singles).map(addressText);
  if (addresses.length === 0)
    return fail("listen-not-host", `endpoint "${endpointId}" has no addresses`, "at least one host address");
  const byKey = new Map<string, PortPlan>();
  for (const flow of t.flows) {
    if (flow.to !== endpointId || !flow.active) continue;
    const service = flowService(flow);
    for (const r of flow.ports)
      for (let port = r.from; port <= r.to; port++) {
        const key = `${flow.transport}/${port}`;
        const seen = byKey.get(key);
        if (seen) {
          seen.service = mergeServices(seen.service, service);
          if (!seen.flows.includes(flow.id)) seen.flows.push(flow.id);
        } else byKey.set(key, { transport: flow.transport, port, service, flows: [flow.id] });
      }
  }
  if (byKey.size === 0)
    return fail(
      "listen-no-ports",
      `no active flow of the matrix ends at "${endpointId}"`,
      "an endpoint that is the destination of a flow",
    );
  const ports = [...byKey.values()].sort((a, b) => byCodeUnits(a.transport, b.transport) || a.port - b.port);
  // IPv4 first, then IPv6, each in address order (the interval order).
  const sorted = [...addresses].sort((a, b) => Number(a.includes(":")) - Number(b.includes(":")));
  return { ok: true, plan: { endpoint: endpointId, endpointName: endpoint.name, addresses: sorted, ports } };
}

function fail(code: string, message: string, expected: string): PlanResult {
  return { ok: false, diagnostics: [diag(code, "error", message, { expected })] };
}

/** Groups consecutive ports with the same transport, service and flows: one line per group in reports. */
export interface PortGroup {
  transport: Transport;
  from: number;
  to: number;
  service: Service;
  flows: string[];
}

export function groupPorts(ports: readonly PortPlan[]): PortGroup[] {
  const out: PortGroup[] = [];
  for (const p of ports) {
    const last = out[out.length - 1];
    if (
      last &&
      last.transport === p.transport &&
      last.to + 1 === p.port &&
      serviceLabel(last.service) === serviceLabel(p.service) &&
      last.flows.join() === p.flows.join()
    )
      last.to = p.port;
    else
      out.push({ transport: p.transport, from: p.port, to: p.port, service: p.service, flows: [...p.flows] });
  }
  return out;
}

/** Stable short name of a service for tables and JSON: tls, tls+mtls, sip-tls, sip-mtls, msturn… */
export function serviceLabel(s: Service): string {
  switch (s.kind) {
    case "tls": {
      const base = `${s.sip ? "sip-" : ""}${s.requestCert ? "mtls" : "tls"}`;
      return s.msturn ? `${base}+msturn` : base;
    }
    case "msturn-tcp":
      return "msturn-tcp";
    case "stun-udp":
      return "stun";
    case "tcp-accept":
      return "tcp-accept";
    case "udp-answer":
      return "udp-answer";
  }
}
