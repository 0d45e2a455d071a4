/**
 * @module The checks every dashboard request passes before routing: the Host header (loopback binds:
 * DNS rebinding), cross-site POSTs (CSRF), and the token when one is set.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { offeredTokens, tokenCookie, tokenMatches } from "./auth.js";
import { HTML, redirect, send } from "./http.js";
import { messagePage } from "./pages.js";

export interface GuardOptions {
  token?: string;
  allowedHosts?: ReadonlySet<string>;
}

/** True when the request may go on; otherwise the answer has been sent. */
export function guard(opts: GuardOptions, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  if (opts.allowedHosts && !opts.allowedHosts.has(req.headers.host ?? "")) {
    send(res, 421, "text/plain; charset=utf-8", "unexpected Host header\n");
    return false;
  }
  if (req.method === "POST" && crossSite(req)) {
    send(res, 403, "text/plain; charset=utf-8", "cross-site request refused\n");
    return false;
  }
  if (opts.token === undefined) return true;
  const offered = offeredTokens(req, url);
  const good = offered.find((t) => tokenMatches(t.token, opts.token!));
  if (good?.from === "query") {
    // Trade the token in the address for a cookie, and drop it from the address (history, logs).
    url.searchParams.delete("token");
    // One leading slash: `//host/…` would be a redirect to another site.
    const path = `/${url.pathname.replace(/^\/+/, "")}`;
    redirect(res, `${path}${url.search}`, { "Set-Cookie": tokenCookie(opts.token) });
    return false;
  }
  if (good) return true;
  send(
    res,
    401,
    HTML,
    messagePage(
      "Token needed",
      "This dashboard needs its token: Authorization: Bearer <token>, or ?token=<token> once.",
    ),
    { "WWW-Authenticate": "Bearer" },
  );
  return false;
}

/**
 * A POST from another site (CSRF): browsers say so in Sec-Fetch-Site; without it (older browsers)
 * the Origin must name this host. Tools such as curl send neither and are let through.
 */
function crossSite(req: IncomingMessage): boolean {
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined) return site !== "same-origin" && site !== "none";
  const origin = req.headers.origin;
  return origin !== undefined && !sameHost(origin, req.headers.host);
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
