/**
 * End to end in Chromium: `portmatrix serve` on 127.0.0.1 with a fresh database; two audit runs
 * loaded through the page (one pasted, one chosen as a file), a click through to a flow's history,
 * the diff of the two runs; then the HTML report file opened from disk. Screenshots of the
 * dashboard and the report, and a PDF print of the report, go to test-output/. Every request the
 * browser makes is checked to stay on loopback (dashboard) or in the file (report).
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { REPORT_MATRIX_HEADERS } from "../../src/report/html.js";
import { CLI, ROOT, runCli } from "../cli/run-cli.js";
import { ASA_TOPOLOGY, PROBE_FIXTURE, realAudit, topology } from "../report/runs.js";
import { launch, OUTPUT, skipWithoutChromium } from "./browser.js";

const dir = mkdtempSync(join(tmpdir(), "pm-e2e-"));
const firstAudit = join(dir, "audit-1.json");
const secondAudit = join(dir, "audit-2.json");
let browser: Browser | undefined;
let serve: ChildProcess | undefined;
let base = "";

function startServe(): Promise<string> {
  serve = spawn(
    process.execPath,
    [CLI, "serve", "--db", join(dir, "runs.sqlite"), "--listen", "127.0.0.1:0", "-t", ASA_TOPOLOGY],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const child = serve;
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`serve printed no address: ${out}`)), 15_000);
    child.stdout?.setEncoding("utf8").on("data", (c: string) => {
      out += c;
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    child.on("exit", (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
}

/** Fails the test if the page asks for anything but the allowed origins. */
function watchRequests(page: Page, allowed: (url: string) => boolean): string[] {
  const stray: string[] = [];
  page.on("request", (r) => {
    if (!allowed(r.url())) stray.push(r.url());
  });
  return stray;
}

before(async () => {
  if (skipWithoutChromium) return;
  writeFileSync(firstAudit, JSON.stringify(realAudit()));
  // The second run: the ASA loses its SIP/TLS permit, so two flows become blocked.
  const edited = realAudit(undefined, undefined, (t) =>
    t.replace(
      /^access-list outside_in extended permit tcp any object edge-access object-group sip-tls\n/m,
      "",
    ),
  );
  writeFileSync(secondAudit, JSON.stringify(edited));
  [base, browser] = await Promise.all([startServe(), launch()]);
});

after(async () => {
  await browser?.close();
  if (serve && serve.exitCode === null) {
    const exited = new Promise((r) => serve?.once("exit", r));
    serve.kill("SIGTERM");
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

test(
  "dashboard: load two runs, follow a flow's history, compare the runs",
  { skip: skipWithoutChromium, timeout: 60_000 },
  async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const stray = watchRequests(page, (u) => u.startsWith(base));

    // Run 1: pasted into the form.
    await page.goto(`${base}load`);
    await page.selectOption("#kind", "audit");
    await page.fill("#json", JSON.stringify(realAudit()));
    await Promise.all([page.waitForURL(`${base}runs/1`), page.click("#save")]);
    assert.equal(await page.textContent("h1"), "Run #1 (audit)");

    // Run 2: chosen as a file; the page's script reads it into the form.
    await page.goto(`${base}load`);
    await page.setInputFiles("#file", secondAudit);
    await page.waitForFunction(`document.getElementById("json").value.length > 0`);
    await Promise.all([page.waitForURL(`${base}runs/2`), page.click("#save")]);
    assert.equal(await page.textContent("#flow-sip-mtls-in td:nth-child(2)"), "✗ blocked");

    // The run's diagram (serve -t): the flow's label line is red; clicking it opens the flow's
    // history, newest first, the change marked.
    assert.equal(await page.getAttribute('#diagram g.flow[data-flow="sip-mtls-in"]', "data-mark"), "failed");
    await page.screenshot({ path: join(OUTPUT, "dashboard-run.png"), fullPage: true });
    // The run's report, made by the dashboard: the matrix with this run's verdicts, its own styles.
    await Promise.all([page.waitForURL(`${base}runs/2/report`), page.click("#report-link")]);
    assert.equal(await page.locator("table.matrix tbody tr").count(), 6);
    assert.equal(await page.textContent("#flow-sip-mtls-in td:nth-child(8)"), "✗ blocked");
    const th = await page.evaluate(
      `getComputedStyle(document.querySelector("table.matrix th")).backgroundColor`,
    );
    assert.equal(th, "rgb(246, 248, 250)", "the report's inline stylesheet applies");
    await Promise.all([page.waitForURL(`${base}runs/2`), page.goBack()]);
    await Promise.all([
      page.waitForURL(`${base}flows/sip-mtls-in`),
      page.click('#diagram g.flow[data-flow="sip-mtls-in"]'),
    ]);
    assert.equal(
      await page.textContent("#about"),
      "Access SIP(MTLS) TCP 5061: Public IM connectivity partners → Edge Server Access interface. For federated and public IM connectivity that use SIP.",
    );
    const history = await page.$$eval("#history tbody tr", (rows) =>
      rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent ?? "")),
    );
    assert.deepEqual(
      history.map((r) => [r[0], r[3], r[5]]),
      [
        ["#2 audit", "✗ blocked", "changed from allowed"],
        ["#1 audit", "✓ allowed", ""],
      ],
    );
    assert.equal(await page.getAttribute("#history tbody tr:first-child", "class"), "changed");
    await page.screenshot({ path: join(OUTPUT, "dashboard-flow-history.png"), fullPage: true });

    // Compare the two runs from the runs page.
    await page.goto(base);
    assert.equal(await page.locator("#runs tbody tr").count(), 2);
    await page.screenshot({ path: join(OUTPUT, "dashboard.png"), fullPage: true });
    await Promise.all([page.waitForURL(/\/diff\?a=1&b=2$/), page.click("#diff-go")]);
    assert.equal(await page.textContent("#diff-summary"), "2 of 6 flows differ.");
    const changed = await page.$$eval('#diff tr[data-change="changed"]', (rows) =>
      rows.map((r) => r.getAttribute("data-flow")),
    );
    assert.deepEqual(changed, ["sip-mtls-in", "sip-tls-clients"]);
    await page.screenshot({ path: join(OUTPUT, "dashboard-diff.png"), fullPage: true });
    assert.deepEqual(stray, [], "requests beyond the dashboard");
    await page.close();
  },
);

test(
  "report: the HTML file renders the matrix, the diagram and the findings, offline, and prints",
  { skip: skipWithoutChromium, timeout: 60_000 },
  async () => {
    const file = join(OUTPUT, "report.html");
    const r = runCli([
      "report",
      "-t",
      ASA_TOPOLOGY,
      "--audit",
      firstAudit,
      "--probe",
      PROBE_FIXTURE,
      "-o",
      file,
    ]);
    assert.equal(r.status, 0, r.stderr);
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const url = pathToFileURL(file).href;
    const stray = watchRequests(page, (u) => u === url);
    await page.goto(url);
    const headers = await page.$$eval("table.matrix thead th", (ths) => ths.map((th) => th.textContent));
    // The column list itself is checked in test/report/html.test.ts; here: the browser shows it.
    assert.deepEqual(headers, REPORT_MATRIX_HEADERS);
    assert.equal(await page.locator("table.matrix tbody tr").count(), 6);
    assert.equal(await page.textContent("#flow-sip-mtls-in td:nth-child(8)"), "✓ allowed");
    const svg = await page.locator("#diagram svg").boundingBox();
    assert.ok(svg && svg.width > 300 && svg.height > 200, `diagram drawn: ${JSON.stringify(svg)}`);
    assert.equal(
      await page.locator('#diagram g.flow[data-mark="failed"]').count(),
      1,
      "stun-udp-in is red (probe fixture)",
    );
    await page.screenshot({ path: join(OUTPUT, "report.png"), fullPage: true });
    await page.emulateMedia({ media: "print" });
    assert.equal(await page.locator("nav").isVisible(), false, "navigation hidden in print");
    // A4 landscape at 96 dpi is 1123 px wide: the matrix fits without being cut.
    await page.setViewportSize({ width: 1123, height: 794 });
    const right = await page.$eval("table.matrix", (t) => t.getBoundingClientRect().right);
    assert.ok(right <= 1123, `matrix ${right}px wide in print`);
    await page.pdf({
      path: join(OUTPUT, "report.pdf"),
      format: "A4",
      landscape: true,
      printBackground: true,
    });
    assert.ok(statSync(join(OUTPUT, "report.pdf")).size > 10_000);
    assert.deepEqual(stray, [], "the report asked for something outside the file");
    await page.close();
  },
);

test(
  "diagram: the largest catalog topology renders in Chromium with every flow label apart",
  { skip: skipWithoutChromium, timeout: 60_000 },
  async () => {
    const catalog = join(ROOT, "examples/catalog");
    const largest = readdirSync(catalog)
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => ({ f, flows: topology(join(catalog, f)).bound.flows.filter((x) => x.active).length }))
      .sort((a, b) => b.flows - a.flows || a.f.localeCompare(b.f))[0]!;
    const file = join(OUTPUT, "diagram-largest.svg");
    const r = runCli(["diagram", "-t", join(catalog, largest.f), "--probe", PROBE_FIXTURE, "-o", file]);
    assert.equal(r.status, 0, r.stderr);
    const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(pathToFileURL(file).href);
    // Measured by the browser's own text layout, not our estimate: no two flow lines overlap.
    const boxes = await page.$$eval("g.flow text", (ts) =>
      ts.map((t) => {
        const b = t.getBoundingClientRect();
        return { x: b.x, y: b.y, w: b.width, h: b.height };
      }),
    );
    assert.equal(boxes.length, largest.flows, "one label line per active flow");
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i]!, boxes[j]!];
        const apart =
          a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y + 0.5 || b.y + b.h <= a.y + 0.5;
        assert.ok(apart, `label lines ${i} and ${j} overlap in ${largest.f}`);
      }
    // Our text-width estimate must not be narrower than what Chromium draws (labels stay in their box).
    const fits = await page.$$eval("g.arrow", (gs) =>
      gs.every((g) => {
        const box = g.querySelector("rect")!.getBoundingClientRect();
        return [...g.querySelectorAll("g.flow text")].every(
          (t) => t.getBoundingClientRect().right <= box.right + 0.5,
        );
      }),
    );
    assert.ok(fits, "a label line runs out of its box");
    // A bare SVG document has no page to scroll: size the viewport to the drawing instead of fullPage.
    const size = await page.$eval("svg", (svg) => ({ width: svg.clientWidth, height: svg.clientHeight }));
    await page.setViewportSize({ width: Math.ceil(size.width), height: Math.ceil(size.height) });
    await page.screenshot({ path: join(OUTPUT, "diagram-largest.png") });
    await page.close();
  },
);
