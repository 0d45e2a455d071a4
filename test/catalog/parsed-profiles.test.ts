/**
 * The built-in profiles as the build parsed them (dist/profiles/<id>.json, scripts/bundle.mjs; issue
 * 21): a profile loads to the same value, diagnostics and positions as from its YAML, and a JSON
 * whose text is not the profile's text now is not used.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { builtinProfileIds, loadProfile, PACKAGE_ROOT, PARSED_PROFILES_DIR } from "../../src/shell/load.js";

const parsed = (id: string): string => join(PARSED_PROFILES_DIR, `${id}.json`);
const noBuild = existsSync(PARSED_PROFILES_DIR) ? false : "no dist/profiles: npm run build makes it";

test(
  "a built-in profile parsed at build time loads as its YAML does, positions too",
  { skip: noBuild },
  () => {
    const ids = builtinProfileIds();
    assert.ok(
      ids.every((id) => existsSync(parsed(id))),
      "every built-in profile is parsed at build time",
    );
    for (const id of ids) {
      // A path is always parsed from its YAML; the same file name in both, so diagnostics compare.
      const fromBuild = loadProfile(id);
      const fromYaml = loadProfile(`profiles/${id}.yaml`, PACKAGE_ROOT);
      assert.ok(fromBuild.ok && fromYaml.ok, id);
      assert.deepEqual(fromBuild.value.profile, fromYaml.value.profile, id);
      assert.deepEqual(fromBuild.diagnostics, fromYaml.diagnostics, id);
      const a = fromBuild.value.source;
      const b = fromYaml.value.source;
      assert.deepEqual(a.value, b.value, id);
      for (const path of [["title"], ["flows", 0, "ports"], ["flows", 0], ["endpoints"]])
        assert.deepEqual(a.positionOf(path), b.positionOf(path), `${id} ${path.join(".")}`);
      assert.deepEqual(a.positionOf(["flows"], { key: true }), b.positionOf(["flows"], { key: true }), id);
    }
  },
);

test("a parsed profile is used for the same text only", { skip: noBuild }, () => {
  const id = "lync2013-public-im";
  const saved = readFileSync(parsed(id), "utf8");
  // Another test reading this file meanwhile falls back to the YAML too: the same result.
  try {
    const stale = JSON.parse(saved) as { text: string; value: { title: string } };
    // The same text: the value parsed at build time is the one taken (a title only it has).
    writeFileSync(
      parsed(id),
      JSON.stringify({ text: stale.text, value: { ...stale.value, title: "built" } }),
    );
    const built = loadProfile(id);
    assert.ok(built.ok);
    assert.equal(built.value.profile.title, "built");
    // The text of an older profile with another title: the YAML read now wins.
    writeFileSync(
      parsed(id),
      JSON.stringify({ text: `${stale.text}\n# edited`, value: { ...stale.value, title: "stale" } }),
    );
    const p = loadProfile(id);
    assert.ok(p.ok);
    assert.notEqual(p.value.profile.title, "stale");
    writeFileSync(parsed(id), "{ not json");
    const q = loadProfile(id);
    assert.ok(q.ok);
    assert.notEqual(q.value.profile.title, "stale");
  } finally {
    writeFileSync(parsed(id), saved);
  }
});
