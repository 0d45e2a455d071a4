/**
 * [MS-TURN] as a Lync/Skype for Business A/V Edge speaks it (../shared/research/uc-ports.md §5), pure.
 * MS-TURN is built on draft-ietf-behave-rfc3489bis-02, not RFC 5389: the 20-byte header carries a
 * 128-bit transaction id and no magic cookie; instead a Magic Cookie *attribute* (0x000F, 0x72C64BC6)
 * must come first in every message ([MS-TURN] §2.2.2.x "Magic Cookie"), and REALM/NONCE use swapped
 * codes (0x0015 Realm, 0x0014 Nonce). The header and attribute codec is stun.ts (16-byte ids).
 *
 * Exports:
 * - MS_TURN_ATTR, MS_TURN_MAGIC_COOKIE: attribute codes and the cookie value.
 * - msTurnAllocateRequest(transactionId16, {msVersion}): the unauthenticated first Allocate (0x0003).
 * - msTurnUnauthorized(request, realm, nonce): Allocate error 0x0113 with 401, Realm, Nonce, MS-Version.
 * - isMsTurn(message): the Magic Cookie attribute comes first (else an MS-TURN server ignores it).
 * - parseMsTurnAnswer(message): {status, realm, nonce, msVersion} of an Allocate answer.
 * - TCP: MSOC_CLIENT_HELLO / MSOC_SERVER_HELLO (the pseudo-TLS handshake on TCP 443),
 *   isPseudoTlsClientHello(bytes), frameTcp(kind, payload) and tcpFrameLength(bytes) for the 4-byte
 *   framing that follows the handshake (libnice socket/udp-turn-over-tcp.c, "OC2007").
 */
import {
  STUN_ATTR,
  decodeStun,
  encodeStun,
  errorCodeValue,
  errorCode,
  textAttribute,
  textValue,
  type StunAttribute,
  type StunMessage,
} from "./stun.js";

/** [MS-TURN] §2.2.2.x: value of the Magic Cookie attribute (libnice TURN_MAGIC_COOKIE). */
export const MS_TURN_MAGIC_COOKIE = 0x72c64bc6;

export const MS_TURN_ATTR = {
  mappedAddress: 0x0001,
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  lifetime: 0x000d,
  alternateServer: 0x000e,
  magicCookie: 0x000f,
  /** Swapped relative to RFC 5389 (libnice stunmessage.c: "IDs of REALM and NONCE are swapped"). */
  nonce: 0x0014,
  realm: 0x0015,
  msVersion: 0x8008,
  xorMappedAddress: 0x8020,
  msSequenceNumber: 0x8050,
} as const;

/** [MS-TURN] §2.2.1 message types (method 3 = Allocate; same class bits as STUN). */
export const MS_TURN_TYPE = {
  allocateRequest: 0x0003,
  allocateResponse: 0x0103,
  allocateError: 0x0113,
} as const;

const ALLOCATE = 0x003;

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0);
  return out;
}

const cookieAttribute = (): StunAttribute => ({
  type: MS_TURN_ATTR.magicCookie,
  value: u32(MS_TURN_MAGIC_COOKIE),
});

/**
 * The first Allocate of a client: no credentials, so a live A/V Edge answers 401 with Realm and Nonce
 * (uc-ports.md §5.4). MS-Version 1 is what libnice (OC2007 R1) sends; ≥ 4 asks for IPv6 handling.
 */
export function msTurnAllocateRequest(
  transactionId: Uint8Array,
  opts: { msVersion?: number } = {},
): Uint8Array {
  if (transactionId.length !== 16) throw new RangeError("MS-TURN transaction ids are 16 bytes");
  const attributes = [cookieAttribute(), { type: MS_TURN_ATTR.msVersion, value: u32(opts.msVersion ?? 1) }];
  return encodeStun({ method: ALLOCATE, cls: "request", transactionId, attributes });
}

export function isMsTurn(m: StunMessage): boolean {
  const first = m.attributes[0];
  return (
    !m.cookie &&
    first !== undefined &&
    first.type === MS_TURN_ATTR.magicCookie &&
    first.value.length === 4 &&
    new DataView(first.value.buffer, first.value.byteOffset, 4).getUint32(0) === MS_TURN_MAGIC_COOKIE
  );
}

function msVersion(m: StunMessage): number | undefined {
  const a = m.attributes.find((x) => x.type === MS_TURN_ATTR.msVersion);
  return a && a.value.length === 4
    ? new DataView(a.value.buffer, a.value.byteOffset, 4).getUint32(0)
    : undefined;
}

/**
 * The A/V Edge's answer to an Allocate without credentials ([MS-TURN] example flow 710115a6…):
 * Allocate error response, Error Code 401, Realm and Nonce; MS-Version echoed when the request had one.
 */
export function msTurnUnauthorized(request: StunMessage, realm: string, nonce: Uint8Array): Uint8Array {
  const attributes: StunAttribute[] = [
    cookieAttribute(),
    { type: MS_TURN_ATTR.errorCode, value: errorCodeValue(401, "Unauthorized") },
    { type: MS_TURN_ATTR.realm, value: textValue(realm) },
    { type: MS_TURN_ATTR.nonce, value: nonce },
  ];
  const version = msVersion(request);
  if (version !== undefined) attributes.push({ type: MS_TURN_ATTR.msVersion, value: u32(version) });
  return encodeStun({ method: ALLOCATE, cls: "error", transactionId: request.transactionId, attributes });
}

export interface MsTurnAnswer {
  /** 200 for a success response, the Error Code for an error response, 0 when neither. */
  status: number;
  realm?: string;
  nonce?: string;
  msVersion?: number;
  msTurn: boolean;
}

export function parseMsTurnAnswer(m: StunMessage): MsTurnAnswer {
  const status = m.cls === "success" ? 200 : m.cls === "error" ? (errorCode(m)?.code ?? 0) : 0;
  const out: MsTurnAnswer = { status, msTurn: isMsTurn(m) };
  // An RFC 5389 TURN server answering the same probe uses the RFC codes; read whichever applies.
  const realm = textAttribute(m, out.msTurn ? MS_TURN_ATTR.realm : STUN_ATTR.realm);
  const nonce = textAttribute(m, out.msTurn ? MS_TURN_ATTR.nonce : STUN_ATTR.nonce);
  const version = msVersion(m);
  if (realm !== undefined) out.realm = realm;
  if (nonce !== undefined) out.nonce = nonce;
  if (version !== undefined) out.msVersion = version;
  return out;
}

/** An Allocate request in MS-TURN form (what the responder answers with 401). */
export function isMsTurnAllocate(m: StunMessage): boolean {
  return isMsTurn(m) && m.method === ALLOCATE && m.cls === "request";
}

// --- TCP 443: pseudo-TLS and framing -------------------------------------------------------------

const bytes = (s: string): Uint8Array =>
  Uint8Array.from(s.match(/[0-9a-f]{2}/g)!.map((h) => parseInt(h, 16)));

/**
 * libnice socket/pseudossl.c SSL_CLIENT_MSOC_HANDSHAKE (50 bytes): a TLS 1.0 ClientHello offering the
 * one cipher 0x0018 and null compression; [MS-TURN] "pseudo-TLS": no real TLS follows.
 */
export const MSOC_CLIENT_HELLO = bytes(
  "1603 0100 2d01 0000 2903 01c1 fcd5 a36d 93dd 7e0b 4567 3fec 7985 fbbc 3fd6 60c2 ce84 8508 1b81 21bc aa10 fb00 0002 0018 0100",
);

/** libnice SSL_SERVER_MSOC_HANDSHAKE (83 bytes): ServerHello (zero random and session id) + ServerHelloDone in one record. */
export const MSOC_SERVER_HELLO = (() => {
  const out = new Uint8Array(83);
  out.set(bytes("1603 0100 4e02 0000 4603 01"), 0); // record header, ServerHello header, version 3.1
  out[43] = 0x20; // session id length 32 (zeros follow)
  out.set(bytes("0018 00 0e00 0000"), 76); // cipher 0x0018, null compression, ServerHelloDone
  return out;
})();

/**
 * Whether the first bytes on a TCP connection are the pseudo-TLS ClientHello: a TLS handshake record
 * holding a ClientHello whose only cipher suite is 0x0018 (TLS_DH_anon_WITH_RC4_128_MD5, which no
 * real TLS client offers alone). Returns "incomplete" until the record is whole.
 */
export function isPseudoTlsClientHello(buf: Uint8Array): boolean | "incomplete" {
  if (buf.length < 5) return buf.length === 0 || buf[0] === 0x16 ? "incomplete" : false;
  if (buf[0] !== 0x16 || buf[1] !== 0x03) return false;
  const recordEnd = 5 + ((buf[3]! << 8) | buf[4]!);
  if (buf.length < recordEnd) return "incomplete";
  if (buf[5] !== 0x01) return false;
  const sidAt = 5 + 4 + 2 + 32;
  const cipherAt = sidAt + 1 + buf[sidAt]!;
  if (cipherAt + 4 > recordEnd) return false;
  const cipherLen = (buf[cipherAt]! << 8) | buf[cipherAt + 1]!;
  return cipherLen === 2 && buf[cipherAt + 2] === 0x00 && buf[cipherAt + 3] === 0x18;
}

/** Length of the first TLS record at the start of a stream, or undefined while incomplete. */
export function tlsRecordLength(buf: Uint8Array): number | undefined {
  if (buf.length < 5) return undefined;
  const total = 5 + ((buf[3]! << 8) | buf[4]!);
  return buf.length >= total ? total : undefined;
}

/** The framing after the pseudo-TLS handshake: type(1) reserved(1)=0 length(2). */
export const TCP_FRAME = { control: 0x02, data: 0x03 } as const;
export type TcpFrameKind = keyof typeof TCP_FRAME;

export function frameTcp(kind: TcpFrameKind, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  out[0] = TCP_FRAME[kind];
  out[2] = payload.length >> 8;
  out[3] = payload.length & 0xff;
  out.set(payload, 4);
  return out;
}

export type TcpFrame = { kind: TcpFrameKind; payload: Uint8Array; length: number };

/** The first whole frame on the stream; undefined while incomplete; an error for an unknown type byte. */
export function readTcpFrame(buf: Uint8Array): TcpFrame | undefined | { error: string } {
  if (buf.length < 4) return undefined;
  const kind = buf[0] === TCP_FRAME.control ? "control" : buf[0] === TCP_FRAME.data ? "data" : undefined;
  if (kind === undefined)
    return {
      error: `frame type 0x${buf[0]!.toString(16).padStart(2, "0")} is neither 0x02 (control) nor 0x03 (data)`,
    };
  const length = 4 + ((buf[2]! << 8) | buf[3]!);
  return buf.length >= length ? { kind, payload: buf.slice(4, length), length } : undefined;
}

/** Decode an MS-TURN message (header codec shared with STUN; requires the Magic Cookie attribute first). */
export function decodeMsTurn(
  buf: Uint8Array,
): { ok: true; message: StunMessage } | { ok: false; error: string } {
  const r = decodeStun(buf);
  if (!r.ok) return r;
  if (!isMsTurn(r.message))
    return {
      ok: false,
      error: "no Magic Cookie attribute (0x000F = 0x72C64BC6) first: not an MS-TURN message",
    };
  return r;
}
