/** Pure: src/probe/result.ts — socket outcomes to states, the summary, table groups, merged runs. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  groupResults,
  mergeRuns,
  probeExitCode,
  ProbeOutput,
  summarize,
  tcpOutcome,
  udpOutcome,
  type ProbeOutputT,
  type ProbeResultT,
} from "../../src/probe/result.js";

const result = (
  port: number,
  state: ProbeResultT["state"],
  extra: Partial<ProbeResultT> = {},
): ProbeResultT => ({
  flow: "rtp-tcp-out",
  to: "messenger-clients",
  target: "198.51.100.40",
  transport: "tcp",
  port,
  state,
  expected: "open",
  ok: state === "open",
  reason: state === "open" ? "syn-ack" : "no-response",
  detail: state,
  ...extra,
});

test("tcpOutcome: connect() ends as nmap -sT reads them", () => {
  const table: Array<[string | undefined, string, string]> = [
    [undefined, "open", "syn-ack"],
    ["ECONNREFUSED", "closed", "conn-refused"],
    ["ECONNRESET", "closed", "reset"],
    ["ETIMEDOUT", "filtered", "no-response"],
    ["timeout", "filtered", "no-response"],
    ["EHOSTUNREACH", "filtered", "host-unreach"],
    ["ENETUNREACH", "filtered", "net-unreach"],
    ["EACCES", "filtered", "admin-prohibited"],
    ["EPERM", "filtered", "local-firewall"],
    ["EADDRNOTAVAIL", "filtered", "eaddrnotavail"],
  ];
  for (const [code, state, reason] of table)
    assert.deepEqual(tcpOutcome(code), { state, reason }, String(code));
});

test("udpOutcome: an answer is open whatever else; ICMP errors; silence depends on --responders", () => {
  assert.deepEqual(udpOutcome("ECONNREFUSED", true, false), { state: "open", reason: "udp-response" });
  assert.deepEqual(udpOutcome("ECONNREFUSED", false, false), { state: "closed", reason: "port-unreach" });
  assert.deepEqual(udpOutcome("EHOSTUNREACH", false, true), { state: "filtered", reason: "host-unreach" });
  assert.deepEqual(udpOutcome("ENETUNREACH", false, false), { state: "filtered", reason: "net-unreach" });
  assert.deepEqual(udpOutcome("EPERM", false, false), { state: "filtered", reason: "local-firewall" });
  assert.deepEqual(udpOutcome(undefined, false, true), { state: "filtered", reason: "no-response" });
  assert.deepEqual(udpOutcome(undefined, false, false), { state: "open|filtered", reason: "no-response" });
  // A local socket error says which: it is not silence from the port.
  assert.deepEqual(udpOutcome("EADDRINUSE", false, true), { state: "filtered", reason: "eaddrinuse" });
  assert.deepEqual(udpOutcome("EMFILE", false, false), { state: "filtered", reason: "emfile" });
});

test("summarize counts states and failures; probeExitCode is 0 only when something passed and nothing failed", () => {
  const s = summarize(
    [result(1, "open"), result(2, "filtered"), result(3, "closed"), result(4, "open")],
    2,
    12.6,
  );
  assert.deepEqual(s, {
    total: 4,
    ok: 2,
    failed: 2,
    states: { open: 2, filtered: 1, closed: 1 },
    skipped: 2,
    durationMs: 13,
  });
  assert.equal(probeExitCode({ summary: s }), 1);
  assert.equal(probeExitCode({ summary: summarize([result(1, "open")], 0, 1) }), 0);
  assert.equal(probeExitCode({ summary: summarize([], 3, 1) }), 1, "nothing probed is no pass");
});

test("groupResults joins consecutive ports with the same verdict and splits on any difference", () => {
  const rs = [
    result(50000, "open"),
    result(50001, "open"),
    result(50002, "open"),
    result(50003, "filtered"),
    result(50005, "filtered"), // a gap
    result(50006, "filtered", { detail: "other" }),
    result(50007, "filtered", { detail: "other", from: "partners" }),
  ];
  assert.deepEqual(
    groupResults(rs).map((g) => [g.fromPort, g.toPort, g.count, g.first.state]),
    [
      [50000, 50002, 3, "open"],
      [50003, 50003, 1, "filtered"],
      [50005, 50005, 1, "filtered"],
      [50006, 50006, 1, "filtered"],
      [50007, 50007, 1, "filtered"],
    ],
  );
});

const run = (
  from: string,
  startedAt: string,
  results: ProbeResultT[],
  skipped: ProbeOutputT["skipped"] = [],
): ProbeOutputT => ({
  version: 1,
  profile: "lync2013-public-im",
  from,
  startedAt,
  results,
  skipped,
  summary: summarize(results, skipped.length, 1000),
});

test("mergeRuns: every result and skipped flow keeps its vantage point; a merged run merges again", () => {
  const a = run(
    "edge-access",
    "2026-11-25T10:00:01.000Z",
    [result(5061, "open", { flow: "sip-mtls-out" })],
    [{ flow: "x", to: "partners", reason: "any" }],
  );
  const b = run("partners", "2026-11-25T10:00:00.000Z", [
    result(5061, "filtered", { flow: "sip-mtls-in", target: "203.0.113.10" }),
  ]);
  const m = mergeRuns([a, b]);
  assert.ok(ProbeOutput.safeParse(m).success);
  assert.equal(m.from, "edge-access, partners");
  assert.equal(m.startedAt, "2026-11-25T10:00:00.000Z", "the earliest run");
  assert.deepEqual(
    m.results.map((r) => [r.from, r.flow, r.state]),
    [
      ["edge-access", "sip-mtls-out", "open"],
      ["partners", "sip-mtls-in", "filtered"],
    ],
  );
  assert.deepEqual(m.skipped, [{ flow: "x", to: "partners", reason: "any", from: "edge-access" }]);
  assert.deepEqual(
    [m.summary.total, m.summary.ok, m.summary.failed, m.summary.skipped, m.summary.durationMs],
    [2, 1, 1, 1, 2000],
  );
  const c = run("clients", "2026-11-25T10:00:02.000Z", [result(443, "open", { flow: "sip-tls-clients" })]);
  const again = mergeRuns([m, c]);
  assert.deepEqual(
    again.results.map((r) => r.from),
    ["edge-access", "partners", "clients"],
    "from survives a second merge",
  );
  assert.deepEqual(
    again.runs?.map((r) => r.from),
    ["edge-access", "partners", "clients"],
  );
});
