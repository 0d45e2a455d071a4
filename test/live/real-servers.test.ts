/**
 * probe against real TLS servers (Debian's nginx, haproxy, gnutls-serv, stunnel4, baresip) standing in for an
 * SfB Edge in namespace A, probed from "any" in B (fixtures/sfb-names.yaml) — issue 16's cases:
 *
 * - nginx (HTTPS) with a certificate from `portmatrix certs` carrying exactly the profile's names and
 *   no IP SAN: chain verified against --ca, every name verified (SNI sip.contoso.example); but it is
 *   the wrong service: the SIP rows (443, 5061) and the A/V Edge's MS-TURN 443 row fail with the
 *   reason, exit 1; `--service-check warn` downgrades the SIP rows (exit 0).
 * - nginx, TLS 1.3 only, client certificate optional: the request is encrypted and nothing refuses
 *   us: read from the handshake decrypted with our own key log.
 * - baresip (a SIP user agent) with SIP over TLS on 443: it answers OPTIONS (404): the SIP row passes.
 * - haproxy, TLS 1.2 only, client certificate required, wrong names on 5061: the handshake is refused,
 *   yet the certificate and the CertificateRequest were read on the wire: required, names missing.
 * - gnutls-serv, TLS 1.2, --require-client-cert (GnuTLS's own refusal): requested and required.
 * - stunnel, TLS 1.3, requireCert: the CertificateRequest is encrypted — read with our own key log;
 *   the refusal (alert 116) comes after the handshake: required.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ProbeOutput, type ProbeOutputT, type ProbeResultT } from "../../src/probe/result.js";
import { FIXTURES, LiveLab, liveSkip } from "./lab.js";

const SFB = join(FIXTURES, "sfb-names.yaml");
const EDGE = "203.0.113.10";
const NAMES = [
  "sip.contoso.example",
  "webcon.contoso.example",
  "sip.fabrikam.example",
  "xmpp.contoso.example",
];

async function pki(
  lab: LiveLab,
  dir: string,
  names: string[],
): Promise<{ ca: string; cert: string; key: string }> {
  const out = join(lab.dir, dir);
  const r = await lab.cli(lab.b, ["certs", ...names.flatMap((n) => ["--name", n]), "-o", out]);
  assert.equal(r.status, 0, r.stderr);
  return { ca: join(out, "ca.pem"), cert: join(out, "cert.pem"), key: join(out, "key.pem") };
}

async function probe(
  lab: LiveLab,
  to: string,
  ca: string,
  extra: string[] = [],
): Promise<{ status: number | null; out: ProbeOutputT; row: (port: number) => ProbeResultT }> {
  const file = join(lab.dir, `probe-${to}-${Math.random().toString(36).slice(2)}.json`);
  const r = await lab.cli(lab.b, [
    "probe",
    "-t",
    SFB,
    "--from",
    "any",
    "--to",
    to,
    "--ca",
    ca,
    "--format",
    "json",
    "-o",
    file,
    ...extra,
  ]);
  assert.ok(r.status === 0 || r.status === 1, `${r.status}: ${r.stderr}`);
  const out = ProbeOutput.parse(JSON.parse(readFileSync(file, "utf8")));
  const row = (port: number): ProbeResultT => {
    const x = out.results.find((y) => y.transport === "tcp" && y.port === port);
    assert.ok(x, `no tcp ${port} row: ${JSON.stringify(out.results)}`);
    return x;
  };
  return { status: r.status, out, row };
}

const cert = (c: { cert: string; key: string }): string =>
  `ssl_certificate ${c.cert}; ssl_certificate_key ${c.key};`;

/** nginx (one process, in the foreground) serving HTTPS with these server directives; its command. */
function nginx(lab: LiveLab, name: string, server: string[]): string[] {
  const dir = join(lab.dir, `nginx-${name}`);
  mkdirSync(dir);
  const conf = join(dir, "nginx.conf");
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((t) => `${t}_temp_path ${dir};`)
    .join(" ");
  writeFileSync(
    conf,
    `pid ${dir}/nginx.pid;\nevents { worker_connections 64; }\nhttp {\n  access_log off; ${temp}\n  server {\n    ${server.join("\n    ")}\n    location / { return 200 "hello\\n"; }\n  }\n}\n`,
  );
  return ["nginx", "-e", "stderr", "-p", dir, "-c", conf, "-g", "daemon off; master_process off;"];
}

/** Starts a server in A, waits for its port, runs `body`, stops the server. */
async function serving(lab: LiveLab, cmd: string[], port: number, body: () => Promise<void>): Promise<void> {
  const child = lab.start(lab.a, cmd);
  try {
    const t0 = Date.now();
    // Whatever address it binds (gnutls-serv: the wildcard): something listens on the port.
    while ((await lab.run(lab.a, ["ss", "-Hntl", "sport", "=", `:${port}`], 5_000)).stdout.trim() === "") {
      if (child.exitCode !== null || Date.now() - t0 > 10_000)
        throw new Error(`${cmd[0]} did not bind ${port}: ${child.out()}${child.err()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await body();
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once("exit", resolve)));
  }
}

test(
  "real servers: names verified as a client would, the wrong service fails, MTLS judged from the wire",
  { skip: liveSkip(["nginx", "haproxy", "gnutls-serv", "stunnel4", "baresip"]), timeout: 90_000 },
  async () => {
    const lab = new LiveLab("real");
    try {
      const good = await pki(lab, "good", [...NAMES, "*.contoso.example"]);
      const wrong = await pki(lab, "wrong", ["www.example.org"]);
      const ca = good.ca;

      // nginx: HTTPS on both SIP ports, a CA-signed certificate with the profile's names and no IP SAN.
      await serving(
        lab,
        nginx(lab, "https", [`listen ${EDGE}:443 ssl; listen ${EDGE}:5061 ssl;`, cert(good)]),
        443,
        async () => {
          const sip = await probe(lab, "access-edge", ca);
          assert.equal(sip.status, 1);
          for (const port of [443, 5061]) {
            const x = sip.row(port);
            assert.equal(x.state, "open");
            // §1: verified by name, as openssl s_client -verify_hostname does.
            assert.equal(x.tls?.authorized, true, x.tls?.authorizationError);
            assert.equal(x.tls?.servername, "sip.contoso.example");
            assert.deepEqual(
              x.tls?.hostnames,
              NAMES.map((name) => ({ name, verified: true })),
            );
            assert.deepEqual(x.certificate?.missing, []);
            assert.ok(!x.tls!.names.some((n) => n.startsWith("IP")), "no IP SAN");
            // §6: an HTTPS server is not SIP.
            assert.equal(x.ok, false, x.detail);
            assert.match(x.detail, /^wrong service: expected /);
          }
          assert.deepEqual(sip.row(443).serviceCheck, {
            expected: "sip-response",
            answered: false,
            mode: "fail",
          });
          assert.match(sip.row(443).detail, /\(chain verified, 4 names verified\)/);
          assert.match(sip.row(443).detail, /not a SIP response: .*"HTTP\/1\.1 400 Bad Request"/);
          assert.deepEqual(sip.row(5061).serviceCheck, {
            expected: "client-cert-request",
            answered: false,
            mode: "fail",
          });
          assert.equal(sip.row(5061).tls?.clientCertRequested, false);

          const av = await probe(lab, "av-edge", ca);
          const turn = av.row(443);
          assert.equal(turn.service, "msturn-tcp");
          assert.equal(turn.ok, false, turn.detail);
          assert.equal(turn.serviceCheck?.answered, false);

          const warn = await probe(lab, "access-edge", ca, ["--service-check", "warn"]);
          assert.equal(warn.status, 0, JSON.stringify(warn.out.results));
          assert.match(warn.row(443).detail, /^warning: wrong service/);
        },
      );

      // nginx again, TLS 1.3 only, a client certificate asked for but optional: the request travels
      // encrypted and nothing refuses us — only the decrypted handshake can tell.
      await serving(
        lab,
        nginx(lab, "tls13", [
          `listen ${EDGE}:5061 ssl; ssl_protocols TLSv1.3;`,
          cert(good),
          `ssl_verify_client optional; ssl_client_certificate ${ca};`,
        ]),
        5061,
        async () => {
          const x = (await probe(lab, "access-edge", ca)).row(5061);
          assert.equal(x.tls?.version, "TLSv1.3");
          assert.equal(x.tls?.handshakeCompleted, true);
          assert.equal(x.tls?.clientCertRequested, true, "read from the decrypted handshake");
          assert.equal(x.tls?.clientCertRequired, false);
          assert.deepEqual(x.serviceCheck, { expected: "client-cert-request", answered: true, mode: "fail" });
          assert.equal(x.ok, true, x.detail);
        },
      );

      // baresip, a real SIP user agent: SIP over TLS on 443 (its TLS port is sip_listen's + 1). It
      // answers OPTIONS 404 (no account): a SIP response, so the SIP row passes the service check.
      const bs = join(lab.dir, "baresip");
      mkdirSync(bs);
      writeFileSync(
        join(bs, "combined.pem"),
        readFileSync(good.cert, "utf8") + readFileSync(good.key, "utf8"),
      );
      writeFileSync(join(bs, "accounts"), "");
      writeFileSync(
        join(bs, "config"),
        `sip_listen ${EDGE}:442\nsip_certificate ${bs}/combined.pem\nsip_cafile ${ca}\nmodule_path /usr/lib/baresip/modules\n`,
      );
      await serving(lab, ["baresip", "-f", bs], 443, async () => {
        const x = (await probe(lab, "access-edge", ca)).row(443);
        assert.equal(x.reason, "sip-response");
        assert.match(x.sip?.server ?? "", /^baresip v/);
        assert.deepEqual(x.serviceCheck, { expected: "sip-response", answered: true, mode: "fail" });
        assert.deepEqual(x.certificate?.missing, []);
        assert.equal(x.tls?.authorized, true, x.tls?.authorizationError);
        assert.equal(x.ok, true, x.detail);
      });

      // haproxy: TLS 1.2 only, client certificate required, the wrong names on 5061 (§2).
      const hp = join(lab.dir, "haproxy");
      mkdirSync(hp);
      writeFileSync(
        join(hp, "wrong.pem"),
        readFileSync(wrong.cert, "utf8") + readFileSync(wrong.key, "utf8"),
      );
      writeFileSync(
        join(hp, "haproxy.cfg"),
        `defaults
  mode tcp
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend sip
  bind ${EDGE}:5061 ssl crt ${hp}/wrong.pem ca-file ${ca} verify required ssl-max-ver TLSv1.2
  default_backend nowhere
backend nowhere
  server none 127.0.0.1:9
`,
      );
      await serving(lab, ["haproxy", "-db", "-f", join(hp, "haproxy.cfg")], 5061, async () => {
        const x = (await probe(lab, "access-edge", ca)).row(5061);
        assert.equal(x.state, "open");
        assert.equal(x.tls?.handshakeCompleted, false, "the handshake was refused");
        assert.equal(x.tls?.version, "TLSv1.2");
        assert.equal(x.tls?.subject, "CN=www.example.org");
        assert.equal(x.tls?.clientCertRequested, true);
        assert.equal(x.tls?.clientCertRequired, true);
        assert.equal(x.tls?.authorized, false, "signed by another CA");
        assert.deepEqual(x.certificate?.missing, [...NAMES, "*.contoso.example"]);
        assert.equal(x.ok, false);
        assert.match(x.detail, /certificate lacks sip\.contoso\.example/);
        assert.match(
          x.detail,
          /\(chain unverified: UNABLE_TO_GET_ISSUER_CERT_LOCALLY, names not verified: sip\.contoso\.example, /,
        );
      });

      // gnutls-serv: TLS 1.2, a client certificate required; GnuTLS refuses in its own way (§3).
      await serving(
        lab,
        [
          "gnutls-serv",
          "--port",
          "5061",
          "--x509certfile",
          good.cert,
          "--x509keyfile",
          good.key,
          "--x509cafile",
          ca,
          "--require-client-cert",
          "--priority",
          "NORMAL:-VERS-TLS1.3",
        ],
        5061,
        async () => {
          const x = (await probe(lab, "access-edge", ca)).row(5061);
          assert.equal(x.tls?.version, "TLSv1.2");
          assert.equal(x.tls?.clientCertRequested, true);
          assert.equal(x.tls?.clientCertRequired, true, x.detail);
          assert.deepEqual(x.certificate?.missing, []);
          assert.equal(x.tls?.authorized, true, x.tls?.authorizationError);
          assert.equal(x.ok, true, x.detail);
        },
      );

      // stunnel: TLS 1.3, requireCert: the request is encrypted, the refusal comes after the handshake.
      const st = join(lab.dir, "stunnel.conf");
      writeFileSync(
        st,
        `foreground = yes
pid =
[sip]
accept = ${EDGE}:5061
connect = 127.0.0.1:9
cert = ${good.cert}
key = ${good.key}
CAfile = ${ca}
requireCert = yes
verifyChain = yes
sslVersionMin = TLSv1.3
`,
      );
      await serving(lab, ["stunnel4", st], 5061, async () => {
        const x = (await probe(lab, "access-edge", ca)).row(5061);
        assert.equal(x.tls?.version, "TLSv1.3");
        assert.equal(x.tls?.clientCertRequested, true, "read from the decrypted handshake");
        assert.equal(x.tls?.clientCertRequired, true, x.detail);
        assert.deepEqual(x.certificate?.missing, []);
        assert.equal(x.ok, true, x.detail);
      });
    } finally {
      await lab.close();
    }
  },
);
