/**
 * Host kind, endpoints sharing the host's addresses: the XMPP proxy on the Access Edge's address is
 * the same machine, so its flows are this firewall's rules (compile) and are judged on it (audit);
 * an endpoint with only some of its addresses on the host (av-edge here), or `any`, is not the host.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { audit } from "../../src/audit/audit.js";
import { TARGETS } from "../../src/compile/index.js";
import { makePlan } from "../../src/compile/plan.js";
import { onHost } from "../../src/model/flow.js";
import { READERS } from "../../src/parse/index.js";
import { loadTopology } from "../../src/shell/load.js";
import { ROOT } from "../cli/run-cli.js";

test("an endpoint on the host's own addresses is the host: its flows compile and audit on it", () => {
  const t = loadTopology(join(ROOT, "test/fixtures/sfb-consolidated-host.yaml"));
  assert.ok(t.ok);
  const bound = t.value.bound;
  assert.deepEqual(
    bound.endpoints.map((e) => [e.id, onHost(bound, e.id)]),
    [
      ["any", false],
      ["xmpp-proxy", true],
      ["access-edge", true],
      ["webconf-edge", false],
      ["av-edge", false],
    ].sort(
      (a, b) =>
        bound.endpoints.findIndex((e) => e.id === a[0]) - bound.endpoints.findIndex((e) => e.id === b[0]),
    ),
  );
  const plan = makePlan(bound, { dropRetired: true });
  assert.ok(plan.ok);
  const xmpp = plan.plan.rules.find((r) => r.flowId === "xmpp-in");
  assert.ok(xmpp, "xmpp-in is a rule of the Access Edge's own firewall");
  assert.equal(xmpp.direction, "in");
  assert.deepEqual(xmpp.dst.v4, ["203.0.113.10/32"]);
  assert.ok(!plan.plan.rules.some((r) => r.flowId === "psom-tls-in"), "webconf-edge is another machine");
  const out = TARGETS.nftables.compile(plan.plan);
  assert.ok(out.ok);
  const report = audit(bound, [READERS["nftables-text"](out.files[0]!.text, "nftables")]);
  const verdict = new Map(report.flows.map((f) => [f.id, f.verdict]));
  assert.equal(verdict.get("xmpp-in"), "allowed");
  assert.equal(verdict.get("sip-mtls-in"), "allowed");
  assert.equal(verdict.get("psom-tls-in"), "not-applicable");
  assert.deepEqual(report.exposure, []);
});
