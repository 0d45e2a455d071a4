/**
 * Pure: src/wire/tls.ts serverFlight on TLS records built byte by byte (RFC 5246 §6.2.1 record
 * header; §7.4 handshake header; RFC 8446 §4.2.1 supported_versions) — what the prober reads to
 * tell whether a server asked for a client certificate.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { serverFlight } from "../../src/wire/tls.js";

const u16 = (n: number): number[] => [n >> 8, n & 0xff];
const u24 = (n: number): number[] => [n >> 16, (n >> 8) & 0xff, n & 0xff];
/** A record: type, version 3.3, length, body. */
const record = (type: number, body: number[]): number[] => [type, 0x03, 0x03, ...u16(body.length), ...body];
/** A handshake message: type, 24-bit length, body. */
const hs = (type: number, body: number[]): number[] => [type, ...u24(body.length), ...body];

function serverHello(extensions: number[] = []): number[] {
  const random = Array.from({ length: 32 }, (_, i) => i + 1);
  const session = Array.from({ length: 32 }, () => 0xaa);
  const body = [0x03, 0x03, ...random, session.length, ...session, 0x13, 0x01, 0x00];
  return hs(2, extensions.length === 0 ? body : [...body, ...u16(extensions.length), ...extensions]);
}
const certificate = hs(11, [...u24(7), ...u24(4), 0xde, 0xad, 0xbe, 0xef]);
const keyExchange = hs(12, [0x03, 0x00, 0x17, 0x01, 0x04]);
// CertificateRequest (RFC 5246 §7.4.4): types <1> rsa_sign(1); sig algs <2>; CAs <2> none.
const certificateRequest = hs(13, [0x01, 0x01, ...u16(2), 0x04, 0x01, ...u16(0)]);
const done = hs(14, []);
const bytes = (...parts: number[][]): Uint8Array => Uint8Array.from(parts.flat());

test("TLS 1.2 flight with CertificateRequest: requested", () => {
  const f = serverFlight(
    bytes(record(22, [...serverHello(), ...certificate, ...keyExchange, ...certificateRequest, ...done])),
  );
  assert.deepEqual(f, { types: [2, 11, 12, 13, 14], complete: true, certificateRequested: true });
});

test("TLS 1.2 flight without CertificateRequest: not requested", () => {
  const f = serverFlight(bytes(record(22, [...serverHello(), ...certificate, ...keyExchange, ...done])));
  assert.deepEqual(f, { types: [2, 11, 12, 14], complete: true, certificateRequested: false });
});

test("one handshake message per record, and a message split across two records", () => {
  const certReq = [...certificateRequest];
  const f = serverFlight(
    bytes(
      record(22, serverHello()),
      record(22, [...certificate, ...certReq.slice(0, 5)]),
      record(22, [...certReq.slice(5), ...done]),
    ),
  );
  assert.deepEqual(f, { types: [2, 11, 13, 14], complete: true, certificateRequested: true });
});

test("a flight cut short (more bytes to come): not complete, nothing decided", () => {
  const whole = bytes(record(22, [...serverHello(), ...certificate, ...certificateRequest, ...done]));
  for (const cut of [3, 20, whole.length - 1]) {
    const f = serverFlight(whole.subarray(0, cut));
    assert.equal(f.complete, false, `cut at ${cut}`);
    assert.equal(f.certificateRequested, null);
  }
  // Whole records so far, ServerHelloDone not yet: the types seen, still undecided.
  assert.deepEqual(serverFlight(bytes(record(22, serverHello()), record(22, certificate))), {
    types: [2, 11],
    complete: false,
    certificateRequested: null,
  });
});

test("TLS 1.3 ServerHello (supported_versions 0x0304): complete, the rest is encrypted, request unknown", () => {
  const keyShare = [0x00, 0x33, ...u16(4), 0x00, 0x1d, 0x00, 0x00];
  const versions = [0x00, 0x2b, ...u16(2), 0x03, 0x04];
  const f = serverFlight(
    bytes(record(22, serverHello([...keyShare, ...versions])), record(20, [0x01]), record(23, [1, 2, 3, 4])),
  );
  assert.deepEqual(f, { types: [2], complete: true, certificateRequested: null });
  // supported_versions naming 1.2 is no TLS 1.3 ServerHello.
  const tls12 = serverFlight(bytes(record(22, serverHello([0x00, 0x2b, ...u16(2), 0x03, 0x03]))));
  assert.deepEqual(tls12, { types: [2], complete: false, certificateRequested: null });
});

test("an alert record: its description code, flight over", () => {
  assert.deepEqual(serverFlight(bytes(record(21, [0x02, 40]))), {
    types: [],
    complete: true,
    certificateRequested: null,
    alert: 40,
  });
  const after = serverFlight(bytes(record(22, serverHello()), record(21, [0x02, 116])));
  assert.deepEqual([after.types, after.alert, after.complete], [[2], 116, true]);
});

test("not TLS: a malformed answer is said, not guessed", () => {
  assert.match(
    serverFlight(Uint8Array.from([...Buffer.from("SIP/2.0 400 Bad Request\r\n")])).malformed ?? "",
    /not a TLS record/,
  );
  assert.match(serverFlight(bytes([99, 0x03, 0x03, 0, 1, 0])).malformed ?? "", /record type 99/);
});
