/**
 * Fuzz, the bulk: mutated real files fed straight to every pure reader — the six ruleset formats,
 * profiles (then lowered and rendered as `show` does), topologies (then bound, planned and compiled
 * for every target), probe and audit runs (as merge, report and diagram read them). Any throw is a
 * bug (exit 70 in the CLI); bad input must come back as diagnostics. One fixed seed for CI, plus one
 * random seed per run (printed by fast-check when it fails, to replay). Issue #15.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { READERS, READER_KITS } from "../../src/parse/index.js";
import { DIRECTORY_SEEDS, RULESET_SEEDS, directoryFiles } from "./seeds.js";
import { parseYaml } from "../../src/model/yaml-source.js";
import { checkProfile, lowerFlows, resolveVariables } from "../../src/model/profile.js";
import { bindTopology, parseTopology } from "../../src/model/topology.js";
import { makePlan } from "../../src/compile/plan.js";
import { TARGETS } from "../../src/compile/index.js";
import { renderShow } from "../../src/report/matrix.js";
import { parseRun } from "../../src/diagram/results.js";
import { mergeRuns } from "../../src/probe/result.js";
import { loadProfile } from "../../src/shell/load.js";
import { importM365 } from "../../src/import/m365.js";
import { ROOT } from "../cli/run-cli.js";
import { realAudit } from "../report/runs.js";
import { mutate, mutationsArb } from "./mutate.js";

const FIXED_SEED = 20261202;
const RUNS = Number(process.env.PORTMATRIX_FUZZ_RUNS ?? 80);
const AS_OF = "2026-11-25";
const read = (p: string): string => readFileSync(join(ROOT, p), "utf8");

/** The property under one fixed seed (CI's regression net) and one fresh seed (new ground). */
function fuzz(seedText: string, check: (text: string) => void): void {
  const property = fc.property(mutationsArb(seedText.length), (ms) => check(mutate(seedText, ms)));
  fc.assert(property, { seed: FIXED_SEED, numRuns: RUNS });
  fc.assert(property, { numRuns: Math.ceil(RUNS / 4) });
}

for (const [format, file] of RULESET_SEEDS)
  test(`fuzz: the ${format} reader never throws (${file}, mutated)`, () => {
    fuzz(read(file), (text) => {
      const r = READERS[format](text, "fuzz");
      assert.ok(Array.isArray(r.diagnostics));
    });
  });

test("fuzz: every reader has a seed", () => {
  const seeded = new Set(RULESET_SEEDS.map(([format]) => format));
  assert.deepEqual(
    Object.keys(READERS).filter((f) => !seeded.has(f as keyof typeof READERS)),
    [],
  );
});

for (const [format, dir] of DIRECTORY_SEEDS)
  test(`fuzz: the ${format} reader of a whole configuration never throws (${dir}, each file mutated in turn)`, () => {
    const files = directoryFiles(dir);
    const readMany = READER_KITS[format].readMany!;
    files.forEach((target, k) => {
      const property = fc.property(mutationsArb(target.text.length), (ms) => {
        const mutated = files.map((f, j) => (j === k ? { file: f.file, text: mutate(f.text, ms) } : f));
        assert.ok(Array.isArray(readMany(mutated).diagnostics));
      });
      // A configuration reads all its files each time: a quarter of the single files' runs per file.
      fc.assert(property, { seed: FIXED_SEED, numRuns: Math.ceil(RUNS / 4) });
      fc.assert(property, { numRuns: Math.ceil(RUNS / 16) });
    });
  });

test("fuzz: a Microsoft 365 endpoints feed is imported or refused without a throw", () => {
  fuzz(read("test/fixtures/m365/worldwide-docs-example.json"), (text) => {
    const r = importM365(text, { file: "worldwide-2024071400.json" });
    assert.ok(Array.isArray(r.diagnostics));
  });
});

test("fuzz: profiles are checked, lowered and shown without a throw", () => {
  fuzz(read("profiles/lync2013-public-im.yaml"), (text) => {
    const { source } = parseYaml("fuzz.yaml", text);
    if (!source) return;
    const checked = checkProfile(source);
    if (!checked.loaded || checked.diagnostics.some((d) => d.severity === "error")) return;
    const profile = checked.loaded.profile;
    const flows = lowerFlows(profile, {
      variables: resolveVariables(profile.variables, {}, () => {}),
      asOf: AS_OF,
    });
    renderShow({ profile, flows }, "json");
    renderShow({ profile, flows }, "table");
  });
});

for (const file of ["examples/legacy/host-topology.yaml", "examples/seed-perimeter.yaml"])
  test(`fuzz: topologies are bound, planned and compiled for every target without a throw (${file})`, () => {
    const seedProfile = loadProfile("lync2013-public-im");
    assert.ok(seedProfile.ok);
    fuzz(read(file), (text) => {
      const { source } = parseYaml("fuzz.yaml", text);
      if (!source) return;
      const parsed = parseTopology(source);
      if (!parsed.topology) return;
      const bound = bindTopology(parsed.topology, source, seedProfile.value, AS_OF, parsed.diagnostics);
      if (!bound.bound) return;
      const plan = makePlan(bound.bound, { dropRetired: false });
      if (!plan.ok) return;
      for (const target of Object.values(TARGETS)) target.compile(plan.plan);
    });
  });

for (const [kind, text] of [
  ["probe", read("test/report/fixtures/probe-seed-perimeter.json")],
  ["audit", JSON.stringify(realAudit(), null, 2)],
] as const)
  test(`fuzz: ${kind} runs are read (merge, report, diagram) without a throw`, () => {
    fuzz(text, (mutated) => {
      let json: unknown;
      try {
        json = JSON.parse(mutated);
      } catch {
        return; // not JSON: one diagnostic in the shell
      }
      const run = parseRun(json, "fuzz.json", kind);
      if (run.ok && run.kind === "probe") mergeRuns([run.run, run.run]);
      parseRun(json, "fuzz.json"); // the kind guessed, as the dashboard does
    });
  });
