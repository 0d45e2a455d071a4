/**
 * `extends`: a profile that shares another's rows (Subscription Edition → 2019). The merged profile has
 * the base's rows first, its own after, `drop` takes base rows out; a problem is reported in the file
 * that holds it; an unknown dropped row and a loop of extends are errors.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadProfile } from "../../src/shell/load.js";
import { renderDiagnostic } from "../../src/diag/diagnostic.js";

const dir = mkdtempSync(join(tmpdir(), "pm-extends-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("Subscription Edition profiles carry 2019's rows, cited to 2019's page, with their own product and lifecycle", () => {
  for (const side of ["external", "internal", "hlb-external", "hlb-internal"]) {
    const se = loadProfile(`sfbse-edge-${side}`);
    const base = loadProfile(`sfb2019-edge-${side}`);
    assert.ok(se.ok && base.ok);
    assert.deepEqual(se.value.profile.flows, base.value.profile.flows, side);
    assert.deepEqual(se.value.profile.dns, base.value.profile.dns, side);
    assert.equal(se.value.profile.product, "Skype for Business Server Subscription Edition");
    assert.equal(se.value.profile.support, "sfb-server-se");
    assert.equal(
      Object.keys(se.value.profile.sources)[0],
      Object.keys(base.value.profile.sources)[0],
      "rows cite the base's page",
    );
  }
});

test("own rows follow the base's, drop removes base rows, problems are located in their own file", () => {
  const base = join(dir, "base.yaml");
  writeFileSync(
    base,
    [
      "id: base",
      "title: Base",
      "product: P",
      "sources: {s: {title: S, url: https://example.com}}",
      "endpoints: {a: {name: A}, b: {name: B}}",
      "flows:",
      "  - {id: one, role: R, protocol: X, transport: tcp, ports: 1, from: a, to: b}",
      "  - {id: two, role: R, protocol: X, transport: tcp, ports: 70000, from: a, to: b}",
      "",
    ].join("\n"),
  );
  const child = join(dir, "child.yaml");
  writeFileSync(
    child,
    [
      "id: child",
      "extends: ./base.yaml",
      "drop: [one, nine]",
      "flows:",
      "  - {id: three, role: R, protocol: X, transport: udp, ports: 3, from: a, to: c}",
      "",
    ].join("\n"),
  );
  const r = loadProfile(child);
  assert.ok(!r.ok);
  const lines = r.diagnostics.map(renderDiagnostic).sort();
  assert.ok(
    lines.some((l) => /base\.yaml:8:\d+: error\[invalid-port\]/.test(l)),
    lines.join("\n"),
  );
  assert.ok(
    lines.some((l) =>
      /child\.yaml:5:\d+: error\[unknown-endpoint\]: flow "three" names unknown endpoint "c"/.test(l),
    ),
    lines.join("\n"),
  );
  assert.ok(
    lines.some((l) => /child\.yaml:3:\d+: error\[unknown-flow\]: drop names "nine"/.test(l)),
    lines.join("\n"),
  );
  writeFileSync(base, "id: base\nextends: ./child.yaml\n");
  const loop = loadProfile(child);
  assert.ok(!loop.ok);
  assert.match(loop.diagnostics.map(renderDiagnostic).join("\n"), /error\[extends-loop\]/);
});
