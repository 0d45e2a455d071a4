/**
 * A topology's own warnings (here: management open to every address, acknowledged with
 * managementFromAnywhere) are printed, located, by every command that reads the topology — not by
 * compile alone: the operator who audits or probes is the one who must see them.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { topologyText } from "../compile/injection-check.js";
import { runCli } from "./run-cli.js";

test("topology warnings: audit, probe and listen print the acknowledged open management", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-topowarn-"));
  try {
    const text = topologyText("host", "eth0", ["any"]) + "managementFromAnywhere: true\n";
    const topo = join(dir, "topology.yaml");
    writeFileSync(topo, text);
    // At the list item `- any` under `management:`.
    const line = text.split("\n").findIndex((l) => l.startsWith("management:")) + 2;
    const located = new RegExp(
      `${topo.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:${line}:\\d+: warning\\[open-management\\]`,
    );
    const compiled = runCli(["compile", "-t", topo, "--target", "nftables", "-o", join(dir, "r.nft")]);
    assert.equal(compiled.status, 0, compiled.stderr);
    assert.match(compiled.stderr, located);

    const audited = runCli(["audit", "-t", topo, "-r", join(dir, "r.nft"), "--format", "json"]);
    assert.equal(audited.status, 0, audited.stderr);
    assert.match(audited.stderr, located);
    assert.doesNotThrow(() => JSON.parse(audited.stdout), "stdout stays the JSON contract");

    // Probe and listen print it before anything else they decide (here: an endpoint that is not one).
    const probed = runCli(["probe", "-t", topo, "--from", "no-such-endpoint"]);
    assert.equal(probed.status, 2, probed.stderr);
    assert.match(probed.stderr, located);
    const listened = runCli(["listen", "-t", topo, "--as", "no-such-endpoint"]);
    assert.equal(listened.status, 2, listened.stderr);
    assert.match(listened.stderr, located);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("topology warnings: management wider than a /8 (IPv4) or a /32 (IPv6) is a located warning", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-topowarn-"));
  try {
    const topo = join(dir, "topology.yaml");
    const wide = topologyText("host", "eth0", ["0.0.0.0/1", "198.51.100.0/28", "2000::/3"]);
    writeFileSync(topo, wide);
    const r = runCli(["compile", "-t", topo, "--target", "nftables"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      /warning\[wide-management\]: management admits more IPv4 addresses than a \/8 \(0\.0\.0\.0\/1, /,
    );
    assert.match(
      r.stderr,
      /warning\[wide-management\]: management admits more IPv6 addresses than a \/32 \(2000::\/3\)/,
    );
    // A /8 itself and the usual admin networks say nothing.
    writeFileSync(topo, topologyText("host", "eth0", ["10.0.0.0/8", "2001:db8::/32"]));
    const quiet = runCli(["compile", "-t", topo, "--target", "nftables"]);
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.doesNotMatch(quiet.stderr, /wide-management/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
