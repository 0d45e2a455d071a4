/** The UDP window (exchanges at once) sized from the open-file limit (issue 21). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { FILE_RESERVE, splitFileBudget, UDP_MAX_IN_FLIGHT } from "./probe.js";

const media = { tcpInFlight: 2000, tcpPorts: 10_001, udpPorts: 10_001 };

test("every UDP port at once when the limit holds them beside the TCP sweep", () => {
  // This sandbox: soft = hard = 20,000.
  assert.deepEqual(splitFileBudget(20_000, media), { tcp: 2000, udp: 10_001, udpLimited: false });
  // Exactly enough, and one short.
  const exact = 2000 + 10_001 + FILE_RESERVE;
  assert.deepEqual(splitFileBudget(exact, media), { tcp: 2000, udp: 10_001, udpLimited: false });
  const short = splitFileBudget(exact - 1, media);
  assert.equal(short.udpLimited, true);
  assert.ok(short.tcp + short.udp <= exact - 1 - FILE_RESERVE, JSON.stringify(short));
});

test("a short limit goes mostly to UDP, whose silent ports hold their socket for the whole schedule", () => {
  // A login shell's 1024 that prlimit could not raise.
  const b = splitFileBudget(1024, media);
  assert.equal(b.tcp, Math.floor((1024 - FILE_RESERVE) / 4));
  assert.equal(b.udp, 1024 - FILE_RESERVE - b.tcp);
  assert.equal(b.udpLimited, true);
  // No TCP ports: UDP takes the whole budget.
  assert.equal(splitFileBudget(1024, { ...media, tcpPorts: 0 }).udp, 1024 - FILE_RESERVE);
  // No UDP ports: TCP takes it (never below 16), as before.
  assert.deepEqual(splitFileBudget(1024, { ...media, udpPorts: 0 }), {
    tcp: 1024 - FILE_RESERVE,
    udp: 0,
    udpLimited: false,
  });
  assert.deepEqual(splitFileBudget(100, { ...media, udpPorts: 0 }).tcp, 16);
  // Nothing left: still one exchange at a time, never none.
  assert.equal(splitFileBudget(FILE_RESERVE, media).udp, 1);
});

test("the window is capped, and without a known limit stays at the former 512", () => {
  const huge = { tcpInFlight: 2000, tcpPorts: 0, udpPorts: 65_536 };
  assert.deepEqual(splitFileBudget(1_048_576, huge), {
    tcp: 2000,
    udp: UDP_MAX_IN_FLIGHT,
    udpLimited: false,
  });
  assert.deepEqual(splitFileBudget(undefined, media), { tcp: 2000, udp: 512, udpLimited: false });
  assert.deepEqual(splitFileBudget(undefined, { ...media, udpPorts: 3 }).udp, 3);
});
