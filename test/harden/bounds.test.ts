/**
 * Input bounds: YAML alias bombs, files past the size ceiling and junk with a million errors are
 * each refused in one go (exit 2, no stack), quickly and in bounded memory. Issue #15.
 */
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, ftruncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../cli/run-cli.js";
import { INPUT_LIMITS } from "../../src/shell/files.js";
import { MAX_YAML_CHARS } from "../../src/model/yaml-source.js";

const noStack = (stderr: string): void => assert.doesNotMatch(stderr, /internal error|\n\s+at /);

/** Nine levels of nine aliases: 9^9 nodes if expanded. */
function aliasBomb(indent = ""): string {
  const lines = [`${indent}a0: &a0 ["x","x","x","x","x","x","x","x","x"]`];
  for (let i = 1; i < 9; i++)
    lines.push(
      `${indent}a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(",")}]`,
    );
  return lines.join("\n") + "\n";
}

const dir = mkdtempSync(join(tmpdir(), "pm-harden-b-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("a YAML alias bomb is one located error in every YAML slot (profile, topology, ruleset)", () => {
  const bomb = join(dir, "bomb.yaml");
  writeFileSync(bomb, aliasBomb());
  const awsBomb = join(dir, "bomb-aws.yaml");
  writeFileSync(awsBomb, `SecurityGroups:\n  - x: 1\n${aliasBomb("    ")}`);
  const cases: string[][] = [
    ["show", bomb],
    ["compile", "-t", bomb, "--target", "nftables"],
    ["audit", "-t", "examples/seed-host.yaml", "-r", awsBomb, "--ruleset-format", "aws-security-groups"],
    ["audit", "-t", "examples/seed-host.yaml", "-r", bomb, "--ruleset-format", "windows-firewall"],
  ];
  for (const args of cases) {
    const r = runCli(args);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    noStack(r.stderr);
    assert.match(
      r.stderr,
      /bomb(-aws)?\.yaml:\d+:\d+: error\[yaml-alias-bomb\]: aliases expand too far/,
      args.join(" "),
    );
  }
});

test("a file past the size ceiling is refused before it is read", () => {
  const big = join(dir, "big.yaml");
  const fd = openSync(big, "w");
  ftruncateSync(fd, INPUT_LIMITS.matrix + 1); // sparse: costs no disk
  closeSync(fd);
  const t = runCli(["compile", "-t", big, "--target", "nftables"]);
  assert.equal(t.status, 2);
  noStack(t.stderr);
  assert.match(
    t.stderr,
    /big\.yaml:1:1: error\[input-too-large\]: .*big\.yaml: 4 MiB is too large for this input; expected at most 4 MiB/,
  );
  const rules = join(dir, "big.rules");
  const fr = openSync(rules, "w");
  ftruncateSync(fr, INPUT_LIMITS.any + 1);
  closeSync(fr);
  const r = runCli(["audit", "-t", "examples/seed-host.yaml", "-r", rules]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /error\[input-too-large\]: .*big\.rules: 64 MiB is too large/);
});

test("junk with an error on every line: the reader stops at 10,000, 100 are printed, the rest counted", () => {
  const junk = join(dir, "junk.rules");
  writeFileSync(junk, "-A INPUT --junk\n".repeat(200_000));
  for (const format of ["iptables-save", "nftables-text"]) {
    const r = runCli(["audit", "-t", "examples/seed-host.yaml", "-r", junk, "--ruleset-format", format]);
    assert.equal(r.status, 2);
    noStack(r.stderr);
    const lines = r.stderr
      .trimEnd()
      .split("\n")
      .filter((l) => l.includes("junk.rules"));
    assert.equal(
      lines.filter((l) => / (error|warning)\[/.test(l) && !l.includes("too-many-problems")).length,
      100,
      format,
    );
    assert.ok(
      lines.some((l) =>
        /junk\.rules:\d+:1: error\[too-many-problems\]: stopped reading after 10000 problems/.test(l),
      ),
      format,
    );
    assert.ok(
      lines.some((l) =>
        /note\[more-diagnostics\]: … and 9900 more problems in \S*junk\.rules not shown/.test(l),
      ),
      format,
    );
  }
});

test("a YAML ruleset past 32 MiB is refused before the YAML parser holds it; JSON is read natively up to 64 MiB", () => {
  const audit = (file: string) =>
    runCli([
      "audit",
      "-t",
      "examples/seed-host.yaml",
      "-r",
      file,
      "--ruleset-format",
      "aws-security-groups",
      "--format",
      "json",
    ]);
  const bigYaml = join(dir, "big-aws.yaml");
  writeFileSync(bigYaml, `SecurityGroups: []\n${"#".repeat(MAX_YAML_CHARS)}\n`);
  let started = Date.now();
  const r = audit(bigYaml);
  assert.equal(r.status, 2, r.stderr);
  noStack(r.stderr);
  assert.match(
    r.stderr,
    /big-aws\.yaml:1:1: error\[input-too-large\]: .*big-aws\.yaml: a YAML document of more than 32 MiB is too large to read/,
  );
  assert.ok(Date.now() - started < 20_000);
  // The same size as JSON (a machine export) is read: the value from JSON.parse, positions from a compact tree.
  const bigJson = join(dir, "big-aws.json");
  writeFileSync(bigJson, `{"SecurityGroups": []${" ".repeat(MAX_YAML_CHARS)}}`);
  started = Date.now();
  const j = audit(bigJson);
  assert.notEqual(j.status, 2, j.stderr);
  noStack(j.stderr);
  assert.equal((JSON.parse(j.stdout) as { rulesets: Array<{ file: string }> }).rulesets[0]!.file, bigJson);
  assert.ok(Date.now() - started < 20_000);
});
