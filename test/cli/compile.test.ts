/** `portmatrix compile` as a user runs it: files, warnings, refusals, bad input. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "./run-cli.js";

test("iptables with IPv6 writes FILE and FILE.v6; retired flows kept with a warning", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-compile-"));
  try {
    const out = join(dir, "edge.rules");
    const r = runCli(["compile", "-t", "examples/seed-perimeter.yaml", "--target", "iptables", "-o", out]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "");
    assert.match(
      readFileSync(out, "utf8"),
      /^-A FORWARD -i eth0 -o eth1 -d 203\.0\.113\.10\/32 -p tcp -m tcp --dport 5061 /m,
    );
    assert.match(
      readFileSync(`${out}.v6`, "utf8"),
      /^-A FORWARD -i eth0 -o eth1 -d 2001:db8:10::10\/128 -p tcp -m tcp --dport 5061 /m,
    );
    assert.match(r.stderr, /warning: flow rtp-tcp-out is retired .*--drop-retired/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--drop-retired leaves the Messenger rows out; ranges stay ranges", () => {
  const kept = runCli(["compile", "-t", "examples/seed-host.yaml", "--target", "nftables"]);
  assert.match(kept.stdout, /tcp dport 50000-59999 accept/);
  assert.equal(kept.stdout.split("\n").length < 60, true, "no rule per port");
  const dropped = runCli([
    "compile",
    "-t",
    "examples/seed-host.yaml",
    "--target",
    "nftables",
    "--drop-retired",
  ]);
  assert.equal(dropped.status, 0);
  assert.doesNotMatch(dropped.stdout, /50000|3478/);
  assert.match(dropped.stderr, /flow rtp-tcp-out is retired .*: left out \(--drop-retired\)/);
});

test("a target that cannot be this firewall kind is refused with one clear line, nothing written", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-compile-"));
  try {
    const out = join(dir, "asa.cfg");
    const r = runCli(["compile", "-t", "examples/seed-host.yaml", "--target", "cisco-asa", "-o", out]);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /error\[compile-unsupported\]: target cisco-asa configures a perimeter firewall.*; expected a topology with firewall: \{kind: perimeter/,
    );
    assert.equal(existsSync(out), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("bad input: unknown target, --target all without -o, broken topology", () => {
  const cases: Array<[string[], RegExp]> = [
    [
      ["--target", "juniper"],
      /--target "juniper" is not supported; expected one of nftables, iptables, windows, cisco-asa, pf, aws, azure, all/,
    ],
    [["--target", "all"], /--target all writes one file per target; expected -o DIR/],
  ];
  for (const [args, re] of cases) {
    const r = runCli(["compile", "-t", "examples/seed-host.yaml", ...args]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, re);
  }
  const r = runCli(["compile", "-t", "test/fixtures/bad/does-not-exist.yaml", "--target", "pf"]);
  assert.equal(r.status, 2);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});
