/**
 * The probe benchmark's contestants, each run inside the prober namespace with a wall-clock cap:
 * `portmatrix probe --format json` (the built CLI, cold start included), a small driver that calls
 * the built sweep alone, and nmap -sT / -sS -T4 with -oX. Each returns the state per port it saw.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { portsText, PROBER, TARGET, type PortState, type ProbeCase, type ProbeLab } from "./probe-lab.js";

/** ours and sweep run the default sweep; -js / -native force one (PORTMATRIX_SWEEP, src/live/sweep-native.ts). */
export type Tool =
  "ours" | "ours-js" | "ours-native" | "sweep" | "sweep-js" | "sweep-native" | "nmap-sT" | "nmap-sS";

/** The PORTMATRIX_SWEEP a tool runs with ("" = the default choice). */
export type SweepKind = "" | "js" | "native";

const withSweep = (kind: SweepKind, argv: string[]): string[] =>
  kind === "" ? argv : ["env", `PORTMATRIX_SWEEP=${kind}`, ...argv];

export interface Run {
  tool: Tool;
  wallMs: number;
  /** Hit the cap: wallMs is a lower bound and the states are incomplete. */
  capped: boolean;
  states: Map<number, PortState>;
  note?: string;
}

const ROOT = resolve(import.meta.dirname, "..");
const CLI = join(ROOT, "dist/src/cli/main.js");
const SWEEP = join(ROOT, "dist/src/live/sweep.js");

function run(
  lab: ProbeLab,
  argv: string[],
  capMs: number,
): Promise<{ wallMs: number; capped: boolean; code: number | null; stderr: string }> {
  return new Promise((done) => {
    const t0 = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "ignore", "pipe"] });
    lab.track(child);
    let stderr = "";
    let capped = false;
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      capped = true;
      // ip netns exec execs the tool: the pid is the tool's own.
      if (child.pid !== undefined) process.kill(child.pid, "SIGKILL");
    }, capMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      lab.untrack(child);
      done({ wallMs: performance.now() - t0, capped, code, stderr });
    });
  });
}

/** A one-flow profile and topology: prober → target, plain TCP on the case's ports (no deep probes). */
function topology(lab: ProbeLab, c: ProbeCase): string {
  const profile = join(lab.dir, `bench-${c.id}.profile.yaml`);
  writeFileSync(
    profile,
    [
      `id: probe-bench-${c.id}`,
      "title: probe benchmark",
      "product: portmatrix bench",
      "sources:",
      "  bench: {title: portmatrix probe benchmark (bench/probe.bench.ts), url: https://example.com/portmatrix/bench}",
      "endpoints:",
      "  prober: {name: Prober}",
      "  target: {name: Target, kind: server}",
      "flows:",
      ...portsText(c.ports)
        .split(",")
        .flatMap((r, k) => [
          `  - id: bench-tcp-${k}`,
          "    role: Bench",
          "    protocol: TCP",
          "    transport: tcp",
          `    ports: ${r}`,
          "    from: prober",
          "    to: target",
        ]),
      "",
    ].join("\n"),
  );
  const topo = join(lab.dir, `bench-${c.id}.topology.yaml`);
  writeFileSync(
    topo,
    `profile: ${profile}\nendpoints:\n  prober: ${PROBER}\n  target: ${TARGET}\nfirewall: {kind: host, host: target}\n`,
  );
  return topo;
}

/**
 * Node options for our CLI's process from BENCH_NODE_FLAGS (space-separated, e.g. `--cpu-prof
 * --cpu-prof-dir=/tmp/prof` or `--trace-gc`): profiling ours in the bench's namespaces, which
 * NODE_OPTIONS cannot do (it refuses --cpu-prof).
 */
function nodeFlags(): string[] {
  return (process.env.BENCH_NODE_FLAGS ?? "").split(" ").filter((f) => f !== "");
}

export async function runOurs(
  lab: ProbeLab,
  c: ProbeCase,
  capMs: number,
  extra: string[],
  kind: SweepKind = "",
): Promise<Run> {
  const out = join(lab.dir, `ours-${c.id}.json`);
  rmSync(out, { force: true });
  const argv = lab.exec(
    withSweep(kind, [
      process.execPath,
      ...nodeFlags(),
      CLI,
      "probe",
      "-t",
      topology(lab, c),
      "--from",
      "prober",
      "--format",
      "json",
      "--no-progress",
      "-o",
      out,
      ...extra,
    ]),
  );
  const r = await run(lab, argv, capMs);
  const states = new Map<number, PortState>();
  if (!r.capped && existsSync(out)) {
    const doc = JSON.parse(readFileSync(out, "utf8")) as {
      results: Array<{ port: number; state: PortState; transport: string }>;
    };
    for (const x of doc.results) if (x.transport === "tcp") states.set(x.port, x.state);
  } else if (!r.capped) throw new Error(`portmatrix probe exited ${r.code}: ${r.stderr}`);
  return { tool: kind ? `ours-${kind}` : "ours", wallMs: r.wallMs, capped: r.capped, states };
}

// The sweep alone (no topology, no report): what src/live/sweep.ts costs, cold start included.
const DRIVER = `
import { sweepTcp } from ${JSON.stringify(SWEEP)};
import { writeFileSync } from "node:fs";
const [host, src, list, out, inflight] = process.argv.slice(2);
const ports = list.split(",").flatMap((r) => {
  const [lo, hi = lo] = r.split("-").map(Number);
  return Array.from({ length: hi - lo + 1 }, (_, k) => lo + k);
});
const t0 = performance.now();
const r = await sweepTcp(ports.map((port) => ({ host, port, localAddress: src })),
  { maxInFlight: Number(inflight), rate: 0, initialTimeoutMs: 300, minTimeoutMs: 20, retries: 1 });
const states = r.outcomes.map((o) => o.code === undefined ? "open" : o.code === "ECONNREFUSED" || o.code === "ECONNRESET" ? "closed" : "filtered");
writeFileSync(out, JSON.stringify({ sweepMs: performance.now() - t0, stats: r.stats, ports, states }));
`;

export async function runSweep(
  lab: ProbeLab,
  c: ProbeCase,
  capMs: number,
  maxInFlight: number,
  kind: SweepKind = "",
): Promise<Run> {
  const driver = join(lab.dir, "driver.mjs");
  writeFileSync(driver, DRIVER);
  const out = join(lab.dir, `sweep-${c.id}.json`);
  rmSync(out, { force: true });
  const r = await run(
    lab,
    lab.exec(
      withSweep(kind, [
        process.execPath,
        driver,
        TARGET,
        PROBER,
        portsText(c.ports),
        out,
        String(maxInFlight),
      ]),
    ),
    capMs,
  );
  const states = new Map<number, PortState>();
  let note: string | undefined;
  if (!r.capped) {
    if (!existsSync(out)) throw new Error(`sweep driver exited ${r.code}: ${r.stderr}`);
    const doc = JSON.parse(readFileSync(out, "utf8")) as {
      sweepMs: number;
      stats: Record<string, number>;
      ports: number[];
      states: PortState[];
    };
    doc.ports.forEach((p, k) => states.set(p, doc.states[k]!));
    note = `sweep ${Math.round(doc.sweepMs)} ms, ${doc.stats.attempts} attempts, final timeout ${doc.stats.finalTimeoutMs} ms, loop delay p99 ${doc.stats.loopDelayP99Ms} ms`;
  }
  return {
    tool: kind ? `sweep-${kind}` : "sweep",
    wallMs: r.wallMs,
    capped: r.capped,
    states,
    ...(note ? { note } : {}),
  };
}

/** nmap's -oX: listed ports, plus the collapsed ones (extrareasons ports="…", nmap ≥ 7.80). */
export function parseNmapXml(xml: string): Map<number, PortState> {
  const states = new Map<number, PortState>();
  const norm = (s: string): PortState => (s === "open" || s === "closed" ? s : "filtered");
  for (const m of xml.matchAll(/<port protocol="tcp" portid="(\d+)"><state state="([a-z|]+)"/g))
    states.set(Number(m[1]), norm(m[2]!));
  for (const m of xml.matchAll(/<extraports state="([a-z|]+)"[^>]*>([\s\S]*?)<\/extraports>/g))
    for (const r of m[2]!.matchAll(/ports="([0-9,-]+)"/g))
      for (const part of r[1]!.split(",")) {
        const [lo, hi] = part.split("-").map(Number);
        for (let p = lo!; p <= (hi ?? lo!); p++) states.set(p, norm(m[1]!));
      }
  return states;
}

export async function runNmap(lab: ProbeLab, c: ProbeCase, mode: "sT" | "sS", capMs: number): Promise<Run> {
  const out = join(lab.dir, `nmap-${mode}-${c.id}.xml`);
  const argv = lab.exec([
    "nmap",
    "-n",
    "-Pn",
    `-${mode}`,
    "-T4",
    "-p",
    portsText(c.ports),
    "-oX",
    out,
    TARGET,
  ]);
  const r = await run(lab, argv, capMs);
  if (!r.capped && r.code !== 0) throw new Error(`nmap exited ${r.code}: ${r.stderr}`);
  const states =
    r.capped || !existsSync(out) ? new Map<number, PortState>() : parseNmapXml(readFileSync(out, "utf8"));
  return { tool: mode === "sT" ? "nmap-sT" : "nmap-sS", wallMs: r.wallMs, capped: r.capped, states };
}

/** Ports whose state differs from the truth (a port a tool did not report counts as wrong). */
export function wrongPorts(c: ProbeCase, states: Map<number, PortState>): number {
  let wrong = 0;
  for (const [p, want] of c.truth) if (states.get(p) !== want) wrong++;
  return wrong;
}
