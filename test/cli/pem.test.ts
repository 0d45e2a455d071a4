/**
 * A certificate, key or CA that is not PEM is bad input where it is named: probe and listen share
 * one reader (shell/files.readPem), exit 2, located at the file. Both run in a namespace of the
 * test's own (no interface up), so even a regression that opened sockets first reaches nothing.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CLI, ROOT } from "./run-cli.js";

test("pem: probe --ca and listen --cert/--key refuse a file that is not PEM, located, exit 2", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-pem-"));
  const ns = `pm-pem-${process.pid}`;
  assert.equal(spawnSync("ip", ["netns", "add", ns]).status, 0);
  try {
    const run = (args: string[]) => {
      const r = spawnSync("ip", ["netns", "exec", ns, process.execPath, CLI, ...args], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 60_000,
      });
      return { status: r.status, stderr: r.stderr };
    };
    const bad = join(dir, "not.pem");
    writeFileSync(bad, "just text\n");
    const probe = run(["probe", "-t", "examples/seed-host.yaml", "--from", "partners", "--ca", bad]);
    assert.equal(probe.status, 2, probe.stderr);
    assert.ok(probe.stderr.includes(`${bad}:1:1: error[bad-pem]: ${bad}: not PEM (--ca)`), probe.stderr);
    const listen = run([
      "listen",
      "-t",
      "examples/seed-host.yaml",
      "--as",
      "edge-access",
      "--cert",
      bad,
      "--key",
      bad,
    ]);
    assert.equal(listen.status, 2, listen.stderr);
    assert.ok(listen.stderr.includes(`error[bad-pem]: ${bad}: not PEM (--cert)`), listen.stderr);
    assert.doesNotMatch(probe.stderr + listen.stderr, /\n\s+at /, "no stack trace");
  } finally {
    spawnSync("ip", ["netns", "del", ns]);
    rmSync(dir, { recursive: true, force: true });
  }
});
