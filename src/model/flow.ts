/**
 * The lowered form every other part consumes: one flow of a profile, bound to a topology.
 * Produced by lowerFlows() (lower.ts) from a validated Profile and Topology; pure data.
 */
import { IntervalSet } from "../space/interval-set.js";
import type { PortRange } from "../space/port.js";
import type { NatBinding } from "./nat.js";
import type { Position } from "../diag/diagnostic.js";

export type Transport = "tcp" | "udp";

export interface LifecycleFact {
  id: string;
  /** The service whose end retires the flow, e.g. "Windows Live Messenger federation". */
  service: string;
  /** ISO date (YYYY-MM-DD) the service ended; absent while it is still running. */
  ended?: string;
  /** Where the service continued after `ended` (e.g. mainland China). */
  exceptions: Array<{ region: string; note?: string | undefined }>;
  successors: Array<{ service: string; date?: string | undefined; note?: string | undefined }>;
  citation: string;
}

/**
 * The support lifecycle of the product a profile describes (the profile's `support`), judged
 * against the as-of date passed in: `unsupported` once the vendor's end of support has passed.
 */
export interface ProductSupport {
  product: string;
  /** Key of the profile's `lifecycles`. */
  lifecycle: string;
  service: string;
  /** Last day of support (YYYY-MM-DD or YYYY-MM); absent while no end date is published. */
  ended?: string;
  /** The as-of date the verdict was judged against; absent without one. */
  asOf?: string;
  /** `asOf` is after `ended` (the last day of support). */
  unsupported: boolean;
  citation: string;
  /** The source document of the citation (title, url, the date it was read). */
  source?: string;
}

export interface ResolvedFlow {
  /** Stable id from the profile, e.g. `sip-mtls-in`. */
  id: string;
  /** Role column as the vendor writes it: Access, A/V, Web Conferencing… */
  role: string;
  /** Protocol label as the vendor writes it: SIP(MTLS), STUN,MSTURN, RTP… */
  protocol: string;
  transport: Transport;
  /** Destination ports, sorted, merged. */
  ports: PortRange[];
  /** Source ports when the matrix pins them (A/V Edge from 50000-59999 to 443); absent = any. */
  sourcePorts?: PortRange[];
  /** Endpoint ids. */
  from: string;
  to: string;
  /** Endpoint display names (the seed's Source/Destination columns). */
  source: string;
  destination: string;
  notes: string;
  /** Feature names that must hold (any-of groups flattened to "a|b"), as written in the profile. */
  conditions: string[];
  lifecycle?: LifecycleFact;
  /** Citation of the row (source id of the profile). */
  citation: string;
  /** With a topology: whether the flow's conditions hold for the topology's features. */
  active: boolean;
  /** With a topology and an as-of date: the lifecycle says the service has ended. */
  retired: boolean;
  /** With a topology: resolved address sets on the one address axis (space/address.ts). */
  fromAddresses?: IntervalSet;
  toAddresses?: IntervalSet;
  /** "site": one of the topology's own flows (`site.flows`), not a row of the vendor's profile. */
  origin?: "site";
}

export interface HostFirewall {
  kind: "host";
  /** Endpoint id of the machine whose own firewall is configured. */
  host: string;
  /**
   * The host's interfaces (loopback aside) and the endpoints reached through each (patterns
   * expanded; the host itself never among them). Absent: any interface but loopback. Present: the
   * host has these and no others; an endpoint none names is reached through any of them.
   */
  interfaces?: HostInterface[];
}

export interface HostInterface {
  name: string;
  endpoints: string[];
  /** Where the interface is written (its key), for diagnostics. */
  at?: Position;
}

export interface PerimeterZone {
  name: string;
  interface: string;
  endpoints: string[];
  /** Where the zone's `interface:` is written, for targets that cannot name it. */
  interfaceAt?: Position;
}

export interface PerimeterFirewall {
  kind: "perimeter";
  zones: PerimeterZone[];
}

export type FirewallSpec = HostFirewall | PerimeterFirewall;

/** A topology after validation and binding: what compile, audit, probe and lab receive. */
export interface BoundTopology {
  profileId: string;
  profileTitle: string;
  /** The product's support lifecycle (absent when the profile names none). */
  support?: ProductSupport;
  /** All flows of the profile, active or not, in profile order. */
  flows: ResolvedFlow[];
  endpoints: Array<{
    id: string;
    name: string;
    addresses: IntervalSet;
    text: string[];
    /** The addresses the topology writes one at a time (not as a CIDR, range or any); absent: none known. */
    hosts?: IntervalSet;
    /** "site": one of the topology's own endpoints (`site.endpoints`). */
    origin?: "site";
    /**
     * DNS names of an endpoint the profile knows by name only (`endpoints.*.fqdns`, no addresses):
     * its flows need FQDN objects on the firewall (or a proxy).
     */
    fqdns?: string[];
    /** Where the topology binds it (for diagnostics about its addresses); absent when made in code. */
    at?: Position;
  }>;
  features: string[];
  firewall: FirewallSpec;
  /** Addresses any generated ruleset must keep reachable (management access). */
  management: IntervalSet;
  /** The operator's compile options (topology `compile:`, checked); absent: defaults. */
  compileOptions?: import("./schema.js").Topology["compile"];
  /** Static 1:1 NAT on the perimeter firewall (model/nat.ts); absent or empty: none. */
  nat?: NatBinding[];
  /** The topology's SIP domains (default first); empty when it names none. */
  sipDomains: string[];
  /**
   * The certificates the profile says the endpoints present, with `{domain}` filled from sipDomains,
   * for the features this topology turns on; empty without sipDomains.
   */
  certificates: ExpectedCertificate[];
  /**
   * The DNS records the profile says the deployment needs, one per SIP domain where the name holds
   * `{domain}`, for the features this topology turns on; empty without sipDomains.
   */
  dns: ExpectedDnsRecord[];
}

export interface ExpectedDnsRecord {
  location: "external" | "internal";
  type: "SRV" | "A" | "AAAA" | "CNAME";
  /** The record's name, `{domain}` filled (lower case). */
  name: string;
  /** The SIP domain it was filled with (absent when the name holds no `{domain}`). */
  domain?: string;
  /** SRV: the port. */
  port?: number;
  /** SRV and CNAME: the host name the record points at (filled, lower case). */
  target?: string;
  /** A and AAAA: what the address is, as the page says ("Access Edge service address"). */
  describes?: string;
  /** The endpoint whose addresses the record (or its SRV target) must resolve to. */
  endpoint?: string;
  notes: string;
}

export interface ExpectedCertificate {
  id: string;
  /** Endpoint ids whose TLS listeners present it. */
  endpoints: string[];
  /** Subject name first, then the subject alternative names (lower case, no duplicates). */
  names: string[];
}

/**
 * Whether endpoint `id` is the firewalled host itself in a host-kind topology: the host endpoint, or
 * an endpoint all of whose addresses are the host's (a consolidated edge's XMPP proxy on the Access
 * Edge's address: its packets meet the same host firewall). `any` and partial overlaps are not.
 */
export function onHost(t: Pick<BoundTopology, "firewall" | "endpoints">, id: string): boolean {
  const fw = t.firewall;
  if (fw.kind !== "host") return false;
  if (id === fw.host) return true;
  const host = t.endpoints.find((e) => e.id === fw.host)?.addresses;
  const e = t.endpoints.find((x) => x.id === id)?.addresses;
  return host !== undefined && e !== undefined && !e.isEmpty() && e.subtract(host).isEmpty();
}

/**
 * An endpoint's single host addresses: those the topology writes one at a time (`hosts`; two
 * adjacent ones merge into one interval of the address set) and any one-address interval. The rest
 * of its addresses are networks (CIDRs, ranges, any).
 */
export function singleAddresses(e: BoundTopology["endpoints"][number]): IntervalSet {
  const ones = IntervalSet.from(e.addresses.intervals.filter(([lo, hi]) => lo === hi));
  return e.hosts ? ones.union(e.hosts.intersect(e.addresses)) : ones;
}

/** Each address of a set of single addresses (finite: they are written one by one). */
export function eachAddress(set: IntervalSet): bigint[] {
  const out: bigint[] = [];
  for (const [lo, hi] of set.intervals) for (let v = lo; v <= hi; v++) out.push(v);
  return out;
}
