/**
 * AWS security groups → IR (format `aws-security-groups`). Allow-union becomes first-match: the
 * allow rules of every group attached to the instance in one chain per direction (ingress on the
 * input hook, egress on output), policy drop; stateful. Rules naming other groups or prefix lists
 * are widened to any peer and marked approximate (their addresses are not in the file).
 */
import type { Rule, Ruleset } from "../ir/ruleset.js";
import { ALL_ADDRESSES } from "../space/address.js";
import { makeBox } from "../space/box.js";
import { Space } from "../space/space.js";
import { parseYaml } from "../model/yaml-source.js";
import { parseAwsSecurityGroups, type AwsRule } from "./aws-security-groups.js";
import { baseChain, deviceRule, origin, statefulPass } from "./device.js";
import type { ParsedRuleset } from "./reader.js";

const TABLE = "aws-security-groups";

export function readAwsSecurityGroups(text: string, file: string): ParsedRuleset {
  const { source, diagnostics } = parseYaml(file, text);
  const ruleset: Ruleset = {
    format: "aws-security-groups",
    source: file,
    semantics: "allow-union",
    stateful: true,
    tables: [],
  };
  if (!source) return { ruleset, diagnostics };
  const parsed = parseAwsSecurityGroups(source);
  const groupsAt = origin(file, 1, `security groups ${parsed.groups.join(", ")}`);
  const chains = (["in", "out"] as const).map((dir) => {
    const name = dir === "in" ? "ingress" : "egress";
    // Allow-union: order does not change what passes, so the rules naming addresses exactly come
    // first and the approximated ones (group references, prefix lists) after them: a packet an
    // exact rule admits never meets an approximation.
    const mine = parsed.rules.filter((r) => r.direction === dir);
    const exact = mine.filter((r) => !r.peer.isEmpty()).map((r) => ({ ...r, unresolved: [] }));
    const referring = mine.filter((r) => r.unresolved.length > 0);
    const rules: Rule[] = [
      statefulPass(TABLE, name, "A security group", groupsAt),
      ...[...exact, ...referring].map((r, i) => toRule(r, name, i + 1, file)),
    ];
    const policyAt = origin(file, 1, `(implicit) traffic no ${name} rule allows is denied`);
    return baseChain(name, dir === "in" ? "input" : "output", "drop", policyAt, rules);
  });
  return {
    ruleset: { ...ruleset, tables: [{ family: "inet", name: TABLE, chains }] },
    diagnostics: parsed.diagnostics,
  };
}

function toRule(r: AwsRule, chain: string, index: number, file: string): Rule {
  // A reference's members are addresses this file does not hold: any peer, approximated.
  const peer = r.unresolved.length > 0 ? ALL_ADDRESSES : r.peer;
  const box = makeBox({
    proto: r.proto,
    dport: r.ports,
    ...(r.direction === "in" ? { src: peer } : { dst: peer }),
  });
  const at = origin(file, r.line, r.text, 9);
  const rule = deviceRule(TABLE, chain, index, Space.box(box), { kind: "accept" }, at);
  rule.approximations = r.unresolved.map((u) => ({
    construct: u,
    reason:
      "names addresses outside this file (another security group or a prefix list); analysed as any peer",
    origin: at,
  }));
  return rule;
}
