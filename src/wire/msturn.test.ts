/** MS-TURN Allocate → 401 round trips, pseudo-TLS bytes (libnice pseudossl.c), TCP framing. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  MSOC_CLIENT_HELLO,
  MSOC_SERVER_HELLO,
  MS_TURN_ATTR,
  decodeMsTurn,
  frameTcp,
  isMsTurnAllocate,
  isPseudoTlsClientHello,
  msTurnAllocateRequest,
  msTurnUnauthorized,
  parseMsTurnAnswer,
  readTcpFrame,
  tlsRecordLength,
} from "./msturn.js";
import { bindingRequest, decodeStun } from "./stun.js";

const TID16 = Uint8Array.from({ length: 16 }, (_, i) => i * 7 + 1);
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

test("Allocate request: MS-TURN header (no RFC 5389 cookie), Magic Cookie attribute first, MS-Version", () => {
  const req = msTurnAllocateRequest(TID16, { msVersion: 4 });
  assert.equal(hex(req.subarray(0, 4)), "00030010"); // Allocate, 16 bytes of attributes
  assert.equal(hex(req.subarray(4, 20)), hex(TID16)); // all 128 bits are the transaction id
  assert.equal(hex(req.subarray(20)), "000f000472c64bc6" + "800800040000" + "0004"); // cookie attr, MS-Version 4
});

test("Allocate → 401 Unauthorized with Realm and Nonce (swapped codes) and the echoed MS-Version", () => {
  const r = decodeMsTurn(msTurnAllocateRequest(TID16, { msVersion: 4 }));
  assert.ok(r.ok);
  assert.ok(isMsTurnAllocate(r.message));
  const answer = msTurnUnauthorized(r.message, "RTCEdge.example.com", new TextEncoder().encode("bm9uY2U="));
  assert.equal(hex(answer.subarray(0, 2)), "0113");
  const d = decodeMsTurn(answer);
  assert.ok(d.ok);
  assert.deepEqual(d.message.transactionId, TID16);
  assert.equal(d.message.attributes[0]!.type, MS_TURN_ATTR.magicCookie);
  assert.ok(
    d.message.attributes.some(
      (a) => a.type === 0x0015 && new TextDecoder().decode(a.value) === "RTCEdge.example.com",
    ),
  );
  assert.deepEqual(parseMsTurnAnswer(d.message), {
    status: 401,
    realm: "RTCEdge.example.com",
    nonce: "bm9uY2U=",
    msVersion: 4,
    msTurn: true,
  });
});

test("an RFC 5389 Binding is not MS-TURN (an A/V Edge ignores it)", () => {
  const plain = decodeStun(bindingRequest(TID16.subarray(0, 12)));
  assert.ok(plain.ok);
  assert.ok(!isMsTurnAllocate(plain.message));
  const r = decodeMsTurn(bindingRequest(TID16.subarray(0, 12)));
  assert.ok(!r.ok && /Magic Cookie/.test(r.error));
});

test("pseudo-TLS: the libnice bytes, recognised; a real ClientHello is not", () => {
  assert.equal(MSOC_CLIENT_HELLO.length, 50);
  assert.equal(
    hex(MSOC_SERVER_HELLO),
    "160301004e020000460301" + "00".repeat(32) + "20" + "00".repeat(32) + "001800" + "0e000000",
  );
  assert.equal(tlsRecordLength(MSOC_SERVER_HELLO), 83);
  assert.equal(isPseudoTlsClientHello(MSOC_CLIENT_HELLO), true);
  assert.equal(isPseudoTlsClientHello(MSOC_CLIENT_HELLO.subarray(0, 20)), "incomplete");
  // A ClientHello offering two real suites (TLS_AES_128_GCM_SHA256, ECDHE-ECDSA-AES128-GCM).
  const real = MSOC_CLIENT_HELLO.slice();
  const withTwo = Uint8Array.from([...real.subarray(0, 44), 0x00, 0x04, 0x13, 0x01, 0xc0, 0x2b, 0x01, 0x00]);
  withTwo[4] = withTwo.length - 5;
  withTwo[8] = withTwo.length - 9;
  assert.equal(isPseudoTlsClientHello(withTwo), false);
  assert.equal(isPseudoTlsClientHello(new TextEncoder().encode("OPTIONS sip:x SIP/2.0\r\n")), false);
});

test("TCP framing: control frames carry the MS-TURN message; partial frames wait; bad type is an error", () => {
  const req = msTurnAllocateRequest(TID16);
  const framed = frameTcp("control", req);
  assert.equal(hex(framed.subarray(0, 4)), "02000024");
  assert.equal(readTcpFrame(framed.subarray(0, 10)), undefined);
  const f = readTcpFrame(Uint8Array.from([...framed, 0x02]));
  assert.ok(f && "kind" in f);
  assert.equal(f.kind, "control");
  assert.equal(f.length, framed.length);
  assert.equal(hex(f.payload), hex(req));
  const bad = readTcpFrame(Uint8Array.from([0x16, 0x03, 0x01, 0x00]));
  assert.ok(bad && "error" in bad);
});
