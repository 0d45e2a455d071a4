/**
 * firewalld reader: a host's firewalld configuration (`/etc/firewalld`: firewalld.conf, zones,
 * services, ipsets, policies, helpers, icmptypes), on top of what firewalld ships
 * (firewalld-catalog.ts), read into the nftables ruleset firewalld 1.3's nftables backend loads for
 * it — the same chains, in the same order (src/firewall/core/nftables.py and fw_policy.py at
 * v1.3.3), written as nft text and read by the nftables reader, so one set of rule semantics serves
 * both. Each rule's origin is the XML element it comes from; firewalld's own rules (established
 * accept, loopback, invalid drop, the final reject) are `implicit`, naming why they exist.
 *
 * The input and output paths (a host's own traffic) and the forward path (a router's: zones'
 * intra-zone forwarding and targets, policies between zones and ANY) are built, and the NAT:
 * forward-ports (zones', policies', rich rules') in firewalld's nat PREROUTING and OUTPUT layout,
 * masquerade in its nat POSTROUTING layout. Policies are dispatched where firewalld dispatches
 * them: from ANY or zones to HOST in INPUT, from HOST to ANY or zones in OUTPUT, between zones and
 * ANY in FORWARD (on the zones' interfaces and sources). Pure.
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { parseAddress, toCidrs } from "../space/address.js";
import { maskedCidr } from "./iptables-terms.js";
import type { Origin, Ruleset } from "../ir/ruleset.js";
import { FIREWALLD_CATALOG, FIREWALLD_CONF, FIREWALLD_VERSION } from "./firewalld-catalog.js";
import { readXml, type XmlElement } from "./firewalld-xml.js";
import { readNftablesText } from "./nftables-text.js";
import { FIREWALLD_ROOTS as ROOTS } from "./firewalld-sniff.js";
import type { ParsedRuleset } from "./reader.js";
import { lookupTable } from "./lookup.js";

export interface FirewalldFile {
  file: string;
  text: string;
}

type Kind = "zone" | "service" | "ipset" | "policy" | "helper" | "icmptype";
const KIND_DIRS: Record<Kind, keyof typeof FIREWALLD_CATALOG | undefined> = {
  zone: "zones",
  service: "services",
  policy: "policies",
  helper: "helpers",
  icmptype: "icmptypes",
  ipset: undefined,
};
interface Obj {
  kind: Kind;
  name: string;
  el: XmlElement;
  file: string;
  builtin: boolean;
}

/** Where a generated line came from: an element of a file, or firewalld itself. */
type LineSource = ({ origin: Origin } | { implicit: string; origin: Origin }) & {
  /** Why the rule may not match what it says (read as an approximation of its match). */
  unsure?: string;
};

const TRUE = new Set(["true", "yes", "1"]);

/** A policy's targets (base.py POLICY_TARGETS). */
const POLICY_TARGETS = new Set(["CONTINUE", "ACCEPT", "DROP", "REJECT"]);

/** One file read alone (`--ruleset-format firewalld` on a single zone): the shipped configuration around it. */
export function readFirewalldFile(text: string, file: string): ParsedRuleset {
  return readFirewalld([{ file, text }]);
}

/** The nftables text firewalld would load for these files (what readFirewalld reads), or the errors. */
export function firewalldAsNft(files: readonly FirewalldFile[]): { text: string; diagnostics: Diagnostic[] } {
  const g = generate(files);
  return { text: g.lines.join("\n"), diagnostics: g.diagnostics };
}

interface Generated {
  lines: string[];
  sources: Array<LineSource | undefined>;
  diagnostics: Diagnostic[];
  shipped: Origin;
}

export function readFirewalld(files: readonly FirewalldFile[]): ParsedRuleset {
  const first = files[0]?.file ?? "firewalld";
  const { lines, sources, diagnostics, shipped } = generate(files);
  if (diagnostics.some((d) => d.severity === "error")) return { ruleset: emptyRuleset(first), diagnostics };

  // Read the table as nft text; put each rule back where it came from.
  const GEN = "firewalld (generated)";
  const parsed = readNftablesText(lines.join("\n"), GEN);
  const where = (line: number): LineSource | undefined => sources[line - 1];
  for (const t of parsed.ruleset.tables)
    for (const c of t.chains) {
      const cs = where(c.origin.line);
      c.origin = cs ? cs.origin : { ...shipped, text: `chain ${c.name} (firewalld's layout)` };
      for (const r of c.rules) {
        const s = where(r.origin.line);
        if (!s) {
          // A dispatch line (jump/goto) firewalld always writes.
          r.implicit = `firewalld's own dispatch: ${r.origin.text}`;
          r.origin = { ...shipped, text: r.origin.text };
        } else {
          if ("implicit" in s) r.implicit = s.implicit;
          r.origin = { ...s.origin };
        }
        for (const a of r.approximations) {
          const sa = where(a.origin.line);
          a.origin = sa ? { ...sa.origin } : { ...shipped, text: a.origin.text };
        }
        if (s?.unsure !== undefined)
          r.approximations.push({
            construct: s.origin.text,
            reason: s.unsure,
            origin: { ...s.origin },
            affects: "match",
          });
      }
    }
  for (const d of parsed.diagnostics) {
    if (d.at?.file === GEN) {
      const s = where(d.at.line);
      d.at = s
        ? { file: s.origin.file, line: s.origin.line, col: s.origin.col }
        : { file: first, line: 1, col: 1 };
    }
    diagnostics.push(d);
  }
  const ruleset: Ruleset = { ...parsed.ruleset, format: "firewalld", source: first };
  return { ruleset, diagnostics };
}

function generate(files: readonly FirewalldFile[]): Generated {
  const diagnostics: Diagnostic[] = [];
  const at = (file: string, el: { line: number; col: number }) => ({ file, line: el.line, col: el.col });
  const error = (
    code: string,
    file: string,
    el: { line: number; col: number },
    message: string,
    expected?: string,
  ) => diagnostics.push(diag(code, "error", message, { at: at(file, el), expected }));
  const warning = (code: string, file: string, el: { line: number; col: number }, message: string) =>
    diagnostics.push(diag(code, "warning", message, { at: at(file, el) }));

  // firewalld.conf: the shipped one, then the given one's keys.
  const conf = new Map<string, { value: string; origin: Origin }>();
  const shipped: Origin = { file: `firewalld ${FIREWALLD_VERSION} defaults`, line: 1, col: 1, text: "" };
  for (const l of FIREWALLD_CONF.split("\n")) {
    const [k, ...v] = l.split("=");
    conf.set(k!, { value: v.join("="), origin: { ...shipped, text: l } });
  }
  const objects = new Map<string, Obj>(); // `${kind}:${name}`
  for (const [dir, entries] of Object.entries(FIREWALLD_CATALOG)) {
    const kind = (Object.keys(KIND_DIRS) as Kind[]).find((k) => KIND_DIRS[k] === dir)!;
    for (const [name, xml] of Object.entries(entries)) {
      // Read when first asked for: a configuration names a few of the 221 services.
      let el: XmlElement | undefined;
      objects.set(`${kind}:${name}`, {
        kind,
        name,
        get el(): XmlElement {
          if (el) return el;
          const r = readXml(xml);
          if (!r.ok) throw new Error(`firewalld catalog ${dir}/${name}: ${r.message}`);
          return (el = r.root);
        },
        file: `${shipped.file}: ${dir}/${name}.xml`,
        builtin: true,
      });
    }
  }
  for (const f of files) {
    const text = f.text.replace(/^\uFEFF/, "");
    if (!text.trimStart().startsWith("<")) {
      readConf(f.file, text, conf, warning);
      continue;
    }
    const r = readXml(text);
    if (!r.ok) {
      error("firewalld-xml", f.file, r, `not well-formed XML: ${r.message}`, "a firewalld XML file");
      continue;
    }
    const root = r.root;
    if (root.name === "direct") {
      if (root.children.length > 0)
        error(
          "firewalld-not-read",
          f.file,
          root,
          "direct rules (direct.xml) are not read: they are iptables rules firewalld passes through as written",
          "audit the running host's ruleset instead (`audit --live nftables` or `nft list ruleset`)",
        );
      continue;
    }
    if (!ROOTS.has(root.name)) {
      error(
        "firewalld-xml",
        f.file,
        root,
        `<${root.name}> is not a firewalld object`,
        "<zone>, <service>, <ipset>, <policy>, <helper> or <icmptype>",
      );
      continue;
    }
    const kind = root.name as Kind;
    const base = f.file
      .split(/[\\/]/)
      .pop()!
      .replace(/\.xml$/i, "");
    // The name becomes part of chain and set names: firewalld's own characters only.
    if (!NAME.test(base)) {
      error(
        "firewalld-xml",
        f.file,
        root,
        `a ${kind} named "${base}" (its file's name)`,
        "a name of letters, digits, _, . and - (at most 64), in a file NAME.xml",
      );
      continue;
    }
    objects.set(`${kind}:${base}`, { kind, name: base, el: root, file: f.file, builtin: false });
  }
  const get = (kind: Kind, name: string): Obj | undefined => objects.get(`${kind}:${name}`);
  const all = (kind: Kind): Obj[] =>
    [...objects.values()]
      .filter((o) => o.kind === kind)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  /** An object another names (a zone's service, a rule's ICMP type), or an error at the reference. */
  const need = (kind: Kind, name: string, o: Obj, el: XmlElement, expected: string): Obj | undefined => {
    const found = get(kind, name);
    if (!found) error("firewalld-unknown", o.file, el, `${kind} ${name} is not defined`, expected);
    return found;
  };
  /**
   * Every value of the files that reaches the generated nft text passes one of these first: a value
   * that could change how that text reads (a quote, a brace, a `;`, a newline) is refused at its
   * element, never carried into a rule.
   */
  const checked = (o: Obj, el: XmlElement, what: string, value: string, ok: boolean, expected: string) => {
    if (ok) return value;
    error("firewalld-xml", o.file, el, `${what} "${value}"`, expected);
    return undefined;
  };
  const addressValue = (o: Obj, el: XmlElement, a: string, range = false): string | undefined => {
    // A network with host bits set (149.126.4.94/23): firewalld, like nft, takes the network.
    const masked = !a.includes("-") && ADDRESS.test(a) && !parseAddress(a).ok ? maskedCidr(a) : undefined;
    if (masked?.hostBits) {
      const net = toCidrs(masked.set)[0]!;
      warning(
        "firewalld-conf",
        o.file,
        el,
        `${a} has host bits set: read as the network ${net}, as firewalld does`,
      );
      return net;
    }
    return checked(
      o,
      el,
      "address",
      a,
      (range ? a.split("-") : [a]).every((x) => ADDRESS.test(x) && parseAddress(x).ok) &&
        (!range || a.split("-").length <= 2),
      range ? "an address, a network (10.0.0.0/8) or a range (a-b)" : "an IPv4 or IPv6 address or network",
    );
  };
  const macValue = (o: Obj, el: XmlElement, m: string): string | undefined =>
    checked(o, el, "MAC address", m.toLowerCase(), MAC.test(m), "a MAC address (00:11:22:33:44:55)");
  const protocolValue = (o: Obj, el: XmlElement, p: string): string | undefined =>
    checked(
      o,
      el,
      "protocol",
      p,
      /^[a-z][a-z0-9.+_-]{0,31}$/i.test(p) || (/^\d{1,3}$/.test(p) && Number(p) <= 255),
      "a protocol name (gre, icmp, sctp) or number (0-255)",
    );
  const origin = (o: Obj, el: XmlElement): Origin => ({
    file: o.file,
    line: el.line,
    col: el.col,
    text: el.source,
  });

  const confValue = (k: string): string => conf.get(k)?.value.trim() ?? "";
  const confOrigin = (k: string): Origin => conf.get(k)?.origin ?? shipped;
  if (!["nftables", ""].includes(confValue("FirewallBackend")))
    warning(
      "firewalld-backend",
      confOrigin("FirewallBackend").file,
      confOrigin("FirewallBackend"),
      `FirewallBackend=${confValue("FirewallBackend")}: read as the nftables backend's rules, which mean the same by firewalld's design`,
    );
  // Deprecated in firewalld 1.0 and ignored since (1.3.3's fw.py sets it and never reads it).
  if (TRUE.has(confValue("AllowZoneDrifting").toLowerCase()))
    warning(
      "firewalld-conf",
      confOrigin("AllowZoneDrifting").file,
      confOrigin("AllowZoneDrifting"),
      "AllowZoneDrifting=yes is ignored by firewalld 1.x (deprecated): zones do not drift",
    );

  // Lines of nft text, each with where it came from.
  const lines: string[] = [];
  const sources: Array<LineSource | undefined> = [];
  const emit = (text: string, src?: LineSource): void => {
    lines.push(text);
    sources.push(src);
  };
  const own = (why: string, o: Origin = shipped): LineSource => ({
    implicit: `firewalld's own rule: ${why}`,
    origin: o,
  });

  // ipsets become nft sets.
  const setFamily = new Map<string, "ip" | "ip6" | "ether">();
  const setLines: Array<[string, LineSource]> = [];
  for (const o of all("ipset")) {
    const type = o.el.attrs.get("type") ?? "";
    const opts = new Map(
      o.el.children
        .filter((c) => c.name === "option")
        .map((c) => [c.attrs.get("name") ?? "", c.attrs.get("value") ?? ""]),
    );
    const entryEls = o.el.children.filter((c) => c.name === "entry");
    if (opts.has("timeout")) {
      error(
        "firewalld-not-read",
        o.file,
        o.el,
        `ipset ${o.name} has a timeout: its entries are added while firewalld runs, not kept in this file`,
        "an ipset without timeout, or audit the running host's ruleset",
      );
      continue;
    }
    const fam = type === "hash:mac" ? "ether" : opts.get("family") === "inet6" ? "ip6" : "ip";
    const nftType = { ip: "ipv4_addr", ip6: "ipv6_addr", ether: "ether_addr" }[fam];
    if (!["hash:ip", "hash:net", "hash:mac"].includes(type)) {
      error(
        "firewalld-not-read",
        o.file,
        o.el,
        `ipset ${o.name} of type ${type || "(none)"} is not read`,
        "type hash:ip, hash:net or hash:mac",
      );
      continue;
    }
    const entries = entryEls.map((c) =>
      fam === "ether" ? macValue(o, c, c.text) : addressValue(o, c, c.text, true),
    );
    if (entries.some((e) => e === undefined)) continue;
    setFamily.set(o.name, fam);
    const flags = fam === "ether" ? "" : " flags interval;";
    setLines.push([
      `set ${o.name} { type ${nftType};${flags}${entries.length > 0 ? ` elements = { ${entries.join(", ")} }` : ""} }`,
      { origin: origin(o, o.el) },
    ]);
  }

  const addrMatch = (
    o: Obj,
    el: XmlElement,
    field: "saddr" | "daddr",
    invert: boolean,
  ): string | undefined => {
    const op = invert ? "!= " : "";
    const ipset = el.attrs.get("ipset");
    if (ipset !== undefined) {
      const fam = setFamily.get(ipset);
      if (!fam) {
        error(
          "firewalld-unknown",
          o.file,
          el,
          `ipset ${ipset} is not defined (or not read)`,
          "an ipset in ipsets/*.xml",
        );
        return undefined;
      }
      return fam === "ether" ? `ether ${field} ${op}@${ipset}` : `${fam} ${field} ${op}@${ipset}`;
    }
    const mac = el.attrs.get("mac");
    if (mac !== undefined) {
      const m = macValue(o, el, mac);
      return m === undefined ? undefined : `ether ${field} ${op}${m}`;
    }
    const a = el.attrs.get("address");
    if (a === undefined) {
      error(
        "firewalld-xml",
        o.file,
        el,
        `<${el.name}> without address, mac or ipset`,
        'address="…", mac="…" or ipset="…"',
      );
      return undefined;
    }
    const v = addressValue(o, el, a);
    if (v === undefined) return undefined;
    return `${v.includes(":") ? "ip6" : "ip"} ${field} ${op}${v}`;
  };

  // Services: ports, protocols, source ports, destination, with includes.
  interface ServiceParts {
    ports: Array<[string, string]>;
    protocols: string[];
    sourcePorts: Array<[string, string]>;
    destination: { ipv4?: string; ipv6?: string };
    helpers: string[];
  }
  const serviceParts = (
    o: Obj,
    ref: XmlElement,
    name: string,
    seen: Set<string>,
  ): ServiceParts[] | undefined => {
    const s = need(
      "service",
      name,
      o,
      ref,
      `a service firewalld ${FIREWALLD_VERSION} ships or one in services/*.xml`,
    );
    if (!s) return undefined;
    seen.add(name);
    const out: ServiceParts[] = [];
    for (const inc of s.el.children.filter((c) => c.name === "include")) {
      const n = inc.attrs.get("service") ?? "";
      if (seen.has(n)) continue;
      const parts = serviceParts(s, inc, n, seen);
      if (parts) out.push(...parts);
    }
    const ports = (name: string): Array<[string, string]> =>
      s.el.children.flatMap((c) => {
        const pm = c.name === name ? portMatch(s, c) : undefined;
        return pm ? [pm] : [];
      });
    const destination: ServiceParts["destination"] = {};
    for (const d of s.el.children.filter((c) => c.name === "destination"))
      for (const v of ["ipv4", "ipv6"] as const) {
        const a = d.attrs.get(v);
        const checkedAddress = a === undefined ? undefined : addressValue(s, d, a);
        if (checkedAddress !== undefined) destination[v] = checkedAddress;
      }
    out.push({
      ports: ports("port"),
      protocols: s.el.children.flatMap((c) =>
        c.name === "protocol" ? (protocolValue(s, c, c.attrs.get("value") ?? "") ?? []) : [],
      ),
      sourcePorts: ports("source-port"),
      destination,
      helpers: [
        ...s.el.children.filter((c) => c.name === "helper").map((c) => c.attrs.get("name") ?? ""),
        ...s.el.children
          .filter((c) => c.name === "module")
          .map((c) => (c.attrs.get("name") ?? "").replace(/^nf_conntrack_/, "")),
      ],
    });
    return out;
  };
  /** Per address family: the destination fragment of a service's rules (undefined: no rules). */
  const destinations = (d: ServiceParts["destination"]): string[] =>
    d.ipv4 === undefined && d.ipv6 === undefined
      ? [""]
      : [
          ...(d.ipv4 !== undefined ? [`ip daddr ${d.ipv4} `] : []),
          ...(d.ipv6 !== undefined ? [`ip6 daddr ${d.ipv6} `] : []),
        ];

  /** A <port>/<source-port> element's protocol and port, checked (undefined: refused at it). */
  const portMatch = (o: Obj, el: XmlElement): [string, string] | undefined => {
    const proto = protoValue(o, el, el.attrs.get("protocol") ?? "");
    const port = portValue(o, el, el.attrs.get("port") ?? "");
    return proto && port ? [proto, port] : undefined;
  };
  const portValue = (o: Obj, el: XmlElement, port: string): string | undefined => {
    if (/^\d+(-\d+)?$/.test(port)) return port;
    error(
      "firewalld-xml",
      o.file,
      el,
      `port "${port}" is not a port or a range`,
      "a port (5061) or a range (50000-59999)",
    );
    return undefined;
  };
  const protoValue = (o: Obj, el: XmlElement, proto: string): string | undefined => {
    if (["tcp", "udp", "sctp", "dccp"].includes(proto)) return proto;
    error("firewalld-xml", o.file, el, `protocol "${proto}" of a port`, "tcp, udp, sctp or dccp");
    return undefined;
  };

  const icmpFragments = (
    o: Obj,
    el: XmlElement,
    name: string,
    ipvs: Array<"ipv4" | "ipv6">,
  ): string[] | undefined => {
    const t = need("icmptype", name, o, el, `an ICMP type firewalld ${FIREWALLD_VERSION} knows`);
    if (!t) return undefined;
    // <destination ipv4="no"/><destination ipv6="yes"/>: one element per family, or one with both.
    const dests = t.el.children.filter((c) => c.name === "destination");
    const fams = (["ipv4", "ipv6"] as const).filter(
      (v) =>
        ipvs.includes(v) &&
        (dests.length === 0 || dests.some((d) => TRUE.has((d.attrs.get(v) ?? "").toLowerCase()))),
    );
    const out: string[] = [];
    for (const v of fams) {
      const f = Object.hasOwn(ICMP_TYPES[v], name) ? ICMP_TYPES[v][name] : undefined;
      if (f === undefined) {
        error(
          "firewalld-unknown",
          o.file,
          el,
          `ICMP type ${name} has no ${v} form in firewalld's nftables backend`,
          "an ICMP type firewalld knows",
        );
        return undefined;
      }
      out.push(f);
    }
    return out;
  };

  // Rules of one zone or policy, into its sub-chains (pre/log/deny/allow/post).
  interface Sub {
    pre: Array<[number, string, LineSource]>;
    log: Array<[string, LineSource]>;
    deny: Array<[string, LineSource]>;
    allow: Array<[string, LineSource]>;
    post: Array<[number, string, LineSource]>;
  }
  /** A zone's or policy's NAT rules, into its nat sub-chains (as a Sub's); `all` their elements. */
  interface Nat extends Sub {
    all: Array<{ el: XmlElement; toAddr: string }>;
  }
  const noNat = (): Nat => ({ pre: [], log: [], deny: [], allow: [], post: [], all: [] });
  /** A rich rule's action element (accept, reject, drop, mark), if any. */
  const ruleAction = (rule: XmlElement): XmlElement | undefined =>
    rule.children.find((c) => ["accept", "reject", "drop", "mark"].includes(c.name));
  const settings = (o: Obj, inverted: boolean): Sub => {
    const sub: Sub = { pre: [], log: [], deny: [], allow: [], post: [] };
    const allow = (text: string, el: XmlElement): void =>
      void sub.allow.push([text, { origin: origin(o, el) }]);
    // firewalld's reader keeps one of each service, protocol and ICMP block, and coalesces ports
    // (io/policy.py: a range inside one already listed is skipped, overlapping ones become one
    // range, appended); it applies them in this order (fw_policy.py `_policy_settings`).
    const PHASES = ["service", "port", "source-port", "icmp-block", "rule", "protocol"];
    const seen = new Set<string>();
    const ranges: Array<{ proto: string; lo: number; hi: number; el: XmlElement; kind: string }> = [];
    const children = [...o.el.children].sort((a, b) => PHASES.indexOf(a.name) - PHASES.indexOf(b.name));
    const once = (el: XmlElement, key: string): boolean => {
      const k = `${el.name} ${key}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    };
    for (const el of children) {
      switch (el.name) {
        case "service": {
          if (!once(el, el.attrs.get("name") ?? "")) break;
          const parts = serviceParts(o, el, el.attrs.get("name") ?? "", new Set());
          for (const p of parts ?? []) {
            if (p.helpers.length > 0)
              warning(
                "firewalld-helper",
                o.file,
                el,
                `service ${el.attrs.get("name")} assigns the conntrack helper${p.helpers.length > 1 ? "s" : ""} ${p.helpers.join(", ")}: the related connections a helper expects are accepted by firewalld's \`ct state related\` rule and are not judged here`,
              );
            for (const d of destinations(p.destination)) {
              for (const [proto, port] of p.ports) allow(`${d}${proto} dport ${port} accept`, el);
              for (const proto of p.protocols) allow(`${d}meta l4proto ${proto} accept`, el);
              for (const [proto, port] of p.sourcePorts) allow(`${d}${proto} sport ${port} accept`, el);
            }
          }
          break;
        }
        case "port":
        case "source-port": {
          const pm = portMatch(o, el);
          if (pm) coalesce(ranges, el, pm);
          const next = children[children.indexOf(el) + 1];
          // The last of its kind: the coalesced ranges are the rules.
          if (next?.name !== el.name)
            for (const r of ranges.splice(0))
              allow(
                `${r.proto} ${r.kind === "port" ? "dport" : "sport"} ${r.lo === r.hi ? r.lo : `${r.lo}-${r.hi}`} accept`,
                r.el,
              );
          break;
        }
        case "protocol": {
          const p = protocolValue(o, el, el.attrs.get("value") ?? "");
          if (p && once(el, p)) allow(`meta l4proto ${p} accept`, el);
          break;
        }
        case "icmp-block": {
          if (!once(el, el.attrs.get("name") ?? "")) break;
          const frags = icmpFragments(o, el, el.attrs.get("name") ?? "", ["ipv4", "ipv6"]);
          for (const f of frags ?? [])
            if (inverted) allow(`${f} accept`, el);
            else sub.deny.push([`${f} reject with icmpx admin-prohibited`, { origin: origin(o, el) }]);
          break;
        }
        case "rule":
          richRule(o, el, sub);
          break;
        case "forward-port":
          // Destination NAT in nat_PRE_* chains: forwardPorts.
          break;
        case "masquerade":
          // Source NAT in nat_POST_* chains: masquerades.
          break;
        case "log":
          // firewalld says "Log outside of rule" and goes on.
          warning("firewalld-conf", o.file, el, `a <log> outside a rule: firewalld ignores it`);
          break;
        // A zone's bindings and switches in a policy, a policy's zones in a zone: firewalld refuses
        // the configuration (PARSE_ERROR "Unexpected element", checked).
        case "ingress-zone":
        case "egress-zone":
        case "interface":
        case "icmp-block-inversion":
        case "forward":
          if ((o.kind === "zone") === ["ingress-zone", "egress-zone"].includes(el.name))
            error(
              "firewalld-xml",
              o.file,
              el,
              `<${el.name}> is not an element of a firewalld ${o.kind} (firewalld refuses the configuration: PARSE_ERROR)`,
              o.kind === "zone"
                ? "a policy's ingress-zone and egress-zone in policies/*.xml"
                : "a zone's interface, forward and icmp-block-inversion in zones/*.xml",
            );
          break;
        case "source":
        case "short":
        case "description":
        case "tcp-mss-clamp":
          break;
        default:
          error(
            "firewalld-xml",
            o.file,
            el,
            `<${el.name}> is not an element of a firewalld ${o.kind}`,
            "service, port, protocol, source-port, icmp-block, rule, …",
          );
      }
    }
    return sub;
  };

  /**
   * A rich rule's NAT statement into its sub-chain (nftables.py: the rule's family, destination and
   * source fragments before it; priority 0 in _allow, below in _pre, above in _post).
   */
  const natRule = (
    o: Obj,
    rule: XmlElement,
    el: XmlElement,
    nat: Nat,
    family: string | undefined,
    statement: string,
    toAddr: string,
  ): void => {
    const src = rule.children.find((c) => c.name === "source");
    const dst = rule.children.find((c) => c.name === "destination");
    const inv = (x: XmlElement): boolean => TRUE.has((x.attrs.get("invert") ?? "").toLowerCase());
    const s = src ? addrMatch(o, src, "saddr", inv(src)) : "";
    const d = dst ? addrMatch(o, dst, "daddr", inv(dst)) : "";
    if (s === undefined || d === undefined) return;
    const priority = Number(rule.attrs.get("priority") ?? "0");
    // A priority that is not a whole number is refused with the rule's other checks (richRule).
    if (!Number.isInteger(priority)) return;
    const fam = family ? `meta nfproto ${family} ` : "";
    const text = `${fam}${d ? d + " " : ""}${s ? s + " " : ""}${statement}`;
    const from: LineSource = { origin: origin(o, rule) };
    if (priority < 0) nat.pre.push([priority, text, from]);
    else if (priority > 0) nat.post.push([priority, text, from]);
    else nat.allow.push([text, from]);
    nat.all.push({ el, toAddr });
  };
  /**
   * A zone's or policy's forward-ports: destination NAT in its nat_PRE_* sub-chains (nftables.py
   * `build_policy_forward_port_rules`). The <forward-port> elements first (`_policy_settings`
   * applies forward_ports before rich rules), in their order, one of each (io/policy.py keeps the
   * first of equal port, protocol, to-port and to-addr); then the rules whose element is a
   * forward-port, by priority as the filter's. A plain one is IPv4 unless its to-addr is IPv6; a
   * rule's is its family's. Without to-addr it redirects to a port of the host itself.
   */
  const forwardPorts = (o: Obj): Nat => {
    const nat = noNat();
    const seen = new Set<string>();
    for (const el of o.el.children) {
      if (el.name !== "forward-port") continue;
      const f = forwardPort(o, el, ["tcp", "udp", "sctp", "dccp"], undefined);
      if (f === undefined) continue;
      const key = `${f.port}/${f.proto}${f.toAddr ? ` to ${f.toAddr}` : ""}${f.toPort ? ` port ${f.toPort}` : ""}`;
      if (seen.has(key)) {
        warning(
          "firewalld-conf",
          o.file,
          el,
          `forward-port ${key} is listed twice: firewalld keeps the first`,
        );
        continue;
      }
      seen.add(key);
      // io/policy.py `forward_port`: a port-forwarding with neither is refused when applied.
      if (f.toPort === "" && f.toAddr === "") {
        error(
          "firewalld-xml",
          o.file,
          el,
          "a forward-port with neither to-port nor to-addr (firewalld refuses it: INVALID_FORWARD)",
          'to-port="…", to-addr="…" or both',
        );
        continue;
      }
      const line: [string, LineSource] = [
        `meta nfproto ${f.family ?? "ipv4"} ${f.proto} dport ${f.port} ${f.target}`,
        { origin: origin(o, el) },
      ];
      nat.allow.push(line);
      nat.all.push({ el, toAddr: f.toAddr });
    }
    for (const rule of o.el.children) {
      if (rule.name !== "rule") continue;
      const el = rule.children.find((c) => c.name === "forward-port");
      if (!el) continue;
      // rich.py Rich_Rule.check: what it refuses, firewalld's reader warns about and leaves out.
      const leftOut = (why: string, at: XmlElement = rule): void =>
        void warning(
          "firewalld-conf",
          o.file,
          at,
          `a rule's forward-port ${why}: firewalld leaves the rule out`,
        );
      const family = rule.attrs.get("family");
      if (family !== "ipv4" && family !== "ipv6") {
        // A family other than these is refused with the rule's other checks (richRule).
        if (family === undefined) leftOut("in a rule without family (MISSING_FAMILY)");
        continue;
      }
      const action = ruleAction(rule);
      if (action) {
        leftOut(`with an action (<${action.name}>: INVALID_RULE)`, action);
        continue;
      }
      const f = forwardPort(o, el, ["tcp", "udp", "sctp", "dccp"], family);
      if (f === undefined) continue;
      if (f.toPort === "" && f.toAddr === "") {
        leftOut("with neither to-port nor to-addr (INVALID_PORT)", el);
        continue;
      }
      if (f.family !== family) {
        leftOut(`to ${f.toAddr}, not an ${family} address (INVALID_ADDR)`, el);
        continue;
      }
      natRule(o, rule, el, nat, family, `${f.proto} dport ${f.port} ${f.target}`, f.toAddr);
    }
    return nat;
  };
  /**
   * A zone's or policy's masquerade: source NAT in its nat_POST_* sub-chains (nftables.py
   * `build_policy_masquerade_rules`): <masquerade/> (IPv4 only, as firewalld writes it), then the
   * rules whose element is masquerade (their family's, or both without one), by priority. Neither
   * decides a verdict; the host's packets leave with their interface's address.
   */
  const masquerades = (o: Obj): Nat => {
    const nat = noNat();
    const plain = o.el.children.filter((c) => c.name === "masquerade");
    if (plain[0]) {
      nat.allow.push(['meta nfproto ipv4 oifname != "lo" masquerade', { origin: origin(o, plain[0]) }]);
      nat.all.push({ el: plain[0], toAddr: "" });
    }
    for (const el of plain.slice(1))
      warning("firewalld-conf", o.file, el, "masquerade is set twice: firewalld keeps one");
    for (const rule of o.el.children) {
      if (rule.name !== "rule") continue;
      const el = rule.children.find((c) => c.name === "masquerade");
      if (!el) continue;
      const family = rule.attrs.get("family");
      // A family other than these is refused with the rule's other checks (richRule).
      if (family !== undefined && family !== "ipv4" && family !== "ipv6") continue;
      if (missingFamily(o, rule, family)) continue;
      const action = ruleAction(rule);
      if (action) {
        warning(
          "firewalld-conf",
          o.file,
          action,
          `a rule's masquerade with an action (<${action.name}>: INVALID_RULE): firewalld leaves the rule out`,
        );
        continue;
      }
      const src = rule.children.find((c) => c.name === "source");
      if (src?.attrs.get("mac") !== undefined) {
        warning(
          "firewalld-conf",
          o.file,
          src,
          "a rule's masquerade with a MAC source (INVALID_RULE): firewalld leaves the rule out",
        );
        continue;
      }
      natRule(o, rule, el, nat, family, 'oifname != "lo" masquerade', "");
    }
    return nat;
  };
  /** One forward-port element's values, checked, and its NAT statement (undefined: refused at it). */
  const forwardPort = (
    o: Obj,
    el: XmlElement,
    protos: readonly string[],
    family: "ipv4" | "ipv6" | undefined,
  ):
    | {
        port: string;
        proto: string;
        toPort: string;
        toAddr: string;
        family?: "ipv4" | "ipv6";
        target: string;
      }
    | undefined => {
    const proto = el.attrs.get("protocol") ?? "";
    if (!protos.includes(proto)) {
      error("firewalld-xml", o.file, el, `protocol "${proto}" of a forward-port`, protos.join(" or "));
      return undefined;
    }
    const port = portValue(o, el, el.attrs.get("port") ?? "");
    const toPortText = el.attrs.get("to-port") ?? "";
    const toPort = toPortText === "" ? "" : portValue(o, el, toPortText);
    const toAddrText = el.attrs.get("to-addr") ?? "";
    const toAddr =
      toAddrText === ""
        ? ""
        : checked(
            o,
            el,
            "to-addr",
            toAddrText,
            ADDRESS.test(toAddrText) && !toAddrText.includes("/") && parseAddress(toAddrText).ok,
            "one IPv4 or IPv6 address",
          );
    if (port === undefined || toPort === undefined || toAddr === undefined) return undefined;
    const six = toAddr.includes(":");
    const fam = toAddr === "" ? family : six ? "ipv6" : "ipv4";
    const target =
      toAddr === ""
        ? `redirect to :${toPort}`
        : `dnat ${six ? "ip6" : "ip"} to ${six && toPort !== "" ? `[${toAddr}]` : toAddr}${toPort !== "" ? `:${toPort}` : ""}`;
    return { port, proto, toPort, toAddr, ...(fam ? { family: fam } : {}), target };
  };

  /**
   * rich.py Rich_Rule.check: a rule naming a source address or a destination needs a family
   * (MISSING_FAMILY); firewalld's reader warns and leaves the rule out (checked against firewalld).
   */
  const missingFamily = (o: Obj, rule: XmlElement, family: string | undefined): boolean => {
    if (family !== undefined) return false;
    const src = rule.children.find((c) => c.name === "source");
    const dst = rule.children.find((c) => c.name === "destination");
    const at = src?.attrs.get("address") !== undefined ? src : dst;
    if (!at) return false;
    warning(
      "firewalld-conf",
      o.file,
      at,
      `a rule with a ${at.name === "source" ? "source address" : "destination"} but no family (MISSING_FAMILY): firewalld leaves the rule out`,
    );
    return true;
  };
  const richRule = (o: Obj, rule: XmlElement, sub: Sub): void => {
    const family = rule.attrs.get("family");
    const priority = Number(rule.attrs.get("priority") ?? "0");
    if (!Number.isInteger(priority)) {
      error(
        "firewalld-xml",
        o.file,
        rule,
        `priority "${rule.attrs.get("priority")}" is not a whole number`,
        "a whole number, e.g. -100",
      );
      return;
    }
    if (family !== undefined && family !== "ipv4" && family !== "ipv6") {
      error("firewalld-xml", o.file, rule, `family "${family}"`, "ipv4 or ipv6");
      return;
    }
    const src = rule.children.find((c) => c.name === "source");
    const dst = rule.children.find((c) => c.name === "destination");
    // NAT rules are checked where they are read (forwardPorts, masquerades).
    const nat = rule.children.some((c) => c.name === "forward-port" || c.name === "masquerade");
    if (!nat && missingFamily(o, rule, family)) return;
    const ELEMENTS = [
      "service",
      "port",
      "protocol",
      "icmp-block",
      "icmp-type",
      "masquerade",
      "forward-port",
      "source-port",
      "tcp-mss-clamp",
    ];
    const element = rule.children.find((c) => ELEMENTS.includes(c.name));
    const ACTIONS = ["accept", "reject", "drop", "mark"];
    const action = rule.children.find((c) => ACTIONS.includes(c.name));
    for (const c of rule.children)
      if (![...ELEMENTS, ...ACTIONS, "source", "destination", "log", "nflog", "audit"].includes(c.name))
        error(
          "firewalld-xml",
          o.file,
          c,
          `<${c.name}> is not an element of a rich rule`,
          "source, destination, service, port, …, log, accept, reject, drop",
        );
    // NAT, in nat_PRE_* (forwardPorts) and nat_POST_* (masquerades) chains.
    if (element?.name === "forward-port" || element?.name === "masquerade") return;
    // A rule that marks (mangle), clamps the MSS or only logs decides no verdict of the filter
    // chains; an icmp-block without action rejects.
    if (action?.name === "mark" || element?.name === "tcp-mss-clamp") return;
    if (!action && element?.name !== "icmp-block") return;
    const fam = family ? `meta nfproto ${family} ` : "";
    const s = src ? addrMatch(o, src, "saddr", TRUE.has((src.attrs.get("invert") ?? "").toLowerCase())) : "";
    const d = dst ? addrMatch(o, dst, "daddr", TRUE.has((dst.attrs.get("invert") ?? "").toLowerCase())) : "";
    if (s === undefined || d === undefined) return;
    const head = `${fam}${d ? d + " " : ""}${s ? s + " " : ""}`;
    const limitEl = action?.children.find((c) => c.name === "limit");
    let limit = "";
    if (limitEl) {
      const m = /^(\d+)\/([smhd])/.exec(limitEl.attrs.get("value") ?? "");
      if (!m)
        return void error(
          "firewalld-xml",
          o.file,
          limitEl,
          `limit "${limitEl.attrs.get("value")}"`,
          "N/s, N/m, N/h or N/d",
        );
      limit = `limit rate ${m[1]}/${{ s: "second", m: "minute", h: "hour", d: "day" }[m[2] as "s"]} `;
    }
    let verdict: string;
    if (!action) verdict = "reject with icmpx admin-prohibited";
    else if (action.name === "accept") verdict = "accept";
    else if (action.name === "drop") verdict = "drop";
    else {
      const type = action.attrs.get("type");
      if (type === undefined) verdict = "reject";
      else {
        const r = Object.hasOwn(REJECT_TYPES, type) ? REJECT_TYPES[type] : undefined;
        if (!r)
          return void error(
            "firewalld-xml",
            o.file,
            action,
            `reject type "${type}"`,
            Object.keys(REJECT_TYPES).join(", "),
          );
        // rich.py Rich_Reject.check: a type needs the rule's family, and one of that family's types
        // (base.py REJECT_TYPES); firewalld's reader warns and leaves such a rule out.
        if (family === undefined || !REJECT_TYPES_OF[family as "ipv4" | "ipv6"].includes(type))
          return void warning(
            "firewalld-conf",
            o.file,
            action,
            family === undefined
              ? `reject type "${type}" in a rule without family: firewalld leaves the rule out (INVALID_RULE)`
              : `reject type "${type}" is not an ${family} type: firewalld leaves the rule out (INVALID_RULE)`,
          );
        verdict = r;
      }
    }
    const suffix: "pre" | "post" | "allow" | "deny" =
      priority < 0
        ? "pre"
        : priority > 0
          ? "post"
          : !action || action.name === "reject" || action.name === "drop"
            ? "deny"
            : "allow";
    const put = (match: string): void => {
      const line: [string, LineSource] = [`${head}${match}${limit}${verdict}`, { origin: origin(o, rule) }];
      if (suffix === "pre" || suffix === "post") sub[suffix].push([priority, ...line]);
      else sub[suffix].push(line);
    };
    const ipvsOf = (): Array<"ipv4" | "ipv6"> => {
      if (family) return [family as "ipv4" | "ipv6"];
      const a = src?.attrs.get("address");
      if (a !== undefined) return [a.includes(":") ? "ipv6" : "ipv4"];
      return ["ipv4", "ipv6"];
    };
    if (!element) return put("");
    switch (element.name) {
      case "service": {
        const parts = serviceParts(o, element, element.attrs.get("name") ?? "", new Set());
        for (const p of parts ?? []) {
          const dests = destinations(p.destination);
          if (dests[0] !== "" && dst) {
            error(
              "firewalld-xml",
              o.file,
              element,
              "a service with a destination in a rule with a destination",
              "one of them (firewalld refuses both)",
            );
            return;
          }
          for (const dd of dests) {
            if (dd.startsWith("ip daddr") && !ipvsOf().includes("ipv4")) continue;
            if (dd.startsWith("ip6 daddr") && !ipvsOf().includes("ipv6")) continue;
            for (const [proto, port] of p.ports) put(`${dd}${proto} dport ${port} `);
            for (const proto of p.protocols) put(`${dd}meta l4proto ${proto} `);
            for (const [proto, port] of p.sourcePorts) put(`${dd}${proto} sport ${port} `);
          }
        }
        return;
      }
      case "port":
      case "source-port": {
        const pm = portMatch(o, element);
        if (pm) put(`${pm[0]} ${element.name === "port" ? "dport" : "sport"} ${pm[1]} `);
        return;
      }
      case "protocol": {
        const p = protocolValue(o, element, element.attrs.get("value") ?? "");
        if (p) put(`meta l4proto ${p} `);
        return;
      }
      case "icmp-block":
      case "icmp-type": {
        if (element.name === "icmp-block" && action?.name === "accept")
          return void error(
            "firewalld-xml",
            o.file,
            action,
            "an icmp-block with accept",
            "reject or drop (firewalld refuses accept)",
          );
        for (const f of icmpFragments(o, element, element.attrs.get("name") ?? "", ipvsOf()) ?? [])
          put(`${f} `);
        return;
      }
    }
  };

  // Zones: the default, and every zone bound to an interface or a source.
  const defaultZone = confValue("DefaultZone") || "public";
  if (!get("zone", defaultZone)) {
    const o = confOrigin("DefaultZone");
    error(
      "firewalld-unknown",
      o.file,
      o,
      `the default zone ${defaultZone} is not defined`,
      "a zone in zones/*.xml or one firewalld ships",
    );
  }
  const zoneSources: Array<[string, string, LineSource]> = []; // zone, match, source
  const zoneInterfaces: Array<[string, string, LineSource, string]> = []; // zone, match, source, name
  const ifaceOwner = new Map<string, string>();
  const sourceOwner = new Map<string, string>();
  /**
   * Records that zone `z` binds `key` (an interface or a source); false, with the error firewalld
   * gives, when another zone already does (`sameZoneOk`: a repeat in the same zone is no conflict).
   */
  const bindOnce = (
    owners: Map<string, string>,
    key: string,
    z: { name: string; file: string },
    el: XmlElement,
    what: "interface" | "source",
    expected: string,
    sameZoneOk = false,
  ): boolean => {
    const prev = owners.get(key);
    if (prev !== undefined && !(sameZoneOk && prev === z.name)) {
      error("firewalld-conflict", z.file, el, `${what} ${key} is bound to zone ${prev} too`, expected);
      return false;
    }
    owners.set(key, z.name);
    return true;
  };
  const active: Obj[] = [];
  /**
   * The zones bound to an interface or a source, with those bindings (firewalld's
   * `get_active_zones`: the default zone is not among them for being the default; its catch-all
   * `+` is written to the zone dispatch only, never registered as an interface of the zone).
   */
  const bindings = new Map<string, { interfaces: string[]; sources: string[] }>();
  for (const z of all("zone")) {
    const ifs = z.el.children.filter((c) => c.name === "interface");
    // io/zone.py: a zone's <source> binds an address (an address, a network or a MAC) or an ipset;
    // one with neither, both, or invert is left out with a warning (`mac="…"` is a rich rule's).
    const srcs = z.el.children.filter((c) => {
      if (c.name !== "source") return false;
      const has = (k: string): boolean => c.attrs.has(k);
      const why =
        !has("address") && !has("ipset")
          ? 'without address or ipset (a MAC is bound as address="…")'
          : has("address") && has("ipset")
            ? "with both address and ipset"
            : has("invert")
              ? "with invert"
              : undefined;
      if (why !== undefined)
        warning("firewalld-conf", z.file, c, `a zone's source ${why}: firewalld leaves it out`);
      return why === undefined;
    });
    const bound = { interfaces: [] as string[], sources: [] as string[] };
    if (ifs.length > 0 || srcs.length > 0) bindings.set(z.name, bound);
    for (const i of ifs) {
      const name = i.attrs.get("name") ?? "";
      // Linux's interface names (IFNAMSIZ: 15 characters), `+` ending a prefix as firewalld writes it.
      if (
        checked(z, i, "interface", name, IFACE.test(name), "an interface name (eth0, ens192, eth+)") ===
        undefined
      )
        continue;
      if (
        !bindOnce(
          ifaceOwner,
          name,
          z,
          i,
          "interface",
          "one zone per interface (firewalld refuses the second)",
        )
      )
        continue;
      bound.interfaces.push(name);
      zoneInterfaces.push([
        z.name,
        `iifname "${name.endsWith("+") ? name.slice(0, -1) + "*" : name}"`,
        { origin: origin(z, i) },
        name,
      ]);
    }
    for (const s of srcs) {
      const a = s.attrs.get("address");
      // io/zone.py (_check_config, "sources"): a source already in another zone's sources is
      // INVALID_ADDR, "source '…' already bound to zone '…'" — compared as written.
      const key = a ?? `ipset:${s.attrs.get("ipset") ?? ""}`;
      const expected =
        "one zone per source (firewalld refuses the configuration: INVALID_ADDR, already bound)";
      if (!bindOnce(sourceOwner, key, z, s, "source", expected, true)) continue;
      if (a !== undefined && MAC.test(a)) {
        // firewalld binds it (ether saddr) in its NAT and mangle dispatch too, which are not built
        // here; checked against firewalld, the certainty of verdicts then differs.
        error(
          "firewalld-not-read",
          z.file,
          s,
          `zone ${z.name} bound to the MAC address ${a} is not read`,
          "a zone bound by interface, address or ipset, or audit the running host's ruleset (`audit --live nftables`)",
        );
        continue;
      }
      const m = addrMatch(
        z,
        { ...s, attrs: new Map([...s.attrs].filter(([k]) => k !== "mac")) },
        "saddr",
        false,
      );
      if (m === undefined) continue;
      zoneSources.push([z.name, m, { origin: origin(z, s) }]);
      bound.sources.push(m);
    }
    if (ifs.length > 0 || srcs.length > 0 || z.name === defaultZone) active.push(z);
    else if (z.builtin) continue;
    else {
      // firewalld loads every zone: one it refuses sends it to its stock configuration, bound or not.
      settings(z, false);
      forwardPorts(z);
      masquerades(z);
      warning(
        "firewalld-inactive-zone",
        z.file,
        z.el,
        `zone ${z.name} has no interface or source here, and is not the default zone (${defaultZone}): it filters nothing. NetworkManager may bind an interface to it (connection.zone), which these files do not say: add <interface name="…"/> to read it so`,
      );
    }
  }
  // Overlapping bindings (`eth1` in one zone, `eth+` in another): firewalld's binding order, which
  // these files do not hold, decides which zone takes the packets. The more specific binding goes
  // first and may not match (an approximation): its world that matches is one order, the other the
  // other — the verdicts both orders give agree, or are uncertain.
  const prefix = (n: string): string => (n.endsWith("+") ? n.slice(0, -1) : n);
  const covers = (w: string, n: string): boolean => w.endsWith("+") && n !== w && n.startsWith(prefix(w));
  const specificity = (n: string): number => (n.endsWith("+") ? prefix(n).length : 1000);
  zoneInterfaces.sort((a, b) => specificity(b[3]) - specificity(a[3]));
  for (const entry of zoneInterfaces) {
    const [zone, , src, name] = entry;
    const over = zoneInterfaces.find(([z, , , w]) => z !== zone && covers(w, name));
    if (!over) continue;
    const why = `interface ${name} (zone ${zone}) also matches ${over[3]} (zone ${over[0]}): which zone takes its packets depends on the order firewalld bound them, which these files do not say`;
    src.unsure = why;
    warning("firewalld-interface-order", src.origin.file, src.origin, `${why}; both orders are tried`);
  }

  // Policies that reach the host (fw_policy.py `_get_table_chains_for_policy_dispatch`): from ANY or
  // zones to HOST they are dispatched in filter_INPUT_POLICIES_pre/post, from HOST to ANY or zones in
  // filter_OUTPUT_POLICIES_pre/post; between ANY and zones only in FORWARD (and NAT), not read here.
  type Dispatch = [number, Obj, Array<[string, LineSource]>];
  const inPolicies: Dispatch[] = [];
  const outPolicies: Dispatch[] = [];
  /** Policies between zones and ANY (FORWARD), with their ingress × egress dispatch conditions. */
  const fwdPolicies: Dispatch[] = [];
  /**
   * Policies whose forward-ports are applied, with their dispatch conditions: in nat_PREROUTING
   * (from ANY or zones), in nat_OUTPUT (from HOST: the host's own packets).
   */
  type NatDispatch = [number, Obj, Array<[string, LineSource]>, Nat];
  const natPolicies: NatDispatch[] = [];
  const natOutPolicies: NatDispatch[] = [];
  /** Policies whose masquerade is applied in nat_POSTROUTING (between zones and ANY). */
  const natPostPolicies: NatDispatch[] = [];
  /**
   * A policy's forward-ports, checked where firewalld's reader checks them (io/policy.py
   * `_check_config`, forward_ports and rich_rules): to HOST only a port of the host (no to-addr);
   * to ANY or zones only with to-addr, and never towards a zone bound to interfaces (its packets'
   * output interface is not known yet in PREROUTING). Undefined when it has none or one is refused.
   */
  const policyForwardPorts = (p: Obj, egress: string[], egressEls: XmlElement[]): Nat | undefined => {
    const nat = forwardPorts(p);
    if (nat.all.length === 0) return undefined;
    for (const { el, toAddr } of nat.all) {
      if (egress.includes("HOST") && toAddr !== "") {
        error(
          "firewalld-xml",
          p.file,
          el,
          `a forward-port with to-addr in policy ${p.name}, whose egress zone is HOST (firewalld refuses it: INVALID_FORWARD)`,
          "to-port alone: a port of the host itself",
        );
        return undefined;
      }
      if (!egress.includes("HOST") && egress.length > 0 && toAddr === "") {
        error(
          "firewalld-xml",
          p.file,
          el,
          `a forward-port without to-addr in policy ${p.name}, whose egress is ${egress.join(", ")} (firewalld refuses it: INVALID_FORWARD)`,
          'to-addr="…": the address packets are sent on to',
        );
        return undefined;
      }
    }
    if (!egress.includes("ANY"))
      for (const [k, z] of egress.entries())
        if ((bindings.get(z)?.interfaces.length ?? 0) > 0) {
          error(
            "firewalld-xml",
            p.file,
            egressEls[k] ?? p.el,
            `policy ${p.name} has forward-ports towards zone ${z}, which is bound to interfaces (firewalld refuses it: INVALID_ZONE)`,
            "an egress zone bound by sources only, or ANY",
          );
          return undefined;
        }
    return nat;
  };
  /**
   * A policy firewalld loads but does not apply: its settings checked (one it refuses sends
   * firewalld to its stock configuration), their rules and warnings dropped.
   */
  const checkOnly = (p: Obj): void => {
    const before = diagnostics.length;
    settings(p, false);
    diagnostics.push(
      ...diagnostics.splice(before).filter((d) => d.severity === "error" && d.code !== "firewalld-not-read"),
    );
  };
  for (const p of all("policy")) {
    // firewalld's reader requires a policy's target and checks it (io/policy.py: PARSE_REQUIRED_
    // ELEMENT_ATTRS, POLICY_TARGETS) in every policy file, applied or not: else nothing loads.
    const target = p.el.attrs.get("target");
    if (target === undefined)
      error(
        "firewalld-xml",
        p.file,
        p.el,
        `policy ${p.name} has no target (firewalld refuses the configuration: a policy's target is required)`,
        'target="CONTINUE", "ACCEPT", "DROP" or "REJECT"',
      );
    else if (!POLICY_TARGETS.has(target))
      error("firewalld-xml", p.file, p.el, `policy target "${target}"`, "CONTINUE, ACCEPT, DROP or REJECT");
    const ingressEls = p.el.children.filter((c) => c.name === "ingress-zone");
    const egressEls = p.el.children.filter((c) => c.name === "egress-zone");
    const names = (els: XmlElement[]): string[] => els.map((c) => c.attrs.get("name") ?? "");
    const ingress = names(ingressEls);
    const egress = names(egressEls);
    // io/policy.py `_check_config`: firewalld refuses these (INVALID_ZONE) and starts on its stock
    // configuration instead.
    let valid = true;
    for (const [els, side] of [
      [ingressEls, "ingress"],
      [egressEls, "egress"],
    ] as const) {
      const list = names(els);
      for (const el of els) {
        const n = el.attrs.get("name") ?? "";
        if (n === "ANY" || n === "HOST" || get("zone", n)) continue;
        error(
          "firewalld-unknown",
          p.file,
          el,
          `zone ${n} (an ${side} zone of policy ${p.name}) is not defined`,
          "ANY, HOST, or a zone in zones/*.xml or one firewalld ships",
        );
        valid = false;
      }
      const special = els.find((el) => ["ANY", "HOST"].includes(el.attrs.get("name") ?? ""));
      if (special && list.some((n) => n !== special.attrs.get("name"))) {
        error(
          "firewalld-xml",
          p.file,
          special,
          `policy ${p.name}'s ${side} zones ${list.join(", ")}`,
          "several zones, or ANY alone, or HOST alone (firewalld refuses a mix)",
        );
        valid = false;
      }
    }
    if (ingress.includes("HOST") && egress.includes("HOST")) {
      error(
        "firewalld-xml",
        p.file,
        egressEls.find((el) => el.attrs.get("name") === "HOST")!,
        `policy ${p.name} from HOST to HOST`,
        "HOST as the ingress or the egress zone, not both (firewalld refuses it)",
      );
      valid = false;
    }
    if (!valid) continue;
    const toHost = egress.includes("HOST");
    const prio = Number(p.el.attrs.get("priority") ?? "-1");
    /**
     * The dispatch of a policy (nftables.py `build_policy_ingress_egress_rules`): for ANY or HOST one
     * rule without condition; for zones, one per wildcard interface (`eth+` as "eth*"), one for the
     * other interfaces together, one per source — the bound zones' bindings, each rule a jump.
     */
    const conds = (
      zones: string[],
      els: XmlElement[],
      dir: "iifname" | "oifname",
      field: "saddr" | "daddr",
    ): Array<[string, LineSource]> => {
      const named = zones.filter((z) => bindings.has(z));
      if (named.length === 0) return [["", { origin: origin(p, p.el) }]];
      const from = (zs: string[]): LineSource => ({
        origin: origin(p, zs.length === 1 ? els[zones.indexOf(zs[0]!)]! : p.el),
      });
      const out: Array<[string, LineSource]> = [];
      const plain: Array<[string, string]> = [];
      for (const z of named)
        for (const i of bindings.get(z)!.interfaces)
          if (i.endsWith("+")) out.push([`${dir} "${i.slice(0, -1)}*"`, from([z])]);
          else plain.push([z, i]);
      if (plain.length > 0)
        out.push([
          plain.length === 1
            ? `${dir} "${plain[0]![1]}"`
            : `${dir} { ${plain.map(([, i]) => `"${i}"`).join(", ")} }`,
          from([...new Set(plain.map(([z]) => z))]),
        ]);
      for (const z of named)
        for (const m of bindings.get(z)!.sources)
          out.push([field === "saddr" ? m : m.replace(" saddr ", " daddr "), from([z])]);
      return out;
    };
    /**
     * The conditions of its dispatch between zones (`build_policy_ingress_egress_rules`: FORWARD,
     * nat PREROUTING and POSTROUTING): each ingress condition with each egress zone's interfaces and
     * sources as destinations, families alike.
     */
    const natConds = (): Array<[string, LineSource]> => {
      const ins = conds(ingress, ingressEls, "iifname", "saddr");
      const named = egress.filter((z) => bindings.has(z));
      if (named.length === 0) return ins;
      const outs = conds(egress, egressEls, "oifname", "daddr");
      const fam = (c: string): string | undefined => /^(ip6?) [sd]addr /.exec(c)?.[1];
      return ins.flatMap(([i, si]) =>
        outs
          .filter(([o]) => !(fam(i) && fam(o) && fam(i) !== fam(o)))
          .map(([o, so]): [string, LineSource] => [[i, o].filter((x) => x).join(" "), i ? si : so]),
      );
    };
    const nat = policyForwardPorts(p, egress, egressEls);
    let masq: Nat | undefined = masquerades(p);
    // io/policy.py `_check_config`: masquerade to or from HOST is INVALID_ZONE.
    const host = ingress.includes("HOST") ? "ingress" : egress.includes("HOST") ? "egress" : undefined;
    if (masq.all.length === 0) masq = undefined;
    else if (host) {
      error(
        "firewalld-xml",
        p.file,
        masq.all[0]!.el,
        `masquerade in policy ${p.name}, whose ${host} zone is HOST (firewalld refuses it: INVALID_ZONE)`,
        "masquerade in a policy between zones or ANY",
      );
      masq = undefined;
    }

    // fw_policy.py `get_active_policies_not_derived_from_zone`: applied only when an ingress and an
    // egress zone are each ANY, HOST or a zone bound to an interface or a source.
    const activeSide = (zones: string[]): boolean =>
      zones.some((z) => z === "ANY" || z === "HOST" || bindings.has(z));
    if (!toHost && !ingress.includes("HOST")) {
      // Forwarding only (FORWARD and NAT chains), left out — but its forward-ports are destination
      // NAT in PREROUTING: packets to the host's own ports are sent elsewhere.
      if (activeSide(ingress) && activeSide(egress)) {
        const both = natConds();
        if (nat) natPolicies.push([prio, p, both, nat]);
        if (masq) natPostPolicies.push([prio, p, both, masq]);
        fwdPolicies.push([prio, p, both]);
      } else checkOnly(p);
      continue;
    }
    if (!activeSide(ingress) || !activeSide(egress)) {
      checkOnly(p);
      const side = activeSide(ingress) ? "egress" : "ingress";
      warning(
        "firewalld-inactive-policy",
        p.file,
        p.el,
        `policy ${p.name} (from ${ingress.join(", ") || "no zone"} to ${egress.join(", ") || "no zone"}) filters nothing: none of its ${side} zones is bound to an interface or a source here (a default zone bound to nothing does not count), and firewalld applies a policy only when it is`,
      );
      continue;
    }
    if (nat) {
      const el = nat.all[0]!.el;
      if (ingress.includes("HOST"))
        natOutPolicies.push([prio, p, conds(egress, egressEls, "oifname", "daddr"), nat]);
      // fw_policy.py `_get_table_chains_for_policy_dispatch`: from zones to HOST only filter INPUT
      // is dispatched; firewalld's rule for the missing nat chain fails (COMMAND_FAILED).
      else if (!ingress.includes("ANY"))
        error(
          "firewalld-xml",
          p.file,
          el,
          `a forward-port in policy ${p.name}, from zones to HOST (firewalld fails to apply it: COMMAND_FAILED, no nat chain for such a policy)`,
          "the forward-port in the ingress zone itself, or a policy from ANY to HOST",
        );
      else natPolicies.push([prio, p, natConds(), nat]);
    }
    if (toHost) inPolicies.push([prio, p, conds(ingress, ingressEls, "iifname", "saddr")]);
    else outPolicies.push([prio, p, conds(egress, egressEls, "oifname", "daddr")]);
  }

  // The table, in firewalld's order.
  const T = "\t";
  emit("table inet firewalld {");
  for (const [l, s] of setLines) emit(T + l, s);
  const rpfilter = !["no", "false"].includes(confValue("IPv6_rpfilter").toLowerCase());
  emit(`${T}chain filter_PREROUTING {`);
  emit(`${T}${T}type filter hook prerouting priority filter + 10; policy accept;`);
  if (rpfilter) {
    const o = confOrigin("IPv6_rpfilter");
    emit(
      `${T}${T}icmpv6 type { nd-router-advert, nd-neighbor-solicit } accept`,
      own("IPv6_rpfilter lets neighbour discovery pass before the reverse-path check", o),
    );
    emit(
      `${T}${T}meta nfproto ipv6 fib saddr . mark . iif oif missing drop`,
      own(
        "IPv6_rpfilter: IPv6 packets whose source is not routed back through the interface they came in on are dropped",
        o,
      ),
    );
  }
  emit(`${T}}`);
  /** A base chain's head as firewalld writes it: hook, priority, and the established accept. */
  const base = (hook: "input" | "output" | "forward"): void => {
    emit(`${T}chain filter_${hook.toUpperCase()} {`);
    emit(`${T}${T}type filter hook ${hook} priority filter + 10; policy accept;`);
    emit(
      `${T}${T}ct state { established, related } accept`,
      own("packets of connections already accepted pass"),
    );
  };
  /** INPUT's and FORWARD's own rules after the established accept. */
  const arriving = (): void => {
    emit(`${T}${T}ct status dnat accept`, own("destination-NATed connections pass"));
    emit(`${T}${T}iifname "lo" accept`, own("loopback passes"));
    emit(`${T}${T}ct state invalid drop`, own("invalid packets are dropped"));
  };
  /** RFC3964_IPv4's rule (OUTPUT and FORWARD). */
  const rfc3964 = (): void => {
    if (!["no", "false"].includes(confValue("RFC3964_IPv4").toLowerCase()))
      emit(
        `${T}${T}ip6 daddr { ::/96, ::ffff:0.0.0.0/96, 2002::/24, 2002:a00::/24, 2002:7f00::/24, 2002:a9fe::/32, 2002:ac10::/28, 2002:c0a8::/32, 2002:e000::/19 } reject with icmpv6 addr-unreachable`,
        own(
          "RFC3964_IPv4: IPv6 to IPv4-compatible, mapped and 6to4 addresses of private IPv4 is refused",
          confOrigin("RFC3964_IPv4"),
        ),
      );
  };
  base("input");
  arriving();
  emit(`${T}${T}jump filter_INPUT_ZONES`);
  emit(`${T}${T}reject with icmpx admin-prohibited`, own("what no zone decides is rejected"));
  emit(`${T}}`);
  base("output");
  emit(`${T}${T}oifname "lo" accept`, own("loopback passes"));
  rfc3964();
  emit(`${T}${T}jump filter_OUTPUT_POLICIES_pre`);
  emit(`${T}${T}jump filter_OUTPUT_POLICIES_post`);
  emit(`${T}}`);
  const byPriority = (a: Dispatch, b: Dispatch): number => a[0] - b[0];
  const policyChains: Array<[string, Obj]> = [];
  for (const [dir, list, prefix] of [
    ["INPUT", inPolicies, "IN"],
    ["OUTPUT", outPolicies, "OUT"],
  ] as const) {
    list.sort(byPriority);
    for (const half of ["pre", "post"] as const) {
      emit(`${T}chain filter_${dir}_POLICIES_${half} {`);
      // Policies in priority order (nftables.py `_policy_priority_fragment`), by name when equal
      // (apply_policies' order); each policy's dispatch rules together.
      for (const [prio, p, conds] of list)
        if (prio < 0 === (half === "pre")) {
          for (const [c, s] of conds)
            emit(`${T}${T}${c ? `${c} ` : ""}jump filter_${prefix}_policy_${p.name}`, s);
          if (!policyChains.some(([n]) => n === `filter_${prefix}_policy_${p.name}`))
            policyChains.push([`filter_${prefix}_policy_${p.name}`, p]);
        }
      emit(`${T}}`);
    }
  }
  /** A zone dispatch chain (filter_INPUT_ZONES, nat_PREROUTING_ZONES): sources, interfaces, default. */
  const zoneDispatch = (chain: string, to: string, egress = false): void => {
    // On the way out (nat_POSTROUTING_ZONES) a zone's sources are destinations, its interfaces output ones.
    const way = (m: string): string =>
      egress ? m.replace(" saddr ", " daddr ").replace(/^iifname /, "oifname ") : m;
    emit(`${T}chain ${chain} {`);
    for (const [zone, m, s] of zoneSources) emit(`${T}${T}${way(m)} goto ${to}${zone}`, s);
    for (const [zone, m, s] of zoneInterfaces) emit(`${T}${T}${way(m)} goto ${to}${zone}`, s);
    if (get("zone", defaultZone))
      emit(`${T}${T}goto ${to}${defaultZone}`, {
        origin: { ...confOrigin("DefaultZone"), text: `DefaultZone=${defaultZone}` },
      });
    emit(`${T}}`);
  };
  zoneSources.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  zoneDispatch("filter_INPUT_ZONES", "filter_IN_");

  const subChains = (chain: string, sub: Sub): void => {
    const byPrio = (a: [number, string, LineSource], b: [number, string, LineSource]): number => a[0] - b[0];
    for (const [half, list] of [
      ["pre", sub.pre.sort(byPrio).map(([, t, s]) => [t, s] as [string, LineSource])],
      ["log", sub.log],
      ["deny", sub.deny],
      ["allow", sub.allow],
      ["post", sub.post.sort(byPrio).map(([, t, s]) => [t, s] as [string, LineSource])],
    ] as const) {
      emit(`${T}chain ${chain}_${half} {`);
      for (const [t, s] of list) emit(`${T}${T}${t}`, s);
      emit(`${T}}`);
    }
  };
  /** A zone's chain as firewalld opens it: the policies' pre dispatch, its five sub-chains, the post. */
  const zoneChainOpen = (chain: string, dispatch: string): void => {
    emit(`${T}chain ${chain} {`);
    emit(`${T}${T}jump ${dispatch}_POLICIES_pre`);
    for (const h of ["pre", "log", "deny", "allow", "post"]) emit(`${T}${T}jump ${chain}_${h}`);
    emit(`${T}${T}jump ${dispatch}_POLICIES_post`);
  };
  /** A policy's chain as firewalld opens it: its five sub-chains. */
  const policyChainOpen = (chain: string): void => {
    emit(`${T}chain ${chain} {`);
    for (const h of ["pre", "log", "deny", "allow", "post"]) emit(`${T}${T}jump ${chain}_${h}`);
  };
  /**
   * A zone's target ending its filter chain (input or forward): firewalld 1.3.3's zone targets
   * (base.py ZONE_TARGETS; "REJECT" is a policy's, refused in a zone: INVALID_TARGET). Says false
   * for a target firewalld refuses.
   */
  const zoneTarget = (z: Obj, what: string): boolean => {
    const target = z.el.attrs.get("target") ?? "default";
    const zo = origin(z, z.el);
    if (target === "default" || target === "%%REJECT%%")
      emit(
        `${T}${T}reject with icmpx admin-prohibited`,
        own(`zone ${z.name}'s target (${target}) rejects what ${what}`, zo),
      );
    else if (target === "ACCEPT") emit(`${T}${T}accept`, { origin: zo });
    else if (target === "DROP") emit(`${T}${T}drop`, { origin: zo });
    else return false;
    return true;
  };
  const zoneNat = new Map<Obj, Nat>();
  const zoneMasq = new Map<Obj, Nat>();
  for (const z of active) {
    const chain = `filter_IN_${z.name}`;
    const inversion = z.el.children.some((c) => c.name === "icmp-block-inversion");
    const target = z.el.attrs.get("target") ?? "default";
    const zo = origin(z, z.el);
    zoneChainOpen(chain, "filter_INPUT");
    const icmpOrigin = z.el.children.find((c) => c.name === "icmp-block-inversion");
    if (!["DROP", "%%REJECT%%"].includes(target) && (inversion || target !== "ACCEPT"))
      emit(
        `${T}${T}meta l4proto { icmp, ipv6-icmp } ${inversion ? "reject with icmpx admin-prohibited" : "accept"}`,
        inversion && icmpOrigin
          ? { origin: origin(z, icmpOrigin) }
          : own(`zone ${z.name}: ICMP not blocked by an icmp-block passes (target ${target})`, zo),
      );
    if (!zoneTarget(z, "its rules do not accept"))
      error("firewalld-xml", z.file, z.el, `zone target "${target}"`, "default, ACCEPT, DROP or %%REJECT%%");
    emit(`${T}}`);
    subChains(chain, settings(z, inversion));
    zoneNat.set(z, forwardPorts(z));
    zoneMasq.set(z, masquerades(z));
  }
  /** A policy's filter chain: its five sub-chains, then its target; the sub-chains with its settings. */
  const policyChain = (chain: string, p: Obj): void => {
    const target = p.el.attrs.get("target") ?? "CONTINUE";
    policyChainOpen(chain);
    const po = origin(p, p.el);
    if (target === "ACCEPT") emit(`${T}${T}accept`, { origin: po });
    else if (target === "DROP") emit(`${T}${T}drop`, { origin: po });
    // Policy targets (base.py POLICY_TARGETS): "%%REJECT%%" is a zone's, refused in a policy.
    else if (target === "REJECT") emit(`${T}${T}reject with icmpx admin-prohibited`, { origin: po });
    // Any other target was refused with the policy's other checks.
    emit(`${T}}`);
    subChains(chain, settings(p, false));
  };
  for (const [chain, p] of policyChains) policyChain(chain, p);
  // Forwarding (a router's, a perimeter's): filter_FORWARD as firewalld writes it — its own rules,
  // the zone of the packet's way in (filter_FWD_<zone>: intra-zone forwarding where the zone says
  // <forward/>, then its target), the policies between zones and ANY dispatched around it.
  base("forward");
  arriving();
  rfc3964();
  emit(`${T}${T}jump filter_FORWARD_ZONES`);
  emit(`${T}${T}reject with icmpx admin-prohibited`, own("what no zone decides is rejected"));
  emit(`${T}}`);
  fwdPolicies.sort(byPriority);
  for (const half of ["pre", "post"] as const) {
    emit(`${T}chain filter_FORWARD_POLICIES_${half} {`);
    for (const [prio, p, conds] of fwdPolicies)
      if (prio < 0 === (half === "pre"))
        for (const [c, src] of conds)
          emit(`${T}${T}${c ? `${c} ` : ""}jump filter_FWD_policy_${p.name}`, src);
    emit(`${T}}`);
  }
  zoneDispatch("filter_FORWARD_ZONES", "filter_FWD_");
  for (const z of active) {
    const chain = `filter_FWD_${z.name}`;
    zoneChainOpen(chain, "filter_FORWARD");
    // A target firewalld refuses was said with the zone's input chain.
    zoneTarget(z, "it forwards unless a policy accepts it");
    emit(`${T}}`);
    // fw_zone.py `_interface`/`_source`: <forward/> accepts what leaves through the zone's own
    // interfaces (not the default zone's catch-all) and towards its own sources.
    const fwd = z.el.children.find((c) => c.name === "forward");
    const allow: Array<[string, LineSource]> = [];
    if (fwd) {
      const b = bindings.get(z.name);
      for (const i of b?.interfaces ?? [])
        allow.push([
          `oifname "${i.endsWith("+") ? i.slice(0, -1) + "*" : i}" accept`,
          { origin: origin(z, fwd) },
        ]);
      for (const m of b?.sources ?? [])
        allow.push([`${m.replace(" saddr ", " daddr ")} accept`, { origin: origin(z, fwd) }]);
    }
    subChains(chain, { pre: [], log: [], deny: [], allow, post: [] });
  }
  for (const [, p] of fwdPolicies) policyChain(`filter_FWD_policy_${p.name}`, p);
  // Destination NAT (forward-ports), in firewalld's nat layout: in PREROUTING the zone dispatch as
  // the filter's, each zone's chain between the policies' pre and post dispatch; in OUTPUT the
  // policies from HOST. Written only when some forward-port is applied (without one, firewalld's
  // nat chains are empty).
  /** The policies' dispatch chains of a nat base chain, by priority (then name), and their chains. */
  const natPolicyChains = (
    base: "PREROUTING" | "POSTROUTING" | "OUTPUT",
    prefix: "PRE" | "POST" | "OUT",
    list: NatDispatch[],
  ): void => {
    list.sort((a, b) => a[0] - b[0]);
    for (const half of ["pre", "post"] as const) {
      emit(`${T}chain nat_${base}_POLICIES_${half} {`);
      for (const [prio, p, conds] of list)
        if (prio < 0 === (half === "pre"))
          for (const [c, s] of conds)
            emit(`${T}${T}${c ? `${c} ` : ""}jump nat_${prefix}_policy_${p.name}`, s);
      emit(`${T}}`);
    }
    for (const [, p, , nat] of list) {
      const chain = `nat_${prefix}_policy_${p.name}`;
      policyChainOpen(chain);
      emit(`${T}}`);
      subChains(chain, nat);
    }
  };
  /** A zone-dispatched nat base chain (PREROUTING, POSTROUTING): when some zone or policy has rules. */
  const natZoneChains = (
    base: "PREROUTING" | "POSTROUTING",
    prefix: "PRE" | "POST",
    hook: string,
    policies: NatDispatch[],
    zones: Map<Obj, Nat>,
  ): void => {
    if (policies.length === 0 && ![...zones.values()].some((n) => n.all.length > 0)) return;
    emit(`${T}chain nat_${base} {`);
    emit(`${T}${T}type nat hook ${hook}; policy accept;`);
    emit(`${T}${T}jump nat_${base}_ZONES`);
    emit(`${T}}`);
    natPolicyChains(base, prefix, policies);
    zoneDispatch(`nat_${base}_ZONES`, `nat_${prefix}_`, base === "POSTROUTING");
    for (const z of active) {
      const chain = `nat_${prefix}_${z.name}`;
      zoneChainOpen(chain, `nat_${base}`);
      emit(`${T}}`);
      subChains(chain, zones.get(z) ?? noNat());
    }
  };
  natZoneChains("PREROUTING", "PRE", "prerouting priority dstnat + 10", natPolicies, zoneNat);
  natZoneChains("POSTROUTING", "POST", "postrouting priority srcnat + 10", natPostPolicies, zoneMasq);
  if (natOutPolicies.length > 0) {
    emit(`${T}chain nat_OUTPUT {`);
    emit(`${T}${T}type nat hook output priority -90; policy accept;`);
    emit(`${T}${T}jump nat_OUTPUT_POLICIES_pre`);
    emit(`${T}${T}jump nat_OUTPUT_POLICIES_post`);
    emit(`${T}}`);
    natPolicyChains("OUTPUT", "OUT", natOutPolicies);
  }
  emit("}");

  return { lines, sources, diagnostics, shipped };
}

/**
 * firewalld's port coalescing (io/policy.py with functions.py `coalescePortRange`): a range wholly
 * inside one already listed for its protocol is dropped; otherwise the ranges it covers or overlaps
 * are removed and the merged range is appended (credited to this element).
 */
function coalesce(
  ranges: Array<{ proto: string; lo: number; hi: number; el: XmlElement; kind: string }>,
  el: XmlElement,
  [proto, port]: [string, string],
): void {
  const [a, b] = port.split("-").map(Number) as [number, number | undefined];
  let lo = a;
  let hi = b ?? a;
  const same = ranges.filter((r) => r.proto === proto && r.kind === el.name);
  if (same.some((r) => r.lo <= lo && hi <= r.hi)) return;
  for (const r of [...same].sort((x, y) => x.lo - y.lo)) {
    const covers = lo <= r.lo && hi >= r.hi;
    const start = lo <= r.lo && hi < r.hi && hi >= r.lo;
    const end = lo > r.lo && hi >= r.hi && lo <= r.hi;
    if (!(covers || start || end)) continue;
    ranges.splice(ranges.indexOf(r), 1);
    if (start) hi = r.hi;
    if (end) lo = r.lo;
  }
  ranges.push({ proto, lo, hi, el, kind: el.name });
}

/** Names of objects (from their files' names): they become parts of chain and set names. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const IFACE = /^[A-Za-z0-9_.:@-]{1,15}\+?$/;
const MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/i;
/** An address or network in the characters addresses have (parseAddress then decides). */
const ADDRESS = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)(?:\/\d{1,3})?$/;

function emptyRuleset(source: string): Ruleset {
  return { format: "firewalld", source, semantics: "first-match", stateful: false, tables: [] };
}

function readConf(
  file: string,
  text: string,
  conf: Map<string, { value: string; origin: Origin }>,
  warning: (code: string, file: string, el: { line: number; col: number }, message: string) => void,
): void {
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const l = raw.trim();
    if (l === "" || l.startsWith("#") || l.startsWith(";")) return;
    const eq = l.indexOf("=");
    // io/firewalld_conf.py: a line is split at every `=`; anything but two parts is an invalid
    // option definition, logged and skipped.
    if (eq <= 0 || l.indexOf("=", eq + 1) >= 0)
      return warning("firewalld-conf", file, { line: i + 1, col: 1 }, `"${l}" is not KEY=value: ignored`);
    const key = l.slice(0, eq).trim();
    if (!CONF_KEYS.has(key)) {
      const later = LATER_KEYS[key];
      return warning(
        "firewalld-conf",
        file,
        { line: i + 1, col: 1 },
        later
          ? `${key} is a setting of firewalld ${later}: firewalld ${FIREWALLD_VERSION}, whose rules this reading writes, logs "Invalid option" and ignores it${key === "StrictForwardPorts" ? " — with yes, a later firewalld no longer accepts connections other tools (Docker) destination-NATed, which this reading accepts (ct status dnat)" : ""}`
          : `${key} is not a firewalld ${FIREWALLD_VERSION} setting: firewalld logs "Invalid option" and ignores it`,
      );
    }
    conf.set(key, {
      value: l
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, "$1"),
      origin: { file, line: i + 1, col: raw.length - raw.trimStart().length + 1, text: l },
    });
  });
}

/** firewalld.conf's keys at 1.3.3 (io/firewalld_conf.py `valid_keys`). */
const CONF_KEYS = new Set([
  "DefaultZone",
  "MinimalMark",
  "CleanupOnExit",
  "CleanupModulesOnExit",
  "Lockdown",
  "IPv6_rpfilter",
  "IndividualCalls",
  "LogDenied",
  "AutomaticHelpers",
  "FirewallBackend",
  "FlushAllOnReload",
  "RFC3964_IPv4",
  "AllowZoneDrifting",
]);

/** Keys later firewalld releases added (their firewalld.conf(5)), with the release that reads them. */
const LATER_KEYS: Record<string, string> = lookupTable({
  NftablesFlowtable: "2.0 or later",
  NftablesCounters: "2.0 or later",
  ReloadPolicy: "2.1 or later",
  NftablesTableOwner: "2.2 or later",
  StrictForwardPorts: "2.3 or later",
});

/** firewalld's reject types (nftables.py `_reject_types_fragment`) as nft statements. */
const REJECT_TYPES: Record<string, string> = {
  "icmp-host-prohibited": "reject with icmp host-prohibited",
  "host-prohib": "reject with icmp host-prohibited",
  "icmp-net-prohibited": "reject with icmp net-prohibited",
  "net-prohib": "reject with icmp net-prohibited",
  "icmp-admin-prohibited": "reject with icmp admin-prohibited",
  "admin-prohib": "reject with icmp admin-prohibited",
  "icmp6-adm-prohibited": "reject with icmpv6 admin-prohibited",
  "adm-prohibited": "reject with icmpv6 admin-prohibited",
  "icmp-net-unreachable": "reject with icmp net-unreachable",
  "net-unreach": "reject with icmp net-unreachable",
  "icmp-host-unreachable": "reject with icmp host-unreachable",
  "host-unreach": "reject with icmp host-unreachable",
  "icmp-port-unreachable": "reject with icmp port-unreachable",
  "icmp6-port-unreachable": "reject with icmpv6 port-unreachable",
  "port-unreach": "reject with icmpx port-unreachable",
  "icmp-proto-unreachable": "reject with icmp prot-unreachable",
  "proto-unreach": "reject with icmp prot-unreachable",
  "icmp6-addr-unreachable": "reject with icmpv6 addr-unreachable",
  "addr-unreach": "reject with icmpv6 addr-unreachable",
  "icmp6-no-route": "reject with icmpv6 no-route",
  "no-route": "reject with icmpv6 no-route",
  "tcp-reset": "reject with tcp reset",
  "tcp-rst": "reject with tcp reset",
};

/** The reject types firewalld accepts in a rule of each family (base.py REJECT_TYPES). */
const REJECT_TYPES_OF: Record<"ipv4" | "ipv6", string[]> = {
  ipv4: [
    "icmp-host-prohibited",
    "host-prohib",
    "icmp-net-unreachable",
    "net-unreach",
    "icmp-host-unreachable",
    "host-unreach",
    "icmp-port-unreachable",
    "port-unreach",
    "icmp-proto-unreachable",
    "proto-unreach",
    "icmp-net-prohibited",
    "net-prohib",
    "tcp-reset",
    "tcp-rst",
    "icmp-admin-prohibited",
    "admin-prohib",
  ],
  ipv6: [
    "icmp6-adm-prohibited",
    "adm-prohibited",
    "icmp6-no-route",
    "no-route",
    "icmp6-addr-unreachable",
    "addr-unreach",
    "icmp6-port-unreachable",
    "port-unreach",
    "tcp-reset",
  ],
};

const icmp = (proto: "icmp" | "icmpv6", type: string, code?: number): string =>
  `${proto} type ${type}${code === undefined ? "" : ` ${proto} code ${code}`}`;

/** firewalld's ICMP type names (nftables.py `ICMP_TYPES_FRAGMENTS`) as nft matches. */
const ICMP_TYPES: Record<"ipv4" | "ipv6", Record<string, string>> = {
  ipv4: {
    "communication-prohibited": icmp("icmp", "destination-unreachable", 13),
    "destination-unreachable": icmp("icmp", "destination-unreachable"),
    "echo-reply": icmp("icmp", "echo-reply"),
    "echo-request": icmp("icmp", "echo-request"),
    "fragmentation-needed": icmp("icmp", "destination-unreachable", 4),
    "host-precedence-violation": icmp("icmp", "destination-unreachable", 14),
    "host-prohibited": icmp("icmp", "destination-unreachable", 10),
    "host-redirect": icmp("icmp", "redirect", 1),
    "host-unknown": icmp("icmp", "destination-unreachable", 7),
    "host-unreachable": icmp("icmp", "destination-unreachable", 1),
    "ip-header-bad": icmp("icmp", "parameter-problem", 1),
    "network-prohibited": icmp("icmp", "destination-unreachable", 8),
    "network-redirect": icmp("icmp", "redirect", 0),
    "network-unknown": icmp("icmp", "destination-unreachable", 6),
    "network-unreachable": icmp("icmp", "destination-unreachable", 0),
    "parameter-problem": icmp("icmp", "parameter-problem"),
    "port-unreachable": icmp("icmp", "destination-unreachable", 3),
    "precedence-cutoff": icmp("icmp", "destination-unreachable", 15),
    "protocol-unreachable": icmp("icmp", "destination-unreachable", 2),
    redirect: icmp("icmp", "redirect"),
    "required-option-missing": icmp("icmp", "parameter-problem", 1),
    "router-advertisement": icmp("icmp", "router-advertisement"),
    "router-solicitation": icmp("icmp", "router-solicitation"),
    "source-quench": icmp("icmp", "source-quench"),
    "source-route-failed": icmp("icmp", "destination-unreachable", 5),
    "time-exceeded": icmp("icmp", "time-exceeded"),
    "timestamp-reply": icmp("icmp", "timestamp-reply"),
    "timestamp-request": icmp("icmp", "timestamp-request"),
    "tos-host-redirect": icmp("icmp", "redirect", 3),
    "tos-host-unreachable": icmp("icmp", "destination-unreachable", 12),
    "tos-network-redirect": icmp("icmp", "redirect", 2),
    "tos-network-unreachable": icmp("icmp", "destination-unreachable", 11),
    "ttl-zero-during-reassembly": icmp("icmp", "time-exceeded", 1),
    "ttl-zero-during-transit": icmp("icmp", "time-exceeded", 0),
  },
  ipv6: {
    "address-unreachable": icmp("icmpv6", "destination-unreachable", 3),
    "bad-header": icmp("icmpv6", "parameter-problem", 0),
    "beyond-scope": icmp("icmpv6", "destination-unreachable", 2),
    "communication-prohibited": icmp("icmpv6", "destination-unreachable", 1),
    "destination-unreachable": icmp("icmpv6", "destination-unreachable"),
    "echo-reply": icmp("icmpv6", "echo-reply"),
    "echo-request": icmp("icmpv6", "echo-request"),
    "failed-policy": icmp("icmpv6", "destination-unreachable", 5),
    "neighbour-advertisement": icmp("icmpv6", "nd-neighbor-advert"),
    "neighbour-solicitation": icmp("icmpv6", "nd-neighbor-solicit"),
    "no-route": icmp("icmpv6", "destination-unreachable", 0),
    "packet-too-big": icmp("icmpv6", "packet-too-big"),
    "parameter-problem": icmp("icmpv6", "parameter-problem"),
    "port-unreachable": icmp("icmpv6", "destination-unreachable", 4),
    redirect: icmp("icmpv6", "nd-redirect"),
    "reject-route": icmp("icmpv6", "destination-unreachable", 6),
    "router-advertisement": icmp("icmpv6", "nd-router-advert"),
    "router-solicitation": icmp("icmpv6", "nd-router-solicit"),
    "time-exceeded": icmp("icmpv6", "time-exceeded"),
    "ttl-zero-during-reassembly": icmp("icmpv6", "time-exceeded", 1),
    "ttl-zero-during-transit": icmp("icmpv6", "time-exceeded", 0),
  },
};
