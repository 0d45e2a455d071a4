/**
 * A long --udp-confirm proves every rejected UDP port closed (issue 21): the target's kernel answers
 * port unreachable in a burst, then about once a second per destination (icmp_ratelimit 1000 ms), so
 * the first pass proves a few and the paced re-probes, each port still silent going back in line,
 * prove the rest at the kernel's pace — what nmap -sU gets by waiting, only when asked for.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ProbeOutput } from "../../src/probe/result.js";
import { sh } from "../kernel/netns.js";
import { EDGE, LiveLab, liveSkip, PARTNERS } from "./lab.js";

const PROFILE = `id: pmt-udp-confirm
title: UDP confirm (test fixture)
product: portmatrix tests
sources:
  fixture:
    title: test/live fixture
    url: https://example.invalid/fixture
endpoints:
  edge:
    name: Prober
    kind: server
  media:
    name: Media host
flows:
  - id: udp-range
    role: A/V
    protocol: RTP
    transport: udp
    ports: 40000-40019
    from: edge
    to: media
`;

test(
  "UDP: a long --udp-confirm proves every rejected port closed at the kernel's ICMP pace",
  { skip: liveSkip(["nft"]), timeout: 90_000 },
  async () => {
    const lab = new LiveLab("udpconfirm");
    try {
      writeFileSync(join(lab.dir, "profile.yaml"), PROFILE);
      const topology = join(lab.dir, "topology.yaml");
      writeFileSync(
        topology,
        `profile: ./profile.yaml\nendpoints:\n  edge: ${EDGE}\n  media: ${PARTNERS}\nfirewall: {kind: host, host: edge}\n`,
      );
      sh(["ip", "netns", "exec", lab.b, "sysctl", "-qw", "net.ipv4.icmp_ratelimit=1000"]);
      sh(
        ["ip", "netns", "exec", lab.b, "nft", "-f", "-"],
        "table inet pmt_confirm {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    udp dport 40000-40019 reject\n  }\n}\n",
      );
      const file = join(lab.dir, "out.json");
      const t0 = Date.now();
      const r = await lab.cli(
        lab.a,
        ["probe", "-t", topology, "--from", "edge", "--udp-confirm", "60000", "--format", "json", "-o", file],
        80_000,
      );
      const took = Date.now() - t0;
      const out = ProbeOutput.parse(JSON.parse(readFileSync(file, "utf8")));
      const states = out.results.map((x) => `${x.port} ${x.state} ${x.reason}`);
      assert.equal(out.results.length, 20, r.stderr);
      assert.deepEqual(
        states.filter((x) => !x.endsWith("closed port-unreach")),
        [],
      );
      // Some needed the re-probes (the burst is 6), and it ended once all were proven, not at 60 s.
      assert.ok(out.results.some((x) => x.detail.includes("paced re-probe")));
      assert.ok(took < 45_000, `${took} ms`);
    } finally {
      await lab.close();
    }
  },
);
