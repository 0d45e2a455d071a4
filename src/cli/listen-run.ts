/** What `portmatrix listen` (stand in for an endpoint) and `portmatrix certs` (a throwaway PKI) do; src/cli/listen.ts registers them. */
import { isIP } from "node:net";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { diag } from "../diag/diagnostic.js";
import { makePki } from "../listen/certs.js";
import { groupPorts, planListen, serviceLabel } from "../listen/plan.js";
import { bindAll, bindings, type Listening, type ListenOptions } from "../listen/serve.js";
import { LISTEN_RESERVE, spreadBindings, startHelpers, type PartInput } from "../listen/spread.js";
import { writeFilesAtomic } from "../shell/files.js";
import { checkCertKey, readPem } from "../shell/pem.js";
import { raiseFileLimit } from "../shell/limits.js";
import { loadTopology, VERSION } from "../shell/load.js";
import { expectedNames } from "../probe/cert-names.js";
import { choice, EXIT, InputError, MAX_TIMER_MS, onStopSignal, printDiagnostics, wholeNumber } from "./io.js";
import type { CertsOpts, ListenOpts } from "./listen.js";
import { byCodeUnits } from "../diag/order.js";

export const LISTEN_OUTPUT_VERSION = 1;

export async function runListen(opts: ListenOpts): Promise<number> {
  const format = choice("--format", opts.format, ["table", "json"] as const);
  const seconds = opts.for === undefined ? undefined : Number(opts.for);
  // Node's timers fire after 1 ms for a delay past 2^31-1 ms (~24.8 days): refused, not shortened.
  if (seconds !== undefined && !(seconds > 0 && seconds * 1000 <= MAX_TIMER_MS))
    throw new InputError([
      diag(
        "bad-option",
        "error",
        `--for "${opts.for}" is not a number of seconds from 0 to ${Math.floor(MAX_TIMER_MS / 1000)}`,
        {
          expected: "e.g. --for 60",
        },
      ),
    ]);
  if ((opts.cert === undefined) !== (opts.key === undefined))
    throw new InputError([
      diag("bad-option", "error", "--cert and --key go together", {
        expected: "both, or neither (a certificate is generated)",
      }),
    ]);
  if (opts.requireClientCert && opts.ca === undefined)
    throw new InputError([
      diag(
        "bad-option",
        "error",
        "--require-client-cert needs --ca: the CA whose client certificates are accepted",
        { expected: "--ca ca.pem (portmatrix certs makes one)" },
      ),
    ]);
  const t = loadTopology(opts.topology);
  if (!t.ok) throw new InputError(t.diagnostics);
  // The topology's own warnings (management opened on purpose …), as compile prints them.
  printDiagnostics(t.diagnostics);
  const planned = planListen(t.value.bound, opts.as);
  if (!planned.ok) throw new InputError(planned.diagnostics);
  const plan = planned.plan;
  if (opts.address.length > 0) {
    const unknown = opts.address.filter((a) => !plan.addresses.includes(a));
    if (unknown.length > 0)
      throw new InputError([
        diag("bad-option", "error", `--address ${unknown.join(", ")}: not an address of ${plan.endpoint}`, {
          expected: `one of ${plan.addresses.join(", ")}`,
        }),
      ]);
    plan.addresses = plan.addresses.filter((a) => opts.address.includes(a));
  }
  if (opts.transport !== undefined) {
    const transport = choice("--transport", opts.transport, ["tcp", "udp"] as const);
    plan.ports = plan.ports.filter((p) => p.transport === transport);
    if (plan.ports.length === 0)
      throw new InputError([
        diag(
          "bad-option",
          "error",
          `--transport ${transport}: ${plan.endpoint} has no ${transport} port to listen on`,
          {
            expected: "the other transport, or no --transport",
          },
        ),
      ]);
  }
  let cert: string;
  let key: string;
  let certNote: string;
  if (opts.cert !== undefined && opts.key !== undefined) {
    cert = readPem("--cert", opts.cert);
    key = readPem("--key", opts.key);
    checkCertKey(opts.cert, cert, opts.key, key);
    certNote = opts.cert;
  } else {
    const named = expectedNames(t.value.bound, plan.endpoint);
    const pki = await makePki({
      // The names the profile's certificate for this endpoint carries (with the topology's
      // sipDomains), so a probe that checks them sees what the real edge would present.
      names: [...(named.length > 0 ? named : [`${plan.endpoint}.portmatrix.invalid`]), ...plan.addresses],
      days: 7,
      now: new Date(),
    });
    cert = pki.cert;
    key = pki.key;
    certNote = `generated: ${pki.subject} [${pki.names.join(", ")}] until ${pki.notAfter.slice(0, 10)}`;
  }
  const ca = opts.ca === undefined ? undefined : readPem("--ca", opts.ca);
  const all = bindings(plan);
  const need = all.length + LISTEN_RESERVE;
  const limit = raiseFileLimit(need);
  const o = answering(opts, { cert, key, ...(ca !== undefined ? { ca } : {}) });
  // Past the limit: helper processes bind the rest, each within a limit of its own (spread.ts).
  const parts =
    limit !== undefined && limit < need && limit - LISTEN_RESERVE >= MIN_PART
      ? spreadBindings(all, limit - LISTEN_RESERVE)
      : [all];
  if (parts.length > MAX_HELPERS + 1) parts.splice(1);
  if (parts.length === 1 && limit !== undefined && limit < need)
    process.stderr.write(
      `warning: ${need} sockets needed, the open-file limit is ${limit} (could not raise it): ports beyond it fail with EMFILE; raise it (ulimit -n) or split the stand-in (--address, --transport)\n`,
    );
  const own = await bindAll(parts[0]!, o);
  const listening =
    parts.length === 1
      ? own
      : joinListening(
          own,
          await startHelpers(
            parts.slice(1),
            [process.execPath, ...process.execArgv, process.argv[1]!],
            partArgs(opts),
            o,
          ),
        );
  const groups = groupPorts(plan.ports).map((g) => ({
    transport: g.transport,
    ports: g.from === g.to ? String(g.from) : `${g.from}-${g.to}`,
    service: serviceLabel(g.service),
    flows: g.flows,
  }));
  if (format === "json")
    process.stdout.write(
      JSON.stringify({
        version: LISTEN_OUTPUT_VERSION,
        endpoint: plan.endpoint,
        addresses: plan.addresses,
        listening: groups,
        bound: listening.bound,
        failed: listening.failed,
        certificate: certNote,
        requireClientCert: opts.requireClientCert === true,
      }) + "\n",
    );
  else {
    const lines = [`listening as ${plan.endpoint} (${plan.endpointName}) on ${plan.addresses.join(", ")}`];
    for (const g of groups)
      lines.push(`  ${g.transport} ${g.ports.padEnd(11)} ${g.service.padEnd(14)} ${g.flows.join(", ")}`);
    lines.push(
      `  certificate: ${certNote}${opts.requireClientCert ? "; MTLS ports require a client certificate" : ""}`,
    );
    for (const f of listening.failed)
      lines.push(`  could not bind ${f.transport} ${f.address}:${f.port}: ${f.code}${hint(f.code)}`);
    if (parts.length > 1)
      lines.push(
        `  ${parts.length - 1} helper process${parts.length > 2 ? "es" : ""} bind${parts.length > 2 ? "" : "s"} what the open-file limit (${limit}) leaves over: one socket per port`,
      );
    lines.push(`${listening.bound} sockets bound; Ctrl-C to stop`);
    process.stdout.write(lines.join("\n") + "\n");
  }
  if (listening.bound === 0) {
    printDiagnostics([
      diag("listen-none-bound", "error", `no port could be bound for ${plan.endpoint}`, {
        expected: `run where ${plan.addresses.join(", ")} is configured (e.g. in the lab's namespace)`,
      }),
    ]);
    await listening.close();
    return EXIT.environment;
  }
  await new Promise<void>((resolve) => {
    const off = onStopSignal(() => resolve());
    if (seconds !== undefined)
      setTimeout(() => {
        off();
        resolve();
      }, seconds * 1000).unref();
  });
  await listening.close();
  return listening.failed.length > 0 ? EXIT.findings : EXIT.ok;
}

/** Spread only in parts this large, to at most this many helpers (else EMFILE is reported per port). */
const MIN_PART = 64;
const MAX_HELPERS = 64;

function joinListening(a: Listening, b: Listening): Listening {
  return {
    bound: a.bound + b.bound,
    failed: [...a.failed, ...b.failed].sort(
      (x, y) => byCodeUnits(x.transport, y.transport) || x.port - y.port || byCodeUnits(x.address, y.address),
    ),
    close: async () => {
      await Promise.all([a.close(), b.close()]);
    },
  };
}

/** How the stand-in answers (the same in every process of it). */
function answering(opts: ListenOpts, tls: Pick<ListenOptions, "cert" | "key" | "ca">): ListenOptions {
  return {
    ...tls,
    requireClientCert: opts.requireClientCert === true,
    realm: opts.realm,
    server: `portmatrix-listen/${VERSION} (stand-in for ${opts.as})`,
    ...(opts.verbose
      ? { log: (l: string) => process.stderr.write(`${new Date().toISOString()} ${l}\n`) }
      : {}),
  };
}

/** A helper's command line: what decides how it answers (the certificate comes on standard input). */
function partArgs(opts: ListenOpts): string[] {
  return [
    "-t",
    opts.topology,
    "--as",
    opts.as,
    "--realm",
    opts.realm,
    ...(opts.ca !== undefined ? ["--ca", opts.ca] : []),
    ...(opts.requireClientCert ? ["--require-client-cert"] : []),
    ...(opts.verbose ? ["--verbose"] : []),
  ];
}

/**
 * `listen --serve-part`: binds the share read from standard input, says how it went in one JSON line,
 * and serves until standard input ends (its parent closed it, or died) or a stop signal.
 */
export async function runPart(opts: ListenOpts): Promise<number> {
  const lines = createInterface({ input: process.stdin });
  const ended = new Promise<void>((resolve) => lines.once("close", resolve));
  const first = await Promise.race([new Promise<string>((resolve) => lines.once("line", resolve)), ended]);
  if (first === undefined) return EXIT.ok;
  const input = JSON.parse(first) as PartInput;
  const ca = opts.ca === undefined ? undefined : readPem("--ca", opts.ca);
  const listening = await bindAll(
    input.bindings,
    answering(opts, { cert: input.cert, key: input.key, ...(ca !== undefined ? { ca } : {}) }),
  );
  process.stdout.write(JSON.stringify({ bound: listening.bound, failed: listening.failed }) + "\n");
  let off = (): void => {};
  await Promise.race([ended, new Promise<void>((resolve) => (off = onStopSignal(() => resolve())))]);
  off();
  lines.close();
  await listening.close();
  return EXIT.ok;
}

function hint(code: string): string {
  if (code === "EADDRNOTAVAIL") return " (the address is not on this machine)";
  if (code === "EADDRINUSE") return " (another program has it)";
  if (code === "EACCES") return " (a port below 1024 needs root or CAP_NET_BIND_SERVICE)";
  if (code === "EMFILE") return " (open-file limit: ulimit -n, or one listen per --address)";
  return "";
}

/** 100 years: past any test, and far from the end of X.509 GeneralizedTime (year 9999, RFC 5280 §4.1.2.5). */
const MAX_CERT_DAYS = 36_500;

const PKI_FILES = ["ca.pem", "ca-key.pem", "cert.pem", "key.pem"] as const;

export async function runCerts(opts: CertsOpts): Promise<number> {
  const days = wholeNumber("--days", opts.days, 1, MAX_CERT_DAYS);
  // A CA key replaced silently orphans every certificate it signed: only when asked for.
  const present = PKI_FILES.filter((f) => existsSync(join(opts.output, f)));
  if (present.length > 0 && opts.force !== true)
    throw new InputError([
      diag("output-exists", "error", `${opts.output} already holds ${present.join(", ")}`, {
        expected: "another -o folder, or --force to replace them",
      }),
    ]);
  if (opts.name.length === 0)
    throw new InputError([
      diag("bad-option", "error", "certs needs at least one --name for the leaf certificate", {
        expected: "e.g. --name sip.contoso.example --name 203.0.113.10 (the first is its CN)",
      }),
    ]);
  const badName = opts.name.find(
    (n) =>
      isIP(n) === 0 &&
      !/^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(n),
  );
  if (badName !== undefined)
    throw new InputError([
      diag("bad-option", "error", `--name "${badName}" is neither a DNS name nor an IP address`, {
        expected: "a DNS name (sip.contoso.example, *.contoso.example) or an IPv4/IPv6 address",
      }),
    ]);
  const pki = await makePki({ names: opts.name, days, now: new Date() });
  writeFilesAtomic([
    { path: join(opts.output, "ca.pem"), text: pki.caCert },
    { path: join(opts.output, "ca-key.pem"), text: pki.caKey, mode: 0o600 },
    { path: join(opts.output, "cert.pem"), text: pki.cert },
    { path: join(opts.output, "key.pem"), text: pki.key, mode: 0o600 },
  ]);
  process.stdout.write(
    `${opts.output}: ca.pem, ca-key.pem, cert.pem, key.pem — ${pki.subject} [${pki.names.join(", ")}] until ${pki.notAfter.slice(0, 10)}\n`,
  );
  return EXIT.ok;
}
