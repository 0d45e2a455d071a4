/**
 * Just enough of the TLS record layer (RFC 5246 §6.2, §7.4) to read a server's first flight as it
 * crosses the wire, pure. Node has no API that says whether a server asked for a client certificate
 * (probing.md §4); in TLS 1.2 the CertificateRequest (handshake type 13) travels in clear before
 * ServerHelloDone (14), so the prober taps the bytes of a TLS 1.2 handshake and reads them here.
 *
 * - readServerHandshake(bytes, secret?): below.
 */
import { createCipheriv, createDecipheriv, createHmac } from "node:crypto";

export const HANDSHAKE = {
  serverHello: 2,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
  finished: 20,
} as const;

/** TLS 1.3 ServerHello carries supported_versions (43) = 0x0304; its random is not the HRR one. */
function isTls13ServerHello(body: Uint8Array): boolean {
  // legacy_version(2) random(32) session_id<1> cipher(2) compression(1) extensions<2>
  let at = 2 + 32;
  if (at >= body.length) return false;
  at += 1 + body[at]!;
  at += 3;
  if (at + 2 > body.length) return false;
  const end = at + 2 + ((body[at]! << 8) | body[at + 1]!);
  at += 2;
  while (at + 4 <= end && at + 4 <= body.length) {
    const type = (body[at]! << 8) | body[at + 1]!;
    const len = (body[at + 2]! << 8) | body[at + 3]!;
    if (type === 43 && len === 2) return body[at + 4] === 0x03 && body[at + 5] === 0x04;
    at += 4 + len;
  }
  return false;
}

/**
 * The server's side of a handshake as it crossed the wire, read whole (RFC 5246 §7.4, RFC 8446 §4):
 * what it asked and showed whether or not the handshake then completed.
 *
 * - TLS 1.2: the ServerHello, Certificate, CertificateRequest and ServerHelloDone travel in clear.
 * - TLS 1.3: everything after the ServerHello is encrypted under the server handshake traffic secret;
 *   given that secret (the client's own key log: Node's `keylog` event, RFC 8446 §7.1, NSS key log
 *   format) the records are decrypted here (AES-GCM or ChaCha20-Poly1305, RFC 8446 §5.2–5.3) and the
 *   EncryptedExtensions, CertificateRequest and Certificate read as in the clear case. Without the
 *   secret `certificateRequested` stays null.
 * - An alert in clear (TLS 1.2 refusals: 40 handshake_failure from OpenSSL, 50 decode_error from GnuTLS,
 *   42 bad_certificate, 116 …) is kept as `alert`; the verdict does not depend on which one.
 */
export interface ServerHandshake {
  /** "TLSv1.2", "TLSv1.3" (from the ServerHello), or "" when none was seen. */
  version: string;
  cipherSuite?: number;
  /** Handshake message types in order (clear and, with the secret, decrypted). */
  types: number[];
  /** true/false once the flight is known (1.2: ServerHelloDone; 1.3: the Certificate or Finished read). */
  certificateRequested: boolean | null;
  /** DER certificates of the server's Certificate message, leaf first. */
  certificates: Uint8Array[];
  alert?: number;
  malformed?: string;
}

export interface Tls13Secret {
  /** SERVER_HANDSHAKE_TRAFFIC_SECRET of the key log. */
  serverHandshake: Uint8Array;
}

const HRR_RANDOM = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c";

interface HelloFacts {
  version: "TLSv1.2" | "TLSv1.3" | "";
  cipherSuite: number;
  retry: boolean;
}

function readServerHello(body: Uint8Array): HelloFacts {
  const legacy = body.length >= 2 ? (body[0]! << 8) | body[1]! : 0;
  const retry = Buffer.from(body.subarray(2, 34)).toString("hex") === HRR_RANDOM;
  let at = 34;
  if (at >= body.length) return { version: "", cipherSuite: 0, retry };
  at += 1 + body[at]!;
  const cipherSuite = at + 2 <= body.length ? (body[at]! << 8) | body[at + 1]! : 0;
  const tls13 = isTls13ServerHello(body);
  return {
    version: tls13
      ? "TLSv1.3"
      : legacy === 0x0303
        ? "TLSv1.2"
        : legacy === 0x0302
          ? "TLSv1.1"
          : legacy === 0x0301
            ? "TLSv1"
            : "",
    cipherSuite,
    retry,
  } as HelloFacts;
}

/** Certificate message bodies: TLS 1.2 (RFC 5246 §7.4.2) and TLS 1.3 (RFC 8446 §4.4.2). */
function readCertificates(body: Uint8Array, tls13: boolean): Uint8Array[] {
  let at = 0;
  if (tls13) at += 1 + (body[0] ?? 0);
  if (at + 3 > body.length) return [];
  const end = Math.min(body.length, at + 3 + ((body[at]! << 16) | (body[at + 1]! << 8) | body[at + 2]!));
  at += 3;
  const out: Uint8Array[] = [];
  while (at + 3 <= end) {
    const len = (body[at]! << 16) | (body[at + 1]! << 8) | body[at + 2]!;
    at += 3;
    if (at + len > end) break;
    out.push(body.subarray(at, at + len));
    at += len;
    if (tls13) {
      if (at + 2 > end) break;
      at += 2 + ((body[at]! << 8) | body[at + 1]!);
    }
  }
  return out;
}

const AEAD: Record<number, { cipher: string; keyLength: number; hash: string }> = {
  0x1301: { cipher: "aes-128-gcm", keyLength: 16, hash: "sha256" },
  0x1302: { cipher: "aes-256-gcm", keyLength: 32, hash: "sha384" },
  0x1303: { cipher: "chacha20-poly1305", keyLength: 32, hash: "sha256" },
};

/** HKDF-Expand-Label (RFC 8446 §7.1) with an empty context. */
function expandLabel(hash: string, secret: Uint8Array, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, "ascii");
  const info = Buffer.concat([
    Buffer.from([length >> 8, length & 0xff, full.length]),
    full,
    Buffer.from([0]),
  ]);
  const out: Buffer[] = [];
  let prev = Buffer.alloc(0);
  for (let i = 1; Buffer.concat(out).length < length; i++) {
    prev = createHmac(hash, secret)
      .update(Buffer.concat([prev, info, Buffer.from([i])]))
      .digest();
    out.push(prev);
  }
  return Buffer.concat(out).subarray(0, length);
}

/** One TLS 1.3 record opened (RFC 8446 §5.2): the inner content type and content, or null. */
function openRecord(
  suite: { cipher: string; keyLength: number; hash: string },
  key: Buffer,
  iv: Buffer,
  seq: number,
  header: Uint8Array,
  body: Uint8Array,
): { type: number; content: Uint8Array } | null {
  if (body.length < 17) return null;
  const nonce = Buffer.from(iv);
  for (let i = 0; i < 8; i++) nonce[nonce.length - 1 - i]! ^= Math.floor(seq / 2 ** (8 * i)) & 0xff;
  try {
    const d = createDecipheriv(suite.cipher as "aes-128-gcm", key, nonce, { authTagLength: 16 });
    d.setAAD(header);
    d.setAuthTag(body.subarray(body.length - 16));
    const plain = Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]);
    let end = plain.length;
    while (end > 0 && plain[end - 1] === 0) end--;
    if (end === 0) return null;
    return { type: plain[end - 1]!, content: plain.subarray(0, end - 1) };
  } catch {
    return null;
  }
}

/** Whole handshake messages (type, 24-bit length, body) at the start of a byte run; the rest kept. */
function splitHandshake(run: number[]): {
  messages: Array<{ type: number; body: Uint8Array }>;
  rest: number[];
} {
  const messages: Array<{ type: number; body: Uint8Array }> = [];
  let h = 0;
  while (h + 4 <= run.length) {
    const len = (run[h + 1]! << 16) | (run[h + 2]! << 8) | run[h + 3]!;
    if (h + 4 + len > run.length) break;
    messages.push({ type: run[h]!, body: Uint8Array.from(run.slice(h + 4, h + 4 + len)) });
    h += 4 + len;
  }
  return { messages, rest: run.slice(h) };
}

export function readServerHandshake(bytes: Uint8Array, secret?: Tls13Secret): ServerHandshake {
  const out: ServerHandshake = { version: "", types: [], certificateRequested: null, certificates: [] };
  let hello: HelloFacts | undefined;
  let clear: number[] = [];
  let seq = 0;
  let keys: { suite: (typeof AEAD)[number]; key: Buffer; iv: Buffer } | null | undefined;
  let protectedBytes: number[] = [];
  let at = 0;
  while (at + 5 <= bytes.length) {
    const type = bytes[at]!;
    if (bytes[at + 1] !== 0x03) return { ...out, malformed: "not a TLS record (version byte)" };
    const len = (bytes[at + 3]! << 8) | bytes[at + 4]!;
    if (at + 5 + len > bytes.length) break;
    const header = bytes.subarray(at, at + 5);
    const body = bytes.subarray(at + 5, at + 5 + len);
    at += 5 + len;
    if (type === 21) {
      if (body.length >= 2) out.alert = body[1]!;
      break;
    }
    if (type === 22) {
      for (const b of body) clear.push(b);
      // The ServerHello decides whether what follows is clear (1.2) or encrypted (1.3).
      const got = splitHandshake(clear);
      clear = got.rest;
      for (const { type: ht, body: hb } of got.messages) {
        out.types.push(ht);
        if (ht === HANDSHAKE.serverHello) {
          hello = readServerHello(hb);
          if (hello.retry) {
            out.types.pop();
            continue;
          }
          out.version = hello.version;
          out.cipherSuite = hello.cipherSuite;
        } else if (ht === HANDSHAKE.certificate) out.certificates = readCertificates(hb, false);
        else if (ht === HANDSHAKE.serverHelloDone) {
          out.certificateRequested = out.types.includes(HANDSHAKE.certificateRequest);
          return out;
        }
      }
      continue;
    }
    if (type === 20) {
      if (hello?.version === "TLSv1.3") continue; // middlebox-compatibility CCS (RFC 8446 §D.4)
      break; // TLS 1.2: the clear part is over
    }
    if (type === 23 && hello?.version === "TLSv1.3") {
      if (secret === undefined) break;
      if (keys === undefined) {
        const suite = AEAD[hello.cipherSuite];
        keys = suite
          ? {
              suite,
              key: expandLabel(suite.hash, secret.serverHandshake, "key", suite.keyLength),
              iv: expandLabel(suite.hash, secret.serverHandshake, "iv", 12),
            }
          : null;
      }
      if (keys === null) return { ...out, malformed: `unknown TLS 1.3 cipher suite ${hello.cipherSuite}` };
      const opened = openRecord(keys.suite, keys.key, keys.iv, seq++, header, body);
      if (opened === null) break; // not under this key (application data): the handshake part is over
      if (opened.type === 21) {
        if (opened.content.length >= 2) out.alert = opened.content[1]!;
        break;
      }
      if (opened.type !== 22) break;
      for (const b of opened.content) protectedBytes.push(b);
      const got = splitHandshake(protectedBytes);
      protectedBytes = got.rest;
      for (const { type: ht, body: hb } of got.messages) {
        out.types.push(ht);
        if (ht === HANDSHAKE.certificateRequest) out.certificateRequested = true;
        if (ht === HANDSHAKE.certificate) {
          out.certificates = readCertificates(hb, true);
          // CertificateRequest comes before Certificate (RFC 8446 §4.3.2): none by now, none at all.
          if (out.certificateRequested === null) out.certificateRequested = false;
        }
        if (ht === HANDSHAKE.finished) {
          if (out.certificateRequested === null) out.certificateRequested = false;
          return out;
        }
      }
      continue;
    }
    if (type === 23) break;
    return { ...out, malformed: `record type ${type}` };
  }
  return out;
}

/** The 32-byte random of a ClientHello at the start of a client's bytes (hex: the key log's key). */
export function clientHelloRandom(bytes: Uint8Array): string | undefined {
  // record header (5) + handshake header (4) + legacy_version (2), then the random.
  if (bytes.length < 43 || bytes[0] !== 22 || bytes[5] !== 1) return undefined;
  return Buffer.from(bytes.subarray(11, 43)).toString("hex");
}

export type ClientCertificateRead =
  | { state: "incomplete" }
  /** The client's Certificate message (empty list: it had none to give). */
  | { state: "certificate"; certificates: Uint8Array[] }
  /** Its flight went on without a Certificate (or could not be read): nothing to judge. */
  | { state: "none" };

/**
 * The Certificate message of a client's second flight (RFC 5246 §7.4.6 in clear; RFC 8446 §4.4.2
 * under the client handshake traffic secret), from the client's bytes after its ClientHello.
 */
export function readClientCertificate(
  bytes: Uint8Array,
  server: { version: string; cipherSuite?: number },
  clientHandshakeSecret?: Uint8Array,
): ClientCertificateRead {
  const tls13 = server.version === "TLSv1.3";
  const suite = server.cipherSuite === undefined ? undefined : AEAD[server.cipherSuite];
  if (tls13 && (suite === undefined || clientHandshakeSecret === undefined)) return { state: "incomplete" };
  const keys =
    tls13 && suite && clientHandshakeSecret
      ? {
          key: expandLabel(suite.hash, clientHandshakeSecret, "key", suite.keyLength),
          iv: expandLabel(suite.hash, clientHandshakeSecret, "iv", 12),
        }
      : undefined;
  let run: number[] = [];
  let seq = 0;
  let at = 0;
  while (at + 5 <= bytes.length) {
    const type = bytes[at]!;
    const len = (bytes[at + 3]! << 8) | bytes[at + 4]!;
    if (at + 5 + len > bytes.length) break;
    const header = bytes.subarray(at, at + 5);
    const body = bytes.subarray(at + 5, at + 5 + len);
    at += 5 + len;
    let content: Uint8Array | undefined;
    if (type === 22 && !tls13) content = body;
    else if (type === 20 && tls13) continue;
    else if (type === 23 && keys && suite) {
      const opened = openRecord(suite, keys.key, keys.iv, seq++, header, body);
      if (opened === null || opened.type !== 22) return { state: "none" };
      content = opened.content;
    } else return { state: "none" };
    for (const b of content) run.push(b);
    const got = splitHandshake(run);
    run = got.rest;
    const first = got.messages[0];
    if (first === undefined) continue;
    if (first.type !== HANDSHAKE.certificate) return { state: "none" };
    return { state: "certificate", certificates: readCertificates(first.body, tls13) };
  }
  return { state: "incomplete" };
}

/**
 * One TLS 1.3 record sealed under `secret` (RFC 8446 §5.2): e.g. an alert under the server's
 * application traffic secret, sequence 0 (nothing was sent under that key yet).
 */
export function sealRecord(
  cipherSuite: number,
  secret: Uint8Array,
  seq: number,
  innerType: number,
  content: Uint8Array,
): Uint8Array | undefined {
  const suite = AEAD[cipherSuite];
  if (suite === undefined) return undefined;
  const key = expandLabel(suite.hash, secret, "key", suite.keyLength);
  const nonce = expandLabel(suite.hash, secret, "iv", 12);
  for (let i = 0; i < 8; i++) nonce[nonce.length - 1 - i]! ^= Math.floor(seq / 2 ** (8 * i)) & 0xff;
  const plain = Buffer.concat([content, Buffer.from([innerType])]);
  const header = Buffer.from([23, 0x03, 0x03, (plain.length + 16) >> 8, (plain.length + 16) & 0xff]);
  const c = createCipheriv(suite.cipher as "aes-128-gcm", key, nonce, { authTagLength: 16 });
  c.setAAD(header);
  return Buffer.concat([header, c.update(plain), c.final(), c.getAuthTag()]);
}
