/**
 * Carries out a probe plan (probe/plan.ts) and returns the contract's results (probe/result.ts).
 * Shell: it opens sockets. UDP probes start first and overlap the TCP sweep; TLS, SIP and MS-TURN
 * deep probes follow for the ports the sweep found open whose flow speaks them.
 */
import net from "node:net";
import { performance } from "node:perf_hooks";
import type { ProbePlan, ProbeTarget } from "../probe/plan.js";
import { PROBE_OUTPUT_VERSION, summarize, tcpOutcome, udpOutcome } from "../probe/outcome.js";
import type { ProbeOutputT, ProbeResultT } from "../probe/result.js";
import { serviceLabel } from "../listen/plan.js";
import { sweepTcp, type SweepJob, type SweepOutcome, type SweepStats } from "./sweep.js";
import { sweepKind } from "./sweep-native.js";
import type { probeUdp as ProbeUdp, UdpAnswer, UdpJob } from "./udp.js";
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
  /** UDP exchanges at once, sized from the open-file limit (splitFileBudget); default: 512. */
  udpInFlight?: number;
  /** Time for re-probing, paced, UDP ports left silent next to ports proven closed (ICMP rate limit). */
  udpConfirmMs: number;
  /** A row whose expected service does not answer: fails it (default) or only says so. */
  serviceCheck: "fail" | "warn";
  /** Overrides the plan's source addresses (e.g. "auto": let the system choose). */
  sourceAuto: boolean;
}

export interface ProbeRunInfo {
  profile: string;
  to?: string;
  /** Only this transport's flows were probed (--transport). */
  transport?: "tcp" | "udp";
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

/** Descriptors kept for everything but the TCP connects and UDP exchanges (deep probes, files, stdio). */
export const FILE_RESERVE = 256;

/**
 * Most UDP exchanges at once. A silent port holds its connected socket for RFC 5389's whole schedule
 * (3.5 s with the defaults), so the time of a dropped range is ports / window × 3.5 s: 10,000 media
 * ports took 70 s with 512 at once and take one schedule with the whole range at once. Connected
 * sockets are what make ICMP port unreachable visible (Node has no IP_RECVERR for one unconnected
 * socket sending to many ports), so the window costs one descriptor per exchange.
 */
export const UDP_MAX_IN_FLIGHT = 16_384;

/** UDP exchanges started per turn of the event loop. */
const UDP_LAUNCH_SLICE = 256;

/** The window when the open-file limit is not known (not Linux, or a caller that did not size it): what was safe before. */
const UDP_UNKNOWN_LIMIT_IN_FLIGHT = 512;

export interface FileBudget {
  /** TCP connects at once (--max-in-flight, lowered only when the limit is short). */
  tcp: number;
  /** UDP exchanges at once. */
  udp: number;
  /** The UDP window is smaller than the UDP ports because of the open-file limit. */
  udpLimited: boolean;
}

/**
 * Splits the open-file limit (`soft`, after raising it as far as permitted) between the TCP sweep and
 * the UDP exchanges, both running at once. Node cannot call setrlimit; the shell raises the soft limit
 * with prlimit where it may (up to the hard limit, or past it with CAP_SYS_RESOURCE), so the window is
 * sized from what is granted: every UDP port at once when it fits, else the rest after the TCP share.
 * When short, TCP gets at most a quarter: its connects end within a round trip or its timeout (300 ms),
 * while a silent UDP port holds its socket for 3.5 s.
 */
export function splitFileBudget(
  soft: number | undefined,
  want: { tcpInFlight: number; tcpPorts: number; udpPorts: number },
): FileBudget {
  const udpWanted = Math.min(want.udpPorts, UDP_MAX_IN_FLIGHT);
  if (soft === undefined) {
    const udp = Math.min(want.udpPorts, UDP_UNKNOWN_LIMIT_IN_FLIGHT);
    return { tcp: want.tcpInFlight, udp, udpLimited: false };
  }
  const budget = soft - FILE_RESERVE;
  const tcpNeeded = Math.min(want.tcpInFlight, want.tcpPorts);
  if (tcpNeeded + udpWanted <= budget) return { tcp: want.tcpInFlight, udp: udpWanted, udpLimited: false };
  const tcp = Math.max(16, Math.min(want.tcpInFlight, udpWanted === 0 ? budget : Math.floor(budget / 4)));
  const udp = udpWanted === 0 ? 0 : Math.max(1, Math.min(udpWanted, budget - Math.min(tcp, tcpNeeded)));
  return { tcp, udp, udpLimited: udp < udpWanted };
}

const rangeSize = (t: ProbeTarget): number => t.ports.reduce((n, r) => n + r.to - r.from + 1, 0);

/** Ports of one transport in a plan (each target's ranges, counted per address). */
export function planPorts(plan: ProbePlan, transport: "tcp" | "udp"): number {
  return plan.targets.filter((t) => t.transport === transport).reduce((n, t) => n + rangeSize(t), 0);
}

/**
 * Linux reports an ICMPv6 error (port unreachable → ECONNREFUSED, administratively prohibited →
 * EACCES) to a connecting socket only when the SYN is first resent, ~1 s later (TCP_TIMEOUT_INIT);
 * measured in namespaces: IPv6 rejects said at 1.00–1.04 s, IPv4 ones at once. The sweep's timeout
 * (300 ms by default) would call them filtered. So IPv6 ports left unanswered get one more connect,
 * all at once, that waits past the kernel's first retransmission; only what it hears changes the
 * outcome (a port still silent stays filtered). Costs ~1.3 s, only when IPv6 ports were silent.
 */
export const IPV6_CONFIRM_MS = 1300;

/** The confirm pass over `sweep` (outcomes replaced, tries added); the indices of the jobs it tried again. */
async function confirmIpv6(
  jobs: readonly SweepJob[],
  sweep: { outcomes: SweepOutcome[]; stats: SweepStats },
  s: ProbeSettings,
): Promise<number[]> {
  if (s.timeoutMs >= IPV6_CONFIRM_MS) return [];
  // A plain loop: 10,000 IPv4 ports cost no object each here (issue 21).
  const silent: Array<{ j: SweepJob; i: number }> = [];
  for (let i = 0; i < jobs.length; i++) {
    const j = jobs[i]!;
    if (j.host.includes(":") && isSilent(sweep.outcomes[i]!.code)) silent.push({ j, i });
  }
  if (silent.length === 0) return [];
  const again = await sweepTcp(
    silent.map(({ j }) => j),
    {
      maxInFlight: s.maxInFlight,
      rate: s.rate,
      initialTimeoutMs: IPV6_CONFIRM_MS,
      minTimeoutMs: IPV6_CONFIRM_MS,
      retries: 0,
    },
  );
  sweep.stats.attempts += again.stats.attempts;
  silent.forEach(({ i }, k) => {
    const o = again.outcomes[k]!;
    const before = sweep.outcomes[i]!;
    if (!isSilent(o.code)) sweep.outcomes[i] = { ...o, attempts: before.attempts + o.attempts };
    else before.attempts += o.attempts;
  });
  return silent.map(({ i }) => i);
}

const isSilent = (code: string | undefined): boolean => code === "timeout" || code === "ETIMEDOUT";

function udpJob(
  plan: ProbePlan,
  t: ProbeTarget,
  port: number,
  s: ProbeSettings,
  lp: number | undefined,
): UdpJob {
  const src = source(plan, t, s);
  return {
    host: t.address,
    port,
    kind: t.service.kind === "stun-udp" ? "stun" : "plain",
    ...(src !== undefined ? { localAddress: src } : {}),
    ...(lp !== undefined ? { localPort: lp } : {}),
  };
}

const silentUdp = (a: UdpAnswer): boolean => !a.answered && (a.code === undefined || a.code === "timeout");

/**
 * ICMP rate limiting (Linux: per destination, icmp_ratelimit 1 s after a burst of 6 for IPv4,
 * icmpv6 ratelimit): a rejected UDP range answers its first ports with port unreachable, then goes
 * silent, and silence reads as a drop. A flow's target where some ports were proven closed and others
 * stayed silent is suspect: its silent ports are probed again one at a time per host, paced, for at
 * most `udpConfirmMs`; each one the ICMP now names is closed. What is still silent is said for what it
 * is — "ICMP rate-limited: N proven closed, M silent" — never plain filtered.
 * Returns the detail for every port of a suspect target, by index into udpMeta.
 */
async function confirmRateLimited(
  plan: ProbePlan,
  udpMeta: ReadonlyArray<{ t: ProbeTarget; port: number }>,
  answers: UdpAnswer[],
  sourcePorts: ReadonlyArray<number | undefined>,
  s: ProbeSettings,
  probeUdp: typeof ProbeUdp,
): Promise<Map<number, string>> {
  const groups = new Map<string, number[]>();
  udpMeta.forEach(({ t }, k) => {
    const key = `${t.flow}\u0000${t.address}`;
    // Pushed, not copied: a 10,000-port range copied per port was quadratic (and most of a fast run's GC).
    const ks = groups.get(key);
    if (ks) ks.push(k);
    else groups.set(key, [k]);
  });
  const suspect = [...groups.values()].filter(
    (ks) => ks.some((k) => answers[k]!.code === "ECONNREFUSED") && ks.some((k) => silentUdp(answers[k]!)),
  );
  const out = new Map<number, string>();
  if (suspect.length === 0) return out;
  const deadline = performance.now() + s.udpConfirmMs;
  // One host at a time per host: its kernel's ICMP budget is per destination.
  const byHost = new Map<string, number[]>();
  for (const ks of suspect)
    for (const k of ks.filter((x) => silentUdp(answers[x]!))) {
      const host = udpMeta[k]!.t.address;
      const hs = byHost.get(host);
      if (hs) hs.push(k);
      else byHost.set(host, [k]);
    }
  await Promise.all(
    [...byHost.values()].map(async (ks) => {
      // A port still silent goes back in line: the kernel's budget refills at one ICMP a second
      // while these go four a second, so a long --udp-confirm proves every closed port in the end
      // (as nmap does, at ~1 s a port), a short one as many as the budget allows.
      const queue = [...ks];
      for (let i = 0; i < queue.length; i++) {
        if (performance.now() >= deadline) break;
        const k = queue[i]!;
        const { t, port } = udpMeta[k]!;
        const a = await probeUdp(udpJob(plan, t, port, s, sourcePorts[k]), {
          rtoMs: UDP_CONFIRM_WAIT_MS / 4,
          tries: 1,
        });
        if (!silentUdp(a)) answers[k] = { ...a, detail: `${a.detail} (paced re-probe)` };
        else queue.push(k);
      }
    }),
  );
  for (const ks of suspect) {
    const closed = ks.filter((k) => answers[k]!.code === "ECONNREFUSED").length;
    const silent = ks.filter((k) => silentUdp(answers[k]!)).length;
    if (silent === 0) continue;
    const text = `ICMP rate-limited: ${closed} proven closed, ${silent} silent — the target's kernel stopped answering port unreachable, so silence here may be a reject as well as a drop (re-probed paced for ${s.udpConfirmMs} ms; --udp-confirm for longer)`;
    for (const k of ks) if (silentUdp(answers[k]!)) out.set(k, text);
  }
  return out;
}

/**
 * One result per TCP job, its outcome fields still to be filled (state, ok, reason, detail; then
 * sourcePort and rttMs where there are: keys in the contract's order, as JSON prints them). One
 * object literal per port, no spreads (issue 21); two literals so that `origin` keeps its place
 * after `flow` only where the flow has one.
 */
function tcpResults(jobs: readonly SweepJob[], targets: readonly ProbeTarget[]): ProbeResultT[] {
  const results: ProbeResultT[] = new Array(jobs.length);
  for (let i = 0; i < jobs.length; i++) {
    const t = targets[i]!;
    const port = jobs[i]!.port;
    results[i] =
      t.origin === undefined
        ? {
            flow: t.flow,
            to: t.to,
            target: t.address,
            transport: "tcp",
            port,
            state: "filtered",
            expected: "open",
            ok: false,
            reason: "",
            detail: "",
          }
        : {
            flow: t.flow,
            origin: t.origin,
            to: t.to,
            target: t.address,
            transport: "tcp",
            port,
            state: "filtered",
            expected: "open",
            ok: false,
            reason: "",
            detail: "",
          };
  }
  return results;
}

/** The wait of one paced re-probe: a port unreachable comes back within a round trip when sent. */
const UDP_CONFIRM_WAIT_MS = 250;

export async function runProbe(
  plan: ProbePlan,
  s: ProbeSettings,
  info: ProbeRunInfo,
): Promise<{ output: ProbeOutputT; stats: SweepStats }> {
  const t0 = performance.now();
  const tcpJobs: SweepJob[] = [];
  // The target of each job, by index (the port is the job's): no second object per port (issue 21).
  const tcpTargets: ProbeTarget[] = [];
  const udpMeta: Array<{ t: ProbeTarget; port: number }> = [];
  for (const t of plan.targets) {
    const src = t.transport === "tcp" ? source(plan, t, s) : undefined;
    for (const r of t.ports)
      for (let port = r.from; port <= r.to; port++) {
        if (t.transport === "udp") {
          udpMeta.push({ t, port });
          continue;
        }
        const job: SweepJob = { host: t.address, port };
        if (src !== undefined) job.localAddress = src;
        if (t.sourcePorts) job.localPorts = t.sourcePorts;
        tcpJobs.push(job);
        tcpTargets.push(t);
      }
  }
  const total = tcpJobs.length + udpMeta.length;
  let udpDone = 0;
  let tcpDone = 0;
  const progress = (): void => info.onProgress?.(tcpDone + udpDone, total);

  // UDP first, in parallel with the sweep (udpInFlight sockets at once).
  const udpWindow = Math.max(1, Math.min(s.udpInFlight ?? UDP_UNKNOWN_LIMIT_IN_FLIGHT, udpMeta.length));
  const udpAnswers: UdpAnswer[] = new Array(udpMeta.length);
  const udpSourcePorts: Array<number | undefined> = new Array(udpMeta.length);
  // Single ports (STUN 3478) before ranges: a rejected range spends the target kernel's ICMP
  // budget (rate limit), and the one port that matters must not queue behind 10,000 that do not.
  const order = udpMeta.map((_, k) => k).sort((a, b) => rangeSize(udpMeta[a]!.t) - rangeSize(udpMeta[b]!.t));
  // UDP's and the deep probes' modules (node:crypto, node:tls) are loaded only when used: a TCP sweep
  // without them starts ~5 ms sooner (issue 21).
  const probeUdp = udpMeta.length > 0 ? (await import("./udp.js")).probeUdp : undefined;
  const udpAll = (async () => {
    let next = 0;
    const worker = async (): Promise<void> => {
      if (probeUdp === undefined) return;
      while (next < udpMeta.length) {
        const k = order[next++]!;
        const { t, port } = udpMeta[k]!;
        // Pinned source ports: each exchange binds its own port of the range; one taken (by another
        // exchange, or anything else on the machine) moves on to a further one.
        for (let tries = 0; ; tries++) {
          const lp = sourcePortAt(t, k + tries * 7919);
          const a = await probeUdp(udpJob(plan, t, port, s, lp), {
            rtoMs: s.udpTimeoutMs,
            tries: s.udpTries,
          });
          udpAnswers[k] = a;
          if (lp !== undefined) udpSourcePorts[k] = lp;
          if (a.code !== "EADDRINUSE" || lp === undefined || tries >= 16) break;
        }
        udpDone++;
        progress();
      }
    };
    // Launched a slice per turn of the event loop: exchanges already started send, hear their answers
    // and end in between, so an answering range never holds its whole width of sockets at once (the
    // garbage collector's work grows with what is alive), while a silent one still fills the window.
    const workers: Array<Promise<void>> = [];
    for (let w = 0; w < udpWindow; w++) {
      if (w > 0 && w % UDP_LAUNCH_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      workers.push(worker());
    }
    await Promise.all(workers);
  })();

  // The C sweep runs on threads of its own and leaves this one idle: the results' objects are made
  // while it runs, and each is given its outcome as the sweep says the port's is final (issue 21:
  // 10,002 results were most of the time between the sweep's end and the JSON). The JS sweep needs
  // this thread: its results are made before it.
  const offThread = sweepKind(tcpJobs) === "native";
  let results: ProbeResultT[] = offThread ? [] : tcpResults(tcpJobs, tcpTargets);
  const fill = (i: number, o: SweepOutcome): void => {
    const r = results[i]!;
    const { state, reason } = tcpOutcome(o.code);
    const ok = state === "open";
    r.state = state;
    r.ok = ok;
    r.reason = reason;
    r.detail = ok ? "accepted" : o.attempts > 1 ? `${reason} after ${o.attempts} tries` : reason;
    if (o.sourcePort !== undefined) r.sourcePort = o.sourcePort;
    if (o.rttMs !== undefined) r.rttMs = o.rttMs;
  };
  const sweeping = sweepTcp(tcpJobs, {
    maxInFlight: s.maxInFlight,
    rate: s.rate,
    initialTimeoutMs: s.timeoutMs,
    minTimeoutMs: s.minTimeoutMs,
    retries: s.retries,
    onProgress: (d) => {
      tcpDone = d;
      progress();
    },
    onOutcome: fill,
  });
  // Synchronous, before the first outcome can arrive (through the event loop).
  if (offThread) results = tcpResults(tcpJobs, tcpTargets);
  const sweep = await sweeping;

  // IPv6 ports the confirm pass tried again: their outcome (or their tries) changed.
  for (const i of await confirmIpv6(tcpJobs, sweep, s)) fill(i, sweep.outcomes[i]!);

  const deep: Array<Promise<void>> = [];
  if (tcpTargets.length > 0 && plan.targets.some((t) => t.transport === "tcp" && DEEP.has(t.service.kind)))
    for (let i = 0; i < results.length; i++) {
      const t = tcpTargets[i]!;
      if (results[i]!.ok && DEEP.has(t.service.kind)) deep.push(deepProbe(plan, t, results[i]!, s));
    }
  // Deep probes are few (the service ports): at most 16 at a time is plenty.
  for (let k = 0; k < deep.length; k += 16) await Promise.all(deep.slice(k, k + 16));

  await udpAll;
  const limited =
    probeUdp === undefined
      ? new Map<number, string>()
      : await confirmRateLimited(plan, udpMeta, udpAnswers, udpSourcePorts, s, probeUdp);
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
      reason: a.answered
        ? a.stun
          ? "stun-response"
          : a.msturn
            ? "msturn-response"
            : reason
        : limited.has(k) && state !== "closed"
          ? "icmp-rate-limited"
          : reason,
      detail:
        limited.get(k) ??
        (state === "open|filtered"
          ? `${a.detail}; silence on UDP proves nothing unless a responder stands there (--responders)`
          : a.detail),
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
    ...(info.transport !== undefined ? { transport: info.transport } : {}),
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

/** What a row's service must answer for the row to pass (issue: the wrong service never passes). */
function expectedAnswer(t: ProbeTarget, s: ProbeSettings): string | undefined {
  if (t.service.kind === "msturn-tcp") return "msturn-answer";
  if (t.service.kind !== "tls") return undefined;
  // An MTLS row without a client certificate of ours: the request is all a server can show us.
  if (t.service.requestCert && s.cert === undefined) return "client-cert-request";
  return t.service.sip ? "sip-response" : "tls-handshake";
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
  const expected = expectedAnswer(t, s);
  const judge = (answered: boolean, why: string): void => {
    if (expected === undefined) return;
    r.serviceCheck = { expected, answered, mode: s.serviceCheck };
    if (answered) return;
    r.detail = `${s.serviceCheck === "fail" ? "wrong service" : "warning: wrong service"}: expected ${expected.replace(/-/g, " ")}, ${why}; ${r.detail}`;
    if (s.serviceCheck === "fail") r.ok = false;
  };
  if (t.service.kind === "msturn-tcp") {
    const { probeMsTurnTcp } = await import("./tls.js");
    const m = await probeMsTurnTcp(base);
    r.detail = m.detail;
    if (m.msturn) r.msturn = m.msturn;
    if (m.ok) r.reason = "msturn-response";
    judge(m.ok, m.detail);
    return;
  }
  if (t.service.kind !== "tls") return;
  const names = (t.certificateNames ?? []).filter((n) => !n.startsWith("*."));
  const job = {
    ...base,
    sip: t.service.sip,
    fromName: plan.from,
    ...(names.length > 0 ? { servername: names[0]!, verifyNames: names } : {}),
    ...(s.ca !== undefined ? { ca: s.ca } : {}),
    ...(s.cert !== undefined ? { cert: s.cert } : {}),
    ...(s.key !== undefined ? { key: s.key } : {}),
  };
  const { probeTls } = await import("./tls.js");
  const a = await probeTls(job);
  r.detail = a.detail;
  if (a.sip) r.sip = a.sip;
  if (!a.tls) {
    judge(false, "no TLS");
    return;
  }
  const t2 = a.tls;
  r.reason = a.sip ? "sip-response" : t2.clientCertRequired ? "tls-alert" : "tls-handshake";
  r.tls = t2;
  let extra = "";
  if (t.certificateNames) {
    const missing = missingNames(t.certificateNames, t2);
    r.certificate = { expected: t.certificateNames, missing };
    if (missing.length > 0) {
      r.ok = false;
      extra = `; certificate lacks ${missing.join(", ")}`;
    }
  }
  const request =
    t2.clientCertRequested === true
      ? "requested"
      : t2.clientCertRequested === false
        ? "not requested"
        : "request unknown";
  // Chain and names said apart (the chain by OpenSSL, the names by the host check for each).
  const chain = t2.authorized ? "chain verified" : `chain unverified: ${t2.authorizationError ?? "no CA"}`;
  const failing = (t2.hostnames ?? []).filter((h) => !h.verified).map((h) => h.name);
  const nameCheck =
    t2.hostnames === undefined
      ? ""
      : failing.length === 0
        ? `, ${t2.hostnames.length} names verified`
        : `, names not verified: ${failing.join(", ")}`;
  r.detail = `${t2.version} ${t2.subject}${t2.names.length ? ` [${t2.names.join(", ")}]` : ""} until ${t2.notAfter.slice(0, 10)} (${chain}${nameCheck})${t.service.requestCert && !t2.clientCertRequired ? `; client certificate ${request}` : ""}; ${a.detail}${extra}`;
  if (expected === "client-cert-request")
    judge(t2.clientCertRequested === true, `client certificate ${request}`);
  else if (expected === "sip-response") {
    const mtlsMissing = t.service.requestCert && t2.clientCertRequested !== true;
    judge(
      a.sip !== undefined && !mtlsMissing,
      a.sip === undefined ? "no SIP response" : `client certificate ${request}`,
    );
  } else judge(t2.handshakeCompleted !== false && !t2.clientCertRequired, "handshake not completed");
}
