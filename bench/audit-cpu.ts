/**
 * One audit and one further query, with the process's CPU time beside the wall time (on a shared
 * machine CPU time moves less with the load), for comparing two checkouts of the engine
 * alternately: the same calls as bench/audit.bench.ts (ruleReach + audit, then queryFlow).
 * Run: node --import tsx bench/audit-cpu.ts [--root DIR] [structured|unstructured] [size]
 *   --root  the checkout whose engine and generators to load (default: this one)
 */
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { benchRoot } from "./root.js";

const { root, args } = benchRoot(process.argv.slice(2));
const shape = args[0] ?? "unstructured";
const size = Number(args[1] ?? 10000);
const { unstructured } = await import(join(root, "bench/audit-unstructured.ts"));
const { classbench, matrix } = await import(join(root, "bench/audit.bench.ts"));
const { audit, queryFlow } = await import(join(root, "src/audit/audit.ts"));
const { ruleReach } = await import(join(root, "src/audit/rule-reach.ts"));
const { readIptablesSave } = await import(join(root, "src/parse/iptables-save.ts"));

const text = shape === "unstructured" ? unstructured(size) : classbench(size);
const parsed = readIptablesSave(text, `${shape}-${size}.rules`);
const topo = matrix();
const cpu = (c: NodeJS.CpuUsage): number => (c.user + c.system) / 1000;
const c0 = process.cpuUsage();
const w0 = performance.now();
const reach = ruleReach([parsed.ruleset]);
audit(topo, [parsed], { reach });
const auditCpu = cpu(process.cpuUsage(c0));
const auditWall = performance.now() - w0;
const q0 = process.cpuUsage();
const qw0 = performance.now();
queryFlow(topo, [parsed.ruleset], topo.flows[3]!, 20, reach);
const queryCpu = cpu(process.cpuUsage(q0));
const queryWall = performance.now() - qw0;
const rss = process.resourceUsage().maxRSS / 1024;
console.log(
  `${shape} ${size}: audit cpu ${auditCpu.toFixed(0)} ms wall ${auditWall.toFixed(0)} | query cpu ${queryCpu.toFixed(1)} wall ${queryWall.toFixed(1)} | rss ${rss.toFixed(0)} MB`,
);
