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

test("expressions nft lists for run-time state (ct count, tcp option, numgen, ipsec, a raw payload) print as nft writes them", () => {
  // The expressions of nft 1.0.6's JSON listing of:
  //   tcp dport 80 ct count over 100 drop; tcp flags syn tcp option maxseg size 1-535 drop;
  //   meta mark set numgen inc mod 2; @ih,32,32 0x1 drop; ipsec in reqid 1 accept
  const exprs = [
    [
      { match: { op: "==", left: { payload: { protocol: "tcp", field: "dport" } }, right: 80 } },
      { "ct count": { val: 100, inv: true } },
      { drop: null },
    ],
    [
      { match: { op: "in", left: { payload: { protocol: "tcp", field: "flags" } }, right: "syn" } },
      {
        match: {
          op: "==",
          left: { "tcp option": { name: "maxseg", field: "size" } },
          right: { range: [1, 535] },
        },
      },
      { drop: null },
    ],
    [{ mangle: { key: { meta: { key: "mark" } }, value: { numgen: { mode: "inc", mod: 2, offset: 0 } } } }],
    [
      { match: { op: "==", left: { payload: { base: "ih", offset: 32, len: 32 } }, right: 1 } },
      { drop: null },
    ],
    [
      { match: { op: "==", left: { ipsec: { key: "reqid", dir: "in", spnum: 0 } }, right: 1 } },
      { accept: null },
    ],
  ] as unknown[][];
  const p = readNftablesJson(
    doc(table, chain, ...exprs.map((expr) => ({ rule: { family: "inet", table: "f", chain: "in", expr } }))),
    "f.json",
  );
  assert.deepEqual(p.diagnostics, []);
  const constructs = p.ruleset.tables[0]!.chains[0]!.rules.flatMap((r) =>
    r.approximations.map((a) => a.construct),
  );
  assert.deepEqual(constructs, [
    "ct count over 100",
    "tcp flags syn",
    "tcp option maxseg size 1-535",
    "meta mark set numgen inc mod 2",
    "@ih , 32 , 32 1",
    "ipsec in reqid 1",
  ]);
});
