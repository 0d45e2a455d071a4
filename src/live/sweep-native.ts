/**
 * The TCP connect sweep in C (issue 21; native/sweep/sweep.c): the same sweep as ./sweep.ts — its
 * header comment gives the semantics both keep — run on a worker thread with non-blocking sockets
 * and epoll, as nmap's connect scan runs, at a fraction of a net.Socket's cost per port. Shell.
 *
 * Chosen by sweepTcp when the addon loads and the platform is Linux; `PORTMATRIX_SWEEP=js|native`
 * forces one (native refuses to run without the addon instead of quietly being the JS one).
 * The addon is built by `npm run build` (scripts/build-native.mjs) to
 * native/sweep/build/Release/sweep.node and loaded from the package root, never bundled.
 */
import { isIP } from "node:net";
import { constants } from "node:os";
import { createRequire } from "node:module";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../shell/package-root.js";
import type { SweepJob, SweepOptions, SweepOutcome, SweepStats } from "./sweep.js";

interface Addon {
  sweep(
    hosts: string[],
    meta: Int32Array,
    ranges: Int32Array,
    opts: Float64Array,
    progress: ((done: number) => void) | undefined,
    out: [code: Int32Array, attempts: Int32Array, order: Int32Array, rtt: Float64Array, sport: Int32Array],
  ): Promise<Float64Array>;
}

export const NATIVE_SWEEP_PATH = join(PACKAGE_ROOT, "native", "sweep", "build", "Release", "sweep.node");

let loaded: { addon?: Addon; error?: string } | undefined;

/** The addon, or why it is not there (not Linux, not built, a load error). */
export function nativeSweep(): { addon?: Addon; error?: string } {
  if (loaded) return loaded;
  if (process.platform !== "linux") return (loaded = { error: `epoll sweep: not on ${process.platform}` });
  try {
    loaded = { addon: createRequire(import.meta.url)(NATIVE_SWEEP_PATH) as Addon };
  } catch (e) {
    loaded = { error: `${NATIVE_SWEEP_PATH}: ${(e as Error).message.split("\n")[0]}` };
  }
  return loaded;
}

/** Which sweep sweepTcp runs for these jobs: PORTMATRIX_SWEEP, else native where it can. */
export function sweepKind(jobs: readonly SweepJob[]): "js" | "native" {
  const forced = process.env.PORTMATRIX_SWEEP;
  if (forced === "js") return "js";
  if (forced === "native") {
    const n = nativeSweep();
    if (!n.addon) throw new Error(`PORTMATRIX_SWEEP=native: the native sweep did not load (${n.error})`);
    return "native";
  }
  if (forced !== undefined && forced !== "")
    throw new Error(`PORTMATRIX_SWEEP=${forced}: expected js or native`);
  return nativeSweep().addon && allLiteral(jobs) ? "native" : "js";
}

/** Job lists allLiteral has passed. */
const literalJobs = new WeakSet<readonly SweepJob[]>();

/**
 * The addon takes IP literals only (no names to resolve, no IPv6 zone), a local address of the
 * host's family; the JS sweep does the rest. Each distinct pair is checked once.
 */
function allLiteral(jobs: readonly SweepJob[]): boolean {
  // One probe asks for the same jobs up to three times (its own choice, sweepTcp's, the marshalling).
  if (literalJobs.has(jobs)) return true;
  const seen = new Set<string>();
  let last: SweepJob | undefined;
  for (const j of jobs) {
    // Consecutive jobs mostly share both (a target's ports): no key made for them.
    if (last !== undefined && j.host === last.host && j.localAddress === last.localAddress) continue;
    last = j;
    const key = `${j.host} ${j.localAddress ?? ""}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const family = isIP(j.host);
    if (family === 0 || j.host.includes("%")) return false;
    if (j.localAddress !== undefined && (isIP(j.localAddress) !== family || j.localAddress.includes("%")))
      return false;
  }
  literalJobs.add(jobs);
  return true;
}

/**
 * PORTMATRIX_SWEEP_THREADS: how many threads the C sweep runs (1 or 2; they share one queue, window
 * and RTO, so a port's outcome does not depend on it). Unset: one per processor, at most two, and one
 * for fewer than 1,024 jobs (sweep.c's sweep_threads).
 */
function sweepThreads(): number {
  const v = process.env.PORTMATRIX_SWEEP_THREADS;
  if (v === undefined || v === "") return 0;
  if (v !== "1" && v !== "2") throw new Error(`PORTMATRIX_SWEEP_THREADS=${v}: expected 1 or 2`);
  return Number(v);
}

/** errno → Node's code name (os.constants.errno; the first name of a number, as libuv's). */
let errnoNames: Map<number, string> | undefined;
function errnoName(n: number): string {
  if (!errnoNames) {
    errnoNames = new Map();
    for (const [name, value] of Object.entries(constants.errno))
      if (!errnoNames.has(value)) errnoNames.set(value, name);
  }
  return errnoNames.get(n) ?? `Unknown system error -${n}`;
}

export async function sweepTcpNative(
  jobs: readonly SweepJob[],
  o: SweepOptions,
): Promise<{ outcomes: SweepOutcome[]; stats: SweepStats }> {
  const { addon, error } = nativeSweep();
  if (!addon) throw new Error(`native sweep: ${error}`);
  const hosts: string[] = [];
  const hostIndex = new Map<string, number>();
  // Two lookups with a memory of the last string each (consecutive jobs share host and source).
  const indexer = (): ((h: string) => number) => {
    let last = "";
    let lastIndex = -1;
    return (h) => {
      if (h === last) return lastIndex;
      let k = hostIndex.get(h);
      if (k === undefined) {
        k = hosts.length;
        hosts.push(h);
        hostIndex.set(h, k);
      }
      last = h;
      return (lastIndex = k);
    };
  };
  const host = indexer();
  const local = indexer();
  if (!allLiteral(jobs)) throw new Error("native sweep: a host or local address is not an IP literal");
  const meta = new Int32Array(jobs.length * 6);
  const ranges: number[] = [];
  const rangeIndex = new Map<SweepJob["localPorts"], number>();
  // A job object met twice shares its next source port, as the JS sweep's Map keyed by the job.
  const state = new Map<SweepJob, number>();
  for (let i = 0, m = 0; i < jobs.length; i++, m += 6) {
    const j = jobs[i]!;
    const lps = j.localPorts;
    meta[m] = host(j.host);
    meta[m + 1] = j.port;
    meta[m + 2] = j.localAddress === undefined ? -1 : local(j.localAddress);
    meta[m + 5] = i;
    if (lps !== undefined && lps.length > 0) {
      let r = rangeIndex.get(lps);
      if (r === undefined) {
        r = ranges.length / 2;
        for (const p of lps) ranges.push(p.from, p.to);
        rangeIndex.set(lps, r);
      }
      meta[m + 3] = r;
      meta[m + 4] = lps.length;
      const st = state.get(j);
      if (st === undefined) state.set(j, i);
      else meta[m + 5] = st;
    }
  }
  const opts = new Float64Array([
    o.maxInFlight,
    o.rate,
    o.initialTimeoutMs,
    o.minTimeoutMs,
    o.retries,
    sweepThreads(),
  ]);
  // The addon writes each job's outcome into these as it ends; order lists the jobs in the order
  // they ended. Outcomes are made here as progress calls say how many ended (the JS thread is idle
  // while the C sweep runs), each handed to onOutcome once; the rest after the sweep.
  const n = jobs.length;
  const code = new Int32Array(n);
  const attempts = new Int32Array(n);
  const order = new Int32Array(n);
  const rtt = new Float64Array(n);
  const sport = new Int32Array(n);
  const outcomes: SweepOutcome[] = new Array(n);
  let taken = 0;
  const take = (upTo: number): void => {
    for (; taken < upTo; taken++) {
      const i = order[taken]!;
      const c = code[i]!;
      const out: SweepOutcome = {
        code: c === 0 ? undefined : c === -1 ? "timeout" : errnoName(c),
        attempts: attempts[i]!,
      };
      if (c !== -1) out.rttMs = rtt[i]!;
      if (sport[i]! >= 0) out.sourcePort = sport[i]!;
      outcomes[i] = out;
      o.onOutcome?.(i, out);
    }
  };
  let reported = 0;
  let over = false;
  const progress = (done: number): void => {
    // A call still queued behind the sweep's end changes nothing: every outcome was taken then.
    if (over || done <= reported) return;
    reported = done;
    take(done);
    o.onProgress?.(done, n);
  };
  const s = await addon.sweep(hosts, meta, new Int32Array(ranges), opts, progress, [
    code,
    attempts,
    order,
    rtt,
    sport,
  ]);
  take(n);
  over = true;
  // The last progress call may still be queued behind the result: say the end here, once.
  if (o.onProgress && n > 0 && reported < n) o.onProgress(n, n);
  return {
    outcomes,
    stats: {
      attempts: s[0]!,
      retries: s[1]!,
      backoffs: s[2]!,
      finalTimeoutMs: s[3]!,
      loopDelayMaxMs: s[4]!,
      loopDelayP99Ms: s[5]!,
    },
  };
}
