/**
 * `portmatrix apply --target firewalld` against the real firewalld 1.3.3 (test/kernel/firewalld-real.ts:
 * its own network namespace, a private D-Bus, started on a copy of a configuration directory that
 * holds Debian's firewalld.conf and a public zone). The apply runs in that namespace with that bus:
 * unconfirmed → the zone and policy files were written and firewalld reloaded, then the directory
 * and the kernel's ruleset are back byte for byte; confirmed from another process → kept, and
 * firewalld's own configuration directory audits as the compiled files do; firewalld not running →
 * exit 3, nothing written. The pending state goes to a temporary run folder.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, describe, test } from "node:test";
import { CLI, ROOT } from "../cli/run-cli.js";
import { firewalldSkipReason, realFirewalldRuleset } from "../kernel/firewalld-real.js";

const skip = firewalldSkipReason();
const TMP = mkdtempSync(join(tmpdir(), "pm-fwd-apply-"));
const HOST = join(ROOT, "examples/seed-host.yaml");
const CONFIG = join(ROOT, "test/fixtures/firewalld/basic");
/** Debian's firewalld.conf and its stock public zone (ssh, dhcpv6-client): the Edge's ports closed. */
const STOCK = join(TMP, "stock");
mkdirSync(join(STOCK, "zones"), { recursive: true });
cpSync(join(CONFIG, "firewalld.conf"), join(STOCK, "firewalld.conf"));
writeFileSync(
  join(STOCK, "zones", "public.xml"),
  '<?xml version="1.0" encoding="utf-8"?>\n<zone>\n  <short>Public</short>\n  <service name="ssh"/>\n  <service name="dhcpv6-client"/>\n</zone>\n',
);

after(() => rmSync(TMP, { recursive: true, force: true }));

/** Every file under `dir`, by relative path, with its text. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return out;
}

interface Ctx {
  ns: string;
  env: NodeJS.ProcessEnv;
  config: string;
}

const runEnv = (ctx: Ctx, runDir: string): NodeJS.ProcessEnv => ({
  ...ctx.env,
  PORTMATRIX_AS_OF: "2026-11-25",
  PORTMATRIX_RUN_DIR: runDir,
});

function cli(ctx: Ctx, runDir: string, args: string[]) {
  return spawnSync("ip", ["netns", "exec", ctx.ns, process.execPath, CLI, ...args], {
    env: runEnv(ctx, runDir),
    encoding: "utf8",
    timeout: 120_000,
  });
}

function start(ctx: Ctx, runDir: string, args: string[]) {
  const child = spawn("ip", ["netns", "exec", ctx.ns, process.execPath, CLI, ...args], {
    env: runEnv(ctx, runDir),
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  const done = new Promise<{ status: number | null; stderr: string }>((resolve) =>
    child.on("exit", (status) => resolve({ status, stderr })),
  );
  return done;
}

const nft = (ctx: Ctx) =>
  spawnSync("ip", ["netns", "exec", ctx.ns, "nft", "list", "ruleset"], { encoding: "utf8" }).stdout;

async function until(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const applyArgs = (ctx: Ctx, within: string) => [
  "apply",
  "-t",
  HOST,
  "--target",
  "firewalld",
  "--firewalld-dir",
  ctx.config,
  "--confirm-within",
  within,
];

/** The zone's chain firewalld makes once it has loaded our zone. */
const loaded = (ctx: Ctx) => /chain filter_IN_portmatrix\b/.test(nft(ctx));

function flows(json: string): Array<[string, string, boolean]> {
  const r = JSON.parse(json) as { flows: Array<{ id: string; verdict: string; uncertain: boolean }> };
  return r.flows.map((f) => [f.id, f.verdict, f.uncertain]);
}

describe("apply --target firewalld with the real firewalld", { skip }, () => {
  test("unconfirmed: written and reloaded, then the directory and the kernel's ruleset restored exactly", async () => {
    const runDir = mkdtempSync(join(TMP, "run-"));
    await realFirewalldRuleset(CONFIG, {
      during: async (ctx) => {
        const files = tree(ctx.config);
        const ruleset = nft(ctx);
        assert.ok(!loaded(ctx));
        const run = start(ctx, runDir, applyArgs(ctx, "3"));
        await until("the zone to be loaded", () => loaded(ctx));
        assert.ok(Object.keys(tree(ctx.config)).includes("zones/portmatrix.xml"));
        const r = await run;
        assert.equal(r.status, 1, r.stderr);
        assert.match(r.stderr, /the zone portmatrix binds every source address/);
        assert.match(r.stderr, /not confirmed within the time: the previous rules are restored/);
        assert.match(r.stderr, /a reboot before the restore boots with them/);
        assert.deepEqual(tree(ctx.config), files);
        assert.equal(nft(ctx), ruleset);
        assert.deepEqual(
          readdirSync(runDir).flatMap((d) => readdirSync(join(runDir, d))),
          [],
        );
      },
    });
  });

  test("confirmed from another process: kept; the directory audits as the compiled files", async () => {
    const runDir = mkdtempSync(join(TMP, "run-"));
    const compiled = join(TMP, "compiled");
    const c = spawnSync(
      process.execPath,
      [CLI, "compile", "-t", HOST, "--target", "firewalld", "-o", compiled],
      {
        encoding: "utf8",
      },
    );
    assert.equal(c.status, 0, c.stderr);
    await realFirewalldRuleset(STOCK, {
      during: async (ctx) => {
        const before = tree(ctx.config);
        const backup = join(TMP, "backup");
        const run = start(ctx, runDir, [...applyArgs(ctx, "30"), "--backup", backup]);
        // Waiting for confirmation: its pending state is written once firewalld has reloaded.
        const pending = () =>
          readdirSync(runDir).some((d) => readdirSync(join(runDir, d)).includes("pending.json"));
        await until("the apply to wait for confirmation", pending);
        const ok = cli(ctx, runDir, ["apply", "--confirm"]);
        assert.equal(ok.status, 0, ok.stderr);
        const r = await run;
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stderr, /confirmed: the new rules are kept/);
        // Said before the load, in the matrix's terms: the public zone closed the Edge's ports.
        assert.match(
          r.stderr,
          /flows whose verdict changes \(running rules → compiled rules\):\n  sip-mtls-in: blocked → allowed\n/,
        );
        // The owned files are the compiled ones; firewalld's own are untouched.
        const now = tree(ctx.config);
        for (const [rel, text] of Object.entries(tree(compiled))) assert.equal(now[rel], text, rel);
        for (const [rel, text] of Object.entries(before)) assert.equal(now[rel], text, rel);
        // The backup holds what was owned before (nothing) and how to restore.
        assert.deepEqual(Object.keys(tree(backup)), ["RESTORE.txt"]);
        assert.ok(loaded(ctx));
        const audit = (dir: string) =>
          spawnSync(process.execPath, [CLI, "audit", "-t", HOST, "-r", dir, "--format", "json"], {
            encoding: "utf8",
            env: { ...process.env, PORTMATRIX_AS_OF: "2026-11-25" },
          });
        const configured = audit(ctx.config);
        const alone = audit(compiled);
        assert.ok(configured.status === 0 || configured.status === 1, configured.stderr);
        assert.deepEqual(flows(configured.stdout), flows(alone.stdout));
        // And what the host runs, read live: the same verdicts, with a note on where to look.
        const live = cli(ctx, runDir, ["audit", "-t", HOST, "--live", "--format", "json"]);
        assert.equal(live.status, configured.status, live.stderr);
        assert.deepEqual(flows(live.stdout), flows(configured.stdout));
        assert.match(live.stderr, /note\[live-managed\]: firewalld runs this host's firewall/);
        // A second apply of the same rules changes no file.
        // (The directory written with a trailing slash: the same files are the owned ones.)
        const again = cli(ctx, runDir, [
          ...applyArgs({ ...ctx, config: `${ctx.config}/` }, "30"),
          "--no-rollback",
        ]);
        assert.equal(again.status, 0, again.stderr);
        assert.match(again.stderr, /flows: no verdict changes/);
        assert.match(again.stderr, /rules: what portmatrix owns in the kernel is unchanged/);
        assert.deepEqual(tree(ctx.config), now);
      },
    });
  });

  /** A copy of STOCK with `extra` files added. */
  function configWith(extra: Record<string, string>): string {
    const dir = mkdtempSync(join(TMP, "etc-"));
    cpSync(STOCK, dir, { recursive: true });
    for (const [rel, text] of Object.entries(extra)) writeFileSync(join(dir, rel), text);
    return dir;
  }

  const zone = (body: string) => `<?xml version="1.0" encoding="utf-8"?>\n<zone>\n${body}</zone>\n`;

  /**
   * An apply onto STOCK plus `extra` that must be refused (exit 3) with each of `said` on stderr,
   * leaving the directory and the kernel's ruleset as they were and our zone unloaded.
   */
  async function refused(extra: Record<string, string>, said: RegExp[]): Promise<void> {
    const runDir = mkdtempSync(join(TMP, "run-"));
    await realFirewalldRuleset(configWith(extra), {
      during: async (ctx) => {
        const files = tree(ctx.config);
        const ruleset = nft(ctx);
        const r = cli(ctx, runDir, applyArgs(ctx, "30"));
        assert.equal(r.status, 3, r.stderr);
        for (const re of said) assert.match(r.stderr, re);
        assert.deepEqual(tree(ctx.config), files);
        assert.equal(nft(ctx), ruleset);
        assert.ok(!loaded(ctx));
      },
    });
  }

  test("firewalld refuses the configuration (a source already bound): exit 3 with its reason, nothing changed", () =>
    refused({ "zones/office.xml": zone('  <short>office</short>\n  <source address="0.0.0.0/0"/>\n') }, [
      // Our reader sees it too (the comparison says so); firewalld's own check decides.
      /flows: the rules as they will be could not be read .*source 0\.0\.0\.0\/0 is bound to zone office too/,
      /error\[apply-environment\]: firewall-cmd --check-config failed \(exit \d+\): Error: INVALID_ADDR: .*already bound to zone/,
    ]));

  test("a zone file of our name that portmatrix did not write is never replaced: exit 3", () =>
    refused({ "zones/portmatrix.xml": zone('  <short>mine</short>\n  <service name="ssh"/>\n') }, [
      /zones\/portmatrix\.xml: not written by portmatrix .* choose another compile\.name/,
    ]));

  test("firewalld not running: exit 3 with the reason, nothing written", () => {
    const runDir = mkdtempSync(join(TMP, "run-"));
    const dir = mkdtempSync(join(TMP, "etc-"));
    const r = spawnSync(process.execPath, [CLI, ...applyArgs({ ns: "", env: {}, config: dir }, "5")], {
      encoding: "utf8",
      env: {
        ...process.env,
        DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${join(dir, "no-bus.sock")}`,
        PORTMATRIX_RUN_DIR: runDir,
      },
    });
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /error\[apply-environment\]: firewalld is not running/);
    assert.deepEqual(readdirSync(dir), []);
  });
});
