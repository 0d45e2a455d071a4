/**
 * What `portmatrix probe` and `portmatrix merge` do (src/cli/probe.ts registers them). Apart from the
 * registration so that `probe --help` loads none of it: the topology reader, the probe and its
 * results, the reports (issue 21: start-up ≤ 0.1 s).
 */
import { diag } from "../diag/diagnostic.js";
import {
  FILE_RESERVE,
  planPorts,
  runProbe,
  splitFileBudget,
  UDP_MAX_IN_FLIGHT,
  unavailableSources,
  type ProbeSettings,
} from "../live/probe.js";
import { planProbe } from "../probe/plan.js";
import { probeExitCode } from "../probe/outcome.js";
import type { ProbeOutputT } from "../probe/result.js";
import { renderProbeJunit, renderProbeText } from "../report/probe-text.js";
import { writeFilesAtomic } from "../shell/files.js";
import { checkCertKey, readPem } from "../shell/pem.js";
import { loadTopology } from "../shell/load.js";
import { raiseFileLimit } from "../shell/limits.js";
import { choice, EXIT, InputError, printDiagnostics, wholeNumber } from "./io.js";
import { FORMATS, type ProbeOpts } from "./probe.js";

function pem(option: "--ca" | "--cert" | "--key", file: string | undefined): string | undefined {
  return file === undefined ? undefined : readPem(option, file);
}

export function render(o: ProbeOutputT, format: (typeof FORMATS)[number]): string {
  if (format === "json") return JSON.stringify(o, null, 2) + "\n";
  if (format === "junit") return renderProbeJunit(o);
  return renderProbeText(o);
}

/**
 * Hard ceiling on hosts probed per destination endpoint: a /16. Probing lists every host it sends to,
 * so a /0 with an unbounded --max-hosts took gigabytes before sending anything; a wider endpoint is
 * not probed (its flows say why) — bind it to the test hosts instead.
 */
const MAX_PROBE_HOSTS = 65_536;

export async function runProbeCommand(opts: ProbeOpts): Promise<number> {
  const format = choice("--format", opts.format, FORMATS);
  const sourceHow = choice("--source", opts.source, ["topology", "auto"] as const);
  const settings: ProbeSettings = {
    maxInFlight: wholeNumber("--max-in-flight", opts.maxInFlight, 1),
    rate: wholeNumber("--rate", opts.rate, 0),
    timeoutMs: wholeNumber("--timeout", opts.timeout, 1),
    minTimeoutMs: wholeNumber("--min-timeout", opts.minTimeout, 1),
    retries: wholeNumber("--retries", opts.retries, 0),
    udpTimeoutMs: wholeNumber("--udp-timeout", opts.udpTimeout, 1),
    udpTries: wholeNumber("--udp-tries", opts.udpTries, 1),
    udpConfirmMs: wholeNumber("--udp-confirm", opts.udpConfirm, 0),
    serviceTimeoutMs: wholeNumber("--service-timeout", opts.serviceTimeout, 1),
    responders: opts.responders === true,
    sourceAuto: sourceHow === "auto",
    serviceCheck: choice("--service-check", opts.serviceCheck, ["fail", "warn"] as const),
  };
  const ca = pem("--ca", opts.ca);
  const cert = pem("--cert", opts.cert);
  const key = pem("--key", opts.key);
  if ((cert === undefined) !== (key === undefined))
    throw new InputError([
      diag("bad-option", "error", "--cert and --key go together", { expected: "both, or neither" }),
    ]);
  if (cert !== undefined && key !== undefined) checkCertKey(opts.cert!, cert, opts.key!, key);
  if (ca !== undefined) settings.ca = ca;
  if (cert !== undefined && key !== undefined) Object.assign(settings, { cert, key });
  const t = loadTopology(opts.topology);
  if (!t.ok) throw new InputError(t.diagnostics);
  // The topology's own warnings (management opened on purpose …), as compile prints them.
  printDiagnostics(t.diagnostics);
  const planned = planProbe(t.value.bound, opts.from, {
    ...(opts.to !== undefined ? { to: opts.to } : {}),
    includeRetired: opts.includeRetired === true,
    maxHosts: wholeNumber("--max-hosts", opts.maxHosts, 1, MAX_PROBE_HOSTS),
  });
  if (!planned.ok) throw new InputError(planned.diagnostics);
  const transport =
    opts.transport === undefined ? undefined : choice("--transport", opts.transport, ["tcp", "udp"] as const);
  if (transport !== undefined) {
    const plan = planned.plan;
    const flowTransport = new Map(t.value.bound.flows.map((f) => [f.id, f.transport]));
    plan.targets = plan.targets.filter((x) => x.transport === transport);
    plan.skipped = plan.skipped.filter((x) => flowTransport.get(x.flow) === transport);
    if (plan.targets.length === 0 && plan.skipped.length === 0)
      throw new InputError([
        diag(
          "bad-option",
          "error",
          `--transport ${transport}: ${opts.from} has no ${transport} flow to probe`,
          {
            expected: "the other transport, or no --transport",
          },
        ),
      ]);
  }
  // The database is opened before the run, so one that cannot be used is said before any packet
  // (after it, the results would be lost). SQLite is loaded only when asked for.
  const store =
    opts.save === undefined
      ? undefined
      : await import("../store/index.js").then(({ defaultDbPath, openStore }) => {
          const opened = openStore(typeof opts.save === "string" ? opts.save : defaultDbPath());
          if (!opened.ok) throw new InputError(opened.diagnostics);
          return opened.value;
        });
  if (!settings.sourceAuto) {
    const bad = await unavailableSources(planned.plan);
    if (bad.length > 0) {
      printDiagnostics([
        diag(
          "probe-source",
          "error",
          `${opts.from}'s address ${bad.join(", ")} is not configured on this machine: the firewall would not see the packets the matrix describes`,
          {
            expected: `run probe on the machine (or namespace) that has ${bad.join(", ")}, or --source auto to send from whatever address the system picks`,
          },
        ),
      ]);
      store?.close();
      return EXIT.environment;
    }
  }
  // One descriptor per connect and per UDP exchange in flight: make room where permitted, else split
  // what there is (EMFILE would only back off TCP, but fail a UDP exchange).
  const want = {
    tcpInFlight: settings.maxInFlight,
    tcpPorts: planPorts(planned.plan, "tcp"),
    udpPorts: planPorts(planned.plan, "udp"),
  };
  const budget = splitFileBudget(
    raiseFileLimit(
      Math.min(want.tcpInFlight, want.tcpPorts) + Math.min(want.udpPorts, UDP_MAX_IN_FLIGHT) + FILE_RESERVE,
    ),
    want,
  );
  settings.maxInFlight = budget.tcp;
  settings.udpInFlight = budget.udp;
  if (budget.udpLimited)
    process.stderr.write(
      `warning: the open-file limit allows ${budget.udp} UDP exchanges at once for ${want.udpPorts} UDP ports: a silent port holds its socket for the whole retransmission schedule, so a silent range takes up to ${Math.ceil(want.udpPorts / budget.udp)} of them; raise it (ulimit -n) for one\n`,
    );
  // cli-progress is loaded only for a terminal (issue 21: every module costs start-up).
  const progressBar =
    opts.progress && process.stderr.isTTY ? (await import("cli-progress")).default : undefined;
  const bar = progressBar
    ? new progressBar.SingleBar(
        {
          stream: process.stderr,
          format: "probing {bar} {value}/{total} ports · {eta}s",
          hideCursor: true,
        },
        progressBar.Presets.shades_classic,
      )
    : undefined;
  let started = false;
  const { output } = await runProbe(planned.plan, settings, {
    profile: t.value.bound.profileId,
    ...(opts.to !== undefined ? { to: opts.to } : {}),
    ...(transport !== undefined ? { transport } : {}),
    startedAt: new Date().toISOString(),
    onProgress: (done, total) => {
      if (!bar) return;
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
  });
  bar?.stop();
  const text = render(output, format);
  if (store !== undefined) {
    const { saveRun } = await import("../store/index.js");
    const saved = saveRun(store, "probe", output);
    store.close();
    if (!saved.ok) throw new InputError(saved.diagnostics);
  }
  if (opts.output !== undefined) writeFilesAtomic([{ path: opts.output, text }]);
  else process.stdout.write(text);
  return probeExitCode(output);
}
