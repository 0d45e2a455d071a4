/**
 * Deep probes after a TCP port is found open: what the service says. Shell: sockets.
 *
 * - probeTls: a TLS handshake (Node's tls, peer verification recorded, never fatal), the server
 *   certificate's subject, SANs and expiry; for SIP a SIP OPTIONS and its status line and Server
 *   header. MTLS is judged after the first exchange, never at secureConnect: under TLS 1.3 a server
 *   that requires a client certificate completes the handshake and then sends alert 116
 *   (probing.md §4), under TLS 1.2 it fails the handshake with alert 40.
 * - clientCertRequested: a second handshake capped at TLS 1.2 whose bytes are tapped, because only
 *   there the CertificateRequest travels in clear (wire/tls.ts); null if the server will not speak 1.2.
 * - probeMsTurnTcp: the MS-TURN pseudo-TLS handshake on TCP 443 and a framed Allocate; a 401 with a
 *   realm proves an A/V Edge (uc-ports.md §5).
 */
import net from "node:net";
import tls from "node:tls";
import { Duplex } from "node:stream";
import { randomBytes } from "node:crypto";
import { serverFlight } from "../wire/tls.js";
import { header, optionsRequest, parseSipMessage, sipFrameLength } from "../wire/sip.js";
import {
  MSOC_CLIENT_HELLO,
  decodeMsTurn,
  frameTcp,
  msTurnAllocateRequest,
  parseMsTurnAnswer,
  readTcpFrame,
  tlsRecordLength,
} from "../wire/msturn.js";
import type { ProbeResultT } from "../probe/result.js";

export interface TlsJob {
  host: string;
  port: number;
  localAddress?: string;
  localPort?: number;
  sip: boolean;
  checkCertRequest: boolean;
  timeoutMs: number;
  /** PEM: CA to verify the server against; client certificate and key to present (MTLS). */
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
  /** Our SIP identity for From/Via (the prober endpoint id). */
  fromName: string;
}

export interface TlsAnswer {
  handshake: boolean;
  tls?: NonNullable<ProbeResultT["tls"]>;
  sip?: NonNullable<ProbeResultT["sip"]>;
  detail: string;
  /** An error before any TLS answer (the port is open at TCP level but nothing TLS answered). */
  error?: string;
}

const ALERT_CERT_REQUIRED = /CERTIFICATE_REQUIRED|alert number 116|PEER_DID_NOT_RETURN_A_CERTIFICATE/i;
const ALERT_HANDSHAKE = /HANDSHAKE_FAILURE|alert number 40|BAD_CERTIFICATE|alert number 42/i;

function san(cert: tls.PeerCertificate): string[] {
  return (cert.subjectaltname ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function dn(x: tls.PeerCertificate["subject"] | undefined): string {
  if (!x) return "";
  if (x.CN) return `CN=${x.CN}`;
  return Object.entries(x)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(", ");
}

function tlsOptions(job: TlsJob, extra: tls.ConnectionOptions = {}): tls.ConnectionOptions {
  const o: tls.ConnectionOptions = { rejectUnauthorized: false, ...extra };
  if (job.ca !== undefined) o.ca = job.ca;
  if (job.cert !== undefined && job.key !== undefined) {
    o.cert = job.cert;
    o.key = job.key;
  }
  if (job.servername !== undefined && net.isIP(job.servername) === 0) o.servername = job.servername;
  return o;
}

export function probeTls(job: TlsJob): Promise<TlsAnswer> {
  return new Promise((resolve) => {
    const base: tls.ConnectionOptions & { localAddress?: string; localPort?: number } = {
      host: job.host,
      port: job.port,
    };
    if (job.localAddress !== undefined) base.localAddress = job.localAddress;
    if (job.localPort !== undefined) base.localPort = job.localPort;
    const s = tls.connect({ ...base, ...tlsOptions(job) });
    let facts: TlsAnswer["tls"];
    let buf = Buffer.alloc(0);
    let settled = false;
    const finish = (a: Omit<TlsAnswer, "handshake">): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ handshake: facts !== undefined, ...(facts ? { tls: facts } : {}), ...a });
    };
    const timer = setTimeout(
      () =>
        finish(
          facts
            ? { detail: job.sip ? "TLS up; no SIP answer in time" : "TLS up" }
            : { detail: "no TLS answer in time", error: "tls-timeout" },
        ),
      job.timeoutMs,
    );
    s.once("secureConnect", () => {
      const cert = s.getPeerCertificate();
      facts = {
        version: s.getProtocol() ?? "",
        cipher: s.getCipher()?.name ?? "",
        subject: dn(cert.subject),
        issuer: dn(cert.issuer),
        names: san(cert),
        notAfter: cert.valid_to ? new Date(cert.valid_to).toISOString() : "",
        authorized: s.authorized,
        clientCertRequested: null,
        clientCertRequired: false,
      };
      if (!s.authorized && s.authorizationError) facts.authorizationError = String(s.authorizationError);
      if (!job.sip) {
        // Judge after the first exchange (TLS 1.3 alert 116 comes after the handshake): give the
        // server one round trip to refuse us, then call it up.
        setTimeout(() => finish({ detail: "TLS up" }), Math.min(job.timeoutMs, 200));
        return;
      }
      const local = s.localAddress ?? "0.0.0.0";
      s.write(
        optionsRequest({
          requestUri: `sip:${job.host.includes(":") ? `[${job.host}]` : job.host}:${job.port};transport=tls`,
          from: `sip:portmatrix@${job.fromName}.invalid`,
          to: `sip:${job.host.includes(":") ? `[${job.host}]` : job.host}`,
          via: {
            transport: "TLS",
            host: local,
            port: s.localPort ?? 0,
            branch: randomBytes(8).toString("hex"),
          },
          callId: `${randomBytes(10).toString("hex")}@portmatrix`,
          tag: randomBytes(6).toString("hex"),
          userAgent: "portmatrix-probe",
        }),
      );
    });
    s.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const len = sipFrameLength(buf);
      if (len === undefined) return;
      if (len === null) return finish({ detail: "SIP answer without a usable Content-Length" });
      const p = parseSipMessage(
        buf
          .subarray(0, len)
          .toString("utf8")
          .replace(/^(\r\n)+/, ""),
      );
      if (!p.ok || p.message.kind !== "response")
        return finish({ detail: `not a SIP response: ${p.ok ? "a request" : p.error}` });
      const server = header(p.message, "server") ?? header(p.message, "user-agent");
      const sip: TlsAnswer["sip"] = { status: p.message.status!, reason: p.message.reason ?? "" };
      if (server !== undefined) sip.server = server;
      finish({ sip, detail: `SIP ${sip.status} ${sip.reason}${server ? ` (${server})` : ""}` });
    });
    s.once("error", (e: NodeJS.ErrnoException) => {
      const msg = `${e.code ?? ""} ${e.message}`;
      if (ALERT_CERT_REQUIRED.test(msg) || (ALERT_HANDSHAKE.test(msg) && job.cert === undefined)) {
        if (facts) facts.clientCertRequired = true;
        return finish({
          detail: facts
            ? "client certificate required (TLS alert 116 after the handshake)"
            : "handshake refused (TLS alert 40): client certificate required",
          ...(facts ? {} : { error: "client-cert-required" }),
        });
      }
      finish(
        facts
          ? { detail: `TLS up, then ${e.code ?? e.message}` }
          : { detail: `no TLS: ${e.code ?? e.message}`, error: e.code ?? "tls-error" },
      );
    });
    s.once("close", () =>
      finish(
        facts
          ? { detail: job.sip ? "TLS up; closed without a SIP answer" : "TLS up" }
          : { detail: "closed before TLS", error: "closed" },
      ),
    );
  });
}

/** Whether the server sends a CertificateRequest, seen in a TLS 1.2 handshake; null when unknown. */
export function clientCertRequested(job: TlsJob): Promise<boolean | null> {
  return new Promise((resolve) => {
    const raw = net.connect({
      host: job.host,
      port: job.port,
      ...(job.localAddress ? { localAddress: job.localAddress } : {}),
    });
    let seen = Buffer.alloc(0);
    let settled = false;
    const finish = (v: boolean | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      t.destroy();
      raw.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => finish(null), job.timeoutMs);
    const tap = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        raw.write(chunk, cb);
      },
      final(cb) {
        raw.end();
        cb();
      },
    });
    raw.on("data", (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      const f = serverFlight(seen);
      if (f.complete || f.malformed) return finish(f.certificateRequested);
      tap.push(chunk);
    });
    raw.on("error", () => finish(null));
    raw.on("close", () => finish(null));
    const t = tls.connect({ socket: tap, ...tlsOptions(job, { maxVersion: "TLSv1.2" }) });
    t.on("error", () => finish(null));
  });
}

/** MS-TURN over TCP: pseudo-TLS ClientHello, the server's pseudo ServerHello, a framed Allocate → 401. */
export function probeMsTurnTcp(
  job: Pick<TlsJob, "host" | "port" | "localAddress" | "localPort" | "timeoutMs">,
): Promise<{
  ok: boolean;
  msturn?: { status: number; realm?: string };
  detail: string;
}> {
  return new Promise((resolve) => {
    const opts: net.NetConnectOpts = { host: job.host, port: job.port };
    if (job.localAddress !== undefined) opts.localAddress = job.localAddress;
    if (job.localPort !== undefined) opts.localPort = job.localPort;
    const s = net.connect(opts);
    let buf = Buffer.alloc(0);
    let phase: "hello" | "allocate" = "hello";
    const tid = randomBytes(16);
    let settled = false;
    const finish = (r: {
      ok: boolean;
      msturn?: { status: number; realm?: string };
      detail: string;
    }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // resetAndDestroy on a socket still connecting waits for the connection (a dropped SYN: the
      // kernel's ~2 minutes of retries, and the process cannot exit); destroy it outright instead.
      if (s.connecting) s.destroy();
      else s.resetAndDestroy();
      resolve(r);
    };
    const timer = setTimeout(
      () => finish({ ok: false, detail: phase === "hello" ? "no pseudo-TLS answer" : "no MS-TURN answer" }),
      job.timeoutMs,
    );
    s.once("connect", () => s.write(MSOC_CLIENT_HELLO));
    s.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (phase === "hello") {
        const len = tlsRecordLength(buf);
        if (len === undefined) return;
        if (buf[0] !== 0x16 || buf[5] !== 0x02)
          return finish({ ok: false, detail: "answer is not a (pseudo-)TLS ServerHello" });
        buf = buf.subarray(len);
        phase = "allocate";
        s.write(frameTcp("control", msTurnAllocateRequest(tid, { msVersion: 4 })));
      }
      const frame = readTcpFrame(buf);
      if (frame === undefined) return;
      if ("error" in frame) return finish({ ok: false, detail: frame.error });
      const d = decodeMsTurn(frame.payload);
      if (!d.ok) return finish({ ok: false, detail: d.error });
      const a = parseMsTurnAnswer(d.message);
      const msturn = a.realm === undefined ? { status: a.status } : { status: a.status, realm: a.realm };
      finish({
        ok: true,
        msturn,
        detail: `pseudo-TLS; MS-TURN ${a.status}${a.realm === undefined ? "" : ` realm ${a.realm}`}`,
      });
    });
    s.once("error", (e: NodeJS.ErrnoException) => finish({ ok: false, detail: e.code ?? e.message }));
    s.once("close", () => finish({ ok: false, detail: "closed" }));
  });
}
