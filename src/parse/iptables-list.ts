/**
 * `iptables -L -n -v` (and `-x`, `--line-numbers`): the display, read back into the options
 * iptables-save would have written for each rule, which the iptables-save reader then reads
 * (iptables-save.ts, `readDisplay`). A row is `[num] pkts bytes [target] prot opt in out source
 * destination [what the matches and the target print]`; that last column is read only in the forms
 * iptables 1.8 prints (libxt_*'s print functions: `tcp dpt:443`, `multiport dports 80,443`,
 * `ctstate RELATED,ESTABLISHED`, `reject-with …`, `LOG flags 0 level 4 prefix "…"`, …), every word
 * of it accounted for: a form not known here is refused with its column, never passed over, since a
 * match left out would widen the rule. Without `-v` the display has no interfaces, without `-n` it
 * names hosts: neither is read (not-a-ruleset.ts says so). Pure.
 */
import type { Token } from "./iptables-save.js";

export type ListedRow = { ok: true; tokens: Token[] } | { ok: false; col: number; message: string };

/** What the columns' head says: `num` first with --line-numbers (the `pkts bytes` of -v are required). */
export interface ListColumns {
  num: boolean;
}

const OPT = new Set(["--", "-f", "!f"]);
const STATES = /^[A-Z]+(,[A-Z]+)*$/;
const NUMBER = /^\d+$/;

interface Word {
  text: string;
  /** 0-based column in the row. */
  col: number;
}

/** Words of the row, a quoted string (a log prefix) and a `/* comment *\/` one word each. */
function words(row: string): Word[] | { col: number; message: string } {
  const out: Word[] = [];
  let i = 0;
  while (i < row.length) {
    if (row[i] === " " || row[i] === "\t") {
      i++;
      continue;
    }
    if (row.startsWith("/* ", i)) {
      const end = row.indexOf(" */", i + 2);
      if (end < 0) return { col: i, message: "a comment without its end" };
      out.push({ text: row.slice(i, end + 3), col: i });
      i = end + 3;
      continue;
    }
    if (row[i] === '"') {
      let j = i + 1;
      while (j < row.length && row[j] !== '"') j += row[j] === "\\" ? 2 : 1;
      if (j >= row.length) return { col: i, message: "a quoted string without its end" };
      out.push({ text: row.slice(i, j + 1), col: i });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < row.length && row[j] !== " " && row[j] !== "\t") j++;
    out.push({ text: row.slice(i, j), col: i });
    i = j;
  }
  return out;
}

const LOG_FLAGS: Array<[number, string]> = [
  [0x01, "--log-tcp-sequence"],
  [0x02, "--log-tcp-options"],
  [0x04, "--log-ip-options"],
  [0x08, "--log-uid"],
  [0x20, "--log-macdecode"],
];

const unquote = (s: string): string => s.slice(1, -1).replace(/\\(.)/g, "$1");

/** TCP flag bits as libxt_tcp prints them with -n (`flags:0x17/0x02`), named as iptables-save writes them. */
const TCP_FLAGS: Array<[number, string]> = [
  [0x01, "FIN"],
  [0x02, "SYN"],
  [0x04, "RST"],
  [0x08, "PSH"],
  [0x10, "ACK"],
  [0x20, "URG"],
];

function flagNames(hex: string): string | undefined {
  const v = Number.parseInt(hex, 16);
  if (!/^0x[0-9a-fA-F]+$/.test(hex) || v > 0x3f) return undefined;
  if (v === 0) return "NONE";
  if (v === 0x3f) return "ALL";
  return TCP_FLAGS.filter(([b]) => v & b)
    .map(([, n]) => n)
    .join(",");
}

/** `spt:80`, `spt:!80`, `spts:1024:65535` → the option and its value (`!` before the option). */
function portTerm(w: string): { neg: boolean; opt: "--sport" | "--dport"; value: string } | undefined {
  const m = /^(spts?|dpts?):(!)?(\d{1,5}(?::\d{1,5})?)$/.exec(w);
  if (!m) return undefined;
  const range = m[1]!.endsWith("s");
  if (range !== m[3]!.includes(":")) return undefined;
  return { neg: m[2] === "!", opt: m[1]!.startsWith("s") ? "--sport" : "--dport", value: m[3]! };
}

/**
 * One row of the display as the tokens of an iptables command (`-A CHAIN` not included): the
 * columns, then the matches and the target's options read from the last column.
 */
export function listedRow(row: string, columns: ListColumns): ListedRow {
  const ws = words(row);
  if (!Array.isArray(ws)) return { ok: false, ...ws };
  const out: Token[] = [];
  const add = (col: number, ...texts: string[]): void => {
    for (const text of texts) out.push({ text, col });
  };
  let i = columns.num ? 1 : 0;
  // pkts bytes: numbers, with -x or K/M/G suffixes without.
  for (let k = 0; k < 2; k++, i++)
    if (!/^\d+[KMGT]?$/.test(ws[i]?.text ?? ""))
      return {
        ok: false,
        col: ws[i]?.col ?? row.length,
        message: "expected the packet and byte counters (-v)",
      };
  // The target is absent for a rule without -j: then the word after the protocol is its option.
  const target = OPT.has(ws[i + 1]?.text ?? "") ? undefined : ws[i++];
  const prot = ws[i++];
  const opt = ws[i++];
  const [inIf, outIf, src, dst] = [ws[i++], ws[i++], ws[i++], ws[i++]];
  if (!prot || !opt || !OPT.has(opt.text) || !dst)
    return {
      ok: false,
      col: opt?.col ?? row.length,
      message: "expected target, prot, opt, in, out, source, destination",
    };
  const neg = (w: Word, flag: string, any: readonly string[]): void => {
    if (any.includes(w.text)) return;
    if (w.text.startsWith("!")) add(w.col, "!", flag, w.text.slice(1));
    else add(w.col, flag, w.text);
  };
  neg(prot, "-p", ["all", "0"]);
  if (opt.text === "-f") add(opt.col, "-f");
  if (opt.text === "!f") add(opt.col, "!", "-f");
  neg(inIf!, "-i", ["*"]);
  neg(outIf!, "-o", ["*"]);
  for (const w of [src!, dst]) {
    const a = w.text.replace(/^!/, "");
    if (!/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(a) || !/[.:]/.test(a))
      return {
        ok: false,
        col: w.col,
        message: `the address ${w.text} is a name (the display was made without -n)`,
      };
  }
  neg(src!, "-s", ["0.0.0.0/0", "::/0"]);
  neg(dst, "-d", ["0.0.0.0/0", "::/0"]);
  const targetOptions: Token[] = [];
  // `-g CHAIN` prints `[goto]` first in the last column.
  const goto = ws[i]?.text === "[goto]" && target !== undefined;
  const r = extra(ws.slice(goto ? i + 1 : i), target?.text, out, targetOptions);
  if (r) return { ok: false, ...r };
  // The target's options after -j, as iptables-save writes them.
  if (target) add(target.col, goto ? "-g" : "-j", target.text);
  out.push(...targetOptions);
  return { ok: true, tokens: out };
}

/** Reads the last column into `out` (matches) and `targetOptions`; an error when a word is not known. */
function extra(
  ws: Word[],
  target: string | undefined,
  out: Token[],
  targetOptions: Token[],
): { col: number; message: string } | undefined {
  const add = (col: number, ...texts: string[]): void => {
    for (const text of texts) out.push({ text, col });
  };
  const tgt = (col: number, ...texts: string[]): void => {
    for (const text of texts) targetOptions.push({ text, col });
  };
  let k = 0;
  const at = (j = 0): string | undefined => ws[k + j]?.text;
  const unknown = (): { col: number; message: string } => ({
    col: ws[k]!.col,
    message: `\`${ws
      .slice(k)
      .map((w) => w.text)
      .join(" ")}\` is not read from an \`iptables -L\` display`,
  });
  while (k < ws.length) {
    const w = ws[k]!;
    const t = w.text;
    if ((t === "HL" || t === "TTL") && at(1) === "match" && at(2) === t && NUMBER.test(at(4) ?? "")) {
      const op = { "==": ["eq", false], "!=": ["eq", true], "<": ["lt", false], ">": ["gt", false] }[
        at(3) ?? ""
      ] as [string, boolean] | undefined;
      if (!op) return unknown();
      const name = t.toLowerCase();
      add(w.col, "-m", name, ...(op[1] ? ["!"] : []), `--${name}-${op[0]}`, at(4)!);
      k += 5;
      continue;
    }
    if (t === "tcp" || t === "udp" || t === "sctp") {
      add(w.col, "-m", t);
      k++;
      for (;;) {
        const p = portTerm(at() ?? "");
        if (p) {
          if (p.neg) add(ws[k]!.col, "!");
          add(ws[k]!.col, p.opt, p.value);
          k++;
          continue;
        }
        const opt = t === "tcp" ? /^option=(!)?(\d{1,3})$/.exec(at() ?? "") : null;
        if (opt) {
          if (opt[1]) add(ws[k]!.col, "!");
          add(ws[k]!.col, "--tcp-option", opt[2]!);
          k++;
          continue;
        }
        const f = t === "tcp" ? /^flags:(!)?(0x[0-9a-fA-F]+)\/(0x[0-9a-fA-F]+)$/.exec(at() ?? "") : null;
        if (f) {
          const mask = flagNames(f[2]!);
          const comp = flagNames(f[3]!);
          if (!mask || !comp) return unknown();
          if (f[1]) add(ws[k]!.col, "!");
          add(ws[k]!.col, "--tcp-flags", mask, comp);
          k++;
          continue;
        }
        break;
      }
      continue;
    }
    if (t === "icmptype" || t === "!icmptype") {
      const type = at(1);
      if (!type || !NUMBER.test(type)) return unknown();
      const code = at(2) === "code" && NUMBER.test(at(3) ?? "") ? at(3) : undefined;
      // Type 255 with every code is xt_icmp's wildcard (`--icmp-type any`), printed as its number.
      const value = code ? `${type}/${code}` : type === "255" ? "any" : type;
      add(w.col, "-m", "icmp", ...(t.startsWith("!") ? ["!"] : []), "--icmp-type", value);
      k += code ? 4 : 2;
      continue;
    }
    if (t === "ipv6-icmptype" || t === "!ipv6-icmptype") {
      const type = at(1);
      if (!type || !NUMBER.test(type)) return unknown();
      const code = at(2) === "code" && NUMBER.test(at(3) ?? "") ? at(3) : undefined;
      const value = code ? `${type}/${code}` : type;
      add(w.col, "-m", "icmp6", ...(t.startsWith("!") ? ["!"] : []), "--icmpv6-type", value);
      k += code ? 4 : 2;
      continue;
    }
    if (t === "length" && /^!?\d+(:\d+)?$/.test(at(1) ?? "")) {
      const v = at(1)!;
      add(w.col, "-m", "length", ...(v.startsWith("!") ? ["!"] : []), "--length", v.replace(/^!/, ""));
      k += 2;
      continue;
    }
    if (t === "multiport") {
      const dir = at(1);
      const list = at(2);
      if (!list || !["dports", "sports", "ports"].includes(dir ?? "")) return unknown();
      const negated = list.startsWith("!");
      const ports = negated ? list.slice(1) : list;
      if (!/^\d{1,5}(:\d{1,5})?(,\d{1,5}(:\d{1,5})?)*$/.test(ports)) return unknown();
      add(w.col, "-m", "multiport", ...(negated ? ["!"] : []), `--${dir}`, ports);
      k += 3;
      continue;
    }
    // `! state NEW`, `! ctstate INVALID`: the negation printed before the match's name.
    const negState = t === "!" && (at(1) === "state" || at(1) === "ctstate");
    if (t === "state" || t === "ctstate" || negState) {
      const name = negState ? at(1)! : t;
      const list = at(negState ? 2 : 1);
      if (!list || !STATES.test(list)) return unknown();
      add(w.col, "-m", name === "state" ? "state" : "conntrack", ...(negState ? ["!"] : []));
      add(w.col, name === "state" ? "--state" : "--ctstate", list);
      k += negState ? 3 : 2;
      continue;
    }
    if (t.startsWith("/* ") && t.endsWith(" */")) {
      add(w.col, "-m", "comment", "--comment", t.slice(3, -3));
      k++;
      continue;
    }
    if (t === "limit:" && at(1) === "avg" && at(3) === "burst" && NUMBER.test(at(4) ?? "")) {
      add(w.col, "-m", "limit", "--limit", at(2)!, "--limit-burst", at(4)!);
      k += 5;
      continue;
    }
    if (t === "ADDRTYPE" && at(1) === "match") {
      add(w.col, "-m", "addrtype");
      k += 2;
      while (at() === "src-type" || at() === "dst-type") {
        const v = at(1) ?? "";
        const neg = v.startsWith("!");
        if (!/^!?[A-Z]+(,[A-Z]+)*$/.test(v)) return unknown();
        add(ws[k]!.col, ...(neg ? ["!"] : []), `--${at()}`, neg ? v.slice(1) : v);
        k += 2;
      }
      while (at() === "limit-in" || at() === "limit-out") add(ws[k]!.col, `--${ws[k++]!.text}`);
      continue;
    }
    if (t === "mark" && at(1) === "match") {
      let v = at(2) ?? "";
      const neg = v === "!";
      if (neg) v = at(3) ?? "";
      if (!/^0x[0-9a-fA-F]+(\/0x[0-9a-fA-F]+)?$/.test(v)) return unknown();
      add(w.col, "-m", "mark", ...(neg ? ["!"] : []), "--mark", v);
      k += neg ? 4 : 3;
      continue;
    }
    if (t === "PHYSDEV" && at(1) === "match") {
      add(w.col, "-m", "physdev");
      k += 2;
      for (;;) {
        const o = at() ?? "";
        if (o === "!" && /^--physdev-/.test(at(1) ?? "")) {
          add(ws[k]!.col, "!");
          k++;
          continue;
        }
        if (o === "--physdev-in" || o === "--physdev-out") {
          if (!at(1)) return unknown();
          add(ws[k]!.col, o, at(1)!);
          k += 2;
          continue;
        }
        if (o === "--physdev-is-in" || o === "--physdev-is-out" || o === "--physdev-is-bridged") {
          add(ws[k]!.col, o);
          k++;
          continue;
        }
        break;
      }
      continue;
    }
    if (t === "recent:" && ["SET", "UPDATE", "CHECK", "REMOVE"].includes(at(1) ?? "")) {
      const mode = { SET: "--set", UPDATE: "--update", CHECK: "--rcheck", REMOVE: "--remove" }[at(1)!]!;
      add(w.col, "-m", "recent", mode);
      k += 2;
      for (;;) {
        const o = at();
        if ((o === "seconds:" || o === "hit_count:") && NUMBER.test(at(1) ?? "")) {
          add(ws[k]!.col, o === "seconds:" ? "--seconds" : "--hitcount", at(1)!);
          k += 2;
        } else if (o === "reap" || o === "TTL-Match") {
          add(ws[k]!.col, o === "reap" ? "--reap" : "--rttl");
          k++;
        } else if (o === "name:" && at(1)) {
          add(ws[k]!.col, "--name", at(1)!);
          k += 2;
        } else if (o === "side:" && (at(1) === "source" || at(1) === "dest")) {
          add(ws[k]!.col, at(1) === "source" ? "--rsource" : "--rdest");
          k += 2;
        } else if (o === "mask:" && at(1)) {
          add(ws[k]!.col, "--mask", at(1)!);
          k += 2;
        } else break;
      }
      continue;
    }
    if (t === "#conn" && /^(src|dst)\/\d+$/.test(at(1) ?? "") && (at(2) === ">" || at(2) === "<=")) {
      const [side, mask] = at(1)!.split("/") as [string, string];
      if (!NUMBER.test(at(3) ?? "")) return unknown();
      add(w.col, "-m", "connlimit", at(2) === ">" ? "--connlimit-above" : "--connlimit-upto", at(3)!);
      add(w.col, "--connlimit-mask", mask, side === "src" ? "--connlimit-saddr" : "--connlimit-daddr");
      k += 4;
      continue;
    }
    if (t === "PKTTYPE" && at(1) === "=" && at(2)) {
      add(w.col, "-m", "pkttype", "--pkt-type", at(2)!);
      k += 3;
      continue;
    }
    if ((t === "source" || t === "destination") && at(1) === "IP" && at(2) === "range" && at(3)) {
      const neg = at(3) === "!";
      const range = at(neg ? 4 : 3);
      if (!range || !/^[0-9a-fA-F.:]+-[0-9a-fA-F.:]+$/.test(range)) return unknown();
      add(
        w.col,
        "-m",
        "iprange",
        ...(neg ? ["!"] : []),
        t === "source" ? "--src-range" : "--dst-range",
        range,
      );
      k += neg ? 5 : 4;
      continue;
    }
    if (t === "rt" && /^type:!?\d+$/.test(at(1) ?? "")) {
      const v = at(1)!.slice(5);
      add(w.col, "-m", "rt", ...(v.startsWith("!") ? ["!"] : []), "--rt-type", v.replace(/^!/, ""));
      k += 2;
      continue;
    }
    // libxt_owner: `[!] owner UID match N[-M]`, `GID match`, `socket exists`.
    const negOwner = t === "!" && at(1) === "owner";
    if (t === "owner" || negOwner) {
      const o = negOwner ? 1 : 0;
      const kind = at(o + 1);
      if (
        (kind === "UID" || kind === "GID") &&
        at(o + 2) === "match" &&
        /^\d+(-\d+)?$/.test(at(o + 3) ?? "")
      ) {
        add(
          w.col,
          "-m",
          "owner",
          ...(negOwner ? ["!"] : []),
          kind === "UID" ? "--uid-owner" : "--gid-owner",
          at(o + 3)!,
        );
        k += o + 4;
        continue;
      }
      if (kind === "socket" && at(o + 2) === "exists") {
        add(w.col, "-m", "owner", ...(negOwner ? ["!"] : []), "--socket-exists");
        k += o + 3;
        continue;
      }
      return unknown();
    }
    if (t === "MAC" && at(1)) {
      add(w.col, "-m", "mac", "--mac-source", at(1)!);
      k += 2;
      continue;
    }
    // The target's own print, last.
    if (target === "REJECT" && t === "reject-with" && at(1)) {
      tgt(w.col, "--reject-with", at(1)!);
      k += 2;
      continue;
    }
    if (
      target === "LOG" &&
      t === "LOG" &&
      at(1) === "flags" &&
      NUMBER.test(at(2) ?? "") &&
      at(3) === "level"
    ) {
      // xt_LOG's flags: 1 tcp-sequence, 2 tcp-options, 4 ip-options, 8 uid, 0x20 macdecode.
      const flags = Number(at(2));
      if (flags & ~0x2f) return unknown();
      tgt(w.col, "--log-level", at(4) ?? "");
      for (const [bit, opt] of LOG_FLAGS) if (flags & bit) tgt(w.col, opt);
      k += 5;
      if (at() === "prefix" && at(1)?.startsWith('"')) {
        tgt(ws[k]!.col, "--log-prefix", unquote(at(1)!));
        k += 2;
      }
      continue;
    }
    if (target === "NFLOG" && t === "nflog-prefix" && at(1)?.startsWith('"')) {
      tgt(w.col, "--nflog-prefix", unquote(at(1)!));
      k += 2;
      continue;
    }
    if (target === "NFLOG" && t === "nflog-group" && NUMBER.test(at(1) ?? "")) {
      tgt(w.col, "--nflog-group", at(1)!);
      k += 2;
      continue;
    }
    if ((target === "DNAT" || target === "SNAT") && /^to:\S+$/.test(t)) {
      tgt(w.col, target === "DNAT" ? "--to-destination" : "--to-source", t.slice(3));
      k++;
      continue;
    }
    if (target === "MASQUERADE" && t === "masq" && at(1) === "ports:" && at(2)) {
      tgt(w.col, "--to-ports", at(2)!);
      k += 3;
      continue;
    }
    if (target === "REDIRECT" && t === "redir" && at(1) === "ports" && at(2)) {
      tgt(w.col, "--to-ports", at(2)!);
      k += 3;
      continue;
    }
    if (target === "MARK" && t === "MARK" && (at(1) === "set" || at(1) === "xset") && at(2)) {
      tgt(w.col, at(1) === "set" ? "--set-mark" : "--set-xmark", at(2)!);
      k += 3;
      continue;
    }
    if (target === "CHECKSUM" && t === "CHECKSUM" && at(1) === "fill") {
      tgt(w.col, "--checksum-fill");
      k += 2;
      continue;
    }
    // libxt_CONNMARK prints `restore|save mask M` when both masks are M (the others are not read).
    if (
      target === "CONNMARK" &&
      t === "CONNMARK" &&
      (at(1) === "restore" || at(1) === "save") &&
      at(2) === "mask" &&
      /^0x[0-9a-fA-F]+$/.test(at(3) ?? "")
    ) {
      tgt(
        w.col,
        at(1) === "restore" ? "--restore-mark" : "--save-mark",
        "--nfmask",
        at(3)!,
        "--ctmask",
        at(3)!,
      );
      k += 4;
      continue;
    }
    return unknown();
  }
  return undefined;
}
