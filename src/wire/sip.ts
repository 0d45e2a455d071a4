/**
 * SIP message codec (RFC 3261), pure; enough to send and answer OPTIONS and to refuse malformed
 * messages the way RFC 4475's torture tests expect (sip.test.ts).
 *
 * Exports:
 * - parseSipMessage(text): start line, unfolded headers (names as written), body (Content-Length
 *   bytes); validates what RFC 3261 requires of every message (§7, §8.1.1, §20) and the RFC 4475
 *   invalid cases a message parser must catch. Errors name the problem.
 * - header(m, name) / headers(m, name): values by name, compact forms understood (§7.3.3).
 * - optionsRequest(o): an OPTIONS request (§11) with CRLF line ends and Content-Length 0.
 * - sipResponse(request, status, reason, {server, toTag}): a response copying Via/From/To/Call-ID/CSeq
 *   (§8.2.6.2) with a Server header; okResponse: the 200 OK to OPTIONS with Allow, Accept, Supported
 *   (§11.2).
 * - sipFrameLength(bytes): on a stream (TLS/TCP, §18.3), bytes of the first complete message, or
 *   undefined while incomplete; `null` when the head is complete but Content-Length is unusable.
 */
import { lookupTable } from "../parse/lookup.js";

export interface SipHeader {
  name: string;
  value: string;
}

export interface SipMessage {
  kind: "request" | "response";
  method?: string;
  uri?: string;
  status?: number;
  reason?: string;
  headers: SipHeader[];
  body: string;
}

export type SipParse = { ok: true; message: SipMessage } | { ok: false; error: string };

/** RFC 3261 §7.3.3 compact forms, plus those registered later that SIP stacks commonly send. */
const COMPACT: Record<string, string> = lookupTable({
  i: "call-id",
  m: "contact",
  e: "content-encoding",
  l: "content-length",
  c: "content-type",
  f: "from",
  s: "subject",
  k: "supported",
  t: "to",
  v: "via",
  o: "event",
  r: "refer-to",
  b: "referred-by",
  u: "allow-events",
  x: "session-expires",
});

const canonical = (name: string): string => {
  const lower = name.toLowerCase();
  return COMPACT[lower] ?? lower;
};

/** RFC 3261 §25.1 token characters. */
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
const enc = new TextEncoder();
const dec = new TextDecoder();

export function headers(m: SipMessage, name: string): string[] {
  const want = canonical(name);
  return m.headers.filter((h) => canonical(h.name) === want).map((h) => h.value);
}

export function header(m: SipMessage, name: string): string | undefined {
  return headers(m, name)[0];
}

function fail(error: string): SipParse {
  return { ok: false, error };
}

export function parseSipMessage(text: string): SipParse {
  const start = text.replace(/^(\r?\n)+/, ""); // §7.5: ignore CRLFs before the start line
  const split = /\r?\n\r?\n/.exec(start);
  if (!split) return fail("no empty line ends the header section");
  const lines = start.slice(0, split.index).split(/\r?\n/);
  const startLine = lines.shift() ?? "";
  const parsedHeaders = unfold(lines);
  if (typeof parsedHeaders === "string") return fail(parsedHeaders);
  const first = parseStartLine(startLine);
  if ("error" in first) return fail(first.error);
  const message: SipMessage = { ...first, headers: parsedHeaders, body: "" };
  const bodyBytes = enc.encode(start.slice(split.index + split[0].length));
  const length = contentLength(message);
  if (typeof length === "string") return fail(length);
  const bodyLength = length ?? bodyBytes.length;
  if (bodyBytes.length < bodyLength)
    return fail(
      `Content-Length ${bodyLength} is larger than the ${bodyBytes.length}-byte body (RFC 4475 §3.1.2.2)`,
    );
  message.body = dec.decode(bodyBytes.subarray(0, bodyLength));
  const problem = checkHeaders(message);
  return problem ? fail(problem) : { ok: true, message };
}

/** §7.3.1: a line starting with SP/HT continues the previous header; folding equals one SP. */
function unfold(lines: string[]): SipHeader[] | string {
  const out: SipHeader[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line)) {
      const last = out[out.length - 1];
      if (!last) return "a continuation line comes before any header";
      last.value = `${last.value} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(":");
    const name = colon < 0 ? "" : line.slice(0, colon).trimEnd();
    if (!TOKEN.test(name)) return `"${line.slice(0, 40)}" is not a header line (name ":" value)`;
    out.push({ name, value: line.slice(colon + 1).trim() });
  }
  return out;
}

type StartLine = Pick<SipMessage, "kind" | "method" | "uri" | "status" | "reason">;

function parseStartLine(line: string): StartLine | { error: string } {
  if (line.startsWith("SIP/")) {
    const m = /^SIP\/(\d+\.\d+) (\d{3}) (.*)$/.exec(line) ?? /^SIP\/(\d+\.\d+) (\d{3})$/.exec(line);
    if (!m) return { error: `status line "${line.slice(0, 60)}" is not "SIP/2.0 NNN reason" (3-digit code)` };
    if (m[1] !== "2.0") return { error: `SIP version ${m[1]} is not 2.0` };
    const status = Number(m[2]);
    if (status < 100 || status > 699) return { error: `status code ${status} is outside 100–699` };
    return { kind: "response", status, reason: m[3] ?? "" };
  }
  const parts = line.split(" ");
  if (parts.length !== 3 || parts.some((p) => p === ""))
    return {
      error: `request line "${line.slice(0, 60)}" is not Method SP Request-URI SP SIP/2.0 (single spaces, nothing after)`,
    };
  const [method, uri, version] = parts as [string, string, string];
  if (!TOKEN.test(method)) return { error: `method "${method}" is not a token` };
  if (version.toUpperCase() !== "SIP/2.0") return { error: `SIP version "${version}" is not SIP/2.0` };
  if (!/^[A-Za-z][A-Za-z0-9+\-.]*:/.test(uri))
    return { error: `Request-URI "${uri}" is not an absolute URI` };
  // §19.1.1: headers (?...) are not allowed in a SIP Request-URI (RFC 4475 §3.1.2.11).
  if (/^sips?:/i.test(uri) && uri.slice(uri.lastIndexOf("@") + 1).includes("?"))
    return { error: `Request-URI "${uri}" carries a header part (?...)` };
  return { kind: "request", method, uri };
}

function contentLength(m: SipMessage): number | undefined | string {
  const v = header(m, "content-length");
  if (v === undefined) return undefined;
  if (!/^\d{1,9}$/.test(v)) return `Content-Length "${v}" is not a non-negative integer`;
  return Number(v);
}

const MAX_CSEQ = 2 ** 31 - 1; // §8.1.1.5: the sequence number MUST be < 2^31

function checkHeaders(m: SipMessage): string | undefined {
  const required =
    m.kind === "request"
      ? ["to", "from", "call-id", "cseq", "via", "max-forwards"]
      : ["to", "from", "call-id", "cseq", "via"];
  const missing = required.filter((h) => headers(m, h).length === 0);
  if (missing.length > 0) return `missing required header(s): ${missing.join(", ")} (RFC 3261 §8.1.1)`;
  for (const h of ["to", "from", "call-id", "cseq", "max-forwards", "content-length"])
    if (headers(m, h).length > 1) return `header ${h} appears more than once`;
  const cseq = /^(\d+)\s+(\S+)$/.exec(header(m, "cseq")!);
  if (!cseq) return `CSeq "${header(m, "cseq")}" is not "number method"`;
  if (cseq[1]!.length > 10 || Number(cseq[1]) > MAX_CSEQ) return `CSeq number ${cseq[1]} is not below 2^31`;
  if (m.kind === "request" && cseq[2] !== m.method)
    return `CSeq method ${cseq[2]} does not match the request method ${m.method}`;
  const mf = header(m, "max-forwards");
  if (mf !== undefined && (!/^\d{1,9}$/.test(mf) || Number(mf) > 255))
    return `Max-Forwards "${mf}" is not 0–255`;
  for (const h of ["to", "from"]) {
    const problem = checkNameAddr(header(m, h)!);
    if (problem) return `${h === "to" ? "To" : "From"}: ${problem}`;
  }
  for (const via of headers(m, "via").flatMap(splitCommas)) {
    const problem = checkVia(via);
    if (problem) return `Via: ${problem}`;
  }
  return undefined;
}

/** Split a header value on commas outside quotes and angle brackets. */
function splitCommas(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted && c === "\\") i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === "<") depth++;
    else if (!quoted && c === ">") depth--;
    else if (!quoted && depth === 0 && c === ",") {
      out.push(value.slice(from, i).trim());
      from = i + 1;
    }
  }
  out.push(value.slice(from).trim());
  return out;
}

/** §20.20/§25.1 name-addr or addr-spec: quotes balanced, display name a quoted string or tokens, no LWS inside <>. */
function checkNameAddr(value: string): string | undefined {
  let quoted = false;
  let lt = -1;
  for (let i = 0; i < value.length; i++) {
    if (quoted && value[i] === "\\") i++;
    else if (value[i] === '"') quoted = !quoted;
    else if (!quoted && value[i] === "<" && lt < 0) lt = i;
  }
  if (quoted) return "unterminated quoted string (RFC 4475 §3.1.2.6)";
  if (lt < 0)
    return /^[A-Za-z][A-Za-z0-9+\-.]*:\S+$/.test(value.split(";")[0]!.trim())
      ? undefined
      : `"${value}" is not an address`;
  const display = value.slice(0, lt).trim();
  if (display !== "" && !/^".*"$/s.test(display) && !display.split(/\s+/).every((t) => TOKEN.test(t)))
    return `display name "${display}" must be quoted (RFC 4475 §3.1.2.15)`;
  const gt = value.indexOf(">", lt);
  if (gt < 0) return "< without >";
  const spec = value.slice(lt + 1, gt);
  if (spec !== spec.trim() || spec === "")
    return `addr-spec "<${spec}>" has spaces inside <> (RFC 4475 §3.1.2.14)`;
  return undefined;
}

/** §20.42: SIP / 2.0 / transport sent-by *( ; param ), parameters non-empty. */
function checkVia(via: string): string | undefined {
  const m = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z0-9\-.!%*_+`'~]+)\s+([^;\s]+)\s*(.*)$/s.exec(via);
  if (!m) return `"${via}" is not "SIP/2.0/transport host"`;
  const params = m[3]!.trim();
  if (params === "") return undefined;
  if (!params.startsWith(";")) return `"${via}" has text after the host that is not a parameter`;
  const list = params
    .slice(1)
    .split(";")
    .map((p) => p.trim());
  if (list.some((p) => !/^[A-Za-z0-9\-.!%*_+`'~]+(\s*=\s*\S+)?$/.test(p)))
    return `"${via}" has an empty or malformed parameter`;
  return undefined;
}

export interface OptionsInput {
  requestUri: string;
  from: string;
  to: string;
  via: { transport: "TLS" | "TCP" | "UDP"; host: string; port: number; branch: string };
  callId: string;
  tag: string;
  cseq?: number;
  userAgent?: string;
  contact?: string;
}

/** §11 OPTIONS; the branch gets the §8.1.1.7 magic cookie z9hG4bK when it lacks it. */
export function optionsRequest(o: OptionsInput): string {
  const branch = o.via.branch.startsWith("z9hG4bK") ? o.via.branch : `z9hG4bK${o.via.branch}`;
  const host = o.via.host.includes(":") ? `[${o.via.host}]` : o.via.host;
  const lines = [
    `OPTIONS ${o.requestUri} SIP/2.0`,
    `Via: SIP/2.0/${o.via.transport} ${host}:${o.via.port};branch=${branch};rport`,
    "Max-Forwards: 70",
    `From: <${o.from}>;tag=${o.tag}`,
    `To: <${o.to}>`,
    `Call-ID: ${o.callId}`,
    `CSeq: ${o.cseq ?? 1} OPTIONS`,
  ];
  if (o.contact !== undefined) lines.push(`Contact: <${o.contact}>`);
  lines.push("Accept: application/sdp");
  if (o.userAgent !== undefined) lines.push(`User-Agent: ${o.userAgent}`);
  lines.push("Content-Length: 0");
  return lines.join("\r\n") + "\r\n\r\n";
}

/** §8.2.6.2: a response copies Via (all, in order), From, To (+ tag), Call-ID and CSeq. */
export function sipResponse(
  request: SipMessage,
  status: number,
  reason: string,
  o: { server: string; toTag: string; extra?: string[] },
): string {
  const to = header(request, "to") ?? "";
  const lines = [
    `SIP/2.0 ${status} ${reason}`,
    ...headers(request, "via").map((v) => `Via: ${v}`),
    `From: ${header(request, "from") ?? ""}`,
    `To: ${/;\s*tag\s*=/i.test(to) ? to : `${to};tag=${o.toTag}`}`,
    `Call-ID: ${header(request, "call-id") ?? ""}`,
    `CSeq: ${header(request, "cseq") ?? ""}`,
    ...(o.extra ?? []),
    `Server: ${o.server}`,
    "Content-Length: 0",
  ];
  return lines.join("\r\n") + "\r\n\r\n";
}

/**
 * The methods a stand-in (listen) answers: OPTIONS (200 OK) and ACK (nothing, as §17.2.1 wants);
 * every other request gets 405 with this same Allow (§21.4.6), so the 200 OK never advertises a
 * method it then refuses.
 */
export const STAND_IN_ALLOW = "Allow: OPTIONS, ACK";

/** 200 OK to OPTIONS (§11.2: Allow, Accept and Supported describe what the UA would accept). */
export function okResponse(request: SipMessage, o: { server: string; toTag: string }): string {
  return sipResponse(request, 200, "OK", {
    ...o,
    extra: [STAND_IN_ALLOW, "Accept: application/sdp"],
  });
}

/**
 * §18.3: on a stream the message ends Content-Length bytes after the empty line. Leading CRLFs
 * (keep-alives, RFC 5626 §4.4.1) count as part of the frame. Returns undefined while incomplete,
 * null when the header section is complete but Content-Length is missing or bad (a stream cannot
 * be framed without it).
 */
export function sipFrameLength(buf: Uint8Array | string): number | undefined | null {
  const bytes = typeof buf === "string" ? enc.encode(buf) : buf;
  let at = 0;
  while (at + 1 < bytes.length && bytes[at] === 0x0d && bytes[at + 1] === 0x0a) at += 2;
  const head = findEmptyLine(bytes, at);
  if (head === undefined) return undefined;
  const text = dec.decode(bytes.subarray(at, head));
  const m = /(?:^|\r\n)(?:content-length|l)[ \t]*:[ \t]*(\S*)/i.exec(text);
  if (!m || !/^\d{1,9}$/.test(m[1]!)) return null;
  const total = head + 4 + Number(m[1]);
  return bytes.length >= total ? total : undefined;
}

function findEmptyLine(b: Uint8Array, from: number): number | undefined {
  for (let i = from; i + 3 < b.length; i++)
    if (b[i] === 0x0d && b[i + 1] === 0x0a && b[i + 2] === 0x0d && b[i + 3] === 0x0a) return i;
  return undefined;
}
