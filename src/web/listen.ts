/**
 * @module `--listen host:port` and the loopback rule: the dashboard binds to loopback unless told
 * otherwise, and any other address needs a token (checked by serve.ts before binding).
 */
import { isIP } from "node:net";
import type { Diagnostic } from "../diag/diagnostic.js";

export interface ListenAddress {
  host: string;
  port: number;
}

const EXPECTED = "host:port, e.g. 127.0.0.1:8080, [::1]:8080 or localhost:0 (port 0: any free port)";

export function parseListen(
  text: string,
): { ok: true; value: ListenAddress } | { ok: false; diagnostics: Diagnostic[] } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  const validHost =
    host !== undefined &&
    (m?.[1] !== undefined ? isIP(host) === 6 : isIP(host) === 4 || /^[A-Za-z0-9.-]+$/.test(host));
  if (!m || !validHost || !Number.isInteger(port) || port > 65535) {
    return {
      ok: false,
      diagnostics: [
        {
          code: "bad-listen",
          severity: "error",
          message: `--listen "${text}" is not an address to listen on`,
          expected: EXPECTED,
        },
      ],
    };
  }
  return { ok: true, value: { host: host!, port } };
}

/** 127.0.0.0/8, ::1 and the name localhost (which resolves to loopback only). */
export function isLoopback(host: string): boolean {
  if (host === "localhost" || host === "::1") return true;
  return isIP(host) === 4 && host.startsWith("127.");
}

/**
 * Host header values a browser sends for a loopback bind; anything else is a DNS-rebinding attempt.
 * The bound address itself is one of them (`--listen 127.0.0.2:8085` is reached as 127.0.0.2:8085).
 */
export function loopbackHosts(port: number, bound?: string): Set<string> {
  const names = ["localhost", "127.0.0.1", "[::1]"];
  if (bound !== undefined) names.push(bound.includes(":") ? `[${bound}]` : bound);
  return new Set(names.map((h) => `${h}:${port}`));
}
