/**
 * The site's own rules (issue 17, topology `site:`): endpoints and flows beside the vendor's rows,
 * compiled and audited like them and marked as the site's in the JSON outputs; bad site sections
 * are located errors. The live proof (listen and probe in namespaces) is in test/lab/lab.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { audit } from "../../src/audit/audit.js";
import { TARGETS } from "../../src/compile/index.js";
import { makePlan } from "../../src/compile/plan.js";
import { READERS } from "../../src/parse/index.js";
import { planProbe } from "../../src/probe/plan.js";
import { loadTopology } from "../../src/shell/load.js";
import { ROOT, runCli } from "../cli/run-cli.js";

const SITE = join(ROOT, "examples", "seed-host-site.yaml");
const SITE_FLOWS = ["site-dns-udp", "site-dns-tcp", "site-ntp", "site-winrm"];

test("site: flows compile into every host target and audit as allowed, marked as the site's", () => {
  const t = loadTopology(SITE);
  assert.ok(t.ok, JSON.stringify(!t.ok && t.diagnostics));
  const plan = makePlan(t.value.bound, { dropRetired: true });
  assert.ok(plan.ok);
  assert.deepEqual(
    plan.plan.rules.filter((r) => r.flowId.startsWith("site-")).map((r) => [r.flowId, r.direction]),
    [
      ["site-dns-udp", "out"],
      ["site-dns-tcp", "out"],
      ["site-ntp", "out"],
      ["site-winrm", "in"],
    ],
  );
  const nft = TARGETS.nftables.compile(plan.plan);
  assert.ok(nft.ok);
  const text = nft.files[0]!.text;
  assert.match(
    text,
    /ip saddr 203\.0\.113\.10\/32 ip daddr @dns_servers_v4 udp dport 53 accept comment "site site-dns-udp"/,
  );
  assert.match(
    text,
    /ip saddr 198\.51\.100\.200\/32 ip daddr 203\.0\.113\.10\/32 tcp dport 5986 accept comment "site site-winrm"/,
  );
  for (const id of ["windows", "pf", "aws", "azure", "iptables"] as const) {
    const r = TARGETS[id].compile(plan.plan);
    assert.ok(r.ok, id);
    assert.match(r.files[0]!.text, /site-winrm/, id);
  }
  const report = audit(t.value.bound, [READERS["nftables-text"](text, "site.nft")]);
  const site = report.flows.filter((f) => f.origin === "site");
  assert.deepEqual(
    site.map((f) => [f.id, f.verdict]),
    SITE_FLOWS.map((id) => [id, "allowed"]),
  );
  assert.ok(report.flows.filter((f) => f.origin === undefined).length >= 3);
  assert.deepEqual(report.exposure, []);
  // Without the site's rules the same firewall blocks them (the audit can fail).
  const vendorOnly = text
    .split("\n")
    .filter((l) => !l.includes('comment "site '))
    .join("\n");
  const cut = audit(t.value.bound, [READERS["nftables-text"](vendorOnly, "vendor.nft")]);
  assert.deepEqual(
    cut.flows.filter((f) => f.origin === "site").map((f) => f.verdict),
    SITE_FLOWS.map(() => "blocked"),
  );
});

test("site: probe plans the site's flows like the vendor's, marked as the site's", () => {
  const t = loadTopology(SITE);
  assert.ok(t.ok);
  const plan = planProbe(t.value.bound, "edge-access", { includeRetired: false, maxHosts: 16 });
  assert.ok(plan.ok);
  assert.deepEqual(
    plan.plan.targets.filter((x) => x.origin === "site").map((x) => `${x.flow} ${x.address}`),
    [
      "site-dns-udp 198.51.100.53",
      "site-dns-udp 198.51.100.54",
      "site-dns-tcp 198.51.100.53",
      "site-dns-tcp 198.51.100.54",
      "site-ntp 198.51.100.123",
    ],
  );
});

test("site: show marks the site's rows; show JSON carries origin: site", () => {
  const r = runCli(["show", "-t", SITE]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Site\/NTP\/UDP\/123 +Edge Server Access interface +ntp-server +\[site\] Time/);
  const j = JSON.parse(runCli(["show", "-t", SITE, "--format", "json"]).stdout) as {
    flows: Array<{ id: string; origin?: string }>;
  };
  assert.deepEqual(
    j.flows.filter((f) => f.origin === "site").map((f) => f.id),
    SITE_FLOWS,
  );
});

test("site: bad site sections are located errors, one line each, exit 2", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-site-"));
  try {
    const base = readFileSync(SITE, "utf8");
    const bad = base
      .replace("ntp-server: 198.51.100.123", "ntp-server: 198.51.100.123\n    partners: 198.51.100.9")
      .replace("id: site-ntp,", "id: sip-mtls-in,")
      .replace("from: monitoring, to: edge-access", "from: monitors, to: edge-access")
      .replace("ports: 5986", "ports: 70000");
    const path = join(dir, "bad.yaml");
    writeFileSync(path, bad);
    const r = runCli(["show", "-t", path]);
    assert.equal(r.status, 2, r.stderr);
    const errors = r.stderr.split("\n").filter((l) => l.includes("error["));
    const want = [
      /bad\.yaml:17:5: error\[duplicate-id\]: site endpoint "partners" is also an endpoint of profile "lync2013-public-im"/,
      /bad\.yaml:22:12: error\[duplicate-id\]: site flow id "sip-mtls-in" is already a flow/,
      /bad\.yaml:23:\d+: error\[unknown-endpoint\]: site flow site-winrm: "monitors" is no endpoint of the profile or the site/,
      /bad\.yaml:23:\d+: error\[invalid-port\]/,
    ];
    assert.equal(errors.length, want.length, r.stderr);
    for (const w of want)
      assert.ok(
        errors.some((l) => w.test(l)),
        `${w} in\n${r.stderr}`,
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
