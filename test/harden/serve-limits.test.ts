/**
 * `serve` under abuse, with real sockets, inside a network namespace made for the test (loopback
 * only): silent connections past the connection cap are closed within the header timeout and the
 * dashboard answers afterwards; a bind on 127.0.0.2 answers for Host 127.0.0.2 (was 421); a malformed
 * token cookie is a 400 and a POST cut short leaves no stack trace in the log. Issue #15.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CLI, ROOT } from "../cli/run-cli.js";
import { LIMITS } from "../../src/web/serve.js";

const skip = process.getuid?.() !== 0 ? "needs root (a network namespace); CI runs as root" : false;
const TOKEN = "harden-token-0123456789";
const SILENT = LIMITS.maxConnections + 100;

/** Runs in the namespace: every check against the server at 127.0.0.2:port, one JSON line out. */
const CLIENT = `
const net = require("node:net"), http = require("node:http");
const [port, silent, token] = [Number(process.argv[1]), Number(process.argv[2]), process.argv[3]];
const host = "127.0.0.2";
const get = (headers) => new Promise((res) => {
  const r = http.get({ host, port, path: "/", headers: { Host: host + ":" + port, ...headers }, agent: false }, (m) => { m.resume(); res(m.statusCode); });
  r.on("error", (e) => res(e.code)); r.setTimeout(3000, () => r.destroy());
});
(async () => {
  const out = {};
  const t0 = Date.now();
  let closed = 0, lastClose = 0;
  for (let i = 0; i < silent; i++) {
    const s = net.connect(port, host);
    s.on("error", () => {});
    s.on("close", () => { closed++; lastClose = Date.now() - t0; });
  }
  const deadline = Date.now() + ${LIMITS.idleMs + 8000};
  while (closed < silent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  out.closed = closed; out.allClosedMs = lastClose;
  out.after = await get({ Authorization: "Bearer " + token });
  out.noToken = await get({});
  out.badCookie = await get({ Cookie: "portmatrix_token=%E0%A4%A" });
  out.otherHost = await get({ Authorization: "Bearer " + token, Host: "evil.example:" + port });
  // A POST that promises 1000 bytes, sends 10 and hangs up.
  await new Promise((res) => {
    const s = net.connect(port, host, () => {
      s.write("POST /api/runs HTTP/1.1\\r\\nHost: " + host + ":" + port + "\\r\\nAuthorization: Bearer " + token + "\\r\\nContent-Type: application/json\\r\\nContent-Length: 1000\\r\\n\\r\\n{\\"version\\"");
      setTimeout(() => { s.destroy(); res(); }, 300);
    });
    s.on("error", res);
  });
  await new Promise((r) => setTimeout(r, 300));
  out.afterAbort = await get({ Authorization: "Bearer " + token });
  console.log(JSON.stringify(out));
})();
`;

test(
  "serve: silent connections are closed, the dashboard answers; Host of the bound address; 400s, no stacks",
  { skip },
  async () => {
    const ns = `pm-harden-serve-${process.pid}`;
    const dir = mkdtempSync(join(tmpdir(), "pm-harden-s-"));
    execFileSync("ip", ["netns", "add", ns]);
    try {
      execFileSync("ip", ["-n", ns, "link", "set", "lo", "up"]);
      const server = spawn(
        "ip",
        [
          "netns",
          "exec",
          ns,
          process.execPath,
          CLI,
          "serve",
          "--db",
          join(dir, "runs.sqlite"),
          "--listen",
          "127.0.0.2:0",
          "--token",
          TOKEN,
        ],
        { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
      );
      let stdout = "";
      let stderr = "";
      server.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
      try {
        const port = await new Promise<number>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`serve printed no address: ${stdout}${stderr}`)),
            15_000,
          );
          server.stdout.on("data", (b: Buffer) => {
            stdout += b.toString();
            const m = /http:\/\/127\.0\.0\.2:(\d+)\//.exec(stdout);
            if (m) {
              clearTimeout(timer);
              resolve(Number(m[1]));
            }
          });
          server.on("exit", (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
        });
        const out = JSON.parse(
          execFileSync(
            "ip",
            ["netns", "exec", ns, process.execPath, "-e", CLIENT, String(port), String(SILENT), TOKEN],
            {
              encoding: "utf8",
              timeout: 60_000,
            },
          ),
        ) as Record<string, number | string>;
        assert.equal(out.closed, SILENT, "every silent connection closed by the server");
        assert.ok(Number(out.allClosedMs) <= LIMITS.idleMs + 3000, `closed after ${out.allClosedMs} ms`);
        assert.equal(out.after, 200, "the dashboard answers once they are gone");
        assert.equal(out.noToken, 401);
        assert.equal(out.badCookie, 400, "a malformed token cookie");
        assert.equal(out.otherHost, 421, "another Host is still refused");
        assert.equal(out.afterAbort, 200);
      } finally {
        // SIGHUP (the terminal closed) stops it as SIGINT and SIGTERM do.
        server.kill("SIGHUP");
        await new Promise((r) => (server.exitCode !== null ? r(null) : server.once("exit", r)));
      }
      assert.equal(server.exitCode, 0, `serve after SIGHUP: ${stderr}`);
      assert.doesNotMatch(stderr, /internal error|\n\s+at /, stderr);
    } finally {
      execFileSync("ip", ["netns", "del", ns]);
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
