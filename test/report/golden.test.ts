/**
 * Goldens: the seed behind a perimeter firewall, coloured by the hand-made probe fixture, as SVG,
 * Mermaid, DOT and the HTML report, compared byte for byte with test/report/golden/. A change to
 * the layout, the renderers, the seed profile or elkjs shows here as a diff to review.
 * `UPDATE_GOLDEN=1` rewrites them; a missing golden fails.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { renderDiagram } from "../../src/diagram/index.js";
import { renderReportHtml } from "../../src/report/html.js";
import { ROOT } from "../cli/run-cli.js";
import { probeFixture, topology } from "./runs.js";

const GOLDEN = join(ROOT, "test/report/golden");
const SEED_PERIMETER = join(ROOT, "examples/seed-perimeter.yaml");

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
  const results = { probe: probeFixture() };
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
