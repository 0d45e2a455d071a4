/**
 * The ufw reader against ufw itself: each configuration under test/fixtures/ufw, with several
 * /etc/default/ufw settings (policies DROP, REJECT, ACCEPT; IPV6=no) and ufw.conf ENABLED=no, is
 * loaded by the real ufw 0.36.2's boot script in a namespace of its own (ufw-real.ts), and the
 * rulesets it put into the kernel (`iptables-save`, `ip6tables-save`, read by the iptables-save
 * reader) are audited beside our reading of the same files. Every flow's verdict, blocked packets
 * and certainty, and every exposure finding's packets, direction, certainty and chain, rule by rule
 * (firewalld-judged.ts), must be the same, for the firewalld tests' three topologies (two named
 * interfaces, peers in their own networks, dual-stack without interfaces) — and, chain by chain, the
 * same chains, policies, verdicts and matches in the same order (a REJECT is not a DROP there).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { audit } from "../../src/audit/audit.js";
import { readIp6tablesSave, readIptablesSave } from "../../src/parse/iptables-save.js";
import type { ParsedRuleset } from "../../src/parse/reader.js";
import type { Space } from "../../src/space/space.js";
import { readUfw } from "../../src/parse/ufw.js";
import { ufwDirectory } from "../../src/shell/files.js";
import { loadTopology } from "../../src/shell/load.js";
import { ROOT } from "../cli/run-cli.js";
import { judged, perRule } from "./firewalld-judged.js";
import { realUfwRuleset, ufwSkipReason } from "./ufw-real.js";

const skip = ufwSkipReason();
const DIR = join(ROOT, "test/fixtures/ufw");
const TOPOLOGIES = join(ROOT, "test/fixtures/firewalld");
const SHIPPED = readFileSync(join(DIR, "default-ufw"), "utf8");

const set = (text: string, key: string, value: string): string =>
  text.replace(new RegExp(`^${key}=.*$`, "m"), `${key}="${value}"`);

/** /etc/default/ufw variants: name → text. */
const DEFAULTS: Record<string, string> = {
  shipped: SHIPPED,
  reject: set(
    set(set(SHIPPED, "DEFAULT_INPUT_POLICY", "REJECT"), "DEFAULT_OUTPUT_POLICY", "REJECT"),
    "DEFAULT_FORWARD_POLICY",
    "ACCEPT",
  ),
  "accept-in-drop-out": set(set(SHIPPED, "DEFAULT_INPUT_POLICY", "ACCEPT"), "DEFAULT_OUTPUT_POLICY", "DROP"),
  "ipv6-off": set(SHIPPED, "IPV6", "no"),
};

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

function compare(config: string, files: Array<{ file: string; text: string }>, defaults: string): void {
  const ours = readUfw([...files, { file: "default-ufw", text: defaults }]);
  assert.deepEqual(
    ours.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  const real = realUfwRuleset(files, defaults);
  const enabled = !/^ENABLED=no/m.test(files.find((f) => f.file.endsWith("ufw.conf"))?.text ?? "");
  assert.equal(real.status, 0, real.log);
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
    const a = judged(audit(t.value.bound, [perRule(ours)]));
    const b = judged(audit(t.value.bound, [perRule(theirs)]));
    assert.deepEqual(a, b, `${config} with ${topo}`);
  }
}

const read = (dir: string): Array<{ file: string; text: string }> =>
  ufwDirectory(dir)!.map((file) => ({ file, text: readFileSync(file, "utf8") }));

for (const config of ["basic", "custom"])
  for (const [name, defaults] of Object.entries(DEFAULTS))
    test(`ufw reader = ufw 0.36.2 itself: ${config}, ${name} /etc/default/ufw`, { skip }, () => {
      compare(config, read(join(DIR, config)), defaults);
    });

test("ufw reader = ufw 0.36.2 itself: ENABLED=no loads nothing", { skip }, () => {
  const files = read(join(DIR, "basic")).map((f) =>
    f.file.endsWith("ufw.conf") ? { ...f, text: f.text.replace(/^ENABLED=.*$/m, "ENABLED=no") } : f,
  );
  compare("basic (disabled)", files, SHIPPED);
});

/** Files ufw-init cannot restore: the real one says "Problem running" it; ours is an error there. */
const BROKEN: Array<[string, string, (text: string) => string]> = [
  [
    "before.rules",
    "a jump to a user chain ufw-init makes after before.rules",
    (t) =>
      t.replace(
        "-A ufw-before-input -p udp --sport 67 --dport 68 -j ACCEPT",
        "-A ufw-before-input -j ufw-user-limit-accept",
      ),
  ],
  ["after.rules", "a table without COMMIT", (t) => t.replace(/COMMIT\s*$/, "")],
  ["user.rules", "a port out of range", (t) => t.replace("--dport 443 -j ACCEPT", "--dport 99999 -j ACCEPT")],
  [
    "user6.rules",
    "an IPv4 address in an ip6tables file",
    (t) => t.replace("-s 2001:db8:1::/48", "-s 198.51.100.0/24"),
  ],
];

for (const [name, what, edit] of BROKEN)
  test(
    `ufw reader = ufw 0.36.2 itself: ${name} with ${what} fails to load, an error at its line`,
    { skip },
    () => {
      const files = read(join(DIR, "basic")).map((f) =>
        f.file.endsWith(`/${name}`) ? { ...f, text: edit(f.text) } : f,
      );
      assert.notEqual(
        files.find((f) => f.file.endsWith(`/${name}`))!.text,
        readFileSync(join(DIR, "basic", name), "utf8"),
      );
      const real = realUfwRuleset(files, SHIPPED);
      assert.notEqual(real.status, 0, real.log);
      assert.match(real.log, new RegExp(`Problem running '/etc/ufw/${name.replace(".", "\\.")}'`));
      const ours = readUfw([...files, { file: "default-ufw", text: SHIPPED }]);
      const errors = ours.diagnostics.filter((d) => d.severity === "error");
      assert.ok(
        errors.length > 0 && errors.every((d) => d.at?.file.endsWith(`/${name}`)),
        JSON.stringify(errors),
      );
    },
  );
