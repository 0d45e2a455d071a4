/** The real files the fuzz suite mutates: one per ruleset format (the shipped legacy examples). */
import type { ReaderName } from "../../src/parse/index.js";

export const RULESET_SEEDS: ReadonlyArray<readonly [ReaderName, string]> = [
  ["nftables-text", "examples/legacy/edge-nftables.nft"],
  ["nftables-json", "test/fixtures/edge-nftables.json"],
  ["iptables-save", "examples/legacy/edge-iptables.rules"],
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
];
