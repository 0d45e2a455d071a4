/** DNS lookups for `portmatrix dns`, through Node's resolver (c-ares) against one server or the system's. */
import { Resolver } from "node:dns/promises";
import type { Lookup, Resolve, SrvAnswer } from "../dns/check.js";

/** NXDOMAIN and NODATA say the record is not there; anything else is the server not answering. */
const MISSING = new Set(["ENOTFOUND", "ENODATA"]);

async function lookup<T>(q: () => Promise<T[]>): Promise<Lookup<T>> {
  try {
    return { ok: true, values: await q() };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "EIO";
    return { ok: false, state: MISSING.has(code) ? "missing" : "no-answer", code };
  }
}

/** `server`: "203.0.113.53", "203.0.113.53:5353", "[2001:db8::53]:53", or undefined for the system's. */
export function dnsResolver(server: string | undefined, timeoutMs: number, tries: number): Resolve {
  const r = new Resolver({ timeout: timeoutMs, tries });
  if (server !== undefined) r.setServers([server]);
  return {
    srv: (name) => lookup<SrvAnswer>(() => r.resolveSrv(name)),
    addresses: (family, name) => lookup<string>(() => (family === 4 ? r.resolve4(name) : r.resolve6(name))),
    cname: (name) => lookup<string>(() => r.resolveCname(name)),
  };
}
