/**
 * Windows Firewall export → IR (format `windows-firewall`). Block-wins becomes first-match by
 * order: every block rule of a direction, then every allow rule, then the active profile's
 * default action as the chain policy (parse/device.ts). Inbound rules sit on the input hook,
 * outbound on output; the device is stateful. Rule order within the block and allow groups is
 * the export's, which changes no verdict.
 */
import type { Rule, Ruleset } from "../ir/ruleset.js";
import { makeBox } from "../space/box.js";
import { Space } from "../space/space.js";
import { parseYaml } from "../model/yaml-source.js";
import { baseChain, deviceRule, origin, statefulPass } from "./device.js";
import type { ParsedRuleset } from "./reader.js";
import { parseWindowsFirewall, type WinFirewall, type WinRule } from "./windows-firewall.js";

const TABLE = "windows-firewall";

export function readWindowsFirewall(text: string, file: string): ParsedRuleset {
  const { source, diagnostics } = parseYaml(file, text);
  const empty: Ruleset = {
    format: "windows-firewall",
    source: file,
    semantics: "block-wins",
    stateful: true,
    tables: [],
  };
  if (!source) return { ruleset: empty, diagnostics };
  const parsed = parseWindowsFirewall(source);
  if (!parsed.firewall) return { ruleset: empty, diagnostics: [...diagnostics, ...parsed.diagnostics] };
  return {
    ruleset: { ...empty, tables: [{ family: "inet", name: TABLE, chains: chains(parsed.firewall, file) }] },
    diagnostics: parsed.diagnostics,
  };
}

function chains(fw: WinFirewall, file: string): Ruleset["tables"][number]["chains"] {
  const profileAt = origin(file, 1, `profile ${fw.active.name}`);
  return (["in", "out"] as const).map((dir) => {
    const name = dir === "in" ? "inbound" : "outbound";
    const mine = fw.rules.filter((r) => r.direction === dir);
    const ordered = [
      ...mine.filter((r) => r.action === "block"),
      ...mine.filter((r) => r.action === "allow"),
    ];
    const rules: Rule[] = [
      statefulPass(TABLE, name, "Windows Firewall", profileAt),
      ...ordered.map((r, i) => toRule(r, name, i + 1, file)),
    ];
    const def = dir === "in" ? fw.active.defaultInbound : fw.active.defaultOutbound;
    const policyAt = origin(
      file,
      1,
      `profile ${fw.active.name}: Default${dir === "in" ? "Inbound" : "Outbound"}Action ${def === "allow" ? "Allow" : "Block"}`,
    );
    return baseChain(
      name,
      dir === "in" ? "input" : "output",
      def === "allow" ? "accept" : "drop",
      policyAt,
      rules,
    );
  });
}

function toRule(r: WinRule, chain: string, index: number, file: string): Rule {
  // Local is the destination of inbound packets and the source of outbound ones.
  const inbound = r.direction === "in";
  const box = makeBox({
    proto: r.proto,
    dport: inbound ? r.localPorts : r.remotePorts,
    sport: inbound ? r.remotePorts : r.localPorts,
    dst: inbound ? r.localAddresses : r.remoteAddresses,
    src: inbound ? r.remoteAddresses : r.localAddresses,
  });
  const text = `${r.name} "${r.displayName}": ${inbound ? "Inbound" : "Outbound"} ${r.action === "allow" ? "Allow" : "Block"}`;
  const at = origin(file, r.line, text, 5);
  const rule = deviceRule(
    TABLE,
    chain,
    index,
    Space.box(box),
    r.action === "allow" ? { kind: "accept" } : { kind: "drop" },
    at,
  );
  rule.approximations = r.approximations.map((a) => ({
    construct: a.construct,
    reason: a.reason,
    origin: { ...at, line: a.line },
  }));
  return rule;
}
