/**
 * STUN message codec (RFC 5389, RFC 8489), pure: bytes in, bytes out. Used by `listen` (responder) and
 * `probe` (client); tested against the RFC 5769 vectors (stun.test.ts).
 *
 * Exports:
 * - MAGIC_COOKIE, STUN_METHOD, STUN_ATTR: protocol constants (RFC 5389 §6, §18.2; RFC 8489 §18.3).
 * - encodeStun(message, {integrityKey, fingerprint, padding}): header + attributes, optionally
 *   MESSAGE-INTEGRITY (§15.4) and FINGERPRINT (§15.5). A 12-byte transaction id gives the RFC 5389
 *   header (magic cookie); a 16-byte one gives the legacy RFC 3489 / [MS-TURN] header (no cookie).
 * - decodeStun(bytes): a validated StunMessage or an error; checks FINGERPRINT when present.
 * - verifyIntegrity(message, key): checks MESSAGE-INTEGRITY (RFC 5389 §15.4).
 * - shortTermKey(password), longTermKey(username, realm, password): HMAC keys (§15.4; SASLprep is not
 *   applied: callers pass prepared strings).
 * - stunFrameLength(bytes): length of the complete message at the start of a stream, or undefined.
 * - bindingRequest, bindingSuccess, mappedAddress, errorCode, textAttribute: the Binding exchange;
 *   changeFlags, unknownAttributesError: what a one-address server says to a CHANGE-REQUEST.
 * - xorAddressValue / decodeXorAddress: the XOR-MAPPED-ADDRESS value (§15.2), reused by MS-TURN.
 */
import { createHash, createHmac } from "node:crypto";
import ipaddr from "ipaddr.js";

/** RFC 5389 §6: fixed value in bytes 4–7 of every RFC 5389 message. */
export const MAGIC_COOKIE = 0x2112a442;

export const STUN_METHOD = { binding: 0x001, allocate: 0x003 } as const;

/** Attribute types (RFC 5389 §18.2, RFC 8489 §18.3). */
export const STUN_ATTR = {
  mappedAddress: 0x0001,
  /** RFC 3489 §11.2.4 / RFC 5780 §7.2: "send the answer from another IP (0x4) / port (0x2)". */
  changeRequest: 0x0003,
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  unknownAttributes: 0x000a,
  realm: 0x0014,
  nonce: 0x0015,
  xorMappedAddress: 0x0020,
  software: 0x8022,
  fingerprint: 0x8028,
} as const;

export type StunClass = "request" | "indication" | "success" | "error";

export interface StunAttribute {
  type: number;
  value: Uint8Array;
}

export interface StunMessage {
  method: number;
  cls: StunClass;
  /** 12 bytes (RFC 5389, `cookie` true) or 16 bytes (RFC 3489 / [MS-TURN], `cookie` false). */
  transactionId: Uint8Array;
  cookie: boolean;
  attributes: StunAttribute[];
  /** The message as received, for MESSAGE-INTEGRITY checks. */
  raw: Uint8Array;
}

export interface EncodeInput {
  method: number;
  cls: StunClass;
  transactionId: Uint8Array;
  attributes?: StunAttribute[];
}

export interface EncodeOptions {
  fingerprint?: boolean;
  integrityKey?: Uint8Array;
  /** Padding byte value; RFC 5769's vectors pad with 0x20 to catch decoders that read padding. */
  padding?: number;
}

const CLASS_BITS: Record<StunClass, number> = {
  request: 0x000,
  indication: 0x010,
  success: 0x100,
  error: 0x110,
};
/** RFC 5389 §15.5: FINGERPRINT is the CRC-32 XORed with this ("STUN"). */
const FINGERPRINT_XOR = 0x5354554e;
const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: false });

/** RFC 5389 §6: the class bits C0/C1 sit at bits 4 and 8, interleaved with the 12 method bits. */
export function messageType(method: number, cls: StunClass): number {
  return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | CLASS_BITS[cls];
}

function splitType(type: number): { method: number; cls: StunClass } {
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const bits = type & 0x110;
  const cls: StunClass =
    bits === 0x000 ? "request" : bits === 0x010 ? "indication" : bits === 0x100 ? "success" : "error";
  return { method, cls };
}

const pad4 = (n: number): number => (n + 3) & ~3;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function attributeBytes(a: StunAttribute, padding: number): Uint8Array {
  const out = new Uint8Array(4 + pad4(a.value.length)).fill(padding, 4 + a.value.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, a.type);
  view.setUint16(2, a.value.length);
  out.set(a.value, 4);
  return out;
}

function header(type: number, length: number, transactionId: Uint8Array): Uint8Array {
  if (transactionId.length !== 12 && transactionId.length !== 16)
    throw new RangeError("STUN transaction id must be 12 (RFC 5389) or 16 (RFC 3489/MS-TURN) bytes");
  const out = new Uint8Array(20);
  const view = new DataView(out.buffer);
  view.setUint16(0, type);
  view.setUint16(2, length);
  if (transactionId.length === 12) {
    view.setUint32(4, MAGIC_COOKIE);
    out.set(transactionId, 8);
  } else out.set(transactionId, 4);
  return out;
}

function setLength(msg: Uint8Array, length: number): void {
  new DataView(msg.buffer, msg.byteOffset, msg.byteLength).setUint16(2, length);
}

export function encodeStun(m: EncodeInput, opts: EncodeOptions = {}): Uint8Array {
  const body = concat((m.attributes ?? []).map((a) => attributeBytes(a, opts.padding ?? 0)));
  let msg = concat([header(messageType(m.method, m.cls), body.length, m.transactionId), body]);
  if (opts.integrityKey) {
    // §15.4: the HMAC covers the message up to MI, with the length field already counting MI.
    setLength(msg, msg.length - 20 + 24);
    const mac = createHmac("sha1", opts.integrityKey).update(msg).digest();
    msg = concat([msg, attributeBytes({ type: STUN_ATTR.messageIntegrity, value: mac }, 0)]);
  }
  if (opts.fingerprint) {
    setLength(msg, msg.length - 20 + 8);
    const value = new Uint8Array(4);
    new DataView(value.buffer).setUint32(0, (crc32(msg) ^ FINGERPRINT_XOR) >>> 0);
    msg = concat([msg, attributeBytes({ type: STUN_ATTR.fingerprint, value }, 0)]);
  }
  return msg;
}

export type DecodeResult = { ok: true; message: StunMessage } | { ok: false; error: string };

export function decodeStun(buf: Uint8Array): DecodeResult {
  if (buf.length < 20)
    return { ok: false, error: `${buf.length} bytes: shorter than the 20-byte STUN header` };
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const type = view.getUint16(0);
  if (type & 0xc000)
    return { ok: false, error: "the first two bits of a STUN message must be zero (RFC 5389 §6)" };
  const length = view.getUint16(2);
  if (length % 4 !== 0) return { ok: false, error: `message length ${length} is not a multiple of 4` };
  if (20 + length !== buf.length)
    return {
      ok: false,
      error: `message length ${length} does not match the ${buf.length - 20} bytes after the header`,
    };
  const cookie = view.getUint32(4) === MAGIC_COOKIE;
  const transactionId = buf.slice(cookie ? 8 : 4, 20);
  const attributes: StunAttribute[] = [];
  for (let at = 20; at < buf.length;) {
    if (at + 4 > buf.length) return { ok: false, error: `truncated attribute header at byte ${at}` };
    const aType = view.getUint16(at);
    const aLen = view.getUint16(at + 2);
    if (at + 4 + aLen > buf.length)
      return { ok: false, error: `attribute 0x${hex4(aType)} at byte ${at} runs past the message end` };
    if (aType === STUN_ATTR.fingerprint && cookie) {
      if (aLen !== 4 || at + 8 !== buf.length)
        return { ok: false, error: "FINGERPRINT must be the last attribute" };
      const expect = (crc32(withLength(buf.subarray(0, at), at + 8 - 20)) ^ FINGERPRINT_XOR) >>> 0;
      if (view.getUint32(at + 4) !== expect)
        return { ok: false, error: "FINGERPRINT does not match (RFC 5389 §15.5)" };
    }
    attributes.push({ type: aType, value: buf.slice(at + 4, at + 4 + aLen) });
    at += 4 + pad4(aLen);
  }
  return { ok: true, message: { ...splitType(type), transactionId, cookie, attributes, raw: buf.slice() } };
}

function withLength(prefix: Uint8Array, length: number): Uint8Array {
  const copy = prefix.slice();
  setLength(copy, length);
  return copy;
}

const hex4 = (n: number): string => n.toString(16).padStart(4, "0");

/** RFC 5389 §15.4: HMAC-SHA1 over the message up to MESSAGE-INTEGRITY, length adjusted to end after it. */
export function verifyIntegrity(m: StunMessage, key: Uint8Array): boolean {
  let at = 20;
  for (const a of m.attributes) {
    if (a.type === STUN_ATTR.messageIntegrity) {
      if (a.value.length !== 20) return false;
      const mac = createHmac("sha1", key)
        .update(withLength(m.raw.subarray(0, at), at + 24 - 20))
        .digest();
      return Buffer.compare(mac, Buffer.from(a.value)) === 0;
    }
    at += 4 + pad4(a.value.length);
  }
  return false;
}

export function shortTermKey(password: string): Uint8Array {
  return enc.encode(password);
}

/** RFC 5389 §15.4: key = MD5(username ":" realm ":" password). */
export function longTermKey(username: string, realm: string, password: string): Uint8Array {
  return new Uint8Array(createHash("md5").update(`${username}:${realm}:${password}`, "utf8").digest());
}

/** On a stream (STUN over TCP, RFC 5389 §7.2.2): bytes of the first complete message, or undefined. */
export function stunFrameLength(buf: Uint8Array): number | undefined {
  if (buf.length < 20) return undefined;
  const total = 20 + ((buf[2]! << 8) | buf[3]!);
  return buf.length >= total ? total : undefined;
}

export function bindingRequest(transactionId: Uint8Array, software?: string): Uint8Array {
  const attributes =
    software === undefined ? [] : [{ type: STUN_ATTR.software, value: enc.encode(software) }];
  return encodeStun(
    { method: STUN_METHOD.binding, cls: "request", transactionId, attributes },
    { fingerprint: true },
  );
}

export interface TransportAddress {
  address: string;
  port: number;
}

/**
 * Binding success. To an RFC 3489 client (no magic cookie, 16-byte transaction id) the answer keeps
 * the request's cookie field and carries MAPPED-ADDRESS instead of XOR-MAPPED-ADDRESS (RFC 5389
 * §12.2), or such a client (e.g. the classic `stun` client) finds no address it can read.
 */
export function bindingSuccess(
  request: StunMessage,
  mapped: TransportAddress,
  software?: string,
): Uint8Array {
  const attributes: StunAttribute[] = [
    request.cookie
      ? { type: STUN_ATTR.xorMappedAddress, value: xorAddressValue(mapped, request.transactionId) }
      : { type: STUN_ATTR.mappedAddress, value: plainAddressValue(mapped) },
  ];
  if (software !== undefined) attributes.push({ type: STUN_ATTR.software, value: enc.encode(software) });
  return encodeStun(
    { method: STUN_METHOD.binding, cls: "success", transactionId: request.transactionId, attributes },
    { fingerprint: request.cookie },
  );
}

/**
 * The change flags of a CHANGE-REQUEST (0x4 change IP, 0x2 change port), 0 when absent. A server
 * with one address cannot honour them: it answers 420 (RFC 5389 §7.3.1), as coturn does.
 */
export function changeFlags(m: StunMessage): number {
  const a = m.attributes.find((x) => x.type === STUN_ATTR.changeRequest);
  return a && a.value.length === 4 ? a.value[3]! & 0x06 : 0;
}

/**
 * What a one-address Binding server does with a request's attributes: USERNAME, MESSAGE-INTEGRITY,
 * REALM, NONCE and ICE's PRIORITY (0x0024) and USE-CANDIDATE (0x0025) are understood (nothing in them
 * changes a Binding answer); a CHANGE-REQUEST with flags it cannot honour counts as not understood.
 */
const BINDING_UNDERSTOOD: ReadonlySet<number> = new Set([
  STUN_ATTR.username,
  STUN_ATTR.messageIntegrity,
  STUN_ATTR.realm,
  STUN_ATTR.nonce,
  0x0024,
  0x0025,
]);

/**
 * RFC 5389 §7.3.1: every comprehension-required attribute (type below 0x8000) of a request that the
 * server does not understand, each once, in the order they came — all of them go in the 420's
 * UNKNOWN-ATTRIBUTES, not just the first.
 */
export function unknownRequired(m: StunMessage): number[] {
  const out: number[] = [];
  for (const a of m.attributes) {
    if (a.type >= 0x8000 || out.includes(a.type)) continue;
    if (a.type === STUN_ATTR.changeRequest ? changeFlags(m) === 0 : BINDING_UNDERSTOOD.has(a.type)) continue;
    out.push(a.type);
  }
  return out;
}

/** RFC 5389 §7.3.1, §15.9: 420 Unknown Attribute naming the attributes not understood. */
export function unknownAttributesError(
  request: StunMessage,
  types: readonly number[],
  software?: string,
): Uint8Array {
  const list = new Uint8Array(types.length * 2);
  types.forEach((t, i) => new DataView(list.buffer).setUint16(2 * i, t));
  const attributes: StunAttribute[] = [
    { type: STUN_ATTR.errorCode, value: errorCodeValue(420, "Unknown Attribute") },
    { type: STUN_ATTR.unknownAttributes, value: list },
  ];
  if (software !== undefined) attributes.push({ type: STUN_ATTR.software, value: enc.encode(software) });
  return encodeStun(
    { method: request.method, cls: "error", transactionId: request.transactionId, attributes },
    { fingerprint: request.cookie },
  );
}

/** RFC 5389 §15.1 MAPPED-ADDRESS: family, port and address in clear. */
export function plainAddressValue(a: TransportAddress): Uint8Array {
  const ip = parseIp(a.address);
  const out = new Uint8Array(4 + ip.length);
  out[1] = ip.length === 4 ? 0x01 : 0x02;
  new DataView(out.buffer).setUint16(2, a.port);
  out.set(ip, 4);
  return out;
}

/**
 * RFC 5389 §15.2: family, port XOR the cookie's top 16 bits, address XOR cookie (IPv4) or
 * cookie ‖ transaction id (IPv6). With a 16-byte (MS-TURN) transaction id its first 12 bytes follow
 * the cookie, as [MS-TURN] §2.2.2.16 XOR-MAPPED-ADDRESS does.
 */
export function xorAddressValue(a: TransportAddress, transactionId: Uint8Array): Uint8Array {
  const ip = parseIp(a.address);
  const out = new Uint8Array(4 + ip.length);
  const view = new DataView(out.buffer);
  view.setUint8(1, ip.length === 4 ? 0x01 : 0x02);
  view.setUint16(2, a.port ^ (MAGIC_COOKIE >>> 16));
  const mask = xorMask(transactionId);
  ip.forEach((b, i) => (out[4 + i] = b ^ mask[i]!));
  return out;
}

export function decodeXorAddress(
  value: Uint8Array,
  transactionId: Uint8Array,
): (TransportAddress & { family: 4 | 6 }) | undefined {
  const plain = decodePlainAddress(value);
  if (!plain) return undefined;
  const mask = xorMask(transactionId);
  const bytes = plain.bytes.map((b, i) => b ^ mask[i]!);
  return { address: formatIp(bytes), port: plain.port ^ (MAGIC_COOKIE >>> 16), family: plain.family };
}

function xorMask(transactionId: Uint8Array): Uint8Array {
  const mask = new Uint8Array(16);
  new DataView(mask.buffer).setUint32(0, MAGIC_COOKIE);
  mask.set(transactionId.subarray(0, 12), 4);
  return mask;
}

function decodePlainAddress(v: Uint8Array): { family: 4 | 6; port: number; bytes: Uint8Array } | undefined {
  if (v.length < 8) return undefined;
  const family = v[1] === 0x01 && v.length === 8 ? 4 : v[1] === 0x02 && v.length === 20 ? 6 : undefined;
  if (family === undefined) return undefined;
  return { family, port: (v[2]! << 8) | v[3]!, bytes: v.slice(4) };
}

/** XOR-MAPPED-ADDRESS when present (also the MS-TURN code 0x8020), else MAPPED-ADDRESS. */
export function mappedAddress(m: StunMessage): (TransportAddress & { family: 4 | 6 }) | undefined {
  for (const type of [STUN_ATTR.xorMappedAddress, 0x8020]) {
    const a = m.attributes.find((x) => x.type === type);
    if (a) return decodeXorAddress(a.value, m.transactionId);
  }
  const plain = m.attributes.find((x) => x.type === STUN_ATTR.mappedAddress);
  const p = plain && decodePlainAddress(plain.value);
  return p ? { address: formatIp(p.bytes), port: p.port, family: p.family } : undefined;
}

/** RFC 5389 §15.6: 21 zero bits, class (3 bits), number (8 bits), UTF-8 reason phrase. */
export function errorCodeValue(code: number, reason: string): Uint8Array {
  const r = enc.encode(reason);
  const out = new Uint8Array(4 + r.length);
  out[2] = Math.floor(code / 100) & 0x07;
  out[3] = code % 100;
  out.set(r, 4);
  return out;
}

export function errorCode(m: StunMessage): { code: number; reason: string } | undefined {
  const a = m.attributes.find((x) => x.type === STUN_ATTR.errorCode);
  if (!a || a.value.length < 4) return undefined;
  return { code: (a.value[2]! & 0x07) * 100 + a.value[3]!, reason: dec.decode(a.value.subarray(4)) };
}

/** A UTF-8 attribute (REALM, NONCE, SOFTWARE, USERNAME) as text. */
export function textAttribute(m: StunMessage, type: number): string | undefined {
  const a = m.attributes.find((x) => x.type === type);
  return a ? dec.decode(a.value) : undefined;
}

export function textValue(text: string): Uint8Array {
  return enc.encode(text);
}

/** IPv4 or IPv6 text (any RFC 4291 form, also IPv4-embedded) to network-order bytes. */
export function parseIp(text: string): Uint8Array {
  if (!ipaddr.isValid(text)) throw new RangeError(`not an IP address: ${text}`);
  return Uint8Array.from(ipaddr.parse(text).toByteArray());
}

/** Bytes to text; IPv6 in RFC 5952 form (lower case, longest zero run compressed). */
export function formatIp(bytes: Uint8Array): string {
  const a = ipaddr.fromByteArray(Array.from(bytes));
  return a.kind() === "ipv6" ? (a as ipaddr.IPv6).toRFC5952String() : a.toString();
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 as ISO 3309 / ITU-T V.42 define it (the one RFC 5389 §15.5 names). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
