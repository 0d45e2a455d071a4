/**
 * Certificate names (SfB Edge external, with the topology's sipDomains): listen's generated
 * certificate carries the profile's names, and probe finds them all; a certificate without them
 * (made by `portmatrix certs` for one name) makes the TLS results fail with the missing names listed
 * and probe exit 1. listen in namespace A as access-edge, probe from "any" in B.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ProbeOutput, type ProbeOutputT } from "../../src/probe/result.js";
import { FIXTURES, LiveLab, liveSkip } from "./lab.js";

const SFB = join(FIXTURES, "sfb-names.yaml");
const NAMES = [
  "sip.contoso.example",
  "webcon.contoso.example",
  "sip.fabrikam.example",
  "xmpp.contoso.example",
  "*.contoso.example",
];

async function probe(lab: LiveLab, file: string): Promise<{ status: number | null; out: ProbeOutputT }> {
  const out = join(lab.dir, file);
  const r = await lab.cli(lab.b, [
    "probe",
    "-t",
    SFB,
    "--from",
    "any",
    "--to",
    "access-edge",
    "--format",
    "json",
    "-o",
    out,
  ]);
  return { status: r.status, out: ProbeOutput.parse(JSON.parse(readFileSync(out, "utf8"))) };
}

test(
  "certificate names: listen presents the profile's names; a certificate without them fails the TLS ports",
  { skip: liveSkip(), timeout: 60_000 },
  async () => {
    const lab = new LiveLab("names");
    try {
      const first = await lab.listen(lab.a, ["-t", SFB, "--as", "access-edge", "--for", "50"]);
      const good = await probe(lab, "good.json");
      const tlsGood = good.out.results.filter((x) => x.tls !== undefined);
      assert.deepEqual(tlsGood.map((x) => x.port).sort(), [443, 5061]);
      for (const x of tlsGood) {
        assert.deepEqual(x.certificate, { expected: NAMES, missing: [] }, x.detail);
        assert.ok(x.ok, x.detail);
        assert.ok(x.tls!.names.includes("DNS:sip.contoso.example"));
      }
      assert.equal(good.status, 0, JSON.stringify(good.out.results.filter((x) => !x.ok)));
      first.child.kill("SIGTERM");
      await new Promise((resolve) => first.child.once("exit", resolve));

      const pki = join(lab.dir, "pki");
      const made = await lab.cli(lab.a, ["certs", "--name", "sip.contoso.example", "-o", pki]);
      assert.equal(made.status, 0, made.stderr);
      await lab.listen(lab.a, [
        "-t",
        SFB,
        "--as",
        "access-edge",
        "--for",
        "50",
        "--cert",
        join(pki, "cert.pem"),
        "--key",
        join(pki, "key.pem"),
      ]);
      const bad = await probe(lab, "bad.json");
      assert.equal(bad.status, 1);
      const tlsBad = bad.out.results.filter((x) => x.tls !== undefined);
      assert.equal(tlsBad.length, 2);
      for (const x of tlsBad) {
        assert.equal(x.state, "open");
        assert.equal(x.ok, false);
        assert.deepEqual(x.certificate!.missing, NAMES.slice(1));
        assert.match(
          x.detail,
          /certificate lacks webcon\.contoso\.example, sip\.fabrikam\.example, xmpp\.contoso\.example, \*\.contoso\.example/,
        );
      }
    } finally {
      await lab.close();
    }
  },
);
