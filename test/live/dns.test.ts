/**
 * `portmatrix dns` against a real DNS server (dnsmasq) in a namespace: the SfB 2015 Edge external
 * records of fixtures/sfb-names.yaml (two SIP domains, XMPP on), right for contoso.example and with
 * three mistakes for fabrikam.example (an SRV with the wrong port, an A record with a foreign
 * address, a missing A record). dnsmasq in A on 203.0.113.53, the CLI in B.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DnsOutput } from "../../src/dns/check.js";
import { FIXTURES, LiveLab, liveSkip } from "./lab.js";
import { sh } from "../kernel/netns.js";

const SFB = join(FIXTURES, "sfb-names.yaml");
const DNS = "203.0.113.53";
const EDGE = "203.0.113.10";

function records(): string[] {
  const out: string[] = [];
  for (const d of ["contoso.example", "fabrikam.example"]) {
    const fab = d === "fabrikam.example";
    out.push(
      `--srv-host=_sip._tls.${d},sip.${d},443,0,100`,
      `--srv-host=_sipfederationtls._tcp.${d},sip.${d},${fab ? 5062 : 5061},0,100`,
      `--srv-host=_xmpp-server._tcp.${d},xmpp.${d},5269,0,100`,
      `--host-record=sip.${d},${EDGE}`,
      `--host-record=xmpp.${d},${EDGE}`,
      `--host-record=av.${d},${fab ? "203.0.113.99" : EDGE}`,
      `--local=/${d}/`,
    );
    if (!fab) out.push(`--host-record=webcon.${d},${EDGE}`);
  }
  return out;
}

test(
  "dns: records checked against dnsmasq — right ones ok, a wrong SRV port, a foreign address and a missing record fail",
  { skip: liveSkip(["dnsmasq"]), timeout: 60_000 },
  async () => {
    const lab = new LiveLab("dns");
    try {
      sh(["ip", "-n", lab.a, "addr", "add", `${DNS}/24`, "dev", "eth0"]);
      lab.start(lab.a, [
        "dnsmasq",
        "--keep-in-foreground",
        "--conf-file=/dev/null",
        "--no-resolv",
        "--no-hosts",
        "--pid-file=",
        "--bind-interfaces",
        `--listen-address=${DNS}`,
        "--port=53",
        ...records(),
      ]);
      await lab.bound(lab.a, "udp", DNS, 53);

      const file = join(lab.dir, "dns.json");
      const r = await lab.cli(lab.b, ["dns", "-t", SFB, "--server", DNS, "--format", "json", "-o", file]);
      assert.equal(r.status, 1, r.stderr);
      const out = DnsOutput.parse(JSON.parse(readFileSync(file, "utf8")));
      assert.deepEqual(out.domains, ["contoso.example", "fabrikam.example"]);
      const state = Object.fromEntries(out.records.map((x) => [`${x.type} ${x.name}`, x.state]));
      assert.deepEqual(state, {
        "SRV _sip._tls.contoso.example": "ok",
        "SRV _sip._tls.fabrikam.example": "ok",
        "SRV _sipfederationtls._tcp.contoso.example": "ok",
        "SRV _sipfederationtls._tcp.fabrikam.example": "wrong",
        "A sip.contoso.example": "ok",
        "A sip.fabrikam.example": "ok",
        "A webcon.contoso.example": "ok",
        "A webcon.fabrikam.example": "missing",
        "A av.contoso.example": "ok",
        "A av.fabrikam.example": "wrong",
        "SRV _xmpp-server._tcp.contoso.example": "ok",
        "SRV _xmpp-server._tcp.fabrikam.example": "ok",
        "A xmpp.contoso.example": "ok",
        "A xmpp.fabrikam.example": "ok",
      });
      assert.deepEqual(out.summary, {
        records: 14,
        ok: 11,
        failed: 3,
        states: { ok: 11, wrong: 2, missing: 1 },
      });
      const fed = out.records.find((x) => x.name === "_sipfederationtls._tcp.fabrikam.example")!;
      assert.deepEqual(fed.answers, ["0 100 5062 sip.fabrikam.example"]);
      assert.match(fed.detail, /no answer points at sip\.fabrikam\.example:5061/);
      const sip = out.records.find((x) => x.name === "_sip._tls.contoso.example")!;
      assert.deepEqual(sip.resolved, [{ name: "sip.contoso.example", addresses: [EDGE] }]);
      assert.match(
        out.records.find((x) => x.name === "av.fabrikam.example")!.detail,
        /203\.0\.113\.99, not an address of av-edge \(203\.0\.113\.10\)/,
      );

      const table = await lab.cli(lab.b, ["dns", "-t", SFB, "--server", DNS]);
      assert.equal(table.status, 1);
      assert.match(
        table.stdout,
        /^FAIL\s+A\s+webcon\.fabrikam\.example\s+203\.0\.113\.10\s+missing\s+no A record/m,
      );
      assert.match(table.stdout, /11 of 14 records right \(11 ok, 2 wrong, 1 missing\)/);

      const junit = await lab.cli(lab.b, ["dns", "-t", SFB, "--server", DNS, "--format", "junit"]);
      assert.equal(junit.status, 1);
      assert.match(junit.stdout, /<testsuites tests="14" failures="3" skipped="0">/);
      assert.match(
        junit.stdout,
        /<testcase name="A webcon\.fabrikam\.example" classname="dns\.external">\s*<failure message="missing: no A record/,
      );

      // A server that is not there: an environment problem, said once.
      const none = await lab.cli(lab.b, [
        "dns",
        "-t",
        SFB,
        "--server",
        "203.0.113.54",
        "--timeout",
        "300",
        "--tries",
        "1",
      ]);
      assert.equal(none.status, 3, none.stderr);
      assert.match(
        none.stderr,
        /^error\[dns-server\]: the DNS server \(203\.0\.113\.54\) answered none of the 14 queries/m,
      );
    } finally {
      await lab.close();
    }
  },
);
