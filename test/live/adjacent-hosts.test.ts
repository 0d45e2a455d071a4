/**
 * Host addresses written one by one stay hosts even when they are adjacent (203.0.113.10 and .11
 * merge into one interval of the address set): listen binds both, probe sends from the first, the
 * lab keeps both; a /31 written as a network stays a network. A source without IPv6 addresses
 * sends no IPv6 probes. Pure planning, no namespaces.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { assignLabAddresses } from "../../src/lab/addresses.js";
import { planListen } from "../../src/listen/plan.js";
import { planProbe } from "../../src/probe/plan.js";
import { ROOT } from "../cli/run-cli.js";
import { bound } from "./lab.js";

const T = bound(join(ROOT, "test", "fixtures", "adjacent-hosts.yaml"));

test("listen binds both adjacent hosts; a network is refused", () => {
  const edge = planListen(T, "edge-access");
  assert.ok(edge.ok);
  assert.deepEqual(edge.plan.addresses, ["203.0.113.10", "203.0.113.11"]);
  const partners = planListen(T, "partners");
  assert.ok(!partners.ok);
  assert.match(
    partners.diagnostics[0]!.message,
    /198\.51\.100\.20\/31: listen binds single host addresses only/,
  );
});

test("probe sends from the endpoint's first host address", () => {
  const p = planProbe(T, "edge-access", { includeRetired: false, maxHosts: 256 });
  assert.ok(p.ok);
  assert.equal(p.plan.sources[4], "203.0.113.10");
});

test("the lab keeps both hosts and samples the network", () => {
  const a = assignLabAddresses(T);
  const edge = a.find((x) => x.endpoint === "edge-access")!;
  assert.deepEqual([edge.lab, edge.sampled, edge.mapped], [["203.0.113.10", "203.0.113.11"], false, false]);
  const partners = a.find((x) => x.endpoint === "partners")!;
  assert.equal(partners.sampled, true);
  assert.equal(partners.lab.length, 1);
});

test("a source without IPv6 sends nothing to IPv6 hosts: those are skipped with the reason", () => {
  const t = bound(join(ROOT, "test", "fixtures", "v4-only-source.yaml"));
  const p = planProbe(t, "av-edge", { to: "any", includeRetired: false, maxHosts: 256 });
  assert.ok(p.ok);
  assert.deepEqual([...new Set(p.plan.targets.map((x) => x.address))], ["198.51.100.20"]);
  assert.ok(p.plan.skipped.length > 0);
  for (const s of p.plan.skipped)
    assert.match(s.reason, /^any's IPv6 address 2001:db8:100::20 not probed: av-edge has no IPv6 address/);
  // From a dual-stack source both families are probed.
  const both = planProbe(t, "any", { to: "access-edge", includeRetired: false, maxHosts: 256 });
  assert.ok(both.ok);
  assert.deepEqual(
    [...new Set(both.plan.targets.map((x) => x.address))],
    ["203.0.113.10", "2001:db8:10::10"],
  );
  assert.deepEqual(both.plan.skipped, []);
});
