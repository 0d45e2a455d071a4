/**
 * The audit on an unstructured ruleset with rate-limited rules (`-m limit`, an approximation): what
 * trying an approximation's alternatives (src/audit/worlds.ts) costs where findings meet them. The
 * other benchmarks hold no approximation, so they never try a world.
 * Run: node --import tsx bench/audit-approx.ts [--root DIR] [--top] SIZE LIMITS
 *   --root  the checkout whose engine and generators to load (default: this one)
 *   --top   a rate-limited accept of all TCP as FORWARD's first rule (every flow and every TCP
 *           packet of exposure meets it: the worst case, one more walk of them per world)
 *   LIMITS  rules of the ruleset given a `-m limit --limit 5/s` (every 97th line's ACCEPT or DROP)
 */
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { benchRoot } from "./root.js";

const { root, args } = benchRoot(process.argv.slice(2));
const top = args.includes("--top");
const [size, limits] = args.filter((a) => a !== "--top").map(Number) as [number, number];
const { unstructured } = await import(join(root, "bench/audit-unstructured.ts"));
const { matrix } = await import(join(root, "bench/audit.bench.ts"));
const { audit } = await import(join(root, "src/audit/audit.ts"));
const { readIptablesSave } = await import(join(root, "src/parse/iptables-save.ts"));

const lines = (unstructured(size) as string).split("\n");
let added = 0;
for (let i = 0; i < lines.length && added < limits; i += 97)
  if (/^-A \S+ .*-j (ACCEPT|DROP)$/.test(lines[i]!)) {
    lines[i] = lines[i]!.replace(/ -j /, " -m limit --limit 5/s -j ");
    added++;
  }
if (top)
  lines.splice(
    lines.findIndex((l) => l.startsWith("-A FORWARD")),
    0,
    "-A FORWARD -p tcp -m limit --limit 5/s -j ACCEPT",
  );
const parsed = readIptablesSave(lines.join("\n"), `unstructured-${size}.rules`);
const t0 = performance.now();
const r = audit(matrix(), [parsed]);
const ms = performance.now() - t0;
const n = (xs: Array<{ uncertain: boolean }>) => `${xs.filter((x) => x.uncertain).length}/${xs.length}`;
console.log(
  `${size} rules, ${added + (top ? 1 : 0)} limited${top ? " (one at FORWARD's top)" : ""}: audit ${ms.toFixed(0)} ms; uncertain flows ${n(r.flows)}, exposure ${n(r.exposure)}`,
);
