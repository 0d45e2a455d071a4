/**
 * The real firewalld (Debian 12's firewalld 1.3.3, /usr/sbin/firewalld) run against a config
 * directory, for differential tests of our firewalld-config reader: `realFirewalldRuleset(dir)` copies
 * the directory, starts firewalld on that copy (`--system-config`; the stock config stays
 * /usr/lib/firewalld) and returns the nftables ruleset firewalld created, with its log.
 *
 * Why it is safe for the machine it runs on:
 * - firewalld only ever runs inside a fresh network namespace (`pmt-fwd-<pid>-<hex>`) made for the run:
 *   right before the spawn the namespace's inode is checked to exist and to differ from the host's
 *   (and `ip netns exec` refuses a missing namespace), and once it is up the process is checked to be
 *   firewalld in that namespace. Its nft/iptables/ebtables calls therefore only touch that namespace.
 * - It talks to a private D-Bus system bus (our own dbus-daemon on a socket in a temp dir, via
 *   DBUS_SYSTEM_BUS_ADDRESS), never to the host's bus; no NetworkManager or polkit is reachable.
 * - firewalld is ended with SIGKILL, so none of its shutdown code runs (with CleanupModulesOnExit=yes
 *   that code would rmmod netfilter modules host-wide); deleting the namespace drops its rules. Only
 *   processes this module spawned are signalled, by their pid (`ip netns exec` execs, so the spawned
 *   pid is firewalld's), plus any process left inside the run's own namespace.
 * - The only host-wide effect left is the one firewalld's start-up can have anywhere: `modprobe` of a
 *   conntrack helper module for services that use helpers (loading only).
 *
 * Readiness is firewalld's own D-Bus `state` property: the D-Bus main loop runs only after start-up
 * has applied the rules, and the state is then RUNNING, or FAILED when firewalld rejected the user
 * config and fell back to the stock config ("failsafe"; the process keeps running). By default a
 * FAILED start is thrown as an Error carrying firewalld's errors; `allowFailsafe` returns it instead.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelSkipReason } from "./netns.js";
import { withKernelFamilyTests } from "../../src/parse/nft-netlink.js";

export const FIREWALLD = "/usr/sbin/firewalld";
/** Every namespace this process creates for firewalld starts with this. */
export const FIREWALLD_NS_PREFIX = `pmt-fwd-${process.pid}-`;

export interface RealFirewalld {
  /** `nft list ruleset` in the namespace once firewalld had started. */
  ruleset: string;
  /** What `audit --live` reads there: `nft -j list ruleset`, the family tests of its bytecode put back. */
  live: string;
  /** firewalld's console output (stdout and stderr). */
  log: string;
  /** RUNNING: the given config was loaded. FAILED: it was rejected; the ruleset is the stock config. */
  state: "RUNNING" | "FAILED";
  /** firewalld's `ERROR:` log lines (a RUNNING start can have some, e.g. an unknown DefaultZone). */
  errors: string[];
}

export interface RealFirewalldOptions {
  /** Interfaces to create (and set up) in the namespace before firewalld starts. */
  interfaces?: string[];
  /** Return a failsafe start (state FAILED) instead of throwing. */
  allowFailsafe?: boolean;
  /** Passed as `--debug N` (firewalld's DEBUG1..10 lines); off by default. */
  debug?: number;
  /** Overall start-up timeout, default 30 s. */
  timeoutMs?: number;
  /**
   * Run while firewalld is up (after its start-up ruleset is read), before it is ended: for tests
   * that drive the running firewalld (`firewall-cmd` with `env`, which names the private bus; the
   * configuration directory firewalld was started on, `config`). Its error fails the run.
   */
  during?: (ctx: { ns: string; env: NodeJS.ProcessEnv; config: string }) => Promise<void>;
}

/** Why the real firewalld cannot run here, or undefined when it can. */
export function firewalldSkipReason(): string | undefined {
  const reason = kernelSkipReason(["nft", "dbus-daemon", "dbus-send"]);
  if (reason) return reason;
  if (!existsSync(FIREWALLD)) return `${FIREWALLD} is not installed (apt-get install firewalld)`;
  return undefined;
}

interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

const TAIL = 40;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function run(cmd: string[], env?: NodeJS.ProcessEnv, timeout = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd[0]!,
      cmd.slice(1),
      { encoding: "utf8", timeout, maxBuffer: 64 << 20, env: env ?? process.env },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${cmd.join(" ")}: ${stderr.trim() || error.message}`));
        else resolve(stdout);
      },
    );
  });
}

function launch(cmd: string[], env: NodeJS.ProcessEnv, out: string[]) {
  const child = spawn(cmd[0]!, cmd.slice(1), { env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.setEncoding("utf8").on("data", (s: string) => out.push(s));
  child.stderr!.setEncoding("utf8").on("data", (s: string) => out.push(s));
  let done: Exited | undefined;
  const exited = new Promise<Exited>((resolve) => {
    child.once("exit", (code, signal) => resolve((done = { code, signal })));
    child.once("error", (error) => resolve((done = { code: null, signal: null, error })));
  });
  return { child, exited, isRunning: () => done === undefined && child.pid !== undefined };
}

/** Resolves with the promise's value, or with undefined after ms. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)));
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

const nsInode = (path: string): number => statSync(path).ino;

function describe(exited: Exited): string {
  if (exited.error) return `could not start: ${exited.error.message}`;
  return exited.signal ? `was killed by ${exited.signal}` : `exited with status ${exited.code}`;
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

// Live runs, so that a test process that exits mid-run still ends its daemons and namespaces.
const live = new Set<{ children: ChildProcess[]; ns: string }>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const r of live) {
      for (const c of r.children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
      try {
        // The namespace itself goes once its last process has.
        execFileSync("ip", ["netns", "del", r.ns], { stdio: "ignore", timeout: 5_000 });
      } catch {
        /* nothing more to do at exit */
      }
    }
  });
}

/**
 * Starts the real firewalld on a copy of `configDir` in a new network namespace and returns the ruleset
 * it loaded. Throws (with firewalld's last log lines) if firewalld exits, times out, or — unless
 * `allowFailsafe` — rejects the config. Always ends firewalld and its bus and deletes the namespace.
 */
export async function realFirewalldRuleset(
  configDir: string,
  opts: RealFirewalldOptions = {},
): Promise<RealFirewalld> {
  const interfaces = opts.interfaces ?? [];
  for (const i of interfaces)
    if (!/^[A-Za-z0-9_.-]{1,15}$/.test(i) || i === "lo" || i === "." || i === "..")
      throw new Error(`not a usable interface name: ${JSON.stringify(i)}`);
  if (!statSync(configDir).isDirectory()) throw new Error(`${configDir} is not a directory`);
  const timeoutMs = opts.timeoutMs ?? 30_000;

  const tmp = mkdtempSync(join(tmpdir(), "pmt-fwd-"));
  const ns = `${FIREWALLD_NS_PREFIX}${randomBytes(4).toString("hex")}`;
  const busLog: string[] = [];
  const fwLog: string[] = [];
  let bus: ReturnType<typeof launch> | undefined;
  let fwd: ReturnType<typeof launch> | undefined;
  let nsCreated = false;
  const entry = { children: [] as ChildProcess[], ns };
  installExitHook();
  live.add(entry);

  const logText = (): string => fwLog.join("");
  const tail = (): string => {
    const lines = logText().trimEnd().split("\n");
    return lines.slice(-TAIL).join("\n");
  };

  const cleanup = async (): Promise<string[]> => {
    const problems: string[] = [];
    if (fwd?.isRunning()) {
      fwd.child.kill("SIGKILL");
      if (!(await within(fwd.exited, 10_000))) problems.push(`firewalld (pid ${fwd.child.pid}) did not exit`);
    }
    if (nsCreated) {
      // Anything firewalld left running (a modprobe, an nft) is in this run's own namespace.
      for (let i = 0; i < 50; i++) {
        let pids: number[];
        try {
          pids = (await run(["ip", "netns", "pids", ns])).split(/\s+/).filter(Boolean).map(Number);
        } catch (e) {
          problems.push((e as Error).message);
          break;
        }
        if (pids.length === 0) break;
        for (const p of pids) {
          try {
            process.kill(p, "SIGKILL");
          } catch {
            /* already gone */
          }
        }
        if (i === 49) problems.push(`processes still in ${ns}: ${pids.join(" ")}`);
        await sleep(100);
      }
    }
    if (bus?.isRunning()) {
      bus.child.kill("SIGTERM");
      if (!(await within(bus.exited, 5_000))) {
        bus.child.kill("SIGKILL");
        if (!(await within(bus.exited, 5_000)))
          problems.push(`dbus-daemon (pid ${bus.child.pid}) did not exit`);
      }
    }
    if (nsCreated) {
      try {
        await run(["ip", "netns", "del", ns]);
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    rmSync(tmp, { recursive: true, force: true });
    live.delete(entry);
    return problems;
  };

  let result: RealFirewalld | undefined;
  let failure: unknown;
  try {
    const config = join(tmp, "config");
    cpSync(configDir, config, { recursive: true });
    const socket = join(tmp, "bus.sock");
    if (socket.length > 100) throw new Error(`temp dir path too long for a unix socket: ${socket}`);
    const busConf = join(tmp, "bus.conf");
    writeFileSync(
      busConf,
      `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" ` +
        `"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">\n` +
        `<busconfig><type>system</type><listen>unix:path=${xmlEscape(socket)}</listen>` +
        `<auth>EXTERNAL</auth>\n<policy context="default"><allow user="*"/><allow own="*"/>` +
        `<allow send_type="method_call"/><allow send_destination="*"/><allow receive_sender="*"/>` +
        `</policy></busconfig>\n`,
    );
    const busAddress = `unix:path=${socket}`;
    const env: NodeJS.ProcessEnv = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: busAddress };
    delete env.DBUS_SESSION_BUS_ADDRESS;

    // 1. The private system bus; it prints its address once it listens.
    const b = launch(["dbus-daemon", `--config-file=${busConf}`, "--nofork", "--print-address"], env, busLog);
    bus = b;
    entry.children.push(b.child);
    const busUp = (async () => {
      while (!busLog.join("").includes(socket)) {
        if (!b.isRunning()) return false;
        await sleep(10);
      }
      return true;
    })();
    if (!(await within(busUp, 10_000)))
      throw new Error(`dbus-daemon did not come up: ${busLog.join("").trim() || "(no output)"}`);

    // 2. The namespace, and the interfaces the config may name.
    await run(["ip", "netns", "add", ns]);
    nsCreated = true;
    for (const name of interfaces) await addInterface(ns, name);

    // 3. firewalld, only ever inside that namespace.
    const nsPath = `/run/netns/${ns}`;
    if (!existsSync(nsPath) || nsInode(nsPath) === nsInode("/proc/self/ns/net"))
      throw new Error(`refusing to start firewalld: ${nsPath} is missing or is the host's namespace`);
    const args = ["--nofork", "--nopid", "--system-config", config, "--log-target", "console"];
    if (opts.debug) args.push("--debug", String(opts.debug));
    fwd = launch(["ip", "netns", "exec", ns, FIREWALLD, ...args], { ...env, PYTHONUNBUFFERED: "1" }, fwLog);
    entry.children.push(fwd.child);

    // 4. Wait for start-up: firewalld answers on D-Bus only once its rules are applied.
    const deadline = Date.now() + timeoutMs;
    const fail = (why: string): Error =>
      new Error(`firewalld ${why}\n-- last ${TAIL} lines of its output (namespace ${ns}):\n${tail()}`);
    let state = "";
    const getState = [
      "dbus-send",
      "--system",
      "--print-reply=literal",
      "--reply-timeout=5000",
      "--dest=org.fedoraproject.FirewallD1",
      "/org/fedoraproject/FirewallD1",
      "org.freedesktop.DBus.Properties.Get",
      "string:org.fedoraproject.FirewallD1",
      "string:state",
    ];
    while (state !== "RUNNING" && state !== "FAILED") {
      if (!fwd.isRunning()) throw fail(describe(await fwd.exited));
      if (!b.isRunning()) throw fail(`lost its D-Bus: dbus-daemon ${describe(await b.exited)}`);
      if (Date.now() > deadline) throw fail(`did not finish starting within ${timeoutMs} ms`);
      // Before firewalld owns its bus name this fails at once (ServiceUnknown); while it starts up
      // the call waits for the main loop.
      const reply = await Promise.race([
        run(getState, env, 10_000).catch(() => ""),
        fwd.exited.then(() => ""),
      ]);
      state = reply.trim().split(/\s+/).pop() ?? "";
      if (state !== "RUNNING" && state !== "FAILED") await sleep(100);
    }

    // The process answering is firewalld, in our namespace (ip netns exec execs into it).
    const pid = fwd.child.pid!;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    if (!cmdline.includes(FIREWALLD) || nsInode(`/proc/${pid}/ns/net`) !== nsInode(nsPath))
      throw fail(`pid ${pid} is not firewalld in ${ns}: ${cmdline.join(" ")}`);

    // 5. The ruleset, read until two reads agree (the rules are in place already; this is a check).
    let ruleset = await run(["ip", "netns", "exec", ns, "nft", "list", "ruleset"]);
    for (;;) {
      await sleep(50);
      const again = await run(["ip", "netns", "exec", ns, "nft", "list", "ruleset"]);
      if (again === ruleset && ruleset.includes("INPUT_ZONES")) break;
      ruleset = again;
      if (!fwd.isRunning()) throw fail(describe(await fwd.exited));
      if (Date.now() > deadline) throw fail(`reported ${state} but its ruleset is incomplete or unsteady`);
    }
    const dump = await run(["ip", "netns", "exec", ns, "nft", "--debug=netlink", "list", "ruleset"]);
    const live = withKernelFamilyTests(
      await run(["ip", "netns", "exec", ns, "nft", "-j", "list", "ruleset"]),
      dump,
    ).text;
    const log = logText();
    const errors = log.split("\n").filter((l) => / ERROR: /.test(l));
    if (state === "FAILED" && !opts.allowFailsafe)
      throw fail(
        `rejected the config and fell back to the stock configuration (failsafe):\n${errors.join("\n")}`,
      );
    result = { ruleset, live, log, state: state as RealFirewalld["state"], errors };
    if (opts.during) {
      await opts.during({ ns, env, config });
      if (!fwd.isRunning()) throw fail(`ended during the run: ${describe(await fwd.exited)}`);
    }
  } catch (e) {
    failure = e;
  }
  const problems = await cleanup();
  if (failure) {
    if (problems.length && failure instanceof Error) failure.message += `\ncleanup: ${problems.join("; ")}`;
    throw failure;
  }
  if (problems.length) throw new Error(`firewalld run cleanup failed: ${problems.join("; ")}`);
  return result!;
}

/** A plain interface named `name` in the namespace: dummy, or ifb/bridge where dummy is not built. */
async function addInterface(ns: string, name: string): Promise<void> {
  const tried: string[] = [];
  for (const type of ["dummy", "ifb", "bridge"]) {
    try {
      await run(["ip", "-n", ns, "link", "add", name, "type", type]);
    } catch (e) {
      tried.push((e as Error).message);
      continue;
    }
    await run(["ip", "-n", ns, "link", "set", name, "up"]);
    return;
  }
  throw new Error(`cannot create interface ${name} in ${ns}: ${tried.join("; ")}`);
}
