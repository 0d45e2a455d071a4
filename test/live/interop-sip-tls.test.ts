/**
 * SIP over MTLS with real peers. `openssl s_client` against the stand-in's 5061 (listen
 * --require-client-cert): with the client certificate from `portmatrix certs` an OPTIONS written by
 * hand is answered 200 OK; without one the server refuses with alert 116 "certificate required"
 * (TLS 1.3) or a handshake failure (TLS 1.2); with one from another CA, alert 48 unknown_ca. And our probe against kamailio (tls module on 5061,
 * OPTIONS answered by sl_send_reply) gets kamailio's own 200 OK and Server header.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ProbeOutput } from "../../src/probe/result.js";
import { EDGE, LiveLab, liveSkip, PARTNERS, PIC, waitFor } from "./lab.js";

async function pki(lab: LiveLab): Promise<{ ca: string; cert: string; key: string }> {
  const dir = join(lab.dir, "pki");
  const r = await lab.cli(lab.a, ["certs", "--name", PARTNERS, "--name", EDGE, "-o", dir]);
  assert.equal(r.status, 0, r.stderr);
  return { ca: join(dir, "ca.pem"), cert: join(dir, "cert.pem"), key: join(dir, "key.pem") };
}

const OPTIONS = [
  `OPTIONS sip:${PARTNERS}:5061;transport=tls SIP/2.0`,
  `Via: SIP/2.0/TLS ${EDGE}:5061;branch=z9hG4bK-pmt-openssl`,
  "Max-Forwards: 70",
  "From: <sip:probe@edge-access.invalid>;tag=pmt1",
  `To: <sip:${PARTNERS}>`,
  "Call-ID: openssl-1@portmatrix",
  "CSeq: 1 OPTIONS",
  "Content-Length: 0",
  "",
  "",
].join("\r\n");

test(
  "openssl s_client against listen's MTLS 5061: 200 OK with a client certificate, refused without",
  { skip: liveSkip(["openssl"]), timeout: 60_000 },
  async () => {
    const lab = new LiveLab("ossl");
    try {
      const { ca, cert, key } = await pki(lab);
      await lab.listen(lab.b, [
        "-t",
        PIC,
        "--as",
        "partners",
        "--for",
        "50",
        "--cert",
        cert,
        "--key",
        key,
        "--ca",
        ca,
        "--require-client-cert",
      ]);
      const connect = [
        "openssl",
        "s_client",
        "-connect",
        `${PARTNERS}:5061`,
        "-CAfile",
        ca,
        "-verify_return_error",
        "-quiet",
      ];

      // -quiet keeps the connection after our input ends (-ign_eof): wait for the answer, then stop it.
      const client = lab.start(lab.a, [...connect, "-cert", cert, "-key", key]);
      client.stdin!.end(OPTIONS);
      const answer = await waitFor(
        client,
        () => (/\r\n\r\n/.test(client.out()) ? client.out() : undefined),
        10_000,
        "SIP answer",
      );
      assert.match(answer, /^SIP\/2\.0 200 OK\r\n/);
      assert.match(answer, /\r\nCall-ID: openssl-1@portmatrix\r\n/);
      assert.match(answer, /\r\nServer: portmatrix-listen\/[^\r]+ \(stand-in for partners\)\r\n/);

      const tls13 = await lab.run(lab.a, connect, 15_000, OPTIONS);
      assert.notEqual(tls13.status, 0);
      assert.match(tls13.stderr, /alert certificate required.*SSL alert number 116/);
      assert.doesNotMatch(tls13.stdout, /SIP\/2\.0/);

      const tls12 = await lab.run(lab.a, [...connect, "-tls1_2"], 15_000, OPTIONS);
      assert.notEqual(tls12.status, 0);
      assert.match(tls12.stderr, /alert handshake failure.*SSL alert number 40/);

      // A client certificate from another CA: the TLS alert unknown_ca (48), not a bare close —
      // in clear under TLS 1.2, sealed under the server's application secret under TLS 1.3.
      const other = join(lab.dir, "other");
      const made = await lab.cli(lab.a, ["certs", "--name", EDGE, "-o", other]);
      assert.equal(made.status, 0, made.stderr);
      const untrusted = [...connect, "-cert", join(other, "cert.pem"), "-key", join(other, "key.pem")];
      for (const version of ["-tls1_3", "-tls1_2"]) {
        const r = await lab.run(lab.a, [...untrusted, version], 15_000, OPTIONS);
        assert.notEqual(r.status, 0, version);
        assert.match(r.stderr, /alert unknown ca.*SSL alert number 48/, `${version}: ${r.stderr}`);
        assert.doesNotMatch(r.stdout, /SIP\/2\.0/);
      }
    } finally {
      await lab.close();
    }
  },
);

function kamailioConfig(dir: string, files: { ca: string; cert: string; key: string }): string {
  const tls = join(dir, "tls.cfg");
  writeFileSync(
    tls,
    [
      "[server:default]",
      "method = TLSv1.2+",
      "verify_certificate = yes",
      "require_certificate = yes",
      `private_key = ${files.key}`,
      `certificate = ${files.cert}`,
      `ca_list = ${files.ca}`,
      "",
    ].join("\n"),
  );
  const cfg = join(dir, "kamailio.cfg");
  writeFileSync(
    cfg,
    [
      "#!KAMAILIO",
      "debug=2",
      "log_stderror=yes",
      "children=1",
      "tcp_children=1",
      "enable_tls=yes",
      "auto_aliases=no",
      `listen=tls:${PARTNERS}:5061`,
      'loadmodule "tls.so"',
      'loadmodule "sl.so"',
      `modparam("tls", "config", "${tls}")`,
      "request_route {",
      '  if (method=="OPTIONS") { sl_send_reply("200", "OK"); exit; }',
      '  sl_send_reply("405", "Method Not Allowed");',
      "}",
      "",
    ].join("\n"),
  );
  return cfg;
}

test(
  "probe against kamailio's TLS 5061: SIP 200 OK with kamailio's Server header",
  { skip: liveSkip(["kamailio"]), timeout: 60_000 },
  async () => {
    const lab = new LiveLab("kam");
    try {
      const files = await pki(lab);
      const cfg = kamailioConfig(lab.dir, files);
      lab.start(lab.b, [
        "kamailio",
        "-DD",
        "-E",
        "-f",
        cfg,
        "-P",
        join(lab.dir, "kamailio.pid"),
        "-Y",
        lab.dir,
      ]);
      await lab.bound(lab.b, "tcp", PARTNERS, 5061);
      const base = [
        "probe",
        "-t",
        PIC,
        "--from",
        "edge-access",
        "--to",
        "partners",
        "--format",
        "json",
        "--ca",
        files.ca,
      ];
      const r = await lab.cli(lab.a, [...base, "--cert", files.cert, "--key", files.key]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const x = ProbeOutput.parse(JSON.parse(r.stdout)).results[0]!;
      assert.deepEqual(
        [x.port, x.state, x.reason, x.sip?.status, x.sip?.reason],
        [5061, "open", "sip-response", 200, "OK"],
      );
      assert.match(x.sip?.server ?? "", /^kamailio \(\d+\.\d+/);
      assert.equal(x.tls?.authorized, true);
      assert.equal(x.tls?.clientCertRequested, true);

      const bare = await lab.cli(lab.a, base);
      const y = ProbeOutput.parse(JSON.parse(bare.stdout)).results[0]!;
      assert.equal(y.state, "open");
      assert.equal(y.tls?.clientCertRequired, true, y.detail);
      assert.equal(y.sip, undefined);
    } finally {
      await lab.close();
    }
  },
);
