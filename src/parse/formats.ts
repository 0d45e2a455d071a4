/**
 * What a ruleset's format says without its reader: the firewall kinds it can be (FORMAT_KINDS),
 * the format a text looks like (sniffFormat), and each reader loaded when its format is met
 * (loadReaders). `audit` of one nftables file then initialises one reader, not thirteen (issue 21:
 * start-up ≤ 0.1 s); src/parse/index.ts has them all loaded, for callers that read any format.
 */
import type { Chain } from "../ir/ruleset.js";
import { looksLikeFirewalld } from "./firewalld-sniff.js";
import type { ParsedRuleset, Reader } from "./reader.js";
import type { ReaderName } from "./reader-names.js";

/** Which firewall kind a format can be: the device's own (host) or between zones (perimeter). */
export const FORMAT_KINDS: Record<ReaderName, ReadonlyArray<"host" | "perimeter">> = {
  "nftables-text": ["host", "perimeter"],
  "nftables-json": ["host", "perimeter"],
  "iptables-save": ["host", "perimeter"],
  "ip6tables-save": ["host", "perimeter"],
  "iptables-script": ["host", "perimeter"],
  "windows-firewall": ["host"],
  "windows-netsh": ["host"],
  "windows-script": ["host"],
  "windows-registry": ["host"],
  "aws-security-groups": ["host"],
  "azure-nsg": ["host", "perimeter"],
  "cisco-asa": ["perimeter"],
  junos: ["perimeter"],
  panos: ["perimeter"],
  fortios: ["perimeter"],
  pf: ["host", "perimeter"],
  firewalld: ["host", "perimeter"],
  ufw: ["host", "perimeter"],
};

/**
 * Guesses the format from the text; undefined when nothing fits (the CLI then asks for --ruleset-format).
 * A test whose pattern needs a word the text lacks is skipped (`has`): V8 compiles each regular
 * expression on its first use, a few hundred thousand instructions for these multi-line ones on a
 * whole file (issue 21: start-up ≤ 0.1 s). Only patterns that cannot match are skipped.
 */
export function sniffFormat(text: string): ReaderName | undefined {
  const has = (...words: string[]): boolean => words.some((w) => text.includes(w));
  if (text.startsWith("regf") || text.startsWith("PReg")) return "windows-registry";
  const head = text.trimStart();
  if (head.startsWith("<") && /^(<\?xml[^>]*>\s*)?<config[\s>]/.test(head)) return "panos";
  // firewalld's XML objects (zones, services, …) and its firewalld.conf.
  if (
    (head.startsWith("<") || has("DefaultZone=", "FirewallBackend=", "IPv6_rpfilter=")) &&
    looksLikeFirewalld(text)
  )
    return "firewalld";
  // ufw's settings (/etc/default/ufw, ufw.conf): nothing but comments and the assignments ufw-init reads.
  if (has("_POLICY=", "ENABLED=") && looksLikeUfwSettings(text)) return "ufw";
  if (head.startsWith("{") || head.startsWith("[")) {
    if (/^\{\s*"nftables"\s*:/.test(head)) return "nftables-json";
    if (/"SecurityGroups"\s*:/.test(text)) return "aws-security-groups";
    if (/"(securityRules|defaultSecurityRules)"\s*:/.test(text)) return "azure-nsg";
    if (/"rules"\s*:/.test(text) && /"(activeProfile|profiles|Direction)"\s*:/.test(text))
      return "windows-firewall";
    // Get-NetFirewallRule's objects as ConvertTo-Json writes them (its reader says what they lack).
    if (head.startsWith("[") && /"DisplayName"\s*:/.test(text) && /"Direction"\s*:/.test(text))
      return "windows-firewall";
    // Not JSON of a known kind: a text format may still follow a first line that begins with a
    // bracket (a shell prompt `[root@host ~]# iptables-save` pasted above the output).
    if (!head.startsWith("[") || /^\[\s*[{\]]/.test(head)) return undefined;
  }
  // A registry export of Windows Firewall's policy (regedit, `reg export`).
  if (
    (head.startsWith("Windows Registry Editor") || head.startsWith("REGEDIT4")) &&
    /FirewallRules|FirewallPolicy|WindowsFirewall/i.test(text)
  )
    return "windows-registry";
  // A Windows Firewall script: PowerShell's rule cmdlets, or `netsh advfirewall` commands.
  if (
    (has("NetFirewall") || has("netsh") || has("NETSH")) &&
    (/^\s*(?:[&.]\s*)?(New|Set|Enable|Disable|Remove)-NetFirewall(Rule|Profile)\b/im.test(text) ||
      /^\s*@?(?:[A-Za-z]:\\\S*\\)?netsh(?:\.exe)?\s+advfirewall\s+(firewall\s+(add|set|delete)\s+rule|set|reset)\b/im.test(
        text,
      ))
  )
    return "windows-script";
  // netsh's rule listing (`Rule Name:` blocks) or profile settings.
  if (
    (has("Rule Name:") && /^\s*Rule Name:\s/m.test(text) && /^\s*Direction:\s/m.test(text)) ||
    (has("Profile Settings:") && /^\s*(Domain|Private|Public) Profile Settings:\s*$/m.test(text))
  )
    return "windows-netsh";
  // PowerShell's display of Get-NetFirewallRule (its reader says why that is not an export).
  if (has("DisplayName") && /^\s*DisplayName\s*:\s/m.test(text) && /^\s*Direction\s*:\s/m.test(text))
    return "windows-firewall";
  // netsh in another display language: the same 70-dash rule separator under padded `key: value`
  // lines (its reader refuses it, saying so, rather than "unknown format").
  if (has("-".repeat(70)) && /^-{70}\s*$/m.test(text) && /^[^\s:-][^:\n]{0,40}:\s{3,}\S/m.test(text))
    return "windows-netsh";
  // An ASA's running-config (or a saved copy) says so in its first lines.
  const first = text.slice(0, 2000);
  if (
    (first.includes("ASA Version ") || first.includes(": Saved")) &&
    /^(ASA Version \S+|: Saved\b)/m.test(first)
  )
    return "cisco-asa";
  // Junos: `show configuration | display set` lines, or the hierarchical form's top-level blocks.
  if (
    has(
      "set security ",
      "set applications ",
      "set system ",
      "set interfaces ",
      "set groups ",
      "deactivate ",
      "security {",
      "applications {",
    ) &&
    /^(set (security|applications|system|interfaces|groups) |deactivate |(security|applications) \{)/m.test(
      text,
    )
  )
    return "junos";
  // pf.conf or `pfctl -sr`: pass/block/match lines, `table <name>`, `set skip on` (before nft:
  // pf's `table <x>` would read as nft's `table`).
  if (
    has("pass", "block", "match") &&
    /^\s*(@\d+\s+)?(pass|block|match)(\s+(in|out|quick|log|all|on|drop|return(-rst|-icmp6?)?|inet6?|proto|from|to))+\b/m.test(
      text,
    ) &&
    !/^\s*table\s+(ip|ip6|inet|arp|bridge|netdev)\s/m.test(text)
  )
    return "pf";
  if (
    (has("<") && /^\s*table\s+<[^>\s]+>/m.test(text)) ||
    (has("skip") && /^\s*set\s+skip\s+on\s/m.test(text))
  )
    return "pf";
  if (/^\s*(table|flush ruleset)\b/m.test(text)) return "nftables-text";
  if (/^\*(filter|nat|mangle|raw|security)\s*$/m.test(text)) return "iptables-save";
  if (
    /^\s*(?:sudo\s+)?(?:\S*\/)?ip6?tables(?:-legacy|-nft)?\s+(?:-t\s+\S+\s+)?-[AINPFX]\b/m.test(text) ||
    /^\s*"?\$\{?\w+\}?"?\s+(?:-t\s+\S+\s+)?-[AINP]\s/m.test(text)
  )
    return "iptables-script";
  // `iptables -S` (`--list-rules`): a table's policies, chains and rules without its name (the
  // iptables-save reader tells the table from the built-in chains).
  if (has("-P ") && /^-P (INPUT|FORWARD|OUTPUT|PREROUTING|POSTROUTING) (ACCEPT|DROP)\s*$/m.test(text))
    return "iptables-save";
  // `iptables -L -v` (with its interfaces and counters; without -v it is not read: not-a-ruleset.ts).
  if (
    has("Chain ") &&
    /^Chain \S+ \(policy (ACCEPT|DROP) \d+[KMGT]? packets/m.test(text) &&
    /^\s*(num\s+)?pkts\s+bytes\s+target\s+prot\s+opt\s+in\s+out\s+source\s+destination\s*$/m.test(text)
  )
    return "iptables-save";
  if (/^#config-version=|^config (firewall policy|system interface)\s*$/m.test(text)) return "fortios";
  if (/^\s*(access-list \S+ (extended|remark)|access-group \S+|nameif \S+)/m.test(text)) return "cisco-asa";
  if (/^config (firewall|system|router|vpn|user|log) \S/m.test(text) && /^\s*(edit|set) \S/m.test(text))
    return "fortios";
  if (
    /^\s*(set|delete) (config (devices \S+ )?)?(vsys \S+ )?(rulebase|zone|deviceconfig|address|address-group|service|service-group|network|shared|mgt-config) /m.test(
      text,
    ) ||
    /^\s*(config|deviceconfig|policy) \{\s*$/m.test(text)
  )
    return "panos";
  return undefined;
}

/** /etc/default/ufw or ufw.conf: a policy or ENABLED set, and every other line a comment or KEY=value. */
function looksLikeUfwSettings(text: string): boolean {
  if (!/^\s*(DEFAULT_(INPUT|OUTPUT|FORWARD)_POLICY|ENABLED)=/m.test(text)) return false;
  return text.split("\n").every((l) => /^\s*(#.*)?\r?$|^\s*[A-Za-z_][A-Za-z0-9_]*=/.test(l));
}

/**
 * A reader and, for the formats whose zones are interfaces of the file (ASA, Junos, Azure), what
 * names those interfaces in the rules it read.
 */
export interface ReaderKit {
  read: Reader;
  /** Readers of one configuration in several files (firewalld's directory): all of them at once. */
  readMany?: (files: ReadonlyArray<{ file: string; text: string }>) => ParsedRuleset;
  interfaces?: (chains: readonly Chain[]) => string[];
}

export type ReaderKits = Partial<Record<ReaderName, ReaderKit>>;

const LOADERS: Record<ReaderName, () => Promise<ReaderKit>> = {
  "nftables-text": async () => ({ read: (await import("./nftables-text.js")).readNftablesText }),
  "nftables-json": async () => ({ read: (await import("./nftables-json.js")).readNftablesJson }),
  "iptables-save": async () => ({ read: (await import("./iptables-save.js")).readIptablesSave }),
  "ip6tables-save": async () => ({ read: (await import("./iptables-save.js")).readIp6tablesSave }),
  "iptables-script": async () => ({ read: (await import("./iptables-script.js")).readIptablesScript }),
  "windows-firewall": async () => ({ read: (await import("./windows-reader.js")).readWindowsFirewall }),
  "windows-netsh": async () => ({ read: (await import("./windows-reader.js")).readWindowsNetsh }),
  "windows-script": async () => ({ read: (await import("./windows-reader.js")).readWindowsScript }),
  "windows-registry": async () => ({ read: (await import("./windows-reader.js")).readWindowsRegistry }),
  "aws-security-groups": async () => ({ read: (await import("./aws-reader.js")).readAwsSecurityGroups }),
  "azure-nsg": async () => {
    const m = await import("./azure-nsg.js");
    return { read: m.readAzureNsg, interfaces: m.azureSubnets };
  },
  "cisco-asa": async () => {
    const m = await import("./asa-reader.js");
    return { read: m.readCiscoAsa, interfaces: m.asaInterfaces };
  },
  junos: async () => {
    const m = await import("./junos.js");
    return { read: m.readJunos, interfaces: m.junosInterfaces };
  },
  panos: async () => ({ read: (await import("./panos.js")).readPanos }),
  fortios: async () => ({ read: (await import("./fortios.js")).readFortios }),
  pf: async () => ({ read: (await import("./pf.js")).readPf }),
  firewalld: async () => {
    const m = await import("./firewalld.js");
    return { read: m.readFirewalldFile, readMany: m.readFirewalld };
  },
  ufw: async () => {
    const m = await import("./ufw.js");
    return { read: m.readUfwFile, readMany: m.readUfw };
  },
};

/** The readers of these formats (each once), loaded. */
export async function loadReaders(names: Iterable<ReaderName>): Promise<ReaderKits> {
  const unique = [...new Set(names)];
  const kits = await Promise.all(unique.map((n) => LOADERS[n]()));
  return Object.fromEntries(unique.map((n, i) => [n, kits[i]])) as ReaderKits;
}
