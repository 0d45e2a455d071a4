/**
 * The audit: a bound topology's flows against parsed rulesets. Pure; the CLI prints the report and
 * maps `exitCode(report)` to the process exit code (0 all required flows allowed, 1 not; bad input
 * never reaches here: readers' diagnostics are the CLI's exit 2).
 */
import { byCodeUnits } from "../diag/order.js";
import {
  approximationDecides,
  approximatedPart,
  type Approximation,
  type Chain,
  type Rule,
  type Ruleset,
} from "../ir/ruleset.js";
import type { BoundTopology, ResolvedFlow } from "../model/flow.js";
import { leavesThroughNat } from "../model/nat.js";
import { addressText, ALL_V4, ALL_V6, toReadable } from "../space/address.js";
import { IntervalSet } from "../space/interval-set.js";
import type { ParsedRuleset } from "../parse/reader.js";
import { portText, portSet } from "../space/port.js";
import { spaceText } from "../space/render.js";
import { Space } from "../space/space.js";
import { boundsOverlap, BOUNDS_STRIDE, FULL, hullBounds, type Box } from "../space/box.js";
import { NameSet } from "../space/name-set.js";
import {
  applyRewrite,
  rewriteKey,
  runPath,
  type Dropped,
  type Flowing,
  type HookOptions,
  type HookResult,
  type Rewrite,
} from "./hooks.js";
import {
  anyAddressedSpace,
  crossing,
  CT_FORWARD,
  CT_NEW,
  exposureUniverse,
  replySpace,
  INBOUND,
  OUTBOUND,
  sentSpace,
  type Crossing,
  type Leg,
} from "./flows.js";
import { essentialParts, neighbourDiscovery } from "./neighbour.js";
import { AUDIT_REPORT_VERSION, HIDDEN_EXPOSURE_NOTE, OBSERVES_NOTE } from "./report-constants.js";
import type { AuditReportT, FlowFindingT, RuleRefT } from "./report-schema.js";
import type { BaseWalk } from "./walked.js";
import { deadRules, hitSpace, ruleReach, type RuleReach } from "./rule-reach.js";
import { bindHostAddresses } from "./host-addresses.js";
import { bindReversePath, neighbourAddresses } from "./reverse-path.js";
import { bindDnatStatus } from "./dnat-status.js";
import type { Decider, Uncertain } from "./walk.js";
import { everyWorld, piecesUnion, spacesMeet, spacesMeeting } from "./worlds.js";

export interface AuditOptions {
  /** Longest packet-set listing per finding before it is cut (the count of the rest is said). */
  maxLines?: number;
  /** The rulesets' whole-space walk when the caller made it already (ruleReach of the same rulesets). */
  reach?: RuleReach;
  /** Told of each flow a host's own NAT sends elsewhere ("port 22"): the lab listens on the flow's port. */
  redirected?: (flow: string, to: string) => void;
}

/**
 * The rulesets with what the topology decides bound in (the host's addresses, reverse-path checks,
 * `ct status dnat`): a pure function of both, kept per topology for the last rulesets asked, so a
 * further query after the audit does not scan every rule again (~1 ms at 10k rules, ~3 ms cold).
 */
const BOUND = new WeakMap<BoundTopology, { read: readonly Ruleset[]; bound: readonly Ruleset[] }>();

function bindRulesets(read: readonly Ruleset[], topology: BoundTopology): readonly Ruleset[] {
  const last = BOUND.get(topology);
  if (last && last.read.length === read.length && last.read.every((r, i) => r === read[i])) return last.bound;
  const bound = bindDnatStatus(bindReversePath(bindHostAddresses(read, topology), topology));
  BOUND.set(topology, { read: [...read], bound });
  return bound;
}

export function audit(
  topology: BoundTopology,
  parsed: readonly ParsedRuleset[],
  opts: AuditOptions = {},
): AuditReportT {
  const read = parsed.map((p) => p.ruleset);
  const rulesets = bindRulesets(read, topology);
  const bound = rulesets.some((r, i) => r !== read[i]);
  // Dead rules are a claim about every packet, and a host may hold addresses its topology does not
  // name (docker0's, a second interface's): there a rule bound to the host's addresses would be
  // wrong, so dead rules come from the rules as read (approximated, their findings uncertain).
  // Flows, exposure and retired rules judge only packets to and from the host's named addresses,
  // where the bound rules are exact: they take a walk of those.
  const readReach = opts.reach ?? ruleReach(read);
  const reach = bound ? ruleReach(rulesets) : readReach;
  const ctx: Ctx = {
    topology,
    rulesets,
    maxLines: opts.maxLines ?? 20,
    walked: reach.walked,
    interfaceDependent: [],
    neighbour: new Map(),
    neighbourUnsure: [],
    redirected: [],
  };
  const notes: string[] = [];
  // The flows last: a further flow query (the dashboard's next question) then finds their code
  // just run. Each part is a pure function of the walk; the report's order is unchanged.
  const dead = deadRules(read, readReach);
  const exposed = exposure(ctx);
  const retired = retiredRules(ctx, reach);
  const unsupportedRules = unsupported(ctx, reach, read);
  const flows = topology.flows.filter((f) => f.active).map((f) => judgeFlow(ctx, f));
  // An approximation changes no verdict that is certain (worlds.ts): not said to "may change" it.
  const certain = new Set(flows.filter((f) => !f.uncertain).map((f) => f.id));
  for (const u of unsupportedRules) u.flows = u.flows.filter((id) => !certain.has(id));
  const byName = flows.filter((f) => f.verdict === "not-applicable" && f.uncertain).map((f) => f.id);
  if (byName.length > 0)
    notes.push(
      `flows ${byName.join(", ")} go to endpoints known by DNS name only: an audit of addresses cannot judge them (FQDN objects resolve at run time)`,
    );
  if (ctx.interfaceDependent.length > 0)
    notes.push(
      `flows ${ctx.interfaceDependent.join(", ")} are dropped on some interfaces and passed on others: the topology names none of the host's, so every interface but loopback is judged (firewall.interfaces: the host's interfaces and the endpoints each reaches)`,
    );
  for (const r of ctx.redirected) {
    notes.push(
      `flow ${r.flow}: the ruleset's NAT sends its packets to ${r.to}, not where the flow goes: the firewall passes them to what listens there, which must be the flow's service`,
    );
    opts.redirected?.(r.flow, r.to);
  }
  // One note per set of rules, naming every flow they leave uncertain.
  const byRules = new Map<string, { approximated: boolean; ids: string[] }>();
  for (const u of ctx.neighbourUnsure) {
    const k = `${u.approximated} ${u.rules.join(", ")}`;
    const g = byRules.get(k) ?? { approximated: u.approximated, ids: [] };
    g.ids.push(u.flow);
    byRules.set(k, g);
  }
  for (const [k, { approximated, ids }] of byRules) {
    const rules = k.slice(k.indexOf(" ") + 1);
    const several = rules.includes(",");
    const flows = `flow${ids.length === 1 ? "" : "s"} ${ids.join(", ")}`;
    notes.push(
      approximated
        ? `the neighbour discovery IPv6 needs meets ${rules}, not modelled exactly: whether the IPv6 packets of ${flows} pass depends on what ${several ? "they decide" : "it decides"}`
        : `${rules} drop${several ? "" : "s"} some of the neighbour discovery IPv6 needs (ICMPv6 neighbour solicitations and advertisements; conntrack leaves them untracked): whether the IPv6 packets of ${flows} pass depends on which of them the neighbours send`,
    );
  }
  if (dead.budgetExhausted)
    notes.push("redundancy check stopped at its budget: later rules were not checked for redundancy");
  return {
    version: AUDIT_REPORT_VERSION,
    profile: topology.profileId,
    ...(topology.support ? { support: topology.support } : {}),
    firewall: topology.firewall.kind === "host" ? `host ${topology.firewall.host}` : "perimeter",
    rulesets: rulesets.map(summary),
    flows,
    exposure: exposed,
    deadRules: dead.dead.map((d) => ({
      kind: d.kind,
      rule: ruleRef(d.rule),
      by: d.by.map(ruleRef),
      uncertain: d.uncertain,
    })),
    retired,
    unsupported: unsupportedRules,
    notes,
  };
}

export function exitCode(report: AuditReportT): 0 | 1 {
  return report.flows.every(
    (f) => f.retired || ((f.verdict === "allowed" || f.verdict === "not-applicable") && f.snat?.ok !== false),
  )
    ? 0
    : 1;
}

interface Ctx {
  topology: BoundTopology;
  rulesets: readonly Ruleset[];
  maxLines: number;
  /** Base chains' whole-space walks (rule-reach.ts) that flows and exposure narrow instead of re-walking. */
  walked?: ReadonlyMap<Chain, BaseWalk> | undefined;
  /**
   * Flows of a host topology that names no interfaces whose packets are dropped on some interfaces
   * and not others (collected for a note; a further query's list is not read).
   */
  interfaceDependent: string[];
  /** Neighbour discovery judged per (addresses, interfaces), shared by the flows that need it. */
  neighbour: Map<string, NeighbourResult>;
  /** Flows whose IPv6 packets pass only if the neighbour discovery some rules drop is not theirs, with those rules. */
  neighbourUnsure: Array<{ flow: string; rules: string[]; approximated: boolean }>;
  /** Flows a host's own NAT sends elsewhere, and where. */
  redirected: Array<{ flow: string; to: string }>;
}

function summary(rs: Ruleset): AuditReportT["rulesets"][number] {
  const chains = rs.tables.flatMap((t) => t.chains);
  return {
    file: rs.source,
    format: rs.format,
    tables: rs.tables.length,
    chains: chains.length,
    rules: chains.reduce((n, c) => n + c.rules.length, 0),
  };
}

export function ruleRef(rule: Rule): RuleRefT {
  const o = rule.origin;
  const ref: RuleRefT = {
    kind: "rule",
    table: rule.table,
    chain: rule.chain,
    text: o.text,
    file: o.file,
    line: o.line,
    col: o.col,
  };
  if (rule.implicit !== undefined) ref.note = `implicit: ${rule.implicit}`;
  return ref;
}

export function deciderRef(d: Decider): RuleRefT {
  switch (d.kind) {
    case "rule":
      return ruleRef(d.rule);
    case "policy": {
      const o = d.chain.origin;
      return {
        kind: "policy",
        table: d.table.name,
        chain: d.chain.name,
        text: `policy ${d.chain.base?.policy ?? "accept"}`,
        file: o.file,
        line: o.line,
        col: o.col,
      };
    }
    case "engine":
      return { ...ruleRef(d.rule), kind: "engine", note: d.reason };
  }
}

function lines(ctx: Ctx, s: Space): string[] {
  const compact = s.compact();
  if (compact.boxes.length <= ctx.maxLines) return spaceText(compact);
  // Rendering thousands of boxes to show twenty is the slow part: pick the first ones in a
  // numeric order (deterministic), render only those.
  const first = [...compact.boxes].sort(boxOrder).slice(0, ctx.maxLines);
  return [...spaceText(Space.disjoint(first)), `… ${compact.boxes.length - ctx.maxLines} more`];
}

function boxOrder(a: Box, b: Box): number {
  for (const d of ["proto", "dport", "dst", "src", "sport"] as const) {
    const c = IntervalSet.compareMin(a[d], b[d]);
    if (c !== 0) return c;
  }
  return 0;
}

/** Groups dropped packets by deciding rule, in the packets' original coordinates. */
function byDecider(dropped: readonly Dropped[]): Array<{ by: Decider; packets: Space }> {
  const groups = new Map<string, { by: Decider; parts: Space[] }>();
  for (const d of dropped) {
    const k = deciderKey(d.by);
    const g = groups.get(k);
    if (g) g.parts.push(d.packets);
    else groups.set(k, { by: d.by, parts: [d.packets] });
  }
  return [...groups.values()].map((g) => ({ by: g.by, packets: Space.unionAll(g.parts) }));
}

/**
 * Where a decider is written, as a grouping key (deciders at one place group together), kept per
 * decider: a flow's dropped pieces (hundreds, many from one rule) share the walk's decider objects.
 */
const DECIDER_KEYS = new WeakMap<Decider, string>();

function deciderKey(by: Decider): string {
  let k = DECIDER_KEYS.get(by);
  if (k === undefined) {
    const ref = deciderRef(by);
    // The text too: rules of a binary file (a .wfw hive, a Registry.pol) share one position.
    k = `${ref.kind} ${ref.file}:${ref.line}:${ref.col} ${ref.chain} ${ref.text}`;
    DECIDER_KEYS.set(by, k);
  }
  return k;
}

const NEW_ONLY = Space.box({ ct: CT_NEW });

const PORT_ZERO = IntervalSet.of(0);

/**
 * Whether every packet has port 0 on the client's side (`sport` of a flow's own packets, `dport`
 * of its replies). Port 0 is reserved (RFC 6335 §6) and no TCP/IP stack connects from it: such
 * packets are no connection of any flow.
 */
function onlyPortZero(packets: Space, side: "sport" | "dport"): boolean {
  return packets.boxes.every((b) => PORT_ZERO.contains(b[side]));
}

/** The verdict of one flow: its own packets along its leg, then its replies back. */
export function judgeFlow(ctx: Ctx, flow: ResolvedFlow): FlowFindingT {
  const head = {
    id: flow.id,
    from: flow.from,
    to: flow.to,
    transport: flow.transport,
    ports: portText(portSet(flow.ports)),
    retired: flow.retired,
    ...(flow.origin ? { origin: flow.origin } : {}),
  };
  const cross = crossing(ctx.topology, flow);
  const packets = cross ? sentSpace(ctx.topology, flow, cross.forward) : Space.EMPTY;
  if (!cross || packets.isEmpty()) {
    // A destination known by DNS name only has no packets to judge: say so, never "fine".
    const byName = ctx.topology.endpoints.some((e) => e.id === flow.to && e.fqdns !== undefined);
    return { ...head, verdict: "not-applicable", blocked: [], uncertain: byName };
  }
  const fwd = runPath(ctx.rulesets, cross.forward.path, [{ rewrite: {}, packets }], ownOpt(ctx));
  const back = runPath(ctx.rulesets, cross.reply.path, replyInput(fwd.passed, cross.reply), walkedOpt(ctx));
  const blocked: FlowFindingT["blocked"] = [];
  // A flow whose matrix row names no source ports is judged for the ports connections have: a rule
  // dropping only packets from port 0 (pfSense's default `block … from any port = 0`) blocks none.
  const anyClientPort = flow.sourcePorts === undefined;
  for (const g of byDecider(fwd.dropped)) {
    if (anyClientPort && onlyPortZero(g.packets, "sport")) continue;
    blocked.push({ direction: "forward", packets: lines(ctx, g.packets), rule: deciderRef(g.by) });
  }
  for (const g of byDecider(back.dropped)) {
    if (anyClientPort && onlyPortZero(g.packets, "dport")) continue;
    blocked.push({ direction: "reply", packets: lines(ctx, g.packets), rule: deciderRef(g.by) });
  }
  const fw = ctx.topology.firewall;
  if (
    blocked.length > 0 &&
    fw.kind === "host" &&
    !fw.interfaces &&
    (dropDependsOnInterface(fwd.dropped, cross.forward) || dropDependsOnInterface(back.dropped, cross.reply))
  )
    ctx.interfaceDependent.push(flow.id);
  // IPv6 packets pass only where neighbour discovery does (neighbour.ts).
  const nd = neighbourCheck(ctx, flow, cross);
  const v6Cut = nd !== undefined && nd.broken.length > 0;
  if (v6Cut) {
    const own = lines(ctx, packets.intersect(BOTH_V6));
    for (const g of byDecider(nd.broken))
      blocked.push({
        direction: "forward",
        packets: own,
        rule: deciderRef(g.by),
        neighbourDiscovery: lines(ctx, g.packets),
      });
  } else if (nd !== undefined && nd.unsure.length > 0)
    ctx.neighbourUnsure.push({ flow: flow.id, rules: nd.unsure, approximated: false });
  if (nd !== undefined && nd.approximated.length > 0)
    ctx.neighbourUnsure.push({ flow: flow.id, rules: nd.approximated, approximated: true });
  // Every packet either passes or is dropped: no first packet passing means all were blocked (of
  // IPv4 only, when IPv6 cannot pass at all).
  const alive = v6Cut ? NEW_ONLY_V4 : NEW_ONLY;
  const firstPasses = fwd.passed.some((f) => f.packets.intersects(alive));
  const repliesPass = v6Cut ? back.passed.some((f) => f.packets.intersects(V4_ONLY)) : back.passed.length > 0;
  const verdict = blocked.length === 0 ? "allowed" : !firstPasses || !repliesPass ? "blocked" : "partial";
  // Any packet that met an approximated rule (its own or a reply) may be treated otherwise than
  // assumed, whichever verdict that gave: allowed, partial and blocked alike — unless every
  // alternative of the approximations met passes and drops the same packets (worlds.ts).
  const uncertain =
    (nd !== undefined && nd.unsure.length + nd.approximated.length > 0) ||
    fwd.approximate.length + back.approximate.length > 0 ||
    (fwd.uncertain.length + back.uncertain.length > 0 && !sameInEveryWorld(ctx, cross, packets, fwd, back));
  const snat = snatCheck(ctx.topology, flow, fwd.passed);
  // A host's own NAT sending the flow's packets elsewhere (`redirect to :22`, Docker's `-j DNAT`):
  // the firewall passes them (the verdict), to what listens there — said in a note.
  const elsewhere = redirection(ctx.topology, flow, fwd.passed);
  if (elsewhere) ctx.redirected.push({ flow: flow.id, to: elsewhere });
  return { ...head, verdict, blocked, uncertain, ...(snat ? { snat } : {}) };
}

const NETFILTER = new Set([
  "nftables-text",
  "firewalld",
  "ufw",
  "nftables-json",
  "iptables-save",
  "ip6tables-save",
  "iptables-script",
]);
const BOTH_V6 = Space.box({ src: ALL_V6, dst: ALL_V6 });
const V4_ONLY = Space.box({ src: ALL_V4, dst: ALL_V4 });
const NEW_ONLY_V4 = Space.box({ src: ALL_V4, dst: ALL_V4, ct: CT_NEW });

interface NeighbourResult {
  /** Neighbour discovery dropped where none of a needed kind passes: IPv6 cannot work there. */
  broken: Dropped[];
  /** Rules that drop some neighbour discovery where other packets of the kind pass (written refs). */
  unsure: string[];
  /** Approximated rules some of it met (written refs): whether they drop it is not known. */
  approximated: string[];
}

/**
 * Whether the neighbour discovery a flow's IPv6 packets need passes (neighbour.ts): on a host
 * firewall the host's, on the interfaces its peer is reached through; on a perimeter the firewall's
 * own, on both zones' interfaces. Netfilter rulesets only (the kernel's behaviour, measured);
 * undefined when the flow has no IPv6 packets or the rules are another product's.
 */
function neighbourCheck(ctx: Ctx, flow: ResolvedFlow, cross: Crossing): NeighbourResult | undefined {
  if (!ctx.rulesets.some((r) => NETFILTER.has(r.format))) return undefined;
  if (!flow.fromAddresses?.intersects(ALL_V6) || !flow.toAddresses?.intersects(ALL_V6)) return undefined;
  const fw = ctx.topology.firewall;
  const own =
    fw.kind === "host" ? ctx.topology.endpoints.find((e) => e.id === fw.host)?.addresses : undefined;
  const sets =
    fw.kind === "host"
      ? [cross.direction === "inbound" ? cross.forward.iif : cross.forward.oif]
      : [cross.forward.iif, cross.forward.oif];
  const out: NeighbourResult = { broken: [], unsure: [], approximated: [] };
  for (const nics of sets) {
    const key = `${own?.key() ?? "*"} ${nics.cofinite ? "!" : ""}${nics.names.join(",")}`;
    let r = ctx.neighbour.get(key);
    if (r === undefined) ctx.neighbour.set(key, (r = neighbourOn(ctx, own, nics)));
    out.broken.push(...r.broken);
    for (const u of r.unsure) if (!out.unsure.includes(u)) out.unsure.push(u);
    for (const u of r.approximated) if (!out.approximated.includes(u)) out.approximated.push(u);
  }
  return out;
}

function neighbourOn(ctx: Ctx, own: IntervalSet | undefined, nics: NameSet): NeighbourResult {
  const discovery = neighbourDiscovery(own, nics);
  // With the host's routes known, a neighbour's address is one routed through its link.
  const from = neighbourAddresses(ctx.topology, "iif");
  const to = neighbourAddresses(ctx.topology, "oif");
  const needed =
    from && to ? { in: discovery.in.intersect(from), out: discovery.out.intersect(to) } : discovery;
  const legs = [
    { path: INBOUND, packets: needed.in, parts: essentialParts(needed.in, nics, "iif") },
    { path: OUTBOUND, packets: needed.out, parts: essentialParts(needed.out, nics, "oif") },
  ];
  const run = (rulesets: readonly Ruleset[], opts: HookOptions): HookResult[] =>
    legs.map((l) => runPath(rulesets, l.path, [{ rewrite: {}, packets: l.packets }], opts));
  // Per needed part: all of it passes, some of it, or none.
  const fates = (runs: readonly HookResult[]): string =>
    legs
      .flatMap((l, k) => {
        const passed = piecesUnion(runs[k]!.passed.map((f) => f.packets));
        return l.parts.map((part) =>
          !passed.intersects(part)
            ? "none"
            : runs[k]!.dropped.some((d) => d.packets.intersects(part))
              ? "some"
              : "all",
        );
      })
      .join(" ");
  const asRead = run(ctx.rulesets, walkedOpt(ctx));
  const res: NeighbourResult = { broken: [], unsure: [], approximated: [] };
  // Approximated rules met: certain only if every world of them gives each part the same fate.
  const met = asRead.flatMap((r) => r.uncertain);
  const ranges = asRead.flatMap((r) => r.approximate);
  if (met.length + ranges.length > 0) {
    const expected = fates(asRead);
    const alike =
      ranges.length === 0 &&
      everyWorld(ctx.rulesets, met, (world) => {
        const runs = run(world, { walked: undefined, natKnown: false });
        return fates(runs) === expected ? runs.flatMap((r) => r.uncertain) : undefined;
      });
    if (!alike)
      for (const rule of [...ranges, ...met.map((u) => u.rule)]) {
        const ref = ruleRef(rule);
        const text = `${ref.file}:${ref.line}:${ref.col}`;
        if (!res.approximated.includes(text)) res.approximated.push(text);
      }
  }
  legs.forEach((l, k) => {
    const r = asRead[k]!;
    const passed = piecesUnion(r.passed.map((f) => f.packets));
    for (const part of l.parts) {
      const none = !passed.intersects(part);
      for (const d of r.dropped) {
        const hit = d.packets.intersect(part);
        if (hit.isEmpty()) continue;
        if (none) res.broken.push({ packets: hit, by: d.by, rewrite: d.rewrite });
        else {
          const ref = deciderRef(d.by);
          const text = `${ref.file}:${ref.line}:${ref.col}`;
          if (!res.unsure.includes(text)) res.unsure.push(text);
        }
      }
    }
  });
  return res;
}

/**
 * Whether some of the packets dropped on a leg are dropped on some of its interfaces and not on
 * others: the same packets through every interface of the leg are not all dropped.
 */
function dropDependsOnInterface(dropped: readonly Dropped[], leg: Leg): boolean {
  if (dropped.length === 0) return false;
  const d = piecesUnion(dropped.map((x) => x.packets));
  return !d
    .map((b): Box => ({ ...b, iif: leg.iif, oif: leg.oif }))
    .subtract(d)
    .isEmpty();
}

/**
 * Whether some packet fares otherwise in run `b` than in run `a` (of the same packets): passed in
 * one and dropped in the other, or passed in both with another rewrite. Every packet of a run is
 * either passed or dropped, so this is "the runs pass different packets" without a set difference.
 */
function faresOtherwise(a: HookResult, b: HookResult): boolean {
  const pieces = (xs: readonly { packets: Space }[]): Space => piecesUnion(xs.map((x) => x.packets));
  if (spacesMeet(pieces(a.passed), pieces(b.dropped))) return true;
  if (spacesMeet(pieces(a.dropped), pieces(b.passed))) return true;
  const keys = new Set([...a.passed, ...b.passed].map((f) => rewriteKey(f.rewrite)));
  if (keys.size < 2) return false;
  for (const k of keys) {
    const mine = pieces(a.passed.filter((f) => rewriteKey(f.rewrite) === k));
    const others = pieces(b.passed.filter((f) => rewriteKey(f.rewrite) !== k));
    if (spacesMeet(mine, others)) return true;
  }
  return false;
}

/**
 * Whether the flow's packets and replies pass alike in every world of the approximated rules they
 * met (worlds.ts): then no approximation can change its verdict, and it is certain. Which rule
 * drops a packet may differ between worlds; whether it is dropped does not.
 */
function sameInEveryWorld(
  ctx: Ctx,
  cross: NonNullable<ReturnType<typeof crossing>>,
  packets: Space,
  fwd: HookResult,
  back: HookResult,
): boolean {
  return everyWorld(ctx.rulesets, [...fwd.uncertain, ...back.uncertain], (rulesets) => {
    // Fresh walks: the audit's whole-space walks are of the rules as read.
    const f = runPath(rulesets, cross.forward.path, [{ rewrite: {}, packets }], {
      walked: undefined,
      natKnown: true,
    });
    if (f.approximate.length > 0 || faresOtherwise(fwd, f)) return undefined;
    const b = runPath(rulesets, cross.reply.path, replyInput(f.passed, cross.reply), {
      walked: undefined,
      natKnown: false,
    });
    if (b.approximate.length > 0 || faresOtherwise(back, b)) return undefined;
    return [...f.uncertain, ...b.uncertain];
  });
}

/**
 * What `path` passes and drops of `candidates` in every other world of the approximated rules
 * among `met` that meet them (worlds.ts); undefined when the worlds cannot be tried.
 */
function worldOutcomes(
  ctx: Ctx,
  path: Leg["path"],
  candidates: Space,
  met: readonly Uncertain[],
): { passed: Space; dropped: Space }[] | undefined {
  const out: { passed: Space; dropped: Space }[] = [];
  const tried = everyWorld(
    ctx.rulesets,
    met,
    (rulesets) => {
      const run = runPath(rulesets, path, [{ rewrite: {}, packets: candidates }], {
        walked: undefined,
        natKnown: true,
      });
      if (run.approximate.length > 0) return undefined;
      out.push({
        passed: piecesUnion(run.passed.map((f) => f.packets)),
        dropped: piecesUnion(run.dropped.map((d) => d.packets)),
      });
      return run.uncertain;
    },
    candidates,
  );
  return tried ? out : undefined;
}

/**
 * Symmetric NAT (topology `nat:`): a flow leaving its source's NAT must leave with the public
 * address — an A/V Edge answering from its private address breaks media (Gg425882). Every passing
 * packet from a translated address must carry the public one as its source rewrite.
 */
function snatCheck(
  t: BoundTopology,
  flow: ResolvedFlow,
  passed: readonly Flowing[],
): FlowFindingT["snat"] | undefined {
  const nat = leavesThroughNat(t, flow);
  if (!nat) return undefined;
  const ok = nat.pairs.every((p) => {
    const own = IntervalSet.of(p.private);
    const want = IntervalSet.of(p.public);
    return passed.every(
      (f) => !f.packets.intersects(Space.box({ src: own })) || f.rewrite.src?.equals(want) === true,
    );
  });
  return { public: nat.pairs.map((p) => addressText(p.public)), ok };
}

/**
 * On a host firewall, where the ruleset's own NAT sends a flow's passing packets other than where
 * the flow goes: "port 22", "198.51.100.7" (a perimeter's translations are the topology's `nat:`,
 * judged by snatCheck and the DNAT views). Undefined when none are.
 */
function redirection(t: BoundTopology, flow: ResolvedFlow, passed: readonly Flowing[]): string | undefined {
  if (t.firewall.kind !== "host") return undefined;
  const ports = portSet(flow.ports);
  const to = new Set<string>();
  for (const f of passed) {
    const { dport, dst } = f.rewrite;
    if (dport && !ports.contains(dport)) to.add(`port ${portText(dport)}`);
    if (dst && flow.toAddresses && !flow.toAddresses.contains(dst)) to.add(toReadable(dst).join(", "));
  }
  // Ports first, then addresses, each in text order: the note does not depend on the walk's order.
  const port = (x: string): number => (x.startsWith("port ") ? 0 : 1);
  const sorted = [...to].sort((a, b) => port(a) - port(b) || (a < b ? -1 : a > b ? 1 : 0));
  return sorted.length > 0 ? sorted.join(", ") : undefined;
}

/**
 * The replies to what passed, one input per rewrite. What passed is pairwise disjoint (every hook
 * splits its input into disjoint decisions), so without a rewrite the pieces are concatenated;
 * a rewrite can map disjoint packets onto the same ones, so those are united exactly. Uniting
 * thousands of pieces (one per accepting rule) box by box was the query's slowest step.
 */
function replyInput(passed: readonly Flowing[], leg: Leg): Flowing[] {
  const groups = new Map<string, { rewrite: Rewrite; parts: Space[] }>();
  for (const f of passed) {
    const k = rewriteKey(f.rewrite);
    const g = groups.get(k);
    if (g) g.parts.push(f.packets);
    else groups.set(k, { rewrite: f.rewrite, parts: [f.packets] });
  }
  return [...groups.entries()].map(([k, g]): Flowing => {
    const own =
      k === rewriteKey({})
        ? Space.disjoint(g.parts.flatMap((p) => p.boxes))
        : applyRewrite(Space.unionAll(g.parts), g.rewrite);
    return { rewrite: {}, packets: replySpace(own, leg) };
  });
}

/** One more flow against rulesets already read, and walked when `reach` is given (the "further query" of the benchmark). */
export function queryFlow(
  topology: BoundTopology,
  rulesets: readonly Ruleset[],
  flow: ResolvedFlow,
  maxLines = 20,
  reach?: RuleReach,
): FlowFindingT {
  // The audit's context in the same shape (the same keys in the same order): code the audit's
  // flows ran optimised is not deoptimised by a context of another hidden class.
  const bound = bindRulesets(rulesets, topology);
  const walked = bound.every((r, i) => r === rulesets[i]) ? reach?.walked : undefined;
  const ctx: Ctx = {
    topology,
    rulesets: bound,
    maxLines,
    walked,
    interfaceDependent: [],
    neighbour: new Map(),
    neighbourUnsure: [],
    redirected: [],
  };
  return judgeFlow(ctx, flow);
}

function walkedOpt(ctx: Ctx): HookOptions {
  // The same keys as ownOpt's: one shape of options through the hooks' optimised code.
  return { walked: ctx.walked, natKnown: false };
}

/**
 * For packets that start their connections here (a flow's own, exposure's): the NAT they take is
 * the path's, so a rule testing whether the connection was destination-NATed is decided
 * (hooks.ts `natKnown`). Replies keep it approximated: their connection's translation is not
 * carried to the reply leg.
 */
function ownOpt(ctx: Ctx): HookOptions {
  return { walked: ctx.walked, natKnown: true };
}

function required(ctx: Ctx): ResolvedFlow[] {
  return ctx.topology.flows.filter((f) => f.active && !f.retired);
}

/**
 * Whether every packet of `packets` is in `excluded`, box by box: a box with one packet outside
 * answers no at once (most findings: their first box has any interface), so the whole finding is
 * never split by the excluded boxes just to be tested.
 */
function onlyExcluded(packets: Space, excluded: Space): boolean {
  if (excluded.isEmpty()) return false;
  for (const b of packets.boxes) if (!Space.disjoint([b]).subtract(excluded).isEmpty()) return false;
  return true;
}

function exposure(ctx: Ctx): AuditReportT["exposure"] {
  const out: AuditReportT["exposure"] = [];
  for (const u of exposureUniverse(ctx.topology)) {
    let needed = Space.EMPTY;
    for (const f of required(ctx)) {
      const c = crossing(ctx.topology, f);
      if (c && c.direction === u.direction)
        needed = needed.union(anyAddressedSpace(ctx.topology, f, c.forward, CT_NEW));
    }
    // The topology asks for its management addresses to stay reachable: their connections
    // towards the endpoints are intended, not exposure.
    const mgmt = ctx.topology.management;
    if (u.direction !== "outbound" && !mgmt.isEmpty())
      needed = needed.union(u.packets.restrict({ src: mgmt }));
    const run = runPath(ctx.rulesets, u.leg.path, [{ rewrite: {}, packets: u.packets }], ownOpt(ctx));
    const groups = new Map<string, { ref: RuleRefT; parts: Space[]; uncertain: boolean }>();
    const worlds = exposureWorlds(ctx, u.leg.path, run);
    for (const f of run.passed) {
      const extra = f.packets.subtract(needed);
      if (extra.isEmpty()) continue;
      const k = f.acceptedBy ? deciderKey(f.acceptedBy) : NO_BASE_KEY;
      const met = Space.unionAll(
        run.uncertain.filter((x) => x.packets.intersects(extra)).map((x) => x.packets),
      );
      const unsure =
        f.acceptedBy?.kind === "rule" ? met.union(approximatedPart(f.acceptedBy.rule, extra, true)) : met;
      // Accepted as read: uncertain when some world drops some of them.
      const uncertain = unsure.intersects(extra) && !worlds.differ(extra.intersect(unsure), true).isEmpty();
      const g = groups.get(k);
      if (g) {
        g.parts.push(extra);
        g.uncertain ||= uncertain;
      } else
        groups.set(k, {
          ref: f.acceptedBy ? deciderRef(f.acceptedBy) : noBaseRef(),
          parts: [extra],
          uncertain,
        });
    }
    // Packets the engine drops after they met an approximated rule may truly pass: an exposure
    // the approximation can hide, said (uncertain) under the rule that makes it unknown.
    for (const [rule, parts] of hiddenExposure(run.uncertain, run.dropped, needed)) {
      // Only those some world passes: dropped in every one, they are no exposure.
      const shown = worlds.differ(Space.unionAll(parts), false);
      if (shown.isEmpty()) continue;
      const ref = { ...ruleRef(rule), note: HIDDEN_EXPOSURE_NOTE };
      groups.set(`hidden ${rule.id} ${ref.file}:${ref.line}:${ref.col}`, {
        ref,
        parts: [shown],
        uncertain: true,
      });
    }
    for (const g of groups.values()) {
      const packets = Space.unionAll(g.parts);
      // A finding made only of packets that are never exposure (intra-zone, forwarded neighbour
      // discovery) is none. One that has others is shown whole: those packets are accepted and not
      // needed too, and cutting them out would split every line by interface (and cost ~30 % of
      // the 10k audit benchmark in box splitting and rendering).
      if (onlyExcluded(packets, u.excluded)) continue;
      out.push({ direction: u.direction, packets: lines(ctx, packets), rule: g.ref, uncertain: g.uncertain });
    }
  }
  return out;
}

/**
 * Which packets of an exposure run may fare otherwise than as read (worlds.ts): `differ(packets,
 * passed)` gives those of `packets` (all passed as read, or all dropped) that some world drops (or
 * passes). The worlds are run once over every packet the run's approximations met when they are
 * few enough, else per finding with the rules its packets met; the packets of a finding whose
 * worlds cannot be tried are all said to differ (uncertain, as before worlds).
 */
function exposureWorlds(
  ctx: Ctx,
  path: Leg["path"],
  run: HookResult,
): { differ: (packets: Space, passed: boolean) => Space } {
  let whole: { passed: Space; dropped: Space }[] | undefined | null = null;
  const differIn = (
    worlds: readonly { passed: Space; dropped: Space }[],
    packets: Space,
    passed: boolean,
  ): Space => Space.unionAll(worlds.map((w) => spacesMeeting(packets, passed ? w.dropped : w.passed)));
  return {
    differ(packets, passed) {
      if (packets.isEmpty()) return packets;
      if (whole === null) {
        // Needed packets too (no set difference of fragmented spaces): groups ask only of theirs.
        whole = worldOutcomes(ctx, path, Space.unionAll(run.uncertain.map((x) => x.packets)), run.uncertain);
      }
      if (whole !== undefined) return differIn(whole, packets, passed);
      const mine = worldOutcomes(ctx, path, packets, run.uncertain);
      return mine === undefined ? packets : differIn(mine, packets, passed);
    },
  };
}

/** Packets accepted with no base chain on their path: no rule to name. */
function noBaseRef(): RuleRefT {
  return {
    kind: "policy",
    table: "",
    chain: "",
    text: "no base chain on this path (accept)",
    file: "",
    line: 0,
    col: 0,
  };
}

/** deciderKey's key for noBaseRef. */
const NO_BASE_KEY = "policy :0:0 ";

/** Per approximated rule: the packets it met that the run then dropped, beyond the needed ones. */
function hiddenExposure(
  uncertain: readonly Uncertain[],
  dropped: readonly Dropped[],
  needed: Space,
): Map<Rule, Space[]> {
  const out = new Map<Rule, Space[]>();
  for (const u of uncertain)
    for (const d of dropped) {
      if (!d.packets.intersects(u.packets)) continue;
      const extra = d.packets.intersect(u.packets).subtract(needed);
      if (extra.isEmpty()) continue;
      const list = out.get(u.rule);
      if (list) list.push(extra);
      else out.set(u.rule, [extra]);
    }
  return out;
}

/** Each active flow's packets (own direction in any state, replies established), on any interface. */
interface FlowReach {
  flow: ResolvedFlow;
  own: Space;
  reply: Space;
  /** The extents of `own` and of `reply` (boxBounds layout, two entries): a cheap first test. */
  hulls: Float64Array;
}

function flowReach(ctx: Ctx): FlowReach[] {
  const anyLeg = { path: [], iif: NameSet.ALL, oif: NameSet.ALL };
  // A host that names its interfaces: each flow's packets on the interface of its peer only.
  const fw = ctx.topology.firewall;
  const named = fw.kind === "host" && fw.interfaces !== undefined;
  return ctx.topology.flows
    .filter((f) => f.active)
    .map((flow) => {
      const cross = named ? crossing(ctx.topology, flow) : undefined;
      const own = anyAddressedSpace(ctx.topology, flow, cross?.forward ?? anyLeg, FULL.ct);
      const reply = replySpace(own, cross?.reply ?? anyLeg);
      const hulls = new Float64Array(2 * BOUNDS_STRIDE);
      if (!own.isEmpty()) hulls.set(hullBounds(own.boxes), 0);
      if (!reply.isEmpty()) hulls.set(hullBounds(reply.boxes), BOUNDS_STRIDE);
      return { flow, own, reply, hulls };
    });
}

/** Scratch for one part's extents in flowsTouching. */
const PART = new Float64Array(BOUNDS_STRIDE);

/**
 * Flows whose packets meet `s` (computed once per audit, not once per rule). A part whose extents
 * miss a flow's (as numbers: exact rejection) is not tested box by box against it.
 */
function flowsTouching(
  flows: readonly FlowReach[],
  s: Space | readonly Space[],
  pick: (f: ResolvedFlow) => boolean,
): string[] {
  // No flow to look for (no retired flow, the usual case): no extents to compute for `s`, which
  // for every accepting rule of a 100k-rule walk was 0.4 s of the audit.
  const candidates = flows.filter((f) => pick(f.flow));
  if (candidates.length === 0) return [];
  // A union meets a flow when one of its pieces does: pieces need not be united first.
  const parts = (s instanceof Space ? [s] : s).filter((p) => !p.isEmpty());
  const hulls = new Float64Array(parts.length * BOUNDS_STRIDE);
  parts.forEach((p, i) => hulls.set(hullBounds(p.boxes, PART), i * BOUNDS_STRIDE));
  const meets = (f: FlowReach, p: Space, i: number): boolean =>
    (boundsOverlap(f.hulls, 0, hulls, i) && f.own.intersects(p)) ||
    (boundsOverlap(f.hulls, 1, hulls, i) && f.reply.intersects(p));
  return candidates.filter((f) => parts.some((p, i) => meets(f, p, i))).map((f) => f.flow.id);
}

/** Whether extents `at` (one entry, boxBounds layout) overlap a flow's own or reply extent (false: they share no packet). */
function mayMeetFlow(f: FlowReach, at: Float64Array): boolean {
  return boundsOverlap(f.hulls, 0, at, 0) || boundsOverlap(f.hulls, 1, at, 0);
}

function retiredRules(ctx: Ctx, reach: RuleReach): AuditReportT["retired"] {
  const out: AuditReportT["retired"] = [];
  const flows = flowReach(ctx);
  const retired = flows.filter((f) => f.flow.retired);
  if (retired.length === 0) return out;
  for (const [rule, hit] of reach.hits) {
    if (rule.action.kind !== "accept" || rule.implicit !== undefined) continue;
    // What a rule accepts lies inside its match: a match whose extent misses every retired flow's
    // serves none of them (exact, as numbers), without the extents of every piece it accepted.
    if (rule.match.isEmpty()) continue;
    hullBounds(rule.match.boxes, PART);
    if (!retired.some((f) => mayMeetFlow(f, PART))) continue;
    const servesRetired = flowsTouching(flows, hit, (f) => f.retired);
    if (servesRetired.length === 0) continue;
    if (flowsTouching(flows, hit, (f) => !f.retired).length > 0) continue;
    out.push({ rule: ruleRef(rule), flows: servesRetired });
  }
  // In code-unit order (diag/order.ts), not the user's locale's.
  return out.sort((a, b) => byCodeUnits(a.rule.file, b.rule.file) || a.rule.line - b.rule.line);
}

/** What the audit decided an approximation from, for the "not modelled exactly" list. */
function decidedBy(a: Approximation): string {
  if (a.reversePath) return "the routes the host's interfaces imply";
  if (a.dnatStatus) return "the rulesets, which translate no destination";
  return "the host's addresses";
}

/**
 * Every approximation of the rules as read (`read`; `ctx.rulesets` are the same rules, some bound
 * to the host's addresses: host-addresses.ts). One the audit decided from the host's addresses is
 * listed too, as changing no flow, exposure or retired rule (it no longer approximates their
 * packets) while the dead-rule findings through it, which judge every packet, stay uncertain.
 */
function unsupported(ctx: Ctx, reach: RuleReach, read: readonly Ruleset[]): AuditReportT["unsupported"] {
  const out: AuditReportT["unsupported"] = [];
  const flows = flowReach(ctx);
  // The packets a flow's verdict is judged on (its own first and later packets, its replies): an
  // approximation exact for them (a TCP flags test in states other than theirs) changes no verdict.
  let judged: FlowReach[] | undefined;
  const judgedFlows = (): FlowReach[] =>
    (judged ??= flows.map((f) => ({ ...f, own: f.own.restrict({ ct: CT_FORWARD }) })));
  ctx.rulesets.forEach((rs, r) =>
    rs.tables.forEach((t, i) =>
      t.chains.forEach((c, j) =>
        c.rules.forEach((rule, k) => {
          const asRead = read[r]!.tables[i]!.chains[j]!.rules[k]!;
          if (asRead.approximations.length === 0) return;
          // A rule that only observes (log, counter) changes no verdict whatever it matches.
          const observes = !approximationDecides(rule);
          const hit = observes ? Space.EMPTY : hitSpace(reach, rule);
          // A device's implicit rule that no packet meets (Azure's defaults behind a DenyAll) is
          // not a line of the file and decides nothing: not listed. A configured one is.
          if (rule.implicit !== undefined && !observes && hit.isEmpty()) return;
          for (const read of asRead.approximations) {
            // Bound to the host topology (its addresses, its interfaces' routes, the absence of
            // destination NAT): decided, or left approximate for some packets only (`where`).
            const a =
              rule.approximations.find(
                (x) => x === read || (x.origin === read.origin && x.construct === read.construct),
              ) ?? read;
            const decided = !rule.approximations.includes(a);
            const reason = decided
              ? `${a.reason} (decided from ${decidedBy(a)} for flows and exposure; dead-rule findings through it stay uncertain)`
              : observes
                ? `${a.reason}${OBSERVES_NOTE}`
                : a.reason;
            // Where the reading is approximate for some packets only, only those may be affected.
            const unsure = a.where === undefined || hit.isEmpty() ? hit : hit.intersect(a.where);
            out.push({
              at: { file: a.origin.file, line: a.origin.line, col: a.origin.col },
              construct: a.construct,
              reason,
              rule: ruleRef(rule),
              mayAffect: decided ? [] : lines(ctx, unsure),
              flows: decided
                ? []
                : flowsTouching(a.where === undefined ? flows : judgedFlows(), unsure, () => true),
            });
          }
        }),
      ),
    ),
  );
  return out;
}
