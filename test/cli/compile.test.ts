/** `portmatrix compile` as a user runs it: files, warnings, refusals, bad input. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "./run-cli.js";

const SEED_HOST_NFT_DROPPED = [
  "compile",
  "-t",
  "examples/seed-host.yaml",
  "--target",
  "nftables",
  "--drop-retired",
];

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
  const dropped = runCli(SEED_HOST_NFT_DROPPED);
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
      /--target "juniper" is not supported; expected one of nftables, iptables, windows, cisco-asa, pf, aws, azure, panos, fortios, all/,
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

test("an output that cannot be written is bad input: one line naming the path, exit 2, no stray files", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-compile-"));
  try {
    const file = join(dir, "plain");
    writeFileSync(file, "x");
    const cases: Array<[string, RegExp]> = [
      [join(file, "edge.nft"), /: a part of the path is a file;/],
      [dir, /: is a directory;/],
      // Node's own recursive mkdir never returns here; ours must.
      ["/proc/portmatrix-nope/edge.nft", /no such folder, and it cannot be made;/],
    ];
    for (const [out, why] of cases) {
      const r = runCli([...SEED_HOST_NFT_DROPPED, "-o", out]);
      assert.equal(r.status, 2, r.stderr);
      const errors = r.stderr.split("\n").filter((l) => l.startsWith("error"));
      assert.equal(errors.length, 1, r.stderr);
      assert.match(errors[0]!, /^error\[unwritable-output\]: cannot write /);
      assert.match(errors[0]!, why);
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
    }
    assert.deepEqual(readdirSync(dir), ["plain"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("certs: a missing or malformed --name is bad input; valid names make a CA and a leaf", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-certs-"));
  try {
    const none = runCli(["certs", "-o", dir]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /^error\[bad-option\]: certs needs at least one --name/);
    const bad = runCli(["certs", "--name", "bad name", "-o", dir]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--name "bad name" is neither a DNS name nor an IP address/);
    assert.deepEqual(readdirSync(dir), []);
    const ok = runCli(["certs", "--name", "*.contoso.example", "--name", "2001:db8::1", "-o", dir]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.deepEqual(readdirSync(dir).sort(), ["ca-key.pem", "ca.pem", "cert.pem", "key.pem"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
