/** Readers by format name (the CLI's `--ruleset-format`). Windows, AWS and ASA readers go here. */
import { readAwsSecurityGroups } from "./aws-reader.js";
import { readAzureNsg } from "./azure-nsg.js";
import { readCiscoAsa } from "./asa-reader.js";
import { readFortios } from "./fortios.js";
import { readIp6tablesSave, readIptablesSave } from "./iptables-save.js";
import { readIptablesScript } from "./iptables-script.js";
import { readJunos } from "./junos.js";
import { readNftablesJson } from "./nftables-json.js";
import { readNftablesText } from "./nftables-text.js";
import { readPanos } from "./panos.js";
import { readPf } from "./pf.js";
import type { Reader } from "./reader.js";
import type { ReaderName } from "./reader-names.js";
import { readWindowsFirewall } from "./windows-reader.js";

export const READERS = {
  "nftables-text": readNftablesText,
  "nftables-json": readNftablesJson,
  "iptables-save": readIptablesSave,
  "ip6tables-save": readIp6tablesSave,
  "iptables-script": readIptablesScript,
  "windows-firewall": readWindowsFirewall,
  "aws-security-groups": readAwsSecurityGroups,
  "azure-nsg": readAzureNsg,
  "cisco-asa": readCiscoAsa,
  junos: readJunos,
  panos: readPanos,
  fortios: readFortios,
  pf: readPf,
} as const satisfies Record<ReaderName, Reader>;

/** Which firewall kind a format can be: the device's own (host) or between zones (perimeter). */
export const FORMAT_KINDS: Record<ReaderName, ReadonlyArray<"host" | "perimeter">> = {
  "nftables-text": ["host", "perimeter"],
  "nftables-json": ["host", "perimeter"],
  "iptables-save": ["host", "perimeter"],
  "ip6tables-save": ["host", "perimeter"],
  "iptables-script": ["host", "perimeter"],
  "windows-firewall": ["host"],
  "aws-security-groups": ["host"],
  "azure-nsg": ["host", "perimeter"],
  "cisco-asa": ["perimeter"],
  junos: ["perimeter"],
  panos: ["perimeter"],
  fortios: ["perimeter"],
  pf: ["host", "perimeter"],
};

export type { ReaderName };

/** Guesses the format from the text; undefined when nothing fits (the CLI then asks for --ruleset-format). */
export function sniffFormat(text: string): ReaderName | undefined {
  const head = text.trimStart();
  if (/^(<\?xml[^>]*>\s*)?<config[\s>]/.test(head)) return "panos";
  if (head.startsWith("{") || head.startsWith("[")) {
    if (/^\{\s*"nftables"\s*:/.test(head)) return "nftables-json";
    if (/"SecurityGroups"\s*:/.test(text)) return "aws-security-groups";
    if (/"(securityRules|defaultSecurityRules)"\s*:/.test(text)) return "azure-nsg";
    if (/"rules"\s*:/.test(text) && /"(activeProfile|profiles|Direction)"\s*:/.test(text))
      return "windows-firewall";
    return undefined;
  }
  // An ASA's running-config (or a saved copy) says so in its first lines.
  if (/^(ASA Version \S+|: Saved\b)/m.test(text.slice(0, 2000))) return "cisco-asa";
  // Junos: `show configuration | display set` lines, or the hierarchical form's top-level blocks.
  if (
    /^(set (security|applications|system|interfaces|groups) |deactivate |(security|applications) \{)/m.test(
      text,
    )
  )
    return "junos";
  // pf.conf or `pfctl -sr`: pass/block/match lines, `table <name>`, `set skip on` (before nft:
  // pf's `table <x>` would read as nft's `table`).
  if (
    /^\s*(@\d+\s+)?(pass|block|match)(\s+(in|out|quick|log|all|on|drop|return(-rst|-icmp6?)?|inet6?|proto|from|to))+\b/m.test(
      text,
    ) &&
    !/^\s*table\s+(ip|ip6|inet|arp|bridge|netdev)\s/m.test(text)
  )
    return "pf";
  if (/^\s*table\s+<[^>\s]+>/m.test(text) || /^\s*set\s+skip\s+on\s/m.test(text)) return "pf";
  if (/^\s*(table|flush ruleset)\b/m.test(text)) return "nftables-text";
  if (/^\*(filter|nat|mangle|raw|security)\s*$/m.test(text)) return "iptables-save";
  if (
    /^\s*(?:sudo\s+)?(?:\S*\/)?ip6?tables(?:-legacy|-nft)?\s+(?:-t\s+\S+\s+)?-[AINPFX]\b/m.test(text) ||
    /^\s*"?\$\{?\w+\}?"?\s+(?:-t\s+\S+\s+)?-[AINP]\s/m.test(text)
  )
    return "iptables-script";
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

export type { ParsedRuleset, Reader } from "./reader.js";
