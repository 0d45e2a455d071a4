/** Hand-built flows and a host topology for audit tests that do not go through the YAML lowering. */
import type { BoundTopology, ResolvedFlow } from "../src/model/flow.js";
import { parseAddress } from "../src/space/address.js";
import { ctSet } from "../src/space/box.js";
import type { IntervalSet } from "../src/space/interval-set.js";
import { NameSet } from "../src/space/name-set.js";
import { Space } from "../src/space/space.js";

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

/** Every first packet between addresses of `family` arriving on `iif` for this host (input hook: no output interface). */
export function arriving(family: IntervalSet, iif = "eth0"): Space {
  return Space.box({
    src: family,
    dst: family,
    ct: ctSet(["new"]),
    iif: NameSet.of(iif),
    oif: NameSet.of(""),
  });
}
