/**
 * Two network namespaces for the live tests, joined by a veth pair, with the addresses of
 * fixtures/pic.yaml: A holds edge-access (203.0.113.10), B the three peers (198.51.100.20 partners,
 * .30 clients, .40 messenger-clients). Names are `pmt-<theme>{a,b}-<random>`; `close()` ends every
 * process this lab started (its own children, SIGTERM then SIGKILL) and deletes both namespaces —
 * await it in a finally.
 * The CLI always runs as a child process inside a namespace (`ip netns exec`), never in the host's.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BoundTopology } from "../../src/model/flow.js";
import { loadTopology } from "../../src/shell/load.js";
import { CLI, ROOT } from "../cli/run-cli.js";
import { kernelSkipReason, sh } from "../kernel/netns.js";

export const FIXTURES = join(ROOT, "test", "live", "fixtures");
export const PIC = join(FIXTURES, "pic.yaml");
export const EDGE = "203.0.113.10";
export const PARTNERS = "198.51.100.20";
export const MESSENGER = "198.51.100.40";

/** A topology file bound to its profile (for the pure tests). */
export function bound(file: string): BoundTopology {
  const t = loadTopology(file);
  if (!t.ok) throw new Error(`${file}: ${t.diagnostics.map((d) => d.message).join("; ")}`);
  return t.value.bound;
}

/** The two TCP sweeps (src/live/sweep.ts, sweep-native.ts): the core probe tests run with each. */
export type Sweep = "js" | "native";
export const SWEEPS: Sweep[] = process.platform === "linux" ? ["js", "native"] : ["js"];

/** Why the namespace tests cannot run here (not root, a tool missing), or undefined. */
export const liveSkip = (tools: string[] = []): string | undefined => kernelSkipReason(["ip", ...tools]);

export interface Done {
  status: number | null;
  stdout: string;
  stderr: string;
}

export class LiveLab {
  readonly id = randomBytes(3).toString("hex");
  readonly a: string;
  readonly b: string;
  readonly dir: string;
  private readonly children: ChildProcess[] = [];
  /** The TCP sweep the CLI runs with (PORTMATRIX_SWEEP), or its default choice. */
  sweep?: Sweep;

  constructor(theme: string) {
    this.a = `pmt-${theme}a-${this.id}`;
    this.b = `pmt-${theme}b-${this.id}`;
    this.dir = mkdtempSync(join(tmpdir(), `pmt-live-${theme}-`));
    try {
      sh(["ip", "netns", "add", this.a]);
      sh(["ip", "netns", "add", this.b]);
      sh([
        "ip",
        "link",
        "add",
        "eth0",
        "netns",
        this.a,
        "type",
        "veth",
        "peer",
        "name",
        "eth0",
        "netns",
        this.b,
      ]);
      sh(["ip", "-n", this.a, "addr", "add", `${EDGE}/24`, "dev", "eth0"]);
      for (const host of [PARTNERS, "198.51.100.30", MESSENGER])
        sh(["ip", "-n", this.b, "addr", "add", `${host}/24`, "dev", "eth0"]);
      for (const ns of [this.a, this.b])
        for (const dev of ["lo", "eth0"]) sh(["ip", "-n", ns, "link", "set", dev, "up"]);
      sh(["ip", "-n", this.a, "route", "add", "198.51.100.0/24", "dev", "eth0"]);
      sh(["ip", "-n", this.b, "route", "add", "203.0.113.0/24", "dev", "eth0"]);
    } catch (e) {
      for (const ns of [this.a, this.b]) sh(["sh", "-c", `ip netns del ${ns} 2>/dev/null || true`]);
      rmSync(this.dir, { recursive: true, force: true });
      throw e;
    }
  }

  /** Starts a long-running program in a namespace; `close()` ends it. */
  start(ns: string, cmd: string[]): ChildProcess & { out: () => string; err: () => string } {
    const child = spawn("ip", ["netns", "exec", ns, ...cmd], {
      cwd: this.dir,
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.children.push(child);
    let out = "";
    let err = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    return Object.assign(child, { out: () => out, err: () => err });
  }

  /** `portmatrix listen … --format json` in a namespace; resolves with its JSON line once bound. */
  async listen(ns: string, args: string[]): Promise<{ child: ChildProcess; ready: ListenReady }> {
    const child = this.start(ns, [process.execPath, CLI, "listen", "--format", "json", ...args]);
    const line = await waitFor(
      child,
      () =>
        child
          .out()
          .split("\n")
          .find((l) => l.startsWith("{")),
      10_000,
      "listen's JSON line",
    );
    return { child, ready: JSON.parse(line) as ListenReady };
  }

  /** Runs a program in a namespace to its end (bounded by timeoutMs). */
  run(ns: string, cmd: string[], timeoutMs = 30_000, input?: string): Promise<Done> {
    const child = this.start(ns, cmd);
    child.stdin!.end(input ?? "");
    return waitExit(child, timeoutMs).then((status) => ({
      status,
      stdout: child.out(),
      stderr: child.err(),
    }));
  }

  /** The built CLI in a namespace, lifecycle date pinned as in test/cli. */
  cli(ns: string, args: string[], timeoutMs = 30_000): Promise<Done> {
    const env = ["PORTMATRIX_AS_OF=2026-11-25", ...(this.sweep ? [`PORTMATRIX_SWEEP=${this.sweep}`] : [])];
    return this.run(ns, ["env", ...env, process.execPath, CLI, ...args], timeoutMs);
  }

  /** Waits until something listens on address:port in a namespace (for peers that print no "ready"). */
  async bound(
    ns: string,
    transport: "tcp" | "udp",
    address: string,
    port: number,
    timeoutMs = 10_000,
  ): Promise<void> {
    const t0 = Date.now();
    for (;;) {
      const r = await this.run(
        ns,
        ["ss", "-Hn", transport === "tcp" ? "-tl" : "-ul", "src", `${address}:${port}`],
        5_000,
      );
      if (r.stdout.trim() !== "") return;
      if (Date.now() - t0 > timeoutMs)
        throw new Error(`nothing listens on ${transport} ${address}:${port} in ${ns} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Ends this lab's processes (SIGTERM, then SIGKILL after 3 s), then deletes both namespaces. */
  async close(): Promise<void> {
    const running = this.children.filter((c) => c.exitCode === null && c.signalCode === null);
    for (const c of running) c.kill("SIGTERM");
    await Promise.all(
      running.map((c) =>
        waitExit(c, 3_000).catch(() => {
          c.kill("SIGKILL");
          return waitExit(c, 3_000).catch(() => null);
        }),
      ),
    );
    for (const ns of [this.a, this.b]) {
      try {
        sh(["ip", "netns", "del", ns]);
      } catch {
        /* never made, or already gone */
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface ListenReady {
  version: number;
  endpoint: string;
  addresses: string[];
  listening: Array<{ transport: string; ports: string; service: string; flows: string[] }>;
  bound: number;
  failed: Array<{ address: string; transport: string; port: number; code: string }>;
}

export function waitExit(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(
      () => reject(new Error(`${child.spawnargs.join(" ")}: still running after ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Polls until `get` returns a value, the child exits, or the time is up. */
export function waitFor<T>(
  child: ChildProcess & { out: () => string; err: () => string },
  get: () => T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = (): void => {
      const v = get();
      if (v !== undefined) return resolve(v);
      if (child.exitCode !== null || Date.now() - t0 > timeoutMs)
        return reject(new Error(`no ${what} (exit ${child.exitCode}): ${child.out()}${child.err()}`));
      setTimeout(tick, 25);
    };
    tick();
  });
}
