/**
 * Issue 15: a ruleset's own text (here an iptables `--comment` holding ESC sequences, BEL, VT, NUL
 * and a bidi override) is quoted by audit in every format; it must reach neither the terminal nor
 * the XML raw: the table shows escapes, the JUnit file stays well-formed XML (xmllint), SARIF and
 * JSON keep valid JSON with escaped messages.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ROOT, runCli } from "../cli/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "pm-hostile-text-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const HOSTILE = "temp\u001b[2J\u001b]0;owned\u0007\u000b\u0000RDP\u202e ok";
const RAW = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202e]/;

function hostileRuleset(): string {
  const text = readFileSync(join(ROOT, "examples/legacy/edge-iptables.rules"), "utf8");
  assert.ok(text.includes('"temporary RDP"'));
  const path = join(dir, "hostile.rules");
  writeFileSync(path, text.replace("temporary RDP", HOSTILE));
  return path;
}

const xmllint = (() => {
  try {
    execFileSync("sh", ["-c", "command -v xmllint"]);
    return undefined;
  } catch {
    return "xmllint is not installed (scripts/setup.sh installs libxml2-utils)";
  }
})();

test("issue 15: control characters of a rule comment reach no audit output raw", () => {
  const rules = hostileRuleset();
  const audit = (format: string) =>
    runCli(["audit", "-t", "examples/legacy/host-topology.yaml", "-r", rules, "--format", format]);
  const table = audit("table");
  assert.equal(table.status, 1, table.stderr);
  assert.ok(!RAW.test(table.stdout), "a raw control character in the table");
  // The exposing rule is still named, its comment shown with escapes, on one line.
  assert.match(
    table.stdout,
    /--comment "temp\\x1b\[2J\\x1b\]0;owned\\x07\\x0b\\x00RDP\\u202e ok" -j ACCEPT\n/,
  );
  for (const format of ["junit", "sarif", "json"]) {
    const r = audit(format);
    assert.equal(r.status, 1, `${format}: ${r.stderr}`);
    // JSON keeps the exact text (U+202E is valid JSON as is); no format has a raw C0 control.
    const raw = format === "json" ? /[\u0000-\u0009\u000b-\u001f]/ : RAW;
    assert.ok(!raw.test(r.stdout), `${format}: a raw control character`);
  }
  const sarif = JSON.parse(audit("sarif").stdout) as {
    runs: Array<{ results: Array<{ message: { text: string } }> }>;
  };
  for (const x of sarif.runs[0]!.results) assert.ok(!RAW.test(x.message.text), x.message.text);
  // json is the machine contract: the rule text exactly as the file has it (JSON escapes it).
  assert.ok(audit("json").stdout.includes(JSON.stringify(HOSTILE).slice(1, -1)));
});

test("issue 15: the JUnit output quoting a hostile comment is well-formed XML", { skip: xmllint }, () => {
  const rules = hostileRuleset();
  const r = runCli(["audit", "-t", "examples/legacy/host-topology.yaml", "-r", rules, "--format", "junit"]);
  const file = join(dir, "audit.xml");
  writeFileSync(file, r.stdout);
  execFileSync("xmllint", ["--noout", file], { stdio: ["ignore", "pipe", "pipe"] });
  assert.match(r.stdout, /RDP\\u202e ok/);
});
