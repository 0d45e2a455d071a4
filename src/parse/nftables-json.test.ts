/**
 * The nft -j reader on documents a real export would not produce: nothing in them is dropped in
 * silence. (Real exports are read in test/kernel/differential.test.ts, from the kernel itself.)
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { readNftablesJson } from "./nftables-json.js";

const doc = (...items: unknown[]): string =>
  JSON.stringify({ nftables: [{ metainfo: { json_schema_version: 1 } }, ...items] }, null, 1);
const table = { table: { family: "inet", name: "f", handle: 1 } };
const chain = {
  chain: { family: "inet", table: "f", name: "in", hook: "input", type: "filter", prio: 0, policy: "drop" },
};
const rule = (chainName: string, tableName = "f") => ({
  rule: {
    family: "inet",
    table: tableName,
    chain: chainName,
    expr: [
      { match: { op: "==", left: { payload: { protocol: "tcp", field: "dport" } }, right: 5061 } },
      { accept: null },
    ],
  },
});

test("a whole ruleset reads without diagnostics", () => {
  const r = readNftablesJson(doc(table, chain, rule("in")), "r.json");
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.ruleset.tables[0]!.chains[0]!.rules.length, 1);
});

test("rules of an undeclared chain or table are errors, not dropped", () => {
  const r = readNftablesJson(doc(table, chain, rule("out"), rule("in", "g")), "r.json");
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.severity, d.message]),
    [
      [
        "nft-json-orphan",
        "error",
        "a rule of chain out in table inet f, which the document does not declare",
      ],
      ["nft-json-orphan", "error", "a rule of table inet g, which the document does not declare"],
    ],
  );
});

test("objects that decide no verdict are warned of, as the text reader does; unknown kinds are errors", () => {
  const r = readNftablesJson(
    doc(table, chain, { flowtable: { family: "inet", table: "f", name: "ft" } }, { elementz: {} }),
    "r.json",
  );
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.severity]),
    [
      ["nft-unsupported-object", "warning"],
      ["nft-json-unread", "error"],
    ],
  );
  assert.match(r.diagnostics[1]!.message, /"elementz"/);
});
