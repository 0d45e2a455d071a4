/**
 * Junos `then permit application-services …` (Junos OS Security Policies User Guide: application
 * services in policies): IDP, UTM, application firewall and the like may drop or reset sessions
 * the policy permits, so the permit is uncertain; application traffic control only shapes traffic
 * and leaves it exact. Hand-checked: the internet peer (any address) to the edge (198.51.100.10).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { edgeHost, flow } from "../../test/audit-fixtures.js";
import { audit } from "../audit/audit.js";
import type { BoundTopology } from "../model/flow.js";
import { readJunos } from "./junos.js";

const CONFIG = `set security zones security-zone untrust interfaces ge-0/0/0.0
set security zones security-zone dmz interfaces ge-0/0/1.0
set security address-book global address edge 198.51.100.10/32
set security policies from-zone untrust to-zone dmz policy web match source-address any
set security policies from-zone untrust to-zone dmz policy web match destination-address edge
set security policies from-zone untrust to-zone dmz policy web match application junos-https
set security policies from-zone untrust to-zone dmz policy web then permit application-services idp-policy strict
set security policies from-zone untrust to-zone dmz policy sip match source-address any
set security policies from-zone untrust to-zone dmz policy sip match destination-address edge
set security policies from-zone untrust to-zone dmz policy sip match application junos-sip
set security policies from-zone untrust to-zone dmz policy sip then permit application-services application-traffic-control rule-set shape
`;

test("Junos: a permit through IDP is uncertain; through application traffic control it is exact", () => {
  const p = readJunos(CONFIG, "srx.set");
  assert.deepEqual(
    p.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  const host = edgeHost([
    flow("web", "tcp", [443, 443]),
    flow("sip", "udp", [5060, 5060]),
    flow("ssh", "tcp", [22, 22]),
  ]);
  const topology: BoundTopology = {
    ...host,
    firewall: {
      kind: "perimeter",
      zones: [
        { name: "untrust", interface: "ge-0/0/0.0", endpoints: ["internet"] },
        { name: "dmz", interface: "ge-0/0/1.0", endpoints: ["edge"] },
      ],
    },
  };
  const verdicts = Object.fromEntries(
    audit(topology, [p]).flows.map((f) => [f.id, f.verdict + (f.uncertain ? " uncertain" : "")]),
  );
  assert.deepEqual(verdicts, { web: "allowed uncertain", sip: "allowed", ssh: "blocked" });
});
