/**
 * @module `portmatrix serve`: checks the bind rule, opens the store, listens, prints the address,
 * and runs until SIGINT or SIGTERM. The bind rule: loopback by default; any other address only
 * with --token (refused before anything listens, exit 2).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { InputError, EXIT } from "../cli/io.js";
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
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

export async function serveDashboard(opts: ServeOptions): Promise<number> {
  const { host, port, loopback } = checkBind(opts);
  const store = openStore(opts.db);
  if (!store.ok) throw new InputError(store.diagnostics);
  const server = createServer();
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
      ...(loopback ? { allowedHosts: loopbackHosts(bound) } : {}),
      ...(opts.topology ? { topology: opts.topology } : {}),
    }),
  );
  const shown = host.includes(":") ? `[${host}]` : host;
  process.stdout.write(`portmatrix serve: http://${shown}:${bound}/ (database ${opts.db})\n`);
  await untilSignal(server);
  store.value.close();
  return EXIT.ok;
}
