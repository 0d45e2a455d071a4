/**
 * Pure: what the stand-in answers an RFC 3489 client (src/wire/stun.ts, used by listen's UDP 3478):
 * MAPPED-ADDRESS with the request's own 16-byte transaction id (RFC 5389 §12.2), and 420 Unknown
 * Attribute to a CHANGE-REQUEST that one address cannot honour (RFC 5389 §7.3.1).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  bindingSuccess,
  changeFlags,
  decodeStun,
  encodeStun,
  errorCode,
  mappedAddress,
  STUN_ATTR,
  STUN_METHOD,
  unknownAttributesError,
  unknownRequired,
} from "../../src/wire/stun.js";

const TID16 = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
const classic = (flags?: number) =>
  decodeStun(
    encodeStun({
      method: STUN_METHOD.binding,
      cls: "request",
      transactionId: TID16,
      attributes:
        flags === undefined
          ? []
          : [{ type: STUN_ATTR.changeRequest, value: Uint8Array.from([0, 0, 0, flags]) }],
    }),
  );

test("an RFC 3489 Binding gets MAPPED-ADDRESS and its own cookie field back", () => {
  const req = classic(0);
  assert.ok(req.ok && !req.message.cookie);
  const bytes = bindingSuccess(req.message, { address: "198.51.100.40", port: 40000 }, "pmt");
  assert.deepEqual([...bytes.subarray(4, 20)], [...TID16], "bytes 4-19 echo the request");
  const res = decodeStun(bytes);
  assert.ok(res.ok);
  assert.equal(res.message.cls, "success");
  assert.deepEqual(
    res.message.attributes.map((a) => a.type),
    [STUN_ATTR.mappedAddress, STUN_ATTR.software],
  );
  assert.deepEqual([...res.message.attributes[0]!.value], [0, 1, 0x9c, 0x40, 198, 51, 100, 40]);
  assert.deepEqual(mappedAddress(res.message), { address: "198.51.100.40", port: 40000, family: 4 });
});

test("CHANGE-REQUEST: flags read; asking for another IP or port gets 420 naming the attribute", () => {
  for (const [flags, want] of [
    [undefined, 0],
    [0, 0],
    [4, 4],
    [2, 2],
    [6, 6],
    [1, 0],
  ] as const) {
    const r = classic(flags);
    assert.ok(r.ok);
    assert.equal(changeFlags(r.message), want, `flags ${flags}`);
  }
  const r = classic(6);
  assert.ok(r.ok);
  const e = decodeStun(unknownAttributesError(r.message, [STUN_ATTR.changeRequest]));
  assert.ok(e.ok);
  assert.equal(e.message.cls, "error");
  assert.equal(e.message.method, STUN_METHOD.binding);
  assert.deepEqual(errorCode(e.message), { code: 420, reason: "Unknown Attribute" });
  assert.deepEqual(
    [...e.message.attributes.find((a) => a.type === STUN_ATTR.unknownAttributes)!.value],
    [0x00, 0x03],
  );
});

test("420 names every comprehension-required attribute not understood, each once, not just the first", () => {
  const req = decodeStun(
    encodeStun({
      method: STUN_METHOD.binding,
      cls: "request",
      transactionId: TID16,
      attributes: [
        { type: STUN_ATTR.changeRequest, value: Uint8Array.from([0, 0, 0, 6]) },
        { type: STUN_ATTR.username, value: Uint8Array.from([0x61, 0x3a, 0x62, 0]) },
        { type: 0x0004, value: Uint8Array.from([0, 0, 0, 0]) }, // RFC 3489 SOURCE-ADDRESS-ish: unknown
        { type: 0x0004, value: Uint8Array.from([0, 0, 0, 1]) },
        { type: 0x0024, value: Uint8Array.from([0x6e, 0, 0x1e, 0xff]) }, // ICE PRIORITY: understood
        { type: 0x8023, value: Uint8Array.from([0, 0, 0, 0]) }, // comprehension-optional: ignored
      ],
    }),
  );
  assert.ok(req.ok);
  assert.deepEqual(unknownRequired(req.message), [STUN_ATTR.changeRequest, 0x0004]);
  const e = decodeStun(unknownAttributesError(req.message, unknownRequired(req.message)));
  assert.ok(e.ok);
  assert.deepEqual(
    [...e.message.attributes.find((a) => a.type === STUN_ATTR.unknownAttributes)!.value],
    [0x00, 0x03, 0x00, 0x04],
  );
  // CHANGE-REQUEST without flags asks nothing a one-address server cannot do.
  const plain = classic(0);
  assert.ok(plain.ok);
  assert.deepEqual(unknownRequired(plain.message), []);
});
