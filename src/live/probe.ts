/**
 * Carries out a probe plan (probe/plan.ts) and returns the contract's results (probe/result.ts).
 * Shell: it opens sockets. UDP probes start first and overlap the TCP sweep; TLS, SIP and MS-TURN
 * deep probes follow for the ports the sweep found open whose flow speaks them.
 */
import net from "node:net";
import { performance } from "node:perf_hooks";
import type { ProbePlan, ProbeTarget } from "../probe/plan.js";
import {
  PROBE_OUTPUT_VERSION,
  summarize,
  tcpOutcome,
  udpOutcome,
  type ProbeOutputT,
  type ProbeResultT,
} from "../probe/result.js";
import { serviceLabel } from "../listen/plan.js";
import { sweepTcp, type SweepJob, type SweepStats } from "./sweep.js";
import { probeUdp, type UdpAnswer } from "./udp.js";
import { clientCertRequested, probeMsTurnTcp, probeTls } from "./tls.js";
import { missingNames } from "../probe/cert-names.js";

export interface ProbeSettings {
  maxInFlight: number;
  rate: number;
  timeoutMs: number;
  minTimeoutMs: number;
  retries: number;
  udpTimeoutMs: number;
  udpTries: number;
  responders: boolean;
  /** Deep probes' time limit per connection. */
  serviceTimeoutMs: number;
  ca?: string;
  cert?: string;
  key?: string;
  /** Overrides the plan's source addresses (e.g. "auto": let the system choose). */
  sourceAuto: boolean;
}

export interface ProbeRunInfo {
  profile: string;
  to?: string;
  startedAt: string;
  onProgress?: (done: number, total: number) => void;
}

/** Source addresses of the plan that this machine cannot send from (not configured here). */
export async function unavailableSources(plan: ProbePlan): Promise<string[]> {
  const bad: string[] = [];
  for (const address of Object.values(plan.sources)) {
    if (address === undefined) continue;
    const ok = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once("error", () => resolve(false));
      srv.listen({ host: address, port: 0 }, () => srv.close(() => resolve(true)));
    });
    if (!ok) bad.push(address);
  }
  return bad;
}

const DEEP = new Set(["tls", "msturn-tcp"]);

function source(plan: ProbePlan, t: ProbeTarget, s: ProbeSettings): string | undefined {
  return s.sourceAuto ? undefined : plan.sources[t.family];
}

/** The n-th port of a target's pinned source ranges, cyclically (UDP exchanges at once need distinct ones). */
function sourcePortAt(t: ProbeTarget, n: number): number | undefined {
  const ranges = t.sourcePorts;
  if (!ranges || ranges.length === 0) return undefined;
  const size = ranges.reduce((a, r) => a + r.to - r.from + 1, 0);
  let i = n % size;
  for (const r of ranges) {
    if (i <= r.to - r.from) return r.from + i;
    i -= r.to - r.from + 1;
  }
  return undefined;
}

/**
 * UDP exchanges at once: a silent port holds its socket for the whole RFC 5389 schedule (3.5 s with
 * the defaults), so a dropped 10,000-port UDP range (an A/V Edge's media) needs width: 512 at once
 * is ~70 s, where 64 was ~9 minutes. Bounded by --max-in-flight like the TCP queue.
 */
export function udpInFlight(maxInFlight: number): number {
  return Math.max(1, Math.min(512, maxInFlight));
}

export async function runProbe(
  plan: ProbePlan,
  s: ProbeSettings,
  info: ProbeRunInfo,
): Promise<{ output: ProbeOutputT; stats: SweepStats }> {
  const t0 = performance.now();
  const tcpJobs: SweepJob[] = [];
  const tcpMeta: Array<{ t: ProbeTarget; port: number }> = [];
  const udpMeta: Array<{ t: ProbeTarget; port: number }> = [];
  for (const t of plan.targets)
    for (const r of t.ports)
      for (let port = r.from; port <= r.to; port++) {
        if (t.transport === "udp") {
          udpMeta.push({ t, port });
          continue;
        }
        const job: SweepJob = { host: t.address, port };
        const src = source(plan, t, s);
        if (src !== undefined) job.localAddress = src;
        if (t.sourcePorts) job.localPorts = t.sourcePorts;
        tcpJobs.push(job);
        tcpMeta.push({ t, port });
      }
  const total = tcpJobs.length + udpMeta.length;
  let udpDone = 0;
  let tcpDone = 0;
  const progress = (): void => info.onProgress?.(tcpDone + udpDone, total);

  // UDP first, in parallel with the sweep (udpInFlight sockets at once).
  const udpAnswers: UdpAnswer[] = new Array(udpMeta.length);
  const udpSourcePorts: Array<number | undefined> = new Array(udpMeta.length);
  const udpAll = (async () => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < udpMeta.length) {
        const k = next++;
        const { t, port } = udpMeta[k]!;
        const src = source(plan, t, s);
        // Pinned source ports: each exchange binds its own port of the range; one taken (by another
        // exchange, or anything else on the machine) moves on to a further one.
        for (let tries = 0; ; tries++) {
          const lp = sourcePortAt(t, k + tries * 7919);
          const a = await probeUdp(
            {
              host: t.address,
              port,
              kind: t.service.kind === "stun-udp" ? "stun" : "plain",
              ...(src !== undefined ? { localAddress: src } : {}),
              ...(lp !== undefined ? { localPort: lp } : {}),
            },
            { rtoMs: s.udpTimeoutMs, tries: s.udpTries },
          );
          udpAnswers[k] = a;
          if (lp !== undefined) udpSourcePorts[k] = lp;
          if (a.code !== "EADDRINUSE" || lp === undefined || tries >= 16) break;
        }
        udpDone++;
        progress();
      }
    };
    await Promise.all(Array.from({ length: Math.min(udpInFlight(s.maxInFlight), udpMeta.length) }, worker));
  })();

  const sweep = await sweepTcp(tcpJobs, {
    maxInFlight: s.maxInFlight,
    rate: s.rate,
    initialTimeoutMs: s.timeoutMs,
    minTimeoutMs: s.minTimeoutMs,
    retries: s.retries,
    onProgress: (d) => {
      tcpDone = d;
      progress();
    },
  });

  const results: ProbeResultT[] = new Array(tcpMeta.length);
  const deep: Array<Promise<void>> = [];
  tcpMeta.forEach(({ t, port }, i) => {
    const o = sweep.outcomes[i]!;
    const { state, reason } = tcpOutcome(o.code);
    const r: ProbeResultT = {
      flow: t.flow,
      ...(t.origin ? { origin: t.origin } : {}),
      to: t.to,
      target: t.address,
      transport: "tcp",
      port,
      state,
      expected: "open",
      ok: state === "open",
      reason,
      detail: state === "open" ? "accepted" : o.attempts > 1 ? `${reason} after ${o.attempts} tries` : reason,
    };
    if (o.sourcePort !== undefined) r.sourcePort = o.sourcePort;
    if (o.rttMs !== undefined) r.rttMs = o.rttMs;
    results[i] = r;
    if (state === "open" && DEEP.has(t.service.kind)) deep.push(deepProbe(plan, t, r, s));
  });
  // Deep probes are few (the service ports): at most 16 at a time is plenty.
  for (let k = 0; k < deep.length; k += 16) await Promise.all(deep.slice(k, k + 16));

  await udpAll;
  udpMeta.forEach(({ t, port }, k) => {
    const a = udpAnswers[k]!;
    const { state, reason } = udpOutcome(a.code, a.answered, s.responders);
    const r: ProbeResultT = {
      flow: t.flow,
      ...(t.origin ? { origin: t.origin } : {}),
      to: t.to,
      target: t.address,
      transport: "udp",
      port,
      state,
      expected: "open",
      ok: state === "open",
      reason: a.answered ? (a.stun ? "stun-response" : a.msturn ? "msturn-response" : reason) : reason,
      detail:
        state === "open|filtered"
          ? `${a.detail}; silence on UDP proves nothing unless a responder stands there (--responders)`
          : a.detail,
      service: serviceLabel(t.service),
    };
    const lp = udpSourcePorts[k];
    if (lp !== undefined) r.sourcePort = lp;
    if (a.rttMs !== undefined) r.rttMs = a.rttMs;
    if (a.stun) r.stun = a.stun;
    if (a.msturn) r.msturn = a.msturn;
    results.push(r);
  });

  const output: ProbeOutputT = {
    version: PROBE_OUTPUT_VERSION,
    profile: info.profile,
    from: plan.from,
    ...(info.to !== undefined ? { to: info.to } : {}),
    startedAt: info.startedAt,
    settings: {
      maxInFlight: s.maxInFlight,
      rate: s.rate,
      timeoutMs: s.timeoutMs,
      retries: s.retries,
      udpTimeoutMs: s.udpTimeoutMs,
      udpTries: s.udpTries,
      responders: s.responders,
    },
    results,
    skipped: plan.skipped,
    summary: summarize(results, plan.skipped.length, performance.now() - t0),
  };
  return { output, stats: sweep.stats };
}

async function deepProbe(plan: ProbePlan, t: ProbeTarget, r: ProbeResultT, s: ProbeSettings): Promise<void> {
  const src = source(plan, t, s);
  const base = {
    host: t.address,
    port: r.port,
    timeoutMs: s.serviceTimeoutMs,
    ...(src !== undefined ? { localAddress: src } : {}),
    // The service exchange leaves from the pinned source port the sweep found open (the firewall
    // allows the flow from that range only; the sweep's connection ended with RST, so it is free).
    ...(r.sourcePort !== undefined ? { localPort: r.sourcePort } : {}),
  };
  r.service = serviceLabel(t.service);
  if (t.service.kind === "msturn-tcp") {
    const m = await probeMsTurnTcp(base);
    r.detail = m.detail;
    if (m.msturn) r.msturn = m.msturn;
    if (m.ok) r.reason = "msturn-response";
    return;
  }
  if (t.service.kind !== "tls") return;
  const job = {
    ...base,
    sip: t.service.sip,
    checkCertRequest: t.service.requestCert,
    fromName: plan.from,
    ...(s.ca !== undefined ? { ca: s.ca } : {}),
    ...(s.cert !== undefined ? { cert: s.cert } : {}),
    ...(s.key !== undefined ? { key: s.key } : {}),
  };
  const a = await probeTls(job);
  r.detail = a.detail;
  if (a.sip) r.sip = a.sip;
  if (a.tls) {
    r.reason = a.sip ? "sip-response" : "tls-handshake";
    // Seen on the wire (a TLS 1.2 handshake's clear CertificateRequest), also when the server went on
    // to require one: `clientCertRequired` says that.
    if (t.service.requestCert) a.tls.clientCertRequested = await clientCertRequested(job);
    r.tls = a.tls;
    const t2 = a.tls;
    if (t.certificateNames) {
      const missing = missingNames(t.certificateNames, t2);
      r.certificate = { expected: t.certificateNames, missing };
      if (missing.length > 0) {
        r.ok = false;
        a.detail += `; certificate lacks ${missing.join(", ")}`;
      }
    }
    r.detail = `${t2.version} ${t2.subject}${t2.names.length ? ` [${t2.names.join(", ")}]` : ""} until ${t2.notAfter.slice(0, 10)}${t2.authorized ? "" : ` (unverified: ${t2.authorizationError ?? "no CA"})`}${t.service.requestCert && !t2.clientCertRequired ? `; client certificate ${t2.clientCertRequested === true ? "requested" : t2.clientCertRequested === false ? "not requested" : "request unknown"}` : ""}; ${a.detail}`;
  } else if (a.error === "client-cert-required") r.reason = "tls-alert";
}
