/**
 * The comparison of the ufw differential and corpus tests: our reading of a ufw configuration and
 * what the real ufw-init loaded for it (ufw-real.ts), chain by chain — the same chains, policies,
 * verdicts and matches in the same order (a REJECT is not a DROP there) — and audited for the
 * firewalld tests' three topologies (two named interfaces, peers in their own networks,
 * dual-stack without interfaces): every flow's verdict, blocked packets and certainty, and every
 * exposure finding's packets, direction, certainty and chain, rule by rule (firewalld-judged.ts).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { audit } from "../../src/audit/audit.js";
import { readIp6tablesSave, readIptablesSave } from "../../src/parse/iptables-save.js";
import type { ParsedRuleset } from "../../src/parse/reader.js";
import type { Space } from "../../src/space/space.js";
import { readUfw } from "../../src/parse/ufw.js";
import { loadTopology } from "../../src/shell/load.js";
import { ROOT } from "../cli/run-cli.js";
import { judged, perRule } from "./firewalld-judged.js";
import { realUfwRuleset } from "./ufw-real.js";

const TOPOLOGIES = join(ROOT, "test/fixtures/firewalld");

/** The kernel's two rulesets as one, as our reader gives them. */
function kernel(v4: string, v6: string): ParsedRuleset {
  const a = readIptablesSave(v4, "iptables-save");
  const b = readIp6tablesSave(v6, "ip6tables-save");
  const diagnostics = [...a.diagnostics, ...b.diagnostics];
  return { ruleset: { ...a.ruleset, tables: [...a.ruleset.tables, ...b.ruleset.tables] }, diagnostics };
}

/**
 * Chain by chain, what was loaded: each chain's policy and its rules' verdicts (REJECT's type left
 * out: the kernel prints the default one ufw-init's `-j REJECT` leaves unsaid) and matches, in
 * order. Built-in chains left empty with policy ACCEPT are the kernel's own either way.
 */
function structure(p: ParsedRuleset): Map<string, { policy: string; rules: Array<[string, Space]> }> {
  const out = new Map<string, { policy: string; rules: Array<[string, Space]> }>();
  for (const t of p.ruleset.tables)
    for (const c of t.chains) {
      const policy = c.base?.policy ?? "-";
      if (c.base && policy === "accept" && c.rules.length === 0) continue;
      const rules = c.rules.map((r): [string, Space] => {
        const a = r.action;
        const what = a.kind === "jump" || a.kind === "goto" ? `${a.kind} ${a.chain}` : a.kind;
        return [what, r.match];
      });
      out.set(`${t.family} ${t.name} ${c.name}`, { policy, rules });
    }
  return out;
}

function sameStructure(ours: ParsedRuleset, theirs: ParsedRuleset, what: string): void {
  const a = structure(ours);
  const b = structure(theirs);
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort(), `${what}: chains`);
  for (const [name, x] of a) {
    const y = b.get(name)!;
    assert.equal(x.policy, y.policy, `${what}: ${name} policy`);
    assert.deepEqual(
      x.rules.map((r) => r[0]),
      y.rules.map((r) => r[0]),
      `${what}: ${name} verdicts`,
    );
    x.rules.forEach((r, i) => assert.ok(r[1].equals(y.rules[i]![1]), `${what}: ${name} rule ${i + 1} match`));
  }
}

/**
 * Every chain an origin of its own, the same on both sides: ours gives the IPv4 and IPv6 INPUT
 * the same one (the DEFAULT_INPUT_POLICY line), so a flow's packets dropped by both policies are
 * one finding of ours and two of the kernel's otherwise.
 */
function perChain(p: ParsedRuleset): ParsedRuleset {
  const tables = p.ruleset.tables.map((t) => ({
    ...t,
    chains: t.chains.map((c) => ({
      ...c,
      origin: { file: `${t.family} ${t.name} ${c.name}`, line: 1, col: 1, text: c.name },
    })),
  }));
  return { ...p, ruleset: { ...p.ruleset, tables } };
}

/**
 * Our reading of the files beside the real ufw-init's, compared as the tests' header says. `missing`:
 * rules files the configuration lacks, which ufw-init reports ("Couldn't find", exit 1) and skips.
 */
export function compareWithUfw(
  config: string,
  files: Array<{ file: string; text: string }>,
  defaults: string,
  missing: readonly string[] = [],
): void {
  const ours = readUfw([...files, { file: "default-ufw", text: defaults }]);
  assert.deepEqual(
    ours.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  const real = realUfwRuleset(files, defaults);
  const enabled = !/^ENABLED=no/m.test(files.find((f) => f.file.endsWith("ufw.conf"))?.text ?? "");
  assert.equal(real.status, missing.length > 0 ? 1 : 0, real.log);
  for (const m of missing)
    assert.match(real.log, new RegExp(`Couldn't find '/etc/ufw/${m.replace(".", "\\.")}'`));
  if (!enabled) assert.match(real.log, /not enabled/);
  const theirs = kernel(real.v4, real.v6);
  assert.deepEqual(
    theirs.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  sameStructure(ours, theirs, config);
  for (const topo of ["topology.yaml", "dual-stack.yaml", "routed.yaml"]) {
    const t = loadTopology(join(TOPOLOGIES, topo), "2026-12-03");
    assert.ok(t.ok);
    const a = judged(audit(t.value.bound, [perRule(perChain(ours))]));
    const b = judged(audit(t.value.bound, [perRule(perChain(theirs))]));
    assert.deepEqual(a, b, `${config} with ${topo}`);
  }
}
