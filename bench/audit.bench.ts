/**
 * Audit benchmark: ClassBench-style iptables rulesets (prefix lengths and port-range classes after
 * the fw1 seed's shape: exact ports, wildcard, well-known ranges, high ranges; many user chains
 * reached by destination prefix) at 1k, 10k and 100k rules, or with `--shape unstructured` the
 * rulesets of audit-unstructured.ts; a 30-flow matrix; full audit (verdicts, exposure, dead and
 * redundant rules), then one further flow query on the rulesets the audit walked.
 * Run: node --import tsx bench/audit.bench.ts [--shape structured|unstructured] [--peer] [--sha]
 *        [--write DIR] [sizes…]    (default 1000 10000 100000)
 *   --peer   times `iptables-restore --test` on the same file in a network namespace made for the
 *            run (root), once before and once after the audit, and prints audit / peer
 *   --sha    SHA-256 of the audit JSON and of the query's result (to compare engines byte for byte)
 *   --write  writes each generated ruleset to DIR/<shape>-<size>.rules
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { unstructured } from "./audit-unstructured.js";
import { audit, queryFlow } from "../src/audit/audit.js";
import type { BoundTopology, ResolvedFlow } from "../src/model/flow.js";
import { ruleReach } from "../src/audit/rule-reach.js";
import { readIptablesSave } from "../src/parse/iptables-save.js";
import { addressText, parseAddress } from "../src/space/address.js";
import { Rng } from "../test/kernel/generate.js";

function prefix(r: Rng): string {
  // fw1-like: many /32 and /24-/30, a few short prefixes and wildcards.
  const len = r.pick([32, 32, 32, 30, 28, 24, 24, 16, 8, 0]);
  if (len === 0) return "0.0.0.0/0";
  const base = BigInt(r.int(0, 2 ** 31)) * 2n;
  const size = 1n << BigInt(32 - len);
  return `${addressText((base / size) * size)}/${len}`;
}

function ports(r: Rng): string | undefined {
  switch (r.int(0, 5)) {
    case 0:
      return undefined;
    case 1:
      return "1024:65535";
    case 2:
      return `${r.pick([22, 25, 53, 80, 110, 143, 443, 993, 3389, 5060, 5061])}`;
    case 3: {
      const lo = r.int(1, 60000);
      return `${lo}:${lo + r.int(1, 5000) > 65535 ? 65535 : lo + r.int(1, 5000)}`;
    }
    default:
      return `${r.int(1, 65535)}`;
  }
}

/** The /16 a user chain serves (its dispatch rule in FORWARD). */
function chainNet(c: number): bigint {
  return (10n << 24n) + (BigInt(c) << 16n);
}

function rule(r: Rng, c: number): string {
  const parts = [`-A u${c}`];
  if (r.chance(0.8)) parts.push(`-s ${prefix(r)}`);
  if (r.chance(0.8)) {
    const len = r.pick([32, 32, 30, 28, 24, 24, 20, 16]);
    const size = 1n << BigInt(32 - len);
    parts.push(`-d ${addressText(chainNet(c) + (BigInt(r.int(0, 65535)) / size) * size)}/${len}`);
  }
  const proto = r.pick(["tcp", "tcp", "udp", "any"]);
  if (proto !== "any") {
    parts.push(`-p ${proto} -m ${proto}`);
    const sp = r.chance(0.2) ? ports(r) : undefined;
    const dp = ports(r);
    if (sp) parts.push(`--sport ${sp}`);
    if (dp) parts.push(`--dport ${dp}`);
  }
  parts.push(r.chance(0.6) ? "-j ACCEPT" : "-j DROP");
  return parts.join(" ");
}

export function classbench(size: number, seed = 7): string {
  const r = new Rng(seed);
  const chains = Math.max(1, Math.round(size / 100));
  const lines = ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"];
  for (let c = 0; c < chains; c++) lines.push(`:u${c} - [0:0]`);
  lines.push("-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT");
  for (let c = 0; c < chains; c++) lines.push(`-A FORWARD -d ${`${addressText(chainNet(c))}/16`} -j u${c}`);
  const perChain = Math.floor((size - chains - 1) / chains);
  for (let c = 0; c < chains; c++) for (let i = 0; i < perChain; i++) lines.push(rule(r, c));
  lines.push("COMMIT");
  return lines.join("\n") + "\n";
}

export function matrix(): BoundTopology {
  const a = (s: string) => {
    const x = parseAddress(s);
    if (!x.ok) throw new Error(s);
    return x.set;
  };
  const flows: ResolvedFlow[] = [];
  for (let i = 0; i < 30; i++) {
    const port = [443, 5061, 3478, 50000, 80, 22, 5269, 8057][i % 8]!;
    flows.push({
      id: `f${i}`,
      role: "",
      protocol: "",
      transport: i % 3 === 2 ? "udp" : "tcp",
      ports: [{ from: port, to: port === 50000 ? 59999 : port }],
      from: i % 2 ? "inside" : "outside",
      to: i % 2 ? "outside" : "inside",
      source: "",
      destination: "",
      notes: "",
      conditions: [],
      citation: "",
      active: true,
      retired: i % 10 === 9,
      fromAddresses: a(i % 2 ? "10.0.0.0/8" : "any4"),
      toAddresses: a(i % 2 ? "any4" : `10.${i}.0.0/16`),
    });
  }
  return {
    profileId: "bench",
    profileTitle: "bench",
    features: [],
    sipDomains: [],
    certificates: [],
    dns: [],
    management: a("10.0.0.0/8"),
    flows,
    endpoints: [
      { id: "inside", name: "inside", addresses: a("10.0.0.0/8"), text: [] },
      { id: "outside", name: "outside", addresses: a("any4"), text: [] },
    ],
    firewall: {
      kind: "perimeter",
      zones: [
        { name: "in", interface: "eth1", endpoints: ["inside"] },
        { name: "out", interface: "eth0", endpoints: ["outside"] },
      ],
    },
  };
}

type Shape = "structured" | "unstructured";

interface RunOptions {
  shape: Shape;
  peer?: string;
  sha: boolean;
  write?: string;
}

/** Wall time of `iptables-restore --test` reading `text` inside namespace `ns`, in ms. */
function peerTime(ns: string, text: string): number {
  const t0 = performance.now();
  const r = spawnSync("ip", ["netns", "exec", ns, "iptables-restore", "--test"], { input: text });
  const t = performance.now() - t0;
  if (r.status !== 0) throw new Error(`iptables-restore --test refused the ruleset: ${r.stderr.toString()}`);
  return t;
}

function sha(x: unknown): string {
  return createHash("sha256").update(JSON.stringify(x)).digest("hex").slice(0, 16);
}

function run(size: number, o: RunOptions): void {
  const text = o.shape === "unstructured" ? unstructured(size) : classbench(size);
  if (o.write) writeFileSync(`${o.write}/${o.shape}-${size}.rules`, text);
  const peerBefore = o.peer ? peerTime(o.peer, text) : 0;
  const t0 = performance.now();
  const parsed = readIptablesSave(
    text,
    `${o.shape === "unstructured" ? "unstructured" : "classbench"}-${size}.rules`,
  );
  const t1 = performance.now();
  const topo = matrix();
  // The whole-space walk is part of the audit's time; the further query reuses it, as a session
  // that has audited a ruleset answers its next question.
  const reach = ruleReach([parsed.ruleset]);
  const report = audit(topo, [parsed], { reach });
  const t2 = performance.now();
  const q0 = performance.now();
  const answer = queryFlow(topo, [parsed.ruleset], topo.flows[3]!, 20, reach);
  const q = performance.now() - q0;
  const rss = process.resourceUsage().maxRSS / 1024;
  const peerAfter = o.peer ? peerTime(o.peer, text) : 0;
  const verdicts = report.flows.map((f) => f.verdict[0]).join("");
  const peer = o.peer
    ? ` ${peerBefore.toFixed(0)} / ${peerAfter.toFixed(0)} ms | ${((t2 - t1) / Math.min(peerBefore, peerAfter)).toFixed(2)}× (${((t2 - t0) / Math.min(peerBefore, peerAfter)).toFixed(2)}× with parse) |`
    : "";
  const hash = o.sha ? ` ${sha(report)} / ${sha(answer)} |` : "";
  console.log(
    `| ${size} | ${(t1 - t0).toFixed(0)} ms | ${(t2 - t1).toFixed(0)} ms | ${q.toFixed(1)} ms | ${rss.toFixed(0)} MB | ${report.deadRules.length} dead/redundant, ${report.exposure.length} exposure groups${report.notes.length ? "; " + report.notes.join("; ") : ""} | ${verdicts} |${peer}${hash}`,
  );
}

function main(args: readonly string[]): void {
  const o: RunOptions = { shape: "structured", sha: false };
  const sizes: number[] = [];
  let peer = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--shape") {
      const v = args[++i];
      if (v !== "structured" && v !== "unstructured") throw new Error("--shape structured|unstructured");
      o.shape = v;
    } else if (a === "--peer") peer = true;
    else if (a === "--sha") o.sha = true;
    else if (a === "--write") o.write = args[++i]!;
    else if (Number(a) > 0) sizes.push(Number(a));
    else throw new Error(`unknown argument ${a}`);
  }
  console.log(
    `| rules | parse | audit (30 flows + exposure + dead) | further flow query | peak RSS | findings | verdicts |${peer ? " iptables-restore --test before / after | audit / peer |" : ""}${o.sha ? " sha256 audit / query |" : ""}`,
  );
  console.log(`|---|---|---|---|---|---|---|${peer ? "---|---|" : ""}${o.sha ? "---|" : ""}`);
  const ns = `auditspeed-bench-${process.pid}`;
  if (peer) execFileSync("ip", ["netns", "add", ns]);
  try {
    for (const s of sizes.length ? sizes : [1000, 10000, 100000]) run(s, peer ? { ...o, peer: ns } : o);
  } finally {
    if (peer) execFileSync("ip", ["netns", "del", ns]);
  }
}

if (process.argv[1]?.endsWith("audit.bench.ts")) main(process.argv.slice(2));
