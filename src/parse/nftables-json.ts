/**
 * Reader for `nft -j list ruleset` (libnftables-json(5), schema version 1). The JSON is printed
 * back into the text syntax `nft list ruleset` uses, one statement per line, and read by the text
 * reader (nftables-text.ts): one set of rule semantics for both forms, and findings quote rules
 * as nft prints them. Origins are then mapped back to the JSON objects' own lines and columns.
 * A JSON expression this printer does not know is printed as an `unknown-json-…` word, which the
 * rule reader reports as an approximation with the rule's position: never dropped in silence.
 */
import { diag, type Diagnostic, type Position } from "../diag/diagnostic.js";
import type { Origin, Ruleset } from "../ir/ruleset.js";
import { parseYaml, type PathKey } from "../model/yaml-source.js";
import { readNftablesText } from "./nftables-text.js";
import type { ParsedRuleset } from "./reader.js";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

interface Item {
  kind: "table" | "chain" | "set" | "map" | "rule" | "other";
  body: Obj;
  path: PathKey[];
}

export function readNftablesJson(text: string, file: string): ParsedRuleset {
  const empty: Ruleset = {
    format: "nftables-json",
    source: file,
    semantics: "first-match",
    stateful: false,
    tables: [],
  };
  const { source, diagnostics } = parseYaml(file, text);
  if (!source) return { ruleset: empty, diagnostics };
  const doc = source.value as { nftables?: unknown } | null;
  if (typeof doc !== "object" || doc === null || !Array.isArray(doc.nftables))
    return {
      ruleset: empty,
      diagnostics: [
        diag("nft-json-format", "error", "not an `nft -j list ruleset` document", {
          at: source.positionOf([]),
          expected: '{"nftables": [{"metainfo": …}, {"table": …}, …]}',
        }),
      ],
    };
  const unread: Diagnostic[] = [];
  const items: Item[] = (doc.nftables as Json[]).map((entry, i) => {
    const [kind, body] = Object.entries((entry ?? {}) as Obj)[0] ?? ["(empty)", {}];
    const known = ["table", "chain", "set", "map", "rule"].includes(kind) ? (kind as Item["kind"]) : "other";
    if (known === "other" && kind !== "metainfo")
      unread.push(notRead(kind, (body ?? {}) as Obj, source.positionOf(["nftables", i])));
    return { kind: known, body: (body ?? {}) as Obj, path: ["nftables", i, kind] };
  });
  unread.push(...orphans(items, source.positionOf));
  const { text: printed, lineOf } = printRuleset(items);
  const parsed = readNftablesText(printed, file);
  const where = (line: number): Position => {
    const path = lineOf[line - 1];
    return path ? source.positionOf(path) : { file, line: 1, col: 1 };
  };
  const remap = (o: Origin): Origin => ({ ...o, ...where(o.line) });
  const tables = parsed.ruleset.tables.map((t) => ({
    ...t,
    chains: t.chains.map((c) => ({
      ...c,
      origin: remap(c.origin),
      rules: c.rules.map((r) => ({
        ...r,
        origin: remap(r.origin),
        approximations: r.approximations.map((a) => ({ ...a, origin: remap(a.origin) })),
      })),
    })),
  }));
  const diags: Diagnostic[] = [
    ...unread,
    ...parsed.diagnostics.map((d) => (d.at ? { ...d, at: where(d.at.line) } : d)),
  ];
  return { ruleset: { ...empty, tables }, diagnostics: diags };
}

/**
 * Stateful objects that decide no verdict by themselves (a rule that uses one is read as usual) are
 * noted; any other kind of object is an error: it might hold what decides a verdict.
 */
const NO_VERDICT = new Set([
  "flowtable",
  "counter",
  "quota",
  "limit",
  "ct helper",
  "ct timeout",
  "ct expectation",
  "secmark",
  "synproxy",
]);

function notRead(kind: string, body: Obj, at: Position): Diagnostic {
  // As the text reader says of the same objects (nft-unsupported-object): a warning.
  return NO_VERDICT.has(kind)
    ? diag("nft-unsupported-object", "warning", `${kind} ${str(body.name)} is not modelled`.trimEnd(), { at })
    : diag("nft-json-unread", "error", `a "${kind}" object is not something this reader knows`, {
        at,
        expected: "table, chain, set, map, rule (and metainfo, flowtable, counter, quota, limit, ct …)",
      });
}

/** Chains, sets and rules whose table (or, for a rule, chain) the document does not declare. */
function orphans(items: readonly Item[], positionOf: (path: PathKey[]) => Position): Diagnostic[] {
  const tables = new Set(
    items.filter((i) => i.kind === "table").map((t) => `${str(t.body.family)} ${str(t.body.name)}`),
  );
  const chains = new Set(
    items
      .filter((i) => i.kind === "chain")
      .map((c) => `${str(c.body.family)} ${str(c.body.table)} ${str(c.body.name)}`),
  );
  return items.flatMap((i) => {
    if (i.kind === "table" || i.kind === "other") return [];
    const table = `${str(i.body.family)} ${str(i.body.table)}`;
    const missing = !tables.has(table)
      ? `table ${table.trim() || "(no name)"}`
      : i.kind === "rule" && !chains.has(`${table} ${str(i.body.chain)}`)
        ? `chain ${str(i.body.chain)} in table ${table}`
        : undefined;
    return missing === undefined
      ? []
      : [
          diag("nft-json-orphan", "error", `a ${i.kind} of ${missing}, which the document does not declare`, {
            at: positionOf(i.path.slice(0, 2)),
            expected: "the whole ruleset as nft -j list ruleset prints it",
          }),
        ];
  });
}

/** The ruleset in nft's text syntax, with the JSON path each printed line came from. */
function printRuleset(items: readonly Item[]): { text: string; lineOf: Array<PathKey[] | undefined> } {
  const lines: string[] = [];
  const lineOf: Array<PathKey[] | undefined> = [];
  // A statement nft prints as text inside the JSON (a chain binding) may span lines: each keeps the path.
  const emit = (s: string, path?: PathKey[]): void => {
    for (const line of s.split("\n")) {
      lines.push(line);
      lineOf.push(path);
    }
  };
  const key = (b: Obj): string => `${str(b.family)} ${str(b.table ?? b.name)}`;
  for (const t of items.filter((i) => i.kind === "table")) {
    const tk = `${str(t.body.family)} ${str(t.body.name)}`;
    emit(`table ${tk} {`, t.path);
    if (Array.isArray(t.body.flags) && t.body.flags.length > 0)
      emit(`flags ${t.body.flags.map(str).join(",")}`, t.path);
    for (const s of items.filter((i) => (i.kind === "set" || i.kind === "map") && key(i.body) === tk))
      printSet(s, emit);
    for (const c of items.filter((i) => i.kind === "chain" && key(i.body) === tk)) {
      const name = str(c.body.name);
      emit(`chain ${name} {`, c.path);
      if (c.body.hook !== undefined)
        emit(
          `type ${str(c.body.type ?? "filter")} hook ${str(c.body.hook)} priority ${str(c.body.prio ?? 0)}; policy ${str(c.body.policy ?? "accept")};`,
          c.path,
        );
      items
        .filter((i) => i.kind === "rule" && key(i.body) === tk && str(i.body.chain) === name)
        .forEach((r) => emit(printRule(r.body), r.path));
      emit("}");
    }
    emit("}");
  }
  return { text: lines.join("\n") + "\n", lineOf };
}

function printSet(s: Item, emit: (line: string, path?: PathKey[]) => void): void {
  const b = s.body;
  emit(`${s.kind} ${str(b.name)} {`, s.path);
  const type = Array.isArray(b.type) ? b.type.map(str).join(" . ") : str(b.type);
  emit(`type ${type}${b.map !== undefined ? ` : ${str(b.map)}` : ""}`, s.path);
  if (Array.isArray(b.flags) && b.flags.length > 0) emit(`flags ${b.flags.map(str).join(",")}`, s.path);
  const elems = Array.isArray(b.elem) ? b.elem : [];
  if (typeof b.timeout === "number") emit(`timeout ${b.timeout}s`, s.path);
  // A map's element is [key, data]; the data of a verdict map is a verdict statement.
  const elem = (e: Json): string =>
    s.kind === "map" && Array.isArray(e) && e.length === 2
      ? `${value(e[0]!)} : ${str(b.map) === "verdict" ? statement((e[1] ?? {}) as Obj) : value(e[1]!)}`
      : value(e);
  if (elems.length > 0) emit(`elements = { ${elems.map(elem).join(", ")} }`, s.path);
  emit("}");
}

function printRule(r: Obj): string {
  // nft 1.0.6 prints a chain binding (`jump { … }`) as a string of text syntax: it is taken as is.
  const parts = (Array.isArray(r.expr) ? r.expr : []).map((e) =>
    typeof e === "string" ? e : statement((e ?? {}) as Obj, str(r.family)),
  );
  if (typeof r.comment === "string") parts.push(`comment ${quote(r.comment)}`);
  return parts.join(" ");
}

/** The reject a family's plain `reject` stands for: nft -j spells it out, nft list does not. */
const DEFAULT_REJECT: Record<string, string> = { ip: "icmp", ip6: "icmpv6", inet: "icmpx" };

function statement(e: Obj, family = ""): string {
  const [k, v] = Object.entries(e)[0] ?? ["empty", null];
  const o = (v ?? {}) as Obj;
  switch (k) {
    case "match": {
      const left = expr(o.left);
      // An extension header's presence (`exthdr frag exists`), a route's (`fib saddr . iif oif
      // missing`): a boolean on the right.
      if ((left.startsWith("exthdr ") || left.startsWith("fib ")) && typeof o.right === "boolean")
        return `${left} ${(o.right === true) === (str(o.op ?? "==") !== "!=") ? "exists" : "missing"}`;
      const ifname = /^(meta )?[io]ifname$/.test(left);
      const right = value(o.right ?? null, ifname);
      const op = str(o.op ?? "==");
      // After a bitwise left side (`tcp flags & (fin | syn)`) nft prints `==`: the value follows it.
      const implicit = (op === "==" && !left.includes(" & ")) || op === "in";
      return `${left} ${implicit ? "" : `${op} `}${right}`;
    }
    case "accept":
    case "drop":
    case "return":
    case "continue":
    case "masquerade":
    case "notrack":
      return k;
    case "reject":
      if (o.expr === "port-unreachable" && DEFAULT_REJECT[family] === o.type) return "reject";
      return o.type ? `reject with ${str(o.type)}${o.expr !== undefined ? ` ${str(o.expr)}` : ""}` : "reject";
    case "jump":
    case "goto":
      return `${k} ${str(o.target)}`;
    case "counter":
      return v === null ? "counter" : `counter packets ${str(o.packets ?? 0)} bytes ${str(o.bytes ?? 0)}`;
    case "log":
      return o.prefix !== undefined ? `log prefix ${quote(str(o.prefix))}` : "log";
    case "limit":
      return `limit rate ${o.inv ? "over " : ""}${str(o.rate)}/${str(o.per ?? "second")}`;
    case "dnat":
    case "snat":
      return `${k}${o.family ? ` ${str(o.family)}` : ""} to ${natTarget(o)}`;
    case "redirect":
      return o.port !== undefined ? `redirect to :${value(o.port)}` : "redirect";
    // A rule that updates a set or map (`add @s { ip saddr }`): the text reader takes the set as
    // run-time state, as it does for the text form; a meter likewise.
    case "set":
      return `${str(o.op ?? "add")} ${str(o.set)} { ${value(o.elem ?? null)} }`;
    case "map":
      return `${str(o.op ?? "add")} ${str(o.map)} { ${value(o.elem ?? null)} : ${value(o.data ?? null)} }`;
    case "mangle":
      return `${expr(o.key)} set ${value(o.value ?? null)}`;
    case "queue":
      return "queue";
    case "quota":
      return typeof o.val === "number"
        ? `quota ${o.inv ? "over " : ""}${o.val} ${str(o.val_unit ?? "bytes")}`
        : "quota";
    case "flow":
      return `flow add ${str(o.flowtable)}`;
    // `ct count [over] N`: a connection count at run time (the text reader approximates it alike).
    case "ct count":
      return `ct count ${o.inv === true ? "over " : ""}${str(o.val)}`;
    case "meter":
      return `meter ${str(o.name)} { ${value(o.key ?? null)} }`;
    case "vmap": {
      if (typeof o.data === "string") return `${expr(o.key)} vmap ${o.data}`;
      const data = (o.data ?? {}) as Obj;
      const entries = (Array.isArray(data.set) ? data.set : []).map((pair) => {
        const [kv, verdict] = Array.isArray(pair) ? pair : [pair, null];
        return `${value(kv ?? null)} : ${statement((verdict ?? {}) as Obj)}`;
      });
      return `${expr(o.key)} vmap { ${entries.join(", ")} }`;
    }
    default:
      return `unknown-json-${k}`;
  }
}

function natTarget(o: Obj): string {
  const addr = o.addr === undefined ? "" : value(o.addr);
  const port = o.port === undefined ? "" : value(o.port);
  if (port === "") return addr;
  return addr.includes(":") ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** The left side of a match: payload, meta, ct fields as nft spells them. */
function expr(x: Json | undefined): string {
  if (x === null || typeof x !== "object" || Array.isArray(x)) return value(x ?? null);
  const [k, v] = Object.entries(x)[0] ?? ["empty", null];
  const o = (v ?? {}) as Obj;
  switch (k) {
    case "payload":
      // A raw payload (`@ih,32,32`: base, bit offset, bit length) as nft prints it.
      return o.protocol !== undefined
        ? `${str(o.protocol)} ${str(o.field)}`
        : o.base !== undefined
          ? `@${str(o.base)},${str(o.offset)},${str(o.len)}`
          : `unknown-json-raw-payload`;
    case "meta": {
      const key = str(o.key);
      // nft prints these meta keys without the `meta` keyword; both forms are read alike.
      return ["iifname", "oifname", "iif", "oif"].includes(key) ? key : `meta ${key}`;
    }
    // `tcp option maxseg size`, `ipsec in reqid`, `numgen inc mod 2`: printed as nft does, so the
    // text reader approximates them as it does their text form.
    case "tcp option":
      return `tcp option ${str(o.name)}${o.field !== undefined ? ` ${str(o.field)}` : ""}`;
    case "ipsec":
      return `ipsec ${str(o.dir)}${o.spnum ? ` spnum ${str(o.spnum)}` : ""} ${str(o.key)}`;
    case "numgen":
      return `numgen ${str(o.mode)} mod ${str(o.mod)}${o.offset ? ` offset ${str(o.offset)}` : ""}`;
    // A routing lookup: `fib saddr . iif oif`, `fib daddr type` (flags joined by `.`, then the result).
    case "fib":
      return `fib ${(Array.isArray(o.flags) ? o.flags : [o.flags]).map((f) => str(f)).join(" . ")} ${str(o.result)}`;
    // An IPv6 extension header: a field (`frag more-fragments`) or, without one, its presence.
    case "exthdr":
      return o.field !== undefined ? `${str(o.name)} ${str(o.field)}` : `exthdr ${str(o.name)}`;
    case "ct":
      return `ct ${o.dir ? `${str(o.dir)} ` : ""}${str(o.key)}`;
    case "concat":
      return (Array.isArray(v) ? v : []).map((p) => expr(p)).join(" . ");
    // A masked selector (`ip6 saddr & ::ffff`, `tcp flags & (fin | syn)`): the mask as a value,
    // a flag list joined by `|` as nft prints it. Other operators stay unknown (approximated).
    case "&": {
      const [left, mask] = Array.isArray(v) ? v : [];
      if (left === undefined || mask === undefined) return `unknown-json-${k}`;
      return `${expr(left)} & ${Array.isArray(mask) ? `(${mask.map((m) => value(m)).join(" | ")})` : value(mask)}`;
    }
    default:
      return `unknown-json-${k}`;
  }
}

/** A right-hand value: literal, set, range, prefix, named set reference, flag list. */
function value(x: Json, quoteStrings = false): string {
  if (x === null) return "";
  if (typeof x === "number" || typeof x === "boolean") return String(x);
  if (typeof x === "string") return quoteStrings ? quote(x) : x;
  // A bare list is a flag combination (ct state established,related).
  if (Array.isArray(x)) return x.map((v) => value(v, quoteStrings)).join(",");
  const [k, v] = Object.entries(x)[0] ?? ["empty", null];
  switch (k) {
    case "set":
      return `{ ${(Array.isArray(v) ? v : [v]).map((e) => value(e, quoteStrings)).join(", ")} }`;
    case "range":
      return Array.isArray(v) ? `${value(v[0] ?? null)}-${value(v[1] ?? null)}` : "unknown-json-range";
    case "prefix": {
      const o = (v ?? {}) as Obj;
      return `${str(o.addr)}/${str(o.len)}`;
    }
    case "elem":
      return value(((v ?? {}) as Obj).val ?? null, quoteStrings);
    case "concat":
      return (Array.isArray(v) ? v : []).map((e) => value(e, quoteStrings)).join(" . ");
    case "map": {
      // A data map lookup (`snat to ip saddr map { … }`): printed as nft does.
      const o = (v ?? {}) as Obj;
      return `${expr(o.key)} map ${value(o.data ?? null)}`;
    }
    case "|":
    case "&":
    case "^":
    case "<<":
    case ">>":
      return Array.isArray(v) ? v.map((e) => expr(e)).join(` ${k} `) : `unknown-json-${k}`;
    default:
      return x !== null && typeof x === "object" && !Array.isArray(x) && isExpr(k)
        ? expr(x)
        : `unknown-json-${k}`;
  }
}

/** Keys of the left-side expressions (`expr`), which also appear as values (`meta mark set ct mark`). */
function isExpr(k: string): boolean {
  return ["payload", "meta", "ct", "concat", "numgen", "fib", "tcp option", "ipsec"].includes(k);
}

function str(x: Json | undefined): string {
  return x === undefined || x === null ? "" : typeof x === "object" ? JSON.stringify(x) : String(x);
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}
