/**
 * runHook's base chains per hook are kept per table (hooks.ts `tableBases`): a chain a reader
 * appends later, or a list replaced, is seen by the next run as by a first one.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Chain } from "../ir/ruleset.js";
import { readIptablesSave } from "../parse/iptables-save.js";
import { ALL_V4 } from "../space/address.js";
import { arriving } from "../../test/audit-fixtures.js";
import { runHook } from "./hooks.js";

test("a base chain added after a run decides the next run", () => {
  const { ruleset } = readIptablesSave("*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n", "bases.rules");
  const packets = arriving(ALL_V4);
  const input = [{ rewrite: {}, packets }];
  const first = runHook([ruleset], "input", input);
  assert.equal(first.dropped.length, 0);
  assert.ok(first.passed[0]!.packets.equals(packets));
  const table = ruleset.tables[0]!;
  const input0 = table.chains[0]!;
  const dropAll: Chain = {
    name: "EARLY",
    rules: [],
    origin: input0.origin,
    base: { hook: "input", priority: -10, type: "filter", policy: "drop" },
  };
  // Appended to the same list.
  table.chains.push(dropAll);
  const second = runHook([ruleset], "input", input);
  assert.equal(second.passed.length, 0);
  assert.equal(second.dropped.length, 1);
  assert.equal(second.dropped[0]!.by.kind === "policy" && second.dropped[0]!.by.chain.name, "EARLY");
  // A new list in its place.
  table.chains = [input0];
  const third = runHook([ruleset], "input", input);
  assert.equal(third.dropped.length, 0);
  assert.ok(third.passed[0]!.packets.equals(packets));
});
