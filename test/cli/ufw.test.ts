/**
 * `audit -r` of ufw's configuration (src/parse/ufw.ts): the directory as /etc/ufw holds it, with
 * /etc/default/ufw as a further -r file or assumed, findings at the rules files' lines, ufw's own
 * rules implicit, and what ufw-init would fail to load refused at its line, exit 2.
 * test/kernel/ufw-differential.test.ts checks the same reading against the real ufw.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { sniffFormat } from "../../src/parse/formats.js";
import { readUfw } from "../../src/parse/ufw.js";
import { ufwDirectory } from "../../src/shell/files.js";
import { runCli } from "./run-cli.js";

const F = "test/fixtures/ufw";
const DEFAULTS = readFileSync(`${F}/default-ufw`, "utf8");

interface Report {
  rulesets: Array<{ file: string; format: string }>;
  flows: Array<{ id: string; verdict: string; uncertain: boolean }>;
  exposure: Array<{ rule: { file: string; line: number; col: number; text: string; note?: string } }>;
}

const files = (dir: string) => ufwDirectory(dir)!.map((file) => ({ file, text: readFileSync(file, "utf8") }));

/** A copy of a fixture directory with one file edited. */
function edited(name: string, edit: (text: string) => string): { dir: string; done: () => void } {
  const tmp = mkdtempSync(join(tmpdir(), "pmt-ufw-cli-"));
  const dir = join(tmp, "ufw");
  cpSync(`${F}/basic`, dir, { recursive: true });
  writeFileSync(join(dir, name), edit(readFileSync(join(dir, name), "utf8")));
  return { dir, done: () => rmSync(tmp, { recursive: true, force: true }) };
}

test("a ufw directory and /etc/default/ufw: verdicts, findings at the rules' lines, ufw's own rules implicit", () => {
  const r = runCli([
    "audit",
    "-t",
    "examples/seed-host.yaml",
    "-r",
    `${F}/basic`,
    "-r",
    `${F}/default-ufw`,
    "--format",
    "json",
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "");
  const a = JSON.parse(r.stdout) as Report;
  assert.deepEqual(
    a.rulesets.map((s) => [s.file, s.format]),
    [[`${F}/basic`, "ufw"]],
  );
  assert.deepEqual(
    a.flows.filter((f) => !f.id.includes("-out") || f.id === "sip-mtls-out").map((f) => [f.id, f.verdict]),
    [
      ["sip-mtls-in", "allowed"],
      ["sip-mtls-out", "allowed"],
      ["sip-tls-clients", "allowed"],
      ["stun-udp-in", "allowed"],
    ],
  );
  const stun = a.exposure.find((e) => e.rule.text === "-A ufw-user-input -p udp --dport 3478 -j ACCEPT");
  assert.deepEqual([stun?.rule.file, stun?.rule.line, stun?.rule.col], [`${F}/basic/user.rules`, 27, 1]);
  // The accept policy's connection tracking: ufw-init's rule, its origin the setting.
  const track = a.exposure.find((e) => e.rule.text.startsWith("-A ufw-track-output -p tcp"));
  assert.deepEqual([track?.rule.file, track?.rule.line], [`${F}/default-ufw`, 15]);
  assert.match(track?.rule.note ?? "", /^implicit: ufw-init's own rule: .*DEFAULT_OUTPUT_POLICY=ACCEPT/);
});

test("/etc/default/ufw not given: ufw's shipped settings, said in a warning; the same verdicts", () => {
  const with_ = runCli([
    "audit",
    "-t",
    "examples/seed-host.yaml",
    "-r",
    `${F}/basic`,
    "-r",
    `${F}/default-ufw`,
  ]);
  const without = runCli(["audit", "-t", "examples/seed-host.yaml", "-r", `${F}/basic`]);
  assert.equal(without.status, 0, without.stderr);
  assert.match(
    without.stderr,
    /warning\[ufw-defaults-assumed\]: test\/fixtures\/ufw\/basic: IPV6=yes, DEFAULT_INPUT_POLICY=DROP, DEFAULT_OUTPUT_POLICY=ACCEPT, DEFAULT_FORWARD_POLICY=DROP assumed/,
  );
  assert.doesNotMatch(without.stderr, /ENABLED/); // ufw.conf was in the directory
  assert.equal(
    without.stdout,
    with_.stdout.replaceAll(`${F}/default-ufw:`, "/etc/default/ufw (ufw 0.36.2's default):"),
  );
});

test("a rule iptables-restore refuses: file:line:col, exit 2, no stack trace", () => {
  const t = edited("user.rules", (s) => s.replace("--dport 443 -j ACCEPT", "--dport 99999 -j ACCEPT"));
  try {
    const r = runCli(["audit", "-t", "examples/seed-host.yaml", "-r", t.dir, "-r", `${F}/default-ufw`]);
    assert.equal(r.status, 2, r.stdout);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr,
      new RegExp(`^${t.dir}/user\\.rules:21:26: error\\[iptables-bad-rule\\]: bad port 99999`, "m"),
    );
    assert.doesNotMatch(r.stderr, /at .*\.[jt]s:\d+/);
  } finally {
    t.done();
  }
});

test("what ufw-init could not restore: no COMMIT, a line outside a table, a jump before its chain exists", () => {
  const cases: Array<[string, (s: string) => string, RegExp]> = [
    [
      "after.rules",
      (s) => s.replace(/COMMIT\s*$/, ""),
      /after\.rules:30:1: error\[ufw-restore\]: table filter \(line 12\) has no COMMIT/,
    ],
    [
      "before.rules",
      (s) => `-A ufw-before-input -j ACCEPT\n${s}`,
      /before\.rules:1:1: error\[ufw-restore\]: line outside a table/,
    ],
    [
      "before.rules",
      (s) =>
        s.replace(
          "-A ufw-before-input -p udp --sport 67 --dport 68 -j ACCEPT",
          "-A ufw-before-input -j ufw-user-input",
        ),
      /before\.rules:46:1: error\[ufw-restore\]: jump to ufw-user-input before it exists/,
    ],
  ];
  for (const [name, edit, expected] of cases) {
    const t = edited(name, edit);
    try {
      const r = runCli(["audit", "-t", "examples/seed-host.yaml", "-r", t.dir, "-r", `${F}/default-ufw`]);
      assert.equal(r.status, 2, r.stdout);
      assert.match(r.stderr, expected);
    } finally {
      t.done();
    }
  }
});

test("ENABLED=no: ufw loads nothing; said, and every flow read as open", () => {
  const t = edited("ufw.conf", (s) => s.replace(/^ENABLED=yes$/m, "ENABLED=no"));
  try {
    const r = runCli([
      "audit",
      "-t",
      "examples/seed-host.yaml",
      "-r",
      t.dir,
      "-r",
      `${F}/default-ufw`,
      "--format",
      "json",
    ]);
    assert.match(
      r.stderr,
      new RegExp(`${t.dir}/ufw\\.conf:6:1: warning\\[ufw-disabled\\]: ufw is not enabled \\(ENABLED=no\\)`),
    );
    const a = JSON.parse(r.stdout) as Report;
    for (const f of a.flows) assert.equal(f.verdict, "allowed", f.id);
    assert.ok(a.exposure.some((e) => e.rule.file === `${t.dir}/ufw.conf` && e.rule.line === 6));
  } finally {
    t.done();
  }
});

test("IPV6=no: ip6tables gets DROP policies and loopback only, from the setting", () => {
  const p = readUfw([
    ...files(`${F}/basic`),
    { file: "default", text: DEFAULTS.replace(/^IPV6=yes$/m, "IPV6=no") },
  ]);
  assert.deepEqual(p.diagnostics, []);
  const v6 = p.ruleset.tables.filter((t) => t.family === "ip6");
  assert.deepEqual(
    v6.flatMap((t) => t.chains.map((c) => [c.name, c.base?.policy, c.rules.map((r) => r.origin.text)])),
    [
      ["INPUT", "drop", ["-A INPUT -i lo -j ACCEPT"]],
      ["FORWARD", "drop", []],
      ["OUTPUT", "drop", ["-A OUTPUT -o lo -j ACCEPT"]],
    ],
  );
  for (const r of v6.flatMap((t) => t.chains.flatMap((c) => c.rules))) {
    assert.match(r.implicit ?? "", /IPv6 disabled/);
    assert.equal(r.origin.file, "default");
  }
});

test("default policies: REJECT is a DROP policy behind a reject rule; ufw-init's own rules cite their line", () => {
  const text = DEFAULTS.replace(/^DEFAULT_INPUT_POLICY=.*$/m, 'DEFAULT_INPUT_POLICY="REJECT"');
  const p = readUfw([...files(`${F}/basic`), { file: "default", text }]);
  const filter = p.ruleset.tables.find((t) => t.family === "ip" && t.name === "filter")!;
  const chain = (n: string) => filter.chains.find((c) => c.name === n)!;
  assert.equal(chain("INPUT").base?.policy, "drop");
  assert.deepEqual(
    chain("ufw-reject-input").rules.map((r) => [r.action.kind, r.origin.file, r.origin.line]),
    [["reject", "default", 11]],
  );
  assert.deepEqual(
    chain("ufw-skip-to-policy-input").rules.map((r) => r.action.kind),
    ["reject"],
  );
  // INPUT's six jumps, in ufw-init's order, each citing its line of ufw-init-functions.
  assert.deepEqual(
    chain("INPUT").rules.map((r) => [r.action.kind === "jump" ? r.action.chain : "", r.origin.line]),
    ["before-logging", "before", "after", "after-logging", "reject", "track"].map((s, i) => [
      `ufw-${s}-input`,
      197 + i,
    ]),
  );
  for (const r of chain("INPUT").rules) assert.equal(r.origin.file, "/lib/ufw/ufw-init-functions");
  // ufw's own chains cite the line of ufw-init-functions that makes them.
  assert.deepEqual(
    ["ufw-before-logging-input", "ufw-track-forward", "ufw-logging-allow", "ufw-user-limit-accept"].map(
      (n) => chain(n).origin.line,
    ),
    [178, 195, 263, 324],
  );
  // The user rules hang off the end of ufw-before-input, after before.rules' own rules.
  const before = chain("ufw-before-input").rules;
  assert.equal(before.at(-1)!.origin.text, "-A ufw-before-input -j ufw-user-input");
  assert.match(before.at(-1)!.implicit ?? "", /hook of the user rules/);
  assert.ok(
    before.slice(0, -1).every((r) => r.implicit === undefined && r.origin.file.endsWith("before.rules")),
  );
});

test("one configuration: a second ufw directory is refused", () => {
  const r = runCli(["audit", "-t", "examples/seed-host.yaml", "-r", `${F}/basic`, "-r", `${F}/custom`]);
  assert.equal(r.status, 2, r.stdout);
  assert.match(
    r.stderr,
    /custom\/ufw\.conf:1:1: error\[ufw-duplicate-file\]: .* a second ufw\.conf \(test\/fixtures\/ufw\/basic\/ufw\.conf is one\)/,
  );
});

test("a policy ufw-init cannot load is refused at its line", () => {
  const text = DEFAULTS.replace(/^DEFAULT_FORWARD_POLICY=.*$/m, 'DEFAULT_FORWARD_POLICY="deny"');
  const p = readUfw([...files(`${F}/basic`), { file: "default", text }]);
  assert.deepEqual(
    p.diagnostics.map((d) => [d.code, d.severity, d.at?.line]),
    [["ufw-bad-policy", "error", 19]],
  );
});

test("an executable before.init: named in a warning, not read", () => {
  const t = edited("ufw.conf", (s) => s);
  try {
    writeFileSync(join(t.dir, "before.init"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    writeFileSync(join(t.dir, "after.init"), "#!/bin/sh\nexit 0\n", { mode: 0o640 });
    const r = runCli(["audit", "-t", "examples/seed-host.yaml", "-r", t.dir, "-r", `${F}/default-ufw`]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`${t.dir}/before\\.init:1:1: warning\\[ufw-init-script\\]: .*not read`),
    );
    assert.doesNotMatch(r.stderr, /after\.init/);
  } finally {
    t.done();
  }
});

test("ufw's settings files are told by their content; its rules files stay iptables-save alone", () => {
  assert.equal(sniffFormat(DEFAULTS), "ufw");
  assert.equal(sniffFormat(readFileSync(`${F}/basic/ufw.conf`, "utf8")), "ufw");
  assert.equal(sniffFormat(readFileSync(`${F}/basic/before.rules`, "utf8")), "iptables-save");
  // A script that sets ENABLED among its commands is no settings file.
  assert.equal(sniffFormat("#!/bin/sh\nENABLED=yes\niptables -A INPUT -j ACCEPT\n"), "iptables-script");
});
