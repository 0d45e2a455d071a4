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
  const strict: Decided = {
    missing: strictMissing,
    unsure: Space.UNIVERSE.restrict({ src: r.unsure }).union(elsewhere),
    local,
  };
  const loose: Decided = {
    missing: Space.UNIVERSE.restrict({ src: r.noRoute.union(r.local).subtract(r.linkLocal) }).subtract(
      elsewhere,
    ),
    unsure: elsewhere,
    local,
  };
  // What each form answers before any route is asked — passed on every interface, strict or loose
  // — and what kernels answer differently (left approximated: the ruleset does not say which
  // kernel runs it). From 0.0.0.0 (DHCP, IGMP) to 224.0.0.0/24 both pass; to the limited broadcast
  // nft's fib4 passes, while xt_rpfilter did not always (older kernels look 0.0.0.0 up, and drop
  // it to any other multicast group). The rest of 0.0.0.0/8 was "zeronet" too until Linux 5.3
  // (ipv4_is_zeronet became `addr == 0`): from there the same packets are the kernel's. From ::
  // xt_rpfilter's IPv6 match passes everything ("not routable: forward path will drop it"); nft's
  // fib6 looks :: up, but for ICMPv6 to a link-local scope (duplicate address detection, MLD),
  // which newer kernels pass (nft_fib_v6_skip_icmpv6).
  const zeronet = net("0.0.0.0/32");
  const olderZeronet = net("0.0.0.0/8").subtract(zeronet);
  const localGroups = net("224.0.0.0/24");
  const broadcast = net("255.255.255.255/32");
  const from = (src: IntervalSet, dst: IntervalSet, proto?: number): Space =>
    Space.UNIVERSE.restrict({ src, dst, ...(proto === undefined ? {} : { proto: IntervalSet.of(proto) }) });
  const nft = answered(
    from(zeronet, broadcast.union(localGroups)),
    from(net("::/128"), linkLocalScope(), 58).union(from(olderZeronet, broadcast.union(localGroups))),
  );
  const xt = answered(
    from(zeronet, localGroups).union(from(net("::/128"), ALL_V6)),
    from(zeronet, broadcast.union(net("224.0.0.0/4").subtract(localGroups))).union(
      from(olderZeronet, broadcast.union(net("224.0.0.0/4"))),
    ),
  );
  return { strict: nft(strict), loose: nft(loose), xt: { strict: xt(strict), loose: xt(loose) } };
}

/** A form's answers: `passes` decided as passing, `kernel` left to the kernel (approximated). */
function answered(passes: Space, kernel: Space): (d: Decided) => Decided {
  const out = passes.union(kernel);
  return (d) => ({
    missing: d.missing.subtract(out),
    unsure: d.unsure.subtract(passes).union(kernel),
    local: d.local,
  });
}

/** Link-local destinations to the kernel's ipv6_addr_type: fe80::/10 and multicast of link-local scope (ffX2::/16). */
function linkLocalScope(): IntervalSet {
  let s = net("fe80::/10");
  for (let flags = 0; flags < 16; flags++) s = s.union(net(`ff${flags.toString(16)}2::/16`));
  return s;
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
