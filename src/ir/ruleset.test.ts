/**
 * findChain's index against `chains.find` as readers change the list: chains appended, a duplicate
 * name (the first wins), the list replaced (a reader's -X); and a hit whose chain moved in place.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { findChain, type Chain, type Table } from "./ruleset.js";

const origin = { file: "t", line: 1, col: 1, text: "" };
const chain = (name: string): Chain => ({ name, rules: [], origin });
const find = (t: Table, name: string): Chain | undefined => t.chains.find((c) => c.name === name);

function agree(t: Table, names: readonly string[]): void {
  for (const n of names) assert.equal(findChain(t, n), find(t, n), n);
}

test("findChain gives the first chain of a name as the list changes", () => {
  const names = ["a", "b", "c", "d", "x"];
  const t: Table = { family: "ip", name: "filter", chains: [chain("a"), chain("b")] };
  agree(t, names);
  t.chains.push(chain("c"), chain("a"));
  agree(t, names);
  t.chains = t.chains.filter((c) => c.name !== "b");
  agree(t, names);
  t.chains.push(chain("d"));
  agree(t, names);
  // In place: the hit's position holds another chain now, so the index is made again.
  t.chains.reverse();
  agree(t, ["a", "c", "d"]);
});
