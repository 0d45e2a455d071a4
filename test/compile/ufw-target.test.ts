/**
 * compile --target ufw: the script's commands, as ufw(8) takes them — one `ufw allow` per family,
 * address, interface and port group (15 ports at most, a range counting two), ranges as `a:b`,
 * hosts without /32, comments in single quotes without `'`; a perimeter's route rules; options
 * rendered or warned; static NAT or an interface name ufw cannot take refused. The real ufw running the script, and the
 * audit of what it then holds, is test/kernel/ufw-compile.test.ts.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { TARGETS } from "../../src/compile/index.js";
import { makePlan, type Plan } from "../../src/compile/plan.js";
import { loadTopology } from "../../src/shell/load.js";
import { ROOT, runCli } from "../cli/run-cli.js";

function plan(topology: string, extra = ""): Plan {
  const dir = mkdtempSync(join(tmpdir(), "pm-ufw-target-"));
  try {
    const path = join(dir, "topology.yaml");
    writeFileSync(path, readFileSync(join(ROOT, topology), "utf8") + extra);
    const t = loadTopology(path, "2026-12-03");
    assert.ok(t.ok, JSON.stringify(t.ok ? [] : t.diagnostics));
    const p = makePlan(t.value.bound, { dropRetired: true });
    assert.ok(p.ok);
    return p.plan;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const commands = (text: string): string[] => text.split("\n").filter((l) => l.startsWith("ufw "));

test("the seed host: defaults, one allow per flow and family, enable last", () => {
  const out = TARGETS.ufw.compile(plan("examples/seed-host.yaml"));
  assert.ok(out.ok);
  assert.deepEqual(out.warnings, []);
  const text = out.files[0]!.text;
  assert.match(text, /^#!\/bin\/sh\n/);
  assert.deepEqual(commands(text), [
    "ufw default deny incoming",
    "ufw default deny outgoing",
    "ufw default deny routed",
    "ufw allow in proto tcp from any to 203.0.113.10 port 5061 comment 'lync2013-public-im sip-mtls-in: SIP(MTLS) tcp 5061 partners -> edge-access'",
    "ufw allow out proto tcp from 203.0.113.10 to any port 5061 comment 'lync2013-public-im sip-mtls-out: SIP(MTLS) tcp 5061 edge-access -> partners'",
    "ufw allow in proto tcp from any to 203.0.113.10 port 443 comment 'lync2013-public-im sip-tls-clients: SIP(TLS) tcp 443 clients -> edge-access'",
    "ufw --force enable",
  ]);
});

test("port lists of at most 15 ports (a range counts two), addresses per family, interfaces, a quote", () => {
  const p = plan("examples/seed-host.yaml");
  const r = { ...p.rules[0]!, comment: "it's the row" };
  r.dports = [...Array(14).keys()].map((i) => ({ from: 1000 + i, to: 1000 + i }));
  r.dports.push({ from: 2000, to: 2010 });
  r.src = { v4: ["198.51.100.0/24", "203.0.113.64/26"], v6: ["2001:db8:1::/48"] };
  r.dst = { v4: ["203.0.113.10/32"], v6: ["2001:db8::10/128"] };
  r.interfaces = ["eth0"];
  const out = TARGETS.ufw.compile({ ...p, rules: [r] });
  assert.ok(out.ok);
  const allow = commands(out.files[0]!.text).filter((l) => l.startsWith("ufw allow"));
  const ports1 = [...Array(14).keys()].map((i) => 1000 + i).join(",");
  const c = "comment 'it’s the row'";
  assert.deepEqual(allow, [
    `ufw allow in on eth0 proto tcp from 198.51.100.0/24 to 203.0.113.10 port ${ports1} ${c}`,
    `ufw allow in on eth0 proto tcp from 198.51.100.0/24 to 203.0.113.10 port 2000:2010 ${c}`,
    `ufw allow in on eth0 proto tcp from 203.0.113.64/26 to 203.0.113.10 port ${ports1} ${c}`,
    `ufw allow in on eth0 proto tcp from 203.0.113.64/26 to 203.0.113.10 port 2000:2010 ${c}`,
    `ufw allow in on eth0 proto tcp from 2001:db8:1::/48 to 2001:db8::10 port ${ports1} ${c}`,
    `ufw allow in on eth0 proto tcp from 2001:db8:1::/48 to 2001:db8::10 port 2000:2010 ${c}`,
  ]);
});

test("options: reject as ufw's default, log as ufw's logging (its prefix and rate warned), the rest warned", () => {
  const out = TARGETS.ufw.compile(
    plan(
      "examples/seed-host.yaml",
      'compile: {reject: [in], log: {rate: 10/minute, prefix: "pm: "}, counters: true}\n',
    ),
  );
  assert.ok(out.ok);
  const cmds = commands(out.files[0]!.text);
  assert.ok(cmds.includes("ufw default reject incoming"));
  assert.ok(cmds.includes("ufw default deny outgoing"));
  assert.ok(cmds.includes("ufw logging low"));
  assert.equal(out.warnings.length, 2, out.warnings.join("\n"));
  assert.match(out.warnings.join("\n"), /\[UFW BLOCK\]/);
  assert.match(out.warnings.join("\n"), /compile\.counters/);
});

test("a perimeter: route rules between the zones' interfaces, management to the firewall itself, its own output open", () => {
  const out = TARGETS.ufw.compile(plan("examples/seed-perimeter.yaml"));
  assert.ok(out.ok);
  const cmds = commands(out.files[0]!.text);
  assert.deepEqual(cmds.slice(0, 4), [
    "ufw default deny incoming",
    "ufw default allow outgoing",
    "ufw default deny routed",
    "ufw allow in from 198.51.100.0/28 to any comment 'lync2013-public-im management: any connection from the management addresses to the firewall itself'",
  ]);
  assert.ok(
    cmds.includes(
      "ufw route allow in on eth0 out on eth1 proto tcp from any to 2001:db8:10::10 port 5061 comment 'lync2013-public-im sip-mtls-in: SIP(MTLS) tcp 5061 partners -> edge-access'",
    ),
  );
});

test("refused: static NAT, and an interface name ufw cannot take; the CLI writes nothing then", () => {
  const nat = TARGETS.ufw.compile(plan("examples/catalog/lync2013-edge-single-nat.yaml"));
  assert.ok(!nat.ok);
  assert.match(nat.diagnostics[0]!.message, /target ufw does not write static NAT/);
  const p = plan("test/fixtures/firewalld/ipv4.yaml");
  const fw = p.firewall.kind === "host" ? p.firewall : undefined;
  assert.ok(fw?.interfaces);
  const alias = { ...p, firewall: { ...fw, interfaces: [{ ...fw.interfaces[0]!, name: "eth0:1" }] } };
  const bad = TARGETS.ufw.compile(alias);
  assert.ok(!bad.ok);
  assert.match(bad.diagnostics[0]!.message, /cannot name interface "eth0:1"/);
  const dir = mkdtempSync(join(tmpdir(), "pm-ufw-cli-"));
  try {
    const r = runCli([
      "compile",
      "-t",
      "examples/catalog/lync2013-edge-single-nat.yaml",
      "--target",
      "ufw",
      "-o",
      join(dir, "x.sh"),
    ]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /target ufw does not write static NAT/);
    assert.ok(!existsSync(join(dir, "x.sh")));
    const ok = runCli([
      "compile",
      "-t",
      "examples/seed-host.yaml",
      "--target",
      "ufw",
      "-o",
      join(dir, "edge.sh"),
    ]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(readFileSync(join(dir, "edge.sh"), "utf8"), /\nufw --force enable\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
