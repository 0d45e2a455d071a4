/**
 * Reverse-path checks (`fib saddr . iif oif missing`) decided from a host topology's routes
 * (reverse-path.ts): exact where each source has one route, approximate where two default routes
 * leave it open, untouched where the topology names no interfaces; the host's own addresses as a
 * source from an interface are dropped (measured in a namespace: nft answers `missing`).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readNftablesText } from "../parse/nftables-text.js";
import { loadTopology } from "../shell/load.js";
import { ROOT } from "../../test/cli/run-cli.js";
import { audit } from "./audit.js";

const RULES = join(ROOT, "test/fixtures/host-interfaces/rpfilter.nft");
const parsed = readNftablesText(readFileSync(RULES, "utf8"), RULES);

function judged(topology: string) {
  const t = loadTopology(join(ROOT, topology), "2026-12-03");
  assert.ok(t.ok);
  const r = audit(t.value.bound, [parsed]);
  return {
    flows: Object.fromEntries(r.flows.map((f) => [f.id, [f.verdict, f.uncertain]])),
    blocked: r.flows.flatMap((f) => f.blocked.flatMap((b) => b.packets)),
    fib: r.unsupported.find((u) => u.construct.startsWith("fib")),
  };
}

test("routes the topology implies: partners' networks through ens192, the rest through eth0 — exact", () => {
  const j = judged("test/fixtures/firewalld/routed.yaml");
  assert.deepEqual(j.flows["sip-mtls-in"], ["allowed", false]);
  assert.deepEqual(j.flows["sip-mtls-out"], ["allowed", false]);
  // Clients (any address) through eth0: those the routes send elsewhere (partners' networks), the
  // host's own and loopback are dropped — for certain.
  assert.deepEqual(j.flows["sip-tls-clients"], ["partial", false]);
  assert.ok(
    j.blocked.includes(
      "tcp dport 443 from {::1, 2001:db8::10, 2001:db8:1::/48} to 2001:db8::10 ct new,established iif eth0",
    ),
    j.blocked.join("\n"),
  );
  assert.match(j.fib?.reason ?? "", /routes decide it but for these packets/);
  assert.deepEqual(j.fib?.flows, []);
});

test("two interfaces whose peers are any address: two default routes, the check stays approximate", () => {
  const j = judged("test/fixtures/firewalld/topology.yaml");
  assert.deepEqual(j.flows["sip-mtls-in"], ["partial", true]);
  assert.ok((j.fib?.flows.length ?? 0) > 0);
});

test("a topology naming no interfaces: the routes are not known, the check stays approximate", () => {
  const j = judged("test/fixtures/firewalld/dual-stack.yaml");
  assert.equal(j.flows["sip-mtls-in"]![1], true);
  assert.match(j.fib?.reason ?? "", /^fib \(a routing lookup\) is not modelled$/);
});

test("loose mode and negation are read as such: `fib saddr oif != missing accept`", () => {
  const text = `table inet f {
  chain pre { type filter hook prerouting priority raw; policy drop;
    fib saddr oif != missing accept
  }
  chain input { type filter hook input priority filter; policy accept; }
}`;
  const p = readNftablesText(text, "loose.nft");
  const a = p.ruleset.tables[0]!.chains[0]!.rules[0]!.approximations[0]!;
  assert.deepEqual(a.reversePath, { strict: false, negate: true });
  const t = loadTopology(join(ROOT, "test/fixtures/firewalld/routed.yaml"), "2026-12-03");
  assert.ok(t.ok);
  const r = audit(t.value.bound, [p]);
  // Every source but the host's own and loopback has a route: everything passes but those.
  assert.deepEqual(
    r.flows.map((f) => [f.id, f.verdict, f.uncertain]),
    r.flows.map((f) => [
      f.id,
      f.id === "sip-mtls-in" || f.id === "sip-mtls-out" ? "allowed" : "partial",
      false,
    ]),
  );
});
