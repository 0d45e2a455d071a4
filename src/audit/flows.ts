/**
 * Where a firewall meets the matrix: which flows it sees, along which hooks, as which packets.
 * Host firewall (the endpoint's own): inbound packets take prerouting → input, outbound take
 * output → postrouting. Perimeter: prerouting → forward → postrouting, with the zones' interfaces.
 * In prerouting/input no output interface exists and in output no input interface: the kernel's
 * `oifname`/`iifname` see the empty name there, modelled as the name "".
 */
import type { Hook } from "../ir/ruleset.js";
import { onHost, type BoundTopology, type HostFirewall, type ResolvedFlow } from "../model/flow.js";
import { asSentThroughNat } from "../model/nat.js";
import { ALL_V6 } from "../space/address.js";
import { ctSet, FULL, type Box } from "../space/box.js";
import { icmpTypes } from "../space/icmp.js";
import { IntervalSet } from "../space/interval-set.js";
import { NameSet } from "../space/name-set.js";
import { portSet, PROTO } from "../space/port.js";
import { Space } from "../space/space.js";

export const INBOUND: readonly Hook[] = ["prerouting", "input"];
export const OUTBOUND: readonly Hook[] = ["output", "postrouting"];
export const FORWARD: readonly Hook[] = ["prerouting", "forward", "postrouting"];

const NO_IF = NameSet.of("");
const NOT_LOOPBACK = NameSet.except("lo");

export interface Leg {
  path: readonly Hook[];
  iif: NameSet;
  oif: NameSet;
}

/**
 * The interfaces a host firewall's packets to and from endpoint `peer` use: the one the topology
 * reaches it through; any of the host's when none names it; any but loopback when the topology
 * names no interfaces.
 */
export function hostInterfaces(fw: HostFirewall, peer?: string): NameSet {
  if (!fw.interfaces) return NOT_LOOPBACK;
  const mine = peer === undefined ? undefined : fw.interfaces.find((i) => i.endpoints.includes(peer));
  return mine ? NameSet.of(mine.name) : NameSet.of(...fw.interfaces.map((i) => i.name));
}

/** How one flow crosses this firewall: its forward leg and the leg its replies take. */
export interface Crossing {
  forward: Leg;
  reply: Leg;
  direction: "inbound" | "outbound" | "forward";
}

export function crossing(topology: BoundTopology, flow: ResolvedFlow): Crossing | undefined {
  const fw = topology.firewall;
  if (fw.kind === "host") {
    const fromHost = onHost(topology, flow.from);
    const toHost = onHost(topology, flow.to);
    if (toHost === fromHost) return undefined;
    // The peer's packets come in, and the host's go out, by the interface the peer is reached through.
    const nic = hostInterfaces(fw, toHost ? flow.from : flow.to);
    const inbound: Leg = { path: INBOUND, iif: nic, oif: NO_IF };
    const outbound: Leg = { path: OUTBOUND, iif: NO_IF, oif: nic };
    if (toHost) return { forward: inbound, reply: outbound, direction: "inbound" };
    return { forward: outbound, reply: inbound, direction: "outbound" };
  }
  const zoneOf = (id: string) => fw.zones.find((z) => z.endpoints.includes(id));
  const a = zoneOf(flow.from);
  const b = zoneOf(flow.to);
  if (a && b && a.name === b.name) return undefined;
  const iif = a ? NameSet.of(a.interface) : NameSet.ALL;
  const oif = b ? NameSet.of(b.interface) : NameSet.ALL;
  return {
    forward: { path: FORWARD, iif, oif },
    reply: { path: FORWARD, iif: oif, oif: iif },
    direction: "forward",
  };
}

/** A flow's own packets as the audit judges them: its first packets and the rest of the connection. */
export const CT_FORWARD = ctSet(["new", "established"]);
export const CT_NEW = ctSet(["new"]);
export const CT_ESTABLISHED = ctSet(["established"]);

/** The flow's packets in its own direction (first packets and the rest of the connection). */
export function flowSpace(flow: ResolvedFlow, leg: Leg, ct: IntervalSet = CT_FORWARD): Space {
  if (!flow.fromAddresses || !flow.toAddresses) return Space.EMPTY;
  return Space.UNIVERSE.restrict({
    proto: IntervalSet.of(flow.transport === "tcp" ? PROTO.tcp : PROTO.udp),
    src: flow.fromAddresses,
    dst: flow.toAddresses,
    sport: flow.sourcePorts ? portSet(flow.sourcePorts) : FULL.port,
    dport: portSet(flow.ports),
    ct,
    iif: leg.iif,
    oif: leg.oif,
  });
}

/**
 * The flow's packets as its source sends them: to the destination's public address when the
 * destination sits behind the topology's static NAT and the source outside its zone (the ruleset's
 * own NAT must then bring them to the private address the flow's rules name).
 */
export function sentSpace(
  topology: BoundTopology,
  flow: ResolvedFlow,
  leg: Leg,
  ct: IntervalSet = CT_FORWARD,
): Space {
  return flowSpace(asSentThroughNat(topology, flow), leg, ct);
}

/**
 * Every way a flow's packets may be addressed: as sent (public address through NAT) and to the
 * private address itself, which a NAT does not hide from a host on a path to it (intended, not
 * exposure).
 */
export function anyAddressedSpace(
  topology: BoundTopology,
  flow: ResolvedFlow,
  leg: Leg,
  ct: IntervalSet,
): Space {
  const own = flowSpace(flow, leg, ct);
  const sent = asSentThroughNat(topology, flow);
  return sent === flow ? own : own.union(flowSpace(sent, leg, ct));
}

/** Replies to `packets` (already rewritten by NAT where it applied): swapped ends, ct established. */
export function replySpace(packets: Space, leg: Leg): Space {
  return packets.map((b): Box => ({
    proto: b.proto,
    dport: b.sport,
    dst: b.src,
    src: b.dst,
    sport: b.dport,
    ct: CT_ESTABLISHED,
    iif: leg.iif,
    oif: leg.oif,
  }));
}

/**
 * ICMPv6 neighbour discovery (router/neighbour solicitation and advertisement, types 133-136; the
 * dport dimension holds type·256+code): a host cannot speak IPv6 without it (RFC 4890 §4.4.1), so a
 * host firewall accepting it exposes nothing the matrix could have said. IPv6 packets only: an
 * IPv4 packet carrying protocol 58 is no neighbour discovery (and excluding it split every IPv4
 * finding that takes all protocols into a line of "icmpv6 from any4" and one of the rest).
 */
const NEIGHBOUR_DISCOVERY = Space.box({
  src: ALL_V6,
  dst: ALL_V6,
  proto: IntervalSet.of(PROTO.ipv6icmp),
  dport: icmpTypes(133, 136),
});

/**
 * Every packet starting a connection towards or from the matrix's endpoints, per leg; `excluded`:
 * packets that are never exposure — a finding made only of them is dropped (subtracting them from
 * the universe up front splits it into many more boxes for the whole walk: +30 % audit time on the
 * 10k benchmark).
 */
export function exposureUniverse(
  topology: BoundTopology,
): Array<{ direction: Crossing["direction"]; leg: Leg; packets: Space; excluded: Space }> {
  const fw = topology.firewall;
  const base = Space.UNIVERSE.restrict({ ct: CT_NEW });
  if (fw.kind === "host") {
    const host = topology.endpoints.find((e) => e.id === fw.host);
    const nd = NEIGHBOUR_DISCOVERY;
    if (!host) return [];
    // Interfaces named in the topology are all the host has: packets use one of them.
    const nics = hostInterfaces(fw);
    return [
      {
        direction: "inbound",
        leg: { path: INBOUND, iif: nics, oif: NO_IF },
        packets: base.restrict({ dst: host.addresses, iif: nics, oif: NO_IF }).subtract(nd),
        excluded: Space.EMPTY,
      },
      {
        direction: "outbound",
        leg: { path: OUTBOUND, iif: NO_IF, oif: nics },
        packets: base.restrict({ src: host.addresses, iif: NO_IF, oif: nics }).subtract(nd),
        excluded: Space.EMPTY,
      },
    ];
  }
  let all = IntervalSet.EMPTY;
  for (const e of topology.endpoints) all = all.union(e.addresses);
  for (const n of topology.nat ?? []) for (const p of n.pairs) all = all.union(IntervalSet.of(p.public));
  // Forwarded packets never enter or leave by loopback, and one leaving by the interface it came in
  // on stays in its zone (intra-zone traffic, which `crossing` does not judge either). Neighbour
  // discovery forwarded is discarded by its receiver (hop limit below 255, RFC 4861 §7.1): no exposure.
  const packets = base.restrict({ dst: all }).union(base.restrict({ src: all }));
  const lo = NameSet.of("lo");
  let excluded = NEIGHBOUR_DISCOVERY.union(Space.box({ iif: lo })).union(Space.box({ oif: lo }));
  for (const z of fw.zones)
    excluded = excluded.union(Space.box({ iif: NameSet.of(z.interface), oif: NameSet.of(z.interface) }));
  return [
    { direction: "forward", leg: { path: FORWARD, iif: NameSet.ALL, oif: NameSet.ALL }, packets, excluded },
  ];
}
