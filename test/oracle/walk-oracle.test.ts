/**
 * The engine's whole-space walk (rule-reach.ts over walk.ts, remainder.ts and the box algebra of
 * src/space) against an independent walk over decision diagrams (bdd-walk.ts): for every rule the
 * packets that reach it and match, for every base chain what it accepts and drops, equal as sets
 * over every packet. On generated rulesets of both benchmark shapes, the kernel differential test's
 * random rulesets (as nftables and iptables), and on every public-corpus file
 * and fixture that reads (real rulesets: iptables, nftables, pf, ASA, Junos, PAN-OS, FortiOS,
 * Windows, ufw, AWS, Azure). And the dead-rule findings against their meaning: removing a rule found
 * dead or redundant for certain changes no base chain's verdicts.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { deadRules, ruleReach } from "../../src/audit/rule-reach.js";
import type { Rule, Ruleset } from "../../src/ir/ruleset.js";
import { READERS, sniffFormat } from "../../src/parse/index.js";
import { readIptablesSave } from "../../src/parse/iptables-save.js";
import { readNftablesText } from "../../src/parse/nftables-text.js";
import { generateRuleset, Rng, toIptables, toNft } from "../kernel/generate.js";
import { unstructured } from "../../bench/audit-unstructured.js";
import { classbench } from "../../bench/audit.bench.js";
import { ROOT } from "../cli/run-cli.js";
import { FALSE } from "./bdd.js";
import { bddReach, bddWalk, differences, rulesOf, type BddReach, type Encoder } from "./bdd-walk.js";
import type { Node } from "./bdd.js";

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

/** The ruleset without one rule (the same objects elsewhere). */
function without(rs: Ruleset, rule: Rule): Ruleset {
  return {
    ...rs,
    tables: rs.tables.map((t) => ({
      ...t,
      chains: t.chains.map((c) =>
        c.rules.includes(rule) ? { ...c, rules: c.rules.filter((r) => r !== rule) } : c,
      ),
    })),
  };
}

/** Each base chain's accepted and dropped packets, by table and chain name. */
function verdicts(reach: BddReach, rs: Ruleset): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of rs.tables)
    for (const c of t.chains) {
      const d = reach.decided.get(c);
      if (d) out.set(`${t.family} ${t.name} ${c.name}`, `${d.accept} ${d.drop}`);
    }
  return out;
}

/**
 * The dead-rule findings against their meaning, on the diagrams: a rule found dead or redundant for
 * certain can be removed without changing what any base chain accepts or drops; and a rule no packet
 * reaches (in the diagram walk) is found dead. Checked on every first-match corpus and fixture
 * ruleset that reads and on the benchmark shapes (a sample of their findings: each removal is a walk).
 */
function checkDead(rs: Ruleset, name: string, sample = Infinity): { removed: number; bad: string[] } {
  const bad: string[] = [];
  const reach = ruleReach([rs]);
  const { enc, reach: bdd } = bddReach([rs]);
  const matches = new Map<Rule, Node>(rulesOf([rs]).map((r) => [r, enc.space(r.match)]));
  const before = verdicts(bdd, rs);
  const { dead } = deadRules([rs], reach);
  const found = new Set(dead.map((d) => d.rule));
  let removed = 0;
  const certain = dead.filter((d) => !d.uncertain);
  const step = Math.max(1, Math.ceil(certain.length / sample));
  for (let k = 0; k < certain.length; k += step) {
    const d = certain[k]!;
    const rest = without(rs, d.rule);
    const after = verdicts(bddWalk(enc as Encoder, matches, [rest]), rest);
    removed++;
    for (const [chain, v] of before)
      if (after.get(chain) !== v)
        bad.push(`${name}: removing ${d.kind} ${d.rule.origin.line} ${d.rule.origin.text} changes ${chain}`);
  }
  for (const r of rulesOf([rs])) {
    if (r.implicit !== undefined || r.approximations.some((a) => a.outsideModel)) continue;
    if ((bdd.hits.get(r) ?? FALSE) === FALSE && !bdd.observed.has(r) && !found.has(r))
      bad.push(`${name}: no packet reaches ${r.origin.line} ${r.origin.text}, not found dead`);
  }
  return { removed, bad };
}

test("dead and redundant rules: removing one found for certain changes no verdict; a rule nothing reaches is found", () => {
  let removed = 0;
  let rulesets = 0;
  const bad: string[] = [];
  for (const [shape, text] of [
    ["unstructured", unstructured(1000)],
    ["structured", classbench(1000)],
  ] as const) {
    const r = checkDead(readIptablesSave(text, `${shape}.rules`).ruleset, shape, 40);
    removed += r.removed;
    bad.push(...r.bad);
  }
  const roots = ["test/corpus", "test/fixtures", "examples"].map((d) => join(ROOT, d));
  for (const path of roots.flatMap(files)) {
    const text = readFileSync(path).toString("utf8");
    const format = sniffFormat(text);
    if (!format) continue;
    const parsed = READERS[format](text, relative(ROOT, path));
    if (parsed.diagnostics.some((d) => d.severity === "error")) continue;
    if (parsed.ruleset.semantics !== "first-match" || rulesOf([parsed.ruleset]).length === 0) continue;
    const r = checkDead(parsed.ruleset, relative(ROOT, path));
    removed += r.removed;
    bad.push(...r.bad);
    rulesets++;
  }
  assert.deepEqual(bad.slice(0, 10), []);
  assert.ok(removed >= 200, `${removed} findings checked in ${rulesets} rulesets`);
  console.log(`${removed} dead or redundant findings checked in ${rulesets} rulesets`);
});
