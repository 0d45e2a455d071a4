/**
 * compile --target ufw against ufw itself: the script of ufw commands portmatrix writes is run by
 * the real ufw 0.36.2 (its python CLI, then ufw-init: ufw-real.ts, a network and a mount namespace
 * of its own) on a freshly installed ufw, which must take every command (exit 0). What ufw then
 * holds — its files, read by our ufw reader — and what it loaded into the kernel (iptables-save)
 * must audit alike, rule by rule: every flow of the matrix allowed, and nothing exposed beyond it
 * but ufw's own before rules (ICMP, DHCP client, mDNS, UPnP: before.rules as ufw ships it), IPv4 and
 * dual-stack, with options and without, with the host's interfaces named.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { audit } from "../../src/audit/audit.js";
import { TARGETS } from "../../src/compile/index.js";
import { makePlan } from "../../src/compile/plan.js";
import { readIp6tablesSave, readIptablesSave } from "../../src/parse/iptables-save.js";
import type { ParsedRuleset } from "../../src/parse/reader.js";
import { readUfw } from "../../src/parse/ufw.js";
import { loadTopology } from "../../src/shell/load.js";
import { ROOT } from "../cli/run-cli.js";
import { realUfwCommands, ufwSkipReason } from "./ufw-real.js";

const skip = ufwSkipReason();
const DEFAULTS = readFileSync(join(ROOT, "test/fixtures/ufw/default-ufw"), "utf8");

const CASES: Array<{ name: string; topology: string; options?: string; dropRetired: boolean }> = [
  { name: "seed host", topology: "examples/seed-host.yaml", dropRetired: true },
  {
    name: "seed host with the site's rules, retired rows kept",
    topology: "examples/seed-host-site.yaml",
    dropRetired: false,
  },
  {
    name: "reject both ways, log",
    topology: "examples/seed-host.yaml",
    options: '{reject: [in, out], log: {rate: 10/minute, prefix: "pm drop: "}}',
    dropRetired: true,
  },
  { name: "dual-stack", topology: "test/fixtures/firewalld/dual-stack.yaml", dropRetired: true },
  { name: "the host's interfaces named", topology: "test/fixtures/firewalld/ipv4.yaml", dropRetired: true },
  {
    name: "interfaces named, dual-stack, routes decided",
    topology: "test/fixtures/firewalld/routed.yaml",
    dropRetired: false,
  },
  // A ufw routing between zones: route rules, the firewall's own input for management.
  {
    name: "a perimeter (route rules), dual-stack",
    topology: "examples/seed-perimeter.yaml",
    dropRetired: true,
  },
];

/** The kernel's two rulesets as one, as our reader gives them. */
function kernel(v4: string, v6: string): ParsedRuleset {
  const a = readIptablesSave(v4, "iptables-save");
  const b = readIp6tablesSave(v6, "ip6tables-save");
  return {
    ruleset: { ...a.ruleset, tables: [...a.ruleset.tables, ...b.ruleset.tables] },
    diagnostics: [...a.diagnostics, ...b.diagnostics],
  };
}

for (const c of CASES)
  test(`compile --target ufw, run by ufw 0.36.2 itself: ${c.name}`, { skip }, () => {
    let topology = join(ROOT, c.topology);
    const dir = mkdtempSync(join(tmpdir(), "pm-ufw-compile-"));
    if (c.options) {
      topology = join(dir, "topology.yaml");
      writeFileSync(topology, `${readFileSync(join(ROOT, c.topology), "utf8")}compile: ${c.options}\n`);
    }
    const t = loadTopology(topology, "2026-12-03");
    rmSync(dir, { recursive: true, force: true });
    assert.ok(t.ok);
    const plan = makePlan(t.value.bound, { dropRetired: c.dropRetired });
    assert.ok(plan.ok);
    const out = TARGETS.ufw.compile(plan.plan);
    assert.ok(out.ok);
    const real = realUfwCommands(out.files[0]!.text, DEFAULTS);
    assert.equal(real.status, 0, real.log);
    assert.doesNotMatch(real.log, /ERROR|Skipping/, real.log);
    const ours = readUfw(real.files);
    assert.deepEqual(ours.diagnostics, []);
    const theirs = kernel(real.v4, real.v6);
    assert.deepEqual(
      theirs.diagnostics.filter((d) => d.severity === "error"),
      [],
    );
    const a = audit(t.value.bound, [ours]);
    const b = audit(t.value.bound, [theirs]);
    const active = (f: { retired?: boolean }) => !c.dropRetired || !f.retired;
    for (const r of [a, b]) {
      for (const f of r.flows.filter(active))
        assert.equal(f.verdict, "allowed", `${f.id}: ${JSON.stringify(f.blocked)}`);
      assert.deepEqual(
        r.flows.filter(active).map((f) => f.uncertain),
        r.flows.filter(active).map(() => false),
      );
    }
    // Beyond the matrix, only what ufw's own before rules accept (DHCP, mDNS, UPnP, ICMP).
    // Kept retired rows (the seed's Messenger media, udp 3478 and tcp 50000-59999) are allowed but
    // no longer required: exposure, as the audit says of any ruleset that keeps them.
    const retired = (e: (typeof a.exposure)[number]): boolean =>
      !c.dropRetired && e.packets.every((p) => /^(udp dport 3478|tcp dport 50000-59999) /.test(p));
    for (const e of a.exposure)
      assert.ok(
        e.rule.note?.startsWith("implicit") ||
          /^\/etc\/ufw\/before6?\.rules$/.test(e.rule.file ?? "") ||
          retired(e),
        JSON.stringify(e),
      );
    assert.deepEqual(
      a.exposure.flatMap((e) => e.packets).sort(),
      b.exposure.flatMap((e) => e.packets).sort(),
    );
  });
