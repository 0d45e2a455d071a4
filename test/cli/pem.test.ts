/**
 * A certificate, key or CA that is not PEM is bad input where it is named: probe and listen share
 * one reader (shell/pem.readPem), exit 2, located at the file. Both run in a namespace of the
 * test's own (no interface up), so even a regression that opened sockets first reaches nothing.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CLI, ROOT } from "./run-cli.js";

/** `fn` with a runner of the CLI in a fresh namespace of this test's and a scratch folder; both removed after. */
function withNamespace(
  tag: string,
  fn: (run: (args: string[]) => { status: number | null; stderr: string }, dir: string) => void,
): void {
  const dir = mkdtempSync(join(tmpdir(), "pm-pem-"));
  const ns = `pm-${tag}-${process.pid}`;
  assert.equal(spawnSync("ip", ["netns", "add", ns]).status, 0);
  try {
    fn((args) => {
      const r = spawnSync("ip", ["netns", "exec", ns, process.execPath, CLI, ...args], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 60_000,
      });
      return { status: r.status, stderr: r.stderr };
    }, dir);
  } finally {
    spawnSync("ip", ["netns", "del", ns]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `listen` as edge-access of the seed host with these certificate and key files. */
const probeWith = (...tls: string[]): string[] => [
  "probe",
  "-t",
  "examples/seed-host.yaml",
  "--from",
  "partners",
  ...tls,
];
const listenWith = (cert: string, key: string): string[] => [
  "listen",
  "-t",
  "examples/seed-host.yaml",
  "--as",
  "edge-access",
  "--cert",
  cert,
  "--key",
  key,
];

test("pem: probe --ca and listen --cert/--key refuse a file that is not PEM, located, exit 2", () => {
  withNamespace("pem", (run, dir) => {
    const bad = join(dir, "not.pem");
    writeFileSync(bad, "just text\n");
    const probe = run(["probe", "-t", "examples/seed-host.yaml", "--from", "partners", "--ca", bad]);
    assert.equal(probe.status, 2, probe.stderr);
    assert.ok(probe.stderr.includes(`${bad}:1:1: error[bad-pem]: ${bad}: not PEM (--ca)`), probe.stderr);
    const listen = run(listenWith(bad, bad));
    assert.equal(listen.status, 2, listen.stderr);
    assert.ok(listen.stderr.includes(`error[bad-pem]: ${bad}: not PEM (--cert)`), listen.stderr);
    assert.doesNotMatch(probe.stderr + listen.stderr, /\n\s+at /, "no stack trace");
  });
});

test("pem: a CA whose certificate does not parse, a key that is not the certificate's, a certificate file without one: located, exit 2, before any packet", () => {
  withNamespace("pem2", (run, dir) => {
    // Two real pairs from `certs` (no network): a's key does not go with b's certificate.
    for (const who of ["a", "b"]) {
      const made = spawnSync(
        process.execPath,
        [CLI, "certs", "-o", join(dir, who), "--name", `${who}.example.com`],
        {
          cwd: ROOT,
          encoding: "utf8",
        },
      );
      assert.equal(made.status, 0, made.stderr);
    }
    const pem = (who: string, f: string) => join(dir, who, f);
    // OpenSSL ignores a CA whose base64 is broken (every server would then look untrusted).
    const brokenCa = join(dir, "broken-ca.pem");
    writeFileSync(
      brokenCa,
      "# our CA\n-----BEGIN CERTIFICATE-----\nMIIB!!not base64!!\n-----END CERTIFICATE-----\n",
    );
    const probe = run(probeWith("--ca", brokenCa));
    assert.equal(probe.status, 2, probe.stderr);
    assert.match(
      probe.stderr,
      new RegExp(`broken-ca\\.pem:2:1: error\\[bad-pem\\]: .*a certificate does not parse: .* \\(--ca\\)`),
    );
    const mismatched = run(probeWith("--cert", pem("b", "cert.pem"), "--key", pem("a", "key.pem")));
    assert.equal(mismatched.status, 2, mismatched.stderr);
    assert.match(
      mismatched.stderr,
      /a\/key\.pem:1:1: error\[bad-pem\]: .*is not the private key of .*b\/cert\.pem's certificate \(--key\)/,
    );
    const listen = run(listenWith(pem("a", "key.pem"), pem("a", "key.pem")));
    assert.equal(listen.status, 2, listen.stderr);
    assert.match(listen.stderr, /error\[bad-pem\]: .*key\.pem: no certificate in it \(--cert\)/);
    const keyless = run(listenWith(pem("a", "cert.pem"), pem("a", "cert.pem")));
    assert.equal(keyless.status, 2, keyless.stderr);
    assert.match(keyless.stderr, /error\[bad-pem\]: .*cert\.pem: no private key in it \(--key\)/);
    // The real pair still goes through the check (then fails later for want of the addresses).
    const good = run(
      probeWith("--cert", pem("a", "cert.pem"), "--key", pem("a", "key.pem"), "--ca", pem("a", "ca.pem")),
    );
    assert.doesNotMatch(good.stderr, /bad-pem/, good.stderr);
    for (const r of [probe, mismatched, listen, keyless, good])
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  });
});
