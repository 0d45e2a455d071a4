import assert from "node:assert/strict";
import { test } from "node:test";
import type { ResolvedFlow } from "../model/flow.js";
import { profileSchema } from "../model/schema.js";
import { compareProfiles, protocolKey } from "./compare.js";

function flow(id: string, over: Partial<ResolvedFlow> = {}): ResolvedFlow {
  return {
    id,
    role: "A/V",
    protocol: "STUN,MSTURN",
    transport: "udp",
    ports: [{ from: 3478, to: 3478 }],
    from: "av-edge",
    to: "any",
    source: "A/V Edge",
    destination: "Any",
    notes: "n",
    conditions: [],
    citation: "c",
    active: true,
    retired: false,
    ...over,
  };
}

const profile = (id: string) =>
  profileSchema().parse({
    id,
    title: id,
    product: "P",
    sources: { s: { title: "t", url: "https://x.invalid" } },
    endpoints: { "av-edge": { name: "A/V Edge", kind: "server" }, any: { name: "Any" } },
    flows: [{ id: "f", role: "r", protocol: "p", transport: "tcp", ports: 1, from: "any", to: "any" }],
  });

test("protocol spellings of one protocol share a key", () => {
  assert.equal(protocolKey("STUN,MSTURN"), protocolKey("STUN.MSTURN"));
  assert.equal(protocolKey("STUN/MSTURN"), protocolKey("stun.msturn"));
  assert.notEqual(protocolKey("SIP(TLS)"), protocolKey("SIP(MTLS)"));
});

test("a port change is one changed row, not a removal and an addition", () => {
  const c = compareProfiles(
    { profile: profile("a"), flows: [flow("rtp", { ports: [{ from: 50000, to: 59999 }] })] },
    { profile: profile("b"), flows: [flow("rtp", { ports: [{ from: 40000, to: 40999 }] })] },
  );
  assert.deepEqual(c.summary, { removed: 0, added: 0, changed: 1, unchanged: 0 });
  assert.deepEqual(c.rows[0]!.changes, [{ field: "ports", a: "50000-59999", b: "40000-40999" }]);
});

test("rows without a shared id match on endpoints, transport and protocol when that is unique", () => {
  const c = compareProfiles(
    {
      profile: profile("a"),
      flows: [flow("old-name"), flow("x", { transport: "tcp", ports: [{ from: 443, to: 443 }] })],
    },
    { profile: profile("b"), flows: [flow("new-name", { protocol: "STUN.MSTURN", notes: "reworded" })] },
  );
  const matched = c.rows.find((r) => r.a?.id === "old-name")!;
  assert.equal(matched.matchedBy, "endpoints-protocol");
  assert.equal(matched.status, "unchanged", "spelling and notes are wording, not changes");
  assert.equal(matched.notesChanged, true);
  assert.deepEqual(c.summary, { removed: 1, added: 0, changed: 0, unchanged: 1 });
  assert.equal(c.rows[0]!.status, "removed");
  assert.equal(c.rows[0]!.a!.id, "x");
});

test("ambiguous fallback keys are not guessed: both rows stay unmatched", () => {
  const c = compareProfiles(
    { profile: profile("a"), flows: [flow("a1"), flow("a2")] },
    { profile: profile("b"), flows: [flow("b1")] },
  );
  assert.deepEqual(c.summary, { removed: 2, added: 1, changed: 0, unchanged: 0 });
});

test("conditions, source ports and direction changes are reported field by field", () => {
  const c = compareProfiles(
    { profile: profile("a"), flows: [flow("r", { conditions: ["ocs2007"] })] },
    {
      profile: profile("b"),
      flows: [flow("r", { from: "any", to: "av-edge", sourcePorts: [{ from: 3478, to: 3478 }] })],
    },
  );
  assert.deepEqual(
    c.rows[0]!.changes.map((x) => x.field),
    ["sourcePorts", "from", "to", "conditions"],
  );
});
