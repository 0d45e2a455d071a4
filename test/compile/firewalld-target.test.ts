/**
 * compile --target firewalld: a zone and a HOST→ANY policy, read back by the firewalld reader (which
 * writes what firewalld 1.3.3 loads for them) and audited. Every required flow must be allowed and
 * nothing exposed beyond the matrix; dual-stack, what is not allowed is firewalld's own IPv6 rules
 * only; options rendered or warned; what firewalld cannot express refused, naming the flow. The real
 * firewalld loading the same files is test/kernel/firewalld-compile.test.ts.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { audit } from "../../src/audit/audit.js";
import { TARGETS } from "../../src/compile/index.js";
import { makePlan } from "../../src/compile/plan.js";
import type { CompiledFile } from "../../src/compile/target.js";
import { readFirewalld } from "../../src/parse/firewalld.js";
import { firewalldOwnedFile } from "../../src/compile/owned.js";
import { loadTopology } from "../../src/shell/load.js";
import { ROOT, runCli } from "../cli/run-cli.js";

const AS_OF = "2026-12-03";

function bound(path: string) {
  const t = loadTopology(path, AS_OF);
  assert.ok(t.ok, JSON.stringify(t.ok ? [] : t.diagnostics));
  return t.value.bound;
}

function compiled(topology: ReturnType<typeof bound>, dropRetired: boolean) {
  const plan = makePlan(topology, { dropRetired });
  assert.ok(plan.ok);
  return TARGETS.firewalld.compile(plan.plan);
}

/** The files as firewalld takes them: zones/NAME.xml and policies/NAME.xml (the suffixes, as -o DIR writes them). */
export function asConfig(files: readonly CompiledFile[]): Array<{ file: string; text: string }> {
  return files.map((f) => ({ file: f.suffix.slice(1), text: f.text }));
}

function readBack(files: readonly CompiledFile[]) {
  const parsed = readFirewalld(asConfig(files));
  assert.deepEqual(parsed.diagnostics, []);
  return parsed;
}

for (const example of ["seed-host", "seed-host-site"])
  test(`firewalld round trip: ${example} → zone and policy → firewalld reader → audit`, () => {
    const t = bound(join(ROOT, "examples", `${example}.yaml`));
    const active = t.flows.filter((f) => f.active);
    const strictOut = compiled(t, true);
    assert.ok(strictOut.ok);
    assert.deepEqual(strictOut.warnings, []);
    const strict = audit(t, [readBack(strictOut.files)]);
    assert.deepEqual(
      strict.flows.map((f) => [f.id, f.verdict, f.uncertain]),
      active.map((f) => [f.id, f.retired ? "blocked" : "allowed", false]),
    );
    assert.deepEqual(strict.exposure, []);
    // Only firewalld's own approximations (its reverse-path and DNAT rules), changing no verdict.
    for (const u of strict.unsupported) {
      assert.equal(u.rule?.file, "firewalld v1.3.3 defaults", JSON.stringify(u));
      assert.deepEqual(u.flows, []);
    }
    assert.deepEqual(strict.notes, []);
    // Kept, the retired rows are allowed, and they are the only exposure.
    const keptOut = compiled(t, false);
    assert.ok(keptOut.ok);
    const kept = audit(t, [readBack(keptOut.files)]);
    assert.deepEqual(
      kept.flows.map((f) => [f.id, f.verdict]),
      active.map((f) => [f.id, "allowed"]),
    );
    const retired = active.filter((f) => f.retired).map((f) => f.id);
    assert.ok(kept.retired.length > 0);
    for (const r of kept.retired) assert.ok(r.flows.every((id) => retired.includes(id)));
    assert.ok(kept.exposure.length > 0);
    for (const e of kept.exposure) assert.match(e.rule.text, /^<rule family="ipv4">/);
  });

test("firewalld dual-stack: what is not allowed is firewalld's own IPv6 rules, never ours", () => {
  for (const topo of ["dual-stack.yaml"]) {
    const t = bound(join(ROOT, "test/fixtures/firewalld", topo));
    const out = compiled(t, true);
    assert.ok(out.ok);
    const r = audit(t, [readBack(out.files)]);
    // IPv4 is allowed throughout (the flows not allowed are IPv6 packets firewalld refuses itself).
    for (const f of r.flows.filter((f) => !f.retired)) {
      for (const b of f.blocked) {
        assert.equal(b.rule.file, "firewalld v1.3.3 defaults", `${topo} ${f.id}: ${JSON.stringify(b)}`);
        assert.match(b.rule.note ?? "", /^implicit: firewalld's own rule/);
        for (const p of b.packets)
          assert.doesNotMatch(p, /any4|\b\d+\.\d+\.\d+\.\d+/, `${topo} ${f.id}: ${p}`);
      }
    }
    // Neighbour discovery passes both ways: our rules keep it open (the notes name only firewalld's
    // reverse-path rule, never our zone or policy).
    for (const n of r.notes) assert.doesNotMatch(n, /portmatrix/);
    // Nothing of ours is exposure.
    for (const e of r.exposure) assert.doesNotMatch(JSON.stringify(e.rule), /portmatrix\.xml|portmatrix_out/);
  }
});

test("firewalld with the host's interfaces: a zone per interface and a policy to it, each with the flows that use it", () => {
  // IPv4: every flow allowed, certain, and nothing exposed — partners' 5061 only on ens192.
  const v4 = bound(join(ROOT, "test/fixtures/firewalld/ipv4.yaml"));
  const out = compiled(v4, true);
  assert.ok(out.ok);
  assert.deepEqual(
    out.files.map((f) => f.suffix),
    [
      "/zones/portmatrix-in1.xml",
      "/policies/portmatrix-out1.xml",
      "/zones/portmatrix-in2.xml",
      "/policies/portmatrix-out2.xml",
    ],
  );
  const [in1, out1, in2] = out.files.map((f) => f.text);
  assert.match(in1!, /<interface name="ens192"\/>/);
  assert.match(in2!, /<interface name="eth0"\/>/);
  assert.match(out1!, /<ingress-zone name="HOST"\/>\n  <egress-zone name="portmatrix-in1"\/>/);
  assert.match(in1!, /sip-mtls-in/);
  assert.doesNotMatch(in2!, /sip-mtls-in/);
  assert.deepEqual(out.warnings, [
    "target firewalld binds a zone to each of ens192, eth0: packets on any other interface go to firewalld's default zone, which should then be drop (firewall-cmd --set-default-zone=drop)",
  ]);
  const r = audit(v4, [readBack(out.files)]);
  assert.deepEqual(
    r.flows.map((f) => [f.id, f.verdict, f.uncertain]),
    v4.flows.filter((f) => f.active).map((f) => [f.id, f.retired ? "blocked" : "allowed", false]),
  );
  assert.deepEqual(r.exposure, []);
  // Dual-stack: what is not allowed or exposed beyond the matrix is firewalld's own.
  for (const topo of ["test/fixtures/firewalld/routed.yaml", "test/fixtures/host-interfaces/topology.yaml"]) {
    const t = bound(join(ROOT, topo));
    const o = compiled(t, true);
    assert.ok(o.ok);
    const a = audit(t, [readBack(o.files)]);
    for (const f of a.flows.filter((f) => !f.retired))
      for (const b of f.blocked) {
        assert.equal(b.rule.file, "firewalld v1.3.3 defaults", `${topo} ${f.id}: ${JSON.stringify(b)}`);
        for (const p of b.packets)
          assert.doesNotMatch(p, /any4|\b\d+\.\d+\.\d+\.\d+/, `${topo} ${f.id}: ${p}`);
      }
    for (const e of a.exposure)
      assert.match(e.rule.file, /^firewalld v1\.3\.3 defaults/, `${topo}: ${JSON.stringify(e)}`);
  }
});

test("firewalld options: reject as the zone's %%REJECT%% and the policy's REJECT, log as a last rule, the rest warned", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-fwdc-"));
  try {
    const base = readFileSync(join(ROOT, "examples", "seed-host.yaml"), "utf8");
    const path = join(dir, "t.yaml");
    writeFileSync(
      path,
      `${base}compile: {reject: [in, out], log: {rate: 10/minute, prefix: "pm drop: "}, counters: true, priority: -5, name: edge_fw}\n`,
    );
    const t = bound(path);
    const out = compiled(t, true);
    assert.ok(out.ok);
    const [zone, policy] = out.files.map((f) => f.text);
    assert.match(zone!, /<zone target="%%REJECT%%">/);
    assert.match(policy!, /<policy target="REJECT">/);
    assert.match(zone!, /<short>edge_fw<\/short>/);
    assert.match(policy!, /<short>edge_fw_out<\/short>/);
    for (const text of [zone!, policy!])
      assert.match(
        text,
        /<rule priority="32767"><log prefix="pm drop: " level="warning"><limit value="10\/m"\/><\/log><\/rule>/,
      );
    assert.deepEqual(out.warnings, [
      "target firewalld does not render compile.counters: firewalld keeps no per-rule counters",
      "target firewalld does not render compile.priority: firewalld orders its chains itself (a zone's ingress-priority or a policy's priority, not a hook priority)",
    ]);
    const r = audit(t, [readBack(out.files)]);
    assert.deepEqual(
      r.flows.filter((f) => !f.retired).map((f) => f.verdict),
      r.flows.filter((f) => !f.retired).map(() => "allowed"),
    );
    assert.deepEqual(r.exposure, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("firewalld on a router: a zone per interface, a policy per pair of zones a flow crosses; read back, IPv4 passes every required flow, nothing else is exposed", () => {
  const t = bound(join(ROOT, "examples", "seed-perimeter.yaml"));
  const out = compiled(t, true);
  assert.ok(out.ok);
  assert.deepEqual(
    out.files.map((f) => f.suffix),
    [
      "/zones/portmatrix-z1.xml",
      "/zones/portmatrix-z2.xml",
      "/policies/portmatrix-p1-2.xml",
      "/policies/portmatrix-p2-1.xml",
    ],
  );
  for (const f of out.files) assert.ok(firewalldOwnedFile("portmatrix", f.suffix.slice(1)), f.suffix);
  const a = audit(t, [readBack(out.files)]);
  const active = new Set(t.flows.filter((f) => f.active && !f.retired).map((f) => f.id));
  // IPv6 meets firewalld's own reverse-path check, which a perimeter topology does not decide.
  for (const f of a.flows.filter((x) => active.has(x.id)))
    for (const b of f.blocked)
      for (const p of b.packets) assert.doesNotMatch(p, /any4|\d+\.\d+\.\d+\.\d+/, `${f.id}: ${p}`);
  // Nothing beyond the matrix: no packet is accepted that no required flow needs.
  assert.deepEqual(a.exposure, []);
});

test("firewalld refuses what it cannot express: a long name, destination and source ports together", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-fwdc-"));
  try {
    const base = readFileSync(join(ROOT, "examples", "seed-host-site.yaml"), "utf8");
    const long = join(dir, "long.yaml");
    writeFileSync(
      long,
      `${readFileSync(join(ROOT, "examples", "seed-host.yaml"), "utf8")}compile: {name: portmatrix_edge}\n`,
    );
    const named = compiled(bound(long), true);
    assert.ok(!named.ok);
    assert.match(
      named.diagnostics[0]!.message,
      /"portmatrix_edge_out": firewalld keeps at most 17 characters/,
    );
    const both = join(dir, "both.yaml");
    writeFileSync(
      both,
      base.replace(
        "{id: site-ntp, protocol: NTP, transport: udp, ports: 123,",
        "{id: site-ntp, protocol: NTP, transport: udp, ports: 123, sourcePorts: 123,",
      ),
    );
    const refused = compiled(bound(both), true);
    assert.ok(!refused.ok);
    assert.deepEqual(
      refused.diagnostics.map((d) => [d.code, d.message]),
      [
        [
          "compile-unsupported",
          "target firewalld cannot express flow site-ntp (both destination and source ports: a firewalld rich rule holds a port or a source port, not both)",
        ],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("compile --target firewalld -o DIR writes /etc/firewalld's layout, and audit reads the directory back", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-fwdc-"));
  try {
    const out = join(dir, "firewalld");
    const c = runCli([
      "compile",
      "-t",
      "examples/seed-host.yaml",
      "--target",
      "firewalld",
      "--drop-retired",
      "-o",
      out,
    ]);
    assert.equal(c.status, 0, c.stderr);
    assert.ok(
      existsSync(join(out, "zones", "portmatrix.xml")) &&
        existsSync(join(out, "policies", "portmatrix_out.xml")),
    );
    const a = runCli(["audit", "-t", "examples/seed-host.yaml", "-r", out, "--format", "json"], {
      env: { PORTMATRIX_AS_OF: AS_OF },
    });
    const report = JSON.parse(a.stdout) as {
      flows: Array<{ verdict: string; retired: boolean }>;
      exposure: unknown[];
    };
    assert.deepEqual(
      report.flows.filter((f) => !f.retired).map((f) => f.verdict),
      ["allowed", "allowed", "allowed"],
    );
    assert.deepEqual(report.exposure, []);
    // The whole configuration on stdout, each file under a marker line.
    const s = runCli(["compile", "-t", "examples/seed-host.yaml", "--target", "firewalld"]);
    assert.equal(s.status, 0, s.stderr);
    assert.match(
      s.stdout,
      /^# ---- zones\/portmatrix\.xml \(written as DIR\/zones\/portmatrix\.xml with -o DIR\) ----\n<\?xml[^]*<\/zone>\n\n# ---- policies\/portmatrix_out\.xml \(written as DIR\/policies\/portmatrix_out\.xml with -o DIR\) ----\n<\?xml[^]*<\/policy>\n$/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
