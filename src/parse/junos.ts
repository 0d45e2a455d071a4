/**
 * Juniper SRX (Junos) configuration → IR (format `junos`), set or hierarchical form
 * (junos-config.ts). Transit traffic as the SRX decides it (Junos OS Security Policies User Guide:
 * "Security Policies Overview", "Global Policies", "Default Policy"):
 *  - stateful: packets of permitted sessions (replies included) pass (implicit rule first);
 *  - a packet from an interface of zone F to one of zone T (F = T included: intra-zone traffic
 *    is policed too) meets the policies `from-zone F to-zone T` in order, first match; when none
 *    matches, the global policies (`security policies global`, in order, each optionally limited
 *    to `match from-zone`/`to-zone`); then the default policy (`default-policy deny-all` unless
 *    `permit-all`); an interface in no zone passes nothing;
 *  - a policy matches when source, destination and application each match one of theirs
 *    (`source-address-excluded`/`destination-address-excluded`: none of them); `then permit` →
 *    accept, `deny`/`reject` → drop; inactive policies (`deactivate`, `inactive:`) match nothing;
 *  - static NAT (`security nat static`) and destination NAT (`security nat destination`) act
 *    before the policies (policies see the translated destination): DNAT in prerouting for
 *    packets entering the rule-set's `from zone`/`from interface`. Static NAT is bidirectional: its
 *    reverse mapping translates the source of traffic from the translated address leaving by an
 *    interface of the rule-set's `from` context, and takes precedence over source NAT;
 *  - source NAT (`security nat source`, after the policies: it changes no verdict but is what the
 *    symmetric-NAT check reads) is a postrouting nat chain: the reverse static mappings, then the
 *    rule-sets (`from`/`to` zone or interface), interface contexts before zone contexts, rules in
 *    order, first match; `then source-nat off` keeps the source, `interface` is the egress
 *    interface's address (masquerade), `pool P` the pool's addresses. Rule-sets whose contexts
 *    overlap with different kinds, routing-instance contexts and pool options (port ranges,
 *    overflow pools, persistent NAT) are approximations.
 * In first-match IR: forward: [stateful pass, iif F oif T goto pol_F_T …, zoned goto global]
 * policy drop; pol_F_T: the policies, goto global; global: the global policies, default policy.
 * Not modelled, as approximations on the rule (verdicts it decides are uncertain): schedulers,
 * dynamic-application / url-category / identity matches, `then permit application-services`
 * (IDP, UTM, … may drop what the policy permits), what address and application names the
 * objects (junos-objects.ts) cannot resolve. ALGs (SIP, FTP pinholes) are not modelled.
 */
import { diag } from "../diag/diagnostic.js";
import type { Action, Approximation, Chain, Rule } from "../ir/ruleset.js";
import { ALL_ADDRESSES } from "../space/address.js";
import { ctSet, makeBox } from "../space/box.js";
import { IntervalSet } from "../space/interval-set.js";
import { NameSet } from "../space/name-set.js";
import { Space } from "../space/space.js";
import { baseChain, deviceRule, origin, statefulPass, userChain } from "./device.js";
import { junosStatements, type JunosStatement } from "./junos-config.js";
import { JunosObjects, junosPrefix, type Resolved } from "./junos-objects.js";
import { lookupTable } from "./lookup.js";
import type { ParsedRuleset } from "./reader.js";

const TABLE = "junos";

interface Policy {
  name: string;
  from?: string;
  to?: string;
  statements: JunosStatement[];
  inactive: boolean;
}

interface NatRule {
  kind: "static" | "destination" | "source";
  ruleSet: string;
  name: string;
  statements: JunosStatement[];
}

export function readJunos(text: string, file: string): ParsedRuleset {
  const { statements, diagnostics } = junosStatements(text, file);
  const objects = new JunosObjects();
  const zones = new Map<string, string[]>();
  const pairs = new Map<string, Policy[]>();
  const globals: Policy[] = [];
  const ruleSetFrom = new Map<string, JunosStatement[]>();
  const pools = new Map<string, JunosStatement[]>();
  const nats: NatRule[] = [];
  let defaultPolicy: JunosStatement | undefined;
  const policyOf = (
    list: Policy[],
    name: string,
    depth: number,
    s: JunosStatement,
    from?: string,
    to?: string,
  ) => {
    let p = list.find((q) => q.name === name);
    if (!p) {
      p = { name, statements: [], inactive: false };
      if (from !== undefined) p.from = from;
      if (to !== undefined) p.to = to;
      list.push(p);
    }
    if (s.inactiveAt !== undefined && s.inactiveAt <= depth) p.inactive = true;
    else if (s.inactiveAt === undefined) p.statements.push({ ...s, words: s.words.slice(depth) });
  };
  for (const s of statements) {
    const w = s.words;
    if (objects.add(s) || w[0] !== "security") continue;
    if (w[1] === "zones" && w[2] === "security-zone" && w[3] && w[4] === "interfaces" && w[5]) {
      if (s.inactiveAt !== undefined) continue;
      zones.set(w[3], [...new Set([...(zones.get(w[3]) ?? []), w[5]])]);
    } else if (w[1] === "zones" && w[2] === "security-zone" && w[3]) {
      if (!zones.has(w[3])) zones.set(w[3], []);
    } else if (
      w[1] === "policies" &&
      w[2] === "from-zone" &&
      w[4] === "to-zone" &&
      w[6] === "policy" &&
      w[7]
    ) {
      const key = `${w[3]}\u0000${w[5]}`;
      const list = pairs.get(key) ?? [];
      pairs.set(key, list);
      policyOf(list, w[7], 8, s, w[3], w[5]);
    } else if (w[1] === "policies" && w[2] === "global" && w[3] === "policy" && w[4]) {
      policyOf(globals, w[4], 5, s);
    } else if (w[1] === "policies" && w[2] === "default-policy" && s.inactiveAt === undefined) {
      defaultPolicy = s;
    } else if (
      w[1] === "nat" &&
      (w[2] === "static" || w[2] === "destination" || w[2] === "source") &&
      s.inactiveAt === undefined
    ) {
      // Destination and source pools are separate name spaces.
      const poolKey = (name: string) => (w[2] === "source" ? `source/${name}` : name);
      if (w[3] === "pool" && w[4])
        pools.set(poolKey(w[4]), [...(pools.get(poolKey(w[4])) ?? []), { ...s, words: w.slice(5) }]);
      else if (w[3] === "rule-set" && w[4] && (w[5] === "from" || w[5] === "to"))
        ruleSetFrom.set(`${w[2]}/${w[4]}`, [...(ruleSetFrom.get(`${w[2]}/${w[4]}`) ?? []), s]);
      else if (w[3] === "rule-set" && w[4] && w[5] === "rule" && w[6]) {
        let r = nats.find((n) => n.kind === w[2] && n.ruleSet === w[4] && n.name === w[6]);
        if (!r) nats.push((r = { kind: w[2] as "static", ruleSet: w[4], name: w[6], statements: [] }));
        r.statements.push({ ...s, words: w.slice(7) });
      }
    }
  }
  const ifsOf = (zone: string | undefined): NameSet =>
    zone === undefined || zone === "any"
      ? NameSet.of(...[...zones.values()].flat())
      : NameSet.of(...(zones.get(zone) ?? []));
  const problem = (
    s: JunosStatement,
    code: string,
    message: string,
    expected: string,
    severity: "error" | "warning" = "error",
  ) => diagnostics.push(diag(code, severity, message, { at: { file, line: s.line, col: s.col }, expected }));
  const policyRules = (list: Policy[], chain: string): Rule[] =>
    list.map((p) => policyRule(p, chain, objects, file, ifsOf, problem));

  const top = origin(file, 1, "(implicit) transit traffic between zones");
  const forward: Rule[] = [statefulPass(TABLE, "forward", "The SRX", top)];
  const chains: Chain[] = [];
  for (const [key, list] of pairs) {
    const [from, to] = key.split("\u0000") as [string, string];
    const name = `pol_${from}_${to}`;
    const first = list[0]!.statements[0] ?? { line: 1, text: `from-zone ${from} to-zone ${to}`, col: 1 };
    const at = origin(file, first.line, `security policies from-zone ${from} to-zone ${to}`);
    forward.push(
      deviceRule(
        TABLE,
        "forward",
        0,
        Space.box(makeBox({ iif: ifsOf(from), oif: ifsOf(to) })),
        { kind: "goto", chain: name },
        at,
        `traffic from zone ${from} to zone ${to} meets the policies from-zone ${from} to-zone ${to}`,
      ),
    );
    const fallThrough = deviceRule(
      TABLE,
      name,
      0,
      Space.ANY,
      { kind: "goto", chain: "global" },
      { ...at, text: `(implicit) no policy from-zone ${from} to-zone ${to} matched: global policies` },
      "no zone-pair policy matched",
    );
    chains.push(userChain(name, at, [...policyRules(list, name), fallThrough]));
  }
  const zoned = ifsOf(undefined);
  forward.push(
    deviceRule(
      TABLE,
      "forward",
      0,
      Space.box(makeBox({ iif: zoned, oif: zoned })),
      { kind: "goto", chain: "global" },
      { ...top, text: "(implicit) traffic between zones without zone-pair policies: global policies" },
      "no zone-pair policies",
    ),
  );
  const permitAll = defaultPolicy?.words[3] === "permit-all";
  const defAt = defaultPolicy
    ? origin(file, defaultPolicy.line, defaultPolicy.text, defaultPolicy.col)
    : { ...top, text: "(implicit) default-policy deny-all" };
  const defaultRule = deviceRule(
    TABLE,
    "global",
    0,
    Space.ANY,
    permitAll ? { kind: "accept" } : { kind: "drop" },
    defAt,
    permitAll ? "default-policy permit-all" : "the default policy denies what no policy permits",
  );
  chains.push(userChain("global", top, [...policyRules(globals, "global"), defaultRule]));
  const reverse: Rule[] = [];
  const nat = natChain(
    nats.filter((n) => n.kind !== "source"),
    ruleSetFrom,
    pools,
    objects,
    file,
    ifsOf,
    problem,
    reverse,
  );
  nat.push(
    ...sourceNatChain(
      nats.filter((n) => n.kind === "source"),
      reverse,
      ruleSetFrom,
      pools,
      objects,
      file,
      ifsOf,
      problem,
    ),
  );
  return {
    ruleset: {
      format: "junos",
      source: file,
      semantics: "first-match",
      stateful: true,
      tables: [
        {
          family: "inet",
          name: TABLE,
          chains: [baseChain("forward", "forward", "drop", top, forward), ...chains, ...nat],
        },
      ],
    },
    diagnostics,
  };
}

type Problem = (
  s: JunosStatement,
  code: string,
  message: string,
  expected: string,
  severity?: "error" | "warning",
) => void;

function collect<T>(
  r: Resolved<T>,
  s: JunosStatement,
  file: string,
  approx: Approximation[],
  problem: Problem,
  what: string,
): T {
  for (const n of r.undefinedNames)
    problem(
      s,
      "junos-reference",
      `${what} ${n} is not defined`,
      `${what === "address" ? "an address-book name" : "an application name"} defined in the configuration, or a predefined one`,
    );
  for (const a of r.approx)
    approx.push({
      construct: a,
      reason: "not modelled: the policy is read as matching more",
      origin: origin(file, s.line, s.text, s.col),
      affects: "match",
    });
  return r.value;
}

function policyRule(
  p: Policy,
  chain: string,
  objects: JunosObjects,
  file: string,
  ifsOf: (zone: string | undefined) => NameSet,
  problem: Problem,
): Rule {
  const first = p.statements[0];
  const at = origin(file, first?.line ?? 1, first?.text ?? `policy ${p.name}`, first?.col ?? 1);
  const approximations: Approximation[] = [];
  let src = IntervalSet.EMPTY;
  let dst = IntervalSet.EMPTY;
  let apps = Space.EMPTY;
  let srcExcluded = false;
  let dstExcluded = false;
  let action: Action | undefined;
  let thenAt: JunosStatement | undefined;
  const fromZones: string[] = [];
  const toZones: string[] = [];
  for (const s of p.statements) {
    const [k, a, b] = s.words;
    const note = (construct: string) =>
      approximations.push({
        construct,
        reason: "not modelled: the policy is read as if it always matched on this",
        origin: origin(file, s.line, s.text, s.col),
        affects: "match",
      });
    if (k === "match" && a && b !== undefined) {
      if (a === "source-address")
        src = src.union(collect(objects.address(b, p.from), s, file, approximations, problem, "address"));
      else if (a === "destination-address")
        dst = dst.union(collect(objects.address(b, p.to), s, file, approximations, problem, "address"));
      else if (a === "application")
        apps = apps.union(collect(objects.application(b), s, file, approximations, problem, "application"));
      else if (a === "from-zone") fromZones.push(b);
      else if (a === "to-zone") toZones.push(b);
      else if (a === "source-address-excluded") srcExcluded = true;
      else if (a === "destination-address-excluded") dstExcluded = true;
      else if (!(a === "dynamic-application" && b === "none")) note(`match ${a}`);
    } else if (k === "match" && (a === "source-address-excluded" || a === "destination-address-excluded")) {
      if (a === "source-address-excluded") srcExcluded = true;
      else dstExcluded = true;
    } else if (k === "then" && (a === "permit" || a === "deny" || a === "reject")) {
      action = a === "permit" ? { kind: "accept" } : { kind: "drop" };
      thenAt = s;
      // `then permit application-services …`: IDP, UTM, application firewall, security
      // intelligence, anti-malware, SSL proxy… may drop or reset what the policy permits
      // (traffic control only shapes it).
      const service = s.words[3];
      if (
        a === "permit" &&
        b === "application-services" &&
        service &&
        service !== "application-traffic-control"
      )
        approximations.push({
          construct: `then permit application-services ${service}`,
          reason: "not modelled: the service may drop or reset sessions the policy permits",
          origin: origin(file, s.line, s.text, s.col),
          affects: "action",
        });
    } else if (k === "scheduler-name") note(`scheduler-name ${a ?? ""}`);
  }
  if (!p.inactive && !action && first)
    problem(
      first,
      "junos-policy",
      `policy ${p.name} has no then permit, deny or reject`,
      "then permit|deny|reject",
    );
  // Junos refuses to commit a policy without these ("missing mandatory statement"); an excerpt
  // may leave them out: read as any, the policy's verdicts uncertain.
  const matched = new Set(p.statements.filter((s) => s.words[0] === "match").map((s) => s.words[1]));
  const missing = ["source-address", "destination-address", "application"].filter((m) => !matched.has(m));
  if (!p.inactive && first && missing.length > 0) {
    problem(
      first,
      "junos-policy",
      `policy ${p.name} has no match ${missing.join(", ")}: read as any`,
      "match source-address, destination-address and application in every policy",
      "warning",
    );
    approximations.push({
      construct: `policy ${p.name} without match ${missing.join(", ")}`,
      reason: "a mandatory match missing (the device would not commit it): read as any",
      origin: at,
      affects: "match",
    });
    if (missing.includes("source-address")) src = ALL_ADDRESSES;
    if (missing.includes("destination-address")) dst = ALL_ADDRESSES;
    if (missing.includes("application")) apps = Space.ANY;
  }
  if (srcExcluded) src = ALL_ADDRESSES.subtract(src);
  if (dstExcluded) dst = ALL_ADDRESSES.subtract(dst);
  const inGlobal = p.from === undefined;
  const iif = inGlobal && fromZones.length > 0 ? unionNames(fromZones.map(ifsOf)) : NameSet.ALL;
  const oif = inGlobal && toZones.length > 0 ? unionNames(toZones.map(ifsOf)) : NameSet.ALL;
  const match = p.inactive ? Space.EMPTY : apps.restrict({ src, dst, iif, oif });
  const ruleAt = thenAt ? origin(file, thenAt.line, thenAt.text, thenAt.col) : at;
  const rule = deviceRule(TABLE, chain, 0, match, action ?? { kind: "drop" }, {
    ...ruleAt,
    text: `policy ${p.name}: ${ruleAt.text}`,
  });
  rule.approximations = approximations;
  return rule;
}

function unionNames(sets: NameSet[]): NameSet {
  return sets.reduce((a, b) => a.union(b), NameSet.EMPTY);
}

/**
 * Static and destination NAT as DNAT rules in prerouting (static first, as the SRX applies them);
 * each static rule's reverse mapping (SNAT of the translated address leaving by the rule-set's
 * `from` context) is added to `reverse`, for the postrouting chain.
 */
function natChain(
  nats: NatRule[],
  ruleSetFrom: Map<string, JunosStatement[]>,
  pools: Map<string, JunosStatement[]>,
  objects: JunosObjects,
  file: string,
  ifsOf: (zone: string | undefined) => NameSet,
  problem: Problem,
  reverse: Rule[],
): Chain[] {
  if (nats.length === 0) return [];
  const rules: Rule[] = [];
  const ordered = [
    ...nats.filter((n) => n.kind === "static"),
    ...nats.filter((n) => n.kind === "destination"),
  ];
  for (const n of ordered) {
    const first = n.statements[0]!;
    const at = origin(file, first.line, first.text, first.col);
    const approximations: Approximation[] = [];
    const from = (ruleSetFrom.get(`${n.kind}/${n.ruleSet}`) ?? []).filter((f) => f.words[5] === "from");
    let iif = NameSet.EMPTY;
    for (const f of from) {
      const [, , , , , , kind, name] = f.words;
      if (kind === "zone" && name) iif = iif.union(ifsOf(name));
      else if (kind === "interface" && name) iif = iif.union(NameSet.of(name));
      else {
        iif = NameSet.ALL;
        approximations.push({
          construct: f.text,
          reason: "rule-set context not modelled: read as any interface",
          origin: origin(file, f.line, f.text, f.col),
          affects: "match",
        });
      }
    }
    let dst: IntervalSet | undefined;
    let dport: IntervalSet | undefined;
    let src = ALL_ADDRESSES;
    let to: IntervalSet | undefined;
    let toPort: IntervalSet | undefined;
    let off = false;
    for (const s of n.statements) {
      const w = s.words;
      // NAT rules take prefixes (destination-address, prefix) or address-book names (…-name).
      const addr = (name: string) => {
        const literal = junosPrefix(name);
        if (literal) return literal;
        return collect(objects.address(name, undefined), s, file, approximations, problem, "address");
      };
      if (w[0] === "match" && (w[1] === "destination-address" || w[1] === "destination-address-name") && w[2])
        dst = (dst ?? IntervalSet.EMPTY).union(addr(w[2]));
      else if (w[0] === "match" && (w[1] === "source-address" || w[1] === "source-address-name") && w[2])
        src = src === ALL_ADDRESSES ? addr(w[2]) : src.union(addr(w[2]));
      else if (w[0] === "match" && w[1] === "destination-port" && w[2]) {
        const m = /^(\d+)(?:\s*to\s*(\d+))?$/.exec(w.slice(2).join(" "));
        if (m) dport = IntervalSet.of(Number(m[1]), Number(m[2] ?? m[1]));
      } else if (
        w[0] === "then" &&
        w[1] === "static-nat" &&
        (w[2] === "prefix" || w[2] === "prefix-name") &&
        w[3] &&
        w[3] !== "routing-instance"
      ) {
        to = addr(w[3]);
        if (w[4] === "mapped-port" && w[5]) toPort = IntervalSet.of(Number(w[5]));
      } else if (w[0] === "then" && w[1] === "static-nat" && w[2] === "inet") {
        approximations.push({
          construct: s.text,
          reason: "static-nat inet (NAT64) not modelled",
          origin: origin(file, s.line, s.text, s.col),
          affects: "action",
        });
      } else if (w[0] === "then" && w[1] === "destination-nat" && w[2] === "off") off = true;
      else if (w[0] === "then" && w[1] === "destination-nat" && w[2] === "pool" && w[3]) {
        for (const p of pools.get(w[3]) ?? []) {
          if (p.words[0] === "address" && p.words[1]) {
            const a = addr(p.words[1]);
            to = (to ?? IntervalSet.EMPTY).union(a);
            if (p.words[2] === "port" && p.words[3]) toPort = IntervalSet.of(Number(p.words[3]));
          }
        }
        if (!to)
          problem(
            s,
            "junos-reference",
            `destination NAT pool ${w[3]} has no address`,
            "security nat destination pool <name> address <prefix>",
          );
      }
    }
    if (!dst) continue;
    const target = { ...(to ? { addresses: to } : {}), ...(toPort ? { ports: toPort } : {}) };
    const action: Action = off || !to ? { kind: "redirect" } : { kind: "dnat", to: target };
    if (!off && to && dst.size() !== to.size())
      approximations.push({
        construct: first.text,
        reason: "original and translated address sets differ in size: the one-to-one mapping is not modelled",
        origin: at,
        affects: "action",
      });
    const r = deviceRule(
      TABLE,
      "nat_in",
      0,
      Space.box(makeBox({ iif, dst, src, ct: ctSet(["new"]), ...(dport ? { dport } : {}) })),
      off ? { kind: "accept" } : action,
      { ...at, text: `${n.kind} nat rule-set ${n.ruleSet} rule ${n.name}: ${at.text}` },
    );
    r.approximations = approximations;
    rules.push(r);
    if (n.kind === "static" && to && !off) {
      // The reverse mapping: the translated address, leaving by the `from` context, takes the original.
      const rev = deviceRule(
        TABLE,
        "nat_out",
        0,
        Space.box(makeBox({ oif: iif, src: to, dst: src })),
        { kind: "snat", to: { addresses: dst } },
        { ...at, text: `static nat rule-set ${n.ruleSet} rule ${n.name} (reverse mapping): ${at.text}` },
      );
      rev.approximations = [...approximations];
      if (toPort || dport)
        rev.approximations.push({
          construct: first.text,
          reason: "the reverse mapping of a port-mapping static NAT rule: ports not modelled",
          origin: at,
          affects: "action",
        });
      reverse.push(rev);
    }
  }
  const top = origin(file, 1, "(implicit) NAT");
  const c = baseChain("nat_in", "prerouting", "accept", top, rules);
  return [{ ...c, base: { ...c.base!, type: "nat", priority: -100 } }];
}

const CONTEXT_RANK: Record<string, number> = lookupTable({ interface: 0, zone: 1, "routing-instance": 2 });

/**
 * Source NAT as a postrouting nat chain: the reverse static mappings first (they take precedence),
 * then the rule-sets, the most specific context first (interface before zone), rules in order.
 */
function sourceNatChain(
  nats: NatRule[],
  reverse: Rule[],
  ruleSets: Map<string, JunosStatement[]>,
  pools: Map<string, JunosStatement[]>,
  objects: JunosObjects,
  file: string,
  ifsOf: (zone: string | undefined) => NameSet,
  problem: Problem,
): Chain[] {
  if (nats.length === 0 && reverse.length === 0) return [];
  interface Context {
    iif: NameSet;
    oif: NameSet;
    rank: number;
    kinds: string;
    approximations: Approximation[];
  }
  const contexts = new Map<string, Context>();
  const contextOf = (ruleSet: string): Context => {
    const known = contexts.get(ruleSet);
    if (known) return known;
    const c: Context = { iif: NameSet.EMPTY, oif: NameSet.EMPTY, rank: 0, kinds: "", approximations: [] };
    const kinds: string[] = [];
    for (const dir of ["from", "to"] as const) {
      let set = NameSet.EMPTY;
      let kind = "zone";
      for (const f of (ruleSets.get(`source/${ruleSet}`) ?? []).filter((x) => x.words[5] === dir)) {
        const [k, name] = f.words.slice(6);
        kind = k ?? "zone";
        if (k === "zone" && name) set = set.union(ifsOf(name));
        else if (k === "interface" && name) set = set.union(NameSet.of(name));
        else {
          set = NameSet.ALL;
          c.approximations.push({
            construct: f.text,
            reason: `rule-set context ${k ?? ""} not modelled: read as any interface`,
            origin: origin(file, f.line, f.text, f.col),
            affects: "match",
          });
        }
      }
      kinds.push(kind);
      c.rank = c.rank * 3 + (CONTEXT_RANK[kind] ?? 2);
      if (dir === "from") c.iif = set;
      else c.oif = set;
    }
    c.kinds = kinds.join("/");
    contexts.set(ruleSet, c);
    return c;
  };
  const rules: Array<{ rule: Rule; ctx: Context; order: number }> = [];
  nats.forEach((n, order) => {
    const ctx = contextOf(n.ruleSet);
    const first = n.statements[0]!;
    const at = origin(file, first.line, first.text, first.col);
    const approximations: Approximation[] = [...ctx.approximations];
    let src: IntervalSet | undefined;
    let dst: IntervalSet | undefined;
    let dport: IntervalSet | undefined;
    let action: Action | undefined;
    for (const s of n.statements) {
      const w = s.words;
      const addr = (name: string) =>
        junosPrefix(name) ??
        collect(objects.address(name, undefined), s, file, approximations, problem, "address");
      const note = (reason: string) =>
        approximations.push({
          construct: s.text,
          reason,
          origin: origin(file, s.line, s.text, s.col),
          affects: "action",
        });
      if (w[0] === "match" && (w[1] === "source-address" || w[1] === "source-address-name") && w[2])
        src = (src ?? IntervalSet.EMPTY).union(addr(w[2]));
      else if (
        w[0] === "match" &&
        (w[1] === "destination-address" || w[1] === "destination-address-name") &&
        w[2]
      )
        dst = (dst ?? IntervalSet.EMPTY).union(addr(w[2]));
      else if (w[0] === "match" && w[1] === "destination-port" && w[2]) {
        const m = /^(\d+)(?:\s*to\s*(\d+))?$/.exec(w.slice(2).join(" "));
        if (m) dport = (dport ?? IntervalSet.EMPTY).union(IntervalSet.of(Number(m[1]), Number(m[2] ?? m[1])));
      } else if (w[0] === "match")
        approximations.push({
          construct: s.text,
          reason: "match condition not modelled: read as matching",
          origin: origin(file, s.line, s.text, s.col),
          affects: "match",
        });
      else if (w[0] === "then" && w[1] === "source-nat" && w[2] === "off") action = { kind: "accept" };
      else if (w[0] === "then" && w[1] === "source-nat" && w[2] === "interface") {
        action = { kind: "masquerade" };
        if (w.length > 3) note("options of source-nat interface not modelled");
      } else if (w[0] === "then" && w[1] === "source-nat" && w[2] === "pool" && w[3]) {
        let to: IntervalSet | undefined;
        for (const p of pools.get(`source/${w[3]}`) ?? []) {
          const [k, a, t, b] = p.words;
          if (k === "address" && a) {
            let set = addr(a);
            if (t === "to" && b) {
              const hi = junosPrefix(b);
              if (hi && set.min() !== undefined && hi.max() !== undefined && set.min()! <= hi.max()!)
                set = IntervalSet.of(set.min()!, hi.max()!);
            }
            to = (to ?? IntervalSet.EMPTY).union(set);
          } else if (k !== "description")
            approximations.push({
              construct: p.text,
              reason: "source pool option not modelled (ports, overflow pool, persistence)",
              origin: origin(file, p.line, p.text, p.col),
              affects: "action",
            });
        }
        if (w.length > 4) note("options of source-nat pool not modelled");
        if (to) action = { kind: "snat", to: { addresses: to } };
        else
          problem(
            s,
            "junos-reference",
            `source NAT pool ${w[3]} has no address`,
            "security nat source pool <name> address <prefix>",
          );
      }
    }
    if (!action) return;
    const r = deviceRule(
      TABLE,
      "nat_out",
      0,
      Space.box(
        makeBox({
          iif: ctx.iif,
          oif: ctx.oif,
          src: src ?? ALL_ADDRESSES,
          dst: dst ?? ALL_ADDRESSES,
          ...(dport ? { dport, proto: IntervalSet.of(6).union(IntervalSet.of(17)) } : {}),
        }),
      ),
      action,
      { ...at, text: `source nat rule-set ${n.ruleSet} rule ${n.name}: ${at.text}` },
    );
    r.approximations = approximations;
    rules.push({ rule: r, ctx, order });
  });
  // Rule-sets of different context kinds whose contexts overlap: which one the SRX picks is read
  // by rank (interface before zone), an approximation.
  const sets = [...contexts.values()];
  for (const a of sets)
    if (
      sets.some(
        (b) =>
          b !== a &&
          b.kinds !== a.kinds &&
          !a.iif.intersect(b.iif).isEmpty() &&
          !a.oif.intersect(b.oif).isEmpty(),
      )
    )
      for (const x of rules.filter((x) => x.ctx === a))
        x.rule.approximations.push({
          construct: x.rule.origin.text,
          reason:
            "rule-sets of overlapping contexts of different kinds: precedence read as interface before zone",
          origin: x.rule.origin,
          affects: "match",
        });
  rules.sort((a, b) => a.ctx.rank - b.ctx.rank || a.order - b.order);
  const top = origin(file, 1, "(implicit) source NAT");
  const c = baseChain("nat_out", "postrouting", "accept", top, [...reverse, ...rules.map((x) => x.rule)]);
  return [{ ...c, base: { ...c.base!, type: "nat", priority: 100 } }];
}

/** The interfaces a junos ruleset puts in security zones: those the topology's zones may name. */
export function junosInterfaces(chains: readonly Chain[]): string[] {
  const forward = chains.find((c) => c.name === "forward");
  const zoned = forward?.rules.find((r) => r.action.kind === "goto" && r.action.chain === "global");
  return [...new Set(zoned?.match.boxes.flatMap((b) => (b.iif.cofinite ? [] : b.iif.names)) ?? [])];
}
