/**
 * @module The dashboard's token: accepted as `Authorization: Bearer <token>`, as `?token=<token>`
 * (then kept in an HttpOnly, SameSite=Strict cookie so links work) or from that cookie; compared
 * in constant time (both sides hashed to the same length first, then crypto.timingSafeEqual).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { BadRequest } from "./http.js";

export const TOKEN_COOKIE = "portmatrix_token";

export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

export type TokenSource = "header" | "query" | "cookie";

/** Every token the request offers, with where it came from. */
export function offeredTokens(req: IncomingMessage, url: URL): Array<{ token: string; from: TokenSource }> {
  const out: Array<{ token: string; from: TokenSource }> = [];
  const auth = req.headers.authorization;
  const bearer = auth !== undefined ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
  if (bearer?.[1]) out.push({ token: bearer[1], from: "header" });
  const q = url.searchParams.get("token");
  if (q !== null) out.push({ token: q, from: "query" });
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k !== TOKEN_COOKIE) continue;
    try {
      out.push({ token: decodeURIComponent(v.join("=")), from: "cookie" });
    } catch {
      throw new BadRequest(`malformed ${TOKEN_COOKIE} cookie`);
    }
  }
  return out;
}

export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
}
