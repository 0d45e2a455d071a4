/**
 * The real files the fuzz suite mutates: at least one per ruleset format — the shipped legacy
 * examples, what `compile` writes for the formats it targets, and files of the public corpus
 * (each corpus folder's SOURCES.md) for the device formats, whose object tables hand-written
 * configurations fill in ways compile never does. Every reader is here (a test checks it): the
 * readers added after the first fuzz pass were not, and three of them crashed on an
 * Object.prototype name (junos, fortios, ufw) and one (ip6tables-save's option abbreviations)
 * on `__proto__`.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { ReaderName } from "../../src/parse/index.js";
import { ROOT } from "../cli/run-cli.js";

export const RULESET_SEEDS: ReadonlyArray<readonly [ReaderName, string]> = [
  ["nftables-text", "examples/legacy/edge-nftables.nft"],
  ["nftables-json", "test/fixtures/edge-nftables.json"],
  ["iptables-save", "examples/legacy/edge-iptables.rules"],
  // An `iptables -S` listing (no table names: its tables told from the built-in chains).
  ["iptables-save", "test/fixtures/iptables-listing/edge-iptables-S.txt"],
  // An `iptables -L -n -v --line-numbers` display (rows read back into options).
  ["iptables-save", "test/fixtures/iptables-listing/edge-iptables-L.txt"],
  ["windows-firewall", "examples/legacy/edge-windows.json"],
  ["windows-netsh", "examples/legacy/edge-netsh.txt"],
  ["windows-script", "test/compile/golden/seed-host/windows.ps1"],
  ["windows-registry", "examples/legacy/edge-registry.reg"],
  ["aws-security-groups", "examples/legacy/edge-aws.json"],
  ["cisco-asa", "examples/legacy/edge-asa.cfg"],
  ["azure-nsg", "test/compile/golden/seed-host/azure.arm.json"],
  ["azure-nsg", "test/compile/golden/seed-perimeter/azure.arm.json"],
  ["azure-nsg", "test/corpus/azure/quickstart__openshift-container-platform.json"],
  ["pf", "test/corpus/pf/freebsd__share_examples_pf_faq-example1"],
  ["ip6tables-save", "test/compile/golden/seed-host/iptables.rules.v6"],
  ["iptables-script", "test/corpus/iptables/Comp8006FirewallGroup__StandAloneFirewall__gateway.sh"],
  ["junos", "test/compile/golden/seed-perimeter/junos.junos.set"],
  ["junos", "test/corpus/junos/aerleon__sample_srx.srx"],
  ["panos", "test/compile/golden/seed-perimeter/panos.panos.set"],
  ["panos", "test/corpus/panos/batfish-destination-nat"],
  ["fortios", "test/compile/golden/seed-perimeter/fortios.fortios.conf"],
  ["fortios", "test/corpus/fortios/batfish-firewall_policy.conf"],
  ["firewalld", "test/fixtures/firewalld/rich/zones/public.xml"],
  ["ufw", "test/fixtures/ufw/custom/user.rules"],
];

/**
 * Configurations read as a whole (a directory: `readMany`), each file of which the fuzz suite
 * mutates in turn with the others as they are: firewalld's zones, policies, services, ipsets and
 * firewalld.conf; ufw's rules files and settings.
 */
export const DIRECTORY_SEEDS: ReadonlyArray<readonly ["firewalld" | "ufw", string]> = [
  ["firewalld", "test/fixtures/firewalld/rich"],
  ["firewalld", "test/fixtures/firewalld/nat"],
  ["firewalld", "test/fixtures/firewalld/perimeter"],
  ["ufw", "test/fixtures/ufw/custom"],
];

/** A configuration directory's files as its reader takes them: paths relative to it, sorted. */
export function directoryFiles(dir: string): Array<{ file: string; text: string }> {
  const root = join(ROOT, dir);
  const walk = (d: string): string[] =>
    readdirSync(d)
      .sort()
      .flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
  return walk(root).map((p) => ({ file: relative(root, p), text: readFileSync(p, "utf8") }));
}
