/**
 * The three phases of an audit timed apart, in one process: generating and reading the ruleset, the
 * whole-space walk (`ruleReach`), and the rest of the audit (flows, exposure, dead and redundant
 * rules, rendering). Issue 21: where the time of an unstructured 100k audit goes.
 * Run: node --import tsx bench/audit-phases.ts [unstructured|structured] [size]
 */
import { performance } from "node:perf_hooks";
import { audit } from "../src/audit/audit.js";
import { ruleReach } from "../src/audit/rule-reach.js";
import { readIptablesSave } from "../src/parse/iptables-save.js";
import { unstructured } from "./audit-unstructured.js";
import { classbench, matrix } from "./audit.bench.js";

const shape = process.argv[2] ?? "unstructured";
const size = Number(process.argv[3] ?? 100000);
let t = performance.now();
const parsed = readIptablesSave(
  shape === "unstructured" ? unstructured(size) : classbench(size),
  "bench.rules",
);
const tParse = performance.now() - t;
const topo = matrix();
t = performance.now();
const reach = ruleReach([parsed.ruleset]);
const tWalk = performance.now() - t;
t = performance.now();
audit(topo, [parsed], { reach });
const tAudit = performance.now() - t;
console.log(
  `${shape} ${size}: generate and read ${tParse.toFixed(0)} ms | walk ${tWalk.toFixed(0)} ms | audit after the walk ${tAudit.toFixed(0)} ms`,
);
