/**
 * Rules a reader left approximated only because they name "the firewall's own addresses"
 * (iptables `-m addrtype --dst-type LOCAL`: Docker's and kube-proxy's nat jumps, ufw's
 * `ufw-not-local`), made exact where the topology says which those are: on a host firewall, the
 * host endpoint's addresses and what is local on every host (loopback). The audit's packets to the
 * host are addressed to the host endpoint, and its packets from the host to others leave by an
 * interface other than `lo`, which a packet to one of the host's own addresses never does (the
 * kernel routes those through `lo`): so other addresses the host may hold decide no packet the
 * audit judges. A perimeter topology does not name the firewall's own addresses: its rules stay
 * approximated.
 */
import type { Approximation, Chain, HostAddressTerm, Rule, Ruleset, Table } from "../ir/ruleset.js";
import type { BoundTopology } from "../model/flow.js";
import { ALL_ADDRESSES } from "../space/address.js";
import type { IntervalSet } from "../space/interval-set.js";
import { Space } from "../space/space.js";

/** The rulesets with such rules bound to the host's addresses; the same objects when none is. */
export function bindHostAddresses(
  rulesets: readonly Ruleset[],
  topology: Pick<BoundTopology, "firewall" | "endpoints">,
): Ruleset[] {
  const fw = topology.firewall;
  const own = fw.kind === "host" ? topology.endpoints.find((e) => e.id === fw.host)?.addresses : undefined;
  if (!own) return [...rulesets];
  return rulesets.map((rs) => {
    const tables = rs.tables.map((t) => bindTable(t, own));
    return tables.every((t, i) => t === rs.tables[i]) ? rs : { ...rs, tables };
  });
}

function bindTable(t: Table, own: IntervalSet): Table {
  const chains = t.chains.map((c): Chain => {
    const rules = c.rules.map((r) => bindRule(r, own));
    return rules.every((r, i) => r === c.rules[i]) ? c : { ...c, rules };
  });
  return chains.every((c, i) => c === t.chains[i]) ? t : { ...t, chains };
}

function bindRule(r: Rule, own: IntervalSet): Rule {
  const bound = r.approximations.filter((a): a is Approximation & { hostAddresses: HostAddressTerm[] } =>
    Boolean(a.hostAddresses),
  );
  if (bound.length === 0) return r;
  let match = r.match;
  for (const a of bound)
    for (const term of a.hostAddresses) {
      const pos = own.union(term.always).subtract(term.never).union(term.also);
      match = match.intersect(
        Space.UNIVERSE.restrict({ [term.dim]: term.negate ? ALL_ADDRESSES.subtract(pos) : pos }),
      );
    }
  return { ...r, match, approximations: r.approximations.filter((a) => !a.hostAddresses) };
}
