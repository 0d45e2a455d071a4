/**
 * Pinned source ports (the A/V Edge source rules: STUN from UDP 3478 to 3478, MS-TURN over TCP
 * from 50000-59999 to 443): probe sends from those ports, and exchanges in flight at once towards
 * several hosts share the one pinned UDP port without EADDRINUSE. Real listen stand-ins on three
 * hosts in namespace B, probe in A.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ProbeOutput } from "../../src/probe/result.js";
import { FIXTURES, LiveLab, liveSkip, SWEEPS } from "./lab.js";

const AV = join(FIXTURES, "av-source.yaml");

for (const sweep of SWEEPS)
  test(
    `pinned source ports: UDP 3478 → 3478 towards three hosts at once, TCP from the media range (${sweep} sweep)`,
    { skip: liveSkip(), timeout: 60_000 },
    async () => {
      const lab = new LiveLab("pin");
      lab.sweep = sweep;
      try {
        await lab.listen(lab.b, ["-t", AV, "--as", "any", "--for", "50"]);
        const out = join(lab.dir, "av.json");
        const r = await lab.cli(lab.a, [
          "probe",
          "-t",
          AV,
          "--from",
          "av-edge",
          "--responders",
          "--format",
          "json",
          "-o",
          out,
        ]);
        assert.equal(r.status, 0, r.stderr + readFileSync(out, "utf8"));
        const o = ProbeOutput.parse(JSON.parse(readFileSync(out, "utf8")));
        const udp = o.results.filter((x) => x.flow === "stun-udp-out");
        assert.deepEqual(
          udp.map((x) => [x.target, x.port, x.sourcePort, x.state, x.reason]).sort(),
          ["198.51.100.20", "198.51.100.30", "198.51.100.40"].map((h) => [
            h,
            3478,
            3478,
            "open",
            "stun-response",
          ]),
        );
        for (const x of udp) assert.match(x.stun?.mapped ?? "", /^203\.0\.113\.10:3478$/);
        const tcp = o.results.filter((x) => x.flow === "stun-tcp-out");
        assert.equal(tcp.length, 3);
        for (const x of tcp) {
          assert.equal(x.state, "open", x.detail);
          assert.ok(
            x.sourcePort !== undefined && x.sourcePort >= 50000 && x.sourcePort <= 59999,
            `${x.sourcePort}`,
          );
        }
      } finally {
        await lab.close();
      }
    },
  );
