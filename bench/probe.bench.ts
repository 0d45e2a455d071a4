/**
 * Probe speed benchmark (issue 5): portmatrix probe against nmap -sT/-sS -T4 on the same namespace
 * topology, four firewall cases for the seed's TCP ports (probe-lab.ts). Every tool's states are
 * checked against the truth per port; medians of the repetitions and the ratio to each goal.
 *
 * Run as root, after `npm run build` (it times the built CLI):
 *   node --import tsx bench/probe.bench.ts [--cases abcd] [--reps 3] [--nmap-reps-drop N]
 *     [--tools ours,sweep,nmap-sT,nmap-sS] (ours-js, ours-native, sweep-js, sweep-native: PORTMATRIX_SWEEP) [--cap 600] [--max-in-flight N] [--json FILE] [-- probe options]
 * Goals: (a)/(c) every port answers: ours ≤ 1.5 × nmap -sT; (b) dropped: ours ≥ 20× faster than the
 * faster nmap; (d) mix: ≥ 5× faster than nmap -sT; every case: no wrong port.
 */
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { benchCases, ProbeLab, type ProbeCase } from "./probe-lab.js";
import {
  runNmap,
  runOurs,
  runSweep,
  wrongPorts,
  type Run,
  type SweepKind,
  type Tool,
} from "./probe-tools.js";

interface Args {
  cases: string;
  reps: number;
  nmapRepsDrop: number;
  tools: Tool[];
  capMs: number;
  maxInFlight: number;
  json?: string;
  extra: string[];
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    cases: "abcd",
    reps: 3,
    nmapRepsDrop: 3,
    tools: ["ours", "sweep", "nmap-sT", "nmap-sS"],
    capMs: 600_000,
    maxInFlight: 2000,
    extra: [],
  };
  const dd = argv.indexOf("--");
  if (dd >= 0) a.extra = argv.splice(dd).slice(1);
  for (let k = 0; k < argv.length; k += 2) {
    const v = argv[k + 1] ?? "";
    switch (argv[k]) {
      case "--cases":
        a.cases = v;
        break;
      case "--reps":
        a.reps = Number(v);
        break;
      case "--nmap-reps-drop":
        a.nmapRepsDrop = Number(v);
        break;
      case "--tools":
        a.tools = v.split(",") as Tool[];
        break;
      case "--cap":
        a.capMs = Number(v) * 1000;
        break;
      case "--max-in-flight":
        a.maxInFlight = Number(v);
        break;
      case "--json":
        a.json = v;
        break;
      default:
        throw new Error(`unknown option ${argv[k]}`);
    }
  }
  return a;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const kindOf = (tool: Tool): SweepKind =>
  tool.endsWith("-js") ? "js" : tool.endsWith("-native") ? "native" : "";

async function runTool(lab: ProbeLab, c: ProbeCase, tool: Tool, a: Args): Promise<Run> {
  switch (tool) {
    case "ours":
    case "ours-js":
    case "ours-native":
      return runOurs(lab, c, a.capMs, a.extra, kindOf(tool));
    case "sweep":
    case "sweep-js":
    case "sweep-native":
      return runSweep(lab, c, a.capMs, a.maxInFlight, kindOf(tool));
    case "nmap-sT":
      return runNmap(lab, c, "sT", a.capMs);
    case "nmap-sS":
      return runNmap(lab, c, "sS", a.capMs);
  }
}

interface Summary {
  tool: Tool;
  walls: number[];
  medianMs: number;
  capped: boolean;
  wrong: number[];
  notes: string[];
}

async function benchCase(lab: ProbeLab, c: ProbeCase, a: Args): Promise<Summary[]> {
  lab.firewall(c);
  const sums = new Map<Tool, Summary>(
    a.tools.map((t) => [t, { tool: t, walls: [], medianMs: 0, capped: false, wrong: [], notes: [] }]),
  );
  for (let rep = 0; rep < a.reps; rep++)
    for (const tool of a.tools) {
      if (c.id === "b" && tool.startsWith("nmap") && rep >= a.nmapRepsDrop) continue;
      await new Promise((r) => setTimeout(r, 500)); // let the previous run's sockets settle
      const r = await runTool(lab, c, tool, a);
      const s = sums.get(tool)!;
      s.walls.push(r.wallMs);
      s.capped ||= r.capped;
      s.wrong.push(r.capped ? -1 : wrongPorts(c, r.states));
      if (r.note) s.notes.push(r.note);
      const seen: Record<string, number> = {};
      for (const st of r.states.values()) seen[st] = (seen[st] ?? 0) + 1;
      console.error(`    states seen: ${JSON.stringify(seen)}`);
      console.error(
        `  (${c.id}) rep ${rep + 1} ${tool}: ${(r.wallMs / 1000).toFixed(2)} s${r.capped ? " CAPPED" : ""}, wrong ${r.capped ? "?" : wrongPorts(c, r.states)}${r.note ? ` [${r.note}]` : ""}`,
      );
    }
  for (const s of sums.values()) s.medianMs = median(s.walls);
  return [...sums.values()];
}

function goal(c: ProbeCase, ours: Summary | undefined, sums: Summary[]): string {
  const m = (t: Tool): Summary | undefined => sums.find((s) => s.tool === t && s.walls.length > 0);
  if (!ours) return "";
  const sT = m("nmap-sT");
  const nmaps = [sT, m("nmap-sS")].filter((s): s is Summary => s !== undefined);
  if (nmaps.length === 0) return "(no nmap run)";
  const best = nmaps.reduce((x, y) => (x.medianMs <= y.medianMs ? x : y));
  const lb = (s: Summary): string => (s.capped ? "≥ " : "");
  switch (c.id) {
    case "b": {
      const r = best.medianMs / ours.medianMs;
      return `${lb(best)}${r.toFixed(1)}× faster than ${best.tool} (goal ≥ 20×: ${r >= 20 ? "met" : best.capped ? "not shown (nmap capped)" : `missed by ${(20 / r).toFixed(2)}×`})`;
    }
    case "d": {
      if (!sT) return "";
      const r = sT.medianMs / ours.medianMs;
      return `${r.toFixed(2)}× faster than nmap-sT (goal ≥ 5×: ${r >= 5 ? "met" : `missed by ${(5 / r).toFixed(2)}×`})`;
    }
    default: {
      if (!sT) return "";
      const r = ours.medianMs / sT.medianMs;
      return `${r.toFixed(2)}× nmap-sT's time (goal ≤ 1.5×: ${r <= 1.5 ? "met" : `missed by ${(r / 1.5).toFixed(2)}×`})`;
    }
  }
}

function table(c: ProbeCase, sums: Summary[]): string {
  const lines = [
    `### (${c.id}) ${c.title}`,
    "",
    "| tool | runs (s) | median wall | wrong ports per run |",
    "|---|---|---|---|",
  ];
  for (const s of sums) {
    if (s.walls.length === 0) continue;
    const runs = s.walls.map((w) => (w / 1000).toFixed(2)).join(", ");
    lines.push(
      `| ${s.tool} | ${runs} | ${s.capped ? "≥ " : ""}${(s.medianMs / 1000).toFixed(2)} s | ${s.wrong.map((w) => (w < 0 ? "? (capped)" : w)).join(", ")} |`,
    );
  }
  lines.push("");
  for (const ours of sums.filter((s) => s.tool.startsWith("ours") && s.walls.length > 0))
    lines.push(`${ours.tool} vs goal: ${goal(c, ours, sums)}`);
  for (const sweep of sums.filter((s) => s.tool.startsWith("sweep") && s.notes.length > 0))
    lines.push("", ...sweep.notes.map((n) => `- ${sweep.tool} driver: ${n}`));
  return lines.join("\n") + "\n";
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) throw new Error("run as root (namespaces, nftables, nmap -sS)");
  const lab = new ProbeLab();
  const stop = (): void => {
    lab.close();
    process.exit(130);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const report: Record<string, Summary[]> = {};
  try {
    lab.up();
    const cases = benchCases().filter((c) => a.cases.includes(c.id));
    await lab.listen([...new Set(cases.flatMap((c) => c.ports))]);
    console.log(
      `# probe bench ${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? "?"} · Node ${process.version} · reps ${a.reps}\n`,
    );
    for (const c of cases) {
      console.error(`case (${c.id}) ${c.title}`);
      const before = loadavg()[0]!.toFixed(2);
      report[c.id] = await benchCase(lab, c, a);
      console.log(
        table(c, report[c.id]!) + `\n(load average before/after: ${before} / ${loadavg()[0]!.toFixed(2)})\n`,
      );
    }
  } finally {
    lab.close();
  }
  if (a.json) writeFileSync(a.json, JSON.stringify(report, null, 2) + "\n");
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
