/**
 * UDP probes: STUN Binding (RFC 5389) and the MS-TURN Allocate an A/V Edge answers with 401
 * (uc-ports.md §5.4), or a marker datagram for plain UDP services. Shell: dgram sockets.
 *
 * The socket is connected, so an ICMP port unreachable comes back as ECONNREFUSED (closed) and an
 * ICMP host/admin unreachable as EHOSTUNREACH (filtered). Retransmission follows RFC 5389 §7.2.1 with
 * verdict-friendly defaults (probing.md §3): first RTO `rtoMs` (500), doubling, `tries` requests (3),
 * then a last wait of 4 RTO — 3.5 s worst case with the defaults. Silence is `filtered` only when a
 * responder is known to stand there (--responders), else `open|filtered`.
 */
import dgram from "node:dgram";
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { decodeMsTurn, msTurnAllocateRequest, parseMsTurnAnswer } from "../wire/msturn.js";
import { bindingRequest, decodeStun, mappedAddress } from "../wire/stun.js";

export interface UdpJob {
  host: string;
  port: number;
  localAddress?: string;
  localPort?: number;
  /** stun: Binding then MS-TURN Allocate; plain: a marker datagram, any answer counts. */
  kind: "stun" | "plain";
}

export interface UdpOptions {
  rtoMs: number;
  tries: number;
}

export interface UdpAnswer {
  /** Any datagram came back. */
  answered: boolean;
  /** The errno of an ICMP error reported on the connected socket. */
  code?: string;
  rttMs?: number;
  stun?: { mapped: string };
  msturn?: { status: number; realm?: string };
  detail: string;
}

/**
 * Sends every payload each try until each is answered (its `accept` takes a datagram), an ICMP error
 * arrives, or the tries run out. Once one payload is answered, the others get a short grace
 * (4 × that round trip, at least 100 ms) instead of the full schedule: the path is proven open.
 */
function exchange(
  s: dgram.Socket,
  payloads: Uint8Array[],
  o: UdpOptions,
  accepts: Array<(msg: Buffer) => boolean>,
): Promise<{ msgs: Array<Buffer | undefined>; code?: string; rttMs?: number }> {
  return new Promise((resolve) => {
    let sent = 0;
    let rto = o.rtoMs;
    let timer: NodeJS.Timeout | undefined;
    let grace: NodeJS.Timeout | undefined;
    let rttMs: number | undefined;
    const msgs: Array<Buffer | undefined> = payloads.map(() => undefined);
    const t0 = performance.now();
    const finish = (code?: string): void => {
      clearTimeout(timer);
      clearTimeout(grace);
      s.off("message", onMessage);
      s.off("error", onError);
      const r: { msgs: Array<Buffer | undefined>; code?: string; rttMs?: number } = { msgs };
      if (code !== undefined) r.code = code;
      if (rttMs !== undefined) r.rttMs = rttMs;
      resolve(r);
    };
    const onMessage = (msg: Buffer): void => {
      const k = accepts.findIndex((a, i) => msgs[i] === undefined && a(msg));
      if (k < 0) return;
      msgs[k] = msg;
      if (rttMs === undefined) {
        rttMs = Math.round((performance.now() - t0) * 100) / 100;
        clearTimeout(timer);
        grace = setTimeout(() => setImmediate(() => finish()), Math.max(100, 4 * rttMs));
      }
      if (msgs.every((m) => m !== undefined)) finish();
    };
    const onError = (e: NodeJS.ErrnoException): void => finish(e.code ?? "error");
    const send = (): void => {
      sent++;
      payloads.forEach((p, i) => {
        if (msgs[i] === undefined)
          s.send(p, (e) => e && finish((e as NodeJS.ErrnoException).code ?? "error"));
      });
      // Lag-aware as the TCP sweep: let datagrams already received be read before deciding.
      // RFC 5389 §7.2.1: after the last request, Rm (4) times the *initial* RTO.
      const wait = sent < o.tries ? rto : 4 * o.rtoMs;
      timer = setTimeout(
        () => setImmediate(() => (rttMs !== undefined ? undefined : sent < o.tries ? send() : finish())),
        wait,
      );
      rto *= 2;
    };
    s.on("message", onMessage);
    s.on("error", onError);
    send();
  });
}

function openSocket(job: UdpJob): Promise<dgram.Socket | { code: string }> {
  return new Promise((resolve) => {
    // A pinned source port (STUN from 3478 to 3478) is shared by the exchanges in flight towards
    // different destinations: SO_REUSEADDR, and each socket connected, so the kernel hands every
    // answer to the socket of its own 4-tuple.
    const s = dgram.createSocket({
      type: job.host.includes(":") ? "udp6" : "udp4",
      reuseAddr: job.localPort !== undefined,
    });
    const fail = (e: NodeJS.ErrnoException): void => {
      s.close();
      resolve({ code: e.code ?? "error" });
    };
    s.once("error", fail);
    const connect = (): void =>
      s.connect(job.port, job.host, () => {
        s.off("error", fail);
        resolve(s);
      });
    if (job.localAddress !== undefined || job.localPort !== undefined)
      s.bind({ address: job.localAddress, port: job.localPort ?? 0, exclusive: true }, connect);
    else connect();
  });
}

export async function probeUdp(job: UdpJob, o: UdpOptions): Promise<UdpAnswer> {
  const s = await openSocket(job);
  if ("code" in s) return { answered: false, code: s.code, detail: `socket: ${s.code}` };
  try {
    if (job.kind === "plain") {
      const r = await exchange(s, [new TextEncoder().encode("portmatrix probe\n")], o, [() => true]);
      const msg = r.msgs[0];
      if (msg) return { answered: true, rttMs: r.rttMs!, detail: `answered ${msg.length} bytes` };
      return r.code
        ? { answered: false, code: r.code, detail: r.code }
        : { answered: false, detail: "no answer" };
    }
    // RFC 5389 Binding (what coturn and any STUN server answer) and, in the same datagram round, the
    // MS-TURN Allocate an A/V Edge answers with 401 (it ignores RFC 5389 Binding: uc-ports.md §5.4).
    const tid = randomBytes(12);
    const tid16 = randomBytes(16);
    const r = await exchange(s, [bindingRequest(tid), msTurnAllocateRequest(tid16, { msVersion: 4 })], o, [
      (m) => {
        const d = decodeStun(m);
        return d.ok && d.message.cookie && Buffer.from(d.message.transactionId).equals(tid);
      },
      (m) => {
        const d = decodeMsTurn(m);
        return d.ok && Buffer.from(d.message.transactionId).equals(tid16);
      },
    ]);
    const [binding, allocate] = r.msgs;
    if (!binding && !allocate)
      return r.code
        ? { answered: false, code: r.code, detail: r.code }
        : { answered: false, detail: "no answer to STUN Binding or MS-TURN Allocate" };
    const out: UdpAnswer = { answered: true, rttMs: r.rttMs!, detail: "" };
    const parts: string[] = [];
    if (binding) {
      const d = decodeStun(binding);
      const mapped = d.ok ? mappedAddress(d.message) : undefined;
      if (mapped) {
        const text =
          mapped.family === 6 ? `[${mapped.address}]:${mapped.port}` : `${mapped.address}:${mapped.port}`;
        out.stun = { mapped: text };
        parts.push(`STUN mapped ${text}`);
      } else
        parts.push(
          d.ok && d.message.cls === "error" ? "STUN error answer" : "STUN answer without a mapped address",
        );
    } else parts.push("no STUN Binding answer");
    if (allocate) {
      const d = decodeMsTurn(allocate);
      if (d.ok) {
        const a = parseMsTurnAnswer(d.message);
        out.msturn = a.realm === undefined ? { status: a.status } : { status: a.status, realm: a.realm };
        parts.push(`MS-TURN ${a.status}${a.realm === undefined ? "" : ` realm ${a.realm}`}`);
      }
    } else parts.push("no MS-TURN answer");
    out.detail = parts.join("; ");
    return out;
  } finally {
    s.close();
  }
}
