/** Files that are missing, folders, or not what they should be: one line each, exit 2, never a stack trace. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "./run-cli.js";

const oneError = (stderr: string): string => {
  assert.doesNotMatch(stderr, /internal error|\n\s+at /);
  const errors = stderr.split("\n").filter((l) => /error\[/.test(l));
  assert.equal(errors.length, 1, stderr);
  return errors[0]!;
};

test("lab --ruleset: a missing file or a folder is bad input, said before anything is made", () => {
  for (const [path, said] of [
    [
      "/nonexistent-portmatrix.rules",
      "error[unreadable-file]: /nonexistent-portmatrix.rules: no such file; expected a readable file",
    ],
    [
      "/tmp",
      "error[lab-ruleset]: /tmp: a directory without a firewalld or ufw configuration; expected an nftables or iptables-save ruleset, firewalld's directory (/etc/firewalld) or ufw's (/etc/ufw)",
    ],
  ] as const) {
    const r = runCli(["lab", "-t", "examples/seed-host.yaml", "--ruleset", path]);
    if (process.getuid?.() !== 0) {
      assert.equal(r.status, 3, "without root the lab stops before reading anything");
      continue;
    }
    assert.equal(r.status, 2, r.stderr);
    assert.equal(oneError(r.stderr), said);
  }
});

test("merge: a missing file, a file that is not JSON and a run of another version, one line each", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-bad-"));
  try {
    const v2 = join(dir, "v2.json");
    const run = JSON.parse(readFileSync("test/report/fixtures/probe-seed-perimeter.json", "utf8")) as object;
    writeFileSync(v2, JSON.stringify({ ...run, version: 2 }));
    const r = runCli(["merge", "/nonexistent-portmatrix.json", v2, "README.md"]);
    assert.equal(r.status, 2);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 3, r.stderr);
    const line = (re: RegExp): string => lines.find((l) => re.test(l)) ?? "";
    assert.match(
      line(/nonexistent/),
      /error\[unreadable-file\]: \/nonexistent-portmatrix\.json: no such file/,
    );
    assert.match(
      line(/README/),
      /^README\.md:1:1: error\[bad-run-json\]: README\.md: not JSON \(Unexpected token/,
    );
    assert.match(line(/v2\.json/), /v2\.json:1:12: error\[bad-run-json\]: .*v2\.json: at version: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("show: a topology where a profile goes is named as such, with the command that was meant", () => {
  const r = runCli(["show", "examples/seed-host.yaml"]);
  assert.equal(r.status, 2);
  assert.equal(
    oneError(r.stderr),
    "examples/seed-host.yaml:3:1: error[topology-not-profile]: examples/seed-host.yaml is a topology (of profile lync2013-public-im), not a profile; expected a profile here; a topology goes after -t, e.g. portmatrix show lync2013-public-im -t examples/seed-host.yaml",
  );
});

test("a value of the wrong kind is named for what it is; endpoints bound wrongly are not also 'not bound'", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-bad-"));
  try {
    const cases: Array<[string, string[]]> = [
      ["", ["1:1: error[missing-key]: the document is empty; expected object"]],
      ["- a\n- b\n", ["1:1: error[invalid-type]: the document is a list; expected object"]],
      [
        "profile: lync2013-public-im\nendpoints:\n  edge-access: {a: 1}\n  partners: 5\n  clients: any\n  messenger-clients: [true]\nfirewall: {kind: host, host: edge-access}\n",
        [
          '3:16: error[invalid-type]: "endpoints.edge-access" is a mapping; expected string',
          '4:13: error[invalid-type]: "endpoints.partners" is the number 5; expected string',
          '6:23: error[invalid-type]: "endpoints.messenger-clients.0" is the boolean true; expected string',
        ],
      ],
    ];
    cases.forEach(([text, want], i) => {
      const file = join(dir, `t${i}.yaml`);
      writeFileSync(file, text);
      const r = runCli(["compile", "-t", file, "--target", "nftables"]);
      assert.equal(r.status, 2);
      assert.deepEqual(
        r.stderr.trimEnd().split("\n"),
        want.map((w) => `${file}:${w}`),
      );
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("probe --save with a database that cannot be used is refused before any packet is sent", () => {
  for (const db of ["/proc/portmatrix-nope/runs.db", "/etc/hostname/runs.db"]) {
    const r = runCli(["probe", "-t", "examples/seed-host.yaml", "--from", "partners", "--save", db]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(oneError(r.stderr), /^error\[bad-database\]: .* cannot use as the run database/);
    assert.equal(r.stdout, "");
  }
});

test("report --dns: not a DNS check, or one of another profile, is refused", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-bad-"));
  try {
    const other = join(dir, "other.json");
    writeFileSync(
      other,
      JSON.stringify({
        version: 1,
        profile: "sfb2019-edge-external",
        server: "system",
        location: "external",
        domains: ["contoso.example"],
        records: [],
        summary: { records: 0, ok: 0, failed: 0, states: {} },
      }),
    );
    const mismatch = runCli(["report", "-t", "examples/seed-host.yaml", "--dns", other]);
    assert.equal(mismatch.status, 2);
    assert.match(
      oneError(mismatch.stderr),
      /error\[profile-mismatch\]: .*the DNS check is of profile "sfb2019-edge-external"/,
    );
    // Not a DNS check: every problem said (up to ten), each on its own line, no stack trace.
    const notDns = runCli(["report", "-t", "examples/seed-host.yaml", "--dns", "package.json"]);
    assert.equal(notDns.status, 2);
    assert.doesNotMatch(notDns.stderr, /internal error|\n\s+at /);
    for (const l of notDns.stderr.trimEnd().split("\n"))
      assert.match(
        l,
        /^package\.json:\d+:\d+: error\[bad-run-json\]: package\.json: .*; expected the output of portmatrix dns --format json$/,
      );
    // Each where it is: a wrong value on its line, a missing key at the top.
    assert.match(notDns.stderr, /^package\.json:3:14: error\[bad-run-json\]: package\.json: at version: /m);
    assert.match(notDns.stderr, /^package\.json:1:1: error\[bad-run-json\]: package\.json: at profile: /m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("listen --transport: an unknown one, or one the endpoint has no port of, is bad input", () => {
  const bad = runCli([
    "listen",
    "-t",
    "examples/seed-host.yaml",
    "--as",
    "edge-access",
    "--transport",
    "sctp",
  ]);
  assert.equal(bad.status, 2);
  assert.match(oneError(bad.stderr), /--transport "sctp" is not supported; expected one of tcp, udp/);
  const none = runCli([
    "listen",
    "-t",
    "test/fixtures/v4-only-source.yaml",
    "--as",
    "webconf-edge",
    "--transport",
    "udp",
  ]);
  assert.equal(none.status, 2);
  assert.match(oneError(none.stderr), /--transport udp: webconf-edge has no udp port to listen on/);
});
