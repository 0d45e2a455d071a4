/**
 * The readers' names (`--ruleset-format`), in the order help lists them, with nothing loaded:
 * `audit --help` names them without loading the readers (src/parse/index.ts: READERS).
 */
export const READER_NAMES = [
  "nftables-text",
  "nftables-json",
  "iptables-save",
  "ip6tables-save",
  "iptables-script",
  "windows-firewall",
  "windows-netsh",
  "windows-script",
  "windows-registry",
  "aws-security-groups",
  "azure-nsg",
  "cisco-asa",
  "junos",
  "panos",
  "fortios",
  "pf",
  "firewalld",
  "ufw",
] as const;

export type ReaderName = (typeof READER_NAMES)[number];
