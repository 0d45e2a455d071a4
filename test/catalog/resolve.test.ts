/**
 * Every flow of every built-in profile resolves against an example topology (examples/catalog/<id>.yaml;
 * the seed uses examples/seed-perimeter.yaml): both address sets non-empty, ports resolved, every row
 * active with all features on. A topology's `media` override reaches every flow that uses the range.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { portsText } from "../../src/report/matrix.js";
import { builtinProfileIds, loadProfile, loadTopology } from "../../src/shell/load.js";
import { ROOT } from "../cli/run-cli.js";

const AS_OF = "2026-11-25";

function exampleOf(id: string): string {
  return id === "lync2013-public-im"
    ? join(ROOT, "examples/seed-perimeter.yaml")
    : join(ROOT, "examples/catalog", `${id}.yaml`);
}

for (const id of builtinProfileIds()) {
  test(`${id}: every flow resolves with its example topology`, () => {
    const path = exampleOf(id);
    assert.ok(existsSync(path), `${path} exists`);
    const t = loadTopology(path, AS_OF);
    assert.ok(t.ok, `${path}: ${JSON.stringify(t.diagnostics)}`);
    const { bound } = t.value;
    assert.equal(bound.profileId, id);
    assert.equal(bound.flows.length, t.value.profile.profile.flows.length);
    for (const f of bound.flows) {
      assert.ok(f.ports.length > 0, `${id} ${f.id}: ports`);
      assert.ok(!f.fromAddresses!.isEmpty(), `${id} ${f.id}: from addresses`);
      assert.ok(!f.toAddresses!.isEmpty(), `${id} ${f.id}: to addresses`);
      assert.ok(f.active, `${id} ${f.id}: active with every feature on`);
    }
  });
}

test("a topology's media range reaches every flow that uses it, in every profile that has it", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-catalog-"));
  try {
    let checked = 0;
    for (const id of builtinProfileIds()) {
      const p = loadProfile(id);
      assert.ok(p.ok);
      const { profile } = p.value;
      if (!("media" in profile.variables)) continue;
      const users = profile.flows
        .filter((f) => f.ports === "media" || f.sourcePorts === "media")
        .map((f) => f.id);
      assert.ok(users.length > 0, `${id} declares media and uses it`);
      const topo = join(dir, `${id}.yaml`);
      const text = readFileSync(exampleOf(id), "utf8");
      writeFileSync(topo, `${text}variables: {media: 40000-40999}\n`);
      const t = loadTopology(topo, AS_OF);
      assert.ok(t.ok, JSON.stringify(t.diagnostics));
      for (const f of t.value.bound.flows) {
        const spec = profile.flows.find((x) => x.id === f.id)!;
        if (spec.ports === "media") assert.equal(portsText(f.ports), "40000-40999", `${id} ${f.id}`);
        if (spec.sourcePorts === "media")
          assert.equal(portsText(f.sourcePorts!), "40000-40999", `${id} ${f.id}`);
        if (spec.ports !== "media") assert.notEqual(portsText(f.ports), "40000-40999");
      }
      checked += users.length;
    }
    // seed 1; Lync external single/NAT/DNS-LB/HLB 4 each; A/V source rules 1; SfB external and HLB 2 each
    // (2015, 2019, and Subscription Edition through extends: the shared rows follow the variable too);
    // hybrid 2 (STUN/TCP out from the media range, in to it).
    assert.equal(checked, 32, "media flows checked");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
