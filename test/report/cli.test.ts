/**
 * `portmatrix diagram`, `report` and `serve` as a user runs them (the built CLI): outputs, files
 * written whole, bad input as one clear line each with exit 2, the bind rule, and a real serve
 * process on 127.0.0.1 that answers and stops cleanly on SIGTERM.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { CLI, ROOT, runCli } from "../cli/run-cli.js";
import { ASA_TOPOLOGY, PROBE_FIXTURE, realAudit, SEED_HOST } from "./runs.js";

const dir = mkdtempSync(join(tmpdir(), "pm-report-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const auditFile = join(dir, "audit.json");
const REVERSE_PROXY = join(ROOT, "examples/catalog/lync2013-reverse-proxy.yaml");
writeFileSync(auditFile, JSON.stringify(realAudit()));

function noStack(stderr: string): void {
  assert.ok(!/\n\s+at /.test(stderr), `stack trace in: ${stderr}`);
}

test("diagram: SVG, Mermaid and DOT on standard output; -o writes the file", () => {
  const svg = runCli(["diagram", "-t", SEED_HOST]);
  assert.equal(svg.status, 0, svg.stderr);
  assert.match(svg.stdout, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  const mermaid = runCli(["diagram", "-t", SEED_HOST, "--format", "mermaid"]);
  assert.match(mermaid.stdout, /^flowchart LR\n/);
  const dot = runCli([
    "diagram",
    "-t",
    ASA_TOPOLOGY,
    "--format",
    "dot",
    "--audit",
    auditFile,
    "--probe",
    PROBE_FIXTURE,
  ]);
  assert.match(dot.stdout, /^digraph portmatrix \{/);
  assert.match(dot.stdout, /color="#cf222e"/, "a failed flow (probe fixture) is red");
  const out = join(dir, "d.svg");
  assert.equal(runCli(["diagram", "-t", SEED_HOST, "-o", out]).status, 0);
  assert.equal(readFileSync(out, "utf8"), svg.stdout);
});

test("report: one HTML file with the matrix, the diagram, findings and probe results", () => {
  const out = join(dir, "sub", "report.html");
  const r = runCli(["report", "-t", ASA_TOPOLOGY, "--audit", auditFile, "--probe", PROBE_FIXTURE, "-o", out]);
  assert.equal(r.status, 0, r.stderr);
  const html = readFileSync(out, "utf8");
  for (const id of ["matrix", "diagram", "audit", "probe"])
    assert.ok(html.includes(`<section id="${id}">`), id);
  assert.deepEqual(readdirSync(join(dir, "sub")), ["report.html"], "no temporary file left");
});

test("bad input: one line per problem, exit 2, no stack trace, no file", () => {
  const notJson = join(dir, "not.json");
  writeFileSync(notJson, "{ audit");
  // The probe's own contract: a state it never prints is refused, as is a run without its summary.
  const badProbe = join(dir, "bad-probe.json");
  const probe = JSON.parse(readFileSync(PROBE_FIXTURE, "utf8")) as { results: Array<{ state: string }> };
  probe.results[0]!.state = "half-open";
  writeFileSync(badProbe, JSON.stringify({ ...probe, summary: undefined }));
  const cases: Array<[string[], RegExp]> = [
    [["diagram"], /^error\[missing-option\]: --topology is required; expected --topology <file>$/m],
    [
      ["diagram", "-t", SEED_HOST, "--format", "png"],
      /error\[bad-option\]: --format "png" is not supported; expected one of svg, mermaid, dot/,
    ],
    [
      ["report", "-t", SEED_HOST, "--audit", notJson, "-o", join(dir, "never.html")],
      /error\[bad-run-json\]: .*not\.json: not JSON/,
    ],
    [
      ["report", "-t", SEED_HOST, "--probe", auditFile],
      /error\[bad-run-json\]: .*audit\.json: at results: .*expected a probe run/,
    ],
    [
      ["report", "-t", SEED_HOST, "--probe", badProbe],
      // Each problem where it is in the file: the missing summary at the top, the bad state on its line.
      /bad-probe\.json:1:1: error\[bad-run-json\]: .*bad-probe\.json: at summary: .*\n.*bad-probe\.json:1:\d{2,}: error\[bad-run-json\]: .*bad-probe\.json: at results\.0\.state: .*; expected a probe run \(portmatrix probe --format json, version 1\)$/m,
    ],
    [
      ["report", "-t", SEED_HOST, "--audit", join(dir, "missing.json")],
      /error\[unreadable-file\]: .*missing\.json: no such file/,
    ],
    [
      ["serve", "--listen", "0.0.0.0:8080", "--db", join(dir, "x.sqlite")],
      /error\[bind-needs-token\]: --listen 0\.0\.0\.0:8080 is not a loopback address/,
    ],
    [
      ["serve", "--listen", "0.0.0.0:8080", "--token", "short", "--db", join(dir, "x.sqlite")],
      /bind-needs-token/,
    ],
    [["serve", "--listen", "localhost", "--db", join(dir, "x.sqlite")], /error\[bad-listen\]/],
    [
      ["diagram", "-t", REVERSE_PROXY, "--audit", auditFile],
      /error\[profile-mismatch\]: .*audit\.json: the audit is of profile "lync2013-public-im", the topology binds "lync2013-reverse-proxy"/,
    ],
    [
      ["diagram", "-t", REVERSE_PROXY, "--probe", PROBE_FIXTURE],
      /error\[profile-mismatch\]: .*names none of the flows/,
    ],
  ];
  // A short token from the environment is refused like one on the command line.
  const fromEnv = runCli(["serve", "--listen", "0.0.0.0:8080", "--db", join(dir, "x.sqlite")], {
    env: { PORTMATRIX_TOKEN: "short" },
  });
  assert.equal(fromEnv.status, 2);
  assert.match(fromEnv.stderr, /bind-needs-token/);
  for (const [args, re] of cases) {
    const r = runCli(args);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(" "));
    noStack(r.stderr);
  }
  assert.ok(!readdirSync(dir).includes("never.html"));
});

test("serve: listens on 127.0.0.1, takes its token from $PORTMATRIX_TOKEN, exits 0 on SIGTERM", async () => {
  const token = "token-from-the-environment";
  const child = spawn(
    process.execPath,
    [CLI, "serve", "--db", join(dir, "serve.sqlite"), "--listen", "127.0.0.1:0"],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PORTMATRIX_TOKEN: token } },
  );
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no address printed: ${out}`)), 15_000);
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      out += c;
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
  });
  try {
    assert.equal((await fetch(url)).status, 401);
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /No runs saved yet/);
  } finally {
    const exited = new Promise<number | null>((r) => child.on("exit", r));
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
  }
});

test("serve: a port already taken is an environment problem (exit 3), said in one line", async () => {
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
  const port = (taken.address() as AddressInfo).port;
  try {
    const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [CLI, "serve", "--db", join(dir, "taken.sqlite"), "--listen", `127.0.0.1:${port}`],
        { stdio: ["ignore", "ignore", "pipe"] },
      );
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
      child.on("exit", (status) => resolve({ status, stderr }));
    });
    assert.equal(r.status, 3);
    assert.equal(r.stderr, `portmatrix serve: cannot listen on 127.0.0.1:${port}: EADDRINUSE\n`);
  } finally {
    taken.close();
  }
});
