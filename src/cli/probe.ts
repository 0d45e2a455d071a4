/** `portmatrix probe` (live verification from one vantage point) and `portmatrix merge`: their options; what they do is in probe-run.ts, loaded when one runs. */
import type { Command } from "commander";
import type { Runner } from "./commands.js";

export const FORMATS = ["table", "json", "junit"] as const;

export interface ProbeOpts {
  topology: string;
  from: string;
  to?: string;
  transport?: string;
  includeRetired?: boolean;
  maxHosts: string;
  maxInFlight: string;
  rate: string;
  timeout: string;
  minTimeout: string;
  retries: string;
  udpTimeout: string;
  udpTries: string;
  udpConfirm: string;
  serviceTimeout: string;
  responders?: boolean;
  serviceCheck: string;
  source: string;
  ca?: string;
  cert?: string;
  key?: string;
  format: string;
  output?: string;
  save?: string | boolean;
  progress: boolean;
}

export function registerProbe(program: Command, run: Runner): void {
  program
    .command("probe")
    .description(
      "send real traffic for every flow that starts at an endpoint and compare what answers with the matrix",
    )
    .requiredOption("-t, --topology <file>", "the topology (profile, addresses)")
    .requiredOption("--from <endpoint>", "the endpoint this machine stands for (its flows are probed)")
    .option("--to <endpoint>", "only the flows to this endpoint")
    .option("--transport <tcp|udp>", "only the flows of this transport (e.g. a media range's UDP part)")
    .option("--include-retired", "also probe flows whose service has ended")
    .option("--max-hosts <n>", "most hosts probed per destination endpoint (at most 65536)", "256")
    .option("--max-in-flight <n>", "TCP connects at once", "2000")
    .option("--rate <n>", "TCP connects per second (0: no limit beyond --max-in-flight)", "0")
    .option("--timeout <ms>", "first TCP timeout, and the ceiling of the adapted one", "300")
    .option("--min-timeout <ms>", "floor of the timeout adapted to measured round trips", "20")
    .option("--retries <n>", "retries for unanswered TCP ports", "1")
    .option("--udp-timeout <ms>", "first UDP retransmission timeout (RFC 5389 RTO)", "500")
    .option("--udp-tries <n>", "UDP requests before giving up", "3")
    .option(
      "--udp-confirm <ms>",
      "time for re-probing, paced, UDP ports left silent beside ports an ICMP proved closed (the target's ICMP rate limit)",
      "3000",
    )
    .option("--service-timeout <ms>", "time limit of a TLS, SIP or MS-TURN exchange", "3000")
    .option(
      "--responders",
      "a responder (listen or the real service) stands at every destination: UDP silence is filtered",
    )
    .option(
      "--service-check <mode>",
      "fail: an open port where the expected service (SIP, MS-TURN, a client certificate request) does not answer fails; warn: only say it",
      "fail",
    )
    .option(
      "--source <how>",
      "source address: topology (the endpoint's own) or auto (the system's choice)",
      "topology",
    )
    .option("--ca <file>", "CA certificate (PEM) to verify servers against")
    .option("--cert <file>", "client certificate (PEM) to present to MTLS servers")
    .option("--key <file>", "its private key (PEM)")
    .option("--format <format>", FORMATS.join(", "), "table")
    .option("-o, --output <file>", "write the results to a file instead of standard output")
    .option("--save [db]", "record the run in the dashboard's SQLite database")
    .option("--no-progress", "no progress bar (it is shown only on a terminal anyway)")
    .action((opts: ProbeOpts) => run(async () => (await import("./probe-run.js")).runProbeCommand(opts)));

  program
    .command("merge")
    .description("merge probe results from several vantage points into one")
    .argument("<files...>", "probe --format json outputs")
    .option("--format <format>", FORMATS.join(", "), "table")
    .option("-o, --output <file>", "write the merged results to a file")
    .action((files: string[], opts: { format: string; output?: string }) =>
      run(async () => (await import("./merge-run.js")).runMerge(files, opts)),
    );
}
