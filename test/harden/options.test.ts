/**
 * Absurd requests are refused with exit 2 before anything runs: numbers past Node's timers or X.509
 * dates, a probe host count past the ceiling, an audit of no ruleset, a lab ruleset that does not
 * read. Issue #15.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../cli/run-cli.js";
import { loadTopology } from "../../src/shell/load.js";
import { planProbe } from "../../src/probe/plan.js";

const noStack = (stderr: string): void => assert.doesNotMatch(stderr, /internal error|\n\s+at /);
const HOST = "examples/seed-host.yaml";

test("numeric options past what timers and dates take are bad input, not shortened or crashed", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-harden-o-"));
  try {
    const cases: Array<[string[], RegExp]> = [
      [
        ["dns", "-t", HOST, "--timeout", "99999999999"],
        /--timeout "99999999999" is not a whole number from 1 to 2147483647/,
      ],
      [["dns", "-t", HOST, "--tries", "1e300"], /--tries "1e300" is not a whole number/],
      [
        ["certs", "--name", "a.example", "--days", "99999999", "-o", join(dir, "c")],
        /--days "99999999" is not a whole number from 1 to 36500/,
      ],
      [
        ["listen", "-t", HOST, "--as", "edge-access", "--for", "2147484"],
        /--for "2147484" is not a number of seconds from 0 to 2147483/,
      ],
      [
        ["probe", "-t", HOST, "--from", "edge-access", "--max-hosts", "4294967296"],
        /--max-hosts "4294967296" is not a whole number from 1 to 65536/,
      ],
      [
        ["probe", "-t", HOST, "--from", "edge-access", "--timeout", "2147483648"],
        /--timeout "2147483648" is not a whole number/,
      ],
      [["audit", "-t", HOST, "-r", "x", "--max-lines", "-1"], /--max-lines "-1" is not a whole number/],
    ];
    for (const [args, re] of cases) {
      const r = runCli(args);
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
      noStack(r.stderr);
      assert.match(r.stderr, re);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("audit without -r is refused: no ruleset, no verdicts", () => {
  const r = runCli(["audit", "-t", HOST, "--save", "/nonexistent-dir/x.db"]);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, "error[missing-option]: no ruleset to audit; expected -r RULESET… or --live\n");
});

test("lab --ruleset with a ruleset the kernel refuses is bad input (2), not an environment failure (3)", () => {
  if (process.getuid?.() !== 0) return; // without root the lab stops at exit 3 before reading it
  const dir = mkdtempSync(join(tmpdir(), "pm-harden-o-"));
  try {
    const bad = join(dir, "bad.nft");
    writeFileSync(
      bad,
      "table inet f {\n chain input { type filter hook input priority 0; policy drop; tcp dport 5061 accept; bogus thing; }\n}\n",
    );
    const r = runCli(["lab", "-t", HOST, "--ruleset", bad]);
    assert.equal(r.status, 2, r.stderr);
    noStack(r.stderr);
    assert.match(r.stderr, /bad\.nft/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("probe plan: a /0 endpoint at the --max-hosts ceiling is skipped with its reason, not listed", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-harden-o-"));
  try {
    const topo = join(dir, "wide.yaml");
    writeFileSync(
      topo,
      "profile: lync2013-public-im\nendpoints:\n  edge-access: 203.0.113.10\n  partners: 0.0.0.0/0\n  clients: any\n  messenger-clients: any\nfeatures: [public-im-connectivity]\nfirewall: {kind: host, host: edge-access}\n",
    );
    const t = loadTopology(topo, "2026-11-25");
    assert.ok(t.ok);
    const started = Date.now();
    const planned = planProbe(t.value.bound, "edge-access", { includeRetired: false, maxHosts: 65_536 });
    assert.ok(planned.ok);
    assert.ok(Date.now() - started < 2000, "no host list was made");
    const skipped = planned.plan.skipped.find((s) => s.flow === "sip-mtls-out");
    assert.match(
      skipped?.reason ?? "",
      /^partners is any4 \(4294967296 addresses\): the prober only sends to hosts the topology names; bind partners to test hosts \(at most 65536\)/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
