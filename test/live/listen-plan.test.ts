/** Pure: src/listen/plan.ts — what listen binds and how each port answers. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { flowService, groupPorts, mergeServices, planListen, serviceLabel } from "../../src/listen/plan.js";
import { bound, FIXTURES, PIC } from "./lab.js";

test("an endpoint bound to any (or unknown) is refused before anything is bound", () => {
  const any = planListen(bound(join(FIXTURES, "pic-any.yaml")), "partners");
  assert.ok(!any.ok);
  assert.equal(any.diagnostics.length, 1);
  assert.equal(any.diagnostics[0]!.code, "listen-not-host");
  assert.match(
    any.diagnostics[0]!.message,
    /endpoint "partners" has any: listen binds single host addresses only/,
  );
  const unknown = planListen(bound(PIC), "nobody");
  assert.ok(!unknown.ok);
  assert.equal(unknown.diagnostics[0]!.code, "unknown-endpoint");
});

test("the seed's edge-access: its own address, three ports, each with its service", () => {
  const p = planListen(bound(PIC), "edge-access");
  assert.ok(p.ok);
  assert.deepEqual(p.plan.addresses, ["203.0.113.10"]);
  assert.deepEqual(
    p.plan.ports.map((x) => [x.transport, x.port, serviceLabel(x.service), x.flows]),
    [
      ["tcp", 443, "sip-tls", ["sip-tls-clients"]],
      ["tcp", 5061, "sip-mtls", ["sip-mtls-in"]],
      ["udp", 3478, "stun", ["stun-udp-in"]],
    ],
  );
  // Retired flows are still served: the media range of messenger-clients.
  const m = planListen(bound(PIC), "messenger-clients");
  assert.ok(m.ok);
  assert.deepEqual(
    groupPorts(m.plan.ports).map((g) => [g.transport, g.from, g.to, serviceLabel(g.service)]),
    [
      ["tcp", 50000, 59999, "tcp-accept"],
      ["udp", 3478, 3478, "stun"],
    ],
  );
});

test("ports named by several flows are merged: one socket, both services, all flows", () => {
  const p = planListen(bound(join(FIXTURES, "consolidated.yaml")), "edge");
  assert.ok(p.ok);
  assert.deepEqual(p.plan.addresses, ["203.0.113.10", "2001:db8:10::10"], "IPv4 first");
  assert.deepEqual(
    groupPorts(p.plan.ports).map((g) => [g.transport, g.from, g.to, serviceLabel(g.service), g.flows]),
    [
      ["tcp", 443, 443, "sip-tls+msturn", ["sip-tls-in", "stun-tcp-in"]],
      ["tcp", 5061, 5061, "sip-mtls", ["sip-mtls-clients", "sip-mtls-partners"]],
      ["tcp", 8057, 8057, "tls", ["psom-in"]],
      ["udp", 3478, 3478, "stun", ["stun-udp-in"]],
      ["udp", 50000, 50002, "udp-answer", ["rtp-in"]],
    ],
  );
});

test("service mapping from the protocol column", () => {
  const s = (transport: "tcp" | "udp", protocol: string) =>
    serviceLabel(flowService({ transport, protocol }));
  assert.equal(s("tcp", "SIP(MTLS)"), "sip-mtls");
  assert.equal(s("tcp", "SIP(TLS)"), "sip-tls");
  assert.equal(s("tcp", "HTTPS"), "tls");
  assert.equal(s("tcp", "PSOM(TLS)"), "tls");
  assert.equal(s("tcp", "STUN,MSTURN"), "msturn-tcp");
  assert.equal(s("tcp", "RTP"), "tcp-accept");
  assert.equal(s("tcp", "XMPP"), "tcp-accept");
  assert.equal(s("udp", "STUN,MSTURN"), "stun");
  assert.equal(s("udp", "RTP"), "udp-answer");
  const tls = flowService({ transport: "tcp", protocol: "SIP(TLS)" });
  const turn = flowService({ transport: "tcp", protocol: "MSTURN" });
  assert.equal(serviceLabel(mergeServices(turn, tls)), "sip-tls+msturn", "order does not matter");
  assert.equal(
    serviceLabel(mergeServices(tls, flowService({ transport: "tcp", protocol: "SIP(MTLS)" }))),
    "sip-mtls",
  );
  assert.equal(
    serviceLabel(mergeServices(flowService({ transport: "tcp", protocol: "RTP" }), turn)),
    "msturn-tcp",
  );
});
