/**
 * Cisco ASA running-config → IR (format `cisco-asa`). Transit traffic as the ASA decides it
 * (Cisco ASA configuration guide, "Access Control Lists" and "Interface security levels"):
 *  - stateful: packets of permitted connections pass (implicit rule first);
 *  - a packet entering interface I is checked by I's inbound access-list, then the global one;
 *    without either, only traffic to interfaces of a lower security level passes (equal levels
 *    with `same-security-traffic permit inter-interface`); an access-list ends in an implicit deny;
 *  - a permitted packet leaving by interface J is then checked by J's outbound access-list.
 * In first-match IR: forward: [stateful pass, iif I oif (other named) goto in_I …] policy drop;
 * in_I: the ACEs (permit → accept, or goto egress when any outbound access-list exists; deny →
 * drop), implicit drop; egress: [oif J goto out_J …] accept; out_J: the ACEs (permit → accept,
 * deny → drop), implicit drop. Packets only enter and leave by named interfaces, and not by the
 * one they came in on (no `same-security-traffic permit intra-interface` modelled).
 */
import type { Action, Chain, Rule } from "../ir/ruleset.js";
import { makeBox } from "../space/box.js";
import { IntervalSet } from "../space/interval-set.js";
import { NameSet } from "../space/name-set.js";
import { Space } from "../space/space.js";
import { ALL_ADDRESSES } from "../space/address.js";
import { ctSet } from "../space/box.js";
import { parseCiscoAsa, type AsaAce, type AsaConfig, type AsaNat } from "./cisco-asa.js";
import { baseChain, deviceRule, origin, statefulPass, userChain } from "./device.js";
import type { ParsedRuleset } from "./reader.js";

const TABLE = "cisco-asa";

export function readCiscoAsa(text: string, file: string): ParsedRuleset {
  const { config, diagnostics } = parseCiscoAsa(file, text);
  const chains = [...asaChains(config, file), ...natChains(config.nats, file)];
  return {
    ruleset: {
      format: "cisco-asa",
      source: file,
      semantics: "first-match",
      stateful: true,
      tables: [{ family: "inet", name: TABLE, chains }],
    },
    diagnostics,
  };
}

function asaChains(config: AsaConfig, file: string): Chain[] {
  // Interfaces the configuration defines, and those an access-group names in an excerpt (a
  // config fragment, or portmatrix's own output, has access-groups without interface blocks).
  const named = config.interfaces.filter((i) => i.name !== "");
  for (const b of config.bindings)
    if (b.iface && !named.some((i) => i.name === b.iface))
      named.push({ name: b.iface, hardware: "", securityLevel: undefined, addresses: IntervalSet.EMPTY });
  const bindingOf = (dir: "in" | "out" | "global", iface?: string) =>
    config.bindings.find((b) => b.direction === dir && (dir === "global" || b.iface === iface));
  const global = bindingOf("global");
  const top = origin(file, 1, "(implicit) transit traffic");
  const forward: Rule[] = [statefulPass(TABLE, "forward", "The ASA", top)];
  const chains: Chain[] = [];
  const hasOut = config.bindings.some((b) => b.direction === "out");
  const permit: Action = hasOut ? { kind: "goto", chain: "egress" } : { kind: "accept" };
  for (const iface of named) {
    const bind = bindingOf("in", iface.name);
    const at = origin(
      file,
      bind?.line ?? global?.line ?? 1,
      bind
        ? `access-group ${bind.acl} in interface ${iface.name}`
        : `interface ${iface.name} (security-level ${iface.securityLevel ?? 0})`,
    );
    const inChain = `in_${iface.name}`;
    const others = NameSet.of(...named.filter((o) => o.name !== iface.name).map((o) => o.name));
    forward.push(
      deviceRule(
        TABLE,
        "forward",
        0,
        Space.box(makeBox({ iif: NameSet.of(iface.name), oif: others })),
        { kind: "goto", chain: inChain },
        at,
        `packets entering ${iface.name} are checked by its inbound access control`,
      ),
    );
    const rules: Rule[] = [];
    if (bind || global) {
      for (const b of [bind, global])
        if (b) rules.push(...aceRules(config.acls.get(b.acl) ?? [], inChain, file, permit));
      rules.push(
        implicitDeny(
          inChain,
          at,
          `the implicit deny at the end of ${[bind?.acl, global?.acl].filter(Boolean).join(" and ")}`,
        ),
      );
    } else {
      const level = iface.securityLevel ?? 0;
      const lower = named.filter(
        (o) =>
          o.name !== iface.name &&
          ((o.securityLevel ?? 0) < level ||
            (config.sameSecurityPermitted && (o.securityLevel ?? 0) === level)),
      );
      const why = `no access-list on ${iface.name}: security-level ${level} lets traffic to lower-security interfaces pass`;
      if (lower.length > 0)
        rules.push(
          deviceRule(
            TABLE,
            inChain,
            0,
            Space.box(makeBox({ oif: NameSet.of(...lower.map((o) => o.name)) })),
            permit,
            { ...at, text: `(implicit) ${why}` },
            why,
          ),
        );
      rules.push(
        implicitDeny(
          inChain,
          at,
          `security-level ${level}: traffic to other interfaces is denied without an access-list`,
        ),
      );
    }
    chains.push(userChain(inChain, at, rules));
  }
  if (!hasOut) return [baseChain("forward", "forward", "drop", top, forward), ...chains];
  const egress: Rule[] = [];
  for (const iface of named) {
    const bind = bindingOf("out", iface.name);
    if (!bind) continue;
    const at = origin(file, bind.line, `access-group ${bind.acl} out interface ${iface.name}`);
    const outChain = `out_${iface.name}`;
    egress.push(
      deviceRule(
        TABLE,
        "egress",
        0,
        Space.box(makeBox({ oif: NameSet.of(iface.name) })),
        { kind: "goto", chain: outChain },
        at,
        `packets leaving by ${iface.name} are checked by its outbound access-list`,
      ),
    );
    chains.push(
      userChain(outChain, at, [
        ...aceRules(config.acls.get(bind.acl) ?? [], outChain, file, { kind: "accept" }),
        implicitDeny(outChain, at, `the implicit deny at the end of ${bind.acl}`),
      ]),
    );
  }
  egress.push(
    deviceRule(
      TABLE,
      "egress",
      0,
      Space.ANY,
      { kind: "accept" },
      { ...top, text: "(implicit) permitted packets with no outbound access-list pass" },
      "no outbound access-list",
    ),
  );
  chains.push(userChain("egress", top, egress));
  return [baseChain("forward", "forward", "drop", top, forward), ...chains];
}

function aceRules(aces: readonly AsaAce[], chain: string, file: string, permit: Action): Rule[] {
  return aces.map((ace) => {
    const match = ace.inactive
      ? Space.EMPTY
      : Space.fromBoxes(
          ace.services.map((s) =>
            makeBox({ proto: s.proto, sport: s.sport, dport: s.dport, src: ace.src, dst: ace.dst }),
          ),
        );
    const at = origin(file, ace.line, ace.text);
    const rule = deviceRule(TABLE, chain, 0, match, ace.action === "permit" ? permit : { kind: "drop" }, at);
    rule.approximations = ace.approx.map((construct) => ({
      construct,
      reason: "time-range not modelled: the entry is analysed as always active",
      origin: at,
      affects: "match" as const,
    }));
    return rule;
  });
}

function implicitDeny(chain: string, at: ReturnType<typeof origin>, why: string): Rule {
  return deviceRule(TABLE, chain, 0, Space.ANY, { kind: "drop" }, { ...at, text: `(implicit) ${why}` }, why);
}

/**
 * NAT (ASA 8.3+): access-lists see real addresses, so a packet to a static NAT's mapped address
 * arriving on the mapped interface is translated to the real one before the access-lists (DNAT
 * in prerouting); packets from the real addresses leaving by the mapped interface get the mapped
 * source (SNAT in postrouting; dynamic NAT/PAT to a pool or the interface: unknown addresses,
 * which change no verdict of a stateful device). Destination and port translation, and
 * one-directional rules, are approximations on the rule: every verdict they decide is uncertain.
 */
function natChains(nats: readonly AsaNat[], file: string): Chain[] {
  if (nats.length === 0) return [];
  const ifs = (name: string) => (name === "any" ? NameSet.ALL : NameSet.of(name));
  const NEW = ctSet(["new"]);
  const inbound: Rule[] = [];
  const outbound: Rule[] = [];
  for (const n of nats) {
    const at = origin(file, n.line, n.text);
    const approximations = n.approx.map((construct) => ({
      construct,
      reason:
        "NAT clause not modelled (destination or port translation, one direction): the translation is read without it",
      origin: at,
      affects: "action" as const,
    }));
    if (n.kind === "static" && n.mapped && !n.approx.includes("unidirectional")) {
      const r = deviceRule(
        TABLE,
        "nat_in",
        0,
        Space.box(makeBox({ iif: ifs(n.mappedIf), dst: n.mapped, ct: NEW })),
        { kind: "dnat", to: { addresses: n.real } },
        at,
      );
      r.approximations = [...approximations];
      if (n.mapped.size() !== n.real.size())
        r.approximations.push({
          construct: n.text,
          reason: "mapped and real address sets differ in size: the one-to-one mapping is not modelled",
          origin: at,
          affects: "action",
        });
      inbound.push(r);
    }
    const r = deviceRule(
      TABLE,
      "nat_out",
      0,
      Space.box(
        makeBox({
          oif: ifs(n.mappedIf),
          src: n.real.equals(ALL_ADDRESSES) ? ALL_ADDRESSES : n.real,
          ct: NEW,
        }),
      ),
      n.mapped ? { kind: "snat", to: { addresses: n.mapped } } : { kind: "masquerade" },
      at,
    );
    r.approximations = approximations;
    outbound.push(r);
  }
  const top = origin(file, 1, "(implicit) NAT");
  const chain = (name: string, hook: "prerouting" | "postrouting", rules: Rule[]): Chain => {
    const c = baseChain(name, hook, "accept", top, rules);
    return { ...c, base: { ...c.base!, type: "nat", priority: hook === "prerouting" ? -100 : 100 } };
  };
  return [chain("nat_in", "prerouting", inbound), chain("nat_out", "postrouting", outbound)];
}

/** The interfaces (nameif) a cisco-asa ruleset has: those the topology's zones may name. */
export function asaInterfaces(chains: readonly Chain[]): string[] {
  return chains.filter((c) => c.name.startsWith("in_")).map((c) => c.name.slice(3));
}
