/**
 * The built-in profiles as the build parsed and checked them (dist/profiles/<id>.json and
 * <id>.checked.json, scripts/bundle.mjs; issue 21): a profile loads to the same value, diagnostics
 * and positions as from its YAML, and a JSON whose texts are not the profile's texts now is not used.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { inspect } from "node:util";
import {
  builtinProfileIds,
  checkedAtBuild,
  loadProfile,
  PACKAGE_ROOT,
  PARSED_PROFILES_DIR,
} from "../../src/shell/load.js";

const parsed = (id: string): string => join(PARSED_PROFILES_DIR, `${id}.json`);
const checked = (id: string): string => join(PARSED_PROFILES_DIR, `${id}.checked.json`);
/** Everything about a value: key order, undefined keys, objects without a prototype. */
const whole = (v: unknown): string =>
  inspect(v, { depth: Infinity, maxArrayLength: Infinity, maxStringLength: Infinity, breakLength: Infinity });
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
    assert.ok(
      ids.every((id) => existsSync(checked(id))),
      "every built-in profile is checked at build time",
    );
    for (const id of ids) {
      // A path is always parsed from its YAML; the same file name in both, so diagnostics compare.
      const fromBuild = loadProfile(id);
      const fromYaml = loadProfile(`profiles/${id}.yaml`, PACKAGE_ROOT);
      assert.ok(fromBuild.ok && fromYaml.ok, id);
      assert.deepEqual(fromBuild.value.profile, fromYaml.value.profile, id);
      assert.equal(whole(fromBuild.value.profile), whole(fromYaml.value.profile), id);
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
  // The profile as checked at build time is taken before the parsed one: set aside meanwhile.
  renameSync(checked(id), `${checked(id)}.aside`);
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
    renameSync(`${checked(id)}.aside`, checked(id));
  }
});

test("a checked profile is used while every file it came from has the same text", { skip: noBuild }, () => {
  // sfbse-edge-external extends sfb2019-edge-external: two files. Edited in a copy of the build's
  // file, so that other test files loading profiles meanwhile see the real one.
  const id = "sfbse-edge-external";
  const saved = readFileSync(checked(id), "utf8");
  const dir = mkdtempSync(join(tmpdir(), "pm-checked-"));
  const edit = (f: (built: { files: Array<[string, string]>; profile: { title: string } }) => void): void => {
    const built = JSON.parse(saved) as { files: Array<[string, string]>; profile: { title: string } };
    f(built);
    writeFileSync(join(dir, `${id}.checked.json`), JSON.stringify(built));
  };
  try {
    assert.deepEqual(
      (JSON.parse(saved) as { files: Array<[string, string]> }).files.map(([file]) => file),
      ["sfbse-edge-external.yaml", "sfb2019-edge-external.yaml"],
    );
    // The build's own file: the profile as read and checked from the YAML.
    const fromYaml = loadProfile(`profiles/${id}.yaml`, PACKAGE_ROOT);
    assert.ok(fromYaml.ok);
    assert.equal(whole(checkedAtBuild(id)?.profile), whole(fromYaml.value.profile));
    // The same texts: the profile checked at build time is the one taken (a title only it has).
    edit((b) => (b.profile.title = "built"));
    assert.equal(checkedAtBuild(id, dir)?.profile.title, "built");
    // The base profile's text is another now: not taken (loadProfile then reads the YAML).
    edit((b) => {
      b.profile.title = "stale";
      b.files[1]![1] += "\n# edited";
    });
    assert.equal(checkedAtBuild(id, dir), undefined);
    // The profile's own text another: not taken either.
    edit((b) => (b.files[0]![1] += "\n# edited"));
    assert.equal(checkedAtBuild(id, dir), undefined);
    writeFileSync(join(dir, `${id}.checked.json`), "{ not json");
    assert.equal(checkedAtBuild(id, dir), undefined);
    assert.equal(checkedAtBuild("no-such-profile", dir), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
