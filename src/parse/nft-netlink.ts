/**
 * The family tests a kernel's rules hold that `nft list ruleset` does not print. nft 1.0.6 drops a
 * rule's leading `meta nfproto ipv4|ipv6` from its listing — text and JSON alike — when the rule
 * ends in `reject with tcp reset` (measured: `meta nfproto ipv6 tcp dport 23 reject with tcp reset`
 * lists as `tcp dport 23 reject with tcp reset`), so a reader of the listing would judge the rule
 * for both families. The rule's bytecode, as `nft --debug=netlink list ruleset` prints it, still
 * holds the test (`[ meta load nfproto => reg 1 ]` `[ cmp eq reg 1 0x0000000a ]`): every such
 * pair is a conjunct of its rule (a failing `cmp` ends the rule), so adding it to the listed rule
 * as an explicit match is exact whether or not the listing dropped it. Pure: text in, text out.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

export interface FamilyTest {
  op: "==" | "!=";
  family: "ipv4" | "ipv6";
}

/** NFPROTO_IPV4 and NFPROTO_IPV6 (linux/netfilter.h) as the bytecode dump prints a register. */
const NFPROTO: Record<number, FamilyTest["family"]> = { 2: "ipv4", 10: "ipv6" };

const HEADER = /^(ip|ip6|inet|arp|bridge|netdev) (\S+) (\S+) (\d+)(?: \d+)?$/;
const LOAD = /^\s*\[ meta load nfproto => reg (\d+) \]$/;
const CMP = /^\s*\[ cmp (eq|neq) reg (\d+) 0x([0-9a-f]+) \]$/;

function key(family: string, table: string, chain: string, handle: number): string {
  return `${family} ${table} ${chain} ${handle}`;
}

/**
 * The `meta nfproto` tests of each rule in `nft --debug=netlink list ruleset` output, by "family
 * table chain handle" (the dump's rule header: `inet t c 5 3` is handle 5, after handle 3).
 */
export function netlinkFamilyTests(debug: string): Map<string, FamilyTest[]> {
  const out = new Map<string, FamilyTest[]>();
  let rule: string | undefined;
  let loaded: string | undefined;
  for (const line of debug.split("\n")) {
    const h = HEADER.exec(line);
    if (h) {
      rule = key(h[1]!, h[2]!, h[3]!, Number(h[4]));
      loaded = undefined;
      continue;
    }
    if (rule === undefined) continue;
    if (!line.startsWith(" ")) {
      // A blank line, a set's header or its elements, or the ruleset text printed after the dump.
      rule = undefined;
      continue;
    }
    const l = LOAD.exec(line);
    if (l) {
      loaded = l[1];
      continue;
    }
    const c = CMP.exec(line);
    const family = c && c[2] === loaded ? NFPROTO[parseInt(c[3]!, 16)] : undefined;
    if (c && family) {
      const tests = out.get(rule) ?? [];
      tests.push({ op: c[1] === "eq" ? "==" : "!=", family });
      out.set(rule, tests);
    }
    loaded = undefined;
  }
  return out;
}

/**
 * What of a dump must not change between two reads for its handles to name the same rules: the
 * rule headers and the family tests (counters, quotas and dynamic set elements may move).
 */
export function ruleLayout(debug: string): string {
  return debug
    .split("\n")
    .filter((l) => HEADER.test(l) || LOAD.test(l) || CMP.test(l))
    .join("\n");
}

function isFamilyMatch(e: Json, t: FamilyTest): boolean {
  if (typeof e !== "object" || e === null || Array.isArray(e)) return false;
  const m = e.match as Obj | undefined;
  if (!m || typeof m !== "object") return false;
  const left = m.left as Obj | undefined;
  return (
    (left?.meta as Obj | undefined)?.key === "nfproto" && m.right === t.family && (m.op ?? "==") === t.op
  );
}

/**
 * Families an expression's own header fields or reject type imply (`ip saddr` is IPv4 only: nft's
 * bytecode tests `meta nfproto ipv4` for it, which the listing rightly leaves out; the reader
 * narrows those rules to their family itself).
 */
function impliedFamilies(e: Json, out = new Set<FamilyTest["family"]>()): Set<FamilyTest["family"]> {
  if (Array.isArray(e)) for (const x of e) impliedFamilies(x, out);
  else if (typeof e === "object" && e !== null) {
    const payload = e.payload as Obj | undefined;
    if (payload?.protocol === "ip") out.add("ipv4");
    if (payload?.protocol === "ip6") out.add("ipv6");
    // An IPv6 extension header (`exthdr frag exists`, `frag more-fragments 1`) is IPv6 only.
    if (e.exthdr !== undefined) out.add("ipv6");
    // `reject with icmp|icmpv6 …` (the listing of `meta nfproto ipv4 … reject`) implies its family.
    const reject = e.reject as Obj | undefined;
    if (reject?.type === "icmp") out.add("ipv4");
    if (reject?.type === "icmpv6") out.add("ipv6");
    for (const v of Object.values(e)) impliedFamilies(v, out);
  }
  return out;
}

/**
 * What `audit --live` reads of `nft -j list ruleset`: the JSON parsed once, each inet rule's
 * bytecode family tests (`debug`) that its listed expression lacks put back in front of it, and,
 * with `dropXtables`, the tables iptables-nft keeps left out (see below). The text unchanged when
 * neither changed anything; `restored` counts the rules given a family test.
 */
export function liveListing(
  json: string,
  debug: string,
  opts: { dropXtables: boolean },
): { text: string; restored: number } {
  const tests = netlinkFamilyTests(debug);
  if (tests.size === 0 && !opts.dropXtables) return { text: json, restored: 0 };
  let doc: { nftables?: Json[] };
  try {
    doc = JSON.parse(json) as { nftables?: Json[] };
  } catch {
    return { text: json, restored: 0 };
  }
  const restored = restoreFamilyTests(doc.nftables ?? [], tests);
  const dropped = opts.dropXtables ? dropXtables(doc) : false;
  return restored === 0 && !dropped ? { text: json, restored } : { text: JSON.stringify(doc), restored };
}

/** `liveListing` without leaving any table out. */
export function withKernelFamilyTests(json: string, debug: string): { text: string; restored: number } {
  return liveListing(json, debug, { dropXtables: false });
}

function restoreFamilyTests(items: Json[], tests: Map<string, FamilyTest[]>): number {
  let restored = 0;
  for (const item of items) {
    const rule = (item as Obj | null)?.rule as Obj | undefined;
    if (!rule || rule.family !== "inet" || !Array.isArray(rule.expr)) continue;
    const found = tests.get(key("inet", String(rule.table), String(rule.chain), Number(rule.handle)));
    if (!found) continue;
    const expr = rule.expr;
    const implied = impliedFamilies(expr);
    const missing = found.filter(
      (t) => !expr.some((e) => isFamilyMatch(e, t)) && !(t.op === "==" && implied.has(t.family)),
    );
    if (missing.length === 0) continue;
    rule.expr = [
      ...missing.map((t): Json => ({
        match: { op: t.op, left: { meta: { key: "nfproto" } }, right: t.family },
      })),
      ...expr,
    ];
    restored++;
  }
  return restored;
}

/** The tables iptables-nft keeps its rules in (`iptables-save` / `ip6tables-save` list them). */
const XT_TABLE = /^(filter|nat|mangle|raw|security)$/;

/**
 * Leaves out the ip and ip6 tables iptables-nft manages (filter, nat, mangle, raw, security) and
 * everything in them: where iptables is the nf_tables variant those are read from `iptables-save`,
 * which translates what nft's JSON lists as untranslated `xt` expressions (`xt match multiport`).
 * A table is its object's `name`; every other object names its table in `table`. Whether any was.
 */
function dropXtables(doc: { nftables?: Json[] }): boolean {
  const items = doc.nftables ?? [];
  const kept = items.filter((item) => {
    const [kind, body] = Object.entries((item ?? {}) as Obj)[0] ?? ["", null];
    const o = (body ?? {}) as Obj;
    const table = kind === "table" ? o.name : o.table;
    return !((o.family === "ip" || o.family === "ip6") && XT_TABLE.test(String(table)));
  });
  doc.nftables = kept;
  return kept.length !== items.length;
}
