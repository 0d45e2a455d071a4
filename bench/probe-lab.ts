/**
 * The probe benchmark's lab: two namespaces made for the run (prober 198.51.100.20, target
 * 203.0.113.10, documentation ranges only) joined by a veth, a Node listener on every benchmarked
 * port in the target namespace, and one nftables ruleset per case. Everything made here is removed
 * by `close()` (the namespaces take the veth with them; the listener is ended by its pid).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const PROBER = "198.51.100.20";
export const TARGET = "203.0.113.10";

export type PortState = "open" | "closed" | "filtered";

/** One benchmark case: the ports probed, the target's ruleset and the truth per port. */
export interface ProbeCase {
  id: string;
  title: string;
  ports: number[];
  nft: string;
  truth: Map<number, PortState>;
}

/** Ranges text for a port list: "443,5061,50000-59999" (nmap's -p, the profile, the listener). */
export function portsText(ports: number[]): string {
  const out: string[] = [];
  const s = [...ports].sort((x, y) => x - y);
  for (let k = 0; k < s.length;) {
    let j = k;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    out.push(j === k ? `${s[k]}` : `${s[k]}-${s[j]}`);
    k = j + 1;
  }
  return out.join(",");
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, k) => from + k);
}

/** The seed's TCP ports: 443, 5061 and the A/V range 50000-59999 (10,002 ports). */
export const SEED_PORTS = [443, 5061, ...range(50000, 59999)];

const HEAD = "flush ruleset\ntable inet pmbench {\n  chain input {\n    type filter hook input priority 0;";

function allSame(ports: number[], state: PortState): Map<number, PortState> {
  return new Map(ports.map((p) => [p, state]));
}

export function benchCases(): ProbeCase[] {
  // (d) as in probing.md's addendum: 5061 + 50000-59999, 3,001 open, 2,000 reset, 5,000 dropped.
  const mixPorts = [5061, ...range(50000, 59999)];
  const mix = new Map<number, PortState>();
  for (const p of mixPorts)
    mix.set(p, p === 5061 || p <= 52999 ? "open" : p <= 54999 ? "closed" : "filtered");
  return [
    {
      id: "a",
      title: "all open (10,002 listeners)",
      ports: SEED_PORTS,
      nft: `${HEAD} policy accept; }\n}\n`,
      truth: allSame(SEED_PORTS, "open"),
    },
    {
      id: "b",
      title: "drop policy (10,002 dropped)",
      ports: SEED_PORTS,
      nft: `${HEAD} policy drop;\n    iif lo accept\n  }\n}\n`,
      truth: allSame(SEED_PORTS, "filtered"),
    },
    {
      id: "c",
      title: "reject with tcp reset (10,002 closed)",
      ports: SEED_PORTS,
      nft: `${HEAD} policy accept;\n    iif lo accept\n    meta l4proto tcp reject with tcp reset\n  }\n}\n`,
      truth: allSame(SEED_PORTS, "closed"),
    },
    {
      id: "d",
      title: "mix: 3,001 open, 2,000 reset, 5,000 dropped",
      ports: mixPorts,
      nft: `${HEAD} policy accept;\n    tcp dport 53000-54999 reject with tcp reset\n    tcp dport 55000-59999 drop\n  }\n}\n`,
      truth: mix,
    },
  ];
}

// Accepts and resets (no TIME_WAIT piles up on the target between repetitions).
const LISTENER = `
const net = require("net");
const host = process.argv[2];
const ports = process.argv[3].split(",").flatMap((r) => {
  const [lo, hi = lo] = r.split("-").map(Number);
  return Array.from({ length: hi - lo + 1 }, (_, k) => lo + k);
});
let up = 0;
for (const p of ports) {
  const s = net.createServer((c) => { c.on("error", () => {}); c.resetAndDestroy(); });
  s.on("error", (e) => { console.error("listen", p, e.code); process.exit(1); });
  s.listen({ port: p, host, backlog: 511 }, () => { if (++up === ports.length) console.log("listening " + up); });
}
setInterval(() => {}, 1 << 30);
`;

function sh(args: string[]): void {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: "utf8", timeout: 30_000 });
  if (r.status !== 0)
    throw new Error(`${args.join(" ")}: ${r.stderr || r.error?.message || `exit ${r.status}`}`);
}

export class ProbeLab {
  readonly prober = `pmt-p${randomBytes(3).toString("hex")}`;
  readonly target = `pmt-t${randomBytes(3).toString("hex")}`;
  readonly dir = mkdtempSync(join(tmpdir(), "pmt-bench-"));
  private listener: ChildProcess | undefined;
  private made: string[] = [];
  /** Probers running now (ended by pid on close, e.g. after SIGINT). */
  private readonly running = new Set<ChildProcess>();

  track(c: ChildProcess): void {
    this.running.add(c);
  }

  untrack(c: ChildProcess): void {
    this.running.delete(c);
  }

  up(): void {
    const vp = `vp${randomBytes(3).toString("hex")}`;
    const vt = `vt${randomBytes(3).toString("hex")}`;
    for (const ns of [this.prober, this.target]) {
      sh(["ip", "netns", "add", ns]);
      this.made.push(ns);
    }
    sh([
      "ip",
      "link",
      "add",
      vp,
      "netns",
      this.prober,
      "type",
      "veth",
      "peer",
      "name",
      vt,
      "netns",
      this.target,
    ]);
    sh(["ip", "-n", this.prober, "addr", "add", `${PROBER}/32`, "dev", vp]);
    sh(["ip", "-n", this.target, "addr", "add", `${TARGET}/32`, "dev", vt]);
    for (const [ns, dev] of [
      [this.prober, vp],
      [this.target, vt],
    ] as const) {
      sh(["ip", "-n", ns, "link", "set", "lo", "up"]);
      sh(["ip", "-n", ns, "link", "set", dev, "up"]);
      // Only the other documentation address is routed: nothing can leave towards anything else.
      sh(["ip", "-n", ns, "route", "add", ns === this.prober ? `${TARGET}/32` : `${PROBER}/32`, "dev", dev]);
    }
  }

  exec(args: string[]): string[] {
    return ["ip", "netns", "exec", this.prober, ...args];
  }

  async listen(ports: number[]): Promise<void> {
    const file = join(this.dir, "listener.cjs");
    writeFileSync(file, LISTENER);
    const child = spawn(
      "ip",
      ["netns", "exec", this.target, process.execPath, file, TARGET, portsText(ports)],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    this.listener = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("listener did not come up in 30 s")), 30_000);
      let err = "";
      child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
      child.stdout!.on("data", (d: Buffer) => {
        if (d.toString().includes("listening")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`listener exited (${code}): ${err}`));
      });
    });
  }

  firewall(c: ProbeCase): void {
    const file = join(this.dir, `fw-${c.id}.nft`);
    writeFileSync(file, c.nft);
    sh(["ip", "netns", "exec", this.target, "nft", "-f", file]);
  }

  /** Idempotent; safe from a signal handler. */
  close(): void {
    const mine = [...this.running, ...(this.listener ? [this.listener] : [])];
    this.running.clear();
    this.listener = undefined;
    for (const c of mine)
      if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) {
        // `ip netns exec` execs the program, so this pid is the program itself.
        try {
          process.kill(c.pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      }
    for (const ns of this.made.splice(0)) spawnSync("ip", ["netns", "del", ns], { timeout: 30_000 });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
