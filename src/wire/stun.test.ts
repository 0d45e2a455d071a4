/** RFC 5769 test vectors (sample request, IPv4 and IPv6 responses, long-term request) and round trips. */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  STUN_ATTR,
  bindingRequest,
  bindingSuccess,
  decodeStun,
  encodeStun,
  formatIp,
  longTermKey,
  mappedAddress,
  parseIp,
  shortTermKey,
  stunFrameLength,
  textAttribute,
  verifyIntegrity,
} from "./stun.js";

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));

// RFC 5769 §2.1 Sample Request (short-term credentials, padding bytes 0x20 on purpose).
const REQUEST = hex(`
  00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
  00 24 00 04 6e 00 01 ff
  80 29 00 08 93 2f f9 b1 51 26 3b 36
  00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
  00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
  80 28 00 04 e5 7a 3b cf`);
// §2.2 Sample IPv4 Response.
const RESPONSE_V4 = hex(`
  01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
  00 20 00 08 00 01 a1 47 e1 12 a6 43
  00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
  80 28 00 04 c0 7d 4c 96`);
// §2.3 Sample IPv6 Response.
const RESPONSE_V6 = hex(`
  01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
  00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
  00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
  80 28 00 04 c8 fb 0b 4c`);
// §2.4 Sample Request with Long-Term Authentication (as corrected by the RFC 5769 errata: length 0x60).
const REQUEST_LTC = hex(`
  00 01 00 60 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
  00 06 00 12 e3 83 9e e3 83 88 e3 83 aa e3 83 83 e3 82 af e3 82 b9 00 00
  00 15 00 1c 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39 46 53 54 76 79 36 34 73 41
  00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
  00 08 00 14 f6 70 24 65 6d d6 4a 3e 02 b8 e0 71 2e 85 c9 a2 8c a8 96 66`);

const PASSWORD = shortTermKey("VOkJxbRl1RmTxUk/WvJxBt");
const TID = hex("b7 e7 a7 01 bc 34 d6 86 fa 87 df ae");

function decoded(buf: Uint8Array) {
  const r = decodeStun(buf);
  assert.ok(r.ok, r.ok ? "" : r.error);
  return r.message;
}

test("RFC 5769 §2.1 sample request: decodes, integrity and fingerprint hold, re-encodes byte for byte", () => {
  const m = decoded(REQUEST);
  assert.equal(m.method, 1);
  assert.equal(m.cls, "request");
  assert.equal(textAttribute(m, STUN_ATTR.software), "STUN test client");
  assert.equal(textAttribute(m, STUN_ATTR.username), "evtj:h6vY");
  assert.ok(verifyIntegrity(m, PASSWORD));
  assert.ok(!verifyIntegrity(m, shortTermKey("wrong")));
  const attributes = m.attributes.filter(
    (a) => a.type !== STUN_ATTR.messageIntegrity && a.type !== STUN_ATTR.fingerprint,
  );
  const again = encodeStun(
    { method: 1, cls: "request", transactionId: m.transactionId, attributes },
    { integrityKey: PASSWORD, fingerprint: true, padding: 0x20 },
  );
  assert.deepEqual(Buffer.from(again).toString("hex"), Buffer.from(REQUEST).toString("hex"));
});

for (const [name, vector, address] of [
  ["§2.2 IPv4", RESPONSE_V4, "192.0.2.1"],
  ["§2.3 IPv6", RESPONSE_V6, "2001:db8:1234:5678:11:2233:4455:6677"],
] as const) {
  test(`RFC 5769 ${name} response: XOR-MAPPED-ADDRESS, integrity, fingerprint; encoder reproduces it`, () => {
    const m = decoded(vector);
    assert.equal(m.cls, "success");
    assert.deepEqual(mappedAddress(m), { address, port: 32853, family: address.includes(":") ? 6 : 4 });
    assert.ok(verifyIntegrity(m, PASSWORD));
    const again = encodeStun(
      {
        method: 1,
        cls: "success",
        transactionId: TID,
        attributes: m.attributes.filter(
          (a) => a.type === STUN_ATTR.software || a.type === STUN_ATTR.xorMappedAddress,
        ),
      },
      { integrityKey: PASSWORD, fingerprint: true, padding: 0x20 },
    );
    assert.equal(Buffer.from(again).toString("hex"), Buffer.from(vector).toString("hex"));
    // Our own Binding success (no MI) carries the same mapped address.
    const ours = decoded(bindingSuccess(decoded(REQUEST), { address, port: 32853 }));
    assert.deepEqual(mappedAddress(ours), mappedAddress(m));
  });
}

test("RFC 5769 §2.4 long-term request: MD5(user:realm:pass) key verifies the integrity", () => {
  const m = decoded(REQUEST_LTC);
  const user = textAttribute(m, STUN_ATTR.username)!;
  assert.equal(user, "\u30de\u30c8\u30ea\u30c3\u30af\u30b9");
  assert.equal(textAttribute(m, STUN_ATTR.nonce), "f//499k954d6OL34oL9FSTvy64sA");
  assert.equal(textAttribute(m, STUN_ATTR.realm), "example.org");
  assert.ok(verifyIntegrity(m, longTermKey(user, "example.org", "TheMatrIX")));
  assert.ok(!verifyIntegrity(m, longTermKey(user, "example.org", "TheMatrix")));
});

test("damaged messages are rejected with a reason", () => {
  const flipped = REQUEST.slice();
  flipped[30] = flipped[30]! ^ 1; // inside SOFTWARE: the fingerprint no longer matches
  assert.match((decodeStun(flipped) as { error: string }).error, /FINGERPRINT/);
  assert.match((decodeStun(REQUEST.subarray(0, 19)) as { error: string }).error, /shorter/);
  assert.match((decodeStun(REQUEST.subarray(0, 40)) as { error: string }).error, /does not match/);
  const topBits = REQUEST.slice();
  topBits[0] = 0x80;
  assert.match((decodeStun(topBits) as { error: string }).error, /first two bits/);
  const overrun = hex("00 01 00 04 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae 80 22 00 10");
  assert.match((decodeStun(overrun) as { error: string }).error, /runs past/);
});

test("binding request round trip and stream framing", () => {
  const req = bindingRequest(TID, "portmatrix");
  const m = decoded(req);
  assert.equal(m.cls, "request");
  assert.equal(textAttribute(m, STUN_ATTR.software), "portmatrix");
  assert.equal(stunFrameLength(req.subarray(0, 10)), undefined);
  assert.equal(stunFrameLength(Uint8Array.from([...req, 1, 2, 3])), req.length);
});

test("property: any address and port survives XOR-MAPPED-ADDRESS encoding", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.ipV4(),
        fc.ipV6().map((a) => formatIp(parseIp(a))),
      ),
      fc.integer({ min: 0, max: 65535 }),
      fc.uint8Array({ minLength: 12, maxLength: 12 }),
      (address, port, tid) => {
        const m = decoded(bindingSuccess(decoded(bindingRequest(tid)), { address, port }));
        assert.deepEqual(mappedAddress(m), { address, port, family: address.includes(":") ? 6 : 4 });
      },
    ),
  );
});
