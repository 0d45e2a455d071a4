/**
 * @module `portmatrix serve`: checks the bind rule, opens the store, listens, prints the address,
 * and runs until SIGINT, SIGTERM or SIGHUP. The bind rule: loopback by default; any other address only
 * with --token (refused before anything listens, exit 2).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { InputError, EXIT, onStopSignal } from "../cli/io.js";
import { openStore } from "../store/index.js";
import { dashboardHandler, type ServedTopology } from "./app.js";
import { isLoopback, loopbackHosts, parseListen } from "./listen.js";

export interface ServeOptions {
  db: string;
  listen: string;
  token?: string;
  /** A topology whose runs get its diagram, coloured, and a report. */
  topology?: ServedTopology;
}

/**
 * Connections that say nothing, or too slowly, cannot hold the dashboard: 1,100 silent connections
 * used to take every file descriptor and keep it unreachable for as long as they stayed. Headers
 * must arrive within 10 s, a whole request (body included) within 60 s; a socket silent for
 * 10 s is closed (Node's header timeout starts only with the first byte), a kept-alive one after
 * 5 s; at most 512 connections at once (further ones are closed at once, well below the usual 1,024
 * descriptors), so the server itself never runs out.
 */
export const LIMITS = {
  headersMs: 10_000,
  requestMs: 60_000,
  keepAliveMs: 5_000,
  idleMs: 10_000,
  maxConnections: 512,
} as const;

/** The bind rule: loopback, or a token long enough not to be guessed. */
function checkBind(opts: ServeOptions): { host: string; port: number; loopback: boolean } {
  const listen = parseListen(opts.listen);
  if (!listen.ok) throw new InputError(listen.diagnostics);
  const { host, port } = listen.value;
  const loopback = isLoopback(host);
  if (!loopback && (opts.token === undefined || opts.token.length < 16)) {
    throw new InputError([
      {
        code: "bind-needs-token",
        severity: "error",
        message: `--listen ${opts.listen} is not a loopback address; the dashboard would be open to the network`,
        expected: "a loopback address (127.0.0.1, ::1, localhost), or --token with at least 16 characters",
      },
    ]);
  }
  return { host, port, loopback };
}

function listening(server: Server, host: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    server.once("error", (e: NodeJS.ErrnoException) => resolve(e));
    server.listen(port, host, () => resolve(undefined));
  });
}

function untilSignal(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const off = onStopSignal(() => {
      off();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });
}

export async function serveDashboard(opts: ServeOptions): Promise<number> {
  const { host, port, loopback } = checkBind(opts);
  const store = openStore(opts.db);
  if (!store.ok) throw new InputError(store.diagnostics);
  const server = createServer({
    // Checked every second (Node's default is 30 s), so the timeouts below bite on time.
    connectionsCheckingInterval: 1000,
    headersTimeout: LIMITS.headersMs,
    requestTimeout: LIMITS.requestMs,
    keepAliveTimeout: LIMITS.keepAliveMs,
  });
  server.maxConnections = LIMITS.maxConnections;
  // A connection that says nothing at all (not even a request line) is closed too; one whose
  // request is being answered (a large report) is left to the request timeout.
  const answering = new WeakSet<object>();
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    answering.add(req.socket);
    res.once("close", () => answering.delete(req.socket));
  });
  server.setTimeout(LIMITS.idleMs, (socket) => {
    if (!answering.has(socket)) socket.destroy();
  });
  const failed = await listening(server, host, port);
  if (failed) {
    store.value.close();
    process.stderr.write(
      `portmatrix serve: cannot listen on ${opts.listen}: ${failed.code ?? failed.message}\n`,
    );
    return EXIT.environment;
  }
  const bound = (server.address() as AddressInfo).port;
  server.on(
    "request",
    dashboardHandler({
      store: store.value,
      ...(opts.token !== undefined ? { token: opts.token } : {}),
      ...(loopback ? { allowedHosts: loopbackHosts(bound, host) } : {}),
      ...(opts.topology ? { topology: opts.topology } : {}),
    }),
  );
  const shown = host.includes(":") ? `[${host}]` : host;
  process.stdout.write(`portmatrix serve: http://${shown}:${bound}/ (database ${opts.db})\n`);
  await untilSignal(server);
  store.value.close();
  return EXIT.ok;
}
