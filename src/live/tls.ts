/**
 * Deep probes after a TCP port is found open: what the service says. Shell: sockets.
 *
 * - probeTls: one TLS handshake as a client would make it (SNI: the profile's name for the endpoint;
 *   the chain verified by OpenSSL against --ca or the system's roots; each name the profile gives
 *   checked separately, RFC 6125), its server bytes tapped and read by wire/tls.ts so that the
 *   certificate and any client certificate request are known from the wire whether or not the
 *   handshake completes (TLS 1.3: decrypted with the handshake secret of Node's key log). Then, for
 *   SIP, an OPTIONS and its status line and Server header. MTLS is judged from what was seen: a
 *   request, then any refusal without a client certificate of ours — TLS 1.2 alert 40 (OpenSSL) or
 *   50 (GnuTLS) during the handshake, TLS 1.3 alert 116 after it, or a bare close — is "required".
 * - probeMsTurnTcp: the MS-TURN pseudo-TLS handshake on TCP 443 and a framed Allocate; a 401 with a
 *   realm proves an A/V Edge (uc-ports.md §5).
 */
import net from "node:net";
import tls from "node:tls";
import { Duplex } from "node:stream";
import { randomBytes, X509Certificate } from "node:crypto";
import { readServerHandshake } from "../wire/tls.js";
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
  timeoutMs: number;
  /** PEM: CA to verify the server against; client certificate and key to present (MTLS). */
  ca?: string;
  cert?: string;
  key?: string;
  /** SNI sent (a DNS name; an IP is never sent as SNI). */
  servername?: string;
  /** Names the certificate must verify for, each checked as a client would (OpenSSL's host check). */
  verifyNames?: string[];
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

function san(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** "CN=…" when the subject has a CN, else the whole subject on one line. */
function dn(x: string): string {
  const cn = /^CN=(.*)$/m.exec(x)?.[1];
  return cn !== undefined ? `CN=${cn}` : x.split("\n").filter(Boolean).join(", ");
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/**
 * A chain read off the wire (the handshake did not complete, so OpenSSL never verified it): leaf,
 * then the server's intermediates, up to an anchor of --ca (else the system's roots); each link's
 * issuer name and signature, and every certificate's validity at `now`.
 */
export function verifyWireChain(
  ders: readonly Uint8Array[],
  ca: string | undefined,
  now: Date,
): string | null {
  const certs = ders.map((d) => new X509Certificate(d));
  const anchors =
    (ca ?? tls.rootCertificates.join("\n")).match(PEM_BLOCK)?.map((p) => new X509Certificate(p)) ?? [];
  let cur: X509Certificate | undefined = certs[0];
  if (cur === undefined) return "NO_CERTIFICATE";
  for (let depth = 0; depth < 8; depth++) {
    if (new Date(cur.validTo) < now) return "CERT_HAS_EXPIRED";
    if (new Date(cur.validFrom) > now) return "CERT_NOT_YET_VALID";
    const c: X509Certificate = cur;
    const signedBy = (i: X509Certificate): boolean => c.checkIssued(i) && c.verify(i.publicKey);
    if (anchors.some(signedBy)) return null;
    const next: X509Certificate | undefined = certs.find((i) => i !== c && signedBy(i));
    if (next === undefined)
      return certs.length === 1 && c.checkIssued(c)
        ? "DEPTH_ZERO_SELF_SIGNED_CERT"
        : "UNABLE_TO_GET_ISSUER_CERT_LOCALLY";
    cur = next;
  }
  return "CERT_CHAIN_TOO_LONG";
}

/** The TLS facts of a certificate, and OpenSSL's host name check (RFC 6125) for each name. */
function certFacts(
  leaf: X509Certificate,
  o: { version: string; cipher: string; authorizationError: string | null; names: readonly string[] },
): NonNullable<ProbeResultT["tls"]> {
  const f: NonNullable<ProbeResultT["tls"]> = {
    version: o.version,
    cipher: o.cipher,
    subject: dn(leaf.subject),
    issuer: dn(leaf.issuer),
    names: san(leaf),
    notAfter: new Date(leaf.validTo).toISOString(),
    authorized: o.authorizationError === null,
    clientCertRequested: null,
    clientCertRequired: false,
  };
  if (o.authorizationError !== null) f.authorizationError = o.authorizationError;
  if (o.names.length > 0)
    f.hostnames = o.names.map((name) => ({ name, verified: leaf.checkHost(name) !== undefined }));
  return f;
}

function tlsOptions(job: TlsJob): tls.ConnectionOptions {
  // The chain is verified by OpenSSL (authorized); names are checked separately against each name
  // the profile gives (certFacts), so Node's own check against the connected IP is switched off.
  const o: tls.ConnectionOptions = { rejectUnauthorized: false, checkServerIdentity: () => undefined };
  if (job.ca !== undefined) o.ca = job.ca;
  if (job.cert !== undefined && job.key !== undefined) {
    o.cert = job.cert;
    o.key = job.key;
  }
  if (job.servername !== undefined && net.isIP(job.servername) === 0) o.servername = job.servername;
  return o;
}

/**
 * One TLS handshake, its server bytes tapped as they cross the wire and read by wire/tls.ts (TLS 1.3's
 * encrypted part with the handshake secret from Node's key log): the certificate and the client
 * certificate request are known whether or not the handshake completes, and any refusal after a
 * request, without a client certificate of ours, is "required" — whatever alert the server chose
 * (OpenSSL 40 or 116, GnuTLS 50, or just a close).
 */
export function probeTls(job: TlsJob): Promise<TlsAnswer> {
  return new Promise((resolve) => {
    const raw = net.connect({
      host: job.host,
      port: job.port,
      ...(job.localAddress !== undefined ? { localAddress: job.localAddress } : {}),
      ...(job.localPort !== undefined ? { localPort: job.localPort } : {}),
    });
    const tap = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        if (raw.destroyed) return cb();
        raw.write(chunk, cb);
      },
      final(cb) {
        raw.end();
        cb();
      },
    });
    const s = tls.connect({ socket: tap, ...tlsOptions(job) });
    let seen = Buffer.alloc(0);
    let secret: Buffer | undefined;
    let completed:
      { version: string; cipher: string; der?: Buffer; authorizationError: string | null } | undefined;
    let appData = false;
    let buf = Buffer.alloc(0);
    let settled = false;
    const finish = (a: {
      detail: string;
      sip?: TlsAnswer["sip"];
      refused?: string;
      error?: string;
    }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      if (raw.connecting) raw.destroy();
      else raw.resetAndDestroy();
      const hs = readServerHandshake(seen, secret ? { serverHandshake: secret } : undefined);
      const der = completed?.der ?? hs.certificates[0];
      let facts: TlsAnswer["tls"];
      if (der !== undefined) {
        const leaf = new X509Certificate(der);
        facts = certFacts(leaf, {
          version: completed?.version ?? hs.version,
          cipher:
            completed?.cipher ??
            (hs.cipherSuite !== undefined ? `0x${hs.cipherSuite.toString(16).padStart(4, "0")}` : ""),
          authorizationError:
            completed !== undefined && completed.der !== undefined
              ? completed.authorizationError
              : verifyWireChain(hs.certificates, job.ca, new Date()),
          names: job.verifyNames ?? [],
        });
        if (job.servername !== undefined && net.isIP(job.servername) === 0) facts.servername = job.servername;
        facts.handshakeCompleted = completed !== undefined;
        // Alert 116 (certificate_required) names the request even where it was not read.
        const requested =
          hs.certificateRequested ??
          (a.refused !== undefined && /116|CERTIFICATE_REQUIRED/i.test(a.refused) ? true : null);
        facts.clientCertRequested = requested;
        facts.clientCertRequired = requested === true && job.cert === undefined && a.refused !== undefined;
        if (hs.alert !== undefined) facts.alert = hs.alert;
      }
      const detail =
        facts?.clientCertRequired === true
          ? `client certificate required (refused without one: ${a.refused})`
          : a.detail;
      resolve({
        handshake: completed !== undefined,
        ...(facts ? { tls: facts } : {}),
        ...(a.sip ? { sip: a.sip } : {}),
        detail,
        ...(facts === undefined && a.error !== undefined ? { error: a.error } : {}),
      });
    };
    const timer = setTimeout(
      () =>
        finish(
          completed
            ? { detail: job.sip ? "TLS up; no SIP answer in time" : "TLS up" }
            : { detail: "no TLS answer in time", error: "tls-timeout" },
        ),
      job.timeoutMs,
    );
    raw.on("data", (chunk: Buffer) => {
      if (seen.length < 1 << 18) seen = Buffer.concat([seen, chunk]);
      tap.push(chunk);
    });
    raw.on("end", () => tap.push(null));
    raw.on("error", (e: NodeJS.ErrnoException) =>
      finish(
        completed || seen.length > 0
          ? { detail: `connection ended: ${e.code ?? e.message}`, refused: e.code ?? e.message }
          : { detail: `no TLS: ${e.code ?? e.message}`, error: e.code ?? "tls-error" },
      ),
    );
    s.on("keylog", (line: Buffer) => {
      const m = /^SERVER_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]+ ([0-9a-f]+)/i.exec(line.toString("latin1"));
      if (m) secret = Buffer.from(m[1]!, "hex");
    });
    s.once("secureConnect", () => {
      const cert = s.getPeerCertificate(true);
      completed = {
        version: s.getProtocol() ?? "",
        cipher: s.getCipher()?.name ?? "",
        authorizationError: s.authorized ? null : String(s.authorizationError ?? "unverified"),
        ...(cert.raw ? { der: cert.raw } : {}),
      };
      if (!job.sip) {
        // Judge after the first exchange (TLS 1.3 alert 116 comes after the handshake): give the
        // server one round trip to refuse us, then call it up.
        setTimeout(() => finish({ detail: "TLS up" }), Math.min(job.timeoutMs, 200));
        return;
      }
      const local = raw.localAddress ?? "0.0.0.0";
      s.write(
        optionsRequest({
          requestUri: `sip:${job.host.includes(":") ? `[${job.host}]` : job.host}:${job.port};transport=tls`,
          from: `sip:portmatrix@${job.fromName}.invalid`,
          to: `sip:${job.host.includes(":") ? `[${job.host}]` : job.host}`,
          via: {
            transport: "TLS",
            host: local,
            port: raw.localPort ?? 0,
            branch: randomBytes(8).toString("hex"),
          },
          callId: `${randomBytes(10).toString("hex")}@portmatrix`,
          tag: randomBytes(6).toString("hex"),
          userAgent: "portmatrix-probe",
        }),
      );
    });
    s.on("data", (chunk: Buffer) => {
      appData = true;
      buf = Buffer.concat([buf, chunk]);
      const len = sipFrameLength(buf);
      if (len === undefined) {
        // Not SIP at all (an HTTP server's 400 …): no need to wait for a frame that never ends.
        if (!/^(\r\n)*(S(I(P(\/)?)?)?)?$/.test(buf.subarray(0, 8).toString("latin1")))
          return finish({ detail: `not a SIP response: ${JSON.stringify(firstLine(buf))}` });
        return;
      }
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
    s.on("error", (e: NodeJS.ErrnoException) => {
      const msg = e.code ?? e.message;
      finish(
        completed || seen.length > 0
          ? { detail: completed ? `TLS up, then ${msg}` : `handshake refused: ${msg}`, refused: msg }
          : { detail: `no TLS: ${msg}`, error: e.code ?? "tls-error" },
      );
    });
    s.once("close", () =>
      finish(
        completed
          ? appData
            ? { detail: job.sip ? "TLS up; closed without a SIP answer" : "TLS up" }
            : {
                detail: job.sip ? "TLS up; closed without a SIP answer" : "TLS up, then closed",
                refused: "closed",
              }
          : seen.length > 0
            ? { detail: "handshake ended: closed", refused: "closed" }
            : { detail: "closed before TLS", error: "closed" },
      ),
    );
  });
}

function firstLine(b: Buffer): string {
  return b.toString("latin1").split(/\r?\n/)[0]!.slice(0, 60);
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
