/**
 * Random rulesets for the kernel differential test, emitted both as nftables text and as
 * iptables-save, plus packets placed on the rules' boundaries (lo-1, lo, hi, hi+1 per dimension).
 * Addresses only from the documentation ranges 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32.
 * Deterministic for a seed (a small xorshift PRNG: tests must not depend on Math.random).
 */
import { addressText, V6_BASE } from "../../src/space/address.js";

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 2 ** 32;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

type Neg<T> = { neg: boolean; v: T };
export type Proto = "tcp" | "udp" | "icmp" | "gre";
export type GenAction =
  { kind: "accept" | "drop" | "return" | "count" } | { kind: "jump" | "goto"; chain: string };

/** A verdict map: `KEY vmap { … }` (anonymous) or `KEY vmap @name` (named, with element counters). */
export interface GenVmap {
  name?: string;
  key: "dport" | "src" | "dst" | "dst.dport";
  entries: Array<{ addr?: [bigint, bigint]; port?: [number, number]; verdict: GenAction }>;
}

export interface GenRule {
  family?: 4 | 6;
  vmap?: GenVmap;
  /** A set lookup `KEY [!=] @name` / `KEY { … }` (the entries' verdicts unused). */
  lookup?: GenVmap & { neg: boolean };
  proto?: Proto;
  src?: Neg<[bigint, bigint]>;
  dst?: Neg<[bigint, bigint]>;
  sport?: Neg<Array<[number, number]>>;
  dport?: Neg<Array<[number, number]>>;
  icmpEcho?: boolean;
  ct?: Neg<string[]>;
  iif?: Neg<string>;
  action: GenAction;
}

export interface GenNat {
  dst: [bigint, bigint];
  proto: "tcp" | "udp";
  dport: [number, number];
  to: bigint;
  toPort: number;
}

export interface GenRuleset {
  /** Family of every address match (iptables) or undefined (nft inet: both). */
  family?: 4 | 6;
  policy: "accept" | "drop";
  chains: Array<{ name: string; rules: GenRule[] }>;
  nat: GenNat[];
}

const V4_BLOCKS: Array<[bigint, bigint]> = [
  [0xc6336400n, 0xc63364ffn], // 198.51.100.0/24
  [0xcb007100n, 0xcb0071ffn], // 203.0.113.0/24
];
const V6_BLOCK: [bigint, bigint] = [V6_BASE + (0x20010db8n << 96n), V6_BASE + (0x20010db8n << 96n) + 0x3ffn];

function addrRange(r: Rng, fam: 4 | 6): [bigint, bigint] {
  const [lo, hi] = fam === 4 ? r.pick(V4_BLOCKS) : V6_BLOCK;
  if (r.chance(0.5)) {
    const len = BigInt(r.int(0, 7));
    const size = 1n << len;
    const base = lo + (BigInt(r.int(0, Number(hi - lo))) / size) * size;
    return [base, base + size - 1n];
  }
  const a = lo + BigInt(r.int(0, Number(hi - lo)));
  const b = a + BigInt(r.int(0, 40));
  return [a, b > hi ? hi : b];
}

function portRanges(r: Rng): Array<[number, number]> {
  const n = r.chance(0.7) ? 1 : r.int(2, 4);
  const out: Array<[number, number]> = [];
  let at = r.int(1, 2000);
  for (let i = 0; i < n; i++) {
    const lo = at + r.int(0, 300);
    const hi = lo + (r.chance(0.4) ? 0 : r.int(1, 500));
    out.push([lo, hi]);
    at = hi + 2;
  }
  return out;
}

function genRule(
  r: Rng,
  family: 4 | 6 | undefined,
  chains: string[],
  self: number,
  isBase: boolean,
): GenRule {
  const fam = family ?? (r.chance(0.5) ? 4 : 6);
  const rule: GenRule = { action: { kind: "accept" } };
  if (r.chance(0.5)) rule.src = { neg: r.chance(0.2), v: addrRange(r, fam) };
  if (r.chance(0.5)) rule.dst = { neg: r.chance(0.2), v: addrRange(r, fam) };
  if (rule.src || rule.dst) rule.family = fam;
  if (r.chance(0.75)) {
    rule.proto = r.pick(["tcp", "tcp", "udp", "udp", "icmp", "gre"] as const);
    if (rule.proto === "tcp" || rule.proto === "udp") {
      if (r.chance(0.7)) rule.dport = { neg: r.chance(0.2), v: portRanges(r) };
      if (r.chance(0.3)) rule.sport = { neg: r.chance(0.2), v: portRanges(r) };
    }
    if (rule.proto === "icmp") {
      rule.family = fam;
      rule.icmpEcho = r.chance(0.5);
    }
  }
  // nft 1.0.6 loads `sport != a dport != b` as one comparison (nftables-rule.ts mergedInequality):
  // the reader says so as an approximation; this test wants exact rules.
  if (rule.sport?.neg && rule.dport?.neg && rule.sport.v.length === 1 && rule.dport.v.length === 1)
    rule.dport.neg = false;
  if (r.chance(0.2))
    rule.ct = { neg: r.chance(0.3), v: r.chance(0.5) ? ["new"] : ["established", "related"] };
  if (r.chance(0.15)) rule.iif = { neg: r.chance(0.5), v: r.chance(0.5) ? "fwv" : "zz0" };
  const later = chains.slice(self + 1);
  // Verdict maps only in nft runs (family undefined): iptables has none.
  if (family === undefined && r.chance(0.2)) rule.vmap = genVmap(r, rule, fam, later, isBase);
  else if (family === undefined && r.chance(0.12)) {
    const v = genVmap(r, rule, fam, later, isBase);
    rule.lookup = {
      ...v,
      ...(v.name ? { name: v.name.replace(/^m/, "s") } : {}),
      neg: v.key !== "dst.dport" && r.chance(0.3),
    };
  }
  const kinds = [
    "accept",
    "drop",
    "drop",
    "count",
    ...(isBase ? [] : ["return"]),
    ...(later.length ? ["jump", "jump", "goto"] : []),
  ];
  const k = r.pick(kinds);
  rule.action = k === "jump" || k === "goto" ? { kind: k, chain: r.pick(later) } : { kind: k as "accept" };
  return rule;
}

let mapCount = 0;

function genVmap(r: Rng, rule: GenRule, fam: 4 | 6, later: string[], isBase: boolean): GenVmap {
  const key = r.pick(["dport", "dport", "src", "dst", "dst.dport"] as const);
  if (key !== "src" && key !== "dst") {
    rule.proto = r.pick(["tcp", "udp"] as const);
    delete rule.dport;
  }
  if (key !== "dport") {
    rule.family = fam;
    if (key === "src") delete rule.src;
    else delete rule.dst;
  }
  if (rule.proto === "icmp" || rule.proto === "gre") delete rule.proto;
  const verdicts = (): GenAction => {
    const k = r.pick([
      "accept",
      "drop",
      ...(isBase ? [] : ["return"]),
      ...(later.length ? ["jump", "goto"] : []),
    ]);
    return k === "jump" || k === "goto" ? { kind: k, chain: r.pick(later) } : { kind: k as "accept" };
  };
  const ports = portRanges(r);
  const addrs = disjointAddrs(r, fam, r.int(1, 4));
  const n = key === "dport" ? ports.length : addrs.length;
  const entries = Array.from({ length: n }, (_, i) => ({
    ...(key === "dport" || key === "dst.dport" ? { port: ports[i % ports.length]! } : {}),
    ...(key !== "dport" ? { addr: addrs[i]! } : {}),
    verdict: verdicts(),
  }));
  return { ...(r.chance(0.5) ? { name: `m${++mapCount}` } : {}), key, entries };
}

/** Disjoint address ranges in one documentation block, ascending. */
function disjointAddrs(r: Rng, fam: 4 | 6, n: number): Array<[bigint, bigint]> {
  const [lo, hi] = fam === 4 ? r.pick(V4_BLOCKS) : V6_BLOCK;
  const out: Array<[bigint, bigint]> = [];
  let at = lo + BigInt(r.int(0, 40));
  for (let i = 0; i < n && at < hi; i++) {
    const size = 1n << BigInt(r.int(0, 4));
    const base = ((at + size - 1n) / size) * size;
    const end = r.chance(0.5) ? base + size - 1n : base + BigInt(r.int(0, 20));
    if (end > hi) break;
    out.push([base, end]);
    at = end + 2n + BigInt(r.int(0, 30));
  }
  return out.length ? out : [[lo, lo]];
}

export function generateRuleset(r: Rng, family: 4 | 6 | undefined, size: number): GenRuleset {
  const names = ["pre", ...Array.from({ length: r.int(1, 3) }, (_, i) => `c${i + 1}`)];
  const chains = names.map((name, i) => ({
    name,
    rules: Array.from({ length: Math.max(2, Math.round((size / names.length) * (0.5 + r.next()))) }, () =>
      genRule(r, family, names, i, i === 0),
    ),
  }));
  const nat: GenNat[] = [];
  if (family !== 6) {
    for (let i = r.int(0, 3); i > 0; i--) {
      const lo = r.int(1, 3000);
      nat.push({
        dst: addrRange(r, 4),
        proto: r.pick(["tcp", "udp"] as const),
        dport: [lo, lo + r.int(0, 50)],
        to: 0xcb007100n + BigInt(r.int(100, 200)),
        toPort: r.int(1, 3000),
      });
    }
  }
  return { ...(family ? { family } : {}), policy: r.pick(["accept", "drop"] as const), chains, nat };
}

// ---- emission -------------------------------------------------------------------------------

function prefixLen(lo: bigint, hi: bigint): number | undefined {
  const size = hi - lo + 1n;
  if ((size & (size - 1n)) !== 0n || lo % size !== 0n) return undefined;
  const bits = lo >= V6_BASE ? 128 : 32;
  return bits - (size.toString(2).length - 1);
}

/** Set while toNft writes the hand-written form: prefixes with host bits, as people write them. */
let hostBits = false;

function addrText(lo: bigint, hi: bigint, style: "nft" | "ipt-prefix"): string | undefined {
  const len = prefixLen(lo, hi);
  if (len !== undefined)
    return `${addressText(hostBits && style === "nft" ? lo + (hi - lo) / 2n : lo)}/${len}`;
  return style === "nft" ? `${addressText(lo)}-${addressText(hi)}` : undefined;
}

/**
 * In the hand-written form a source prefix is written as a mask (`ip saddr & 255.255.255.0 ==
 * 198.51.100.0`, as OpenWrt's fw4 writes address matches); nft lists it back as a prefix.
 */
function maskedText(lo: bigint, hi: bigint, neg: boolean): string | undefined {
  const len = prefixLen(lo, hi);
  if (len === undefined) return undefined;
  const bits = lo >= V6_BASE ? 128 : 32;
  const mask = ((1n << BigInt(len)) - 1n) << BigInt(bits - len);
  return `& ${addressText(bits === 128 ? V6_BASE + mask : mask)} ${neg ? "!=" : "=="} ${addressText(lo)}`;
}

/** In the hand-written form, port sets become variables (`define p1 = { … }` … `$p1`). */
let defines: string[] | undefined;

function nftPorts(v: Array<[number, number]>): string {
  const items = v.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`));
  if (items.length === 1) return items[0]!;
  if (!defines) return `{ ${items.join(", ")} }`;
  defines.push(`define p${defines.length + 1} = { ${items.join(", ")} }`);
  return `$p${defines.length}`;
}

function nftMatch(g: GenRule): string[] {
  const out: string[] = [];
  const ip = g.family === 6 ? "ip6" : "ip";
  const ne = (n: boolean): string => (n ? "!= " : "");
  const masked = g.src && hostBits ? maskedText(g.src.v[0], g.src.v[1], g.src.neg) : undefined;
  if (masked) out.push(`${ip} saddr ${masked}`);
  else if (g.src) out.push(`${ip} saddr ${ne(g.src.neg)}${addrText(g.src.v[0], g.src.v[1], "nft")}`);
  if (g.dst) out.push(`${ip} daddr ${ne(g.dst.neg)}${addrText(g.dst.v[0], g.dst.v[1], "nft")}`);
  if (g.proto === "icmp")
    out.push(
      g.icmpEcho
        ? g.family === 6
          ? "icmpv6 type echo-request"
          : "icmp type echo-request"
        : `meta l4proto ${g.family === 6 ? "ipv6-icmp" : "icmp"}`,
    );
  else if (g.proto === "gre") out.push("meta l4proto gre");
  else if (g.proto) {
    if (!g.dport && !g.sport) out.push(`meta l4proto ${g.proto}`);
    if (g.sport) out.push(`${g.proto} sport ${ne(g.sport.neg)}${nftPorts(g.sport.v)}`);
    if (g.dport) out.push(`${g.proto} dport ${ne(g.dport.neg)}${nftPorts(g.dport.v)}`);
  }
  if (g.ct)
    out.push(`ct state ${ne(g.ct.neg)}${g.ct.v.length === 1 ? g.ct.v[0] : `{ ${g.ct.v.join(", ")} }`}`);
  if (g.iif) out.push(`iifname ${ne(g.iif.neg)}"${g.iif.v}"`);
  return out;
}

function nftAction(a: GenAction): string {
  return a.kind === "jump" || a.kind === "goto" ? `${a.kind} ${a.chain}` : a.kind === "count" ? "" : a.kind;
}

function vmapKey(g: GenRule, v: GenVmap): string {
  const ip = g.family === 6 ? "ip6" : "ip";
  const port = `${g.proto ?? "tcp"} dport`;
  return { dport: port, src: `${ip} saddr`, dst: `${ip} daddr`, "dst.dport": `${ip} daddr . ${port}` }[v.key];
}

function vmapElements(v: GenVmap, verdicts = true): string {
  return v.entries
    .map((e) => {
      const parts: string[] = [];
      if (e.addr) parts.push(addrText(e.addr[0], e.addr[1], "nft")!);
      if (e.port) parts.push(e.port[0] === e.port[1] ? `${e.port[0]}` : `${e.port[0]}-${e.port[1]}`);
      return verdicts ? `${parts.join(" . ")} : ${nftAction(e.verdict)}` : parts.join(" . ");
    })
    .join(", ");
}

function vmapType(g: GenRule, v: GenVmap): string {
  const addr = g.family === 6 ? "ipv6_addr" : "ipv4_addr";
  return { dport: "inet_service", src: addr, dst: addr, "dst.dport": `${addr} . inet_service` }[v.key];
}

/**
 * nft's input for the ruleset. `handWritten`: prefixes keep host bits (198.51.100.37/24), which nft
 * masks when it loads them, and port sets are `define`d variables, so the kernel's listing differs
 * from the file the reader also reads.
 */
export function toNft(rs: GenRuleset, handWritten = false): string {
  hostBits = handWritten;
  defines = handWritten ? [] : undefined;
  try {
    const text = nftText(rs);
    return defines ? [...defines, text].join("\n") : text;
  } finally {
    hostBits = false;
    defines = undefined;
  }
}

function nftText(rs: GenRuleset): string {
  const lines = ["table inet pmt {"];
  for (const g of rs.chains.flatMap((c) => c.rules)) {
    if (g.lookup?.name)
      lines.push(
        `  set ${g.lookup.name} {`,
        `    type ${vmapType(g, g.lookup)}; flags interval;`,
        `    elements = { ${vmapElements(g.lookup, false)} }`,
        "  }",
      );
    if (g.vmap?.name)
      lines.push(
        `  map ${g.vmap.name} {`,
        `    type ${vmapType(g, g.vmap)} : verdict; flags interval; counter;`,
        `    elements = { ${vmapElements(g.vmap)} }`,
        "  }",
      );
  }
  for (const [i, c] of rs.chains.entries()) {
    lines.push(`  chain ${c.name} {`);
    if (i === 0) lines.push(`    type filter hook prerouting priority 0; policy ${rs.policy};`);
    for (const g of c.rules) {
      const v = g.vmap;
      const tail = v
        ? [vmapKey(g, v), "vmap", v.name ? `@${v.name}` : `{ ${vmapElements(v)} }`]
        : [nftAction(g.action)];
      const l = g.lookup;
      const lookup = l
        ? [vmapKey(g, l), ...(l.neg ? ["!="] : []), l.name ? `@${l.name}` : `{ ${vmapElements(l, false)} }`]
        : [];
      lines.push(`    ${[...nftMatch(g), ...lookup, "counter", ...tail].join(" ").trim()}`);
    }
    lines.push("  }");
  }
  lines.push("  chain nat {", "    type nat hook prerouting priority -100; policy accept;");
  for (const n of rs.nat)
    lines.push(
      // Hand-written, the target goes without `ip to`, as fw4 writes it (nft's grammar allows both).
      `    ip daddr ${addrText(n.dst[0], n.dst[1], "nft")} ${n.proto} dport ${n.dport[0]}-${n.dport[1]} counter dnat ${hostBits ? "" : "ip to "}${addressText(n.to)}:${n.toPort}`,
    );
  lines.push("  }", "}");
  return lines.join("\n") + "\n";
}

function iptPorts(flag: "sport" | "dport", p: Neg<Array<[number, number]>>): string {
  const items = p.v.map(([a, b]) => (a === b ? `${a}` : `${a}:${b}`));
  if (items.length === 1) return `${p.neg ? "! " : ""}--${flag} ${items[0]}`;
  return `-m multiport ${p.neg ? "! " : ""}--${flag}s ${items.join(",")}`;
}

function iptAddr(side: "src" | "dst", a: Neg<[bigint, bigint]>): string {
  const pre = addrText(a.v[0], a.v[1], "ipt-prefix");
  const neg = a.neg ? "! " : "";
  if (pre) return `${neg}${side === "src" ? "-s" : "-d"} ${pre}`;
  return `-m iprange ${neg}--${side}-range ${addressText(a.v[0])}-${addressText(a.v[1])}`;
}

function iptMatch(g: GenRule, fam: 4 | 6): string[] {
  const out: string[] = [];
  if (g.src) out.push(iptAddr("src", g.src));
  if (g.dst) out.push(iptAddr("dst", g.dst));
  if (g.iif) out.push(`${g.iif.neg ? "! " : ""}-i ${g.iif.v}`);
  if (g.proto === "icmp")
    out.push(
      fam === 6
        ? `-p ipv6-icmp${g.icmpEcho ? " -m icmp6 --icmpv6-type 128" : ""}`
        : `-p icmp${g.icmpEcho ? " -m icmp --icmp-type 8" : ""}`,
    );
  else if (g.proto === "gre") out.push("-p gre");
  else if (g.proto) {
    out.push(`-p ${g.proto}`);
    const single = (g.sport && g.sport.v.length === 1) || (g.dport && g.dport.v.length === 1);
    if (single || (!g.sport && !g.dport)) out.push(`-m ${g.proto}`);
    if (g.sport) out.push(iptPorts("sport", g.sport));
    if (g.dport) out.push(iptPorts("dport", g.dport));
  }
  if (g.ct)
    out.push(`-m conntrack ${g.ct.neg ? "! " : ""}--ctstate ${g.ct.v.map((s) => s.toUpperCase()).join(",")}`);
  return out;
}

function iptAction(a: GenAction): string {
  switch (a.kind) {
    case "accept":
      return "-j ACCEPT";
    case "drop":
      return "-j DROP";
    case "return":
      return "-j RETURN";
    case "count":
      return "";
    case "jump":
      return `-j ${a.chain}`;
    case "goto":
      return `-g ${a.chain}`;
  }
}

/** iptables-restore input: the chains in mangle PREROUTING (filter has no PREROUTING), DNAT in nat. */
export function toIptables(rs: GenRuleset): string {
  const fam = rs.family ?? 4;
  const lines = ["*mangle", `:PREROUTING ${rs.policy.toUpperCase()} [0:0]`];
  for (const c of rs.chains.slice(1)) lines.push(`:${c.name} - [0:0]`);
  for (const [i, c] of rs.chains.entries()) {
    const name = i === 0 ? "PREROUTING" : c.name;
    for (const g of c.rules)
      lines.push([`-A ${name}`, ...iptMatch(g, fam), iptAction(g.action)].join(" ").trim());
  }
  lines.push("COMMIT");
  if (fam === 4) {
    lines.push("*nat", ":PREROUTING ACCEPT [0:0]");
    for (const n of rs.nat) {
      const d = addrText(n.dst[0], n.dst[1], "ipt-prefix");
      const dm = d ? `-d ${d}` : `-m iprange --dst-range ${addressText(n.dst[0])}-${addressText(n.dst[1])}`;
      lines.push(
        `-A PREROUTING ${dm} -p ${n.proto} -m ${n.proto} --dport ${n.dport[0]}:${n.dport[1]} -j DNAT --to-destination ${addressText(n.to)}:${n.toPort}`,
      );
    }
    lines.push("COMMIT");
  }
  return lines.join("\n") + "\n";
}

// ---- packets ----------------------------------------------------------------------------------

export interface TestPacket {
  family: 4 | 6;
  proto: number;
  src: bigint;
  dst: bigint;
  sport: number;
  dport: number;
}

const PROTO_NUM: Record<Proto, number> = { tcp: 6, udp: 17, icmp: 1, gre: 47 };

function edges(lo: bigint, hi: bigint): bigint[] {
  return [lo - 1n, lo, hi, hi + 1n];
}

export function boundaryPackets(r: Rng, rs: GenRuleset, count: number): TestPacket[] {
  const rules = [...rs.chains.flatMap((c) => c.rules)];
  const addr: Record<4 | 6, bigint[]> = { 4: [], 6: [] };
  const ports: number[] = [0, 1, 65535];
  for (const g of rules) {
    const fam = g.family ?? 4;
    for (const a of [g.src, g.dst]) if (a) addr[fam].push(...edges(a.v[0], a.v[1]));
    for (const p of [g.sport, g.dport]) if (p) for (const [lo, hi] of p.v) ports.push(lo - 1, lo, hi, hi + 1);
    for (const e of [...(g.vmap?.entries ?? []), ...(g.lookup?.entries ?? [])]) {
      if (e.addr) addr[fam].push(...edges(e.addr[0], e.addr[1]));
      if (e.port) ports.push(e.port[0] - 1, e.port[0], e.port[1], e.port[1] + 1);
    }
  }
  for (const n of rs.nat) {
    addr[4].push(...edges(n.dst[0], n.dst[1]));
    ports.push(n.dport[0] - 1, n.dport[0], n.dport[1], n.dport[1] + 1);
  }
  const inDoc = (fam: 4 | 6, a: bigint): boolean =>
    fam === 4 ? V4_BLOCKS.some(([lo, hi]) => a >= lo && a <= hi) : a >= V6_BLOCK[0] && a <= V6_BLOCK[1];
  const pickAddr = (fam: 4 | 6): bigint => {
    const pool = addr[fam].filter((a) => inDoc(fam, a));
    if (pool.length && r.chance(0.85)) return r.pick(pool);
    return addrRange(r, fam)[0];
  };
  const validPorts = ports.filter((p) => p >= 0 && p <= 65535);
  const out: TestPacket[] = [];
  while (out.length < count) {
    const family: 4 | 6 = rs.family ?? (r.chance(0.5) ? 4 : 6);
    const proto = r.pick(["tcp", "tcp", "udp", "udp", "icmp", "gre"] as const);
    const num = proto === "icmp" && family === 6 ? 58 : PROTO_NUM[proto];
    const icmp = proto === "icmp";
    // ICMP: echo request (type 8 / 128, code 0) or timestamp request (13): both start a conntrack entry.
    const icmpType = family === 6 ? 128 : r.chance(0.7) ? 8 : 13;
    out.push({
      family,
      proto: num,
      src: pickAddr(family),
      dst: pickAddr(family),
      sport: icmp || proto === "gre" ? 0 : r.pick(validPorts),
      dport: icmp ? icmpType * 256 : proto === "gre" ? 0 : r.pick(validPorts),
    });
  }
  return out;
}

export function packetLine(p: TestPacket): string {
  return `${p.family} ${p.proto} ${addressText(p.src)} ${addressText(p.dst)} ${p.sport} ${p.dport}`;
}
