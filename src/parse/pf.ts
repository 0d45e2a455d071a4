/**
 * pf (OpenBSD ≥ 4.7 and FreeBSD pf.conf, and what `pfctl -sr` / `-sn` print) → IR (format `pf`).
 * Semantics (pf.conf(5) PACKET FILTERING, TRANSLATION; sbin/pfctl/parse.y):
 *  - a packet is filtered as it enters an interface (`in`) and again as it leaves one (`out`);
 *    each pass asks the rules of that direction (and those without one), LAST matching rule
 *    wins, except that the first matching `quick` rule decides at once; when none matches the
 *    packet passes (pf's implicit default). `match` rules decide nothing.
 *  - `pass` keeps state unless `no state`: the connection's later packets and its replies pass on
 *    any interface (state-policy floating) without the rules; a `no state` pass needs a rule for
 *    its replies too. `block` drops (`set block-policy return`, `block return…`: reject).
 *  - `set skip on IF`: packets on IF are not filtered at all.
 *  - translation before filtering: `rdr`, `binat` inbound and `rdr-to` rewrite the destination
 *    before the inbound rules are asked; `nat`, `binat` outbound and `nat-to` the source before
 *    the outbound rules; among translation rules the first match decides (`no nat` etc.: none).
 * In first-match IR (one `inet` table `pf`): prerouting nat chain `rdr` (-100), then the inbound
 * filter `in` on prerouting; postrouting nat chain `nat` (100), then the outbound filter `out`
 * (200). Each filter chain: the state pass (implicit), `set skip` interfaces, what external
 * anchors may decide (a `continue` rule whose approximation may decide), the `quick` rules in
 * order, then the other rules in REVERSE order (the last match is the first one met going
 * backwards), policy accept. Inline anchors are read in place (their conditions added to each of
 * their rules). Approximated (verdicts they touch are uncertain): interface groups, `self`,
 * interface addresses, host names, tables not defined here or filled from files, `tagged`,
 * `probability`, `user`/`group`/`os`, `route-to`/`divert-to`, `anchor quick`, external anchors,
 * `antispoof` (its addresses), the translation targets of interfaces. `scrub`, queues, `label`,
 * `tag`, `log`, timeouts and limits change no verdict and are ignored.
 */
import { diag } from "../diag/diagnostic.js";
import type { Action, Approximation, Chain, ChainType, Hook, Origin, Rule } from "../ir/ruleset.js";
import { ALL_ADDRESSES, ALL_V4, ALL_V6 } from "../space/address.js";
import { ctSet } from "../space/box.js";
import { IntervalSet } from "../space/interval-set.js";
import { NameSet } from "../space/name-set.js";
import { Space } from "../space/space.js";
import { pfStatements, type PfStatement, type PfToken } from "./pf-lex.js";
import {
  Cursor,
  PfSyntaxError,
  readHosts,
  readInterfaces,
  pfAddress,
  tableSet,
  type HostTerm,
  type Table,
} from "./pf-terms.js";
import {
  hostApprox,
  headerSpace,
  isOption,
  natPorts,
  natTarget,
  readConditions,
  readOptions,
  type Dir,
} from "./pf-rule.js";
import { MAX_READER_DIAGNOSTICS, stoppedReading, type ParsedRuleset } from "./reader.js";

const TABLE = "pf";
const CT_STATE = ctSet(["established", "related"]);
const CT_ESTABLISHED = ctSet(["established"]);
const CT_RELATED = ctSet(["related"]);

/** A rule's conditions, read once (pfctl's `filter_rule` header and `filter_opts`). */
interface Conditions {
  dir?: Dir;
  quick: boolean;
  ifaces: NameSet;
  /** The match without interfaces. */
  match: Space;
  approx: string[];
}

interface FilterRule {
  cond: Conditions;
  action: Action | undefined;
  keepState: boolean;
  origin: Origin;
  /** The anchor's name, on the approximated rule that stands for what an external anchor decides. */
  anchor?: string;
}

interface NatRule {
  chain: "rdr" | "nat";
  /** A `match` rule's translation (OpenBSD ≥ 4.7): what it rewrites, and what into. */
  fromMatch?: { pre: Space; post: Space };
  match: Space;
  action: Action;
  origin: Origin;
  approx: string[];
}

function originOf(tokens: readonly PfToken[], file: string, lines: readonly string[]): Origin {
  const t = tokens[0]!;
  const last = tokens[tokens.length - 1]!;
  // The statement as written, over its lines: comments and continuation backslashes dropped.
  const text = lines
    .slice(t.line - 1, Math.max(t.line, last.line))
    .map((l) =>
      l
        .replace(/\s#[^"]*$|^#.*$/, "")
        .replace(/\\\s*$/, "")
        .trim(),
    )
    .filter((l) => l !== "")
    .join(" ");
  return { file, line: t.line, col: t.col, text: text || t.text };
}

function approximations(
  reasons: readonly string[],
  at: Origin,
  affects?: Approximation["affects"],
): Approximation[] {
  return [...new Set(reasons)].map((r) => ({
    construct: r.split(" (")[0]!,
    reason: r,
    origin: at,
    ...(affects ? { affects } : {}),
  }));
}

const STATEMENT_EXPECTED =
  "pass, block, match, anchor, table, set, scrub, antispoof, nat, rdr, binat, altq, queue or a macro definition";

export function readPf(text: string, file: string): ParsedRuleset {
  const { statements, diagnostics } = pfStatements(text, file);
  const lines = text.split(/\r?\n/);
  const tables = new Map<string, Table>();
  const filters: FilterRule[] = [];
  const nats: NatRule[] = [];
  const laterTranslations: Array<{ rule: NatRule; before: number }> = [];
  let skip = NameSet.EMPTY;
  let skipAt: Origin | undefined;
  let blockReturn = false;
  let ifBound: Origin | undefined;
  const notes = new Map<string, Origin>();
  const fail = (e: unknown, at: PfToken | undefined) => {
    if (!(e instanceof PfSyntaxError)) throw e;
    const t = e.token ?? at;
    diagnostics.push(
      diag("pf-syntax", "error", e.message, {
        at: { file, line: t?.line ?? 1, col: t?.col ?? 1 },
        expected: e.expected,
      }),
    );
  };

  // Tables first: pfctl resolves a table wherever it is defined. Tables that `overload` fills
  // are run-time state.
  const overloaded = new Set<string>();
  const scan = (list: readonly PfStatement[]) => {
    for (const s of list) {
      if (s.kind === "anchor") scan(s.body);
      else
        s.tokens.forEach((t, i) => {
          if (t.text === "overload" && s.tokens[i + 1]?.text === "<")
            overloaded.add(s.tokens[i + 2]?.text ?? "");
        });
    }
  };
  scan(statements);
  const walkTables = (list: readonly PfStatement[]) => {
    for (const s of list) {
      if (s.kind === "anchor") {
        walkTables(s.body);
        continue;
      }
      if (s.tokens[0]?.text !== "table") continue;
      try {
        readTable(new Cursor(s.tokens.slice(1), s.tokens[s.tokens.length - 1]!), tables, overloaded);
      } catch (e) {
        fail(e, s.tokens[0]);
      }
    }
  };
  walkTables(statements);

  const readStatements = (
    list: readonly PfStatement[],
    outer: Conditions | undefined,
    anchorQuick: boolean,
  ) => {
    for (const s of list) {
      const tokens = s.tokens;
      if (tokens.length === 0) continue;
      const at = originOf(tokens, file, lines);
      const end = tokens[tokens.length - 1]!;
      const c = new Cursor(tokens, end);
      const head = c.next("a statement");
      try {
        if (s.kind === "anchor") {
          const anchor = readAnchorHead(c, tables);
          const cond = within(anchor, outer);
          readStatements(s.body, cond, anchorQuick || anchor.quick);
          continue;
        }
        switch (head.quoted ? "" : head.text) {
          case "table":
            continue;
          case "set": {
            const what = c.next("an option").text;
            if (what === "skip") {
              c.expect("on");
              for (const t of c.list(() => c.next("an interface")))
                skip = skip.union(readInterfaces(new Cursor([t], t)).set);
              skipAt = at;
            } else if (what === "block-policy") blockReturn = c.next("drop or return").text === "return";
            else if (what === "state-policy")
              ifBound = c.next("if-bound or floating").text === "if-bound" ? at : undefined;
            continue;
          }
          case "scrub":
          case "altq":
          case "queue":
          case "load":
            if (!notes.has(head.text)) notes.set(head.text, at);
            continue;
          case "pass":
          case "block":
          case "match": {
            const r = readFilter(head.text, c, tables, blockReturn, at, outer, anchorQuick);
            for (const n of r.nats)
              if (n.fromMatch) laterTranslations.push({ rule: n, before: filters.length });
            filters.push(...r.filters);
            nats.push(...r.nats);
            continue;
          }
          case "anchor":
          case "nat-anchor":
          case "rdr-anchor":
          case "binat-anchor": {
            const anchor = readAnchorHead(c, tables);
            const cond = within(anchor, outer);
            const why = `anchor ${anchor.name} (its rules are loaded separately: ${head.text === "anchor" ? "what it decides" : "its translations"} are not modelled)`;
            if (head.text === "anchor")
              filters.push({
                cond: { ...cond, approx: [...cond.approx, why] },
                action: undefined,
                keepState: true,
                origin: at,
                anchor: anchor.name,
              });
            else {
              const rdr = head.text !== "nat-anchor";
              const natm = head.text !== "rdr-anchor";
              for (const [chain, use] of [
                ["rdr", rdr],
                ["nat", natm],
              ] as const)
                if (use)
                  nats.push({
                    chain,
                    match: withIf(cond.match, chain === "rdr" ? "iif" : "oif", cond.ifaces),
                    action: { kind: "continue", effect: head.text },
                    origin: at,
                    approx: [...cond.approx, why],
                  });
            }
            continue;
          }
          case "antispoof": {
            filters.push(...readAntispoof(c, at, blockReturn, outer));
            continue;
          }
          case "nat":
          case "rdr":
          case "binat":
            nats.push(...readOldNat(head.text, c, tables, at, filters));
            continue;
          case "no": {
            const kind = c.next("nat, rdr or binat");
            if (!["nat", "rdr", "binat"].includes(kind.text))
              throw new PfSyntaxError(
                kind,
                `unknown statement no ${kind.text}`,
                "no nat, no rdr or no binat",
              );
            nats.push(...readOldNat(kind.text, c, tables, at, filters, true));
            continue;
          }
          default:
            throw new PfSyntaxError(head, `unknown statement ${head.text}`, STATEMENT_EXPECTED);
        }
      } catch (e) {
        fail(e, head);
      }
    }
  };
  readStatements(statements, undefined, false);
  // A `match` rule translates for the rules after it; those before it saw the packet untranslated,
  // which the nat chains (translation before every filter rule) cannot say: such a rule is exact
  // only when it takes the packet alike before and after.
  for (const { rule: n, before } of laterTranslations) {
    const dir: Dir = n.chain === "rdr" ? "in" : "out";
    const dim = dir === "in" ? "iif" : "oif";
    for (const f of filters.slice(0, before)) {
      if (f.cond.dir !== undefined && f.cond.dir !== dir) continue;
      const m = withIf(f.cond.match, dim, f.cond.ifaces);
      const pre = n.fromMatch!.pre;
      const post = n.fromMatch!.post;
      if (!m.intersects(pre) && !m.intersects(post)) continue;
      if (m.contains(pre) && m.contains(post)) continue;
      // Widened by the translated packets: what the rule saw untranslated, the chain shows translated.
      f.cond.match = f.cond.match.union(post);
      f.cond.approx.push(
        `match translation (line ${n.origin.line} translates after this rule, which saw the packet untranslated)`,
      );
    }
  }
  for (const [what, at] of notes)
    diagnostics.push(
      diag("pf-ignored", "note", `${what} lines change no verdict and are not read (first here)`, {
        at: { file, line: at.line, col: at.col },
      }),
    );
  // The same problem once per place (a macro used in many expanded rules); junk stops early.
  const seen = new Set<string>();
  let problems = diagnostics.filter((d) => {
    const k = `${d.code} ${d.at?.line}:${d.at?.col} ${d.message}`;
    return !seen.has(k) && seen.add(k) !== undefined;
  });
  if (problems.length > MAX_READER_DIAGNOSTICS) {
    const last = problems[MAX_READER_DIAGNOSTICS - 1]!;
    problems = [...problems.slice(0, MAX_READER_DIAGNOSTICS), stoppedReading(file, last.at?.line ?? 1)];
  }

  const top: Origin = { file, line: 1, col: 1, text: "(pf)" };
  const chains: Chain[] = [];
  for (const [name, hook, type, priority] of [
    ["rdr", "prerouting", "nat", -100],
    ["in", "prerouting", "filter", 0],
    ["nat", "postrouting", "nat", 100],
    ["out", "postrouting", "filter", 200],
  ] as Array<[string, Hook, ChainType, number]>) {
    const rules =
      type === "nat"
        ? nats
            .filter((n) => n.chain === name)
            .map((n) => rule(name, n.match, n.action, n.origin, approximations(n.approx, n.origin)))
        : filterChain(name as Dir, filters, skip, skipAt ?? top, ifBound, top);
    if (type === "nat" && rules.length === 0) continue;
    chains.push({
      name,
      base: { hook, priority, type, policy: "accept" },
      rules: rules.map((r, i) => ({ ...r, id: `inet ${TABLE}/${name}#${i + 1}` })),
      origin: top,
    });
  }
  return {
    ruleset: {
      format: "pf",
      source: file,
      semantics: "first-match",
      stateful: false,
      tables: [{ family: "inet", name: TABLE, chains }],
    },
    diagnostics: problems,
  };
}

function rule(
  chain: string,
  match: Space,
  action: Action,
  origin: Origin,
  approx: Approximation[],
  implicit?: string,
): Rule {
  const r: Rule = { id: "", table: TABLE, chain, match, action, origin, approximations: approx };
  if (implicit) r.implicit = implicit;
  return r;
}

function withIf(match: Space, dim: "iif" | "oif", set: NameSet): Space {
  return set.isAll() ? match : match.restrict({ [dim]: set });
}

/** The rules a direction's filter asks, in first-match order (see the file comment). */
function filterChain(
  dir: Dir,
  filters: readonly FilterRule[],
  skip: NameSet,
  skipAt: Origin,
  ifBound: Origin | undefined,
  fileTop: Origin,
): Rule[] {
  const dim = dir === "in" ? "iif" : "oif";
  const mine = filters.filter((f) => f.cond.dir === undefined || f.cond.dir === dir);
  const out: Rule[] = [];
  const top: Origin = {
    ...fileTop,
    text: "(implicit) pf keeps state: packets of a passed connection and its replies pass",
  };
  out.push(
    rule(
      dir,
      statePass(filters),
      { kind: "accept" },
      top,
      [
        ...stateApprox(filters, top),
        ...(ifBound
          ? approximations(
              ["set state-policy if-bound (states hold on their interface only: read as on any)"],
              ifBound,
              "match",
            )
          : []),
      ],
      "pf is stateful: packets of connections a keep-state rule passed pass without the rules",
    ),
  );
  if (!skip.isEmpty())
    out.push(
      rule(
        dir,
        Space.box({ [dim]: skip }),
        { kind: "accept" },
        skipAt,
        [],
        "set skip: pf does not filter on these interfaces",
      ),
    );
  const place = (f: FilterRule): Rule => {
    const match = withIf(f.cond.match, dim, f.cond.ifaces);
    if (f.anchor !== undefined)
      return rule(
        dir,
        match,
        { kind: "continue", effect: `anchor ${f.anchor}` },
        f.origin,
        approximations(f.cond.approx, f.origin, "action"),
      );
    const approx = approximations(f.cond.approx, f.origin, "match");
    return rule(dir, match, f.action!, f.origin, approx);
  };
  for (const f of mine) if (f.anchor !== undefined) out.push(place(f));
  for (const f of mine) if (f.anchor === undefined && f.action && f.cond.quick) out.push(place(f));
  for (const f of [...mine].reverse())
    if (f.anchor === undefined && f.action && !f.cond.quick) out.push(place(f));
  return out;
}

/**
 * Packets of established connections: all of them when every pass keeps state; otherwise only
 * those of connections a keep-state pass matches (its packets and their replies), since a `no
 * state` pass creates no state.
 */
function statePass(filters: readonly FilterRule[]): Space {
  const passes = filters.filter((f) => f.action?.kind === "accept");
  if (passes.every((f) => f.keepState)) return Space.box({ ct: CT_STATE });
  let s = Space.box({ ct: CT_RELATED });
  for (const f of passes.filter((p) => p.keepState)) {
    const fwd = f.cond.match.map((b) => ({ ...b, ct: CT_ESTABLISHED }));
    s = s
      .union(fwd)
      .union(fwd.map((b) => ({ ...b, src: b.dst, dst: b.src, sport: b.dport, dport: b.sport })));
  }
  return s;
}

/** A no-state pass meeting a keep-state one: the state pass may accept packets no state holds. */
function stateApprox(filters: readonly FilterRule[], at: Origin): Approximation[] {
  const passes = filters.filter((f) => f.action?.kind === "accept");
  const keep = passes.filter((f) => f.keepState);
  for (const n of passes.filter((p) => !p.keepState))
    if (keep.some((k) => k.cond.match.intersects(n.cond.match)))
      return approximations(
        [
          `no state (${n.origin.file}:${n.origin.line}: packets a keep-state pass also matches may create no state)`,
        ],
        at,
        "match",
      );
  return [];
}

/** An anchor's name and conditions (`anchor "x" in on em0 …`). */
function readAnchorHead(c: Cursor, tables: ReadonlyMap<string, Table>) {
  const name =
    c.peek() &&
    (c.peek()!.quoted ||
      !["in", "out", "on", "inet", "inet6", "proto", "from", "to", "all", "quick"].includes(c.peek()!.text))
      ? c.next("a name").text
      : "(unnamed)";
  const h = readConditions(c, tables);
  const o = readOptions(c, h, tables);
  const cond: Conditions = {
    ...(h.dir ? { dir: h.dir } : {}),
    quick: false,
    ifaces: h.ifaces,
    match: headerSpace(h, o.icmp),
    approx: [...hostApprox(h), ...o.approx],
  };
  return { name, quick: h.quick, cond };
}

/** An inline anchor's conditions added to the ones it sits in. */
function within(anchor: { cond: Conditions }, outer: Conditions | undefined): Conditions {
  if (!outer) return anchor.cond;
  const a = anchor.cond;
  return {
    ...((a.dir ?? outer.dir) ? { dir: (a.dir ?? outer.dir)! } : {}),
    quick: false,
    ifaces: a.ifaces.intersect(outer.ifaces),
    match: a.match.intersect(outer.match),
    approx: [...outer.approx, ...a.approx],
  };
}

function combine(cond: Conditions, outer: Conditions | undefined): Conditions {
  if (!outer) return cond;
  if (outer.dir && cond.dir && outer.dir !== cond.dir) return { ...cond, match: Space.EMPTY };
  return {
    ...((cond.dir ?? outer.dir) ? { dir: (cond.dir ?? outer.dir)! } : {}),
    quick: cond.quick,
    ifaces: cond.ifaces.intersect(outer.ifaces),
    match: cond.match.intersect(outer.match),
    approx: [...outer.approx, ...cond.approx],
  };
}

function readFilter(
  kind: string,
  c: Cursor,
  tables: ReadonlyMap<string, Table>,
  blockReturn: boolean,
  at: Origin,
  outer: Conditions | undefined,
  anchorQuick: boolean,
): { filters: FilterRule[]; nats: NatRule[] } {
  let action: Action | undefined = kind === "pass" ? { kind: "accept" } : undefined;
  if (kind === "block") {
    const how = c.peek()?.text;
    if (how === "drop") {
      c.i++;
      action = { kind: "drop" };
    } else if (how === "return" || how === "return-rst" || how === "return-icmp" || how === "return-icmp6") {
      c.i++;
      c.skipParens();
      action = { kind: "reject", with: how };
    } else action = blockReturn ? { kind: "reject", with: "return" } : { kind: "drop" };
  }
  const h = readConditions(c, tables);
  const o = readOptions(c, h, tables);
  const approx = [...hostApprox(h), ...o.approx];
  if (anchorQuick)
    approx.push("anchor quick (a match inside ends the evaluation after the anchor: read as inline)");
  let match = headerSpace(h, o.icmp);
  const nats: NatRule[] = [];
  const translate = (
    chain: "rdr" | "nat",
    to: { target: HostTerm; ports?: IntervalSet; tok: PfToken },
    m: Space,
  ) => {
    const t = natTarget(to.target, to.ports);
    const dim = chain === "rdr" ? "iif" : "oif";
    const act: Action =
      t.approx.length > 0 && chain === "nat"
        ? { kind: "masquerade" }
        : chain === "rdr"
          ? { kind: "dnat", to: t.to }
          : { kind: "snat", to: t.to };
    const d = chain === "rdr" ? "dst" : "src";
    const wider = to.target.approx.length > 0 ? ALL_ADDRESSES : to.target.set;
    const post = m.map((b) => ({
      ...b,
      [d]: wider,
      ...(chain === "rdr" && to.ports ? { dport: to.ports } : {}),
    }));
    nats.push({
      chain,
      match: withIf(m, dim, h.ifaces),
      action: act,
      origin: at,
      approx: [...approx, ...(chain === "rdr" ? t.approx : [])],
      ...(kind === "match"
        ? { fromMatch: { pre: withIf(m, dim, h.ifaces), post: withIf(post, dim, h.ifaces) } }
        : {}),
    });
    if (kind === "pass") {
      // The pass rule matched the packet before it was translated; its filter rule sees it after.
      match = match.union(post);
      approx.push(
        `${chain === "rdr" ? "rdr-to" : "nat-to"} on pass (the rule is read as matching both the original and the translated packet)`,
      );
    }
  };
  if (o.rdrTo) translate("rdr", o.rdrTo, match);
  if (o.natTo) translate("nat", o.natTo, match);
  if (o.binatTo) {
    // binat-to: outbound source → target; inbound (the reverse) destination target → source.
    translate("nat", { target: o.binatTo.target, tok: o.binatTo.tok }, match);
    if (o.binatTo.target.approx.length === 0 && h.src && h.src.approx.length === 0) {
      const back = match.map((b) => ({
        ...b,
        src: b.dst,
        dst: o.binatTo!.target.set,
        sport: b.dport,
        dport: b.sport,
      }));
      nats.push({
        chain: "rdr",
        match: withIf(back, "iif", h.ifaces),
        action: { kind: "dnat", to: { addresses: h.src.set } },
        origin: at,
        approx,
      });
    } else approx.push("binat-to (its inbound half has addresses known only on the host)");
  }
  if (o.actionApprox.length > 0 && action) {
    // Routed or diverted elsewhere: what happens to the packet is not modelled.
    return {
      filters: [
        {
          cond: combine(
            {
              ...(h.dir ? { dir: h.dir } : {}),
              quick: h.quick,
              ifaces: h.ifaces,
              match,
              approx: [...approx, ...o.actionApprox],
            },
            outer,
          ),
          action: undefined,
          keepState: o.keepState,
          origin: at,
          anchor: o.actionApprox[0]!.split(" (")[0]!,
        },
      ],
      nats,
    };
  }
  const cond = combine(
    { ...(h.dir ? { dir: h.dir } : {}), quick: h.quick, ifaces: h.ifaces, match, approx },
    outer,
  );
  return { filters: action ? [{ cond, action, keepState: o.keepState, origin: at }] : [], nats };
}

/**
 * `antispoof [log] [quick] for IF [af]`: blocks packets from IF's networks arriving on other
 * interfaces and from IF's own addresses (pf.conf(5) BLOCKING SPOOFED TRAFFIC); the addresses
 * are the host's, so the rule matches every source (approximated).
 */
function readAntispoof(
  c: Cursor,
  at: Origin,
  blockReturn: boolean,
  outer: Conditions | undefined,
): FilterRule[] {
  let quick = false;
  while (c.is("log") || c.is("quick")) {
    if (c.next("log").text === "quick") quick = true;
    else c.skipParens();
  }
  c.expect("for");
  const ifs = c.list(() => c.next("an interface").text);
  let fam = ALL_ADDRESSES;
  if (c.eat("inet")) fam = ALL_V4;
  else if (c.eat("inet6")) fam = ALL_V6;
  while (!c.done()) c.i++; // label
  const cond = combine(
    {
      dir: "in",
      quick,
      ifaces: NameSet.ALL,
      match: Space.box({ src: fam, dst: fam }),
      approx: [`antispoof for ${ifs.join(" ")} (the interfaces' addresses are known only on the host)`],
    },
    outer,
  );
  return [
    {
      cond,
      action: blockReturn ? { kind: "reject", with: "return" } : { kind: "drop" },
      keepState: true,
      origin: at,
    },
  ];
}

/**
 * Translation rules as written before OpenBSD 4.7 and on FreeBSD: `nat on IF … -> T`, `rdr on IF …
 * -> T [port P]`, `binat on IF from A to B -> P` (both ways), `no …` (not translated); with `pass`
 * the translated packets skip the filter rules (read as a quick pass of the translated packets).
 */
function readOldNat(
  kind: string,
  c: Cursor,
  tables: ReadonlyMap<string, Table>,
  at: Origin,
  filters: FilterRule[],
  negated = false,
): NatRule[] {
  const pass = c.eat("pass");
  const h = readConditions(c, tables, { forNat: true });
  const approx = hostApprox(h);
  const match = headerSpace(h);
  let to: { target: HostTerm; ports?: IntervalSet } | undefined;
  if (!negated) {
    c.expect("->");
    const target = readHosts(c, tables);
    const ports = c.eat("port") ? natPorts(c, h) : undefined;
    to = { target, ...(ports ? { ports } : {}) };
  }
  // Pool options and tags: which address of the pool; no verdict.
  while (!c.done()) {
    const t = c.next("an option");
    if (["tag", "tagged", "source-hash"].includes(t.text) && !c.done() && !isOption(c.peek()!.text)) c.i++;
    else if (
      ["bitmask", "random", "round-robin", "static-port", "sticky-address", "least-states"].includes(t.text)
    )
      continue;
    else if (t.text === "tag" || t.text === "tagged" || t.text === "source-hash") continue;
    else
      throw new PfSyntaxError(
        t,
        `unknown option ${t.text}`,
        "a pool option (round-robin, static-port, …) or tag",
      );
  }
  const out: NatRule[] = [];
  const push = (chain: "rdr" | "nat", m: Space, action: Action, extra: string[] = []) =>
    out.push({
      chain,
      match: withIf(m, chain === "rdr" ? "iif" : "oif", h.ifaces),
      action,
      origin: at,
      approx: [...approx, ...extra],
    });
  const none: Action = { kind: "accept" };
  if (kind === "rdr") {
    const t = to ? natTarget(to.target, to.ports) : undefined;
    push("rdr", match, t ? { kind: "dnat", to: t.to } : none, t?.approx);
  } else if (kind === "nat") {
    const t = to ? natTarget(to.target, to.ports) : undefined;
    push("nat", match, !t ? none : t.approx.length > 0 ? { kind: "masquerade" } : { kind: "snat", to: t.to });
  } else {
    // binat on IF from A to B -> P: out of IF src A→P; into IF dst P→A (from B).
    const t = to ? natTarget(to.target) : undefined;
    push("nat", match, !t ? none : t.approx.length > 0 ? { kind: "masquerade" } : { kind: "snat", to: t.to });
    const pub = to && to.target.approx.length === 0 ? to.target.set : ALL_ADDRESSES;
    const back = match.map((b) => ({ ...b, src: b.dst, dst: pub, sport: b.dport, dport: b.sport }));
    const exact = h.src && h.src.approx.length === 0 && (!t || t.approx.length === 0);
    push(
      "rdr",
      back,
      !to ? none : { kind: "dnat", to: exact ? { addresses: h.src!.set } : {} },
      exact ? [] : ["binat (an address known only on the host)"],
    );
  }
  if (pass && to) {
    // `rdr pass` / `nat pass`: the translated packets are not filtered.
    const d = kind === "rdr" ? "dst" : "src";
    const translated = match.map((b) => ({
      ...b,
      [d]: to!.target.approx.length > 0 ? ALL_ADDRESSES : to!.target.set,
      ...(kind === "rdr" && to!.ports ? { dport: to!.ports } : {}),
    }));
    filters.push({
      cond: {
        dir: kind === "rdr" ? "in" : "out",
        quick: true,
        ifaces: h.ifaces,
        match: translated,
        approx: [
          ...approx,
          `${kind} pass (the filter is skipped for translated packets: read as a quick pass of them)`,
        ],
      },
      action: { kind: "accept" },
      keepState: true,
      origin: at,
    });
  }
  return out;
}

/** `table <name> [persist] [const] [counters] [file "…"]… [{ entries }]`. */
function readTable(c: Cursor, tables: Map<string, Table>, overloaded: ReadonlySet<string>): void {
  c.expect("<");
  const name = c.next("a table name").text;
  c.expect(">");
  const entries: Array<{ neg: boolean; set: IntervalSet; prefix: number }> = [];
  const approx: string[] = [];
  let persist = false;
  let written = false;
  while (!c.done()) {
    const t = c.next("persist, const, counters, file or `{`");
    if (t.text === "persist") persist = true;
    if (["persist", "const", "counters"].includes(t.text)) continue;
    written = true;
    if (t.text === "file") {
      approx.push(
        `table <${name}> file ${c.next("a file name").text} (its addresses are read by pfctl from that file)`,
      );
      continue;
    }
    if (t.text !== "{")
      throw new PfSyntaxError(
        t,
        `unexpected ${t.text} in table <${name}>`,
        "persist, const, counters, file or `{`",
      );
    c.i--;
    for (const e of c.list(() => {
      const neg = c.eat("!");
      return { neg, tok: c.next("an address") };
    })) {
      const w = e.tok.text;
      const a = pfAddress(w);
      if (!a.ok) {
        approx.push(`table <${name}> entry ${w} (a host name or interface pfctl resolves when loading)`);
        continue;
      }
      const bits = w.includes(":") ? 128 : 32;
      const prefix = /\/(\d+)$/.exec(w) ? Number(/\/(\d+)$/.exec(w)![1]) : bits;
      entries.push({ neg: e.neg, set: a.set, prefix: prefix + (bits === 32 ? 96 : 0) });
    }
  }
  if (overloaded.has(name)) approx.push(`table <${name}> (overload adds addresses to it at run time)`);
  else if (persist && !written)
    approx.push(
      `table <${name}> (persist and empty as written: filled at run time, by pfctl -T add or a daemon)`,
    );
  tables.set(
    name,
    approx.length > 0 ? { set: ALL_ADDRESSES, approx } : { set: tableSet(entries), approx: [] },
  );
}
