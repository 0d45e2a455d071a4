/**
 * Run JSON given to merge, report and diagram: problems located at file:line:col, runs of different
 * profiles not merged, one run given twice counted once. Issue #15.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../cli/run-cli.js";

const FIXTURE = "test/report/fixtures/probe-seed-perimeter.json";
const dir = mkdtempSync(join(tmpdir(), "pm-harden-r-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  profile: string;
  summary: { total: number };
  results: Array<Record<string, unknown>>;
}
const run = (): Run => JSON.parse(readFileSync(FIXTURE, "utf8")) as Run;

test("merge: the same run twice is counted once, with a warning", () => {
  const copy = join(dir, "copy.json");
  writeFileSync(copy, JSON.stringify(run()));
  const once = runCli(["merge", FIXTURE, "--format", "json"]);
  const twice = runCli(["merge", FIXTURE, FIXTURE, copy, "--format", "json"]);
  assert.ok(once.status === 0 || once.status === 1, once.stderr);
  assert.equal(twice.status, once.status, twice.stderr);
  assert.equal(
    (JSON.parse(twice.stdout) as Run).summary.total,
    (JSON.parse(once.stdout) as Run).summary.total,
  );
  const warnings = twice.stderr.trimEnd().split("\n");
  assert.equal(warnings.length, 2, twice.stderr);
  assert.match(
    warnings[0]!,
    /^warning: test\/report\/fixtures\/probe-seed-perimeter\.json is the same run as test\/report\/fixtures\/probe-seed-perimeter\.json \(sha256 [0-9a-f]{12}…\): counted once$/,
  );
  assert.match(
    warnings[1]!,
    /copy\.json is the same run as test\/report\/fixtures\/probe-seed-perimeter\.json/,
  );
});

test("merge: runs of two profiles are refused, at the second profile's line", () => {
  const other = join(dir, "other.json");
  writeFileSync(other, JSON.stringify({ ...run(), profile: "sfb2019-edge-external" }, null, 2));
  const line =
    readFileSync(other, "utf8")
      .split("\n")
      .findIndex((l) => l.includes('"profile"')) + 1;
  const r = runCli(["merge", FIXTURE, other]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, "");
  assert.match(
    r.stderr,
    new RegExp(
      `^\\S*other\\.json:${line}:14: error\\[profile-mismatch\\]: \\S*other\\.json is a probe run of profile "sfb2019-edge-external", test/report/fixtures/probe-seed-perimeter\\.json one of "${run().profile}"`,
    ),
  );
});

test("report, diagram, merge: schema problems and JSON syntax errors are located in the file", () => {
  const bad = run();
  bad.results[2]!.state = "sideways";
  const badFile = join(dir, "bad.json");
  const text = JSON.stringify(bad, null, 2);
  writeFileSync(badFile, text);
  const stateLine = text.split("\n").findIndex((l) => l.includes('"sideways"')) + 1;
  const broken = join(dir, "broken.json");
  writeFileSync(broken, '{\n  "version": 1,\n  "results": [1, 2,, 3]\n}\n');
  for (const args of [
    ["report", "-t", "examples/seed-perimeter.yaml", "--probe", badFile, "-o", join(dir, "r.html")],
    ["diagram", "-t", "examples/seed-perimeter.yaml", "--probe", badFile],
    ["merge", badFile],
  ]) {
    const r = runCli(args);
    assert.equal(r.status, 2, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`bad\\.json:${stateLine}:\\d+: error\\[bad-run-json\\]: .*at results\\.2\\.state: `),
      args[0],
    );
  }
  for (const args of [
    ["merge", broken],
    ["diagram", "-t", "examples/seed-perimeter.yaml", "--probe", broken],
  ]) {
    const r = runCli(args);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /broken\.json:3:20: error\[bad-run-json\]: \S*broken\.json: not JSON \(/, args[0]);
  }
});

test("compile-family: a flow whose two sides share no family is said at the destination's binding", () => {
  const topo = join(dir, "families.yaml");
  writeFileSync(
    topo,
    "profile: lync2013-public-im\nendpoints:\n  edge-access: 203.0.113.10\n  partners: 2001:db8::5\n  clients: any\n  messenger-clients: any\nfeatures: [public-im-connectivity]\nfirewall: {kind: host, host: edge-access}\n",
  );
  const r = runCli(["compile", "-t", topo, "--target", "nftables"]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(
    r.stderr,
    /families\.yaml:3:16: error\[compile-family\]: flow sip-mtls-in: partners and edge-access share no address family/,
  );
  assert.match(
    r.stderr,
    /families\.yaml:4:13: error\[compile-family\]: flow sip-mtls-out: edge-access and partners share no address family/,
  );
});
