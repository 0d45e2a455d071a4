/**
 * Azure perimeter: a subnet's NSG sees addresses, not which subnet a packet came from, and also
 * filters traffic inside its subnet (Azure docs, "How network security groups filter network
 * traffic"). A zone of "any" address holds the other zones' addresses too, so a flow's Outbound
 * and Inbound rules also pass such packets inside one subnet, e.g. from the edge's address to
 * itself. Only that is tolerated as exposure: packets that stay in one subnet (iif = oif).
 */
export function intraSubnet(packet: string): boolean {
  const m = / iif (\S+) oif (\S+)$/.exec(packet);
  return !!m && m[1] === m[2] && !m[1]!.startsWith("!") && !m[1]!.startsWith("{");
}
