/**
 * -o never destroys what is there: a device or FIFO is written through (never replaced by a regular
 * file), a symlink keeps pointing where it did and its target gets the output, /dev/full is a clean
 * "no space left". Issue #15.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { execFileSync } from "node:child_process";
import {
  lstatSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  createReadStream,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CLI, ROOT, runCli } from "../cli/run-cli.js";

const COMPILE = ["compile", "-t", "examples/seed-host.yaml", "--target", "nftables"];
const noStack = (stderr: string): void => assert.doesNotMatch(stderr, /internal error|\n\s+at /);

function withDir(fn: (dir: string) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "pm-harden-w-"));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test("-o /dev/full: exit 2, 'no space left', and /dev/full is still the device", () => {
  const r = runCli([...COMPILE, "-o", "/dev/full"]);
  assert.equal(r.status, 2, r.stderr);
  noStack(r.stderr);
  assert.match(r.stderr, /error\[unwritable-output\]: cannot write \/dev\/full: no space left/);
  assert.ok(lstatSync("/dev/full").isCharacterDevice(), "/dev/full replaced by a file");
});

test("-o /dev/null and -o /dev/stdout write through to the device", () => {
  const toNull = runCli([...COMPILE, "-o", "/dev/null"]);
  assert.equal(toNull.status, 0, toNull.stderr);
  assert.ok(lstatSync("/dev/null").isCharacterDevice());
  const toStdout = runCli([...COMPILE, "-o", "/dev/stdout"]);
  assert.equal(toStdout.status, 0, toStdout.stderr);
  assert.match(toStdout.stdout, /^table inet /m, "the rules reach standard output");
});

test(
  "-o onto a FIFO: the reader gets the rules, the FIFO stays a FIFO",
  withDir(async (dir) => {
    const fifo = join(dir, "rules.fifo");
    execFileSync("mkfifo", [fifo]);
    const child = spawn(process.execPath, [CLI, ...COMPILE, "-o", fifo], {
      cwd: ROOT,
      env: { ...process.env, PORTMATRIX_AS_OF: "2026-11-25" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    // Listened for at once: the child may end while the FIFO is still being read (under load it
    // did, and a listener added after the loop waited for an event already gone).
    const closed = new Promise<number | null>((res) => child.on("close", res));
    const chunks: Buffer[] = [];
    for await (const chunk of createReadStream(fifo)) chunks.push(chunk as Buffer);
    const status = await closed;
    assert.equal(status, 0, stderr);
    assert.match(Buffer.concat(chunks).toString(), /^table inet /m);
    assert.ok(lstatSync(fifo).isFIFO(), "FIFO replaced by a regular file");
  }),
);

test(
  "-o onto a symlink: the link stays, its target is replaced whole; a dangling link is refused",
  withDir((dir) => {
    const target = join(dir, "real.nft");
    const link = join(dir, "link.nft");
    writeFileSync(target, "old\n");
    symlinkSync("real.nft", link);
    const r = runCli([...COMPILE, "-o", link]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(readlinkSync(link), "real.nft");
    assert.match(readFileSync(target, "utf8"), /^table inet /m);

    const dangling = join(dir, "dangling.nft");
    symlinkSync("missing.nft", dangling);
    const d = runCli([...COMPILE, "-o", dangling]);
    assert.equal(d.status, 2);
    noStack(d.stderr);
    assert.match(d.stderr, /cannot write .*dangling\.nft: a symbolic link to a file that does not exist/);
    assert.ok(lstatSync(dangling).isSymbolicLink());
  }),
);

test(
  "certs -o over an existing PKI is refused without --force; the CA key is kept",
  withDir((dir) => {
    const first = runCli(["certs", "--name", "sip.contoso.example", "-o", dir]);
    assert.equal(first.status, 0, first.stderr);
    const key = readFileSync(join(dir, "ca-key.pem"), "utf8");
    const again = runCli(["certs", "--name", "sip.contoso.example", "-o", dir]);
    assert.equal(again.status, 2);
    assert.match(
      again.stderr,
      /error\[output-exists\]: .* already holds ca\.pem, ca-key\.pem, cert\.pem, key\.pem; expected another -o folder, or --force/,
    );
    assert.equal(readFileSync(join(dir, "ca-key.pem"), "utf8"), key);
    const forced = runCli(["certs", "--name", "sip.contoso.example", "-o", dir, "--force"]);
    assert.equal(forced.status, 0, forced.stderr);
    assert.notEqual(readFileSync(join(dir, "ca-key.pem"), "utf8"), key);
  }),
);
