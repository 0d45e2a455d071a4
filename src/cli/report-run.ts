/** What `portmatrix diagram`, `portmatrix report` and `portmatrix serve` do (src/cli/report.ts registers them). */
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { DnsOutput, type DnsOutputT } from "../dns/check.js";
import { DIAGRAM_FORMATS, renderDiagram } from "../diagram/index.js";
import type { BoundTopology } from "../model/flow.js";
import { parseRun, type RunKind, type RunResults } from "../diagram/results.js";
import { renderReportHtml } from "../report/html.js";
import { readJson, readJsonFile, writeFilesAtomic } from "../shell/files.js";
import { loadTopology, type LoadedTopology } from "../shell/load.js";
import { choice, EXIT, InputError } from "./io.js";
import type { ResultOptions } from "./report.js";

export async function runDiagram(opts: ResultOptions & { format: string; output?: string }): Promise<number> {
  const format = choice("--format", opts.format, DIAGRAM_FORMATS);
  const { loaded, results } = loadInputs(opts);
  emit(await renderDiagram(loaded.bound, format, results), opts.output);
  return EXIT.ok;
}

export async function runReport(opts: ResultOptions & { output?: string }): Promise<number> {
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
}

export async function runServe(opts: {
  db: string;
  listen: string;
  token?: string;
  topology?: string;
}): Promise<number> {
  const loaded = opts.topology !== undefined ? loadInputs({ topology: opts.topology }).loaded : undefined;
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
