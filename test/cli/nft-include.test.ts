/**
 * `portmatrix audit` on an nftables.conf as people keep it: variables, `include` of a directory
 * of rule files (nft's wildcard rules), and a named verdict map — the issue-14 case where
 * `5061 : drop` in the map was reported as allowed.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { AuditReport } from "../../src/audit/report-schema.js";
import { runCli } from "./run-cli.js";

const HOST = "examples/legacy/host-topology.yaml";

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "pmt-nft-include-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const MAIN = `#!/usr/sbin/nft -f
flush ruleset
define sip = { 5061 }
table inet edge {
  include "sets.d/*.nft"
  chain input {
    type filter hook input priority filter; policy accept;
    tcp dport vmap @sip_in
  }
}
`;

test("includes (wildcard, relative to the file) and a named vmap: 5061 : drop blocks sip-mtls-in", () => {
  const dir = tree({
    "nftables.conf": MAIN,
    "sets.d/10-sip.nft": "map sip_in {\n  type inet_service : verdict\n  elements = { $sip : drop }\n}\n",
    "sets.d/.hidden.nft": "this is not read (dot files are never matched)\n",
  });
  try {
    const r = runCli(["audit", "-t", HOST, "-r", join(dir, "nftables.conf"), "--format", "json"]);
    assert.equal(r.stderr, "", r.stderr);
    const report = AuditReport.parse(JSON.parse(r.stdout));
    const sip = report.flows.find((f) => f.id === "sip-mtls-in")!;
    assert.equal(sip.verdict, "blocked");
    assert.equal(sip.blocked[0]!.rule.text, "tcp dport vmap @sip_in");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a missing include is an error at its line and column, exit 2", () => {
  const dir = tree({ "nftables.conf": 'table inet f {\n  include "nothere.nft"\n}\n' });
  try {
    const r = runCli(["audit", "-t", HOST, "-r", join(dir, "nftables.conf")]);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      new RegExp(
        `${join(dir, "nftables.conf")}:2:3: error\\[nft-include\\]: include "nothere.nft": .*no such file`,
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
