/**
 * One pf rule's header and options (pf.conf(5) GRAMMAR `pf-rule`, `filteropt`; sbin/pfctl/parse.y
 * `filter_rule`, `filter_opts`): direction, `quick`, `on`, family, protocols, hosts and ports as
 * a match of the packet space, and what the options add (state, ICMP types, translation targets,
 * the approximated ones). Used by parse/pf.ts.
 */
import type { NatTarget } from "../ir/ruleset.js";
import { ALL_ADDRESSES, ALL_V4, ALL_V6 } from "../space/address.js";
import type { Box } from "../space/box.js";
import { IntervalSet } from "../space/interval-set.js";
import { NameSet } from "../space/name-set.js";
import { Space } from "../space/space.js";
import type { PfToken } from "./pf-lex.js";
import {
  Cursor,
  PfSyntaxError,
  readHosts,
  readIcmpTypes,
  readInterfaces,
  readPorts,
  readProtos,
  type HostTerm,
  type Table,
} from "./pf-terms.js";

export type Dir = "in" | "out";

export interface Options {
  keepState: boolean;
  approx: string[];
  actionApprox: string[];
  icmp?: IntervalSet;
  rdrTo?: { target: HostTerm; ports?: IntervalSet; tok: PfToken };
  natTo?: { target: HostTerm; ports?: IntervalSet; tok: PfToken };
  binatTo?: { target: HostTerm; tok: PfToken };
}

/** The header: direction, log, quick, on, af, proto, hosts (pf.conf(5) GRAMMAR `pf-rule`). */
export function readConditions(
  c: Cursor,
  tables: ReadonlyMap<string, Table>,
  opts: { forNat?: boolean } = {},
) {
  let dir: Dir | undefined;
  let quick = false;
  let ifaces = NameSet.ALL;
  let family: 4 | 6 | undefined;
  let protos: { set: IntervalSet; names: string[] } | undefined;
  let src: HostTerm | undefined;
  let dst: HostTerm | undefined;
  let sport: IntervalSet | undefined;
  let dport: IntervalSet | undefined;
  const approx: string[] = [];
  /** Route options met in the header: the rule's action is approximated (readOptions). */
  const route: string[] = [];
  const protoNames = () => protos?.names ?? [];
  for (;;) {
    const t = c.peek();
    if (!t || t.quoted) break;
    if (t.text === "in" || t.text === "out") {
      dir = t.text;
      c.i++;
    } else if (t.text === "log") {
      c.i++;
      c.skipParens();
    } else if (t.text === "quick") {
      quick = true;
      c.i++;
    } else if (t.text === "pass" && opts.forNat) c.i++;
    else if (t.text === "on") {
      c.i++;
      if (c.eat("rdomain")) {
        approx.push(`on rdomain ${c.next("a routing domain").text} (routing domains are not modelled)`);
        continue;
      }
      const r = readInterfaces(c);
      ifaces = r.set;
      approx.push(...r.approx);
    } else if (ROUTES.has(t.text) && !opts.forNat) {
      // FreeBSD's (and pfctl -sr's there) place: after `on`, before the address family.
      c.i++;
      route.push(readRoute(c, t.text));
    } else if (t.text === "inet" || t.text === "inet6") {
      family = t.text === "inet" ? 4 : 6;
      c.i++;
    } else if (t.text === "proto") {
      c.i++;
      protos = readProtos(c);
    } else if (t.text === "all") c.i++;
    else if (t.text === "from") {
      c.i++;
      if (!c.is("port") && !c.is("os")) src = readHosts(c, tables);
      if (c.eat("port")) sport = readPorts(c, protoNames(), { approx });
      if (c.eat("os")) {
        c.list(() => c.next("an OS name"));
        approx.push("os (passive OS fingerprints are not modelled)");
      }
    } else if (t.text === "to") {
      c.i++;
      if (!c.is("port")) dst = readHosts(c, tables);
      if (c.eat("port")) dport = readPorts(c, protoNames(), { approx });
    } else break;
  }
  for (const [term, which, exact] of [
    [src, "from", "out"],
    [dst, "to", "in"],
  ] as const)
    if (term?.self && dir !== exact)
      approx.push(`${which} self (the firewall's own addresses are told apart only ${exact}bound)`);
  if ((sport || dport) && protos && protos.names.some((n) => n !== "tcp" && n !== "udp"))
    throw new PfSyntaxError(c.tokens[0], "port only applies to tcp/udp", "`proto tcp`, `proto udp` or both");
  return { dir, quick, ifaces, family, protos, src, dst, sport, dport, approx, route };
}

export type Header = ReturnType<typeof readConditions>;

export function headerSpace(h: Header, icmp?: IntervalSet): Space {
  const fam = h.family === 4 ? ALL_V4 : h.family === 6 ? ALL_V6 : ALL_ADDRESSES;
  const dims: { -readonly [K in keyof Box]?: Box[K] } = {};
  if (h.protos) dims.proto = h.protos.set;
  if (h.sport) dims.sport = h.sport;
  if (h.dport) dims.dport = h.dport;
  if (icmp) dims.dport = icmp;
  return Space.box(dims)
    .intersect(side(h, h.src, "src", fam))
    .intersect(side(h, h.dst, "dst", fam));
}

/**
 * One end's addresses. `self` is exact where the engine can tell the firewall's own packets: `to
 * self` inbound are the packets with no output interface yet (they go to input), `from self`
 * outbound those with no input interface (the firewall sent them; audit/flows.ts names that "");
 * elsewhere (a rule of both directions) every address, approximated (readConditions says so).
 */
function side(h: Header, term: HostTerm | undefined, which: "src" | "dst", fam: IntervalSet): Space {
  if (!term) return Space.box({ [which]: fam });
  const base = Space.box({ [which]: term.set.intersect(fam) });
  if (!term.self) return base;
  if (h.dir !== (which === "dst" ? "in" : "out")) return Space.box({ [which]: fam });
  const dim = which === "dst" ? "oif" : "iif";
  return base.union(
    Space.box({ [which]: fam, [dim]: term.self === "pos" ? NameSet.of("") : NameSet.except("") }),
  );
}

export function hostApprox(h: Header): string[] {
  return [...h.approx, ...(h.src?.approx ?? []), ...(h.dst?.approx ?? [])];
}

/** Options after the hosts (pf.conf(5) `filteropt`); translation targets kept for the caller. */
export function readOptions(c: Cursor, h: Header, tables: ReadonlyMap<string, Table>): Options {
  const o: Options = { keepState: true, approx: [], actionApprox: [...h.route] };
  const target = () => {
    const target = readHosts(c, tables);
    const ports = c.eat("port") ? natPorts(c, h) : undefined;
    // Pool options: which address of the pool; the set stays the same.
    while (
      [
        "bitmask",
        "random",
        "source-hash",
        "round-robin",
        "static-port",
        "sticky-address",
        "least-states",
      ].includes(c.peek()?.text ?? "")
    ) {
      const w = c.next("a pool option").text;
      if (
        w === "source-hash" &&
        c.peek() &&
        /^(0x[0-9a-f]+|\w+)$/i.test(c.peek()!.text) &&
        !isOption(c.peek()!.text)
      )
        c.i++;
    }
    return { target, ...(ports ? { ports } : {}) };
  };
  while (!c.done()) {
    const t = c.next("an option");
    const w = t.quoted ? "" : t.text;
    switch (w) {
      case "flags":
        if (!c.eat("any")) {
          const f = c.next("flags such as S/SA").text;
          if (f !== "S/SA" && f !== "S/SAFR")
            o.approx.push(`flags ${f} (TCP flags other than a connection's first packet's are not modelled)`);
        }
        break;
      case "keep":
      case "modulate":
      case "synproxy":
        c.expect("state");
        c.skipParens();
        o.keepState = true;
        break;
      case "no":
        c.expect("state");
        o.keepState = false;
        break;
      // Also rule identifiers for logs and statistics (FreeBSD pf.conf(5) `ridentifier`, pfSense's
      // `tracker`) and dummynet shaping (`dnpipe`, `dnqueue`): no verdict depends on them.
      case "ridentifier":
      case "tracker":
      case "dnpipe":
      case "dnqueue":
      case "label":
      case "tag":
      case "queue":
      case "rtable":
      case "prio":
      case "max-pkt-rate":
      case "min-ttl":
      case "max-mss":
      case "set-tos":
      case "delay":
        if (c.is("(")) c.skipParens();
        else c.next(`a value after ${w}`);
        break;
      case "set":
        c.next("prio, tos, delay or queue");
        if (c.is("(")) c.skipParens();
        else c.next("a value");
        break;
      case "allow-opts":
      case "once":
      case "fragment":
      case "no-df":
      case "random-id":
      case "divert-reply":
        if (w === "divert-reply") o.actionApprox.push("divert-reply (sockets, not modelled)");
        break;
      case "reassemble":
        c.next("tcp");
        break;
      case "scrub":
        c.skipParens();
        break;
      case "tos":
        c.next("a TOS value");
        o.approx.push("tos (the TOS field is not modelled)");
        break;
      case "probability":
        c.next("a percentage");
        o.approx.push("probability (random matching)");
        break;
      case "tagged":
        c.next("a tag");
        o.approx.push("tagged (tags set by other rules are not modelled)");
        break;
      case "!":
        if (c.eat("tagged")) {
          c.next("a tag");
          o.approx.push("tagged (tags set by other rules are not modelled)");
        } else if (c.eat("received-on")) {
          c.next("an interface");
          o.approx.push("received-on (the receiving interface of a forwarded packet is not modelled)");
        } else throw new PfSyntaxError(t, "unexpected `!`", "`! tagged` or `! received-on`");
        break;
      case "received-on":
        c.next("an interface");
        o.approx.push("received-on (the receiving interface of a forwarded packet is not modelled)");
        break;
      case "user":
      case "group":
        c.list(() => {
          const op = c.peek();
          if (op && ["=", "!=", "<", "<=", ">", ">=", "<>", "><"].includes(op.text)) c.i++;
          c.next("a user or group");
          if (c.is("<>") || c.is("><")) {
            c.i++;
            c.next("a user or group");
          }
        });
        o.approx.push(`${w} (the socket's owner is not modelled)`);
        break;
      case "icmp-type":
      case "icmp6-type": {
        // pfctl's rule_consistent(): "icmp-type/code only applies to icmp" (and icmp6-type to
        // icmp6): the types are read in the port dimension, so another protocol would be misread.
        const icmp = w === "icmp-type" ? 1 : 58;
        if (!h.protos || !h.protos.set.equals(IntervalSet.of(icmp)))
          throw new PfSyntaxError(
            t,
            `${w} only applies to ${w === "icmp-type" ? "proto icmp" : "proto icmp6"}`,
            `\`proto ${w === "icmp-type" ? "icmp" : "icmp6"}\` before the addresses, as pfctl requires`,
          );
        const r = readIcmpTypes(c, w === "icmp6-type");
        o.icmp = r.set;
        o.approx.push(...r.approx);
        break;
      }
      case "route-to":
      case "reply-to":
      case "dup-to":
        o.actionApprox.push(readRoute(c, w));
        break;
      case "divert-to":
        c.next("an address");
        if (c.eat("port")) c.next("a port");
        o.actionApprox.push("divert-to (delivered to a local socket, not modelled)");
        break;
      case "divert-packet":
        c.expect("port");
        c.next("a port");
        o.actionApprox.push("divert-packet (handed to a divert socket, not modelled)");
        break;
      case "af-to":
        o.actionApprox.push("af-to (address family translation, not modelled)");
        while (!c.done()) c.i++;
        break;
      case "nat-to":
        o.natTo = { ...target(), tok: t };
        break;
      case "rdr-to":
        o.rdrTo = { ...target(), tok: t };
        break;
      case "binat-to":
        o.binatTo = { target: target().target, tok: t };
        break;
      default:
        throw new PfSyntaxError(
          t,
          `unknown option ${t.text}`,
          "a pf.conf(5) rule option (flags, keep state, label, …)",
        );
    }
  }
  return o;
}

/**
 * `route-to`/`reply-to`/`dup-to` and their targets (a list of `(if addr)`, then pool options), or
 * FreeBSD's `fastroute`: where pf sends the packet, which the engine does not follow.
 */
function readRoute(c: Cursor, w: string): string {
  if (w !== "fastroute") {
    c.list(() => {
      if (c.is("(")) c.skipParens();
      else c.next("a route target");
    });
    while (
      ["bitmask", "random", "source-hash", "round-robin", "sticky-address", "least-states"].includes(
        c.peek()?.text ?? "",
      )
    )
      c.i++;
  }
  return `${w} (policy routing: the interface the packet leaves by is not modelled)`;
}

const ROUTES = new Set(["route-to", "reply-to", "dup-to", "fastroute"]);

export function isOption(w: string): boolean {
  return ["static-port", "sticky-address", "port", "label", "tag", "keep", "flags"].includes(w);
}

/** `port p`, `port a:b`, `port a:*` of a translation target. */
export function natPorts(c: Cursor, h: Header): IntervalSet {
  const t = c.next("a port");
  const m = /^(\d+):\*$/.exec(t.text);
  if (m) return IntervalSet.of(Number(m[1]));
  const sub = new Cursor([t], t);
  return readPorts(sub, h.protos?.names ?? []);
}

export function natTarget(target: HostTerm, ports?: IntervalSet): { to: NatTarget; approx: string[] } {
  const to: NatTarget = {};
  if (target.approx.length === 0) to.addresses = target.set;
  if (ports) to.ports = ports;
  return { to, approx: target.approx };
}
