/**
 * Static 1:1 NAT of a topology (`nat: {ENDPOINT: PUBLIC-ADDRESS(ES)}`), bound and checked. Pure.
 *
 * The endpoint keeps its own (private) address in `endpoints`; `nat` gives the public address per
 * family. The perimeter firewall DNATs packets to the public address arriving from any other zone
 * to the private one, and SNATs the endpoint's packets leaving its zone to the public one — one
 * address pair both ways (symmetric NAT, which the A/V Edge needs: Gg425882, "NAT must be
 * symmetric"). Checked here, each with its place in the file: the endpoint exists and has exactly
 * one single address of each family translated; each public address is one host, not another
 * endpoint's own address, and not used for two private addresses; the firewall is a perimeter one;
 * and the profile's advisories that say NAT is `required` or `forbidden` (HLB) hold.
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { addressText, familyOf, familyPart, parseAddress, type Family } from "../space/address.js";
import { IntervalSet } from "../space/interval-set.js";
import {
  eachAddress,
  singleAddresses,
  type BoundTopology,
  type FirewallSpec,
  type ResolvedFlow,
} from "./flow.js";
import type { Advisory } from "./schema.js";
import type { PathKey, YamlSource } from "./yaml-source.js";

export interface NatPair {
  family: Family;
  private: bigint;
  public: bigint;
}

export interface NatBinding {
  endpoint: string;
  pairs: NatPair[];
}

type Endpoint = BoundTopology["endpoints"][number];

interface NatInput {
  nat: Record<string, string | string[]> | undefined;
  endpoints: readonly Endpoint[];
  endpointIds: readonly string[];
  firewall: FirewallSpec | undefined;
  advisories: readonly Advisory[];
  features: ReadonlySet<string>;
  source: YamlSource;
}

const conditionsMet = (conds: Advisory["conditions"], features: ReadonlySet<string>): boolean =>
  conds.every((k) => (typeof k === "string" ? [k] : k.anyOf).some((n) => features.has(n)));

/** The topology's NAT bindings, or diagnostics (located) for every problem found. */
export function bindNat(o: NatInput): { nat: NatBinding[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const err = (code: string, message: string, path: PathKey[], expected: string, key = false): void => {
    diagnostics.push(diag(code, "error", message, { at: o.source.positionOf(path, { key }), expected }));
  };
  const given = o.nat !== undefined && Object.keys(o.nat).length > 0;
  for (const a of o.advisories) {
    if (a.nat === undefined) continue;
    const active = conditionsMet(a.conditions, o.features);
    if (a.nat === "forbidden" && active && given)
      err(
        "nat-forbidden",
        `the profile's advisory ${a.id} rules NAT out: "${a.text}"`,
        ["nat"],
        "no nat: section (public addresses bound in endpoints)",
        true,
      );
    if (a.nat === "required" && active && !given)
      err(
        "nat-required",
        `the profile's advisory ${a.id} says the edge is behind NAT ("${a.text}"), but the topology has no nat: section`,
        ["profile"],
        "nat: {ENDPOINT: PUBLIC-ADDRESS} for each endpoint behind the NAT (endpoints bound to their private addresses)",
      );
    if (a.nat === "required" && !active && given)
      err(
        "nat-required",
        `nat: is given, but the profile's advisory ${a.id} (NAT) applies only with ${a.conditions.map((c) => (typeof c === "string" ? c : c.anyOf.join("|"))).join(", ")}`,
        ["nat"],
        `features: [${a.conditions.map((c) => (typeof c === "string" ? c : c.anyOf[0])).join(", ")}]`,
        true,
      );
  }
  if (!given) return { nat: [], diagnostics };
  if (o.firewall?.kind === "host")
    err(
      "nat-firewall",
      "static NAT is done by a perimeter firewall; this topology's firewall is the host's own",
      ["nat"],
      "firewall: {kind: perimeter, zones: …} (a host firewall sees only the private addresses)",
      true,
    );
  const owner = new Map<bigint, { endpoint: string; private: bigint }>();
  const publicOf = new Map<bigint, { endpoint: string; public: bigint }>();
  const out: NatBinding[] = [];
  for (const [id, spec] of Object.entries(o.nat!)) {
    const e = o.endpoints.find((x) => x.id === id);
    if (!o.endpointIds.includes(id)) {
      err(
        "unknown-endpoint",
        `nat: the profile has no endpoint "${id}"`,
        ["nat", id],
        `one of ${o.endpointIds.join(", ")}`,
        true,
      );
      continue;
    }
    if (!e) continue; // its binding is wrong: said there
    const terms = Array.isArray(spec) ? spec : [spec];
    const pairs: NatPair[] = [];
    terms.forEach((t, i) => {
      const path: PathKey[] = Array.isArray(spec) ? ["nat", id, i] : ["nat", id];
      const r = parseAddress(t);
      if (!r.ok || r.set.size() !== 1n) {
        err(
          "invalid-address",
          `nat: "${t}" is not one host address`,
          path,
          "one public IPv4 or IPv6 address per family (1:1 static NAT)",
        );
        return;
      }
      const pub = r.set.intervals[0]![0];
      const fam = familyOf(pub);
      if (pairs.some((p) => p.family === fam)) {
        err(
          "nat-address",
          `nat: ${id} has two public IPv${fam} addresses`,
          path,
          "one public address per family (1:1 static NAT)",
        );
        return;
      }
      const own = familyPart(e.addresses, fam);
      const singles = eachAddress(familyPart(singleAddresses(e), fam));
      if (singles.length !== 1 || !own.equals(IntervalSet.of(singles[0]!))) {
        err(
          "nat-address",
          `nat: ${id} is ${e.text.join(", ")}: not one IPv${fam} host to translate to ${t}`,
          path,
          `${id} bound to exactly one IPv${fam} address (its private address)`,
        );
        return;
      }
      const priv = singles[0]!;
      const other = o.endpoints.find((x) => x.id !== id && singleAddresses(x).has(pub));
      const taken = owner.get(pub);
      const mapped = publicOf.get(priv);
      if (pub === priv || other)
        err(
          "nat-address",
          `nat: ${t} is ${other ? `endpoint ${other.id}'s own address` : `${id}'s own address`}`,
          path,
          "a public address no endpoint is bound to",
        );
      else if (taken && taken.private !== priv)
        err(
          "nat-address",
          `nat: ${t} is already ${taken.endpoint}'s public address (${addressText(taken.private)}); 1:1 NAT maps one private address to it`,
          path,
          "a public address of its own",
        );
      else if (mapped && mapped.public !== pub)
        err(
          "nat-address",
          `nat: ${id}'s address ${addressText(priv)} is already translated to ${addressText(mapped.public)} (for ${mapped.endpoint}); symmetric NAT gives one address one public address`,
          path,
          addressText(mapped.public),
        );
      else {
        owner.set(pub, { endpoint: id, private: priv });
        publicOf.set(priv, { endpoint: id, public: pub });
        pairs.push({ family: fam, private: priv, public: pub });
      }
    });
    if (pairs.length > 0) out.push({ endpoint: id, pairs });
  }
  return { nat: out, diagnostics };
}

/** The endpoint's static NAT, if any. */
export function natOf(t: Pick<BoundTopology, "nat">, endpoint: string): NatBinding | undefined {
  return t.nat?.find((n) => n.endpoint === endpoint);
}

/** A set with each translated private address replaced by its public one. */
export function toPublic(set: IntervalSet, nat: NatBinding): IntervalSet {
  let out = set;
  for (const p of nat.pairs)
    if (out.has(p.private)) out = out.subtract(IntervalSet.of(p.private)).union(IntervalSet.of(p.public));
  return out;
}

/**
 * Whether packets of `flow` reach its destination through the destination's NAT: a perimeter
 * firewall, a translated destination, and a source in another zone (inside the zone nothing is
 * translated).
 */
export function arrivesThroughNat(
  t: Pick<BoundTopology, "nat" | "firewall">,
  flow: Pick<ResolvedFlow, "from" | "to">,
): NatBinding | undefined {
  const fw = t.firewall;
  const nat = natOf(t, flow.to);
  if (!nat || fw.kind !== "perimeter") return undefined;
  const zoneOf = (id: string) => fw.zones.find((z) => z.endpoints.includes(id))?.name;
  return zoneOf(flow.from) !== zoneOf(flow.to) ? nat : undefined;
}

/** Whether packets of `flow` leave through its source's NAT (the source translated, the destination in another zone). */
export function leavesThroughNat(
  t: Pick<BoundTopology, "nat" | "firewall">,
  flow: Pick<ResolvedFlow, "from" | "to">,
): NatBinding | undefined {
  return arrivesThroughNat(t, { from: flow.to, to: flow.from });
}

/** The flow as sent from outside the destination's NAT: addressed to the public address. */
export function asSentThroughNat<F extends Pick<ResolvedFlow, "from" | "to" | "toAddresses">>(
  t: Pick<BoundTopology, "nat" | "firewall">,
  flow: F,
): F {
  const nat = arrivesThroughNat(t, flow);
  if (!nat || !flow.toAddresses) return flow;
  return { ...flow, toAddresses: toPublic(flow.toAddresses, nat) };
}
