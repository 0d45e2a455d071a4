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
import { ALL_ADDRESSES } from "../space/address.js";
import { IntervalSet } from "../space/interval-set.js";
import { ALL_PORTS } from "../space/port.js";
import { Space } from "../space/space.js";
import { parseYaml } from "../model/yaml-source.js";
import { baseChain, deviceRule, origin, statefulPass } from "./device.js";
import type { ParsedRuleset } from "./reader.js";
import { parseNetsh } from "./windows-netsh.js";
import { parseWindowsRegistry } from "./windows-registry.js";
import { parseWindowsScript } from "./windows-script.js";
import { parseWindowsFirewall, type WinFirewall, type WinProfile, type WinRule } from "./windows-firewall.js";

const TABLE = "windows-firewall";

/** The ruleset of a Windows Firewall read as `format`: empty when nothing could be read. */
function windowsRuleset(format: string, file: string, fw: WinFirewall | undefined): Ruleset {
  const tables = fw ? [{ family: "inet" as const, name: TABLE, chains: windowsChains(fw, file) }] : [];
  return { format, source: file, semantics: "block-wins", stateful: true, tables };
}

/** A text reader's result: the ruleset only when it read without an error. */
function fromText(
  format: string,
  file: string,
  parsed: { firewall?: WinFirewall; diagnostics: ParsedRuleset["diagnostics"] },
): ParsedRuleset {
  const ok = !parsed.diagnostics.some((d) => d.severity === "error");
  return {
    ruleset: windowsRuleset(format, file, ok ? parsed.firewall : undefined),
    diagnostics: parsed.diagnostics,
  };
}

/** netsh's listing (format `windows-netsh`): the same model and conversion as the JSON export. */
export function readWindowsNetsh(text: string, file: string): ParsedRuleset {
  return fromText("windows-netsh", file, parseNetsh(text, file));
}

/** A registry export of the firewall policy (format `windows-registry`). */
export function readWindowsRegistry(text: string, file: string): ParsedRuleset {
  return fromText("windows-registry", file, parseWindowsRegistry(text, file));
}

/** A PowerShell or batch script of firewall commands (format `windows-script`). */
export function readWindowsScript(text: string, file: string): ParsedRuleset {
  return fromText("windows-script", file, parseWindowsScript(text, file));
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

/** Where one profile's settings hold: the packets whose local address is in `local`. */
interface Place {
  profile: WinProfile;
  local: IntervalSet;
  label: string;
  line: number;
}

/**
 * Where each profile applies: the active profile everywhere, or, with the interfaces listed, each
 * interface's category on its own addresses and the active profile on every other address. The
 * last place is the fallback, whose defaults are the chain's policy.
 */
function places(fw: WinFirewall): Place[] {
  const p = fw.active;
  const named = p.name === undefined ? "active profile (not in the input)" : `profile ${p.name}`;
  if (!fw.connections) return [{ profile: p, local: ALL_ADDRESSES, label: named, line: p.line }];
  const listed = fw.connections.reduce((u, c) => u.union(c.addresses), IntervalSet.EMPTY);
  return [
    ...fw.connections.map((c) => ({
      profile: c.profile,
      local: c.addresses,
      label: `profile ${c.profile.name} (interface "${c.alias}")`,
      line: c.line,
    })),
    {
      profile: p,
      local: ALL_ADDRESSES.subtract(listed),
      label: `${named} (addresses on no listed interface)`,
      line: p.line,
    },
  ];
}

/**
 * The chains: block-wins as first match. In order: the stateful pass, everything of a place whose
 * profile has the firewall off, allow rules that override blocks (authenticated bypass), block
 * rules, allow rules (inbound ones only where the profile lets them apply), each held to the
 * places of its profiles; then each place's default action — the fallback's as the chain's policy.
 * A default the input does not say is Windows' own, as an implicit rule whose action is an
 * approximation (it may be otherwise).
 */
export function windowsChains(fw: WinFirewall, file: string): Ruleset["tables"][number]["chains"] {
  const all = places(fw);
  const fallback = all[all.length - 1]!;
  return (["in", "out"] as const).map((dir) => {
    const name = dir === "in" ? "inbound" : "outbound";
    const hook = dir === "in" ? "input" : "output";
    const localDim = dir === "in" ? "dst" : "src";
    const at = (pl: Place, text: string): ReturnType<typeof origin> => origin(file, pl.line, text);
    const implicit = (pl: Place, match: Space, action: "accept" | "drop", text: string, why: string): Rule =>
      deviceRule(
        TABLE,
        name,
        0,
        match,
        { kind: action },
        { ...at(pl, text), text: `(implicit) ${text}` },
        why,
      );
    const onLocal = (local: IntervalSet): Space => Space.box(makeBox({ [localDim]: local }));
    const rules: Rule[] = [statefulPass(TABLE, name, "Windows Firewall", at(fallback, fallback.label))];
    for (const pl of all)
      if (!pl.profile.enabled && !pl.local.isEmpty()) {
        const why = `the ${pl.label} has the firewall off: Windows filters nothing`;
        rules.push(implicit(pl, onLocal(pl.local), "accept", why, why));
      }
    /** The local addresses where a rule applies (its profiles' places that filter). */
    const where = (r: WinRule): IntervalSet =>
      all
        .filter(
          (pl) =>
            pl.profile.enabled &&
            (r.profiles === undefined ||
              (pl.profile.name !== undefined && r.profiles.includes(pl.profile.name))) &&
            (dir === "out" || r.action === "block" || pl.profile.inboundRules),
        )
        .reduce((u, pl) => u.union(pl.local), IntervalSet.EMPTY);
    const mine = fw.rules.filter((r) => r.direction === dir);
    const ordered = [
      ...mine.filter((r) => r.bypass),
      ...mine.filter((r) => r.action === "block"),
      ...mine.filter((r) => r.action === "allow" && !r.bypass),
    ];
    for (const r of ordered) {
      const bound = boundToInterfaces(r, fw, fallback.local);
      const local = bound ? where(r).intersect(bound.local) : where(r);
      if (!local.isEmpty()) rules.push(toRule(bound?.rule ?? r, name, rules.length, file, local, localDim));
    }
    const defaultOf = (pl: Place): "allow" | "block" =>
      dir === "in" ? pl.profile.defaultInbound : pl.profile.defaultOutbound;
    /** Whether this direction's default is assumed (not said by the input). */
    const assumedHere = (pl: Place): boolean =>
      pl.profile.assumed !== undefined && (pl.profile.assumedDirections?.includes(dir) ?? true);
    const defaultText = (pl: Place): string =>
      `${pl.label}: Default${dir === "in" ? "Inbound" : "Outbound"}Action ${defaultOf(pl) === "allow" ? "Allow" : "Block"}${assumedHere(pl) ? " (assumed)" : ""}`;
    for (const pl of all) {
      if (!pl.profile.enabled || pl.local.isEmpty()) continue;
      if (pl !== fallback || assumedHere(pl)) {
        const text = defaultText(pl);
        const why = `the ${pl.label}'s default ${dir === "in" ? "inbound" : "outbound"} action${assumedHere(pl) ? ", assumed" : ""}`;
        const rule = implicit(
          pl,
          onLocal(pl.local),
          defaultOf(pl) === "allow" ? "accept" : "drop",
          text,
          why,
        );
        // An assumed default is Windows' own: its action may be otherwise.
        if (assumedHere(pl))
          rule.approximations = [
            {
              construct: "default action",
              reason: pl.profile.assumed!,
              origin: at(pl, text),
              affects: "action",
            },
          ];
        rules.push(rule);
      }
    }
    const policy = !fallback.profile.enabled || defaultOf(fallback) === "allow" ? "accept" : "drop";
    return baseChain(name, hook, policy, at(fallback, defaultText(fallback)), rules);
  });
}

/** A Windows interface GUID (`{…}`), as the registry keeps InterfaceAlias: no alias to match. */
const GUID = /^\{[0-9a-f-]{36}\}$/i;

/**
 * A rule limited to some interfaces (InterfaceAlias), where the export lists its connections:
 * Windows is a strong host, so a packet goes through the interface holding its local address —
 * the rule applies, exactly, on the addresses of the listed connections it names and on none of
 * the others' (aliases compared without case, as Windows does). Addresses on no listed interface
 * stay an approximation: which interface holds them the export does not say. Undefined when the
 * rule names no interface, the export lists no connections, or the rule names interfaces by GUID.
 */
function boundToInterfaces(
  r: WinRule,
  fw: WinFirewall,
  unlisted: IntervalSet,
): { rule: WinRule; local: IntervalSet } | undefined {
  if (!r.interfaces || !fw.connections || r.interfaces.some((a) => GUID.test(a))) return undefined;
  const names = new Set(r.interfaces.map((a) => a.toLowerCase()));
  const on = fw.connections
    .filter((c) => names.has(c.alias.toLowerCase()))
    .reduce((u, c) => u.union(c.addresses), IntervalSet.EMPTY);
  const approximations = r.approximations.flatMap((a) =>
    !a.interfaceAlias
      ? [a]
      : unlisted.isEmpty()
        ? []
        : [
            {
              ...a,
              reason: `limited to some interfaces: exact on the listed connections' addresses (${r.interfaces!.join(", ")} ${names.size === 1 ? "is" : "are"} ${on.isEmpty() ? "none of them" : "matched by alias"}); on addresses of no listed interface analysed as matching every connection`,
              whereLocal: unlisted,
            },
          ],
  );
  return { rule: { ...r, approximations }, local: on.union(unlisted) };
}

function toRule(
  r: WinRule,
  chain: string,
  index: number,
  file: string,
  local: IntervalSet,
  localDim: "src" | "dst",
): Rule {
  // Local is the destination of inbound packets and the source of outbound ones. ICMP has no
  // ports: its types and codes are on the destination port axis whichever way the packet goes.
  const inbound = r.direction === "in";
  const box = makeBox({
    proto: r.proto,
    dport: r.icmp ?? (inbound ? r.localPorts : r.remotePorts),
    sport: r.icmp ? ALL_PORTS : inbound ? r.remotePorts : r.localPorts,
    dst: inbound ? r.localAddresses.intersect(local) : r.remoteAddresses,
    src: inbound ? r.remoteAddresses : r.localAddresses.intersect(local),
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
    ...(a.whereLocal ? { where: Space.box(makeBox({ [localDim]: a.whereLocal })) } : {}),
  }));
  return rule;
}
