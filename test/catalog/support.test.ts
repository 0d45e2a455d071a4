/**
 * Product lifecycles in the catalog: every built-in profile names its product's support lifecycle,
 * cited to Microsoft's lifecycle pages, and show, audit and the report say when the product is no
 * longer supported — judged against the as-of date passed in (the last day of support still counts).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { audit } from "../../src/audit/audit.js";
import { AuditReport } from "../../src/audit/report-schema.js";
import { productSupport } from "../../src/model/profile.js";
import { renderAuditText } from "../../src/report/audit-text.js";
import { showOutputSchema } from "../../src/report/show-schema.js";
import { builtinProfileIds, loadProfile, loadTopology } from "../../src/shell/load.js";
import { ROOT, runCli } from "../cli/run-cli.js";

/** The end of extended support per product, from the lifecycle pages (read 2026-12-02). */
const ENDED: Record<string, string | undefined> = {
  "Lync Server 2013": "2023-04-11",
  "Skype for Business Server 2015": "2025-10-14",
  "Skype for Business Server 2019": "2025-10-14",
  "Skype for Business Server Subscription Edition": undefined,
};
/** Profiles whose product spans server versions: the Edge's own profile carries its version's lifecycle. */
const VERSIONLESS = new Set(["Skype for Business Server hybrid with Microsoft 365"]);

test("every built-in profile names its product's lifecycle, cited to a lifecycle page it read", () => {
  for (const id of builtinProfileIds()) {
    const p = loadProfile(id);
    assert.ok(p.ok, `${id}: ${JSON.stringify(p.diagnostics)}`);
    const { profile } = p.value;
    const s = productSupport(profile, "2026-11-25");
    if (VERSIONLESS.has(profile.product)) {
      assert.equal(s, undefined, `${id}: no one product version to judge`);
      continue;
    }
    assert.ok(s, `${id} names a support lifecycle`);
    assert.ok(profile.product in ENDED, `${id}: a product the test knows (${profile.product})`);
    assert.equal(s.ended, ENDED[profile.product], `${id}: end of support of ${profile.product}`);
    assert.equal(s.unsupported, ENDED[profile.product] !== undefined, id);
    const src = profile.lifecycles[s.lifecycle]!.source;
    assert.ok(
      src && /learn\.microsoft\.com\/(en-us\/)?lifecycle\//i.test(profile.sources[src]?.url ?? ""),
      `${id}: cited`,
    );
    assert.ok(profile.sources[src]?.accessed, `${id}: the date the page was read`);
  }
});

test("the last day of support still counts as supported; the day after does not", () => {
  const p = loadProfile("sfb2019-edge-external");
  assert.ok(p.ok);
  assert.equal(productSupport(p.value.profile, "2025-10-14")!.unsupported, false);
  assert.equal(productSupport(p.value.profile, "2025-10-15")!.unsupported, true);
  assert.equal(productSupport(p.value.profile)!.unsupported, false, "no date, no verdict");
});

test("show lync2013-public-im and the SfB profiles say their product's support has ended", () => {
  for (const id of ["lync2013-public-im", "sfb2015-edge-external", "sfb2019-edge-internal"]) {
    const r = runCli(["show", id]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout.split("\n")[1]!,
      /^unsupported product: .* reached the end of support on 20\d\d-\d\d-\d\d \(as of 2026-11-25\)/,
    );
    assert.match(r.stderr, /warning: unsupported product:/);
  }
  const j = runCli(["show", "sfb2019-edge-external", "--format", "json"]);
  const doc = showOutputSchema.parse(JSON.parse(j.stdout));
  assert.deepEqual(
    [doc.profile.support?.ended, doc.profile.support?.unsupported, doc.profile.support?.asOf],
    ["2025-10-14", true, "2026-11-25"],
  );
  const before = runCli(["show", "sfb2019-edge-external"], { env: { PORTMATRIX_AS_OF: "2025-10-01" } });
  assert.doesNotMatch(before.stdout + before.stderr, /unsupported product/);
});

test("audit (JSON and text) carries the product's support verdict", () => {
  const t = loadTopology(join(ROOT, "examples/catalog/sfb2019-edge-internal.yaml"), "2026-11-25");
  assert.ok(t.ok, JSON.stringify(t.diagnostics));
  const report = AuditReport.parse(audit(t.value.bound, []));
  assert.equal(report.support?.unsupported, true);
  assert.equal(report.support?.product, "Skype for Business Server 2019");
  assert.match(
    renderAuditText(report),
    /unsupported product: Skype for Business Server 2019 reached the end of support on 2025-10-14/,
  );
});
