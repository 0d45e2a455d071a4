/**
 * The C sweep (native/sweep/sweep.c, issue 21) against the JS one on the same namespaces: every
 * outcome the same, each case classified right. Prober in A (203.0.113.10, 2001:db8::10), target in
 * B (198.51.100.20, 2001:db8::20): a listener that accepts and resets on 1000-1049, nothing on
 * 2000-2049 (RST), nftables in B dropping 3000-3019, rejecting 4000-4019 with ICMP admin-prohibited
 * (IPv4: EHOSTUNREACH at once; IPv6: EACCES at the SYN's first retransmission, ~1 s) and IPv6
 * 5000-5019 with port unreachable (ECONNREFUSED, ~1 s). Pinned source ports with the first of the
 * range taken (EADDRINUSE moves on), and a sweep under an open-file limit of 48 (back-off: every
 * port still right, never EMFILE as an outcome). Also: the addon is built and loads on this machine.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { nativeSweep } from "../../src/live/sweep-native.js";
import { ROOT } from "../cli/run-cli.js";
import { sh } from "../kernel/netns.js";
import { EDGE, LiveLab, PARTNERS, liveSkip, waitFor } from "./lab.js";

const SWEEP = pathToFileURL(join(ROOT, "dist/src/live/sweep.js")).href;
const V6A = "2001:db8::10";
const V6B = "2001:db8::20";

const LISTENER = `
const net = require("node:net");
let up = 0;
for (let p = 1000; p < 1050; p++)
  net.createServer((s) => s.resetAndDestroy()).listen({ port: p, host: "::" }, () => {
    if (++up === 50) console.log("ready");
  });
`;

const FIREWALL = `table inet pmt_nativesweep {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 3000-3019 drop
    tcp dport 4000-4019 reject with icmpx admin-prohibited
    meta nfproto ipv6 tcp dport 5000-5019 reject with icmpv6 port-unreachable
  }
}
`;

// One sweep per line of argv[2] (JSON): { jobs: [[host, port, localAddress?, from?, to?]], o, hold? }.
const DRIVER = `
import net from "node:net";
import { sweepTcp } from ${JSON.stringify(SWEEP)};
const spec = JSON.parse(process.argv[2]);
if (spec.hold) await new Promise((r) => net.createServer().listen({ host: spec.hold[0], port: spec.hold[1] }, r));
const jobs = spec.jobs.map(([host, port, localAddress, from, to]) => ({
  host, port, ...(localAddress ? { localAddress } : {}), ...(from ? { localPorts: [{ from, to }] } : {}),
}));
let progress = 0;
const told = new Map();
let toldTwice = false;
const onOutcome = (i, o) => { toldTwice ||= told.has(i); told.set(i, o); };
const t0 = performance.now();
const r = await sweepTcp(jobs, { ...spec.o, onProgress: (d) => (progress = d), onOutcome });
console.log(JSON.stringify({
  ms: performance.now() - t0,
  outcomes: r.outcomes.map((x) => [x.code ?? "connected", x.attempts, x.sourcePort ?? null, x.rttMs === undefined]),
  stats: r.stats,
  progress,
  // onOutcome: once per job, before the sweep ended, with the outcome it returns.
  told: told.size === r.outcomes.length && !toldTwice && r.outcomes.every((o, i) => told.get(i) === o),
}));
process.exit(0);
`;

type Row = [code: string, attempts: number, sourcePort: number | null, noRtt: boolean];
interface Run {
  ms: number;
  outcomes: Row[];
  stats: { attempts: number; retries: number; backoffs: number; finalTimeoutMs: number };
  progress: number;
  told: boolean;
}

const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, k) => from + k);

test("native sweep: the addon is built and loads here", { skip: process.platform !== "linux" }, () => {
  const n = nativeSweep();
  assert.equal(n.error, undefined);
  assert.equal(typeof n.addon?.sweep, "function");
});

test(
  "native sweep: same outcomes as the JS sweep — accepted, refused, dropped, ICMP, IPv6, pinned ports, back-off",
  { skip: liveSkip(["nft", "prlimit"]), timeout: 120_000 },
  async () => {
    const lab = new LiveLab("nativesweep");
    try {
      sh(["ip", "-n", lab.a, "addr", "add", `${V6A}/64`, "dev", "eth0", "nodad"]);
      sh(["ip", "-n", lab.b, "addr", "add", `${V6B}/64`, "dev", "eth0", "nodad"]);
      // B's ICMP rate limits off: both sweeps, one after the other, must hear every reject.
      for (const k of [
        "net.ipv4.icmp_ratelimit=0",
        "net.ipv6.icmp.ratelimit=0",
        "net.ipv4.icmp_msgs_per_sec=100000",
        "net.ipv4.icmp_msgs_burst=100000",
      ])
        sh(["ip", "netns", "exec", lab.b, "sysctl", "-qw", k]);
      const rules = join(lab.dir, "fw.nft");
      writeFileSync(rules, FIREWALL);
      sh(["ip", "netns", "exec", lab.b, "nft", "-f", rules]);
      const listenerFile = join(lab.dir, "listener.cjs");
      writeFileSync(listenerFile, LISTENER);
      const listener = lab.start(lab.b, [process.execPath, listenerFile]);
      await waitFor(
        listener,
        () => (listener.out().includes("ready") ? true : undefined),
        10_000,
        "listener",
      );
      const driver = join(lab.dir, "driver.mjs");
      writeFileSync(driver, DRIVER);

      // native1 / native2: the C sweep on one thread or two (PORTMATRIX_SWEEP_THREADS; sweeps this
      // small get one by default).
      const sweep = async (kind: string, spec: unknown, limit?: number): Promise<Run> => {
        const env =
          kind === "js"
            ? ["PORTMATRIX_SWEEP=js"]
            : ["PORTMATRIX_SWEEP=native", `PORTMATRIX_SWEEP_THREADS=${kind.slice(-1)}`];
        const cmd = ["env", ...env, process.execPath, driver, JSON.stringify(spec)];
        const r = await lab.run(lab.a, limit ? ["prlimit", `--nofile=${limit}`, "--", ...cmd] : cmd, 60_000);
        assert.equal(r.status, 0, `${kind}: ${r.stderr}`);
        return JSON.parse(r.stdout) as Run;
      };
      const both = async (spec: unknown, limit?: number): Promise<Run> => {
        const js = await sweep("js", spec, limit);
        assert.equal(js.progress, js.outcomes.length);
        assert.ok(js.told, "js: onOutcome once per job, with its outcome");
        const runs: Run[] = [];
        for (const kind of ["native1", "native2"]) {
          const native = await sweep(kind, spec, limit);
          assert.deepEqual(native.outcomes, js.outcomes, `${kind} and JS outcomes differ`);
          assert.equal(native.stats.attempts, js.stats.attempts, `${kind}: attempts`);
          assert.equal(native.stats.retries, js.stats.retries, `${kind}: retries`);
          assert.equal(native.progress, native.outcomes.length);
          assert.ok(native.told, `${kind}: onOutcome once per job, with its outcome`);
          runs.push(native);
        }
        return runs[1]!;
      };
      const codes = (r: Run, from: number, n: number, offset: number): string[] =>
        [...new Set(r.outcomes.slice(offset, offset + n).map((x) => `${x[0]}/${x[1]}`))].sort();

      // IPv4: accepted, refused, dropped (two attempts), admin-prohibited.
      const o4 = { maxInFlight: 64, rate: 0, initialTimeoutMs: 400, minTimeoutMs: 400, retries: 1 };
      const ports4 = [...range(1000, 50), ...range(2000, 50), ...range(3000, 20), ...range(4000, 20)];
      const v4 = await both({ jobs: ports4.map((p) => [PARTNERS, p]), o: o4 });
      assert.deepEqual(codes(v4, 1000, 50, 0), ["connected/1"]);
      assert.deepEqual(codes(v4, 2000, 50, 50), ["ECONNREFUSED/1"]);
      assert.deepEqual(codes(v4, 3000, 20, 100), ["timeout/2"]);
      assert.deepEqual(codes(v4, 4000, 20, 120), ["EHOSTUNREACH/1"]);
      assert.ok(
        v4.outcomes.slice(100, 120).every((x) => x[3]),
        "a timeout has no RTT",
      );
      assert.equal(v4.stats.retries, 20);

      // IPv6, waiting past the kernel's first SYN retransmission as probe's IPv6 confirm pass does.
      const o6 = { maxInFlight: 64, rate: 0, initialTimeoutMs: 1400, minTimeoutMs: 1400, retries: 0 };
      const ports6 = [...range(1000, 10), ...range(2000, 10), ...range(4000, 10), ...range(5000, 10), 3000];
      const v6 = await both({ jobs: ports6.map((p) => [V6B, p, V6A]), o: o6 });
      assert.deepEqual(codes(v6, 1000, 10, 0), ["connected/1"]);
      assert.deepEqual(codes(v6, 2000, 10, 10), ["ECONNREFUSED/1"]);
      assert.deepEqual(codes(v6, 4000, 10, 20), ["EACCES/1"]);
      assert.deepEqual(codes(v6, 5000, 10, 30), ["ECONNREFUSED/1"]);
      assert.deepEqual(codes(v6, 3000, 1, 40), ["timeout/1"]);

      // Pinned source ports 41000-41019, 41000 held by a listener in the prober: never used.
      const pinned = await both({
        jobs: range(1000, 12).map((p) => [PARTNERS, p, EDGE, 41000, 41019]),
        o: { ...o4, maxInFlight: 4 },
        hold: [EDGE, 41000],
      });
      for (const [code, , sp] of pinned.outcomes) {
        assert.equal(code, "connected");
        assert.ok(sp !== null && sp > 41000 && sp <= 41019, `source port ${sp}`);
      }

      // A rate: 40 connects at 100 a second take ≥ 390 ms, whatever the window.
      const paced = await both({ jobs: range(1000, 40).map((p) => [PARTNERS, p]), o: { ...o4, rate: 100 } });
      assert.deepEqual(codes(paced, 1000, 40, 0), ["connected/1"]);
      assert.ok(paced.ms >= 385, `40 connects at 100/s took ${paced.ms} ms`);

      // No jobs at all.
      const none = await both({ jobs: [], o: o4 });
      assert.equal(none.outcomes.length, 0);
      assert.equal(none.stats.finalTimeoutMs, 400);

      // Back-off: 300 accepted ports and 100 dropped ones (their sockets stay open until the timeout:
      // an accept or a refusal over a veth is often over inside connect), a window of 2,000, 48
      // open files.
      const many = [
        ...range(1000, 50).flatMap((p) => Array.from({ length: 6 }, () => [PARTNERS, p])),
        ...range(3000, 20).flatMap((p) => Array.from({ length: 5 }, () => [PARTNERS, p])),
      ];
      const oLimited = { ...o4, maxInFlight: 2000, initialTimeoutMs: 300, minTimeoutMs: 300, retries: 0 };
      const limited = await both({ jobs: many, o: oLimited }, 48);
      assert.deepEqual(codes(limited, 0, 300, 0), ["connected/1"]);
      assert.deepEqual(codes(limited, 0, 100, 300), ["timeout/1"]);
      assert.ok(limited.stats.backoffs > 0, "the open-file limit was never met: no back-off tested");
    } finally {
      await lab.close();
    }
  },
);
