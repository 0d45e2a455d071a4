/**
 * The FortiOS corpus (test/corpus/fortios/, sources in SOURCES.md): each file read, or refused
 * with the expected code for the reason the file was written (Batfish's test configs reference
 * undefined objects on purpose in its *_warn and rename files); and answers derived by hand
 * from FortiOS semantics for Batfish's firewall_policy config, whose own comments state the
 * traps (a disabled policy ignored; "number doesn't indicate order").
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readFortios } from "../../src/parse/fortios.js";
import { checkCorpus, corpusDir } from "./corpus.js";
import { decide } from "./zone-packets.js";

const OUTCOMES: Record<string, string> = {
  "batfish-address": "read",
  "batfish-address_warnings": "read",
  "batfish-addrgrp": "read",
  // References to groups under their names before a rename, on purpose.
  "batfish-addrgrp_rename": "fortios-reference",
  "batfish-edit_recovery": "read",
  "batfish-firewall_policy": "read",
  "batfish-firewall_policy_addrgrp": "read",
  // Undefined addresses, services and interfaces on purpose.
  "batfish-firewall_policy_warn": "fortios-reference",
  "batfish-firewall_vi_policy": "read",
  // A replacement message with quotes the file itself calls ambiguous.
  "batfish-fortios_replacemsg": "fortios-syntax",
  "batfish-iface": "read",
  "batfish-internet_service_name": "read",
  "batfish-policy": "read",
  "batfish-policy_clone": "read",
  "batfish-policy_defs_refs": "read",
  "batfish-policy_delete": "read",
  "batfish-policy_move": "read",
  "batfish-rename": "fortios-reference",
  "batfish-service_custom": "read",
  "batfish-service_group": "read",
  "batfish-static_routes": "read",
  "batfish-zone": "read",
  "batfish-zone_warn": "read",
};

test("FortiOS corpus: each file is read, or refused with the expected code; none crashes", () => {
  checkCorpus("fortios", "fortios", readFortios, OUTCOMES);
});

test("FortiOS corpus: Batfish's firewall_policy answered by hand from FortiOS semantics", () => {
  const f = "batfish-firewall_policy";
  const r = readFortios(readFileSync(join(corpusDir("fortios"), f), "utf8"), f);
  const p = { iif: "port1", oif: "port2", src: "10.0.1.5", dst: "10.0.2.5" };
  // tcp/11: the disabled deny is ignored; 4294967294 (listed next) takes tcp/12 from port 11
  // only; policy 1 accepts custom_tcp_11.
  assert.deepEqual(decide(r.ruleset, { ...p, dport: 11 }), {
    verdict: "allow",
    by: "firewall policy 1 (Permit Custom TCP Traffic)",
    uncertain: false,
  });
  // tcp/12 from port 11: 4294967294 matches first and has no action: FortiOS's default deny.
  assert.deepEqual(decide(r.ruleset, { ...p, dport: 12, sport: 11 }), {
    verdict: "deny",
    by: "firewall policy 4294967294 (longest allowed firewall policy nam)",
    uncertain: false,
  });
});
