/**
 * The PAN-OS corpus (test/corpus/panos/, sources in SOURCES.md): every file's outcome — read
 * without errors, or refused with the expected diagnostic code for the reason the file was
 * written (Batfish's test configs are partly deliberately broken: undefined references, inverted
 * ranges, Panorama device groups); the format is sniffed; and Batfish's own answers for its
 * allow-/drop- configs (the file name states the expected disposition of traffic from
 * ethernet1/1 to ethernet1/2 in Batfish's tests) agree with ours.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readPanos } from "../../src/parse/panos.js";
import { checkCorpus, corpusDir } from "./corpus.js";
import { decide } from "./zone-packets.js";

const DIR = corpusDir("panos");

/** "read" or the code of the first error, and why. */
const OUTCOMES: Record<string, string> = {
  "batfish-address-groups-nested": "read",
  "batfish-allow-explicit-cross-zone": "read",
  "batfish-allow-same-zone-no-matching-rules": "read",
  "batfish-allow-same-zone-no-rules": "read",
  "batfish-any-application": "read",
  "batfish-app-id": "read",
  "batfish-config-filesystem-format": "read",
  "batfish-destination-nat": "read",
  "batfish-destination-nat-panorama": "read",
  // Panorama's own configuration: device-group rulebases are not a firewall's.
  "batfish-device-group": "panos-unsupported",
  "batfish-drop-default-cross-zone": "read",
  "batfish-drop-same-zone-explicit": "read",
  "batfish-external-list": "read",
  "batfish-match-vsys-address-over-shared": "read",
  "batfish-nat-disable": "read",
  // SERVICE_UNDEF is referenced on purpose.
  "batfish-nat-service": "panos-reference",
  "batfish-nested-config": "read",
  // Quotes inside quotes that PAN-OS's own output cannot disambiguate.
  "batfish-quoted-values": "panos-syntax",
  // ZONE_UNDEF (a warning) and SERVICE_UNDEF (an error) on purpose.
  "batfish-rulebase": "panos-reference",
  // Inverted address ranges (11.11.11.13-11.11.11.12) on purpose.
  "batfish-rulebase-iprange": "panos-reference",
  "batfish-rulebase-default": "read",
  "batfish-rulebase-rule-type": "read",
  "batfish-rulebase-service": "read",
  "batfish-rulebase-warning": "panos-reference",
  "batfish-security-no-explicit-match": "read",
  "batfish-security-rules": "read",
  "batfish-service-built-in": "read",
  "batfish-shared-rulebase": "read",
  "batfish-source-nat": "read",
  "batfish-vsys-rulebase": "read",
  "iron-skillet-panos-full.set": "read",
  "iron-skillet-panos-full.xml": "read",
};

test("PAN-OS corpus: each file is read, or refused with the expected code; none crashes", () => {
  checkCorpus("panos", "panos", readPanos, OUTCOMES);
});

test("PAN-OS corpus: Batfish's allow/drop configs get Batfish's answers", () => {
  const packet = { iif: "ethernet1/1", oif: "ethernet1/2", src: "10.0.1.2", dst: "10.0.2.2", dport: 80 };
  const cases: Array<[string, "allow" | "deny", string]> = [
    ["batfish-allow-explicit-cross-zone", "allow", "rule1"],
    ["batfish-drop-default-cross-zone", "deny", "interzone-default deny"],
    ["batfish-allow-same-zone-no-rules", "allow", "intrazone-default allow"],
    ["batfish-drop-same-zone-explicit", "deny", "rule1"],
    ["batfish-allow-same-zone-no-matching-rules", "allow", "intrazone-default allow"],
  ];
  for (const [f, verdict, by] of cases) {
    const r = readPanos(readFileSync(join(DIR, f), "utf8"), f);
    const got = decide(r.ruleset, packet);
    assert.deepEqual([got.verdict, got.by, got.uncertain], [verdict, by, false], f);
  }
});
