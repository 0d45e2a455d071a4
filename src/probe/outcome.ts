/**
 * The probe's classification of socket outcomes, the summary, grouping for tables and merging runs
 * (pure): apart from the contract's zod schemas (result.ts), so that a probe run, which only makes
 * results, builds no schema (issue 21: 4–9 ms of a probe's start). result.ts re-exports all of it.
 */
import type { PortStateT, ProbeOutputT, ProbeResultT, ProbeSummaryT } from "./result.js";

export const PROBE_OUTPUT_VERSION = 1;

export type Outcome = { state: PortStateT; reason: string };

/**
 * ICMP errors and local refusals as both transports read them (the error a connect or a connected
 * UDP socket reports), and what they say of the port.
 */
const UNREACHABLE: Readonly<Record<string, Outcome>> = {
  EHOSTUNREACH: { state: "filtered", reason: "host-unreach" },
  ENETUNREACH: { state: "filtered", reason: "net-unreach" },
  // Linux's mapping of ICMPv6 administratively prohibited / policy fail / reject route (RFC 4443
  // §3.1 codes 1, 5, 6): a firewall on the way said no — not this machine's.
  EACCES: { state: "filtered", reason: "admin-prohibited" },
  // This machine's own netfilter dropped the packet on its way out.
  EPERM: { state: "filtered", reason: "local-firewall" },
};

/** A TCP connect()'s end, as nmap -sT reads it. */
export function tcpOutcome(code: string | undefined): Outcome {
  switch (code) {
    case undefined:
      return { state: "open", reason: "syn-ack" };
    case "ECONNREFUSED":
      return { state: "closed", reason: "conn-refused" };
    case "ECONNRESET":
      return { state: "closed", reason: "reset" };
    case "ETIMEDOUT":
    case "timeout":
      return { state: "filtered", reason: "no-response" };
    default:
      return { ...(UNREACHABLE[code] ?? { state: "filtered", reason: code.toLowerCase() }) };
  }
}

/** A UDP exchange's end: an answer, an ICMP error on the connected socket, or silence. */
export function udpOutcome(code: string | undefined, answered: boolean, responders: boolean): Outcome {
  if (answered) return { state: "open", reason: "udp-response" };
  switch (code) {
    case "ECONNREFUSED":
      return { state: "closed", reason: "port-unreach" };
    case undefined:
    case "timeout":
      return responders
        ? { state: "filtered", reason: "no-response" }
        : { state: "open|filtered", reason: "no-response" };
    default:
      // A local socket error (EADDRINUSE on a pinned source port, EMFILE …): nothing was learnt of
      // the port; say which error, as the TCP side does, never "no response".
      return { ...(UNREACHABLE[code] ?? { state: "filtered", reason: code.toLowerCase() }) };
  }
}

export function summarize(
  results: readonly ProbeResultT[],
  skipped: number,
  durationMs: number,
): ProbeSummaryT {
  const states: Record<string, number> = {};
  let ok = 0;
  for (const r of results) {
    states[r.state] = (states[r.state] ?? 0) + 1;
    if (r.ok) ok++;
  }
  return {
    total: results.length,
    ok,
    failed: results.length - ok,
    states,
    skipped,
    durationMs: Math.round(durationMs),
  };
}

/** Exit status: 0 when every result met its expectation and something was probed, 1 otherwise. */
export function probeExitCode(o: Pick<ProbeOutputT, "summary">): 0 | 1 {
  return o.summary.total > 0 && o.summary.failed === 0 ? 0 : 1;
}

/** Consecutive ports of one flow and target with the same state and details: one table line. */
export interface ResultGroup {
  first: ProbeResultT;
  fromPort: number;
  toPort: number;
  count: number;
}

const groupKey = (r: ProbeResultT): string =>
  JSON.stringify([
    r.from,
    r.flow,
    r.target,
    r.transport,
    r.state,
    r.ok,
    r.reason,
    r.detail,
    r.sourcePort === undefined,
  ]);

export function groupResults(results: readonly ProbeResultT[]): ResultGroup[] {
  const out: ResultGroup[] = [];
  let lastKey = "";
  for (const r of results) {
    const last = out[out.length - 1];
    const key = groupKey(r);
    if (last && key === lastKey && last.toPort + 1 === r.port) {
      last.toPort = r.port;
      last.count++;
    } else {
      out.push({ first: r, fromPort: r.port, toPort: r.port, count: 1 });
      lastKey = key;
    }
  }
  return out;
}

/** Runs from several vantage points as one: every result keeps its `from`. */
export function mergeRuns(runs: readonly ProbeOutputT[]): ProbeOutputT {
  const profiles = [...new Set(runs.map((r) => r.profile))];
  const results = runs.flatMap((r) => r.results.map((x) => ({ ...x, from: x.from ?? r.from })));
  const skipped = runs.flatMap((r) => r.skipped.map((s) => ({ ...s, from: s.from ?? r.from })));
  const duration = runs.reduce((a, r) => a + r.summary.durationMs, 0);
  const started = runs.map((r) => r.startedAt).sort();
  return {
    version: PROBE_OUTPUT_VERSION,
    profile: profiles.join(", "),
    from: [...new Set(runs.map((r) => r.from))].join(", "),
    startedAt: started[0] ?? "",
    results,
    skipped,
    summary: summarize(results, skipped.length, duration),
    runs: runs.flatMap((r) => r.runs ?? [{ from: r.from, startedAt: r.startedAt }]),
  };
}
