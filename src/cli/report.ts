/** `portmatrix diagram`, `portmatrix report` and `portmatrix serve`. */
import type { Command } from "commander";
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { DnsOutput, type DnsOutputT } from "../dns/check.js";
import { DIAGRAM_FORMATS, renderDiagram } from "../diagram/index.js";
import type { BoundTopology } from "../model/flow.js";
import { parseRun, type RunKind, type RunResults } from "../diagram/results.js";
import { renderReportHtml } from "../report/html.js";
import { readJson, readJsonFile, writeFilesAtomic } from "../shell/files.js";
import { loadTopology, type LoadedTopology } from "../shell/load.js";
import { defaultDbPath } from "../store/path.js";
import { choice, EXIT, InputError } from "./io.js";
import type { Runner } from "./commands.js";

interface ResultOptions {
  topology?: string;
  audit?: string;
  probe?: string;
  dns?: string;
}

export function registerReport(program: Command, run: Runner): void {
  program
    .command("diagram")
    .description(
      "draw the topology's flows: zones or host and endpoints as boxes, flows as arrows coloured by audit/probe verdicts",
    )
    .option("-t, --topology <file>", "the topology")
    .option("--format <format>", `${DIAGRAM_FORMATS.join(", ")}`, "svg")
    .option("--audit <json>", "colour by this audit run (portmatrix audit --format json)")
    .option("--probe <json>", "colour by this probe run (portmatrix probe --format json)")
    .option("-o, --output <file>", "write to a file instead of standard output")
    .action((opts: ResultOptions & { format: string; output?: string }) =>
      run(async () => {
        const format = choice("--format", opts.format, DIAGRAM_FORMATS);
        const { loaded, results } = loadInputs(opts);
        emit(await renderDiagram(loaded.bound, format, results), opts.output);
        return EXIT.ok;
      }),
    );

  program
    .command("report")
    .description(
      "write one self-contained HTML report: the matrix, the diagram, audit findings and probe results",
    )
    .option("-t, --topology <file>", "the topology")
    .option("--audit <json>", "include this audit run (portmatrix audit --format json)")
    .option("--probe <json>", "include this probe run (portmatrix probe --format json)")
    .option("--dns <json>", "include this DNS check (portmatrix dns --format json)")
    .option("-o, --output <file>", "the HTML file to write (default: standard output)")
    .action((opts: ResultOptions & { output?: string }) =>
      run(async () => {
        const { loaded, results } = loadInputs(opts);
        const dns = opts.dns === undefined ? undefined : readDns(opts.dns, loaded.bound.profileId);
        const diagramSvg = await renderDiagram(loaded.bound, "svg", results);
        const html = renderReportHtml({
          profile: loaded.profile.profile,
          topology: loaded.bound,
          topologyFile: opts.topology ?? "",
          diagramSvg,
          ...results,
          ...(dns ? { dns } : {}),
        });
        emit(html, opts.output);
        return EXIT.ok;
      }),
    );

  program
    .command("serve")
    .description(
      "dashboard of saved audit and probe runs: flow history, diffs, loading runs (binds loopback unless told)",
    )
    .option("--db <file>", "the run database (SQLite)", defaultDbPath())
    .option(
      "--listen <host:port>",
      "address to listen on; a non-loopback address needs --token",
      "127.0.0.1:8080",
    )
    .option(
      "--token <token>",
      "require this token (Authorization: Bearer, or ?token= once per browser); default $PORTMATRIX_TOKEN, which stays out of the process list",
    )
    .option("-t, --topology <file>", "give the runs of this topology its diagram and a report")
    .action((opts: { db: string; listen: string; token?: string; topology?: string }) =>
      run(async () => {
        const loaded =
          opts.topology !== undefined ? loadInputs({ topology: opts.topology }).loaded : undefined;
        const topology = loaded && {
          bound: loaded.bound,
          profile: loaded.profile.profile,
          file: opts.topology ?? "",
        };
        const token = opts.token ?? process.env.PORTMATRIX_TOKEN;
        const { serveDashboard } = await import("../web/serve.js"); // SQLite and HTTP only for serve
        return serveDashboard({
          db: opts.db,
          listen: opts.listen,
          ...(token !== undefined && token !== "" ? { token } : {}),
          ...(topology ? { topology } : {}),
        });
      }),
    );
}

function need(option: string, value: string | undefined): string {
  if (value !== undefined) return value;
  throw new InputError([
    {
      code: "missing-option",
      severity: "error",
      message: `${option} is required`,
      expected: `${option} <file>`,
    },
  ]);
}

function loadInputs(opts: ResultOptions): { loaded: LoadedTopology; results: RunResults } {
  const t = loadTopology(need("--topology", opts.topology));
  if (!t.ok) throw new InputError(t.diagnostics);
  const results: RunResults = {};
  if (opts.audit !== undefined) {
    const r = readRun(opts.audit, "audit");
    if (r.kind === "audit") results.audit = r.run;
  }
  if (opts.probe !== undefined) {
    const r = readRun(opts.probe, "probe");
    if (r.kind === "probe") results.probe = r.run;
  }
  const problems = mismatches(t.value.bound, results, opts);
  if (problems.length > 0) throw new InputError(problems);
  return { loaded: t.value, results };
}

/** Verdicts of another matrix would colour this one wrongly: refuse them rather than mislead. */
function mismatches(bound: BoundTopology, results: RunResults, opts: ResultOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (results.audit && results.audit.profile !== bound.profileId)
    out.push({
      code: "profile-mismatch",
      severity: "error",
      message: `${opts.audit}: the audit is of profile "${results.audit.profile}", the topology binds "${bound.profileId}"`,
      expected: `an audit made with this topology`,
    });
  const ids = new Set(bound.flows.map((f) => f.id));
  if (
    results.probe &&
    results.probe.results.length > 0 &&
    !results.probe.results.some((r) => ids.has(r.flow))
  )
    out.push({
      code: "profile-mismatch",
      severity: "error",
      message: `${opts.probe}: the probe run names none of the flows of profile "${bound.profileId}"`,
      expected: `a probe run made with this topology`,
    });
  return out;
}

/** Reads a `dns --format json` file of this profile; every problem is an InputError (exit 2). */
function readDns(path: string, profileId: string): DnsOutputT {
  const r = readJsonFile(path, DnsOutput, "the output of portmatrix dns --format json");
  if (!r.ok) throw new InputError(r.diagnostics);
  if (r.value.profile !== profileId)
    throw new InputError([
      diag(
        "profile-mismatch",
        "error",
        `${path}: the DNS check is of profile "${r.value.profile}", the topology binds "${profileId}"`,
        { expected: "a DNS check made with this topology" },
      ),
    ]);
  return r.value;
}

/** Reads and validates a run file; every problem is an InputError (exit 2). */
export function readRun(path: string, kind: RunKind): Extract<ReturnType<typeof parseRun>, { ok: true }> {
  const json = readJson(path, `the output of portmatrix ${kind} --format json`);
  if (!json.ok) throw new InputError(json.diagnostics);
  const parsed = parseRun(json.value, path, kind, json.locate);
  if (!parsed.ok) throw new InputError(parsed.diagnostics);
  return parsed;
}

function emit(text: string, output: string | undefined): void {
  if (output === undefined) process.stdout.write(text);
  else writeFilesAtomic([{ path: output, text }]);
}
