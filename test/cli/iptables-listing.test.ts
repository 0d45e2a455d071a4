/**
 * A user's first file is often what `iptables -S` or `iptables -L -n -v` printed. audit reads it
 * (table filter, said as an assumption) and decides every flow as it does for the same rules saved
 * by iptables-save; a listing of one chain (`iptables -S INPUT`) is refused at its line, exit 2.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "./run-cli.js";

const RULES = [
  "-A INPUT -i lo -j ACCEPT",
  "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
  "-A INPUT -p tcp -m tcp --dport 5061 -j ACCEPT",
  "-A INPUT -p udp -m udp --dport 3478 -j ACCEPT",
  "-A OUTPUT -p tcp -m tcp --dport 443 -j DROP",
];
const LISTING = ["-P INPUT DROP", "-P FORWARD DROP", "-P OUTPUT ACCEPT", ...RULES].join("\n") + "\n";
const SAVE =
  ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]", ...RULES, "COMMIT"].join(
    "\n",
  ) + "\n";

interface Report {
  flows: Array<{ id: string; verdict: string; uncertain: boolean; blocked: unknown[] }>;
  exposure: unknown[];
}

test("an iptables -S listing is audited as the same rules saved by iptables-save", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-listing-"));
  try {
    const listing = join(dir, "iptables-S.txt");
    const save = join(dir, "rules.v4");
    writeFileSync(listing, LISTING);
    writeFileSync(save, SAVE);
    const a = runCli(["audit", "-t", "examples/seed-host.yaml", "-r", listing, "--format", "json"]);
    const b = runCli(["audit", "-t", "examples/seed-host.yaml", "-r", save, "--format", "json"]);
    assert.ok(a.status === 0 || a.status === 1, a.stderr);
    assert.equal(a.status, b.status);
    assert.match(
      a.stderr,
      /iptables-S\.txt:1:1: warning\[iptables-listing\]: an `iptables -S` listing, which names no table: read as table filter/,
    );
    const ra = JSON.parse(a.stdout) as Report;
    const rb = JSON.parse(b.stdout) as Report;
    const verdicts = (r: Report): string[] =>
      r.flows.map((f) => `${f.id} ${f.verdict} ${f.uncertain} ${f.blocked.length}`);
    assert.deepEqual(verdicts(ra), verdicts(rb));
    assert.ok(
      verdicts(ra).some((v) => v.includes(" blocked ")),
      "the rules block some flow",
    );
    assert.ok(
      verdicts(ra).some((v) => v.includes(" allowed ")),
      "and allow another",
    );
    assert.equal(ra.exposure.length, rb.exposure.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a listing of one chain (iptables -S INPUT) is refused at its line, exit 2", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-listing-"));
  try {
    const file = join(dir, "input.txt");
    writeFileSync(file, "-P INPUT DROP\n-A INPUT -p tcp -m tcp --dport 5061 -j ACCEPT\n");
    const r = runCli(["audit", "-t", "examples/seed-host.yaml", "-r", file]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(
      r.stderr,
      /input\.txt:1:1: error\[iptables-listing-table\]: an `iptables -S` listing whose policies are for INPUT/,
    );
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an iptables -L -n -v display (the shipped example's, from the kernel) is audited as the example itself", () => {
  const display = "test/fixtures/iptables-listing/edge-iptables-L.txt";
  const a = runCli(["audit", "-t", "examples/legacy/host-topology.yaml", "-r", display, "--format", "json"]);
  const b = runCli([
    "audit",
    "-t",
    "examples/legacy/host-topology.yaml",
    "-r",
    "examples/legacy/edge-iptables.rules",
    "--format",
    "json",
  ]);
  assert.ok(a.status === 0 || a.status === 1, a.stderr);
  assert.equal(a.status, b.status);
  assert.match(
    a.stderr,
    /edge-iptables-L\.txt:2:1: warning\[iptables-listing\]: an `iptables -L` display, which names no table: read as table filter/,
  );
  const ra = JSON.parse(a.stdout) as Report & { deadRules: unknown[] };
  const rb = JSON.parse(b.stdout) as Report & { deadRules: unknown[] };
  const verdicts = (r: Report): string[] =>
    r.flows.map((f) => `${f.id} ${f.verdict} ${f.uncertain} ${f.blocked.length}`);
  assert.deepEqual(verdicts(ra), verdicts(rb));
  assert.equal(ra.exposure.length, rb.exposure.length);
  assert.equal(ra.deadRules.length, rb.deadRules.length);
});
