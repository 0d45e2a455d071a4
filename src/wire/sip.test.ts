/**
 * RFC 4475 torture messages (a selection: §3.1.1 valid ones must parse, §3.1.2/§3.3 invalid ones must
 * be refused), our OPTIONS/200 OK round trip, and stream framing. Messages are written with "\n" here
 * and converted to CRLF, as the RFC's own extraction tool does; bytes that are not plain text are
 * written as escapes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  header,
  headers,
  okResponse,
  optionsRequest,
  parseSipMessage,
  sipFrameLength,
  STAND_IN_ALLOW,
} from "./sip.js";

const crlf = (s: string): string => s.replace(/\n/g, "\r\n");

const SDP150 =
  "v=0\no=mhandley 29739 7272939 IN IP4 192.0.2.3\ns=-\nc=IN IP4 192.0.2.4\nt=0 0\nm=audio 49217 RTP/AVP 0 12\nm=video 3227 RTP/AVP 31\na=rtpmap:31 LPC\n";

const VALID: Record<string, string> = {
  // §3.1.1.1 A Short Tortuous INVITE: folding, LWS, compact and long forms, odd case, leading zeros.
  wsinv: `INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0
TO :
 sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n
from   : "J Rosenberg \\\\\\""       <sip:jdrosen@example.com>
  ;
  tag = 98asjd8
MaX-fOrWaRdS: 0068
Call-ID: wsinv.ndaksdj@192.0.2.1
Content-Length   : 150
cseq: 0009
  INVITE
Via  : SIP  /   2.0
 /UDP
    192.0.2.2;branch=390skdjuw
s :
NewFangledHeader:   newfangled value
 continued newfangled value
UnknownHeaderWithUnusualValue: ;;,,;;,;
Content-Type: application/sdp
Route:
 <sip:services.example.com;lr;unknownwith=value;unknown-no-value>
v:  SIP  / 2.0  / TCP     spindle.example.com   ;
  branch  =   z9hG4bK9ikj8  ,
 SIP  /    2.0   / UDP  192.168.255.111   ; branch=
 z9hG4bK30239
m:"Quoted string \\"\\"" <sip:jdrosen@example.com> ; newparam =
      newvalue ;
  secondparam ; q = 0.33

${SDP150}`,
  // §3.1.1.2 Wide Range of Valid Characters (the UTF-8 parts kept; the control characters in To left out).
  intmeth: `!interesting-Method0123456789_*+\`.%indeed'~ sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com SIP/2.0
Via: SIP/2.0/TCP host1.example.com;branch=z9hG4bK-.!%66*_+\`'~
To: "BEL:\\\\ NUL:\\\\ DEL:\\\\" <sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com>
From: token1~\` token2'+_ token3*%!.- <sip:mundane@example.com>;fromParam''~+*_!.-%="\u0440\u0430\u0431\u043e\u0442\u0430\u044e\u0449\u0438\u0439";tag=_token~1'+\`*%!-.
Call-ID: intmeth.word%ZK-!.*_+'@word\`~)(><:\\/"][?}{
CSeq: 139122385 !interesting-Method0123456789_*+\`.%indeed'~
Max-Forwards: 255
extensionHeader-!.%*+_\`'~:\ufeff\u5927\u505c\u96fb
Content-Length: 0

`,
  // §3.1.1.6 Message with No LWS between Display Name and <.
  lwsdisp: `OPTIONS sip:user@example.com SIP/2.0
To: sip:user@example.com
From: caller<sip:caller@example.com>;tag=323
Max-Forwards: 70
Call-ID: lwsdisp.1234abcd@funky.example.com
CSeq: 60 OPTIONS
Via: SIP/2.0/UDP funky.example.com;branch=z9hG4bKkdjuw
l: 0

`,
  // §3.1.1.10 Semicolon-Separated Parameters in URI User Part.
  semiuri: `OPTIONS sip:user;par=u%40example.net@example.com SIP/2.0
To: sip:j_user@example.com
From: sip:caller@example.org;tag=33242
Max-Forwards: 3
Call-ID: semiuri.0ha0isndaksdj
CSeq: 8 OPTIONS
Accept: application/sdp, application/pkcs7-mime,
        multipart/mixed, multipart/signed,
        message/sip, message/sipfrag
Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKkdjuw
l: 0

`,
  // §3.1.1.11 Varied and Unknown Transport Types.
  transports: `OPTIONS sip:user@example.com SIP/2.0
To: sip:user@example.com
From: <sip:caller@example.com>;tag=323
Max-Forwards: 70
Call-ID:  transports.kijh4akdnaqjkwendsasfdj
Accept: application/sdp
CSeq: 60 OPTIONS
Via: SIP/2.0/UDP t1.example.com;branch=z9hG4bKkdjuw
Via: SIP/2.0/SCTP t2.example.com;branch=z9hG4bKklasjdhf
Via: SIP/2.0/TLS t3.example.com;branch=z9hG4bK2980unddj
Via: SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en
Via: SIP/2.0/TCP t5.example.com;branch=z9hG4bK0a9idfnee
l: 0

`,
  // §3.1.1.12 Multipart MIME Message? (left out); §3.1.1.13 Unusual Reason Phrase (UTF-8).
  unreason: `SIP/2.0 200 = 2**3 * 5**2 \u043d\u043e \u0441\u0442\u043e \u0434\u0435\u0432\u044f\u043d\u043e\u0441\u0442\u043e \u0434\u0435\u0432\u044f\u0442\u044c - \u043f\u0440\u043e\u0441\u0442\u043e\u0435
Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923
Call-ID: unreason.1234ksdfak3j2erwedfsASdf
CSeq: 35 INVITE
From: sip:user@example.com;tag=11141343
To: sip:user@example.edu;tag=2229
Content-Length: 154
Content-Type: application/sdp
Contact: <sip:user@host198.example.com>

v=0
o=mhandley 29739 7272939 IN IP4 192.0.2.198
s=-
c=IN IP4 192.0.2.198
t=0 0
m=audio 49217 RTP/AVP 0 12
m=video 3227 RTP/AVP 31
a=rtpmap:31 LPC
`,
  // §3.1.1.14 Empty Reason Phrase.
  noreason: `SIP/2.0 100 
Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe
Call-ID: noreason.asndj203insdf99223ndf
CSeq: 35 INVITE
From: <sip:user@example.com>;tag=39ansfi3
To: <sip:user@example.edu>;tag=902jndnke3
Content-Length: 0
Contact: <sip:user@host105.example.com>

`,
};

const OPTIONS_HEAD = `To: sip:user@example.com
From: sip:caller@example.net;tag=134161461246
Max-Forwards: 7
Call-ID: torture.0ha0isndaksdjasdf3234nas
Via: SIP/2.0/UDP 192.0.2.15;branch=z9hG4bKkdjuw
`;

const INVALID: Record<string, [string, RegExp]> = {
  // §3.1.2.1 Extraneous Header Field Separators (its SDP body swapped for the 150-byte one above).
  badinv01: [
    `INVITE sip:user@example.com SIP/2.0
To: sip:j.user@example.com
From: sip:caller@example.net;tag=134161461246
Max-Forwards: 7
Call-ID: badinv01.0ha0isndaksdjasdf3234nas
CSeq: 8 INVITE
Via: SIP/2.0/UDP 192.0.2.15;;,;,,
Contact: "Joe" <sip:joe@example.org>;;;;
Content-Length: 150
Content-Type: application/sdp

${SDP150}`,
    /Via/,
  ],
  // §3.1.2.2 Content Length Larger Than Message.
  clerr: [
    `INVITE sip:user@example.com SIP/2.0\nMax-Forwards: 80\nTo: sip:j.user@example.com\nFrom: sip:caller@example.net;tag=93942939o2\nContact: <sip:caller@hungry.example.net>\nCall-ID: clerr.0ha0isndaksdjweiafasdk3\nCSeq: 8 INVITE\nVia: SIP/2.0/UDP host5.example.com;branch=z9hG4bK-39234-23523\nContent-Type: application/sdp\nContent-Length: 9999\n\n${SDP150}`,
    /larger than/,
  ],
  // §3.1.2.3 Negative Content-Length.
  ncl: [
    `INVITE sip:user@example.com SIP/2.0\nMax-Forwards: 254\nTo: sip:j.user@example.com\nFrom: sip:caller@example.net;tag=32394234\nCall-ID: ncl.0ha0isndaksdj2193423r542w35\nCSeq: 0 INVITE\nVia: SIP/2.0/UDP 192.0.2.53;branch=z9hG4bKkdjuw\nContact: <sip:caller@example53.example.net>\nContent-Type: application/sdp\nContent-Length: -999\n\n${SDP150}`,
    /not a non-negative integer/,
  ],
  // §3.1.2.4 Request Scalar Fields with Overlarge Values.
  scalar02: [
    `REGISTER sip:example.com SIP/2.0\nVia: SIP/2.0/TCP host129.example.com;branch=z9hG4bK342sdfoi3\nTo: <sip:user@example.com>\nFrom: <sip:user@example.com>;tag=239232jh3\nCSeq: 36893488147419103232 REGISTER\nCall-ID: scalar02.23o0pd9vanlq3wnrlnewofjas9ui32\nMax-Forwards: 300\nExpires: 1${"0".repeat(20)}\nContact: <sip:user@host129.example.com>\n  ;expires=280297596632815\nContent-Length: 0\n\n`,
    /CSeq number/,
  ],
  // §3.1.2.5 Response Scalar Fields with Overlarge Values.
  scalarlg: [
    `SIP/2.0 503 Service Unavailable\nVia: SIP/2.0/TCP host129.example.com;branch=z9hG4bKzzxdiwo34sw;received=192.0.2.129\nTo: <sip:user@example.com>\nFrom: <sip:other@example.net>;tag=2easdjfejw\nCSeq: 9292394834772304023312 OPTIONS\nCall-ID: scalarlg.noase0of0234hn2qofoaf0232aewf2394r\nRetry-After: 949302838503028349304023988\nWarning: 1812 overture "In Progress"\nContent-Length: 0\n\n`,
    /CSeq number/,
  ],
  // §3.1.2.6 Unterminated Quoted String in Display Name.
  quotbal: [
    `INVITE sip:user@example.com SIP/2.0\nTo: "Mr. J. User <sip:j.user@example.com>\nFrom: sip:caller@example.net;tag=93334\nMax-Forwards: 10\nCall-ID: quotbal.aksdj\nContact: <sip:caller@host59.example.net>\nCSeq: 8 INVITE\nVia: SIP/2.0/UDP 192.0.2.59:5050;branch=z9hG4bKkdjuw39234\nContent-Type: application/sdp\nContent-Length: 150\n\n${SDP150}`,
    /unterminated quoted string/,
  ],
  // §3.1.2.7 <> Enclosing Request-URI.
  ltgtruri: [
    `INVITE <sip:user@example.com> SIP/2.0\n${OPTIONS_HEAD}CSeq: 1 INVITE\nContent-Length: 0\n\n`,
    /not an absolute URI/,
  ],
  // §3.1.2.8 Malformed SIP Request-URI (embedded LWS).
  lwsruri: [
    `INVITE sip:user@example.com; lr SIP/2.0\n${OPTIONS_HEAD}CSeq: 1 INVITE\nContent-Length: 0\n\n`,
    /single spaces/,
  ],
  // §3.1.2.9 Multiple SP Separating Request-Line Elements.
  lwsstart: [
    `INVITE  sip:user@example.com  SIP/2.0\n${OPTIONS_HEAD}CSeq: 1 INVITE\nContent-Length: 0\n\n`,
    /single spaces/,
  ],
  // §3.1.2.10 SP Characters at End of Request-Line.
  trws: [
    `OPTIONS sip:remote-target@example.com SIP/2.0  \n${OPTIONS_HEAD}CSeq: 1 OPTIONS\nContent-Length: 0\n\n`,
    /single spaces/,
  ],
  // §3.1.2.11 Escaped Headers in SIP Request-URI.
  escruri: [
    `INVITE sip:user@example.com?Route=%3Csip:example.com%3E SIP/2.0\n${OPTIONS_HEAD}CSeq: 1 INVITE\nContent-Length: 0\n\n`,
    /header part/,
  ],
  // §3.1.2.14 Spaces within addr-spec.
  badaspec: [
    `OPTIONS sip:user@example.org SIP/2.0\nVia: SIP/2.0/UDP host4.example.com:5060;branch=z9hG4bKkdju43234\nMax-Forwards: 70\nFrom: "Bell, Alexander" <sip:a.g.bell@example.com>;tag=433423\nTo: "Watson, Thomas" < sip:t.watson@example.org >\nCall-ID: badaspec.sdf0234n2nds0a099u23h3hnnw009cdkne3\nAccept: application/sdp\nCSeq: 3923239 OPTIONS\nl: 0\n\n`,
    /spaces inside <>/,
  ],
  // §3.1.2.15 Non-token Characters in Display Name.
  baddn: [
    `OPTIONS sip:t.watson@example.org SIP/2.0\nVia: SIP/2.0/UDP c.example.com:5060;branch=z9hG4bKkdjuw\nMax-Forwards: 70\nFrom: Bell, Alexander <sip:a.g.bell@example.com>;tag=43\nTo: Watson, Thomas <sip:t.watson@example.org>\nCall-ID: baddn.31415@c.example.com\nAccept: application/sdp\nCSeq: 3923239 OPTIONS\nl: 0\n\n`,
    /must be quoted/,
  ],
  // §3.1.2.16 Unknown Protocol Version.
  badvers: [
    `OPTIONS sip:t.watson@example.org SIP/7.0\n${OPTIONS_HEAD}CSeq: 1 OPTIONS\nl: 0\n\n`,
    /not SIP\/2.0/,
  ],
  // §3.1.2.17 Start Line and CSeq Method Mismatch.
  mismatch01: [
    `OPTIONS sip:user@example.com SIP/2.0\n${OPTIONS_HEAD}CSeq: 1 INVITE\nl: 0\n\n`,
    /does not match/,
  ],
  // §3.1.2.18 Unknown Method with CSeq Method Mismatch.
  mismatch02: [
    `NEWMETHOD sip:user@example.com SIP/2.0\n${OPTIONS_HEAD}CSeq: 1 INVITE\nl: 0\n\n`,
    /does not match/,
  ],
  // §3.1.2.19 Overlarge Response Code.
  bigcode: [
    `SIP/2.0 4294967301 better not break the receiver\nVia: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe\nCall-ID: bigcode.asdof3uj203asdnf3429uasdhfas3ehjasdfas9i\nCSeq: 353494 INVITE\nFrom: <sip:user@example.com>;tag=39ansfi3\nTo: <sip:user@example.edu>;tag=902jndnke3\nContent-Length: 0\n\n`,
    /3-digit code/,
  ],
  // §3.3.1 Missing Required Header Fields.
  insuf: [
    `INVITE sip:user@example.com SIP/2.0\nCSeq: 193942 INVITE\nVia: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf\nContent-Type: application/sdp\nl: 150\n\n${SDP150}`,
    /missing required header\(s\): to, from, call-id, max-forwards/,
  ],
};

for (const [name, text] of Object.entries(VALID)) {
  test(`RFC 4475 valid message ${name} parses`, () => {
    const r = parseSipMessage(crlf(text));
    assert.ok(r.ok, r.ok ? "" : r.error);
  });
}

for (const [name, [text, why]] of Object.entries(INVALID)) {
  test(`RFC 4475 invalid message ${name} is refused`, () => {
    const r = parseSipMessage(crlf(text));
    assert.ok(!r.ok, `${name} was accepted`);
    assert.match(r.error, why);
  });
}

test("wsinv: folding unfolded to one space, compact forms, three Vias, body of Content-Length bytes", () => {
  const r = parseSipMessage(crlf(VALID.wsinv!));
  assert.ok(r.ok);
  const m = r.message;
  assert.equal(m.method, "INVITE");
  assert.equal(header(m, "Call-ID"), "wsinv.ndaksdj@192.0.2.1");
  assert.equal(header(m, "cseq"), "0009 INVITE");
  assert.equal(header(m, "Subject"), "");
  assert.equal(header(m, "NewFangledHeader"), "newfangled value continued newfangled value");
  assert.equal(header(m, "contact"), header(m, "m"));
  assert.deepEqual(headers(m, "via").length, 2); // "Via" once, "v" once holding two comma-separated values
  assert.equal(m.body.length, 150);
});

test("unreason: UTF-8 reason phrase and a body counted in bytes", () => {
  const r = parseSipMessage(crlf(VALID.unreason!));
  assert.ok(r.ok);
  assert.equal(r.message.status, 200);
  assert.match(r.message.reason!, /^= 2\*\*3 \* 5\*\*2 \u043d\u043e/);
  assert.equal(r.message.body.length, 154);
});

test("OPTIONS → 200 OK round trip: copies Via/From/Call-ID/CSeq, adds a To tag and the Server header", () => {
  const req = optionsRequest({
    requestUri: "sip:sip.example.com;transport=tls",
    from: "sip:prober@prober.example.com",
    to: "sip:sip.example.com",
    via: { transport: "TLS", host: "2001:db8::20", port: 35668, branch: "5a47b5af738f" },
    callId: "0306f86973c8@prober.example.com",
    tag: "55356ea314f6",
    userAgent: "portmatrix-probe/0.1.0",
  });
  const parsed = parseSipMessage(req);
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.error);
  assert.equal(
    header(parsed.message, "via"),
    "SIP/2.0/TLS [2001:db8::20]:35668;branch=z9hG4bK5a47b5af738f;rport",
  );
  const ok = okResponse(parsed.message, { server: "portmatrix-listen/0.1.0", toTag: "srv1" });
  const resp = parseSipMessage(ok);
  assert.ok(resp.ok, resp.ok ? "" : resp.error);
  assert.equal(resp.message.status, 200);
  assert.equal(header(resp.message, "server"), "portmatrix-listen/0.1.0");
  assert.equal(header(resp.message, "to"), "<sip:sip.example.com>;tag=srv1");
  for (const h of ["via", "from", "call-id", "cseq"])
    assert.equal(header(resp.message, h), header(parsed.message, h));
  assert.equal(sipFrameLength(ok), new TextEncoder().encode(ok).length);
  // The Allow of the 200 OK is what listen honours: the same list its 405 gives (STAND_IN_ALLOW).
  assert.equal(`Allow: ${header(resp.message, "allow")}`, STAND_IN_ALLOW);
});

test("stream framing: incomplete, complete with body, keep-alive CRLFs, missing Content-Length", () => {
  const msg = crlf(VALID.unreason!);
  const bytes = new TextEncoder().encode(msg);
  assert.equal(sipFrameLength(bytes.subarray(0, 40)), undefined);
  assert.equal(sipFrameLength(bytes.subarray(0, bytes.length - 1)), undefined);
  assert.equal(sipFrameLength(bytes), bytes.length);
  assert.equal(sipFrameLength(new TextEncoder().encode("\r\n\r\n" + msg + "OPTIONS")), bytes.length + 4);
  assert.equal(sipFrameLength("OPTIONS sip:a@b SIP/2.0\r\nTo: sip:a@b\r\n\r\n"), null);
});
