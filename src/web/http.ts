/** @module Small node:http helpers for the dashboard: responses with the security headers, bodies with a size limit. */
import type { IncomingMessage, ServerResponse } from "node:http";

/** Only our own stylesheet and script; no framing; forms post only to us. */
export const CSP =
  "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export const MAX_BODY = 32 * 1024 * 1024;

export function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    "Content-Type": type,
    "Content-Length": Buffer.byteLength(body),
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    ...headers,
  });
  res.end(body);
}

export const HTML = "text/html; charset=utf-8";
export const JSON_TYPE = "application/json; charset=utf-8";

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON_TYPE, JSON.stringify(value, null, 2) + "\n");
}

export function redirect(res: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  res.writeHead(303, { Location: location, "Content-Length": 0, ...headers });
  res.end();
}

export class BodyTooLarge extends Error {}

/** The client's mistake (a malformed cookie, a body cut short): 400, never logged as a bug. */
export class BadRequest extends Error {}

export async function readBody(req: IncomingMessage, limit = MAX_BODY): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > limit) throw new BodyTooLarge(`request body over ${limit} bytes`);
      chunks.push(buf);
    }
  } catch (e) {
    if (e instanceof BodyTooLarge) throw e;
    // The client closed the connection mid-body ("aborted", ECONNRESET).
    throw new BadRequest(
      `request body cut short (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  return Buffer.concat(chunks).toString("utf8");
}
