/** Readers by format name (the CLI's `--ruleset-format`). Windows, AWS and ASA readers go here. */
import { readIptablesSave } from "./iptables-save.js";
import { readNftablesText } from "./nftables-text.js";
import type { Reader } from "./reader.js";

export const READERS = {
  "iptables-save": readIptablesSave,
  "nftables-text": readNftablesText,
} as const satisfies Record<string, Reader>;

export type ReaderName = keyof typeof READERS;

/** Guesses the format from the text (nft JSON is not read yet: see ARCHITECTURE/report). */
export function sniffFormat(text: string): ReaderName | undefined {
  if (/^\s*(table|flush ruleset)\b/m.test(text)) return "nftables-text";
  if (/^\*(filter|nat|mangle|raw|security)\s*$/m.test(text)) return "iptables-save";
  return undefined;
}

export type { ParsedRuleset, Reader } from "./reader.js";
