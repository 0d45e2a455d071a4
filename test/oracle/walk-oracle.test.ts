/**
 * The engine's whole-space walk (rule-reach.ts over walk.ts, remainder.ts and the box algebra of
 * src/space) against an independent walk over decision diagrams (bdd-walk.ts): for every rule the
 * packets that reach it and match, for every base chain what it accepts and drops, equal as sets
 * over every packet. On generated rulesets of both benchmark shapes, the kernel differential test's
 * random rulesets (as nftables and iptables), and on every public-corpus file
 * and fixture that reads (real rulesets: iptables, nftables, pf, ASA, Junos, PAN-OS, FortiOS,
 * Windows, ufw, AWS, Azure).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { ruleReach } from "../../src/audit/rule-reach.js";
import { READERS, sniffFormat } from "../../src/parse/index.js";
import { readIptablesSave } from "../../src/parse/iptables-save.js";
import { readNftablesText } from "../../src/parse/nftables-text.js";
import { generateRuleset, Rng, toIptables, toNft } from "../kernel/generate.js";
import { unstructured } from "../../bench/audit-unstructured.js";
import { classbench } from "../../bench/audit.bench.js";
import { ROOT } from "../cli/run-cli.js";
import { FALSE } from "./bdd.js";
import { bddReach, differences, rulesOf } from "./bdd-walk.js";

test("generated rulesets of both benchmark shapes: the same packets per rule and per base chain", () => {
  for (const [shape, text] of [
    ["unstructured", unstructured(1000)],
    ["structured", classbench(1000)],
  ] as const) {
    const rs = readIptablesSave(text, `${shape}.rules`).ruleset;
    const { enc, reach } = bddReach([rs]);
    assert.deepEqual(differences(enc, ruleReach([rs]), reach, [rs]).slice(0, 5), [], shape);
  }
});

test("random rulesets of the kernel differential test (goto, return, verdict maps, NAT), as nftables and as iptables", () => {
  let compared = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const r = new Rng(seed * 7919);
    const gen = generateRuleset(r, seed % 3 === 0 ? undefined : seed % 3 === 1 ? 4 : 6, 30 + (seed % 5) * 10);
    const texts: Array<[string, () => ReturnType<typeof readNftablesText>]> = [
      ["nft", () => readNftablesText(toNft(gen, seed % 2 === 0), `gen-${seed}.nft`)],
    ];
    if (gen.family !== undefined)
      texts.push(["iptables", () => readIptablesSave(toIptables(gen), `gen-${seed}.rules`)]);
    for (const [kind, read] of texts) {
      const parsed = read();
      assert.deepEqual(
        parsed.diagnostics.filter((d) => d.severity === "error"),
        [],
        `seed ${seed} ${kind}`,
      );
      const rs = parsed.ruleset;
      const { enc, reach } = bddReach([rs]);
      assert.deepEqual(
        differences(enc, ruleReach([rs]), reach, [rs]).slice(0, 5),
        [],
        `seed ${seed} ${kind}`,
      );
      compared++;
    }
  }
  assert.ok(compared >= 90, `${compared} compared`);
});

test("the comparison sees a rule whose packets differ", () => {
  const rs = readIptablesSave(unstructured(200), "u.rules").ruleset;
  const { enc, reach } = bddReach([rs]);
  const reached = rulesOf([rs]).find((r) => reach.hits.has(r))!;
  reach.hits.set(reached, FALSE);
  const diff = differences(enc, ruleReach([rs]), reach, [rs]);
  assert.equal(diff.length, 1);
  assert.match(diff[0]!, /^packets of /);
});

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return files(p);
    return /\.(md|ts|yaml|yml|pem|key|crt)$/.test(f) ? [] : [p];
  });
}

test("every real ruleset of the corpus and the fixtures: the same packets per rule and per base chain", () => {
  let compared = 0;
  let rules = 0;
  const bad: string[] = [];
  const roots = ["test/corpus", "test/fixtures", "examples"].map((d) => join(ROOT, d));
  for (const path of roots.flatMap(files)) {
    const text = readFileSync(path);
    const format = sniffFormat(text.toString("utf8"));
    if (!format) continue;
    const parsed = READERS[format](text.toString("utf8"), relative(ROOT, path));
    if (parsed.diagnostics.some((d) => d.severity === "error")) continue;
    const rs = parsed.ruleset;
    if (rulesOf([rs]).length === 0) continue;
    const { enc, reach } = bddReach([rs]);
    for (const d of differences(enc, ruleReach([rs]), reach, [rs])) bad.push(`${relative(ROOT, path)}: ${d}`);
    compared++;
    rules += rulesOf([rs]).length;
  }
  assert.deepEqual(bad.slice(0, 10), []);
  // The corpus holds hundreds of real files; most read (corpus.test.ts pins which).
  assert.ok(compared >= 200 && rules >= 5000, `${compared} rulesets, ${rules} rules compared`);
  console.log(`compared ${compared} rulesets, ${rules} rules`);
});
