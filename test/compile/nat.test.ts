/**
 * Static 1:1 NAT in the topology (issue 17): the `nat:` checks with their places in the file, the
 * compiled DNAT and SNAT, the audit of flows from outside against the public address through the
 * ruleset's own NAT (all allowed with it, inbound blocked without it), the probe's targets, show,
 * and the lab's STUN comparison. Pure and fast; the live proof is in test/lab/lab.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { audit, exitCode } from "../../src/audit/audit.js";
import { TARGETS } from "../../src/compile/index.js";
import { makePlan } from "../../src/compile/plan.js";
import { natCheck } from "../../src/lab/result.js";
import { READERS } from "../../src/parse/index.js";
import { planProbe } from "../../src/probe/plan.js";
import { loadTopology } from "../../src/shell/load.js";
import { ROOT, runCli } from "../cli/run-cli.js";

const NAT_TOPOLOGY = join(ROOT, "examples", "catalog", "lync2013-edge-single-nat.yaml");
const PUBLIC = {
  "203.0.113.210": "198.51.100.210",
  "203.0.113.220": "198.51.100.220",
  "203.0.113.230": "198.51.100.230",
};

function bound() {
  const t = loadTopology(NAT_TOPOLOGY);
  assert.ok(t.ok, JSON.stringify(!t.ok && t.diagnostics));
  return t.value.bound;
}

function nftables(): string {
  const plan = makePlan(bound(), { dropRetired: false });
  assert.ok(plan.ok);
  const r = TARGETS.nftables.compile(plan.plan);
  assert.ok(r.ok);
  return r.files[0]!.text;
}

test("nat: the compiled nftables output holds a DNAT and an SNAT per public address", () => {
  const text = nftables();
  for (const [priv, pub] of Object.entries(PUBLIC)) {
    assert.match(text, new RegExp(`iifname != "eth1" ip daddr ${pub} dnat ip to ${priv} `));
    assert.match(text, new RegExp(`oifname != "eth1" ip saddr ${priv} snat ip to ${pub} `));
  }
  assert.match(text, /type nat hook prerouting priority dstnat; policy accept;/);
  assert.match(text, /type nat hook postrouting priority srcnat; policy accept;/);
});

test("nat: the audit sends outside flows to the public address, through the ruleset's NAT", () => {
  const t = bound();
  const text = nftables();
  const withNat = audit(t, [READERS["nftables-text"](text, "nat.nft")]);
  assert.deepEqual(
    withNat.flows.filter((f) => f.verdict !== "allowed").map((f) => f.id),
    [],
    JSON.stringify(withNat.flows, null, 1),
  );
  assert.deepEqual(withNat.exposure, []);
  // Symmetric NAT: every flow leaving the DMZ is SNAT-ed to its public address; without the
  // postrouting chain the audit says so (and exits 1) though every flow is still allowed.
  const leaving = withNat.flows.filter((f) => f.snat);
  assert.deepEqual(
    leaving.map((f) => [f.id, f.snat!.ok]),
    t.flows.filter((f) => f.active && f.to === "any").map((f) => [f.id, true]),
  );
  const noSnat = audit(t, [
    READERS["nftables-text"](text.slice(0, text.indexOf("\n\tchain postrouting {")) + "\n}\n", "no-snat.nft"),
  ]);
  assert.deepEqual(
    noSnat.flows.filter((f) => f.snat?.ok === false).map((f) => f.id),
    leaving.map((f) => f.id),
  );
  assert.ok(noSnat.flows.every((f) => f.verdict === "allowed"));
  assert.equal(exitCode(noSnat), 1);
  assert.equal(exitCode(withNat), 0);
  // The same filter rules without the NAT chains: every flow from outside is blocked (it is
  // addressed to the public address, which only the DNAT brings to the private one).
  const cut = text.slice(0, text.indexOf("\t# static NAT")) + "}\n";
  const without = audit(t, [READERS["nftables-text"](cut, "no-nat.nft")]);
  const inbound = t.flows.filter((f) => f.active && f.from === "any").map((f) => f.id);
  assert.ok(inbound.length >= 8);
  for (const f of without.flows)
    assert.equal(f.verdict, inbound.includes(f.id) ? "blocked" : "allowed", f.id);
});

test("nat: iptables, ASA and pf render the NAT in their own idioms", () => {
  const plan = makePlan(bound(), { dropRetired: false });
  assert.ok(plan.ok);
  const text = (id: "iptables" | "cisco-asa" | "pf") => {
    const r = TARGETS[id].compile(plan.plan);
    assert.ok(r.ok);
    return r.files[0]!.text;
  };
  assert.match(
    text("iptables"),
    /^-A PREROUTING ! -i eth1 -d 198\.51\.100\.230\/32 .* -j DNAT --to-destination 203\.0\.113\.230$/m,
  );
  assert.match(
    text("iptables"),
    /^-A POSTROUTING ! -o eth1 -s 203\.0\.113\.230\/32 .* -j SNAT --to-source 198\.51\.100\.230$/m,
  );
  assert.match(
    text("cisco-asa"),
    /^object network pm-nat-av-edge-v4\n description .*\n host 203\.0\.113\.230\n nat \(eth1,any\) static 198\.51\.100\.230$/m,
  );
  // pf translates before filtering: the packet leaving by eth0 already has the public source.
  const pf = text("pf");
  assert.match(pf, /^binat on eth0 inet from 203\.0\.113\.230 to any -> 198\.51\.100\.230 /m);
  assert.match(pf, /^pass out quick on eth0 inet proto udp from 198\.51\.100\.230 to any port 3478 /m);
  assert.match(pf, /^pass in quick on eth0 inet proto udp from any to 203\.0\.113\.230\/32 port 3478 /m);
});

test("nat: probes from outside target the public address; the edge's own probes leave from its private one", () => {
  const t = bound();
  const fromAny = planProbe(t, "any", { includeRetired: false, maxHosts: 16 });
  assert.ok(fromAny.ok);
  assert.deepEqual(
    [...new Set(fromAny.plan.targets.map((x) => x.address))].sort(),
    Object.values(PUBLIC).sort(),
  );
  const fromEdge = planProbe(t, "av-edge", { includeRetired: false, maxHosts: 16 });
  assert.ok(fromEdge.ok);
  assert.equal(fromEdge.plan.sources[4], "203.0.113.230");
});

test("nat: show -t prints the private and the public address; JSON carries both", () => {
  const r = runCli(["show", "-t", NAT_TOPOLOGY]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /203\.0\.113\.230 \(NAT: public 198\.51\.100\.230\)/);
  const j = runCli(["show", "-t", NAT_TOPOLOGY, "--format", "json"]);
  const doc = JSON.parse(j.stdout) as {
    topology: { nat: Record<string, string[]> };
    flows: Array<{ id: string; public?: { to?: string[] } }>;
  };
  assert.deepEqual(doc.topology.nat["av-edge"], ["198.51.100.230"]);
  assert.deepEqual(doc.flows.find((f) => f.id === "stun-udp-in")!.public, { to: ["198.51.100.230"] });
});

test("nat: the lab's STUN check wants the public address, and an answer", () => {
  const pair = { endpoint: "av-edge", private: "203.0.113.230", public: "198.51.100.230" };
  const r = (mapped: string) => ({ stun: { mapped } }) as unknown as Parameters<typeof natCheck>[1][number];
  assert.equal(natCheck(pair, [r("198.51.100.230:40000")]).ok, true);
  assert.equal(natCheck(pair, [r("203.0.113.230:40000")]).ok, false);
  assert.equal(natCheck(pair, []).ok, false);
  assert.equal(natCheck({ ...pair, public: "2001:db8::30" }, [r("[2001:db8::30]:3478")]).ok, true);
});

/** Each problem of a nat: section, said once with its place and what was expected. */
test("nat: bad nat sections are located errors, exit 2, one line each", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-nat-"));
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const base = readFileSync(NAT_TOPOLOGY, "utf8");
  try {
    const cases: Array<[string, string, RegExp[]]> = [
      [
        "missing.yaml",
        base.replace(/^nat: .*\n/m, ""),
        [
          /missing\.yaml:5:10: error\[nat-required\]: the profile's advisory nat-symmetric says the edge is behind NAT/,
        ],
      ],
      [
        "bad.yaml",
        base.replace(
          /^nat: .*$/m,
          "nat: {xmpp-proxy: 198.51.100.211, access-edge: 198.51.100.210, webconf-edge: 203.0.113.230, av-edge: 198.51.100.0/24, nobody: 198.51.100.9}",
        ),
        [
          /bad\.yaml:7:48: error\[nat-address\]: nat: access-edge's address 203\.0\.113\.210 is already translated to 198\.51\.100\.211/,
          /bad\.yaml:7:78: error\[nat-address\]: nat: 203\.0\.113\.230 is endpoint av-edge's own address/,
          /bad\.yaml:7:102: error\[invalid-address\]: nat: "198\.51\.100\.0\/24" is not one host address/,
          /bad\.yaml:7:119: error\[unknown-endpoint\]: nat: the profile has no endpoint "nobody"/,
        ],
      ],
      [
        "host.yaml",
        base.replace(/^firewall:\n(  .*\n)+/m, "firewall: {kind: host, host: access-edge}\n"),
        [/host\.yaml:7:1: error\[nat-firewall\]: static NAT is done by a perimeter firewall/],
      ],
      [
        "hlb.yaml",
        readFileSync(join(ROOT, "examples", "catalog", "sfb2015-edge-hlb-external.yaml"), "utf8").replace(
          /^firewall:/m,
          "nat: {av-edge-vip: 198.51.100.99}\nfirewall:",
        ),
        [/hlb\.yaml:\d+:1: error\[nat-forbidden\]: the profile's advisory hlb-public-no-nat rules NAT out/],
      ],
    ];
    for (const [name, text, want] of cases) {
      const r = runCli(["show", "-t", write(name, text)]);
      assert.equal(r.status, 2, `${name}: ${r.stderr}`);
      const errors = r.stderr.split("\n").filter((l) => l.includes("error["));
      assert.equal(errors.length, want.length, `${name}: ${r.stderr}`);
      for (const w of want)
        assert.ok(
          errors.some((l) => w.test(l)),
          `${name}: ${w} in\n${r.stderr}`,
        );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
