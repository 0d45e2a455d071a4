/**
 * The firewalld reader against firewalld itself: each configuration under test/fixtures/firewalld
 * is loaded by the real firewalld 1.3.3 in a namespace of its own (firewalld-real.ts), and the
 * ruleset it put into the kernel (`nft list ruleset`, read by the nftables reader) is audited beside
 * our reading of the same files. Every flow's verdict, blocked packets and certainty, and every
 * exposure finding's packets, direction, certainty and chain, rule by rule (firewalld-judged.ts),
 * must be the same — for a topology
 * with two named interfaces (peers anywhere, and peers in their own networks: the reverse-path
 * check decided from the routes) and for a dual-stack one without; a router's configuration
 * (`perimeter`: zones forwarding, policies between them) for two perimeter topologies.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { audit } from "../../src/audit/audit.js";
import { readFirewalld } from "../../src/parse/firewalld.js";
import { readNftablesJson } from "../../src/parse/nftables-json.js";
import { readNftablesText } from "../../src/parse/nftables-text.js";
import { firewalldDirectory } from "../../src/shell/files.js";
import { loadTopology } from "../../src/shell/load.js";
import { ROOT } from "../cli/run-cli.js";
import { judged, perRule } from "./firewalld-judged.js";
import { firewalldSkipReason, realFirewalldRuleset } from "./firewalld-real.js";

const skip = firewalldSkipReason();
const DIR = join(ROOT, "test/fixtures/firewalld");
const CONFIGS = [
  "basic",
  "zones",
  "rich",
  "targets",
  "policies-zones",
  "policies-default",
  "zone-sources",
  "nat",
  "perimeter",
];

/** The topologies each configuration is audited for: a host's three, a router's two (perimeter). */
const TOPOLOGIES: Record<string, string[]> = {
  perimeter: [join(DIR, "perimeter.yaml"), join(ROOT, "examples/seed-perimeter.yaml")],
};
const HOST_TOPOLOGIES = ["topology.yaml", "dual-stack.yaml", "routed.yaml"].map((t) => join(DIR, t));

for (const config of CONFIGS)
  test(`firewalld reader = firewalld 1.3.3 itself: ${config}`, { skip }, async () => {
    const dir = join(DIR, config);
    const files = firewalldDirectory(dir)!.map((file) => ({ file, text: readFileSync(file, "utf8") }));
    const ours = readFirewalld(files);
    assert.deepEqual(
      ours.diagnostics.filter((d) => d.severity === "error"),
      [],
    );
    const real = await realFirewalldRuleset(dir);
    const theirs = readNftablesText(real.ruleset, "nft list ruleset");
    assert.deepEqual(
      theirs.diagnostics.filter((d) => d.severity === "error"),
      [],
    );
    // And what `audit --live` reads on that host: the JSON listing (family tests restored).
    const live = readNftablesJson(real.live, "kernel (nft -j list ruleset)");
    assert.deepEqual(
      live.diagnostics.filter((d) => d.severity === "error"),
      [],
    );
    for (const topo of TOPOLOGIES[config] ?? HOST_TOPOLOGIES) {
      const t = loadTopology(topo, "2026-12-03");
      assert.ok(t.ok);
      const a = judged(audit(t.value.bound, [perRule(ours)]));
      const b = judged(audit(t.value.bound, [perRule(theirs)]));
      assert.deepEqual(a, b, `${config} with ${topo}`);
      assert.deepEqual(judged(audit(t.value.bound, [perRule(live)])), a, `${config} with ${topo}, --live`);
    }
  });
