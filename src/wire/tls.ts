/**
 * Just enough of the TLS record layer (RFC 5246 §6.2, §7.4) to read a server's first flight as it
 * crosses the wire, pure. Node has no API that says whether a server asked for a client certificate
 * (probing.md §4); in TLS 1.2 the CertificateRequest (handshake type 13) travels in clear before
 * ServerHelloDone (14), so the prober taps the bytes of a TLS 1.2 handshake and reads them here.
 *
 * - serverFlight(bytes): the handshake message types of the server's first flight so far, whether the
 *   flight is complete (ServerHelloDone seen, or a TLS 1.3 ServerHello: the rest is encrypted) and
 *   any alert; `certificateRequested` is true/false once ServerHelloDone is seen, null before or
 *   under TLS 1.3.
 */
export const HANDSHAKE = {
  serverHello: 2,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
} as const;

export interface ServerFlight {
  types: number[];
  complete: boolean;
  certificateRequested: boolean | null;
  /** TLS alert description code, when the server sent one in clear. */
  alert?: number;
  /** The record layer was not TLS. */
  malformed?: string;
}

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

export function serverFlight(bytes: Uint8Array): ServerFlight {
  const out: ServerFlight = { types: [], complete: false, certificateRequested: null };
  const handshake: number[] = [];
  let at = 0;
  while (at + 5 <= bytes.length) {
    const type = bytes[at]!;
    if (bytes[at + 1] !== 0x03) return { ...out, malformed: "not a TLS record (version byte)" };
    const len = (bytes[at + 3]! << 8) | bytes[at + 4]!;
    if (at + 5 + len > bytes.length) break;
    const body = bytes.subarray(at + 5, at + 5 + len);
    if (type === 21 && body.length >= 2) {
      out.alert = body[1]!;
      out.complete = true;
      break;
    }
    if (type === 22) for (const b of body) handshake.push(b);
    else if (type === 20 || type === 23)
      break; // ChangeCipherSpec / application data: the clear part is over
    else return { ...out, malformed: `record type ${type}` };
    at += 5 + len;
  }
  let h = 0;
  while (h + 4 <= handshake.length) {
    const type = handshake[h]!;
    const len = (handshake[h + 1]! << 16) | (handshake[h + 2]! << 8) | handshake[h + 3]!;
    if (h + 4 + len > handshake.length) break;
    out.types.push(type);
    if (
      type === HANDSHAKE.serverHello &&
      isTls13ServerHello(Uint8Array.from(handshake.slice(h + 4, h + 4 + len)))
    ) {
      out.complete = true; // everything after the TLS 1.3 ServerHello is encrypted
      return out;
    }
    if (type === HANDSHAKE.serverHelloDone) {
      out.complete = true;
      out.certificateRequested = out.types.includes(HANDSHAKE.certificateRequest);
      return out;
    }
    h += 4 + len;
  }
  return out;
}
