/**
 * @module The dashboard as one node:http request handler over a run store: routing, the token and
 * host checks, pages and a small JSON API. Server-rendered; no build step.
 *
 *   GET  /                 runs, newest first, and the compare form
 *   GET  /runs/:id         one run: verdict per flow, findings or probe results (+ diagram with -t)
 *   GET  /runs/:id/report  with -t: the run's HTML report
 *   GET  /flows/:flow      one flow's verdict in every run
 *   GET  /diff?a=&b=       two runs side by side, flow by flow
 *   GET  /load, POST /load paste or choose a run's JSON
 *   GET  /api/runs, GET /api/runs/:id, GET /api/flows/:flow, POST /api/runs[?kind=audit|probe]
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { renderDiagnostic } from "../diag/diagnostic.js";
import { flowLine } from "../diagram/graph.js";
import { renderDiagram } from "../diagram/index.js";
import type { BoundTopology } from "../model/flow.js";
import { guessKind, type RunKind, type RunResults } from "../diagram/results.js";
import type { Profile } from "../model/schema.js";
import { renderReportHtml } from "../report/html.js";
import { REPORT_CSS } from "../report/html-style.js";
import {
  diffRuns,
  flowHistory,
  getRun,
  listRuns,
  runJson,
  saveRun,
  type RunStore,
  type StoredRun,
} from "../store/index.js";
import { guard } from "./guard.js";
import { BadRequest, BodyTooLarge, HTML, readBody, redirect, send, sendJson } from "./http.js";
import { diffPage, flowPage, loadPage, LOAD_SCRIPT, messagePage, runPage, runsPage } from "./pages.js";

export interface DashboardOptions {
  store: RunStore;
  /** With `serve --topology`: runs of this topology's profile get its diagram and a report. */
  topology?: ServedTopology;
  token?: string;
  /** Host header values accepted (loopback binds: DNS-rebinding defence); undefined accepts any. */
  allowedHosts?: ReadonlySet<string>;
  /** Clock for saved runs (tests pin it). */
  now?: () => Date;
}

export interface ServedTopology {
  bound: BoundTopology;
  profile: Profile;
  /** As the user named it (shown in the report). */
  file: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

export function dashboardHandler(
  opts: DashboardOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(opts, req, res).catch((e: unknown) => {
      if (e instanceof BodyTooLarge) return send(res, 413, "text/plain; charset=utf-8", `${e.message}\n`);
      if (e instanceof BadRequest) {
        if (!res.headersSent && !res.destroyed) send(res, 400, "text/plain; charset=utf-8", `${e.message}\n`);
        return;
      }
      // A bug: say so without leaking a stack to the browser; the operator sees it on stderr.
      process.stderr.write(
        `portmatrix serve: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      );
      if (!res.headersSent) send(res, 500, "text/plain; charset=utf-8", "internal error\n");
    });
  };
}

async function handle(opts: DashboardOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = URL.canParse(req.url ?? "/", BASE) ? new URL(req.url ?? "/", BASE) : undefined;
  if (!url) return send(res, 400, "text/plain; charset=utf-8", "bad request target\n");
  if (!guard(opts, req, res, url)) return;
  // HEAD is GET without the body (node:http drops the body of HEAD responses itself).
  const method = req.method === "HEAD" ? "GET" : req.method;
  const route = ROUTES.find((r) => r.method === method && r.path.test(url.pathname));
  if (!route) return send(res, 404, HTML, messagePage("Not found", `Nothing at ${url.pathname}.`));
  await route.handler(opts)(req, res, url);
}

const BASE = "http://dashboard.invalid";

/** A path parameter, percent-decoded; a malformed escape is kept as written (it then matches nothing). */
function param(url: URL, re: RegExp): string {
  const raw = re.exec(url.pathname)?.[1] ?? "";
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function runIdOf(text: string | null): number | undefined {
  return text !== null && /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

function kindOf(text: string | null): RunKind | undefined {
  return text === "audit" || text === "probe" ? text : undefined;
}

const RUN = /^\/runs\/(\d{1,15})$/;
const FLOW = /^\/flows\/([^/]+)$/;
const RUN_REPORT = /^\/runs\/(\d{1,15})\/report$/;
const API_RUN = /^\/api\/runs\/(\d{1,15})$/;
const API_FLOW = /^\/api\/flows\/([^/]+)$/;

const ROUTES: Array<{ method: string; path: RegExp; handler: (o: DashboardOptions) => Handler }> = [
  {
    method: "GET",
    path: /^\/$/,
    handler: (o) => (_q, res) => send(res, 200, HTML, runsPage(listRuns(o.store))),
  },
  {
    method: "GET",
    path: RUN,
    handler: (o) => async (_q, res, url) => {
      const run = getRun(o.store, Number(param(url, RUN)));
      if (!run)
        return send(res, 404, HTML, messagePage("No such run", `There is no run ${param(url, RUN)}.`));
      const served = o.topology && belongs(o.topology.bound, run) ? o.topology : undefined;
      const svg = served
        ? await renderDiagram(served.bound, "svg", resultsOf(run), { flowHref: "/flows/" })
        : undefined;
      send(res, 200, HTML, runPage(run, svg));
    },
  },
  {
    method: "GET",
    path: FLOW,
    handler: (o) => (_q, res, url) => {
      const id = param(url, FLOW);
      const f = o.topology?.bound.flows.find((x) => x.id === id);
      const about = f ? `${flowLine(f)}: ${f.source} → ${f.destination}. ${f.notes}` : undefined;
      send(res, 200, HTML, flowPage(id, flowHistory(o.store, id), about));
    },
  },
  {
    method: "GET",
    path: /^\/diff$/,
    handler: (o) => (_q, res, url) => {
      const ids = [runIdOf(url.searchParams.get("a")), runIdOf(url.searchParams.get("b"))];
      const [a, b] = ids.map((id) => (id === undefined ? undefined : getRun(o.store, id)));
      if (!a || !b)
        return send(res, 400, HTML, messagePage("Compare runs", "Choose two saved runs (?a=<id>&b=<id>)."));
      send(res, 200, HTML, diffPage(listRuns(o.store), a, b, diffRuns(a, b)));
    },
  },
  { method: "GET", path: RUN_REPORT, handler: runReport },
  { method: "GET", path: /^\/load$/, handler: () => (_q, res) => send(res, 200, HTML, loadPage()) },
  { method: "POST", path: /^\/load$/, handler: (o) => postLoad(o) },
  {
    method: "GET",
    path: /^\/static\/dashboard\.css$/,
    handler: () => (_q, res) => send(res, 200, "text/css; charset=utf-8", REPORT_CSS),
  },
  {
    method: "GET",
    path: /^\/static\/load\.js$/,
    handler: () => (_q, res) => send(res, 200, "text/javascript; charset=utf-8", LOAD_SCRIPT),
  },
  {
    method: "GET",
    path: /^\/api\/runs$/,
    handler: (o) => (_q, res) => sendJson(res, 200, { version: 1, runs: listRuns(o.store) }),
  },
  {
    method: "GET",
    path: API_RUN,
    handler: (o) => (_q, res, url) => {
      const text = runJson(o.store, Number(param(url, API_RUN)));
      if (text === undefined) return sendJson(res, 404, { error: "no such run" });
      send(res, 200, "application/json; charset=utf-8", text + "\n");
    },
  },
  {
    method: "GET",
    path: API_FLOW,
    handler: (o) => (_q, res, url) =>
      sendJson(res, 200, {
        version: 1,
        flow: param(url, API_FLOW),
        history: flowHistory(o.store, param(url, API_FLOW)),
      }),
  },
  { method: "POST", path: /^\/api\/runs$/, handler: (o) => postApiRun(o) },
];

/** Whether a run is about this topology: an audit of its profile, a probe of some of its flows. */
function belongs(topology: BoundTopology, run: StoredRun): boolean {
  const p = run.parsed;
  if (p.kind === "audit") return p.run.profile === topology.profileId;
  const ids = new Set(topology.flows.map((f) => f.id));
  return p.run.results.some((r) => ids.has(r.flow));
}

function resultsOf(run: StoredRun): RunResults {
  return run.parsed.kind === "audit" ? { audit: run.parsed.run } : { probe: run.parsed.run };
}

/** The report file for one run, as `portmatrix report` would write it. */
function runReport(o: DashboardOptions): Handler {
  return async (_q, res, url) => {
    const run = getRun(o.store, Number(param(url, RUN_REPORT)));
    const served = o.topology;
    if (!run || !served || !belongs(served.bound, run))
      return send(res, 404, HTML, messagePage("No report", "Reports need serve -t with the run's topology."));
    const results = resultsOf(run);
    const diagramSvg = await renderDiagram(served.bound, "svg", results);
    const html = renderReportHtml({
      profile: served.profile,
      topology: served.bound,
      topologyFile: served.file,
      diagramSvg,
      ...results,
    });
    // The report's own inline stylesheet needs 'unsafe-inline'; it has no script.
    send(res, 200, HTML, html, {
      "Content-Security-Policy":
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'",
      "Content-Disposition": `inline; filename="run-${run.summary.id}-report.html"`,
    });
  };
}

function save(o: DashboardOptions, text: string, kind: RunKind | undefined, file: string) {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false as const, errors: [`${file}: not JSON (${(e as Error).message})`] };
  }
  const saved = saveRun(o.store, kind ?? guessKind(json), json, {
    at: (o.now ?? (() => new Date()))(),
    file,
  });
  return saved.ok
    ? { ok: true as const, run: saved.value }
    : { ok: false as const, errors: saved.diagnostics.map(renderDiagnostic) };
}

function postLoad(o: DashboardOptions): Handler {
  return async (req, res) => {
    const form = new URLSearchParams(await readBody(req));
    const text = form.get("json") ?? "";
    const result = save(o, text, kindOf(form.get("kind")), "pasted run");
    if (!result.ok) return send(res, 400, HTML, loadPage(result.errors, text));
    redirect(res, `/runs/${result.run.id}`);
  };
}

function postApiRun(o: DashboardOptions): Handler {
  return async (req, res, url) => {
    const result = save(o, await readBody(req), kindOf(url.searchParams.get("kind")), "request body");
    if (!result.ok) return sendJson(res, 400, { errors: result.errors });
    sendJson(res, 201, { ...result.run, url: `/runs/${result.run.id}` });
  };
}
