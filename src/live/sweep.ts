/**
 * The TCP connect sweep: every (host, port) of the probe in the least time the network allows, with
 * every port classified right (probing.md §2). Shell: sockets and timers.
 *
 * - Bounded: at most maxInFlight connects at once (CLI default 2,000; all 10,002 at once mislabels
 *   thousands, probing.md trap 1), and at most `rate` connects per second when a rate is given.
 * - Lag-aware: a timer that fires does not decide at once. It yields to the poll phase first
 *   (setImmediate runs after it), so a SYN-ACK that already arrived while the loop was busy is seen
 *   before the port is called filtered. The timeout is also never below the loop's observed delay
 *   (p99).
 * - Adaptive: before any answer the timeout is `initialTimeoutMs`; once ports answer (accept or
 *   refuse), it follows their round-trip times as TCP's own RTO does (RFC 6298: srtt + 4·rttvar),
 *   clamped to [minTimeoutMs, initialTimeoutMs]; each retry doubles it.
 * - Retries only for the unanswered; a refused or accepted port is final at once.
 * - RST on close (resetAndDestroy): no TIME_WAIT piles up on either side.
 * - EMFILE/ENFILE/ENOBUFS/EADDRNOTAVAIL are the prober's own limits, never a port state: the attempt
 *   is put back and the concurrency halved (20 times at most for one port; then the error is its
 *   outcome, reported as such — the caller checks its source addresses before the sweep).
 * - Pinned source ports (the matrix's sourcePorts): each attempt binds the next port of the range;
 *   EADDRINUSE moves on to the next one.
 *
 * Two implementations keep these semantics: the C one (./sweep-native.ts, native/sweep/sweep.c:
 * epoll on a worker thread, issue 21) where its addon loads on Linux, and this file's, on
 * net.Socket, everywhere else; `PORTMATRIX_SWEEP=js|native` forces one.
 */
import net from "node:net";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import type { PortRange } from "../space/port.js";
import { sweepKind, sweepTcpNative } from "./sweep-native.js";

export interface SweepJob {
  host: string;
  port: number;
  localAddress?: string;
  localPorts?: PortRange[];
}

export interface SweepOptions {
  maxInFlight: number;
  /** Connects per second; 0 = as fast as maxInFlight allows. */
  rate: number;
  initialTimeoutMs: number;
  minTimeoutMs: number;
  retries: number;
  onProgress?: (done: number, total: number) => void;
  /**
   * Each job's outcome once it is final (job index, the outcome also in `outcomes` then), once per
   * job, before the sweep's promise resolves: a caller can use it while the sweep runs.
   */
  onOutcome?: (i: number, outcome: SweepOutcome) => void;
}

export interface SweepOutcome {
  /** undefined = connected; else the errno code, or "timeout". */
  code: string | undefined;
  attempts: number;
  rttMs?: number;
  sourcePort?: number;
}

export interface SweepStats {
  attempts: number;
  retries: number;
  backoffs: number;
  finalTimeoutMs: number;
  loopDelayMaxMs: number;
  loopDelayP99Ms: number;
}

const BACKOFF = new Set(["EMFILE", "ENFILE", "ENOBUFS", "EADDRNOTAVAIL", "ENOMEM"]);

class Rto {
  private srtt: number | undefined;
  private rttvar = 0;
  constructor(
    private readonly initial: number,
    private readonly min: number,
  ) {}
  sample(ms: number): void {
    if (this.srtt === undefined) {
      this.srtt = ms;
      this.rttvar = ms / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - ms);
      this.srtt = 0.875 * this.srtt + 0.125 * ms;
    }
  }
  timeout(lagFloor: number): number {
    if (this.srtt === undefined) return Math.max(this.initial, lagFloor);
    const rto = this.srtt + Math.max(10, 4 * this.rttvar);
    return Math.max(this.min, lagFloor, Math.min(this.initial, rto));
  }
}

/**
 * Node formats the stack of every refused connect's error at once (stream destroy reads err.stack),
 * 11–16% of a sweep's CPU where every port answers (issue 21; the sweep reads only e.code). While
 * any sweep runs, errors are made without stack frames; the limit the process had comes back when
 * the last one ends. A bug's error raised meanwhile is reported with its message but no frames.
 */
let sweepsRunning = 0;
let savedStackTraceLimit = Error.stackTraceLimit;
function framesOff(): void {
  if (sweepsRunning++ === 0) {
    savedStackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
  }
}
function framesBack(): void {
  if (--sweepsRunning === 0) Error.stackTraceLimit = savedStackTraceLimit;
}

export function sweepTcp(
  jobs: readonly SweepJob[],
  o: SweepOptions,
): Promise<{ outcomes: SweepOutcome[]; stats: SweepStats }> {
  return sweepKind(jobs) === "native" ? sweepTcpNative(jobs, o) : sweepTcpJs(jobs, o);
}

/** The sweep on net.Socket (every platform; PORTMATRIX_SWEEP=js). */
export function sweepTcpJs(
  jobs: readonly SweepJob[],
  o: SweepOptions,
): Promise<{ outcomes: SweepOutcome[]; stats: SweepStats }> {
  return new Promise((resolve) => {
    const outcomes: SweepOutcome[] = new Array(jobs.length);
    // Ports in a shuffled order (as nmap does): answers from open and closed ports come early, so the
    // timeout adapts before the long tail of a dropped range; a deterministic shuffle (xorshift).
    const queue: Array<{ i: number; n: number; b?: number }> = jobs.map((_, i) => ({ i, n: 0 }));
    let seed = 0x9e3779b9 ^ jobs.length;
    for (let k = queue.length - 1; k > 0; k--) {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      const j = (seed >>> 0) % (k + 1);
      [queue[k], queue[j]] = [queue[j]!, queue[k]!];
    }
    let head = 0;
    let inFlight = 0;
    let limit = Math.max(1, o.maxInFlight);
    let done = 0;
    const stats: SweepStats = {
      attempts: 0,
      retries: 0,
      backoffs: 0,
      finalTimeoutMs: 0,
      loopDelayMaxMs: 0,
      loopDelayP99Ms: 0,
    };
    const rto = new Rto(o.initialTimeoutMs, o.minTimeoutMs);
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    let lagFloor = 0;
    const nextLocal = new Map<SweepJob, { r: number; p: number }>();
    const gap = o.rate > 0 ? 1000 / o.rate : 0;
    let nextStart = performance.now();
    let wake: NodeJS.Timeout | undefined;

    framesOff();
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      framesBack();
      lag.disable();
      stats.finalTimeoutMs = Math.round(rto.timeout(lagFloor));
      stats.loopDelayMaxMs = Math.round(lag.max / 1e6);
      stats.loopDelayP99Ms = Math.round(lag.percentile(99) / 1e6);
      resolve({ outcomes, stats });
    };

    const localPort = (job: SweepJob): number | undefined => {
      if (!job.localPorts || job.localPorts.length === 0) return undefined;
      const at = nextLocal.get(job) ?? { r: 0, p: job.localPorts[0]!.from };
      const range = job.localPorts[at.r]!;
      const port = at.p;
      if (at.p < range.to) at.p++;
      else {
        at.r = (at.r + 1) % job.localPorts.length;
        at.p = job.localPorts[at.r]!.from;
      }
      nextLocal.set(job, at);
      return port;
    };

    // At most BURST connects per turn of the loop, started from the check phase (setImmediate),
    // never from an answer's callback: the loop's delay is then one burst's work (≈ BURST × the
    // CPU cost of a connect and its answer), not the whole window's, so the lag floor and the RTTs
    // measured through the loop (and with them every adapted timeout) stay small. Throughput is
    // the same: connects are CPU-bound, and the loop does not idle while immediates are pending.
    const BURST = 128;
    let pumpQueued = false;
    const schedulePump = (): void => {
      if (pumpQueued) return;
      pumpQueued = true;
      setImmediate(pump);
    };
    const pump = (): void => {
      pumpQueued = false;
      let started = 0;
      while (inFlight < limit && head < queue.length) {
        if (started === BURST) {
          schedulePump();
          return;
        }
        started++;
        if (gap > 0) {
          const now = performance.now();
          if (now < nextStart) {
            if (!wake) wake = setTimeout(() => ((wake = undefined), pump()), Math.ceil(nextStart - now));
            return;
          }
          nextStart = Math.max(nextStart + gap, now);
        }
        const item = queue[head++]!;
        attempt(item.i, item.n, 0, item.b ?? 0);
      }
      if (head > 4096 && head * 2 > queue.length) {
        queue.splice(0, head);
        head = 0;
      }
      if (inFlight === 0 && head >= queue.length) finish();
    };

    const attempt = (i: number, n: number, portTries: number, backoffs: number): void => {
      const job = jobs[i]!;
      inFlight++;
      stats.attempts++;
      if (stats.attempts % 256 === 0) lagFloor = lag.percentile(99) / 1e6;
      const lp = localPort(job);
      const t0 = performance.now();
      const opts: net.NetConnectOpts = { host: job.host, port: job.port };
      if (job.localAddress !== undefined) opts.localAddress = job.localAddress;
      if (lp !== undefined) opts.localPort = lp;
      const s = net.connect(opts);
      // Paused: no read is started on an accepted probe (it is reset at once), one syscall less.
      s.pause();
      let ended = false;
      // Whole milliseconds: Node keeps one timer list per distinct duration.
      const timeoutMs = Math.ceil(rto.timeout(lagFloor) * 2 ** n);
      const end = (code: string | undefined): void => {
        if (ended) return;
        ended = true;
        clearTimeout(timer);
        inFlight--;
        if (code === undefined) s.resetAndDestroy();
        else s.destroy();
        if (code !== undefined && BACKOFF.has(code) && backoffs < 20) {
          stats.backoffs++;
          limit = Math.max(16, Math.floor(limit / 2));
          queue.push({ i, n, b: backoffs + 1 });
          stats.attempts--;
        } else if (code === "EADDRINUSE" && lp !== undefined && portTries < 64) {
          stats.attempts--;
          attempt(i, n, portTries + 1, backoffs);
          return;
        } else if (code === "timeout" && n < o.retries) {
          stats.retries++;
          queue.push({ i, n: n + 1 });
        } else {
          const rtt = performance.now() - t0;
          if (code === undefined || code === "ECONNREFUSED") rto.sample(rtt);
          const out: SweepOutcome = { code, attempts: n + 1 };
          if (code !== "timeout") out.rttMs = Math.round(rtt * 100) / 100;
          if (lp !== undefined) out.sourcePort = lp;
          outcomes[i] = out;
          done++;
          o.onOutcome?.(i, out);
          o.onProgress?.(done, jobs.length);
        }
        schedulePump();
      };
      // Lag-aware: decide "no answer" only after the poll phase has run once more.
      const timer = setTimeout(() => setImmediate(() => end("timeout")), timeoutMs);
      s.on("connect", () => end(undefined));
      // Linux reports a reset to a socket still in SYN-SENT as ECONNREFUSED (tcp_reset() in
      // net/ipv4/tcp_input.c); ECONNRESET on a connect means the handshake completed and the peer
      // reset the connection before the loop saw it (an accept-and-reset service): the port is open.
      s.on("error", (e: NodeJS.ErrnoException) =>
        end(e.code === "ECONNRESET" ? undefined : (e.code ?? "error")),
      );
    };

    if (jobs.length === 0) finish();
    else schedulePump();
  });
}
