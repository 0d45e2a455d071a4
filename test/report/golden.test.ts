/**
 * Goldens: the seed behind a perimeter firewall, coloured by the real probe run of
 * fixtures/probe-seed-perimeter.json, as SVG, Mermaid, DOT and the HTML report, compared byte for
 * byte with test/report/golden/. A change to the layout, the renderers, the seed profile or elkjs
 * shows here as a diff to review. `UPDATE_GOLDEN=1` rewrites them; a missing golden fails.
 *
 * What changes from one probe run to the next (start times, durations, round trips, the generated
 * certificate's expiry) is pinned here, so a fixture made again by make-probe.sh with the same
 * states gives the same goldens; the report still shows those values.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { renderDiagram } from "../../src/diagram/index.js";
import type { ProbeOutputT } from "../../src/probe/result.js";
import { renderReportHtml } from "../../src/report/html.js";
import { ROOT } from "../cli/run-cli.js";
import { probeFixture, topology } from "./runs.js";

const GOLDEN = join(ROOT, "test/report/golden");
const SEED_PERIMETER = join(ROOT, "examples/seed-perimeter.yaml");

const PINNED_AT = "2026-11-25T08:00:00.000Z";
const PINNED_EXPIRY = "2026-12-02";

/** The run with its times pinned: every start, the duration, round trips and certificate expiry. */
function pinned(p: ProbeOutputT): ProbeOutputT {
  return {
    ...p,
    startedAt: PINNED_AT,
    runs: p.runs?.map((r) => ({ ...r, startedAt: PINNED_AT })),
    summary: { ...p.summary, durationMs: 1000 },
    results: p.results.map((r) => ({
      ...r,
      ...(r.rttMs !== undefined ? { rttMs: 1 } : {}),
      ...(r.tls ? { tls: { ...r.tls, notAfter: `${PINNED_EXPIRY}T00:00:00.000Z` } } : {}),
      detail: r.detail.replace(/ until \d{4}-\d{2}-\d{2} /, ` until ${PINNED_EXPIRY} `),
    })),
  };
}

function golden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === "1") {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  assert.ok(existsSync(path), `missing golden ${name}: run with UPDATE_GOLDEN=1 and review it`);
  assert.equal(actual, readFileSync(path, "utf8"), `${name} differs from its golden`);
}

test("seed-perimeter goldens: svg, mermaid, dot and the report", async () => {
  const t = topology(SEED_PERIMETER);
  const results = { probe: pinned(probeFixture()) };
  const svg = await renderDiagram(t.bound, "svg", results);
  golden("seed-perimeter.svg", svg);
  golden("seed-perimeter.mmd", await renderDiagram(t.bound, "mermaid", results));
  golden("seed-perimeter.dot", await renderDiagram(t.bound, "dot", results));
  const html = renderReportHtml({
    profile: t.profile.profile,
    topology: t.bound,
    topologyFile: "examples/seed-perimeter.yaml",
    diagramSvg: svg,
    ...results,
  });
  golden("seed-perimeter.report.html", html);
});
