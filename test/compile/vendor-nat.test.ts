/**
 * Static NAT written by the PAN-OS, FortiOS and Junos targets (issue 19), read back by their own
 * readers: every flow of the NAT catalog topology allowed, nothing exposed, every flow leaving a
 * NAT'ed endpoint SNAT-ed to its public address — and the traps: a policy naming the wrong side of
 * the NAT (public where the device matches the private address, or the other way round), a NAT
 * rule without its policy, and source NAT taken away (asymmetric NAT, exit 1).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { audit, exitCode } from "../../src/audit/audit.js";
import { TARGETS } from "../../src/compile/index.js";
import { makePlan } from "../../src/compile/plan.js";
import type { TargetId } from "../../src/compile/target.js";
import { READERS, type ReaderName } from "../../src/parse/index.js";
import { loadTopology } from "../../src/shell/load.js";
import { ROOT } from "../cli/run-cli.js";

const NAT_TOPOLOGY = join(ROOT, "examples", "catalog", "lync2013-edge-single-nat.yaml");
const VENDORS: Array<[TargetId, ReaderName]> = [
  ["panos", "panos"],
  ["fortios", "fortios"],
  ["junos", "junos"],
];
/**
 * What each reader cannot decide from the file, by design (named, so nothing else may creep in):
 * PAN-OS's destination NAT rule `to` zone is the zone the public address is routed to, which the
 * configuration's routes decide; a FortiOS VIP policy is read as also matching packets sent
 * straight to the mapped address. Junos: none.
 */
const EXPECTED_APPROXIMATION: Record<string, RegExp | undefined> = {
  panos: /^NAT zone to internet \(the pre-NAT destination's zone\): not checked$/,
  fortios: /^VIP pm-nat-[a-z-]+: packets sent straight to its mapped address are taken to match too$/,
  junos: undefined,
};

function bound() {
  const t = loadTopology(NAT_TOPOLOGY);
  assert.ok(t.ok, JSON.stringify(!t.ok && t.diagnostics));
  return t.value.bound;
}

function compiled(target: TargetId): string {
  const plan = makePlan(bound(), { dropRetired: true });
  assert.ok(plan.ok);
  const r = TARGETS[target].compile(plan.plan);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.diagnostics));
  return r.files[0]!.text;
}

function auditText(reader: ReaderName, text: string) {
  const parsed = READERS[reader](text, `nat.${reader}`);
  assert.deepEqual(
    parsed.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  return audit(bound(), [parsed]);
}

const active = () => bound().flows.filter((f) => f.active && !f.retired);
const inbound = () => active().filter((f) => f.from === "any");
const outbound = () => active().filter((f) => f.to === "any");

for (const [target, reader] of VENDORS) {
  test(`vendor nat: ${target} writes the static NAT and round-trips all allowed, SNAT symmetric`, () => {
    const r = auditText(reader, compiled(target));
    assert.deepEqual(
      r.flows.map((f) => [f.id, f.verdict]),
      active().map((f) => [f.id, "allowed"]),
      JSON.stringify(r.flows, null, 1),
    );
    assert.deepEqual(r.exposure, []);
    assert.deepEqual(
      r.flows.filter((f) => f.snat).map((f) => [f.id, f.snat!.ok]),
      outbound().map((f) => [f.id, true]),
    );
    assert.equal(exitCode(r), 0);
    const want = EXPECTED_APPROXIMATION[target];
    if (!want) {
      assert.deepEqual(r.unsupported, []);
      assert.ok(r.flows.every((f) => !f.uncertain));
    } else {
      assert.ok(r.unsupported.length > 0);
      for (const u of r.unsupported) assert.match(u.reason, want);
      // Only flows arriving through the NAT meet the approximation.
      for (const f of r.flows) assert.equal(f.uncertain, f.from === "any", f.id);
    }
  });
}

/** Each target's text with one flow's policy pointed at the other side of the NAT. */
const WRONG_SIDE: Record<string, (text: string) => string> = {
  // PAN-OS matches the pre-NAT destination: the private address misses the flow.
  panos: (t) =>
    t.replace(
      /^(set rulebase security rules pm-stun-udp-in .* destination )pm-nat-av-edge-public /m,
      "$1pm-nat-av-edge-private ",
    ),
  // The SRX matches the translated destination: the public address misses it.
  junos: (t) =>
    t
      .replace(
        /^(set security policies from-zone internet to-zone dmz policy pm-stun-udp-in match destination-address )pm-av-edge$/m,
        "$1pm-av-edge-public",
      )
      .replace(
        /^set security policies default-policy/m,
        (m) => `set security address-book global address pm-av-edge-public 198.51.100.230/32\n${m}`,
      ),
  // FortiOS translates only for a policy naming the VIP: the plain private address misses it.
  fortios: (t) =>
    t.replace(
      /(set name "pm-stun-udp-in"\n(?: {8}.*\n)*? {8}set dstaddr )"pm-nat-av-edge"/,
      '$1"pm-av-edge"',
    ),
};

for (const [target, reader] of VENDORS) {
  test(`vendor nat trap: ${target} policy naming the wrong side of the NAT leaves the flow blocked`, () => {
    const text = compiled(target);
    const wrong = WRONG_SIDE[target]!(text);
    assert.notEqual(wrong, text, "the trap edit applies");
    const r = auditText(reader, wrong);
    assert.deepEqual(
      r.flows.filter((f) => f.verdict !== "allowed").map((f) => [f.id, f.verdict]),
      [["stun-udp-in", "blocked"]],
    );
    assert.deepEqual(r.exposure, []);
    assert.equal(exitCode(r), 1);
  });
}

/** Each target's text without one inbound flow's policy (its NAT rule stays). */
const NO_POLICY: Record<string, (text: string) => string> = {
  panos: (t) => t.replace(/^set rulebase security rules pm-stun-udp-in .*\n/m, ""),
  junos: (t) =>
    t.replace(/^set security policies from-zone internet to-zone dmz policy pm-stun-udp-in .*\n/gm, ""),
  fortios: (t) => t.replace(/ {4}edit \d+\n {8}set name "pm-stun-udp-in"\n(?: {8}.*\n)*? {4}next\n/, ""),
};

for (const [target, reader] of VENDORS) {
  test(`vendor nat trap: ${target} NAT rule without its policy: the flow is blocked, the NAT opens nothing`, () => {
    const text = compiled(target);
    const cut = NO_POLICY[target]!(text);
    assert.notEqual(cut, text);
    const r = auditText(reader, cut);
    assert.deepEqual(
      r.flows.filter((f) => f.verdict !== "allowed").map((f) => f.id),
      ["stun-udp-in"],
    );
    assert.deepEqual(r.exposure, []);
  });
}

/** Each target's text with the source translation taken away (destination NAT kept). */
const NO_SNAT: Record<string, (text: string) => string> = {
  panos: (t) => t.replace(/^set rulebase nat rules pm-nat-[a-z-]+-out-internet .*\n/gm, ""),
  fortios: (t) => t.replace(/ {8}set nat enable\n {8}set ippool enable\n {8}set poolname .*\n/g, ""),
  // Junos static NAT is bidirectional by itself: destination NAT without the reverse mapping is a
  // destination NAT rule-set (which an admin might write instead), plus source NAT off.
  junos: (t) =>
    t
      .replace(
        /^set security nat static rule-set pm-nat-dmz rule (\S+) then static-nat prefix (\S+)$/gm,
        (_, r, p) =>
          `set security nat destination pool ${r} address ${p}\nset security nat destination rule-set pm-nat-dmz rule ${r} then destination-nat pool ${r}`,
      )
      .replace(
        /^set security nat static rule-set pm-nat-dmz /gm,
        "set security nat destination rule-set pm-nat-dmz ",
      )
      .replace(/^(set security nat destination rule-set pm-nat-dmz) description .*$/m, "$1 description x") +
    "set security nat source rule-set out from zone dmz\nset security nat source rule-set out to zone internet\n" +
    "set security nat source rule-set out rule none match source-address 0.0.0.0/0\n" +
    "set security nat source rule-set out rule none then source-nat off\n",
};

for (const [target, reader] of VENDORS) {
  test(`vendor nat trap: ${target} without source NAT: flows pass but leave unSNAT-ed (asymmetric, exit 1)`, () => {
    const text = compiled(target);
    const cut = NO_SNAT[target]!(text);
    assert.notEqual(cut, text);
    const r = auditText(reader, cut);
    assert.ok(
      r.flows.every((f) => f.verdict === "allowed"),
      JSON.stringify(r.flows.filter((f) => f.verdict !== "allowed")),
    );
    assert.deepEqual(
      r.flows.filter((f) => f.snat?.ok === false).map((f) => f.id),
      outbound().map((f) => f.id),
    );
    assert.equal(exitCode(r), 1);
  });
}

test("vendor nat: inbound flows are addressed to the public address (sanity of the topology)", () => {
  assert.ok(inbound().length >= 8 && outbound().length >= 6);
});

test("junos reader: source NAT rule-sets (pool, interface, off) decide the SNAT check, in rule order", () => {
  const base = NO_SNAT.junos!(compiled("junos")).replace(/^set security nat source .*\n/gm, "");
  const source = [
    "set security nat source pool av-public address 198.51.100.230/32",
    "set security nat source rule-set out from zone dmz",
    "set security nat source rule-set out to zone internet",
    // First match: the A/V edge leaves by its pool; then the access edge by the egress interface.
    "set security nat source rule-set out rule av match source-address 203.0.113.230/32",
    "set security nat source rule-set out rule av then source-nat pool av-public",
    "set security nat source rule-set out rule access match source-address-name pm-xmpp-proxy",
    "set security nat source rule-set out rule access then source-nat interface",
    "set security nat source rule-set out rule rest match source-address 0.0.0.0/0",
    "set security nat source rule-set out rule rest then source-nat off",
  ].join("\n");
  const r = auditText("junos", `${base}${source}\n`);
  assert.ok(r.flows.every((f) => f.verdict === "allowed"));
  const av = outbound()
    .filter((f) => f.from === "av-edge")
    .map((f) => f.id);
  assert.ok(av.length > 0);
  assert.deepEqual(
    r.flows.filter((f) => f.snat?.ok === true).map((f) => f.id),
    av,
  );
  assert.deepEqual(r.unsupported, []);
  // The pool named by the rule must exist.
  const parsed = READERS.junos(
    `${base}${source.replace("pool av-public address", "pool other address")}\n`,
    "x",
  );
  assert.ok(
    parsed.diagnostics.some(
      (d) => d.code === "junos-reference" && /pool av-public has no address/.test(d.message),
    ),
  );
});

/**
 * The NAT topology with a third zone (webconf-edge alone in dmz2) and the A/V edge dual-stack
 * (IPv6 untranslated, or translated too): several zones, a NAT'ed endpoint with untranslated
 * addresses, IPv6 pairs.
 */
function variant(ipv6Nat: boolean) {
  const text = readFileSync(NAT_TOPOLOGY, "utf8")
    .replace("av-edge: 203.0.113.230}", 'av-edge: [203.0.113.230, "2001:db8::230"]}')
    .replace(
      "av-edge: 198.51.100.230}",
      ipv6Nat ? 'av-edge: [198.51.100.230, "2001:db8::1:230"]}' : "av-edge: 198.51.100.230}",
    )
    .replace(
      "      endpoints: [xmpp-proxy, access-edge, webconf-edge, av-edge]",
      "      endpoints: [xmpp-proxy, access-edge, av-edge]\n    dmz2:\n      interface: eth2\n      endpoints: [webconf-edge]",
    );
  const dir = mkdtempSync(join(tmpdir(), "pm-vendornat-"));
  try {
    const path = join(dir, "nat3.yaml");
    writeFileSync(path, text);
    const t = loadTopology(path);
    assert.ok(t.ok, JSON.stringify(!t.ok && t.diagnostics));
    return t.value.bound;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("vendor nat: three zones and a dual-stack NAT'ed endpoint round-trip; PAN-OS says what one NAT rule per session means", () => {
  const t = variant(false);
  const plan = makePlan(t, { dropRetired: true });
  assert.ok(plan.ok);
  for (const [target, reader] of VENDORS) {
    const r = TARGETS[target].compile(plan.plan);
    assert.ok(r.ok, `${target}: ${JSON.stringify(!r.ok && r.diagnostics)}`);
    const parsed = READERS[reader](r.files[0]!.text, target);
    assert.deepEqual(
      parsed.diagnostics.filter((d) => d.severity === "error"),
      [],
    );
    const a = audit(t, [parsed]);
    assert.ok(
      a.flows.every((f) => f.verdict === "allowed"),
      `${target}: ${JSON.stringify(a.flows)}`,
    );
    assert.deepEqual(a.exposure, [], target);
    const notSnat = a.flows.filter((f) => f.snat?.ok === false).map((f) => f.id);
    if (target === "panos") {
      // The A/V edge's sessions to webconf-edge's public address (in dmz2) take its destination NAT only.
      assert.ok(r.warnings.some((w) => /one NAT rule per session/.test(w)));
      assert.deepEqual(
        notSnat,
        t.flows
          .filter((f) => f.active && !f.retired && f.from === "av-edge" && f.to === "any")
          .map((f) => f.id),
      );
    } else assert.deepEqual(notSnat, [], target);
  }
  // PAN-OS: the dual-stack destination keeps its IPv6 address beside the public IPv4 object.
  const pan = TARGETS.panos.compile(plan.plan);
  assert.ok(pan.ok);
  assert.match(
    pan.files[0]!.text,
    /^set rulebase security rules pm-stun-udp-in .* destination \[ pm-nat-av-edge-public pm-av-edge-\d+ \] /m,
  );
});

test("vendor nat: IPv6 pairs — Junos writes them, PAN-OS and FortiOS refuse them naming the pair", () => {
  const t = variant(true);
  const plan = makePlan(t, { dropRetired: true });
  assert.ok(plan.ok);
  for (const target of ["panos", "fortios"] as const) {
    const r = TARGETS[target].compile(plan.plan);
    assert.ok(!r.ok);
    assert.deepEqual(
      r.diagnostics.map((d) => d.code),
      ["compile-unsupported"],
    );
    assert.match(r.diagnostics[0]!.message, /IPv6 NAT of av-edge \(2001:db8::230 is 2001:db8::1:230\)/);
  }
  const r = TARGETS.junos.compile(plan.plan);
  assert.ok(r.ok);
  assert.match(
    r.files[0]!.text,
    /match destination-address 2001:db8::1:230\/128\n.* then static-nat prefix 2001:db8::230\/128$/m,
  );
  const a = audit(t, [READERS.junos(r.files[0]!.text, "v6.junos")]);
  assert.ok(a.flows.every((f) => f.verdict === "allowed" && !f.uncertain));
  assert.deepEqual(a.exposure, []);
  const av = a.flows.filter((f) => f.snat && f.from === "av-edge");
  assert.ok(av.length > 0 && av.every((f) => f.snat!.ok && f.snat!.public.includes("2001:db8::1:230")));
});

test("junos reader: source NAT in the hierarchical form: pool and interface, in rule order, at their lines", () => {
  const r = READERS.junos(HIERARCHICAL, "src-nat.conf");
  assert.deepEqual(r.diagnostics, []);
  const chain = r.ruleset.tables[0]!.chains.find((c) => c.name === "nat_out");
  assert.ok(chain?.base?.hook === "postrouting" && chain.base.type === "nat");
  assert.deepEqual(
    chain.rules.map((x) => [x.action.kind, x.origin.line, x.approximations.length]),
    [
      ["snat", 14, 0],
      ["masquerade", 26, 0],
    ],
  );
  const snat = chain.rules[0]!.action;
  assert.ok(snat.kind === "snat" && snat.to.addresses?.size() === 1n);
});

const HIERARCHICAL = `security {
    nat {
        source {
            pool p1 {
                address {
                    198.51.100.230/32;
                }
            }
            rule-set out {
                from zone dmz;
                to zone internet;
                rule r1 {
                    match {
                        source-address 203.0.113.230/32;
                    }
                    then {
                        source-nat {
                            pool {
                                p1;
                            }
                        }
                    }
                }
                rule r2 {
                    match {
                        source-address 0.0.0.0/0;
                    }
                    then {
                        source-nat {
                            interface;
                        }
                    }
                }
            }
        }
    }
    zones {
        security-zone dmz { interfaces { eth1; } }
        security-zone internet { interfaces { eth0; } }
    }
}
`;
