/**
 * Junos SRX: a policy with traps, hand-checked flow by flow, in the set form and the hierarchical
 * form (which must read the same): a deny above a permit, an inactive policy, a nested
 * application-set through a predefined junos-* application, an excluded source address, a global
 * policy limited to a zone pair, the default policy (deny-all, then permit-all), intra-zone
 * traffic, static NAT before the policies, and what is not modelled made uncertain.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { addr, edgeHost, flow } from "../../test/audit-fixtures.js";
import { ROOT } from "../../test/cli/run-cli.js";
import { audit } from "../audit/audit.js";
import type { BoundTopology, ResolvedFlow } from "../model/flow.js";
import { sniffFormat } from "./index.js";
import { junosInterfaces, readJunos } from "./junos.js";
import { junosStatements } from "./junos-config.js";
import { NameSet } from "../space/name-set.js";

const SET = `## Last changed: 2026-11-30 10:00:00 UTC
set security zones security-zone untrust interfaces ge-0/0/0.0
set security zones security-zone trust interfaces ge-0/0/1.0
set security zones security-zone dmz interfaces ge-0/0/2.0
set security address-book global address web 203.0.113.10/32
set security address-book global address other 203.0.113.20/32
set security address-book global address bad-host 198.51.100.66/32
set security address-book global address-set dmz-all address web
set security address-book global address-set dmz-all address other
set applications application sip-tls protocol tcp
set applications application sip-tls destination-port 5061
set applications application media term t1 protocol udp destination-port 3478
set applications application media term t2 protocol tcp destination-port 50000-59999
set applications application-set inner application sip-tls
set applications application-set outer application-set inner
set applications application-set outer application junos-https
set security policies from-zone untrust to-zone dmz policy deny-sip match source-address any
set security policies from-zone untrust to-zone dmz policy deny-sip match destination-address web
set security policies from-zone untrust to-zone dmz policy deny-sip match application sip-tls
set security policies from-zone untrust to-zone dmz policy deny-sip then deny
set security policies from-zone untrust to-zone dmz policy allow-outer match source-address any
set security policies from-zone untrust to-zone dmz policy allow-outer match destination-address dmz-all
set security policies from-zone untrust to-zone dmz policy allow-outer match application outer
set security policies from-zone untrust to-zone dmz policy allow-outer then permit
set security policies from-zone untrust to-zone dmz policy old-media match source-address any
set security policies from-zone untrust to-zone dmz policy old-media match destination-address any
set security policies from-zone untrust to-zone dmz policy old-media match application media
set security policies from-zone untrust to-zone dmz policy old-media then permit
set security policies from-zone trust to-zone dmz policy no-bad match source-address bad-host
set security policies from-zone trust to-zone dmz policy no-bad match source-address-excluded
set security policies from-zone trust to-zone dmz policy no-bad match destination-address web
set security policies from-zone trust to-zone dmz policy no-bad match application junos-http
set security policies from-zone trust to-zone dmz policy no-bad then permit
set security policies from-zone trust to-zone dmz policy timed match source-address any
set security policies from-zone trust to-zone dmz policy timed match destination-address web
set security policies from-zone trust to-zone dmz policy timed match application junos-https
set security policies from-zone trust to-zone dmz policy timed scheduler-name office-hours
set security policies from-zone trust to-zone dmz policy timed then permit
set security policies global policy ssh-in match source-address any
set security policies global policy ssh-in match destination-address web
set security policies global policy ssh-in match application junos-ssh
set security policies global policy ssh-in match from-zone untrust
set security policies global policy ssh-in match to-zone dmz
set security policies global policy ssh-in then permit
set security policies default-policy deny-all
set security nat static rule-set from-untrust from zone untrust
set security nat static rule-set from-untrust rule pub match destination-address 198.51.100.200/32
set security nat static rule-set from-untrust rule pub then static-nat prefix 203.0.113.10/32
deactivate security policies from-zone untrust to-zone dmz policy old-media
`;

const HIERARCHICAL = `## Last changed: 2026-11-30 10:00:00 UTC
security {
    address-book {
        global {
            address web 203.0.113.10/32;
            address other 203.0.113.20/32;
            address bad-host 198.51.100.66/32;
            address-set dmz-all {
                address web;
                address other;
            }
        }
    }
    nat {
        static {
            rule-set from-untrust {
                from zone untrust;
                rule pub {
                    match {
                        destination-address 198.51.100.200/32;
                    }
                    then {
                        static-nat {
                            prefix {
                                203.0.113.10/32;
                            }
                        }
                    }
                }
            }
        }
    }
    policies {
        from-zone untrust to-zone dmz {
            policy deny-sip {
                match {
                    source-address any;
                    destination-address web;
                    application sip-tls;
                }
                then {
                    deny;
                }
            }
            policy allow-outer {
                match {
                    source-address any;
                    destination-address dmz-all;
                    application outer;
                }
                then {
                    permit;
                }
            }
            inactive: policy old-media {
                match {
                    source-address any;
                    destination-address any;
                    application media;
                }
                then {
                    permit;
                }
            }
        }
        from-zone trust to-zone dmz {
            policy no-bad {
                match {
                    source-address bad-host;
                    source-address-excluded;
                    destination-address web;
                    application junos-http;
                }
                then {
                    permit;
                }
            }
            policy timed {
                match {
                    source-address any;
                    destination-address web;
                    application junos-https;
                }
                then {
                    permit;
                }
                scheduler-name office-hours;
            }
        }
        global {
            policy ssh-in {
                match {
                    source-address any;
                    destination-address web;
                    application junos-ssh;
                    from-zone untrust;
                    to-zone dmz;
                }
                then {
                    permit;
                }
            }
        }
        default-policy {
            deny-all;
        }
    }
    zones {
        security-zone untrust {
            interfaces {
                ge-0/0/0.0;
            }
        }
        security-zone trust {
            interfaces {
                ge-0/0/1.0 {
                    host-inbound-traffic {
                        system-services {
                            ssh;
                        }
                    }
                }
            }
        }
        security-zone dmz {
            interfaces {
                ge-0/0/2.0;
            }
        }
    }
}
applications {
    application sip-tls {
        protocol tcp;
        destination-port 5061;
    }
    application media {
        term t1 protocol udp destination-port 3478;
        term t2 protocol tcp destination-port 50000-59999;
    }
    application-set inner {
        application sip-tls;
    }
    application-set outer {
        application-set inner;
        application junos-https;
    }
}
`;

const ENDPOINTS: Record<string, string> = {
  internet: "any4",
  lan: "198.51.100.0/24",
  web: "203.0.113.10",
  other: "203.0.113.20",
  "web-public": "198.51.100.200",
};

function f(id: string, transport: "tcp" | "udp", port: number, from: string, to: string): ResolvedFlow {
  return {
    ...flow(id, transport, [port, port]),
    from,
    to,
    fromAddresses: addr(ENDPOINTS[from]!),
    toAddresses: addr(ENDPOINTS[to]!),
  };
}

/** Each flow with its hand-checked verdict against the configuration above. */
const EXPECTED: Array<[ResolvedFlow, string]> = [
  // deny-sip comes first: SIP/TLS to web is denied although allow-outer would permit it.
  [f("sip-to-web", "tcp", 5061, "internet", "web"), "blocked"],
  // allow-outer through outer → inner → sip-tls (nested sets) to the other dmz-all member.
  [f("sip-to-other", "tcp", 5061, "internet", "other"), "allowed"],
  // allow-outer through outer → junos-https (predefined tcp/443).
  [f("https-to-web", "tcp", 443, "internet", "web"), "allowed"],
  // old-media is inactive: no zone-pair policy, no global one: the default policy denies.
  [f("stun-to-web", "udp", 3478, "internet", "web"), "blocked"],
  // No zone-pair policy matches SSH: the global policy (untrust → dmz) permits it.
  [f("ssh-to-web", "tcp", 22, "internet", "web"), "allowed"],
  // The global policy is limited to untrust → dmz: from trust, SSH meets the default policy.
  [f("ssh-lan-to-web", "tcp", 22, "lan", "web"), "blocked"],
  // no-bad excludes bad-host: the rest of the LAN reaches web on 80.
  [f("http-lan-to-web", "tcp", 80, "lan", "web"), "partial"],
  // Static NAT: 198.51.100.200 is web before the policies, so allow-outer permits HTTPS to it.
  [f("https-to-public", "tcp", 443, "internet", "web-public"), "allowed"],
];

function topology(flows: ResolvedFlow[]): BoundTopology {
  return {
    ...edgeHost(flows),
    firewall: {
      kind: "perimeter",
      zones: [
        { name: "untrust", interface: "ge-0/0/0.0", endpoints: ["internet"] },
        { name: "trust", interface: "ge-0/0/1.0", endpoints: ["lan"] },
        // web-public: web's public address, translated to it by the static NAT.
        { name: "dmz", interface: "ge-0/0/2.0", endpoints: ["web", "other", "web-public"] },
      ],
    },
    endpoints: Object.entries(ENDPOINTS).map(([id, a]) => ({ id, name: id, addresses: addr(a), text: [] })),
    flows,
  };
}

for (const [form, text] of [
  ["set form", SET],
  ["hierarchical form", HIERARCHICAL],
] as const)
  test(`junos ${form}: each trap decides its flow as checked by hand`, () => {
    assert.equal(sniffFormat(text), "junos");
    const parsed = readJunos(text, "srx.conf");
    assert.deepEqual(parsed.diagnostics, []);
    const report = audit(topology(EXPECTED.map(([fl]) => fl)), [parsed]);
    assert.deepEqual(
      report.flows.map((x) => [x.id, x.verdict, x.uncertain]),
      EXPECTED.map(([fl, v]) => [fl.id, v, false]),
    );
    // Replies of permitted sessions pass (stateful): allowed means both directions.
    // A scheduled policy (not modelled) makes the verdict of HTTPS from the LAN uncertain.
    const timed = audit(topology([f("https-lan-to-web", "tcp", 443, "lan", "web")]), [parsed]);
    assert.deepEqual(
      timed.flows.map((x) => [x.verdict, x.uncertain]),
      [["allowed", true]],
    );
  });

test("junos: default-policy permit-all lets what no policy matches through", () => {
  const text = SET.replace("default-policy deny-all", "default-policy permit-all");
  const report = audit(topology([f("stun-to-web", "tcp", 3478, "internet", "web")]), [
    readJunos(text, "srx.conf"),
  ]);
  assert.equal(report.flows[0]!.verdict, "allowed");
});

test("junos: intra-zone traffic meets the from-zone X to-zone X policies", () => {
  const text = `${SET}set security policies from-zone dmz to-zone dmz policy p match source-address any
set security policies from-zone dmz to-zone dmz policy p match destination-address any
set security policies from-zone dmz to-zone dmz policy p match application any
set security policies from-zone dmz to-zone dmz policy p then permit
`;
  const parsed = readJunos(text, "srx.conf");
  assert.deepEqual(parsed.diagnostics, []);
  const forward = parsed.ruleset.tables[0]!.chains.find((c) => c.name === "forward")!;
  const rule = forward.rules.find((r) => r.action.kind === "goto" && r.action.chain === "pol_dmz_dmz")!;
  assert.deepEqual(junosInterfaces(parsed.ruleset.tables[0]!.chains), [
    "ge-0/0/0.0",
    "ge-0/0/1.0",
    "ge-0/0/2.0",
  ]);
  const box = rule.match.boxes[0]!;
  assert.deepEqual(
    [box.iif.text(), box.oif.text()],
    [NameSet.of("ge-0/0/2.0").text(), NameSet.of("ge-0/0/2.0").text()],
  );
});

test("junos: a zone's attached address book wins over the global one (Batfish global-loses)", () => {
  const text = readFileSync(
    join(ROOT, "test/corpus/junos/batfish__firewall-zone-address-book-global-loses"),
    "utf8",
  );
  const parsed = readJunos(text, "global-loses");
  const chain = parsed.ruleset.tables[0]!.chains.find((c) => c.name === "pol_trust_untrust")!;
  const permit = chain.rules.find((r) => r.action.kind === "accept")!;
  assert.ok(permit.match.boxes.every((b) => b.src.equals(addr("2.2.2.2"))));
});

test("junos: the hierarchical form flattens to the set lines Batfish flattens it to", () => {
  const read = (name: string) => readFileSync(join(ROOT, "test/corpus/junos", name), "utf8");
  const lines = (name: string) => junosStatements(read(name), name).statements.map((s) => s.text);
  const nested = lines("batfish-job__nested-config-brackets");
  assert.equal(nested.length, 5);
  assert.deepEqual(nested, lines("batfish-job__nested-config-brackets-flattened"));
});

test("junos: destination NAT to a pool acts before the policies; destination-nat off does not", () => {
  const dnat = `${SET}set security nat destination pool web-pool address 203.0.113.10/32
set security nat destination rule-set dn from zone untrust
set security nat destination rule-set dn rule keep match destination-address 198.51.100.202/32
set security nat destination rule-set dn rule keep then destination-nat off
set security nat destination rule-set dn rule to-web match destination-address 198.51.100.201/32
set security nat destination rule-set dn rule to-web then destination-nat pool web-pool
`;
  const ends = { ...ENDPOINTS, "web-dnat": "198.51.100.201", "web-off": "198.51.100.202" };
  const t = topology([
    { ...f("https-dnat", "tcp", 443, "internet", "web"), toAddresses: addr(ends["web-dnat"]) },
    { ...f("https-off", "tcp", 443, "internet", "web"), toAddresses: addr(ends["web-off"]) },
  ]);
  const parsed = readJunos(dnat, "srx.conf");
  assert.deepEqual(parsed.diagnostics, []);
  assert.deepEqual(
    audit(t, [parsed]).flows.map((x) => [x.id, x.verdict]),
    [
      ["https-dnat", "allowed"],
      ["https-off", "blocked"],
    ],
  );
});

test("junos: an inactive: statement inside a policy is left out, the policy stays", () => {
  const text = HIERARCHICAL.replace(
    "application junos-https;\n                }\n                then {\n                    permit;\n                }\n                scheduler-name",
    "inactive: application junos-https;\n                    application junos-http;\n                }\n                then {\n                    permit;\n                }\n                scheduler-name",
  );
  assert.notEqual(text, HIERARCHICAL);
  const parsed = readJunos(text, "srx.conf");
  assert.deepEqual(parsed.diagnostics, []);
  const report = audit(
    topology([f("https-lan-to-web", "tcp", 443, "lan", "web"), f("http-other-lan", "tcp", 80, "lan", "web")]),
    [parsed],
  );
  // HTTPS from the LAN only met the timed policy: now blocked. HTTP: no-bad (partial) then timed.
  assert.deepEqual(
    report.flows.map((x) => [x.id, x.verdict]),
    [
      ["https-lan-to-web", "blocked"],
      ["http-other-lan", "allowed"],
    ],
  );
});

test("junos: undefined names, broken blocks and edit lines are errors with their line", () => {
  const undef = readJunos(
    "set security zones security-zone a interfaces ge-0/0/0.0\nset security policies from-zone a to-zone a policy p match application nope\nset security policies from-zone a to-zone a policy p then permit\n",
    "x.set",
  );
  assert.deepEqual(
    undef.diagnostics.map((d) => [d.code, d.severity, d.at?.line]),
    [
      ["junos-reference", "error", 2],
      ["junos-policy", "warning", 2],
    ],
  );
  const broken = readJunos("security {\n    zones {\n", "x.conf");
  assert.deepEqual(
    broken.diagnostics.map((d) => d.code),
    ["junos-syntax"],
  );
  const edits = readJunos("set system host-name a\ndelete security policies\n", "x.set");
  assert.deepEqual(
    edits.diagnostics.map((d) => [d.code, d.at?.line]),
    [["junos-unsupported", 2]],
  );
});
