/** Readers by format name (the CLI's `--ruleset-format`). Windows, AWS and ASA readers go here. */
import { readAwsSecurityGroups } from "./aws-reader.js";
import { azureSubnets, readAzureNsg } from "./azure-nsg.js";
import { asaInterfaces, readCiscoAsa } from "./asa-reader.js";
import { readFirewalld, readFirewalldFile } from "./firewalld.js";
import { readFortios } from "./fortios.js";
import { readIp6tablesSave, readIptablesSave } from "./iptables-save.js";
import { readIptablesScript } from "./iptables-script.js";
import { junosInterfaces, readJunos } from "./junos.js";
import { readNftablesJson } from "./nftables-json.js";
import { readNftablesText } from "./nftables-text.js";
import { readPanos } from "./panos.js";
import { readPf } from "./pf.js";
import { readUfw, readUfwFile } from "./ufw.js";
import type { ReaderKit } from "./formats.js";
import type { Reader } from "./reader.js";
import type { ReaderName } from "./reader-names.js";
import {
  readWindowsFirewall,
  readWindowsNetsh,
  readWindowsRegistry,
  readWindowsScript,
} from "./windows-reader.js";

export const READERS = {
  "nftables-text": readNftablesText,
  "nftables-json": readNftablesJson,
  "iptables-save": readIptablesSave,
  "ip6tables-save": readIp6tablesSave,
  "iptables-script": readIptablesScript,
  "windows-firewall": readWindowsFirewall,
  "windows-netsh": readWindowsNetsh,
  "windows-script": readWindowsScript,
  "windows-registry": readWindowsRegistry,
  "aws-security-groups": readAwsSecurityGroups,
  "azure-nsg": readAzureNsg,
  "cisco-asa": readCiscoAsa,
  junos: readJunos,
  panos: readPanos,
  fortios: readFortios,
  pf: readPf,
  firewalld: readFirewalldFile,
  ufw: readUfwFile,
} as const satisfies Record<ReaderName, Reader>;

export { FORMAT_KINDS, sniffFormat, type ReaderKit, type ReaderKits } from "./formats.js";
export type { ReaderName };

export type { ParsedRuleset, Reader } from "./reader.js";

/** Every reader, loaded (what loadReaders gives one format at a time): for callers that are not async. */
export const READER_KITS: Record<ReaderName, ReaderKit> = {
  ...(Object.fromEntries(Object.entries(READERS).map(([n, read]) => [n, { read }])) as Record<
    ReaderName,
    ReaderKit
  >),
  "azure-nsg": { read: readAzureNsg, interfaces: azureSubnets },
  "cisco-asa": { read: readCiscoAsa, interfaces: asaInterfaces },
  junos: { read: readJunos, interfaces: junosInterfaces },
  firewalld: { read: readFirewalldFile, readMany: readFirewalld },
  ufw: { read: readUfwFile, readMany: readUfw },
};
