/**
 * Issue 21 experiment: the first-match walk over decision diagrams (test/oracle/bdd-walk.ts, as
 * Batfish represents header spaces) against the engine's box walk (`ruleReach`), on the same parsed
 * ruleset in one process, and the two compared (`--check`: every rule's packets and every base
 * chain's decisions must be the same set). BENCHMARKS.md, "A walk over decision diagrams".
 *
 * Run: node --import tsx bench/bdd-walk.ts [structured|unstructured] [size] [--check] [--order box|batfish]
 */
import { performance } from "node:perf_hooks";
import type { Rule } from "../src/ir/ruleset.js";
import { ruleReach } from "../src/audit/rule-reach.js";
import { readIptablesSave } from "../src/parse/iptables-save.js";
import { bddWalk, differences, Encoder, rulesOf, type OrderName } from "../test/oracle/bdd-walk.js";
import type { Node } from "../test/oracle/bdd.js";
import { unstructured } from "./audit-unstructured.js";
import { classbench } from "./audit.bench.js";

const args = process.argv.slice(2);
const orderAt = args.indexOf("--order");
const order = (orderAt >= 0 ? args[orderAt + 1] : "batfish") as OrderName;
const plain = args.filter((a, i) => !a.startsWith("--") && (orderAt < 0 || i !== orderAt + 1));
const shape = plain[0] ?? "unstructured";
const size = Number(plain[1] ?? 10000);

const text = shape === "unstructured" ? unstructured(size) : classbench(size);
const rs = readIptablesSave(text, `${shape}-${size}.rules`).ruleset;
const rules: Rule[] = rulesOf([rs]);

let t0 = performance.now();
const box = ruleReach([rs]);
const tBox = performance.now() - t0;

t0 = performance.now();
const enc = new Encoder([rs], order);
const matches = new Map<Rule, Node>();
for (const r of rules) matches.set(r, enc.space(r.match));
const tEnc = performance.now() - t0;
const nodesEnc = enc.b.size;
t0 = performance.now();
const bdd = bddWalk(enc, matches, [rs]);
const tWalk = performance.now() - t0;
const mb = (process.memoryUsage().rss / 2 ** 20).toFixed(0);
console.log(
  `${shape} ${size} (order ${order}): box walk ${tBox.toFixed(0)} ms | diagrams: matches ${tEnc.toFixed(0)} ms (${nodesEnc} nodes), walk ${tWalk.toFixed(0)} ms (${enc.b.size} nodes), rss ${mb} MB`,
);
for (const [chain, d] of bdd.decided)
  console.log(
    `  ${chain.name}: accepted ${enc.b.nodeCount(d.accept)} nodes, dropped ${enc.b.nodeCount(d.drop)} nodes`,
  );
if (args.includes("--check")) {
  const diff = differences(enc, box, bdd, [rs]);
  console.log(diff.length === 0 ? "check: the same sets" : `check: ${diff.length} differ, first: ${diff[0]}`);
  if (diff.length > 0) process.exitCode = 1;
}
