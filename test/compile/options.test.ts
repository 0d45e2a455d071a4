/**
 * The operator's compile options (issue 17, topology `compile:`): names are validated before they
 * reach any rule, a reject target must be a direction or a zone, and every target either renders
 * an option in its own idiom or says, in a warning, that it cannot. The kernel proof is in
 * test/compile/kernel.test.ts ("compile options").
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { TARGETS } from "../../src/compile/index.js";
import { makePlan } from "../../src/compile/plan.js";
import { loadTopology } from "../../src/shell/load.js";
import { ROOT, runCli } from "../cli/run-cli.js";

const PERIMETER = readFileSync(join(ROOT, "examples", "seed-perimeter.yaml"), "utf8");

function withOptions(dir: string, options: string, base = PERIMETER): string {
  const p = join(dir, `t${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(p, `${base}compile: ${options}\n`);
  return p;
}

test("compile options: names, prefixes, rates and reject targets are checked where they are written", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-opts-"));
  try {
    const r = runCli([
      "show",
      "-t",
      withOptions(dir, `{name: "x; flush ruleset", log: {rate: often, prefix: 'a"b'}, priority: 9999}`),
    ]);
    assert.equal(r.status, 2, r.stderr);
    const errors = r.stderr.split("\n").filter((l) => l.includes("error["));
    for (const w of [
      /:17:17: error\[invalid-value\].*compile\.name.*a letter, then up to 23 letters, digits or underscores/,
      /:17:\d+: error\[invalid-value\].*compile\.log\.rate.*a rate such as 5\/minute/,
      /:17:\d+: error\[invalid-value\].*compile\.log\.prefix/,
      /:17:\d+: error\[invalid-(value|type)\].*compile\.priority/,
    ])
      assert.ok(
        errors.some((l) => w.test(l)),
        `${w} in\n${r.stderr}`,
      );
    assert.equal(errors.length, 4, r.stderr);
    const z = runCli(["show", "-t", withOptions(dir, "{reject: [dmz, sideways]}")]);
    assert.equal(z.status, 2, z.stderr);
    assert.match(
      z.stderr,
      /:17:25: error\[invalid-value\]: compile\.reject: "sideways" is no direction or zone; expected one of in, out, forward, internet, dmz/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("compile options: each target renders them in its idiom or says it cannot", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-opts-"));
  try {
    const t = loadTopology(
      withOptions(dir, "{log: true, counters: true, reject: [dmz, in], name: edgefw, priority: 5}"),
    );
    assert.ok(t.ok, JSON.stringify(!t.ok && t.diagnostics));
    const plan = makePlan(t.value.bound, { dropRetired: true });
    assert.ok(plan.ok);
    const out = (id: "nftables" | "iptables" | "pf" | "cisco-asa" | "aws" | "azure") => {
      const r = TARGETS[id].compile(plan.plan);
      assert.ok(r.ok, id);
      return { text: r.files[0]!.text, warnings: r.warnings };
    };
    const nft = out("nftables");
    assert.match(nft.text, /^table inet edgefw \{$/m);
    assert.match(nft.text, /priority 5; policy drop;/);
    assert.match(nft.text, /\tlimit rate 5\/minute log prefix "portmatrix drop: "\n\t\tcounter reject\n/);
    assert.match(
      nft.text,
      /\t\tiifname "eth1" counter reject\n\t\tcounter comment "dropped by the policy"\n/,
    );
    assert.match(nft.text, /tcp dport 5061 counter accept/);
    assert.deepEqual(nft.warnings, []);
    const ipt = out("iptables");
    assert.match(ipt.text, /^-A FORWARD -i eth1 -j REJECT$/m);
    assert.match(ipt.text, /^-A INPUT -j REJECT$/m);
    assert.deepEqual(
      ipt.warnings.map((w) => /compile\.(\w+)/.exec(w)![1]),
      ["counters", "name", "priority"],
    );
    const pf = out("pf");
    assert.match(pf.text, /^block log all\nblock return in all\nblock return in on eth1 all$/m);
    assert.match(out("cisco-asa").text, /^access-group edgefw-dmz-in in interface eth1$/m);
    assert.ok(out("cisco-asa").warnings.some((w) => /does not render compile\.reject/.test(w)));
    assert.match(out("azure").text, /"defaultValue": "edgefw"/);
    assert.ok(out("aws").warnings.some((w) => /does not render compile\.log/.test(w)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
