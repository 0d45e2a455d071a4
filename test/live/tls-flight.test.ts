/**
 * Pure: src/wire/tls.ts serverFlight on TLS records built byte by byte (RFC 5246 §6.2.1 record
 * header; §7.4 handshake header; RFC 8446 §4.2.1 supported_versions) — what the prober reads to
 * tell whether a server asked for a client certificate, and (TLS 1.3) the same records sealed with a
 * known handshake secret and opened again.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createCipheriv, createHmac } from "node:crypto";
import { readServerHandshake as serverFlight } from "../../src/wire/tls.js";

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
  assert.deepEqual(f.types, [2, 11, 12, 13, 14]);
  assert.deepEqual([f.version, f.cipherSuite, f.certificateRequested], ["TLSv1.2", 0x1301, true]);
  assert.deepEqual(
    f.certificates.map((c) => [...c]),
    [[0xde, 0xad, 0xbe, 0xef]],
  );
});

test("TLS 1.2 flight without CertificateRequest: not requested", () => {
  const f = serverFlight(bytes(record(22, [...serverHello(), ...certificate, ...keyExchange, ...done])));
  assert.deepEqual([f.types, f.certificateRequested], [[2, 11, 12, 14], false]);
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
  assert.deepEqual([f.types, f.certificateRequested], [[2, 11, 13, 14], true]);
});

test("a flight cut short (more bytes to come): nothing decided", () => {
  const whole = bytes(record(22, [...serverHello(), ...certificate, ...certificateRequest, ...done]));
  for (const cut of [3, 20, whole.length - 1]) {
    const f = serverFlight(whole.subarray(0, cut));
    assert.equal(f.certificateRequested, null, `cut at ${cut}`);
  }
  // Whole records so far, ServerHelloDone not yet: the types seen, still undecided.
  const f = serverFlight(bytes(record(22, serverHello()), record(22, certificate)));
  assert.deepEqual([f.types, f.certificateRequested, f.certificates.length], [[2, 11], null, 1]);
});

const keyShare = [0x00, 0x33, ...u16(4), 0x00, 0x1d, 0x00, 0x00];
const versions13 = [0x00, 0x2b, ...u16(2), 0x03, 0x04];

test("TLS 1.3 ServerHello (supported_versions 0x0304) without the secret: the rest is encrypted, request unknown", () => {
  const f = serverFlight(
    bytes(
      record(22, serverHello([...keyShare, ...versions13])),
      record(20, [0x01]),
      record(23, [1, 2, 3, 4]),
    ),
  );
  assert.deepEqual([f.types, f.version, f.certificateRequested], [[2], "TLSv1.3", null]);
  // supported_versions naming 1.2 is no TLS 1.3 ServerHello.
  const tls12 = serverFlight(bytes(record(22, serverHello([0x00, 0x2b, ...u16(2), 0x03, 0x03]))));
  assert.deepEqual([tls12.types, tls12.version, tls12.certificateRequested], [[2], "TLSv1.2", null]);
});

/** HKDF-Expand-Label written out again from RFC 8446 §7.1 (one block: lengths ≤ 32). */
function label(secret: Buffer, name: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${name}`);
  const info = Buffer.from([0, length, full.length, ...full, 0, 1]);
  return createHmac("sha256", secret).update(info).digest().subarray(0, length);
}

/** One TLS 1.3 record sealed with TLS_AES_128_GCM_SHA256 under `secret` (RFC 8446 §5.2, §5.3). */
function sealed(secret: Buffer, seq: number, innerType: number, content: number[]): number[] {
  const key = label(secret, "key", 16);
  const iv = label(secret, "iv", 12);
  iv[11] = iv[11]! ^ seq;
  const plain = Buffer.from([...content, innerType]);
  const header = [23, 0x03, 0x03, ...u16(plain.length + 16)];
  const c = createCipheriv("aes-128-gcm", key, iv);
  c.setAAD(Buffer.from(header));
  const body = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
  return [...header, ...body];
}

test("TLS 1.3 with the handshake secret: EncryptedExtensions, CertificateRequest, Certificate decrypted", () => {
  const secret = Buffer.alloc(32, 7);
  const ee = hs(8, u16(0));
  const cr13 = hs(13, [0, ...u16(0)]);
  const cert13 = hs(11, [0, ...u24(9), ...u24(4), 0xca, 0xfe, 0xba, 0xbe, ...u16(0)]);
  const fin = hs(
    20,
    Array.from({ length: 32 }, () => 1),
  );
  const hello = record(22, serverHello([...keyShare, ...versions13]));
  const wire = bytes(
    hello,
    record(20, [0x01]),
    sealed(secret, 0, 22, [...ee, ...cr13]),
    sealed(secret, 1, 22, [...cert13, ...fin]),
  );
  const f = serverFlight(wire, { serverHandshake: secret });
  assert.deepEqual([f.types, f.version, f.certificateRequested], [[2, 8, 13, 11, 20], "TLSv1.3", true]);
  assert.deepEqual(
    f.certificates.map((c) => [...c]),
    [[0xca, 0xfe, 0xba, 0xbe]],
  );
  // Without CertificateRequest: not requested, decided at the Certificate.
  const plain = serverFlight(bytes(hello, sealed(secret, 0, 22, [...ee, ...cert13, ...fin])), {
    serverHandshake: secret,
  });
  assert.deepEqual([plain.types, plain.certificateRequested], [[2, 8, 11, 20], false]);
  // The wrong secret opens nothing: undecided, never "not requested".
  const wrong = serverFlight(wire, { serverHandshake: Buffer.alloc(32, 8) });
  assert.deepEqual([wrong.types, wrong.certificateRequested], [[2], null]);
});

test("an alert record: its description code, flight over", () => {
  const alone = serverFlight(bytes(record(21, [0x02, 40])));
  assert.deepEqual([alone.types, alone.alert, alone.certificateRequested], [[], 40, null]);
  const after = serverFlight(bytes(record(22, serverHello()), record(21, [0x02, 50])));
  assert.deepEqual([after.types, after.alert], [[2], 50]);
});

test("not TLS: a malformed answer is said, not guessed", () => {
  assert.match(
    serverFlight(Uint8Array.from([...Buffer.from("SIP/2.0 400 Bad Request\r\n")])).malformed ?? "",
    /not a TLS record/,
  );
  assert.match(serverFlight(bytes([99, 0x03, 0x03, 0, 1, 0])).malformed ?? "", /record type 99/);
});
