/**
 * `portmatrix apply --target ufw` with the real ufw 0.36.2: the apply (and the `--confirm` from
 * another process) run in a network namespace of the test's own and each in a private mount
 * namespace where a copy of a freshly installed ufw is /etc/ufw and /etc/default/ufw and a folder
 * of the test's is /run (ufw's lock): the host's ufw is never touched. Unconfirmed → ufw ran the
 * commands, then its files are back byte for byte and the kernel holds what it held (nothing, or
 * the rule ufw had); confirmed → kept, and what ufw holds audits with every flow allowed.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { CLI, ROOT } from "../cli/run-cli.js";
import { ufwSkipReason } from "../kernel/ufw-real.js";
import { writeFreshUfw } from "../../src/lab/ufw.js";

const skip = ufwSkipReason();
const TMP = mkdtempSync(join(tmpdir(), "pm-ufw-apply-"));
const HOST = join(ROOT, "examples/seed-host.yaml");
const DEFAULTS = readFileSync(join(ROOT, "test/fixtures/ufw/default-ufw"), "utf8").replace(
  /^\s*(IPT_SYSCTL|IPT_MODULES)=.*$/gm,
  "$1=",
);

after(() => rmSync(TMP, { recursive: true, force: true }));

interface Sandbox {
  ns: string;
  dir: string;
}

/** A network namespace and a freshly installed ufw's files (ufw.conf ENABLED=no) for one test. */
function sandbox(): Sandbox {
  const dir = mkdtempSync(join(TMP, "box-"));
  writeFreshUfw(join(dir, "ufw"));
  writeFileSync(join(dir, "default-ufw"), DEFAULTS);
  mkdirSync(join(dir, "run"));
  mkdirSync(join(dir, "state"));
  const ns = `pmt-ufwa-${process.pid}-${randomBytes(3).toString("hex")}`;
  spawnSync("ip", ["netns", "add", ns], { stdio: "ignore" });
  return { ns, dir };
}

function drop(box: Sandbox): void {
  spawnSync("ip", ["netns", "del", box.ns], { stdio: "ignore" });
}

/** argv run in the box: its namespace, its ufw files mounted over the host's paths (never the host's). */
function inBox(box: Sandbox, argv: string[]): string[] {
  const mounts = [
    'mount --bind "$1/run" /run',
    'mount --bind "$1/ufw" /etc/ufw',
    'mount --bind "$1/default-ufw" /etc/default/ufw',
    "shift",
    'exec "$@"',
  ].join(" && ");
  return [
    "netns",
    "exec",
    box.ns,
    "unshare",
    "-m",
    "--propagation",
    "private",
    "sh",
    "-c",
    mounts,
    "sh",
    box.dir,
    ...argv,
  ];
}

const env = (box: Sandbox): NodeJS.ProcessEnv => ({
  ...process.env,
  PORTMATRIX_AS_OF: "2026-11-25",
  PORTMATRIX_RUN_DIR: join(box.dir, "state"),
});

function run(box: Sandbox, argv: string[]) {
  return spawnSync("ip", inBox(box, argv), { env: env(box), encoding: "utf8", timeout: 120_000 });
}

function start(box: Sandbox, argv: string[]) {
  const child = spawn("ip", inBox(box, argv), { env: env(box) });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  return new Promise<{ status: number | null; stderr: string }>((resolve) =>
    child.on("exit", (status) => resolve({ status, stderr })),
  );
}

const files = (box: Sandbox): Record<string, string> =>
  Object.fromEntries(
    [
      ...readdirSync(join(box.dir, "ufw")).filter((n) => n.endsWith(".rules") || n === "ufw.conf"),
      "default",
    ].map((n) => [
      n,
      readFileSync(n === "default" ? join(box.dir, "default-ufw") : join(box.dir, "ufw", n), "utf8"),
    ]),
  );

const kernel = (box: Sandbox): string =>
  spawnSync("ip", ["netns", "exec", box.ns, "sh", "-c", "iptables-save; ip6tables-save"], {
    encoding: "utf8",
  })
    .stdout.split("\n")
    .filter((l) => !l.startsWith("#"))
    .join("\n");

/** What the box's kernel lets through, as `audit --live` judges it: verdicts and exposed packets. */
function live(box: Sandbox): unknown {
  const r = run(box, node(["audit", "-t", HOST, "--live", "iptables", "--format", "json"]));
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const a = JSON.parse(r.stdout) as {
    flows: Array<{ id: string; verdict: string; uncertain: boolean }>;
    exposure: Array<{ packets: string[] }>;
  };
  return {
    flows: a.flows.map((f) => [f.id, f.verdict, f.uncertain]),
    exposed: a.exposure.flatMap((e) => e.packets).sort(),
  };
}

async function until(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const node = (args: string[]) => [process.execPath, CLI, ...args];
const apply = (within: string, more: string[] = []) =>
  node(["apply", "-t", HOST, "--target", "ufw", "--confirm-within", within, ...more]);

describe("apply --target ufw with the real ufw", { skip }, () => {
  test("unconfirmed: ufw ran the commands, then its files are back exactly and it passes what it passed (ufw off before)", async () => {
    const box = sandbox();
    try {
      const before = files(box);
      assert.doesNotMatch(kernel(box), /ufw-user-input/);
      const open = live(box);
      const done = start(box, apply("3"));
      await until("ufw to load the rules", () => /-A ufw-user-input .*--dport 5061/.test(kernel(box)));
      assert.match(readFileSync(join(box.dir, "ufw", "ufw.conf"), "utf8"), /^ENABLED=yes/m);
      const r = await done;
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /flows: compared once ufw has run the commands/);
      // ufw off lets everything pass: every flow was allowed before, and is after.
      assert.match(r.stderr, /flows: no verdict changes \(ufw before → ufw after the commands\)/);
      assert.match(r.stderr, /not confirmed within the time: the previous rules are restored/);
      assert.match(r.stderr, /ufw: its files are what it loads at boot/);
      assert.deepEqual(files(box), before);
      // ufw stopped again (`ufw disable`): its chains are left empty behind ACCEPT policies, as
      // after any `ufw disable` — every packet passes, as before the apply.
      assert.doesNotMatch(kernel(box), /ufw-user-input -|:(INPUT|OUTPUT|FORWARD) DROP/);
      assert.deepEqual(live(box), open);
    } finally {
      drop(box);
    }
  });

  test("unconfirmed with ufw on and a rule of its own: that rule and ufw's policies run again", async () => {
    const box = sandbox();
    try {
      const own = run(box, ["sh", "-c", "ufw allow 22/tcp && ufw --force enable"]);
      assert.equal(own.status, 0, own.stderr + own.stdout);
      const before = files(box);
      const running = kernel(box);
      assert.match(running, /-A ufw-user-input -p tcp -m tcp --dport 22 -j ACCEPT/);
      const r = run(box, apply("2"));
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /rules: what portmatrix owns in the kernel, before → after/);
      assert.deepEqual(files(box), before);
      assert.equal(kernel(box), running);
    } finally {
      drop(box);
    }
  });

  test("confirmed from another process: kept; ufw's files audit with every flow allowed; a backup to restore by hand", async () => {
    const box = sandbox();
    try {
      // ufw on as installed: incoming denied, so the Edge's ports are closed before the apply.
      const on = run(box, ["ufw", "--force", "enable"]);
      assert.equal(on.status, 0, on.stderr + on.stdout);
      const before = files(box);
      const backup = join(box.dir, "backup");
      const done = start(box, apply("60", ["--backup", backup]));
      const state = join(box.dir, "state");
      await until("the apply to wait", () =>
        readdirSync(state).some((d) => readdirSync(join(state, d)).includes("pending.json")),
      );
      const ok = run(box, node(["apply", "--confirm"]));
      assert.equal(ok.status, 0, ok.stderr);
      const r = await done;
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /confirmed: the new rules are kept/);
      assert.match(r.stderr, /sip-mtls-in: blocked → allowed/);
      const now = files(box);
      assert.notEqual(now["user.rules"], before["user.rules"]);
      assert.match(now["default"]!, /^DEFAULT_OUTPUT_POLICY="DROP"/m);
      // The backup: ufw's four files as they were, and how to put them back.
      assert.equal(readFileSync(join(backup, "etc/ufw/user.rules"), "utf8"), before["user.rules"]);
      assert.equal(readFileSync(join(backup, "etc/default/ufw"), "utf8"), before["default"]);
      assert.match(readFileSync(join(backup, "RESTORE.txt"), "utf8"), /ufw reload/);
      // What ufw holds now, read as `audit -r /etc/ufw -r /etc/default/ufw` reads it.
      const audit = run(
        box,
        node(["audit", "-t", HOST, "-r", "/etc/ufw", "-r", "/etc/default/ufw", "--format", "json"]),
      );
      assert.equal(audit.status, 0, audit.stderr);
      const report = JSON.parse(audit.stdout) as {
        flows: Array<{ id: string; verdict: string; uncertain: boolean }>;
      };
      for (const f of report.flows)
        assert.deepEqual([f.id, f.verdict, f.uncertain], [f.id, "allowed", false]);
    } finally {
      drop(box);
    }
  });
});
