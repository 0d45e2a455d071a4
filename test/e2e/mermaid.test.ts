/**
 * Our Mermaid output read by Mermaid itself (the npm package's browser bundle, in Chromium, strict
 * security level): every catalog topology parses and renders, and hostile endpoint names come out
 * as the same text, never as markup.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { labelText } from "../../src/diagram/graph.js";
import { diagramOf } from "../../src/diagram/index.js";
import { renderMermaid } from "../../src/diagram/mermaid.js";
import { ROOT } from "../cli/run-cli.js";
import { SEED_HOST, topology } from "../report/runs.js";
import { launch, skipWithoutChromium } from "./browser.js";

const MERMAID = createRequire(import.meta.url).resolve("mermaid/dist/mermaid.min.js");
const HOSTILE = `<img src=x onerror="window.hit=1"> & "q" ]|--> end #`;

let browser: Browser | undefined;
let page: Page | undefined;

before(async () => {
  if (skipWithoutChromium) return;
  browser = await launch();
  page = await browser.newPage();
  await page.setContent(`<!DOCTYPE html><html><body><div id="out"></div></body></html>`);
  await page.addScriptTag({ path: MERMAID });
  await page.evaluate(`mermaid.initialize({ startOnLoad: false, securityLevel: "strict" })`);
});
after(async () => browser?.close());

interface Rendered {
  ok: boolean;
  error?: string;
  labels?: string[];
  injected?: number;
}

async function render(text: string): Promise<Rendered> {
  return (await page!.evaluate(
    `(async (t) => {
      try {
        const { svg } = await mermaid.render("d" + Math.floor(performance.now()), t);
        const out = document.getElementById("out");
        out.innerHTML = svg;
        const labels = [...out.querySelectorAll(".nodeLabel, .edgeLabel, .cluster-label")].map((e) => e.textContent);
        return { ok: true, labels, injected: out.querySelectorAll("img, script").length + (window.hit ? 1 : 0) };
      } catch (e) {
        return { ok: false, error: String(e) };
      }
    })(${JSON.stringify(text)})`,
  )) as Rendered;
}

test(
  "every catalog topology's Mermaid text renders in Mermaid",
  { skip: skipWithoutChromium, timeout: 60_000 },
  async () => {
    const dir = join(ROOT, "examples/catalog");
    for (const f of readdirSync(dir)
      .filter((x) => x.endsWith(".yaml"))
      .sort()) {
      const g = diagramOf(topology(join(dir, f)).bound);
      const r = await render(renderMermaid(g));
      assert.ok(r.ok, `${f}: ${r.error}`);
      const drawn = (r.labels ?? []).join("\n");
      for (const e of g.edges)
        for (const l of e.lines) assert.ok(drawn.includes(labelText(l)), `${f}: ${labelText(l)} not drawn`);
    }
  },
);

test(
  "hostile names come out as text in Mermaid, not as markup",
  { skip: skipWithoutChromium, timeout: 30_000 },
  async () => {
    const b = topology(SEED_HOST).bound;
    const evil = { ...b, endpoints: b.endpoints.map((e) => ({ ...e, name: `${e.name} ${HOSTILE}` })) };
    const r = await render(renderMermaid(diagramOf(evil)));
    assert.ok(r.ok, r.error);
    assert.equal(r.injected, 0);
    assert.ok(
      (r.labels ?? []).some((l) => l.includes(`Clients ${HOSTILE}`)),
      JSON.stringify(r.labels),
    );
  },
);
