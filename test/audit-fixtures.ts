/** Hand-built flows and a host topology for audit tests that do not go through the YAML lowering. */
import type { BoundTopology, ResolvedFlow } from "../src/model/flow.js";
import { parseAddress } from "../src/space/address.js";

export function addr(s: string) {
  const r = parseAddress(s);
  if (!r.ok) throw new Error(s);
  return r.set;
}

/** A flow from the internet endpoint to `to` on the edge. */
export function flow(
  id: string,
  transport: "tcp" | "udp",
  ports: [number, number],
  to = "198.51.100.10",
  retired = false,
): ResolvedFlow {
  return {
    id,
    role: "",
    protocol: "",
    transport,
    ports: [{ from: ports[0], to: ports[1] }],
    from: "internet",
    to: "edge",
    source: "Internet",
    destination: "Edge",
    notes: "",
    conditions: [],
    citation: "",
    active: true,
    retired,
    fromAddresses: addr("any4"),
    toAddresses: addr(to),
  };
}

/** The edge host (198.51.100.10) firewalling itself, the internet anywhere, management 203.0.113.240/28. */
export function edgeHost(flows: ResolvedFlow[]): BoundTopology {
  return {
    profileId: "test",
    profileTitle: "test",
    features: [],
    sipDomains: [],
    certificates: [],
    dns: [],
    management: addr("203.0.113.240/28"),
    firewall: { kind: "host", host: "edge" },
    endpoints: [
      { id: "edge", name: "Edge", addresses: addr("198.51.100.10"), text: [] },
      { id: "internet", name: "Internet", addresses: addr("any"), text: [] },
    ],
    flows,
  };
}
