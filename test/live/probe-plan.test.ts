/** Pure: src/probe/plan.ts on the seed profile bound to test addresses (and to `any`). */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { planProbe } from "../../src/probe/plan.js";
import { bound, FIXTURES, PIC } from "./lab.js";

const plan = (
  file: string,
  from: string,
  o: { to?: string; includeRetired?: boolean; maxHosts?: number } = {},
) =>
  planProbe(bound(file), from, {
    includeRetired: o.includeRetired ?? false,
    maxHosts: o.maxHosts ?? 256,
    ...(o.to !== undefined ? { to: o.to } : {}),
  });

test("retired flows only with includeRetired; targets carry the service and the prober's source", () => {
  const now = plan(PIC, "edge-access");
  assert.ok(now.ok);
  assert.deepEqual(
    now.plan.targets.map((t) => t.flow),
    ["sip-mtls-out"],
  );
  assert.deepEqual(now.plan.sources, { 4: "203.0.113.10" });
  // The two retired flows left out are listed, each with its reason (issue 16: "0 flow(s) skipped").
  assert.deepEqual(
    now.plan.skipped.map((x) => [x.flow, x.to, x.kind]),
    [
      ["rtp-tcp-out", "messenger-clients", "retired"],
      ["stun-udp-out", "messenger-clients", "retired"],
    ],
  );
  for (const x of now.plan.skipped)
    assert.match(x.reason, /^retired: .* ended \d{4}-\d\d-\d\d \(--include-retired probes it\)$/);
  const t = now.plan.targets[0]!;
  assert.deepEqual(
    [t.to, t.address, t.family, t.transport, t.ports, t.service],
    [
      "partners",
      "198.51.100.20",
      4,
      "tcp",
      [{ from: 5061, to: 5061 }],
      { kind: "tls", sip: true, requestCert: true, msturn: false },
    ],
  );
  const all = plan(PIC, "edge-access", { includeRetired: true });
  assert.ok(all.ok);
  assert.deepEqual(
    all.plan.targets.map((x) => [x.flow, x.retired, x.service.kind]),
    [
      ["sip-mtls-out", false, "tls"],
      ["rtp-tcp-out", true, "tcp-accept"],
      ["stun-udp-out", true, "stun-udp"],
    ],
  );
  assert.deepEqual(all.plan.skipped, []);
});

test("--to keeps only the flows to that endpoint", () => {
  const p = plan(PIC, "edge-access", { to: "messenger-clients", includeRetired: true });
  assert.ok(p.ok);
  assert.deepEqual(
    p.plan.targets.map((t) => t.flow),
    ["rtp-tcp-out", "stun-udp-out"],
  );
  assert.ok(p.plan.targets.every((t) => t.to === "messenger-clients" && t.address === "198.51.100.40"));
});

test("a destination bound to any is skipped with a reason, never probed", () => {
  const p = plan(join(FIXTURES, "pic-any.yaml"), "edge-access");
  assert.ok(p.ok);
  assert.deepEqual(p.plan.targets, []);
  const unbound = p.plan.skipped.filter((x) => x.kind === "no-address");
  assert.equal(unbound.length, 1);
  assert.equal(unbound[0]!.flow, "sip-mtls-out");
  assert.match(
    unbound[0]!.reason,
    /^partners is any .*only sends to hosts the topology names; bind partners to test hosts/,
  );
  // From an `any` endpoint: no source address is invented either.
  const from = plan(join(FIXTURES, "pic-any.yaml"), "partners");
  assert.ok(from.ok);
  assert.deepEqual(from.plan.sources, {});
});

test("unknown endpoints and endpoints without flows are diagnostics", () => {
  const f = plan(PIC, "nobody");
  assert.ok(!f.ok);
  assert.equal(f.diagnostics[0]!.code, "unknown-endpoint");
  assert.match(f.diagnostics[0]!.message, /--from: the topology has no endpoint "nobody"/);
  assert.match(f.diagnostics[0]!.expected ?? "", /edge-access/);
  const t = plan(PIC, "edge-access", { to: "nowhere" });
  assert.ok(!t.ok);
  assert.match(t.diagnostics[0]!.message, /--to: the topology has no endpoint "nowhere"/);
  const none = plan(PIC, "messenger-clients");
  assert.ok(!none.ok, "its only flow is retired");
  assert.equal(none.diagnostics[0]!.code, "probe-no-flows");
});
