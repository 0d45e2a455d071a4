/**
 * Windows Firewall export → IR (format `windows-firewall`). Block-wins becomes first-match by
 * order: every block rule of a direction, then every allow rule, then the active profile's
 * default action as the chain policy (parse/device.ts). Inbound rules sit on the input hook,
 * outbound on output; the device is stateful. Rule order within the block and allow groups is
 * the export's, which changes no verdict.
 */
import { diag } from "../diag/diagnostic.js";
import type { Rule, Ruleset } from "../ir/ruleset.js";
import { makeBox } from "../space/box.js";
import { ALL_PORTS } from "../space/port.js";
import { Space } from "../space/space.js";
import { parseYaml } from "../model/yaml-source.js";
import { baseChain, deviceRule, origin, statefulPass } from "./device.js";
import type { ParsedRuleset } from "./reader.js";
import { parseNetsh } from "./windows-netsh.js";
import { parseWindowsFirewall, type WinFirewall, type WinRule } from "./windows-firewall.js";

const TABLE = "windows-firewall";

/** The ruleset of a Windows Firewall read as `format`: empty when nothing could be read. */
function windowsRuleset(format: string, file: string, fw: WinFirewall | undefined): Ruleset {
  const tables = fw ? [{ family: "inet" as const, name: TABLE, chains: windowsChains(fw, file) }] : [];
  return { format, source: file, semantics: "block-wins", stateful: true, tables };
}

/** netsh's listing (format `windows-netsh`): the same model and conversion as the JSON export. */
export function readWindowsNetsh(text: string, file: string): ParsedRuleset {
  const parsed = parseNetsh(text, file);
  const ok = !parsed.diagnostics.some((d) => d.severity === "error");
  return {
    ruleset: windowsRuleset("windows-netsh", file, ok ? parsed.firewall : undefined),
    diagnostics: parsed.diagnostics,
  };
}

export function readWindowsFirewall(text: string, file: string): ParsedRuleset {
  const listed = /^[ \t]*DisplayName[ \t]*:[ \t]/m.exec(text);
  if (listed && !/^[\s\uFEFF]*[[{]/.test(text)) {
    // `Get-NetFirewallRule` as PowerShell shows it (Format-List): the rule objects alone, whose
    // ports and addresses live in filter objects the display leaves out.
    const line = text.slice(0, listed.index).split("\n").length;
    const d = diag(
      "windows-format",
      "error",
      "PowerShell's display of Get-NetFirewallRule, not an export: it holds no ports or addresses (they are in the rules' filter objects)",
      {
        at: { file, line, col: 1 },
        expected:
          "the JSON the README's export script writes (Exporting a Windows Firewall), or netsh's listing",
      },
    );
    return { ruleset: windowsRuleset("windows-firewall", file, undefined), diagnostics: [d] };
  }
  const { source, diagnostics } = parseYaml(file, text);
  if (!source) return { ruleset: windowsRuleset("windows-firewall", file, undefined), diagnostics };
  const parsed = parseWindowsFirewall(source);
  return {
    ruleset: windowsRuleset("windows-firewall", file, parsed.firewall),
    diagnostics: parsed.firewall ? parsed.diagnostics : [...diagnostics, ...parsed.diagnostics],
  };
}

/**
 * The active profile's chains: block-wins as first match. In order: the stateful pass, allow rules
 * that override blocks (authenticated bypass), block rules, allow rules (inbound ones only when the
 * profile lets them apply), then the default action — the chain's policy, or, when the input does
 * not say the profile's defaults, an implicit last rule with Windows' own default whose action is
 * an approximation (it may be otherwise). A profile with the firewall off passes everything.
 */
export function windowsChains(fw: WinFirewall, file: string): Ruleset["tables"][number]["chains"] {
  const p = fw.active;
  const profile = p.name === undefined ? "active profile (not in the input)" : `profile ${p.name}`;
  const profileAt = origin(file, p.line, profile);
  return (["in", "out"] as const).map((dir) => {
    const name = dir === "in" ? "inbound" : "outbound";
    const hook = dir === "in" ? "input" : "output";
    if (!p.enabled) {
      const why = `the ${profile} has the firewall off: Windows filters nothing`;
      const rule = deviceRule(
        TABLE,
        name,
        1,
        Space.box(makeBox({})),
        { kind: "accept" },
        {
          ...profileAt,
          text: `(implicit) ${why}`,
        },
        why,
      );
      return baseChain(name, hook, "accept", profileAt, [rule]);
    }
    const mine = fw.rules.filter((r) => r.direction === dir);
    const allowsApply = dir === "out" || p.inboundRules;
    const ordered = [
      ...(allowsApply ? mine.filter((r) => r.bypass) : []),
      ...mine.filter((r) => r.action === "block"),
      ...(allowsApply ? mine.filter((r) => r.action === "allow" && !r.bypass) : []),
    ];
    const rules: Rule[] = [
      statefulPass(TABLE, name, "Windows Firewall", profileAt),
      ...ordered.map((r, i) => toRule(r, name, i + 1, file)),
    ];
    const def = dir === "in" ? p.defaultInbound : p.defaultOutbound;
    const defText = `${profile}: Default${dir === "in" ? "Inbound" : "Outbound"}Action ${def === "allow" ? "Allow" : "Block"}`;
    const policyAt = origin(file, p.line, p.assumed ? `${defText} (assumed)` : defText);
    if (p.assumed !== undefined) {
      // The default is Windows' own, assumed: an implicit catch-all whose action may be otherwise.
      const why = `the ${profile}'s default ${dir === "in" ? "inbound" : "outbound"} action, assumed`;
      const last = deviceRule(
        TABLE,
        name,
        rules.length,
        Space.box(makeBox({})),
        def === "allow" ? { kind: "accept" } : { kind: "drop" },
        { ...policyAt, text: `(implicit) ${policyAt.text}` },
        why,
      );
      last.approximations = [
        { construct: "default action", reason: p.assumed, origin: policyAt, affects: "action" },
      ];
      rules.push(last);
    }
    return baseChain(name, hook, def === "allow" ? "accept" : "drop", policyAt, rules);
  });
}

function toRule(r: WinRule, chain: string, index: number, file: string): Rule {
  // Local is the destination of inbound packets and the source of outbound ones. ICMP has no
  // ports: its types and codes are on the destination port axis whichever way the packet goes.
  const inbound = r.direction === "in";
  const box = makeBox({
    proto: r.proto,
    dport: r.icmp ?? (inbound ? r.localPorts : r.remotePorts),
    sport: r.icmp ? ALL_PORTS : inbound ? r.remotePorts : r.localPorts,
    dst: inbound ? r.localAddresses : r.remoteAddresses,
    src: inbound ? r.remoteAddresses : r.localAddresses,
  });
  const verb = r.bypass ? "Allow (override block rules)" : r.action === "allow" ? "Allow" : "Block";
  const named =
    r.displayName !== "" && r.displayName !== r.name ? `${r.name} "${r.displayName}"` : `"${r.name}"`;
  const text = `${named}: ${inbound ? "Inbound" : "Outbound"} ${verb}`;
  const at = origin(file, r.line, text, 5);
  const rule = deviceRule(
    TABLE,
    chain,
    index,
    Space.box(box),
    r.action === "allow" ? { kind: "accept" } : { kind: "drop" },
    at,
  );
  // Every widening of a Windows rule leaves its action known: only which packets it matches.
  rule.approximations = r.approximations.map((a) => ({
    construct: a.construct,
    reason: a.reason,
    origin: { ...at, line: a.line },
    affects: "match",
  }));
  return rule;
}
