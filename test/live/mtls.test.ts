/**
 * MTLS end to end: `portmatrix certs` makes a CA and a leaf; `listen --as partners` on B serves
 * SIP over MTLS on 5061 requiring a client certificate from that CA; `probe --from edge-access`
 * on A without a client certificate finds the port open, the server verified against --ca and the
 * refusal said plainly; with --cert/--key the same probe gets SIP 200 OK from the stand-in.
 */
import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ProbeOutput, type ProbeResultT } from "../../src/probe/result.js";
import { VERSION } from "../../src/shell/load.js";
import { EDGE, LiveLab, liveSkip, PARTNERS, PIC, type Done } from "./lab.js";

function only5061(r: Done): ProbeResultT {
  const p = ProbeOutput.safeParse(JSON.parse(r.stdout));
  assert.ok(p.success, r.stdout);
  assert.equal(p.data.results.length, 1);
  const x = p.data.results[0]!;
  assert.deepEqual(
    [x.flow, x.target, x.transport, x.port, x.service],
    ["sip-mtls-out", PARTNERS, "tcp", 5061, "sip-mtls"],
  );
  return x;
}

test(
  "MTLS: certs, listen --require-client-cert, probe without and with a client certificate",
  { skip: liveSkip(), timeout: 60_000 },
  async () => {
    const lab = new LiveLab("mtls");
    try {
      const pki = join(lab.dir, "pki");
      const made = await lab.cli(lab.a, ["certs", "--name", PARTNERS, "--name", EDGE, "-o", pki]);
      assert.equal(made.status, 0, made.stderr);
      for (const f of ["ca.pem", "ca-key.pem", "cert.pem", "key.pem"]) assert.ok(existsSync(join(pki, f)), f);
      assert.equal(statSync(join(pki, "key.pem")).mode & 0o777, 0o600);
      const [ca, cert, key] = ["ca.pem", "cert.pem", "key.pem"].map((f) => join(pki, f)) as [
        string,
        string,
        string,
      ];

      const { ready } = await lab.listen(lab.b, [
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
      assert.deepEqual(ready.listening, [
        { transport: "tcp", ports: "5061", service: "sip-mtls", flows: ["sip-mtls-out"] },
      ]);

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
        ca,
      ];
      const bare = await lab.cli(lab.a, base);
      assert.equal(bare.status, 0, bare.stderr);
      const refused = only5061(bare);
      assert.equal(refused.state, "open");
      assert.match(refused.detail, /client certificate required/);
      assert.equal(refused.sip, undefined, "no SIP answer without a certificate");
      assert.equal(refused.tls?.clientCertRequired, true);
      assert.equal(refused.tls?.authorized, true, refused.tls?.authorizationError);
      assert.equal(refused.tls?.subject, `CN=${PARTNERS}`);
      assert.deepEqual(refused.tls?.names, [`IP Address:${PARTNERS}`, `IP Address:${EDGE}`]);

      const withCert = await lab.cli(lab.a, [...base, "--cert", cert, "--key", key]);
      assert.equal(withCert.status, 0, withCert.stderr);
      const ok = only5061(withCert);
      assert.equal(ok.state, "open");
      assert.equal(ok.reason, "sip-response");
      assert.deepEqual(ok.sip, {
        status: 200,
        reason: "OK",
        server: `portmatrix-listen/${VERSION} (stand-in for partners)`,
      });
      assert.equal(ok.tls?.authorized, true);
      assert.equal(ok.tls?.clientCertRequired, false);
      // Seen in clear in a TLS 1.2 handshake (wire/tls.ts), not inferred from the refusal.
      assert.equal(ok.tls?.clientCertRequested, true);
    } finally {
      await lab.close();
    }
  },
);
