/**
 * Every word of every real seed file replaced, one at a time, by an Object.prototype member name:
 * no reader throws (the iptables, Windows and ASA readers did — their keyword tables found
 * Object's own `constructor`), and profiles and topologies stay checkable. Deterministic and
 * exhaustive over the seeds' words. Issue #15.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { READERS } from "../../src/parse/index.js";
import { RULESET_SEEDS } from "./seeds.js";
import { parseYaml } from "../../src/model/yaml-source.js";
import { checkProfile } from "../../src/model/profile.js";
import { bindTopology, parseTopology } from "../../src/model/topology.js";
import { loadProfile } from "../../src/shell/load.js";
import { ROOT } from "../cli/run-cli.js";

const WORDS = ["constructor"];

/** The text with each word (letters, digits, dashes) in turn replaced by each of WORDS. */
function* variants(text: string): Generator<string> {
  const re = /[A-Za-z0-9_-]+/g;
  for (let m = re.exec(text); m; m = re.exec(text))
    for (const w of WORDS) yield text.slice(0, m.index) + w + text.slice(m.index + m[0].length);
}

for (const [format, file] of RULESET_SEEDS)
  test(`prototype words: ${format} (${file}) reads every variant`, () => {
    let n = 0;
    for (const text of variants(readFileSync(join(ROOT, file), "utf8"))) {
      assert.ok(Array.isArray(READERS[format](text, file).diagnostics));
      n++;
    }
    assert.ok(n > 100, `${n} variants`);
  });

test("prototype words: the seed profile and a topology check every variant", () => {
  const seed = loadProfile("lync2013-public-im");
  assert.ok(seed.ok);
  for (const text of variants(readFileSync(join(ROOT, "profiles/lync2013-public-im.yaml"), "utf8"))) {
    const { source } = parseYaml("p.yaml", text);
    if (source) checkProfile(source);
  }
  for (const text of variants(readFileSync(join(ROOT, "examples/seed-perimeter.yaml"), "utf8"))) {
    const { source } = parseYaml("t.yaml", text);
    const parsed = source && parseTopology(source);
    if (source && parsed?.topology)
      bindTopology(parsed.topology, source, seed.value, "2026-11-25", parsed.diagnostics);
  }
});
