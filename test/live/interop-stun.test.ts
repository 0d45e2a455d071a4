/**
 * STUN with real peers. The classic `stun` client (stun-client 0.97, an RFC 3489 client: no magic
 * cookie, CHANGE-REQUEST in its tests) against the stand-in's UDP 3478 must get its mapped address
 * and call the path "Open", as it does against coturn (RFC 5389 §12.2: a server answers an RFC 3489
 * client with MAPPED-ADDRESS). And our probe against coturn's `turnserver --stun-only` must find
 * UDP 3478 open with the mapped address coturn saw.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { ProbeOutput } from "../../src/probe/result.js";
import { EDGE, LiveLab, liveSkip, MESSENGER, PIC } from "./lab.js";

const IP = (s: string): string => s.replaceAll(".", "\\.");

test(
  "stun client against listen's UDP 3478: mapped address, Primary: Open",
  { skip: liveSkip(["stun"]), timeout: 60_000 },
  async () => {
    const lab = new LiveLab("stunc");
    try {
      await lab.listen(lab.a, ["-t", PIC, "--as", "edge-access", "--for", "50"]);
      // -i picks the client's address in B (it has three); the client exits with its NAT type code.
      const r = await lab.run(lab.b, ["stun", EDGE, "-v", "-i", MESSENGER], 30_000);
      const out = r.stdout + r.stderr;
      assert.match(out, new RegExp(`MappedAddress = ${IP(MESSENGER)}:\\d+`), out);
      assert.match(out, /^test I = 1$/m, out);
      assert.match(out, /^Primary: Open/m, out);
    } finally {
      await lab.close();
    }
  },
);

test(
  "probe against coturn --stun-only: UDP 3478 open with the mapped address",
  { skip: liveSkip(["turnserver"]), timeout: 60_000 },
  async () => {
    const lab = new LiveLab("coturn");
    try {
      lab.start(lab.a, [
        "turnserver",
        "-n",
        "--stun-only",
        "-L",
        EDGE,
        "-p",
        "3478",
        "--no-cli",
        "--no-tls",
        "--no-dtls",
        "--log-file",
        "stdout",
        "--simple-log",
        "--pidfile",
        join(lab.dir, "turnserver.pid"),
        "--userdb",
        join(lab.dir, "turndb"),
      ]);
      await lab.bound(lab.a, "udp", EDGE, 3478);
      const r = await lab.cli(lab.b, [
        "probe",
        "-t",
        PIC,
        "--from",
        "messenger-clients",
        "--to",
        "edge-access",
        "--include-retired",
        "--responders",
        "--format",
        "json",
      ]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const o = ProbeOutput.parse(JSON.parse(r.stdout));
      assert.equal(o.results.length, 1);
      const u = o.results[0]!;
      assert.deepEqual(
        [u.flow, u.transport, u.port, u.state, u.reason],
        ["stun-udp-in", "udp", 3478, "open", "stun-response"],
      );
      assert.match(u.stun?.mapped ?? "", new RegExp(`^${IP(MESSENGER)}:\\d+$`));
      // coturn is no A/V Edge: it does not answer the MS-TURN Allocate, and the probe says so.
      assert.equal(u.msturn, undefined);
      assert.match(u.detail, /no MS-TURN answer/);
    } finally {
      await lab.close();
    }
  },
);
