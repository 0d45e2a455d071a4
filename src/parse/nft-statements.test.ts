/** nft text as statements: the layouts people write by hand, each statement at its own line:col. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { nftStatements } from "./nft-statements.js";
import { readNftablesText } from "./nftables-text.js";

const st = (text: string): Array<[number, number, string]> =>
  nftStatements(text).map((s) => [s.line, s.offset + 1, s.text]);

test("nft list ruleset's own layout: one statement per line, the chain header whole", () => {
  assert.deepEqual(
    st(
      "table inet f {\n\tchain in {\n\t\ttype filter hook input priority filter; policy drop;\n\t\ttcp dport { 22, 443 } accept\n\t}\n}\n",
    ),
    [
      [1, 1, "table inet f {"],
      [2, 2, "chain in {"],
      [3, 3, "type filter hook input priority filter; policy drop;"],
      [4, 3, "tcp dport { 22, 443 } accept"],
      [5, 2, "}"],
      [6, 1, "}"],
    ],
  );
});

test("hand-written: blocks and rules on one line, ';' between rules, comments, sets over lines", () => {
  assert.deepEqual(
    st(
      'table inet f { chain in { type filter hook input priority 0; policy drop; tcp dport 22 accept; udp dport 53 accept # dns\n  ip saddr { 198.51.100.1,\n    198.51.100.2 } comment "a;b{" accept } }',
    ),
    [
      [1, 1, "table inet f {"],
      [1, 16, "chain in {"],
      [1, 27, "type filter hook input priority 0; policy drop;"],
      [1, 75, "tcp dport 22 accept;"],
      [1, 96, "udp dport 53 accept"],
      [2, 3, 'ip saddr { 198.51.100.1,     198.51.100.2 } comment "a;b{" accept'],
      [3, 42, "}"],
      [3, 44, "}"],
    ],
  );
});

test("a one-line ruleset reads as the same rules as the printed one", () => {
  const printed = readNftablesText(
    "table inet f {\n\tchain in {\n\t\ttype filter hook input priority 0; policy drop;\n\t\ttcp dport 5061 accept\n\t}\n}\n",
    "a.nft",
  );
  const oneLine = readNftablesText(
    "table inet f { chain in { type filter hook input priority 0; policy drop; tcp dport 5061 accept; } }",
    "b.nft",
  );
  assert.deepEqual(oneLine.diagnostics, []);
  const shape = (r: typeof printed) =>
    r.ruleset.tables.map((t) => t.chains.map((c) => [c.name, c.base, c.rules.map((x) => x.origin.text)]));
  assert.deepEqual(shape(oneLine), [
    [["in", { hook: "input", priority: 0, type: "filter", policy: "drop" }, ["tcp dport 5061 accept;"]]],
  ]);
  assert.deepEqual(shape(printed), [
    [["in", { hook: "input", priority: 0, type: "filter", policy: "drop" }, ["tcp dport 5061 accept"]]],
  ]);
});
