/**
 * The FortiOS corpus (test/corpus/fortios/, sources in its SOURCES.md): every file's outcome is
 * pinned — how many policies the reader reads, how many of them are approximations, which error
 * codes it reports (the Batfish files named *_warn*, *_rename, *_defs_refs exercise invalid
 * commands and undefined references on purpose) — and, for Batfish's files, the policy order its
 * own Java tests assert (FortiosGrammarTest testPolicyClone, testPolicyDelete, testPolicyMove).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readFortios } from "../../src/parse/fortios.js";
import { sniffFormat } from "../../src/parse/index.js";
import { ROOT } from "../cli/run-cli.js";

const DIR = join(ROOT, "test", "corpus", "fortios");

/** [file, policies read, rules approximated (policies and implicit intrazone rules), error codes]. */
const OUTCOMES: Array<[string, number, number, string[]]> = [
  ["acidjunk-vdom.conf", 2, 2, []],
  ["batfish-access_list.conf", 0, 0, []],
  ["batfish-address.conf", 0, 0, []],
  ["batfish-address_type_switching.conf", 0, 0, []],
  ["batfish-addrgrp.conf", 0, 0, []],
  ["batfish-addrgrp_rename.conf", 1, 0, ["fortios-reference", "fortios-syntax"]],
  ["batfish-addrgrp_warnings.conf", 0, 0, []],
  ["batfish-bgp.conf", 0, 0, []],
  ["batfish-edit_recovery.conf", 1, 0, []],
  ["batfish-firewall_policy.conf", 5, 0, []],
  ["batfish-firewall_policy_addrgrp.conf", 1, 0, []],
  ["batfish-firewall_policy_warn.conf", 5, 2, ["fortios-reference", "fortios-syntax"]],
  ["batfish-firewall_vi_policy.conf", 2, 0, []],
  ["batfish-fortios_replacemsg.conf", 0, 0, []],
  ["batfish-iface.conf", 0, 0, []],
  ["batfish-internet_service_name.conf", 0, 0, []],
  ["batfish-nested_config_recovery.conf", 0, 0, []],
  ["batfish-policy.conf", 2, 0, []],
  ["batfish-policy_clone.conf", 4, 0, []],
  ["batfish-policy_defs_refs.conf", 2, 0, ["fortios-syntax"]],
  ["batfish-policy_delete.conf", 2, 0, []],
  ["batfish-policy_move.conf", 5, 0, []],
  ["batfish-rename.conf", 1, 0, ["fortios-reference", "fortios-syntax"]],
  ["batfish-service_custom.conf", 0, 0, []],
  ["batfish-service_group.conf", 0, 0, []],
  ["batfish-service_group_rename.conf", 1, 0, ["fortios-reference", "fortios-syntax"]],
  ["batfish-service_warnings.conf", 0, 0, []],
  ["batfish-static_routes.conf", 0, 0, []],
  ["batfish-zone.conf", 0, 1, []],
  ["batfish-zone_warn.conf", 0, 1, []],
  ["sudarshanvk-sample_configuration.conf", 7, 0, ["fortios-reference"]],
];

const read = (f: string) => readFortios(readFileSync(join(DIR, f), "utf8"), f);
const forward = (f: string) => read(f).ruleset.tables[0]!.chains.find((c) => c.name === "forward")!;
/** Policy ids in evaluation order (the implicit rules left out). */
const order = (f: string) =>
  forward(f)
    .rules.filter((r) => r.implicit === undefined)
    .map((r) => /^policy ([^\s:]+)/.exec(r.origin.text)![1]);

test("every corpus file has a pinned outcome", () => {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith(".conf"))
    .sort();
  assert.deepEqual(files, OUTCOMES.map(([f]) => f).sort());
});

for (const [file, policies, approximated, errors] of OUTCOMES)
  test(`corpus ${file}: ${policies} policies, ${approximated} approximated, errors ${errors.join(", ") || "none"}`, () => {
    const text = readFileSync(join(DIR, file), "utf8");
    const r = readFortios(text, file);
    const rules = r.ruleset.tables[0]!.chains.find((c) => c.name === "forward")!.rules;
    assert.equal(rules.filter((x) => x.implicit === undefined).length, policies);
    assert.equal(rules.filter((x) => x.approximations.length > 0).length, approximated);
    assert.deepEqual(
      [...new Set(r.diagnostics.filter((d) => d.severity === "error").map((d) => d.code))].sort(),
      errors,
    );
    for (const d of r.diagnostics) assert.ok(d.at && d.at.line >= 1, `${file}: ${d.message} has a position`);
    if (/^config (firewall policy|system interface)\s*$/m.test(text))
      assert.equal(sniffFormat(text), "fortios");
  });

test("script commands reorder policies as Batfish's own tests say", () => {
  assert.deepEqual(order("batfish-policy_move.conf"), ["5", "1", "2", "4", "3"]);
  assert.deepEqual(order("batfish-policy_clone.conf"), ["1", "2", "3", "4"]);
  assert.deepEqual(order("batfish-policy_delete.conf"), ["2", "1"]);
});

test("read rate: at least 80 % of the corpus reads without errors", () => {
  const ok = OUTCOMES.filter(([, , , e]) => e.length === 0).length;
  assert.ok(ok / OUTCOMES.length >= 0.8, `${ok}/${OUTCOMES.length}`);
});
