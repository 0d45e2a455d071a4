/**
 * A stand-in with more ports than one process may hold open (issue 21). Every TCP listener and every
 * UDP port needs its own socket: a UDP socket receives for one port only, and the ways around it
 * (IP_TRANSPARENT with a TPROXY rule, or a REDIRECT) are not in Node and would rewrite the very
 * firewall under test. Node cannot call setrlimit either; the soft limit is raised with prlimit up
 * to the hard limit (shell/limits.ts), and past it only with CAP_SYS_RESOURCE. So the sockets beyond
 * the limit are bound by helper processes, each with a limit of its own: `listen --serve-part`,
 * given its share and the certificate on standard input, answers with one JSON line (bound,
 * failed) and serves until its standard input ends — when this process closes it, or dies.
 * Shell: child processes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { BindFailure, Binding, Listening, ListenOptions } from "./serve.js";

/** Descriptors a listen process keeps for itself (standard streams, connections being served). */
export const LISTEN_RESERVE = 256;

/** What a helper reads: its sockets and what answering needs that is not on its command line. */
export interface PartInput {
  bindings: Binding[];
  cert: string;
  key: string;
}

/** Cuts the bindings into this process's share and the helpers' (each at most `capacity`). */
export function spreadBindings(list: readonly Binding[], capacity: number): Binding[][] {
  const size = Math.max(1, capacity);
  const parts: Binding[][] = [];
  for (let k = 0; k < list.length; k += size) parts.push(list.slice(k, k + size));
  return parts.length > 0 ? parts : [[]];
}

interface Helper {
  child: ChildProcess;
  result: Listening;
}

/**
 * Starts one helper per part: this very program (`argv`: node's own options, the script) with
 * `listen <args> --serve-part`. A helper that cannot start or answer reports each of its sockets as
 * failed with the reason, never in silence.
 */
export async function startHelpers(
  parts: readonly Binding[][],
  program: readonly string[],
  args: readonly string[],
  o: Pick<ListenOptions, "cert" | "key">,
): Promise<Listening> {
  const helpers = await Promise.all(parts.map((part) => startHelper(part, program, args, o)));
  return {
    bound: helpers.reduce((n, h) => n + h.result.bound, 0),
    failed: helpers.flatMap((h) => h.result.failed),
    close: async () => {
      await Promise.all(helpers.map((h) => h.result.close()));
    },
  };
}

function startHelper(
  part: readonly Binding[],
  program: readonly string[],
  args: readonly string[],
  o: Pick<ListenOptions, "cert" | "key">,
): Promise<Helper> {
  const [exe, ...pre] = program;
  const child = spawn(exe!, [...pre, "listen", ...args, "--serve-part"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  let closing = false;
  const close = async (): Promise<void> => {
    closing = true;
    child.stdin?.end();
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined)
      child.kill("SIGTERM");
    await exited;
  };
  const failAll = (why: string): Helper => ({
    child,
    result: {
      bound: 0,
      failed: part.map((b): BindFailure => ({
        address: b.address,
        transport: b.port.transport,
        port: b.port.port,
        code: why,
      })),
      close,
    },
  });
  return new Promise<Helper>((resolve) => {
    child.once("error", (e: NodeJS.ErrnoException) => resolve(failAll(`helper: ${e.code ?? e.message}`)));
    child.stdin!.on("error", () => {});
    const input: PartInput = { bindings: [...part], cert: o.cert, key: o.key };
    child.stdin!.write(JSON.stringify(input) + "\n");
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => {
      lines.close();
      try {
        const r = JSON.parse(line) as { bound: number; failed: BindFailure[] };
        // Ready, then gone: its sockets are no longer served, and that is said.
        void exited.then(() => {
          if (!closing)
            process.stderr.write(
              `warning: a listen helper ended (${child.exitCode ?? child.signalCode}): ${r.bound} sockets are no longer served\n`,
            );
        });
        resolve({ child, result: { bound: r.bound, failed: r.failed, close } });
      } catch {
        resolve(failAll("helper: no answer"));
      }
    });
    void exited.then(() => resolve(failAll(`helper: exited (${child.exitCode ?? child.signalCode})`)));
  });
}
