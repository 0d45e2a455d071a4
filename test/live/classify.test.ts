/**
 * Classification through a real kernel firewall: a stand-in for messenger-clients listens on B
 * (TCP 50000-59999, UDP 3478), an nftables table in B drops TCP 50000-54999, rejects 55000-55999
 * with a TCP reset and drops UDP 3478; `probe --from edge-access --to messenger-clients` on A must
 * call every port by what the kernel did: dropped → filtered, reset → closed, accepted → open, and
 * UDP silence → filtered with --responders, open|filtered without. Without the table: all open, exit 0.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ProbeOutput, type ProbeOutputT } from "../../src/probe/result.js";
import { sh } from "../kernel/netns.js";
import { EDGE, LiveLab, liveSkip, MESSENGER, PIC, type Done, SWEEPS } from "./lab.js";

const FIREWALL = `table inet pmt_classify {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 50000-54999 drop
    tcp dport 55000-55999 reject with tcp reset
    udp dport 3478 drop
  }
}
`;

function parse(r: Done): ProbeOutputT {
  const p = ProbeOutput.safeParse(JSON.parse(r.stdout));
  assert.ok(p.success, `probe JSON breaks its contract: ${p.success ? "" : p.error.message}`);
  return p.data;
}

/** TCP port → state, and the one UDP result. */
function states(o: ProbeOutputT): { tcp: Map<number, string>; udp: ProbeOutputT["results"] } {
  const tcp = new Map<number, string>();
  for (const r of o.results) if (r.transport === "tcp") tcp.set(r.port, `${r.state} ${r.reason}`);
  return { tcp, udp: o.results.filter((r) => r.transport === "udp") };
}

const wantTcp = (port: number): string =>
  port <= 54999 ? "filtered no-response" : port <= 55999 ? "closed conn-refused" : "open syn-ack";

for (const sweep of SWEEPS)
  test(
    `probe classifies dropped, reset and accepted ports through nftables, and UDP silence by --responders (${sweep} sweep)`,
    { skip: liveSkip(["nft"]), timeout: 60_000 },
    async () => {
      const lab = new LiveLab("cls");
      lab.sweep = sweep;
      try {
        const { ready } = await lab.listen(lab.b, ["-t", PIC, "--as", "messenger-clients", "--for", "50"]);
        assert.equal(ready.bound, 10_001);
        assert.deepEqual(ready.failed, []);
        const rules = join(lab.dir, "fw.nft");
        writeFileSync(rules, FIREWALL);
        sh(["ip", "netns", "exec", lab.b, "nft", "-f", rules]);

        const probe = (extra: string[]): Promise<Done> =>
          lab.cli(lab.a, [
            "probe",
            "-t",
            PIC,
            "--from",
            "edge-access",
            "--to",
            "messenger-clients",
            "--include-retired",
            "--format",
            "json",
            "--udp-timeout",
            "200",
            ...extra,
          ]);

        const withResponders = await probe(["--responders"]);
        assert.equal(withResponders.status, 1, withResponders.stderr);
        const o = parse(withResponders);
        const { tcp, udp } = states(o);
        assert.equal(tcp.size, 10_000);
        const wrong = [...tcp].filter(([port, s]) => s !== wantTcp(port));
        assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} ports misread`);
        assert.deepEqual(o.summary.states, { filtered: 5001, closed: 1000, open: 4000 });
        assert.deepEqual(
          { total: o.summary.total, ok: o.summary.ok, failed: o.summary.failed },
          { total: 10_001, ok: 4000, failed: 6001 },
        );
        assert.equal(udp.length, 1);
        assert.deepEqual(
          [udp[0]!.port, udp[0]!.state, udp[0]!.reason, udp[0]!.ok],
          [3478, "filtered", "no-response", false],
        );
        assert.equal(o.settings?.responders, true);

        const without = await probe([]);
        assert.equal(without.status, 1, without.stderr);
        const o2 = parse(without);
        assert.deepEqual(o2.summary.states, { filtered: 5000, closed: 1000, open: 4000, "open|filtered": 1 });
        const u2 = states(o2).udp[0]!;
        assert.equal(u2.state, "open|filtered");
        assert.match(u2.detail, /silence on UDP proves nothing/);

        sh(["ip", "netns", "exec", lab.b, "nft", "delete", "table", "inet", "pmt_classify"]);
        const open = await probe(["--responders"]);
        assert.equal(open.status, 0, open.stderr);
        const o3 = parse(open);
        assert.deepEqual(o3.summary.states, { open: 10_001 });
        const u3 = states(o3).udp[0]!;
        assert.equal(u3.reason, "stun-response");
        // The stand-in saw the prober's own source address (the topology's edge-access), not another.
        assert.match(u3.stun?.mapped ?? "", new RegExp(`^${EDGE.replaceAll(".", "\\.")}:\\d+$`));
        assert.deepEqual(u3.msturn, { status: 401, realm: "portmatrix" });
        assert.ok(o3.results.every((r) => r.target === MESSENGER));
      } finally {
        await lab.close();
      }
    },
  );
