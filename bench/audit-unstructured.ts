/**
 * Unstructured iptables-save rulesets for the audit benchmark (issue 21): the shape rulesets grow
 * into by hand rather than the ClassBench FORWARD dispatch of audit.bench.ts. User chains in five
 * levels, each reached by jumps from one to three chains of the level above (level 1 from the base
 * chains), so chains nest 3–5 deep and are shared; RETURN rules in the middle of chains; `!` on
 * addresses, ports, interfaces and ct state; multiport; prefixes of every length 0–32; ct state
 * matches; rules in INPUT, OUTPUT and FORWARD as well as the chains; ACCEPT, DROP, REJECT, LOG.
 * Deterministic for a seed; the 10k and 100k files pass `iptables-restore --test` and load for
 * real in a network namespace (BENCHMARKS.md, "Unstructured rulesets").
 */
import { addressText } from "../src/space/address.js";
import { Rng } from "../test/kernel/generate.js";

const LEVELS = 5;
/**
 * Rules written in the base chains themselves: 3% of the ruleset, at most 150 (the rest sit in
 * user chains). A base chain's own rules cut every part the user chains return to it, so their
 * count multiplies with the chain count: 300 of them at 100k rules (0.3%) took the whole-space walk
 * to 1.5 million boxes and ~50 s under load ~9 (BENCHMARKS.md, "Unstructured rulesets").
 */
const BASE_RULES = { share: 0.03, max: 150 };
const WELL_KNOWN = [22, 25, 53, 80, 110, 123, 143, 389, 443, 636, 993, 3306, 3389, 5060, 5061, 8080];

/**
 * A prefix of any length 0–32, half of them inside 10/8: hosts most often, then /24–/31, /16–/23,
 * and a few short ones (a hand-grown ruleset names hosts and subnets far more than /3s).
 */
function prefix(r: Rng): string {
  const x = r.next();
  const len =
    x < 0.45
      ? 32
      : x < 0.7
        ? r.int(24, 31)
        : x < 0.87
          ? r.int(16, 23)
          : x < 0.96
            ? r.int(8, 15)
            : r.int(0, 7);
  if (len === 0) return "0.0.0.0/0";
  const base = r.chance(0.5)
    ? (10n << 24n) + BigInt(r.int(0, 2 ** 24 - 1))
    : BigInt(r.int(0, 2 ** 16 - 1)) * 65536n + BigInt(r.int(0, 65535));
  const size = 1n << BigInt(32 - len);
  const net = (base / size) * size;
  return `${addressText(net)}/${len}`;
}

function port(r: Rng): number {
  return r.chance(0.5) ? r.pick(WELL_KNOWN) : r.int(1, 65535);
}

function portRange(r: Rng): string {
  const lo = r.int(1, 64000);
  return `${lo}:${Math.min(65535, lo + r.int(1, 3000))}`;
}

/** `-m multiport --dports`: 2–6 items, at most 15 ports with a range counting twice (iptables-extensions(8)). */
function multiport(r: Rng): string {
  const items: string[] = [];
  const n = r.int(2, 6);
  for (let i = 0; i < n; i++) items.push(r.chance(0.25) ? portRange(r) : `${port(r)}`);
  return items.join(",");
}

type Hook = "INPUT" | "FORWARD" | "OUTPUT" | "user";

/**
 * The match part of one rule; interfaces only in base chains (INPUT no -o, OUTPUT no -i). Never
 * empty: a catch-all in the middle of a chain would leave the rest of it dead (catch-alls are
 * placed at chain ends, as people write them).
 */
function match(r: Rng, hook: Hook): string[] {
  for (;;) {
    const parts = someMatch(r, hook);
    if (parts.length > 0) return parts;
  }
}

function someMatch(r: Rng, hook: Hook): string[] {
  const parts: string[] = [];
  const neg = (p: number) => (r.chance(p) ? "! " : "");
  if ((hook === "INPUT" || hook === "FORWARD") && r.chance(0.3))
    parts.push(`${neg(0.1)}-i ${r.pick(["eth0", "eth1", "eth2", "lo"])}`);
  if ((hook === "OUTPUT" || hook === "FORWARD") && r.chance(0.3))
    parts.push(`${neg(0.1)}-o ${r.pick(["eth0", "eth1", "eth2"])}`);
  // Most rules name an address (either side, or both); one in ten names none.
  const sides = r.chance(0.05) ? "" : r.pick(["s", "s", "d", "d", "d", "sd", "sd", "sd", "sd"]);
  // `! -s 0.0.0.0/0` matches nothing and the kernel refuses it (iptables-nft: Invalid argument).
  const addr = (flag: string) => {
    const p = prefix(r);
    parts.push(`${p.endsWith("/0") ? "" : neg(0.03)}${flag} ${p}`);
  };
  if (sides.includes("s")) addr("-s");
  if (sides.includes("d")) addr("-d");
  const proto = r.pick(["tcp", "tcp", "tcp", "tcp", "udp", "udp", "udp", "icmp", "any"] as const);
  if (proto === "icmp") {
    parts.push("-p icmp");
    if (r.chance(0.5)) parts.push(`-m icmp --icmp-type ${r.pick(["8", "0", "3", "11", "3/4"])}`);
  } else if (proto !== "any") {
    parts.push(`-p ${proto}`);
    const kind = r.int(0, 9);
    if (kind < 6) {
      parts.push(`-m ${proto}`);
      if (r.chance(0.15)) parts.push(`${neg(0.2)}--sport ${r.chance(0.5) ? "1024:65535" : port(r)}`);
      parts.push(`${neg(0.05)}--dport ${r.chance(0.25) ? portRange(r) : port(r)}`);
    } else if (kind < 8) parts.push(`-m multiport ${neg(0.05)}--dports ${multiport(r)}`);
    else if (kind < 9 || r.chance(0.5)) parts.push(`-m multiport --sports ${multiport(r)}`);
  }
  if (r.chance(0.15)) {
    const ct = r.pick(["NEW", "NEW", "ESTABLISHED", "RELATED,ESTABLISHED", "INVALID", "NEW,UNTRACKED"]);
    parts.push(
      r.chance(0.3) ? `-m state ${neg(0.2)}--state ${ct}` : `-m conntrack ${neg(0.2)}--ctstate ${ct}`,
    );
  }
  return parts;
}

/** A final or observing target; tcp-reset only for tcp rules (the kernel refuses it otherwise). */
function target(r: Rng, parts: readonly string[], user: boolean, chain: string): string {
  const x = r.next();
  if (x < 0.36) return "-j ACCEPT";
  if (x < 0.62) return "-j DROP";
  if (x < 0.78) {
    const tcp = parts.includes("-p tcp");
    const how =
      tcp && r.chance(0.5) ? "tcp-reset" : r.pick(["icmp-port-unreachable", "icmp-host-prohibited"]);
    return `-j REJECT --reject-with ${how}`;
  }
  if (x < 0.9 || !user) return `-j LOG --log-prefix ${chain}: --log-level ${r.int(3, 7)}`;
  return "-j RETURN";
}

/**
 * What a user chain is about: a destination prefix (a server or subnet), which its jumps name and
 * most of its rules narrow. Chains scoped by source as well (a grid of source and destination
 * scopes in one base chain) fragment the walk far more: BENCHMARKS.md, "Unstructured rulesets".
 */
interface Scope {
  net: bigint;
  len: number;
}

interface UserChain {
  name: string;
  level: number;
  scope: Scope;
  rules: string[];
}

function inside(outer: Scope, inner: Scope): boolean {
  const size = 1n << BigInt(32 - outer.len);
  return inner.len >= outer.len && (inner.net / size) * size === outer.net;
}

/** A prefix of length `len` inside `s`. */
function within(r: Rng, s: Scope, len: number): Scope {
  const free = BigInt(r.int(0, 2 ** 31 - 1)) * 2n + BigInt(r.int(0, 1));
  const below = (1n << BigInt(32 - s.len)) - 1n;
  const size = 1n << BigInt(32 - len);
  return { net: ((s.net + (free & below)) / size) * size, len };
}

function text(s: Scope): string {
  return `${addressText(s.net)}/${s.len}`;
}

/** A rule of a chain: most name a destination inside its scope (a longer prefix), the rest anything. */
function chainRule(r: Rng, ch: UserChain): string {
  let parts = match(r, "user");
  if (r.chance(0.75)) {
    const len = r.chance(0.5) ? 32 : r.int(ch.scope.len, 32);
    parts = [...parts.filter((p) => !/^(! )?-d /.test(p)), `-d ${text(within(r, ch.scope, len))}`];
  }
  return [...parts, target(r, parts, true, ch.name)].join(" ");
}

const TEN = { net: 10n << 24n, len: 8 };

/** Level 1: a /14–/20 of 10/8; below: 2–4 bits longer, inside the first parent's scope. */
function scopeFor(r: Rng, parent: UserChain | undefined): Scope {
  if (!parent) return within(r, TEN, r.int(14, 20));
  return within(r, parent.scope, Math.min(30, parent.scope.len + r.int(2, 4)));
}

export function unstructured(size: number, seed = 21): string {
  const r = new Rng(seed);
  const nChains = Math.max(LEVELS * 2, Math.round(size / 40));
  // Fewer chains at the deep levels: most user chains sit one or two jumps below a base chain.
  // Each chain's scope lies inside its first parent's; other parents are chains one level up
  // whose scope holds it too (level 1: the base chains), so chains are shared.
  const chains: UserChain[] = [];
  const parentsOf = new Map<UserChain, string[]>();
  for (let c = 0; c < nChains; c++) {
    const level = c < LEVELS ? c + 1 : r.pick([1, 1, 1, 2, 2, 2, 3, 3, 4, 5]);
    const above = chains.filter((p) => p.level === level - 1);
    // The first chain of each level jumps to the next, so one path is 5 deep.
    const first =
      level === 1
        ? undefined
        : c < LEVELS
          ? chains[c - 1]!
          : r.pick(above.length ? above : [chains[level - 2]!]);
    const ch: UserChain = { name: `c${c}_l${level}`, level, scope: scopeFor(r, first), rules: [] };
    chains.push(ch);
    const parents = new Set<string>();
    if (first) {
      parents.add(first.name);
      const also = above.filter((p) => p !== first && inside(p.scope, ch.scope));
      for (let k = r.int(0, 2); k > 0 && also.length > 0; k--) parents.add(r.pick(also).name);
    } else
      for (let k = r.int(1, 3); k > 0; k--) parents.add(r.pick(["INPUT", "FORWARD", "FORWARD", "OUTPUT"]));
    parentsOf.set(ch, [...parents]);
  }
  const base: Record<Exclude<Hook, "user">, string[]> = { INPUT: [], FORWARD: [], OUTPUT: [] };
  const jumpCount = [...parentsOf.values()].reduce((n, l) => n + l.length, 0);
  // One user chain in five ends with a catch-all.
  const ends = new Map<string, string>();
  for (const ch of chains)
    if (r.chance(0.2)) ends.set(ch.name, `-j ${r.pick(["RETURN", "DROP", "LOG --log-prefix end:"])}`);
  const fixed = 5 + ends.size; // the base chains' ct lines below and the catch-alls
  const own = Math.max(0, size - jumpCount - fixed);
  const inBase = Math.min(BASE_RULES.max, Math.round(own * BASE_RULES.share));
  for (let i = 0; i < inBase; i++) {
    const hook = r.pick(["INPUT", "INPUT", "FORWARD", "FORWARD", "OUTPUT"] as const);
    const parts = match(r, hook);
    base[hook].push([...parts, target(r, parts, false, hook)].join(" "));
  }
  for (let i = inBase; i < own; i++) {
    const ch = r.pick(chains);
    ch.rules.push(chainRule(r, ch));
  }
  // Jump rules: the child's scope, sometimes narrowed further (protocol, ports, ct state, an
  // interface in base chains); anywhere in a user chain, in the first third of a base chain (its
  // dispatch, before the base chain's own rules have decided most packets).
  const byName = new Map(chains.map((c) => [c.name, c]));
  for (const ch of chains)
    for (const from of parentsOf.get(ch)!) {
      const hook: Hook = from in base ? (from as Hook) : "user";
      const rules = from in base ? base[from as keyof typeof base] : byName.get(from)!.rules;
      const extra = r.chance(0.3) ? match(r, hook).filter((p) => !/^(! )?-[sd] /.test(p)) : [];
      const scope = `-d ${text(ch.scope)}`;
      const at = r.int(0, hook === "user" ? rules.length : Math.floor(rules.length / 3));
      rules.splice(at, 0, [scope, ...extra, `-j ${ch.name}`].join(" "));
    }
  const lines = ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"];
  for (const ch of chains) lines.push(`:${ch.name} - [0:0]`);
  lines.push("-A INPUT -i lo -j ACCEPT");
  lines.push("-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
  lines.push("-A INPUT -m conntrack --ctstate INVALID -j DROP");
  lines.push("-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
  lines.push("-A OUTPUT -o lo -j ACCEPT");
  for (const hook of ["INPUT", "FORWARD", "OUTPUT"] as const)
    for (const rule of base[hook]) lines.push(`-A ${hook} ${rule}`);
  for (const ch of chains) {
    for (const rule of ch.rules) lines.push(`-A ${ch.name} ${rule}`);
    const end = ends.get(ch.name);
    if (end) lines.push(`-A ${ch.name} ${end}`);
  }
  lines.push("COMMIT");
  return lines.join("\n") + "\n";
}
