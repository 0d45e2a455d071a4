/**
 * `portmatrix apply` and `audit --live` against real kernels (issue 18), each case in a network
 * namespace of its own that already holds someone else's rules: an nftables table `ip other`, or an
 * iptables user chain OTHER jumped to from INPUT and an ip6tables chain OTHER6. Checked:
 * unconfirmed → the rules were loaded, then the namespace's ruleset is back byte for byte; confirmed
 * from a second process → kept, the other rules untouched; SIGTERM and SIGKILL while waiting (the
 * watchdog); a second apply refused; a stale lock taken over; `audit --live` equal to auditing the
 * compiled file; `--fail-on-drift`. The pending state goes to a temporary run folder.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  cpSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
  mkdirSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { CLI, ROOT } from "../cli/run-cli.js";
import { kernelSkipReason, sh } from "../kernel/netns.js";

const skip = kernelSkipReason(["nft", "iptables-restore", "ip6tables-restore"]);
const RUN_DIR = mkdtempSync(join(tmpdir(), "pm-apply-run-"));
const TMP = mkdtempSync(join(tmpdir(), "pm-apply-"));
const ENV = { ...process.env, PORTMATRIX_AS_OF: "2026-11-25", PORTMATRIX_RUN_DIR: RUN_DIR };
const HOST = join(ROOT, "examples/seed-host.yaml");
const PERIMETER = join(ROOT, "examples/seed-perimeter.yaml");
// Endpoints with several addresses: the nftables output uses named interval sets, which the restore
// must load back from `nft list table` as they were.
const SETS = join(TMP, "sets.yaml");
writeFileSync(
  SETS,
  `profile: lync2013-public-im
endpoints:
  edge-access: [203.0.113.10, 2001:db8:10::10]
  partners: [198.51.100.0/26, 198.51.100.200-198.51.100.210, 2001:db8:20::/48]
  clients: any
  messenger-clients: [198.51.100.64/27, 2001:db8:30::1]
features: [public-im-connectivity]
management: [198.51.100.250, 2001:db8:99::1]
firewall: {kind: host, host: edge-access}
`,
);
const namespaces: string[] = [];
const children: ChildProcess[] = [];

after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const ns of namespaces) {
    try {
      sh(["ip", "netns", "del", ns]);
    } catch {
      /* gone */
    }
  }
  rmSync(RUN_DIR, { recursive: true, force: true });
  rmSync(TMP, { recursive: true, force: true });
});

const OTHER_NFT = `table ip other {
	chain inp {
		type filter hook input priority 10; policy accept;
		tcp dport 22 counter accept
	}
}
`;

function netns(backend: "nftables" | "iptables"): string {
  const ns = `pm-apply-${process.pid}-${randomBytes(3).toString("hex")}`;
  sh(["ip", "netns", "add", ns]);
  namespaces.push(ns);
  const x = (...cmd: string[]) => sh(["ip", "netns", "exec", ns, ...cmd]);
  if (backend === "nftables") sh(["ip", "netns", "exec", ns, "nft", "-f", "-"], OTHER_NFT);
  else {
    x("iptables", "-N", "OTHER");
    x("iptables", "-A", "INPUT", "-j", "OTHER");
    x("iptables", "-A", "OTHER", "-p", "tcp", "--dport", "22", "-j", "ACCEPT");
    // Not jumped to: an ip6tables DROP here (or a DROP policy) would judge the flows too — both must pass.
    x("ip6tables", "-N", "OTHER6");
    x("ip6tables", "-A", "OTHER6", "-s", "2001:db8:ff::/48", "-j", "DROP");
  }
  return ns;
}

/** The whole ruleset as the kernel prints it (iptables counters left out: traffic moves them). */
function ruleset(ns: string, backend: "nftables" | "iptables"): string {
  if (backend === "nftables") return sh(["ip", "netns", "exec", ns, "nft", "list", "ruleset"]);
  return ["iptables-save", "ip6tables-save"]
    .map((c) => sh(["ip", "netns", "exec", ns, c]))
    .join("")
    .split("\n")
    .filter((l) => !l.startsWith("#"))
    .map((l) => l.replace(/ \[\d+:\d+\]$/, ""))
    .join("\n");
}

const owned = (ns: string, backend: "nftables" | "iptables"): boolean =>
  backend === "nftables"
    ? /table inet portmatrix/.test(ruleset(ns, backend))
    : /portmatrix-input/.test(ruleset(ns, backend));

interface Done {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function start(ns: string, args: string[]): { child: ChildProcess; done: Promise<Done> } {
  const child = spawn("ip", ["netns", "exec", ns, process.execPath, CLI, ...args], { env: ENV });
  children.push(child);
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout!.resume();
  const done = new Promise<Done>((resolve) =>
    child.on("exit", (status, signal) => resolve({ status, signal, stderr })),
  );
  return { child, done };
}

function cli(ns: string, args: string[]): Done & { stdout: string } {
  const r = spawnSync("ip", ["netns", "exec", ns, process.execPath, CLI, ...args], {
    env: ENV,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, signal: r.signal, stderr: r.stderr, stdout: r.stdout };
}

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const applyArgs = (backend: string, topology = PERIMETER, within = "2") => [
  "apply",
  "-t",
  topology,
  "--target",
  backend,
  "--confirm-within",
  within,
];

function flowsOf(json: string): Array<[string, string, boolean]> {
  const r = JSON.parse(json) as { flows: Array<{ id: string; verdict: string; uncertain: boolean }> };
  return r.flows.map((f) => [f.id, f.verdict, f.uncertain]);
}

for (const backend of ["nftables", "iptables"] as const) {
  describe(`apply --target ${backend} in a namespace with someone else's rules`, { skip }, () => {
    test("unconfirmed: loaded, then the namespace's ruleset restored exactly after the time", async () => {
      const ns = netns(backend);
      const before = ruleset(ns, backend);
      const backup = join(TMP, `${ns}.backup`);
      const run = start(ns, [...applyArgs(backend), "--backup", backup]);
      await until("the rules to be loaded", () => owned(ns, backend));
      const r = await run.done;
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /not confirmed within the time: the previous rules are restored/);
      assert.equal(ruleset(ns, backend), before);
      assert.ok(statSync(backup).size > 0);
      assert.deepEqual(
        readdirSync(RUN_DIR).flatMap((d) => readdirSync(join(RUN_DIR, d))),
        [],
      );
    });

    test("confirmed from another process: kept, the other rules untouched; audit --live = audit of the compiled file", async () => {
      const ns = netns(backend);
      const other = (s: string) =>
        backend === "nftables"
          ? s.slice(s.indexOf("table ip other"), s.indexOf("}\n}\n", s.indexOf("table ip other")) + 4)
          : s
              .split("\n")
              .filter((l) => / OTHER6?\b|^:(INPUT|OUTPUT|FORWARD) |^\*/.test(l) && !/portmatrix/.test(l))
              .join("\n");
      const before = other(ruleset(ns, backend));
      const run = start(ns, applyArgs(backend, PERIMETER, "20"));
      await until("the rules to be loaded", () => owned(ns, backend));
      const c = cli(ns, ["apply", "--confirm"]);
      assert.equal(c.status, 0, c.stderr);
      const r = await run.done;
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /confirmed: the new rules are kept/);
      assert.ok(owned(ns, backend));
      assert.equal(other(ruleset(ns, backend)), before);
      assert.equal(cli(ns, ["apply", "--confirm"]).status, 3, "nothing left to confirm");

      const live = cli(ns, ["audit", "-t", PERIMETER, "--live", backend, "--format", "json"]);
      const file = join(TMP, `${ns}.${backend}`);
      sh([process.execPath, CLI, "compile", "-t", PERIMETER, "--target", backend, "-o", file]);
      const files = backend === "iptables" ? ["-r", file, "-r", `${file}.v6`] : ["-r", file];
      const compiled = cli(ns, ["audit", "-t", PERIMETER, ...files, "--format", "json"]);
      assert.equal(live.status, compiled.status, live.stderr);
      assert.deepEqual(flowsOf(live.stdout), flowsOf(compiled.stdout));
      const rep = JSON.parse(live.stdout) as { rulesets: Array<{ file: string }>; exposure: unknown[] };
      const want =
        backend === "nftables"
          ? ["kernel (nft -j list ruleset)"]
          : ["kernel (iptables-save)", "kernel (ip6tables-save)"];
      assert.deepEqual(
        rep.rulesets.map((x) => x.file),
        want,
      );
      // The same packets exposed (grouped by rule, and the rules are named differently: compare the lines).
      const exposure = (j: string) =>
        (JSON.parse(j) as { exposure: Array<{ direction: string; packets: string[] }> }).exposure
          .flatMap((e) => e.packets.map((p) => `${e.direction} ${p}`))
          .sort();
      assert.deepEqual(exposure(live.stdout), exposure(compiled.stdout));
    });

    test("an earlier apply's rules (named sets, both families) come back exactly when a new one is not confirmed", async () => {
      const ns = netns(backend);
      const first = cli(ns, [...applyArgs(backend, SETS), "--no-rollback"]);
      assert.equal(first.status, 0, first.stderr);
      const before = ruleset(ns, backend);
      if (backend === "nftables") assert.match(before, /elements = /);
      const second = cli(ns, applyArgs(backend, HOST, "1"));
      assert.equal(second.status, 1, second.stderr);
      assert.match(second.stderr, /^ {2}- /m, "the rule-level change was shown");
      assert.equal(ruleset(ns, backend), before);
    });

    test("SIGTERM while waiting restores at once; a second apply meanwhile is refused", async () => {
      const ns = netns(backend);
      const before = ruleset(ns, backend);
      const run = start(ns, applyArgs(backend, HOST, "30"));
      await until("the rules to be loaded", () => owned(ns, backend));
      await until("the pending state", () =>
        readdirSync(RUN_DIR).some((d) => readdirSync(join(RUN_DIR, d)).includes("pending.json")),
      );
      const second = cli(ns, applyArgs(backend, HOST, "30"));
      assert.equal(second.status, 3);
      assert.match(second.stderr, /error\[apply-pending\]/);
      run.child.kill("SIGTERM");
      const r = await run.done;
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /SIGTERM before confirmation: the previous rules are restored/);
      assert.equal(ruleset(ns, backend), before);
    });
  });
}

describe("apply: the watchdog and stale locks", { skip }, () => {
  test("SIGKILL of the waiting apply: the detached watchdog restores after the time", async () => {
    const ns = netns("nftables");
    const before = ruleset(ns, "nftables");
    const run = start(ns, applyArgs("nftables", HOST, "2"));
    await until(
      "the pending state with its watchdog",
      () =>
        readdirSync(RUN_DIR).some((d) => readdirSync(join(RUN_DIR, d)).includes("pending.json")) &&
        owned(ns, "nftables"),
    );
    // At once: the watchdog may not even have started reading its state yet.
    // `ip netns exec` execs node: the child is the waiting apply itself.
    run.child.kill("SIGKILL");
    await run.done;
    assert.ok(owned(ns, "nftables"), "still loaded right after the kill");
    await until("the watchdog's restore", () => ruleset(ns, "nftables") === before, 8000);
    await until(
      "the state cleared",
      () => readdirSync(RUN_DIR).every((d) => readdirSync(join(RUN_DIR, d)).length === 0),
      3000,
    );
  });

  test("SIGKILL, then --confirm: the rules are kept and the watchdog clears the state", async () => {
    const ns = netns("nftables");
    const run = start(ns, applyArgs("nftables", HOST, "20"));
    await until("the pending state", () =>
      readdirSync(RUN_DIR).some((d) => readdirSync(join(RUN_DIR, d)).includes("pending.json")),
    );
    run.child.kill("SIGKILL");
    await run.done;
    const c = cli(ns, ["apply", "--confirm"]);
    assert.equal(c.status, 0, c.stderr);
    await until(
      "the state cleared",
      () => readdirSync(RUN_DIR).every((d) => readdirSync(join(RUN_DIR, d)).length === 0),
      12_000,
    );
    assert.ok(owned(ns, "nftables"), "kept");
  });

  test("a lock left by a dead process is taken over", () => {
    const ns = netns("nftables");
    const ino = sh(["ip", "netns", "exec", ns, "stat", "-L", "-c", "%i", "/proc/self/ns/net"]).trim();
    const dir = join(RUN_DIR, `net-${ino}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "lock"), JSON.stringify({ pid: 2 ** 22 + 1, start: "1" }) + "\n");
    const r = cli(ns, [...applyArgs("nftables", HOST), "--no-rollback"]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(owned(ns, "nftables"));
    assert.deepEqual(readdirSync(dir), []);
  });

  test("an undecided apply whose processes all died is restored by the next apply first", () => {
    const ns = netns("nftables");
    assert.equal(cli(ns, [...applyArgs("nftables", HOST), "--no-rollback"]).status, 0);
    const ino = sh(["ip", "netns", "exec", ns, "stat", "-L", "-c", "%i", "/proc/self/ns/net"]).trim();
    const dir = join(RUN_DIR, `net-${ino}`);
    mkdirSync(dir, { recursive: true });
    const dead = { pid: 2 ** 22 + 2, start: "1" };
    writeFileSync(join(dir, "lock"), JSON.stringify(dead) + "\n");
    // What a killed apply (and killed watchdog) left: before it, no portmatrix table.
    const pending = {
      version: 1,
      apply: dead,
      watchdog: dead,
      deadlineMs: 0,
      previous: { target: "nftables" },
      header: "t",
    };
    writeFileSync(join(dir, "pending.json"), JSON.stringify(pending) + "\n");
    const r = cli(ns, [...applyArgs("iptables", HOST), "--no-rollback"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /died unconfirmed: restoring what ran before it/);
    assert.ok(!owned(ns, "nftables"), "the dead apply's nftables table is gone");
    assert.ok(owned(ns, "iptables"));
    assert.deepEqual(readdirSync(dir), []);
  });

  test("not root: apply and audit --live are exit 3, with the reason", () => {
    // As nobody. A checkout nobody cannot reach (a clone under mktemp -d, which is 0700) is run
    // from a copy of what an installed package holds for these commands: package.json, the
    // profiles, the built CLI (bundle and code cache) and the topology, in a folder of the test's.
    const nobody = ["--reuid=65534", "--regid=65534", "--clear-groups"];
    let root = ROOT;
    let copy: string | undefined;
    if (spawnSync("setpriv", [...nobody, "test", "-r", CLI]).status !== 0) {
      copy = mkdtempSync(join(tmpdir(), "pm-nobody-"));
      chmodSync(copy, 0o755);
      const cli = join(copy, "dist", "src", "cli");
      mkdirSync(cli, { recursive: true });
      mkdirSync(join(copy, "examples"));
      cpSync(join(ROOT, "package.json"), join(copy, "package.json"));
      cpSync(join(ROOT, "profiles"), join(copy, "profiles"), { recursive: true });
      cpSync(HOST, join(copy, "examples", "seed-host.yaml"));
      for (const f of ["main.js", "code-cache.js", "portmatrix.cjs", "portmatrix.cjs.cache"])
        cpSync(join(ROOT, "dist", "src", "cli", f), join(cli, f));
      root = copy;
    }
    const host = join(root, "examples", "seed-host.yaml");
    const asNobody = (args: string[]) =>
      spawnSync(
        "setpriv",
        [...nobody, process.execPath, join(root, "dist", "src", "cli", "main.js"), ...args],
        {
          env: ENV,
          encoding: "utf8",
          cwd: root,
        },
      );
    try {
      const apply = asNobody(applyArgs("nftables", host));
      assert.equal(apply.status, 3, apply.stderr);
      assert.match(apply.stderr, /error\[apply-environment\]: apply changes the kernel's ruleset: root only/);
      const live = asNobody(["audit", "-t", host, "--live", "nftables"]);
      assert.equal(live.status, 3, live.stderr);
      assert.match(live.stderr, /error\[live-unreadable\]: nft -j list ruleset failed/);
    } finally {
      if (copy) rmSync(copy, { recursive: true, force: true });
    }
  });

  test("bad input: no --target, an unwritable --backup: exit 2, nothing loaded", () => {
    const ns = netns("nftables");
    const before = ruleset(ns, "nftables");
    const r = cli(ns, ["apply", "-t", HOST]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /error\[missing-option\]/);
    assert.equal(ruleset(ns, "nftables"), before);
    const backup = cli(ns, [...applyArgs("nftables", HOST), "--backup", "/proc/portmatrix/backup.nft"]);
    assert.equal(backup.status, 2, backup.stderr);
    assert.match(backup.stderr, /error\[unwritable-output\]/);
    assert.equal(
      ruleset(ns, "nftables"),
      before,
      "a backup that cannot be written stops the apply before the load",
    );
  });
});

describe("audit --live --save --fail-on-drift", { skip }, () => {
  test("exit 1 with the flows when a verdict changed since the last saved run, 0 when not", () => {
    const ns = netns("nftables");
    const db = join(TMP, `${ns}.db`);
    assert.equal(cli(ns, [...applyArgs("nftables", HOST), "--no-rollback"]).status, 0);
    const audit = () => cli(ns, ["audit", "-t", HOST, "--live", "--save", db, "--fail-on-drift"]);
    assert.equal(audit().status, 0, "first run: nothing to compare");
    assert.equal(audit().status, 0, "unchanged");
    const handle = /tcp dport 443 .*# handle (\d+)/.exec(
      sh(["ip", "netns", "exec", ns, "nft", "-a", "list", "chain", "inet", "portmatrix", "input"]),
    )![1]!;
    sh(["ip", "netns", "exec", ns, "nft", "delete", "rule", "inet", "portmatrix", "input", "handle", handle]);
    const drifted = audit();
    assert.equal(drifted.status, 1);
    assert.match(drifted.stderr, /drift: 1 flow verdict\(s\) changed since saved run #2: sip-tls-clients/);
    assert.equal(cli(ns, [...applyArgs("nftables", HOST), "--no-rollback"]).status, 0);
    const back = audit();
    assert.equal(back.status, 1, "changed back: drift again, though the audit itself passes");
    assert.match(back.stderr, /since saved run #3: sip-tls-clients/);
    assert.equal(audit().status, 0);
  });
});
