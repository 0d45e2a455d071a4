/**
 * nmap against the stand-ins: `nmap -sT` finds the SIP/TLS ports of edge-access and the first
 * hundred media ports of messenger-clients open (a port nobody serves, closed), and `nmap -sU`
 * finds UDP 3478 open because the stand-in answers nmap's own UDP payload for 3478, a STUN Binding
 * request (nmap-payloads) — a neighbouring UDP port without a listener is closed (ICMP).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { EDGE, LiveLab, liveSkip, MESSENGER, PIC, type Done } from "./lab.js";

/** port → "state reason" from nmap's XML. */
function ports(r: Done): Map<string, string> {
  assert.equal(r.status, 0, r.stderr);
  const out = new Map<string, string>();
  for (const m of r.stdout.matchAll(
    /<port protocol="(\w+)" portid="(\d+)"><state state="([^"]+)" reason="([^"]+)"/g,
  ))
    out.set(`${m[1]}/${m[2]}`, `${m[3]} ${m[4]}`);
  return out;
}

test(
  "nmap -sT and -sU see the stand-ins' ports open",
  { skip: liveSkip(["nmap"]), timeout: 60_000 },
  async () => {
    const lab = new LiveLab("nmap");
    try {
      await lab.listen(lab.a, ["-t", PIC, "--as", "edge-access", "--for", "50"]);
      await lab.listen(lab.b, ["-t", PIC, "--as", "messenger-clients", "--for", "50"]);
      const nmap = (ns: string, args: string[]): Promise<Done> =>
        lab.run(ns, ["nmap", "-n", "-Pn", "-oX", "-", ...args], 30_000);

      const tcpEdge = ports(await nmap(lab.b, ["-sT", "-p", "443,5061,5062", EDGE]));
      assert.deepEqual(Object.fromEntries(tcpEdge), {
        "tcp/443": "open syn-ack",
        "tcp/5061": "open syn-ack",
        "tcp/5062": "closed conn-refused",
      });

      const media = ports(await nmap(lab.a, ["-sT", "-p", "50000-50099", MESSENGER]));
      assert.equal(media.size, 100);
      assert.deepEqual([...new Set(media.values())], ["open syn-ack"]);

      const udp = ports(await nmap(lab.b, ["-sU", "-p", "3478,3479", EDGE]));
      assert.deepEqual(Object.fromEntries(udp), {
        "udp/3478": "open udp-response",
        "udp/3479": "closed port-unreach",
      });
    } finally {
      await lab.close();
    }
  },
);
