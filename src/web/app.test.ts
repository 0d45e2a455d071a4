/**
 * The dashboard over HTTP on 127.0.0.1 (a real server on a free port, a real SQLite store): pages,
 * the JSON API, loading runs, the token (header, query → cookie, constant-time compare), the Host
 * check against DNS rebinding, cross-site POSTs, and the bind rule's address parsing.
 */
import assert from "node:assert/strict";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { hostileProbeFixture, realAudit } from "../../test/report/runs.js";
import { openStore, type RunStore } from "../store/index.js";
import { dashboardHandler } from "./app.js";
import { tokenMatches } from "./auth.js";
import { isLoopback, loopbackHosts, parseListen } from "./listen.js";

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(
  port: number,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: opts.method ?? "GET",
        headers: { host: `127.0.0.1:${port}`, ...opts.headers },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

async function start(store: RunStore, token?: string): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  server.on(
    "request",
    dashboardHandler({
      store,
      ...(token ? { token } : {}),
      allowedHosts: loopbackHosts(port),
      now: () => new Date("2026-11-25T08:00:00Z"),
    }),
  );
  return { server, port };
}

let store: RunStore;
let open: { server: Server; port: number };
let locked: { server: Server; port: number };
const TOKEN = "correct-horse-battery-staple";

before(async () => {
  const s = openStore(":memory:");
  assert.ok(s.ok);
  store = s.value;
  open = await start(store);
  locked = await start(store, TOKEN);
});
after(() => {
  open.server.close();
  locked.server.close();
  store.close();
});

test("runs are loaded by the API and by the form, then shown with their flows and history", async () => {
  const api = await call(open.port, "/api/runs", {
    method: "POST",
    body: JSON.stringify(realAudit()),
    headers: { "content-type": "application/json" },
  });
  assert.equal(api.status, 201, api.body);
  assert.equal((JSON.parse(api.body) as { id: number }).id, 1);
  const form = new URLSearchParams({ kind: "auto", json: JSON.stringify(hostileProbeFixture()) }).toString();
  const posted = await call(open.port, "/load", {
    method: "POST",
    body: form,
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  assert.equal(posted.status, 303);
  assert.equal(posted.headers.location, "/runs/2");
  const run = await call(open.port, "/runs/2");
  assert.equal(run.status, 200);
  assert.match(run.body, /<h1>Run #2 \(probe\)<\/h1>/);
  assert.ok(
    run.body.includes("&lt;script&gt;alert(1)&lt;/script&gt;") && !run.body.includes("<script>alert"),
  );
  const history = await call(open.port, "/flows/sip-mtls-in");
  assert.deepEqual(
    [...history.body.matchAll(/<tr data-run="(\d+)"/g)].map((m) => m[1]),
    ["2", "1"],
  );
  const diff = await call(open.port, "/diff?a=1&b=2");
  assert.match(diff.body, /flows differ/);
  assert.equal((await call(open.port, "/api/runs/1")).status, 200);
  assert.equal((await call(open.port, "/runs/999")).status, 404);
  assert.equal((await call(open.port, "/runs/1/report")).status, 404, "no report without serve -t");
  assert.equal((await call(open.port, "/flows/%E0%A4%A")).status, 200, "a malformed escape is no bug");
  const head = await call(open.port, "/runs/1", { method: "HEAD" });
  assert.deepEqual([head.status, head.body], [200, ""]);
  assert.equal((await call(open.port, "/diff?a=1")).status, 400);
  assert.match(run.headers["content-security-policy"] as string, /default-src 'none'/);
});

test("a bad run is refused with its problems listed, escaped, and the text kept in the form", async () => {
  const bad = new URLSearchParams({ kind: "audit", json: `{"version":1,"flows":"<b>"}` }).toString();
  const r = await call(open.port, "/load", {
    method: "POST",
    body: bad,
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  assert.equal(r.status, 400);
  assert.match(r.body, /<ul class="error" id="errors"><li>error\[bad-run-json\]: pasted run: at profile: /);
  assert.ok(r.body.includes("&quot;flows&quot;:&quot;&lt;b&gt;&quot;") && !r.body.includes("<b>"));
});

test("Host headers other than loopback are refused (DNS rebinding)", async () => {
  const r = await call(open.port, "/", { headers: { host: "attacker.example:80" } });
  assert.equal(r.status, 421);
});

test("cross-site POSTs are refused", async () => {
  const r1 = await call(open.port, "/load", {
    method: "POST",
    body: "json=x",
    headers: { origin: "http://attacker.example" },
  });
  const r2 = await call(open.port, "/api/runs", {
    method: "POST",
    body: "{}",
    headers: { "sec-fetch-site": "cross-site" },
  });
  const r3 = await call(open.port, "/load", { method: "POST", body: "json=x", headers: { origin: "null" } });
  const r4 = await call(open.port, "/load", {
    method: "POST",
    body: "json=x",
    headers: { "sec-fetch-site": "same-site" },
  });
  assert.deepEqual([r1.status, r2.status, r3.status, r4.status], [403, 403, 403, 403]);
  // The dashboard's own form (Chromium: Origin null under some referrer policies, same-origin fetch).
  const own = await call(open.port, "/load", {
    method: "POST",
    body: "json=x",
    headers: { origin: "null", "sec-fetch-site": "same-origin" },
  });
  assert.equal(own.status, 400, "reaches validation");
});

test("with a token: refused without it, accepted as Bearer, traded from ?token= for a cookie", async () => {
  assert.equal((await call(locked.port, "/")).status, 401);
  assert.equal((await call(locked.port, "/", { headers: { authorization: "Bearer wrong" } })).status, 401);
  assert.equal((await call(locked.port, "/", { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
  const traded = await call(locked.port, `/flows/sip-mtls-in?token=${TOKEN}&x=1`);
  assert.equal(traded.status, 303);
  assert.equal(traded.headers.location, "/flows/sip-mtls-in?x=1");
  const cookie = (traded.headers["set-cookie"] as string[])[0] ?? "";
  assert.match(cookie, /HttpOnly; SameSite=Strict; Path=\//);
  const sneaky = await call(locked.port, `/.//attacker.example/?token=${TOKEN}`);
  assert.equal(sneaky.headers.location, "/attacker.example/", "never a redirect to another host");
  const withCookie = await call(locked.port, "/flows/sip-mtls-in", {
    headers: { cookie: cookie.split(";")[0]! },
  });
  assert.equal(withCookie.status, 200);
});

test("token comparison and listen addresses", () => {
  assert.ok(tokenMatches("abc", "abc"));
  assert.ok(!tokenMatches("abc", "abcd") && !tokenMatches("", "abc"));
  assert.deepEqual(parseListen("127.0.0.1:8080"), { ok: true, value: { host: "127.0.0.1", port: 8080 } });
  assert.deepEqual(parseListen("[::1]:0"), { ok: true, value: { host: "::1", port: 0 } });
  for (const bad of ["8080", "127.0.0.1", "[::1:80", "host:99999", "a b:1"])
    assert.ok(!parseListen(bad).ok, bad);
  assert.deepEqual(
    ["127.0.0.1", "127.8.9.10", "::1", "localhost", "0.0.0.0", "::", "198.51.100.1"].map(isLoopback),
    [true, true, true, true, false, false, false],
  );
});

test("the run list marks drift: a run whose verdicts differ from the previous run of the same label", async () => {
  const s = openStore(":memory:");
  assert.ok(s.ok);
  const own = await start(s.value);
  try {
    const noSipTls = (t: string) =>
      t.replace(
        /^access-list outside_in extended permit tcp any object edge-access object-group sip-tls\n/m,
        "",
      );
    for (const run of [realAudit(), realAudit(), realAudit(undefined, undefined, noSipTls)]) {
      const r = await call(own.port, "/api/runs", {
        method: "POST",
        body: JSON.stringify(run),
        headers: { "content-type": "application/json" },
      });
      assert.equal(r.status, 201, r.body);
    }
    const page = (await call(own.port, "/")).body;
    const drift = [...page.matchAll(/<a class="changed drift" data-drift="(\d+)" href="([^"]+)"/g)];
    assert.equal(drift.length, 1, "only run 3 changed");
    assert.equal(drift[0]![2], "/diff?a=2&amp;b=3");
    assert.match(page, /same as #1/);
    assert.match(page, /first run/);
    const api = JSON.parse((await call(own.port, "/api/runs")).body) as {
      runs: Array<{ id: number; drift: { previous: number; flows: string[] } | null }>;
    };
    assert.deepEqual(
      api.runs.map((r) => [r.id, r.drift?.previous ?? null, r.drift?.flows.length ?? null]),
      [
        [3, 2, Number(drift[0]![1])],
        [2, 1, 0],
        [1, null, null],
      ],
    );
  } finally {
    own.server.close();
    s.value.close();
  }
});
