/**
 * compile --target firewalld against firewalld itself: the zone and policy portmatrix writes are
 * loaded by the real firewalld 1.3.3 (firewalld-real.ts: its own network namespace, a private D-Bus),
 * which must accept them (state RUNNING, no ERROR line), and the ruleset it put into the kernel must
 * audit exactly as our reading of the same files does — every flow allowed, nothing exposed beyond
 * the matrix — rule by rule (firewalld-judged.ts), with options and without, IPv4 and dual-stack.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { audit } from "../../src/audit/audit.js";
import { TARGETS } from "../../src/compile/index.js";
import { makePlan } from "../../src/compile/plan.js";
import { readFirewalld } from "../../src/parse/firewalld.js";
import { readNftablesText } from "../../src/parse/nftables-text.js";
import { loadTopology } from "../../src/shell/load.js";
import { ROOT } from "../cli/run-cli.js";
import { judged, perRule } from "./firewalld-judged.js";
import { firewalldSkipReason, realFirewalldRuleset } from "./firewalld-real.js";

const skip = firewalldSkipReason();

const CASES: Array<{ name: string; topology: string; options?: string; dropRetired: boolean }> = [
  { name: "seed host", topology: "examples/seed-host.yaml", dropRetired: true },
  {
    name: "seed host with the site's rules, retired rows kept",
    topology: "examples/seed-host-site.yaml",
    dropRetired: false,
  },
  {
    name: "reject both ways, log, another name",
    topology: "examples/seed-host.yaml",
    options: '{reject: [in, out], log: {rate: 10/minute, prefix: "pm drop: "}, name: edge_fw}',
    dropRetired: true,
  },
  { name: "dual-stack", topology: "test/fixtures/firewalld/dual-stack.yaml", dropRetired: true },
  {
    name: "a zone and a policy per interface",
    topology: "test/fixtures/firewalld/ipv4.yaml",
    dropRetired: true,
  },
  {
    name: "a zone and a policy per interface, dual-stack, routes decided",
    topology: "test/fixtures/firewalld/routed.yaml",
    dropRetired: false,
  },
  // A router: a zone per interface, a policy per pair of zones a flow crosses.
  { name: "a perimeter, dual-stack", topology: "examples/seed-perimeter.yaml", dropRetired: true },
  {
    name: "a perimeter, retired rows kept, rejecting",
    topology: "test/fixtures/firewalld/perimeter.yaml",
    options: "{reject: [forward]}",
    dropRetired: false,
  },
];

for (const c of CASES)
  test(`compile --target firewalld, loaded by firewalld 1.3.3 itself: ${c.name}`, { skip }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "pm-fwd-compile-"));
    try {
      let topology = join(ROOT, c.topology);
      if (c.options) {
        topology = join(dir, "topology.yaml");
        writeFileSync(topology, `${readFileSync(join(ROOT, c.topology), "utf8")}compile: ${c.options}\n`);
      }
      const t = loadTopology(topology, "2026-12-03");
      assert.ok(t.ok);
      const plan = makePlan(t.value.bound, { dropRetired: c.dropRetired });
      assert.ok(plan.ok);
      const out = TARGETS.firewalld.compile(plan.plan);
      assert.ok(out.ok);
      const config = join(dir, "etc");
      mkdirSync(join(config, "zones"), { recursive: true });
      mkdirSync(join(config, "policies"), { recursive: true });
      // The host's own firewalld.conf, as Debian ships it: the default zone public (ssh open),
      // which our zone must take every packet from.
      const files = [
        {
          file: join(config, "firewalld.conf"),
          text: readFileSync(join(ROOT, "test/fixtures/firewalld/basic/firewalld.conf"), "utf8"),
        },
        ...out.files.map((f) => ({ file: join(config, f.suffix), text: f.text })),
      ];
      for (const f of files) writeFileSync(f.file, f.text);
      const fw = t.value.bound.firewall;
      const real = await realFirewalldRuleset(config, {
        interfaces:
          fw.kind === "host" ? (fw.interfaces ?? []).map((i) => i.name) : fw.zones.map((z) => z.interface),
      });
      assert.equal(real.state, "RUNNING", real.log);
      assert.deepEqual(real.errors, [], real.log);
      const theirs = readNftablesText(real.ruleset, "nft list ruleset");
      assert.deepEqual(
        theirs.diagnostics.filter((d) => d.severity === "error"),
        [],
      );
      const ours = readFirewalld(files);
      assert.deepEqual(ours.diagnostics, []);
      const a = audit(t.value.bound, [perRule(ours)]);
      const b = audit(t.value.bound, [perRule(theirs)]);
      assert.deepEqual(judged(a), judged(b));
      // And what firewalld loaded passes the matrix (IPv4 throughout; dual-stack, what firewalld's
      // own IPv6 rules refuse is the reader's test, test/compile/firewalld-target.test.ts).
      for (const f of b.flows.filter((f) => !f.retired || !c.dropRetired))
        for (const x of f.blocked)
          for (const p of x.packets) assert.doesNotMatch(p, /any4|\d+\.\d+\.\d+\.\d+/, `${f.id}: ${p}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
