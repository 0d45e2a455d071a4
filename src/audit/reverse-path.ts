/**
 * Reverse-path checks (nft `fib saddr [. mark] [. iif] oif missing`: firewalld's `IPv6_rpfilter`,
 * the nftables wiki's anti-spoofing rule; iptables `-m rpfilter`) decided from the routes a host topology implies. A host
 * that names its interfaces (`firewall.interfaces`) says which peers are reached through which:
 * the host's routes are taken to agree — each endpoint's addresses through its interface, an
 * endpoint of any address (`any`, the `*` interface's internet) a default route there. Linux then
 * picks, for a source address, the interface of the one route that holds it (specific routes before
 * default ones). Where the topology leaves that open — an address two interfaces' routes hold, two
 * default routes of a family (which one wins is a metric the topology does not say) — the rule
 * stays approximated for those packets only
 * (`where`), and verdicts through them stay uncertain. IPv6 link-local sources are always routed
 * back through the interface they came in on (the kernel scopes the lookup to it); the host's own
 * and loopback addresses as a source from an interface have none (local routes: measured in a
 * namespace, nft's fib answers `missing` for them, strict and loose). The `mark` flag
 * is read as changing no route (no mark-based routing rules: the topology has none). Without named
 * interfaces, or on a perimeter, the routes are not known and the check stays approximated.
 */
import type { Approximation, Chain, Rule, Ruleset, Table } from "../ir/ruleset.js";
import type { BoundTopology } from "../model/flow.js";
import { ALL_ADDRESSES, ALL_V4, ALL_V6, parseAddress } from "../space/address.js";
import { IntervalSet } from "../space/interval-set.js";
import { NameSet } from "../space/name-set.js";
import { Space } from "../space/space.js";

interface Decided {
  /** Packets whose source has no route back (through their input interface, when strict). */
  missing: Space;
  /** Packets the topology does not decide. */
  unsure: Space;
  /** Packets from the host's own or loopback addresses (in `missing` unless counted as routed). */
  local: Space;
}

/** The rulesets with reverse-path checks decided from the host's routes; the same objects when none is. */
export function bindReversePath(
  rulesets: readonly Ruleset[],
  topology: Pick<BoundTopology, "firewall" | "endpoints">,
): Ruleset[] {
  if (!rulesets.some(hasReversePath)) return [...rulesets];
  const routes = hostRoutes(topology);
  if (!routes) return [...rulesets];
  return rulesets.map((rs) => {
    const tables = rs.tables.map((t) => bindTable(t, routes));
    return tables.every((t, i) => t === rs.tables[i]) ? rs : { ...rs, tables };
  });
}

function hasReversePath(rs: Ruleset): boolean {
  return rs.tables.some((t) =>
    t.chains.some((c) => c.rules.some((r) => r.approximations.some((a) => a.reversePath))),
  );
}

/** The answers of both forms, strict and loose. */
interface Forms {
  strict: Decided;
  loose: Decided;
  xt: { strict: Decided; loose: Decided };
}

function bindTable(t: Table, routes: Forms): Table {
  const chains = t.chains.map((c): Chain => {
    const rules = c.rules.map((r) => bindRule(r, routes));
    return rules.every((r, i) => r === c.rules[i]) ? c : { ...c, rules };
  });
  return chains.every((c, i) => c === t.chains[i]) ? t : { ...t, chains };
}

function bindRule(r: Rule, routes: Forms): Rule {
  if (!r.approximations.some((a) => a.reversePath)) return r;
  let match = r.match;
  const approximations: Approximation[] = [];
  for (const a of r.approximations) {
    if (!a.reversePath) {
      approximations.push(a);
      continue;
    }
    const form = a.reversePath.xt ? routes.xt : routes;
    const d = a.reversePath.strict ? form.strict : form.loose;
    const missing = a.reversePath.acceptLocal ? d.missing.subtract(d.local) : d.missing;
    const decided = a.reversePath.negate ? Space.UNIVERSE.subtract(missing) : missing;
    match = match.intersect(decided.union(d.unsure));
    const { reversePath: _, ...rest } = a;
    void _;
    if (!d.unsure.isEmpty())
      approximations.push({
        ...rest,
        reason: `${a.reason}: the topology's routes decide it but for these packets (a source two routes hold, two default routes, a local address, or ICMPv6 from :: to a link-local scope, which kernels answer differently)`,
        where: d.unsure,
      });
  }
  return { ...r, match, approximations };
}

/** The routes a host topology implies: per named interface, the sources routed back through it. */
interface Routes {
  names: string[];
  /** Per interface (in `names`' order): the sources whose one route is through it. */
  via: IntervalSet[];
  /** Sources the topology does not route for certain (two routes, two default routes, local). */
  unsure: IntervalSet;
  local: IntervalSet;
  linkLocal: IntervalSet;
  /** Sources no route holds (no interface's peers, no default route of the family). */
  noRoute: IntervalSet;
}

const ROUTES = new WeakMap<object, Routes | undefined>();

function topologyRoutes(topology: Pick<BoundTopology, "firewall" | "endpoints">): Routes | undefined {
  if (ROUTES.has(topology)) return ROUTES.get(topology);
  const r = computeRoutes(topology);
  ROUTES.set(topology, r);
  return r;
}

function computeRoutes(topology: Pick<BoundTopology, "firewall" | "endpoints">): Routes | undefined {
  const fw = topology.firewall;
  if (fw.kind !== "host" || !fw.interfaces || fw.interfaces.length === 0) return undefined;
  const addressesOf = (id: string): IntervalSet =>
    topology.endpoints.find((e) => e.id === id)?.addresses ?? IntervalSet.EMPTY;
  const own = addressesOf(fw.host);
  const held = fw.interfaces.map((i) =>
    i.endpoints.reduce((s, e) => s.union(addressesOf(e)), IntervalSet.EMPTY),
  );
  // Per family: a default route where an interface's peers may be any address of it; the other
  // addresses its peers have are specific routes (the host's own are local: decided below).
  const families = [ALL_V4, ALL_V6];
  const specific = held.map((h) =>
    families
      .reduce((s, f) => (h.contains(f) ? s.subtract(f) : s), h.intersect(ALL_V4.union(ALL_V6)))
      .subtract(own),
  );
  const defaults = families.map((f) => fw.interfaces!.flatMap((_, k) => (held[k]!.contains(f) ? [k] : [])));
  let twice = IntervalSet.EMPTY;
  let anySpecific = IntervalSet.EMPTY;
  for (const s of specific) {
    twice = twice.union(anySpecific.intersect(s));
    anySpecific = anySpecific.union(s);
  }
  const local = own.union(net("127.0.0.0/8")).union(net("::1/128"));
  const linkLocal = net("fe80::/10");
  // The host's own and loopback addresses route locally: as a source from another interface, the
  // lookup finds no route back (measured: nft's fib answers `missing`, strict and loose alike).
  let unsure = twice.subtract(local);
  let noRoute = IntervalSet.EMPTY;
  const via = specific.map((s) => s.subtract(twice));
  families.forEach((f, k) => {
    const rest = f.subtract(anySpecific);
    const d = defaults[k]!;
    if (d.length === 1) via[d[0]!] = via[d[0]!]!.union(rest);
    else if (d.length > 1) unsure = unsure.union(rest);
    else noRoute = noRoute.union(rest);
  });
  return {
    names: fw.interfaces.map((i) => i.name),
    via: via.map((v) => v.subtract(local).subtract(linkLocal)),
    unsure: unsure.subtract(linkLocal).subtract(local),
    local,
    linkLocal,
    noRoute,
  };
}

/** The reverse-path check's answer for every packet, from a host topology's interfaces; undefined: not known. */
function hostRoutes(topology: Pick<BoundTopology, "firewall" | "endpoints">): Forms | undefined {
  const r = topologyRoutes(topology);
  if (!r) return undefined;
  const strictMissing = Space.unionAll(
    r.names.map((n, k) =>
      Space.UNIVERSE.restrict({
        iif: NameSet.of(n),
        src: ALL_ADDRESSES.subtract(r.via[k]!).subtract(r.unsure).subtract(r.linkLocal),
      }),
    ),
  );
  // Packets from interfaces the topology does not name (and loopback's) are not judged by flows or
  // exposure: left to the approximation. Packets without an input interface (the host's own) never
  // meet a prerouting check: decided either way, they are left out of it.
  const elsewhere = Space.UNIVERSE.restrict({ iif: NameSet.except(...r.names, "") });
  const local = Space.UNIVERSE.restrict({ src: r.local }).subtract(elsewhere);
  // DHCP and IGMP: an IPv4 packet from 0.0.0.0/8 to the limited broadcast or a local multicast
  // group is answered with the interface it came in on, whatever the routes (nft_fib4_eval and
  // ipt_rpfilter's rpfilter_mt test for it before the lookup): it passes, strict or loose, on any
  // interface — decided, never missing.
  const passes = unspecifiedToLocalGroups();
  const strict: Decided = {
    missing: strictMissing.subtract(passes),
    unsure: Space.UNIVERSE.restrict({ src: r.unsure }).union(elsewhere).subtract(passes),
    local,
  };
  const loose: Decided = {
    missing: Space.UNIVERSE.restrict({ src: r.noRoute.union(r.local).subtract(r.linkLocal) })
      .subtract(elsewhere)
      .subtract(passes),
    unsure: elsewhere.subtract(passes),
    local,
  };
  // nft's fib6 answers ICMPv6 from :: to a link-local scope (duplicate address detection, MLD)
  // with the input interface in newer kernels (nft_fib_v6_skip_icmpv6) and by a route lookup of ::
  // in older ones: which, the ruleset does not say.
  const kernel = Space.UNIVERSE.restrict({
    proto: IntervalSet.of(58),
    src: net("::/128"),
    dst: linkLocalScope(),
  });
  // xt_rpfilter's IPv6 match passes every packet from :: ("not routable: forward path will drop it").
  const any6 = Space.UNIVERSE.restrict({ src: net("::/128") });
  const xt = (d: Decided): Decided => ({
    missing: d.missing.subtract(any6),
    unsure: d.unsure.subtract(any6),
    local: d.local,
  });
  const nft = (d: Decided): Decided => ({
    missing: d.missing.subtract(kernel),
    unsure: d.unsure.union(kernel.subtract(elsewhere)),
    local: d.local,
  });
  return { strict: nft(strict), loose: nft(loose), xt: { strict: xt(strict), loose: xt(loose) } };
}

/** Link-local destinations to the kernel's ipv6_addr_type: fe80::/10 and multicast of link-local scope (ffX2::/16). */
function linkLocalScope(): IntervalSet {
  let s = net("fe80::/10");
  for (let flags = 0; flags < 16; flags++) s = s.union(net(`ff${flags.toString(16)}2::/16`));
  return s;
}

/** IPv4 packets from 0.0.0.0/8 to 255.255.255.255 or 224.0.0.0/24 (ipv4_is_zeronet, ipv4_is_lbcast, ipv4_is_local_multicast). */
function unspecifiedToLocalGroups(): Space {
  return Space.UNIVERSE.restrict({
    src: net("0.0.0.0/8"),
    dst: net("255.255.255.255/32").union(net("224.0.0.0/24")),
  });
}

/**
 * Where a host topology names its interfaces: the addresses a neighbour on each can have, on the
 * axis given (`iif` with `src` for what neighbours send, `oif` with `dst` for what the host sends
 * them) — a neighbour's address is on its link, so routed through that interface (or link-local),
 * or one the routes leave open. Undefined: any (the routes are not known).
 */
export function neighbourAddresses(
  topology: Pick<BoundTopology, "firewall" | "endpoints">,
  axis: "iif" | "oif",
): Space | undefined {
  const r = topologyRoutes(topology);
  if (!r) return undefined;
  const open = r.unsure.union(r.linkLocal);
  const dim = axis === "iif" ? "src" : "dst";
  return Space.unionAll(
    r.names.map((n, k) => Space.UNIVERSE.restrict({ [axis]: NameSet.of(n), [dim]: r.via[k]!.union(open) })),
  ).union(Space.UNIVERSE.restrict({ [axis]: NameSet.except(...r.names) }));
}

function net(text: string): IntervalSet {
  const r = parseAddress(text);
  if (!r.ok) throw new Error(text);
  return r.set;
}
