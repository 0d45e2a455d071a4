/**
 * Carries out a listen plan (plan.ts): binds every port on every address and answers as the real
 * service would, enough to be recognised. Shell: sockets.
 *
 * - tls: TLS with the given or generated certificate; MTLS requests a client certificate, and with
 *   requireClientCert refuses a client without one signed by the CA; SIP over it answers OPTIONS
 *   with 200 OK (other requests 405, ACK nothing). tls+msturn (one port, two services): the first
 *   bytes decide — the MS-TURN pseudo-TLS ClientHello goes to MS-TURN, anything else to TLS.
 * - msturn-tcp: pseudo-TLS ServerHello, then framed MS-TURN: Allocate → 401 with realm and nonce.
 * - stun-udp: STUN Binding → success with XOR-MAPPED-ADDRESS (MAPPED-ADDRESS to an RFC 3489 client;
 *   420 to a CHANGE-REQUEST it cannot honour from one address); MS-TURN Allocate → 401.
 * - tcp-accept: accepts and closes cleanly; udp-answer: a marker datagram back.
 * A port that cannot be bound is reported with the system's reason, never skipped in silence.
 */
import dgram from "node:dgram";
import net from "node:net";
import tls from "node:tls";
import { Duplex } from "node:stream";
import { randomBytes } from "node:crypto";
import {
  decodeMsTurn,
  isMsTurnAllocate,
  isPseudoTlsClientHello,
  MSOC_SERVER_HELLO,
  frameTcp,
  msTurnUnauthorized,
  readTcpFrame,
} from "../wire/msturn.js";
import { verifyWireChain } from "../live/tls.js";
import { clientHelloRandom, readClientCertificate, readServerHandshake, sealRecord } from "../wire/tls.js";
import { okResponse, parseSipMessage, sipFrameLength, sipResponse, STAND_IN_ALLOW } from "../wire/sip.js";
import {
  bindingSuccess,
  decodeStun,
  STUN_METHOD,
  unknownAttributesError,
  unknownRequired,
} from "../wire/stun.js";
import type { ListenPlan, PortPlan, Service } from "./plan.js";
import { byCodeUnits } from "../diag/order.js";

export interface ListenOptions {
  cert: string;
  key: string;
  /** CA whose certificates MTLS accepts (required with requireClientCert). */
  ca?: string;
  requireClientCert: boolean;
  realm: string;
  server: string;
  log?: (line: string) => void;
}

export interface BindFailure {
  address: string;
  transport: "tcp" | "udp";
  port: number;
  code: string;
}

export interface Listening {
  bound: number;
  failed: BindFailure[];
  close(): Promise<void>;
}

type Closable = { close(cb?: () => void): unknown };

/** One socket to bind: a port of the plan on one of its addresses. */
export interface Binding {
  address: string;
  port: PortPlan;
}

/** Every port of the plan on every address, TCP first (the part a process keeps when it spreads). */
export function bindings(plan: ListenPlan): Binding[] {
  const all = plan.addresses.flatMap((address) => plan.ports.map((port) => ({ address, port })));
  return [...all.filter((b) => b.port.transport === "tcp"), ...all.filter((b) => b.port.transport !== "tcp")];
}

export function startListening(plan: ListenPlan, o: ListenOptions): Promise<Listening> {
  return bindAll(bindings(plan), o);
}

export async function bindAll(list: readonly Binding[], o: ListenOptions): Promise<Listening> {
  const open: Closable[] = [];
  const failed: BindFailure[] = [];
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
  };
  const binds: Array<Promise<void>> = [];
  for (const { address, port: p } of list)
    binds.push(
      (p.transport === "tcp" ? bindTcp(address, p, o, track) : bindUdp(address, p, o)).then(
        (r) => {
          open.push(r);
        },
        (e: NodeJS.ErrnoException) => {
          failed.push({ address, transport: p.transport, port: p.port, code: e.code ?? e.message });
        },
      ),
    );
  // Bind in slices so a 10,000-port range does not open 10,000 binds in one tick.
  for (let k = 0; k < binds.length; k += 2048) await Promise.all(binds.slice(k, k + 2048));
  failed.sort(
    (a, b) => byCodeUnits(a.transport, b.transport) || a.port - b.port || byCodeUnits(a.address, b.address),
  );
  return {
    bound: open.length,
    failed,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(open.map((c) => new Promise<void>((r) => c.close(() => r()))));
    },
  };
}

function listenOn(server: net.Server, address: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: address, port, exclusive: true, backlog: 1024 }, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

function bindTcp(
  address: string,
  p: PortPlan,
  o: ListenOptions,
  track: (s: net.Socket) => void,
): Promise<net.Server> {
  const s = p.service;
  if (s.kind === "tcp-accept")
    return listenOn(
      net.createServer((c) => {
        track(c);
        c.end();
      }),
      address,
      p.port,
    );
  if (s.kind === "msturn-tcp")
    return listenOn(
      net.createServer((c) => {
        track(c);
        serveMsTurnTcp(c, Buffer.alloc(0), o);
      }),
      address,
      p.port,
    );
  if (s.kind !== "tls")
    return Promise.reject(Object.assign(new Error("not a TCP service"), { code: "EINVAL" }));
  const tlsServer = tls.createServer({
    cert: o.cert,
    key: o.key,
    requestCert: s.requestCert,
    rejectUnauthorized: s.requestCert && o.requireClientCert,
    ...(o.ca ? { ca: o.ca } : {}),
  });
  tlsServer.on("secureConnection", (t) => {
    track(t);
    o.log?.(
      `${p.transport}/${p.port} TLS from ${t.remoteAddress} ${t.getProtocol()} client cert: ${t.getPeerCertificate()?.subject?.CN ?? "none"}`,
    );
    if (s.sip) serveSip(t, o);
  });
  tlsServer.on("tlsClientError", () => {});
  // Refusing an untrusted client certificate: Node's server only closes the connection (its verify
  // callback always accepts, then rejectUnauthorized destroys the socket); the guard reads the
  // client's Certificate off the wire first and answers with the alert a TLS server sends.
  const secrets = new Map<string, KeySecrets>();
  const guarded = s.requestCert && o.requireClientCert && o.ca !== undefined;
  if (guarded) tlsServer.on("keylog", (line: Buffer) => noteSecret(secrets, line));
  const wrap = (c: net.Socket, head: Buffer): Duplex =>
    guarded ? certificateGuard(c, head, o.ca!, secrets) : relay(c, head);
  if (!s.msturn && !guarded) return listenOn(tlsServer, address, p.port);
  if (!s.msturn)
    return listenOn(
      net.createServer((c) => {
        track(c);
        tlsServer.emit("connection", wrap(c, Buffer.alloc(0)));
      }),
      address,
      p.port,
    );
  // One port, two services: the first bytes decide.
  return listenOn(
    net.createServer((c) => {
      track(c);
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk]);
        const pseudo = isPseudoTlsClientHello(head);
        if (pseudo === "incomplete") return;
        c.off("data", onData);
        if (pseudo) serveMsTurnTcp(c, head, o);
        else tlsServer.emit("connection", wrap(c, head));
      };
      c.on("data", onData);
    }),
    address,
    p.port,
  );
}

interface KeySecrets {
  clientHandshake?: Buffer;
  serverApplication?: Buffer;
}

function noteSecret(secrets: Map<string, KeySecrets>, line: Buffer): void {
  const m = /^(CLIENT_HANDSHAKE_TRAFFIC_SECRET|SERVER_TRAFFIC_SECRET_0) ([0-9a-f]{64}) ([0-9a-f]+)/i.exec(
    line.toString("latin1"),
  );
  if (!m) return;
  const e = secrets.get(m[2]!.toLowerCase()) ?? {};
  if (m[1] === "CLIENT_HANDSHAKE_TRAFFIC_SECRET") e.clientHandshake = Buffer.from(m[3]!, "hex");
  else e.serverApplication = Buffer.from(m[3]!, "hex");
  secrets.set(m[2]!.toLowerCase(), e);
}

/** RFC 8446 §6.2 alert for a chain that did not verify: unknown_ca, certificate_expired, bad_certificate. */
function alertFor(error: string): number {
  if (/ISSUER|SELF_SIGNED/.test(error)) return 48;
  if (/EXPIRED/.test(error)) return 45;
  return 42;
}

/**
 * A relay (as below) that holds the client's second flight until its Certificate message is read
 * (TLS 1.2 in clear; TLS 1.3 opened with the client handshake secret of the server's key log). A
 * certificate whose chain does not verify against `ca` gets the alert (TLS 1.2 in clear, TLS 1.3
 * sealed under the server's application secret, sequence 0) and the connection ends; an empty one or
 * a good one goes on to OpenSSL as it came (no certificate: OpenSSL's own alert 40/116).
 */
function certificateGuard(c: net.Socket, head: Buffer, ca: string, secrets: Map<string, KeySecrets>): Duplex {
  let fromClient: Buffer = Buffer.alloc(0);
  let toClient: Buffer = Buffer.alloc(0);
  let random: string | undefined;
  let helloLength: number | undefined;
  let passed = 0;
  let deciding = true;
  const d = new Duplex({
    read() {
      c.resume();
    },
    write(chunk: Buffer, _e, cb) {
      if (deciding && toClient.length < 1 << 16) toClient = Buffer.concat([toClient, chunk]);
      c.write(chunk, cb);
      // The server's flight is out: what the client sends now may be held.
      pump();
    },
    final(cb) {
      c.end();
      cb();
    },
    destroy(err, cb) {
      if (random !== undefined) secrets.delete(random);
      c.destroy();
      cb(err);
    },
  });
  const forward = (upTo: number): void => {
    if (upTo <= passed) return;
    const from = passed;
    // Before the push: pushing lets OpenSSL answer at once, which re-enters pump through write().
    passed = upTo;
    if (!d.push(fromClient.subarray(from, upTo))) c.pause();
  };
  const pump = (): void => {
    if (!deciding) return forward(fromClient.length);
    random ??= clientHelloRandom(fromClient);
    if (helloLength === undefined) {
      if (fromClient.length < 5) return;
      helloLength = 5 + fromClient.readUInt16BE(3);
    }
    forward(Math.min(helloLength, fromClient.length));
    const server = readServerHandshake(toClient);
    if (server.version === "" || random === undefined) return; // no ServerHello out yet
    const sec = secrets.get(random);
    const read = readClientCertificate(fromClient.subarray(helloLength), server, sec?.clientHandshake);
    if (read.state === "incomplete") return;
    deciding = false;
    if (read.state === "certificate" && read.certificates.length > 0) {
      const error = verifyWireChain(read.certificates, ca, new Date());
      if (error !== null) {
        const alert = Buffer.from([2, alertFor(error)]);
        const record =
          server.version === "TLSv1.3"
            ? sec?.serverApplication && server.cipherSuite !== undefined
              ? sealRecord(server.cipherSuite, sec.serverApplication, 0, 21, alert)
              : undefined
            : Buffer.concat([Buffer.from([21, 3, 3, 0, 2]), alert]);
        if (record !== undefined) {
          c.end(record);
          d.push(null);
          return;
        }
      }
    }
    forward(fromClient.length);
  };
  c.on("data", (chunk: Buffer) => {
    fromClient = Buffer.concat([fromClient, chunk]);
    pump();
  });
  c.on("end", () => {
    forward(fromClient.length);
    d.push(null);
  });
  c.on("close", () => d.destroy());
  if (head.length > 0) {
    fromClient = head;
    pump();
  }
  return d;
}

/** A stream over `c` that first yields `head` (bytes already read): TLS takes it like a socket. */
function relay(c: net.Socket, head: Buffer): Duplex {
  const d = new Duplex({
    read() {
      c.resume();
    },
    write(chunk: Buffer, _e, cb) {
      c.write(chunk, cb);
    },
    final(cb) {
      c.end();
      cb();
    },
    destroy(err, cb) {
      c.destroy();
      cb(err);
    },
  });
  d.push(head);
  c.on("data", (chunk: Buffer) => {
    if (!d.push(chunk)) c.pause();
  });
  c.on("end", () => d.push(null));
  c.on("close", () => d.destroy());
  return d;
}

function serveSip(t: tls.TLSSocket, o: ListenOptions): void {
  let buf = Buffer.alloc(0);
  t.on("data", (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const len = sipFrameLength(buf);
      if (len === undefined) return;
      if (len === null) {
        t.end("SIP/2.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        return;
      }
      const text = buf
        .subarray(0, len)
        .toString("utf8")
        .replace(/^(\r\n)+/, "");
      buf = buf.subarray(len);
      if (text === "") continue;
      const m = parseSipMessage(text);
      if (!m.ok) {
        t.end("SIP/2.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        return;
      }
      if (m.message.kind !== "request" || m.message.method === "ACK") continue;
      const toTag = randomBytes(6).toString("hex");
      o.log?.(`SIP ${m.message.method} from ${t.remoteAddress}`);
      t.write(
        m.message.method === "OPTIONS"
          ? okResponse(m.message, { server: o.server, toTag })
          : sipResponse(m.message, 405, "Method Not Allowed", {
              server: o.server,
              toTag,
              extra: [STAND_IN_ALLOW],
            }),
      );
    }
  });
}

function serveMsTurnTcp(c: net.Socket, head: Buffer, o: ListenOptions): void {
  let buf = head;
  let phase: "hello" | "frames" = "hello";
  const step = (): void => {
    if (phase === "hello") {
      const pseudo = isPseudoTlsClientHello(buf);
      if (pseudo === "incomplete") return;
      if (!pseudo) {
        c.destroy();
        return;
      }
      buf = buf.subarray(5 + ((buf[3]! << 8) | buf[4]!));
      c.write(MSOC_SERVER_HELLO);
      phase = "frames";
    }
    for (;;) {
      const f = readTcpFrame(buf);
      if (f === undefined) return;
      if ("error" in f) {
        c.destroy();
        return;
      }
      buf = buf.subarray(f.length);
      const d = decodeMsTurn(f.payload);
      if (d.ok && isMsTurnAllocate(d.message)) {
        o.log?.(`MS-TURN Allocate over TCP from ${c.remoteAddress}`);
        c.write(frameTcp("control", msTurnUnauthorized(d.message, o.realm, nonce())));
      }
    }
  };
  c.on("data", (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    step();
  });
  step();
}

const nonce = (): Uint8Array => new TextEncoder().encode(randomBytes(12).toString("base64"));

function bindUdp(address: string, p: PortPlan, o: ListenOptions): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    // SO_REUSEADDR: a prober on the same host may send from this very port (the A/V Edge's STUN
    // 3478 → 3478) on its own connected socket, which gets the answers meant for it. A service that
    // holds the port without SO_REUSEADDR still makes this bind fail (EADDRINUSE), as it should.
    const s = dgram.createSocket({ type: address.includes(":") ? "udp6" : "udp4", reuseAddr: true });
    s.once("error", reject);
    s.on("message", (msg, rinfo) => answerUdp(s, msg, rinfo, p.service, o));
    s.bind({ address, port: p.port, exclusive: true }, () => {
      s.off("error", reject);
      s.on("error", () => {});
      resolve(s);
    });
  });
}

function answerUdp(
  s: dgram.Socket,
  msg: Buffer,
  rinfo: dgram.RemoteInfo,
  service: Service,
  o: ListenOptions,
): void {
  const reply = (b: Uint8Array): void => s.send(b, rinfo.port, rinfo.address);
  if (service.kind === "stun-udp") {
    const d = decodeStun(msg);
    if (!d.ok) return;
    // RFC 3489 clients (no magic cookie) are answered too (RFC 5389 §12.2); an MS-TURN Allocate
    // has no cookie either, but another method.
    if (d.message.method === STUN_METHOD.binding && d.message.cls === "request") {
      o.log?.(`STUN Binding from ${rinfo.address}:${rinfo.port}${d.message.cookie ? "" : " (RFC 3489)"}`);
      const unknown = unknownRequired(d.message);
      if (unknown.length > 0) return reply(unknownAttributesError(d.message, unknown, o.server));
      return reply(bindingSuccess(d.message, { address: rinfo.address, port: rinfo.port }, o.server));
    }
    const m = decodeMsTurn(msg);
    if (m.ok && isMsTurnAllocate(m.message)) {
      o.log?.(`MS-TURN Allocate from ${rinfo.address}:${rinfo.port}`);
      return reply(msTurnUnauthorized(m.message, o.realm, nonce()));
    }
    return;
  }
  reply(new TextEncoder().encode(`${o.server}\n`));
}
