/**
 * Every word of every real seed file replaced, one at a time, by an Object.prototype member name:
 * no reader throws (the iptables, Windows and ASA readers did — their keyword tables found
 * Object's own `constructor`; later the Junos, FortiOS and ufw readers did, and ip6tables-save's
 * option abbreviations on `__proto__`, which is an object where `constructor` is a function), and
 * profiles and topologies stay checkable. Whole configurations (firewalld, ufw) have each word of
 * each of their files replaced. Deterministic and exhaustive over the seeds' words. Issue #15.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { READERS, READER_KITS } from "../../src/parse/index.js";
import { DIRECTORY_SEEDS, RULESET_SEEDS, directoryFiles } from "./seeds.js";
import { parseYaml } from "../../src/model/yaml-source.js";
import { checkProfile } from "../../src/model/profile.js";
import { bindTopology, parseTopology } from "../../src/model/topology.js";
import { loadProfile } from "../../src/shell/load.js";
import { ROOT } from "../cli/run-cli.js";

const WORDS = ["constructor", "__proto__"];

/**
 * The text with each word (letters, digits, dashes) in turn replaced by each of WORDS; with
 * `skipComments`, not the words of `#` comment lines (ufw's rules files and firewalld.conf are
 * mostly comments, which no reader looks into: a whole configuration is read per variant).
 */
function* variants(text: string, skipComments = false): Generator<string> {
  const re = /[A-Za-z0-9_-]+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (skipComments) {
      const start = text.lastIndexOf("\n", m.index) + 1;
      if (text.slice(start, m.index).trimStart().startsWith("#")) continue;
    }
    for (const w of WORDS) yield text.slice(0, m.index) + w + text.slice(m.index + m[0].length);
  }
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

for (const [format, dir] of DIRECTORY_SEEDS)
  test(`prototype words: ${format} (${dir}) reads every variant of each file`, () => {
    const files = directoryFiles(dir);
    const readMany = READER_KITS[format].readMany!;
    let n = 0;
    files.forEach((target, k) => {
      for (const text of variants(target.text, true)) {
        const set = files.map((f, j) => (j === k ? { file: f.file, text } : f));
        assert.ok(Array.isArray(readMany(set).diagnostics));
        n++;
      }
    });
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
