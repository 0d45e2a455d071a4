/**
 * `portmatrix listen` (stand in for an endpoint) and `portmatrix certs` (a throwaway PKI): their
 * options; src/cli/listen-run.ts, imported when one runs, does them (so their help loads no
 * TLS, certificate or model code).
 */
import { Option, type Command } from "commander";
import type { Runner } from "./commands.js";

export interface ListenOpts {
  topology: string;
  as: string;
  cert?: string;
  key?: string;
  ca?: string;
  requireClientCert?: boolean;
  address: string[];
  realm: string;
  format: string;
  for?: string;
  verbose?: boolean;
  transport?: string;
  servePart?: boolean;
}

export interface CertsOpts {
  name: string[];
  output: string;
  days: string;
  force?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerListen(program: Command, run: Runner): void {
  program
    .command("listen")
    .description(
      "stand in for an endpoint on its own addresses: bind every port the matrix expects there and answer as its service would",
    )
    .requiredOption("-t, --topology <file>", "the topology (profile, addresses)")
    .requiredOption("--as <endpoint>", "the endpoint to stand in for")
    .option("--cert <file>", "server certificate (PEM) for TLS ports (default: a generated one)")
    .option("--key <file>", "its private key (PEM)")
    .option("--ca <file>", "CA (PEM) whose client certificates MTLS ports accept")
    .option("--require-client-cert", "MTLS ports refuse clients without a certificate from --ca")
    .option(
      "--address <address>",
      "bind only this one of the endpoint's addresses (repeat for several)",
      collect,
      [],
    )
    .option(
      "--transport <tcp|udp>",
      "only this transport's ports (one stand-in in two processes, each within its open-file limit)",
    )
    .option("--realm <realm>", "realm in MS-TURN 401 answers", "portmatrix")
    .option(
      "--format <format>",
      "table or json (one JSON line once every bind was tried, failures listed)",
      "table",
    )
    .option("--for <seconds>", "stop after this many seconds (default: until Ctrl-C or SIGTERM)")
    .option("-v, --verbose", "log every answered probe on standard error")
    // A helper of a stand-in beyond the open-file limit (listen/spread.ts): its share on standard input.
    .addOption(new Option("--serve-part").hideHelp())
    .action((opts: ListenOpts) =>
      run(async () => {
        const r = await import("./listen-run.js");
        return opts.servePart ? r.runPart(opts) : r.runListen(opts);
      }),
    );

  program
    .command("certs")
    .description("make a throwaway CA and a leaf certificate (serverAuth + clientAuth) for listen and probe")
    .requiredOption(
      "--name <name>",
      "DNS name or IP address for the leaf (repeat; the first is its CN)",
      collect,
      [],
    )
    .requiredOption("-o, --output <dir>", "folder for ca.pem, ca-key.pem, cert.pem, key.pem")
    .option("--days <n>", "validity in days (at most 36500)", "30")
    .option("--force", "replace key and certificate files already in the folder")
    .action((opts: CertsOpts) =>
      run(async () => {
        const r = await import("./listen-run.js");
        return r.runCerts(opts);
      }),
    );
}
