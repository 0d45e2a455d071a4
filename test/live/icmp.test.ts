/**
 * What a real kernel's ICMP says, read right (issue 16 §4, §5). The prober in A has both families,
 * the media host in B (fixtures/icmp.yaml); nftables in B:
 *
 * - IPv6 TCP 50000-50049 rejected with port unreachable, 50050-50099 with administratively
 *   prohibited. Linux tells a connecting socket only at the SYN's first retransmission (~1 s): the
 *   sweep's 300 ms would say filtered; they must be closed (conn-refused) and filtered
 *   (admin-prohibited, not "local-firewall"). IPv4 TCP (no listener, RST): closed.
 * - UDP 40000-40299 rejected in both families; B's IPv4 ICMP rate limit at the kernel default
 *   (1 s per destination after a burst), IPv6's and the global budget switched off: IPv6 all closed; IPv4 a few closed and
 *   the rest silent — said as "ICMP rate-limited: N proven closed, M silent", never plain filtered.
 *   STUN 3478 (nothing there: port unreachable) is probed before the ranges: closed in both families.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ProbeOutput, type ProbeResultT } from "../../src/probe/result.js";
import { sh } from "../kernel/netns.js";
import { FIXTURES, LiveLab, liveSkip, SWEEPS } from "./lab.js";

const TOPOLOGY = join(FIXTURES, "icmp.yaml");
const FIREWALL = `table inet pmt_icmp {
  chain input {
    type filter hook input priority 0; policy accept;
    meta nfproto ipv6 tcp dport 50000-50049 reject with icmpv6 port-unreachable
    meta nfproto ipv6 tcp dport 50050-50099 reject with icmpv6 admin-prohibited
    udp dport 40000-40299 reject
  }
}
`;

for (const sweep of SWEEPS)
  test(
    `ICMP: IPv6 rejects closed without waiting for filtered, admin-prohibited named, UDP rate limiting said (${sweep} sweep)`,
    { skip: liveSkip(["nft"]), timeout: 60_000 },
    async () => {
      const lab = new LiveLab("icmp");
      lab.sweep = sweep;
      try {
        sh(["ip", "-n", lab.a, "addr", "add", "2001:db8::10/64", "dev", "eth0", "nodad"]);
        sh(["ip", "-n", lab.b, "addr", "add", "2001:db8::20/64", "dev", "eth0", "nodad"]);
        sh(["ip", "netns", "exec", lab.b, "sysctl", "-qw", "net.ipv4.icmp_ratelimit=1000"]);
        sh(["ip", "netns", "exec", lab.b, "sysctl", "-qw", "net.ipv6.icmp.ratelimit=0"]);
        // The global ICMP budget (both families, burst 50) out of the way: only the per-destination
        // IPv4 limit stays.
        sh(["ip", "netns", "exec", lab.b, "sysctl", "-qw", "net.ipv4.icmp_msgs_per_sec=100000"]);
        sh(["ip", "netns", "exec", lab.b, "sysctl", "-qw", "net.ipv4.icmp_msgs_burst=100000"]);
        const rules = join(lab.dir, "fw.nft");
        writeFileSync(rules, FIREWALL);
        sh(["ip", "netns", "exec", lab.b, "nft", "-f", rules]);

        const file = join(lab.dir, "out.json");
        const t0 = Date.now();
        const r = await lab.cli(lab.a, [
          "probe",
          "-t",
          TOPOLOGY,
          "--from",
          "edge",
          "--udp-confirm",
          "1000",
          "--format",
          "json",
          "-o",
          file,
        ]);
        const took = Date.now() - t0;
        assert.equal(r.status, 1, r.stderr);
        const out = ProbeOutput.parse(JSON.parse(readFileSync(file, "utf8")));
        const pick = (transport: string, target: string, from: number, to: number): ProbeResultT[] =>
          out.results.filter(
            (x) => x.transport === transport && x.target === target && x.port >= from && x.port <= to,
          );
        const tally = (xs: ProbeResultT[]): Record<string, number> => {
          const n: Record<string, number> = {};
          for (const x of xs) n[`${x.state} ${x.reason}`] = (n[`${x.state} ${x.reason}`] ?? 0) + 1;
          return n;
        };

        // §4: IPv6 TCP.
        assert.deepEqual(tally(pick("tcp", "2001:db8::20", 50000, 50049)), { "closed conn-refused": 50 });
        assert.deepEqual(tally(pick("tcp", "2001:db8::20", 50050, 50099)), {
          "filtered admin-prohibited": 50,
        });
        assert.deepEqual(tally(pick("tcp", "198.51.100.20", 50000, 50099)), { "closed conn-refused": 100 });

        // §5: STUN 3478 first, so never starved by the range's ICMP budget.
        for (const target of ["198.51.100.20", "2001:db8::20"])
          assert.deepEqual(tally(pick("udp", target, 3478, 3478)), { "closed port-unreach": 1 }, target);
        assert.deepEqual(tally(pick("udp", "2001:db8::20", 40000, 40299)), { "closed port-unreach": 300 });
        const v4 = pick("udp", "198.51.100.20", 40000, 40299);
        const closed = v4.filter((x) => x.state === "closed").length;
        const silent = v4.filter((x) => x.reason === "icmp-rate-limited");
        assert.ok(closed >= 1 && closed < 300, `${closed} closed`);
        assert.equal(closed + silent.length, 300, JSON.stringify(tally(v4)));
        for (const x of silent) {
          assert.equal(x.state, "open|filtered");
          assert.match(
            x.detail,
            new RegExp(`^ICMP rate-limited: ${closed} proven closed, ${300 - closed} silent`),
          );
        }
        // Bounded: the UDP schedule (3.5 s), the IPv6 confirmation (1.3 s) and --udp-confirm 1 s.
        assert.ok(took < 20_000, `${took} ms`);
      } finally {
        await lab.close();
      }
    },
  );
