/**
 * The probe's findings and their contract (`probe --format json`, version 1; schemas/probe-output
 * .schema.json): one result per flow, target host and port, its state, what the matrix expects and
 * what the protocol said. Pure: classification of socket outcomes, the summary, grouping for tables,
 * and merging runs from several vantage points.
 *
 * States (nmap's words): `open` (handshake or protocol answer), `closed` (reset or ICMP port
 * unreachable), `filtered` (no answer after retries, or an ICMP unreachable that a firewall sends),
 * `open|filtered` (UDP without an answer where no responder is known to stand: silence proves
 * nothing). Every required flow expects `open`.
 */
import * as z from "zod";

import { PROBE_OUTPUT_VERSION } from "./outcome.js";

// What the probe computes from these types (pure, without zod: a probe run builds no schema).
export * from "./outcome.js";

export const PortState = z.enum(["open", "closed", "filtered", "open|filtered"]);
export type PortStateT = z.infer<typeof PortState>;

export const TlsFacts = z.object({
  version: z.string().describe("negotiated protocol, e.g. TLSv1.3"),
  cipher: z.string(),
  subject: z.string().describe("the server certificate's subject CN (or the whole subject)"),
  issuer: z.string(),
  names: z
    .array(z.string())
    .describe("subjectAltName entries, e.g. DNS:sip.example.com, IP Address:203.0.113.10"),
  notAfter: z.string().describe("expiry, ISO 8601"),
  authorized: z
    .boolean()
    .describe(
      "the chain verified against the CA given (--ca) or the system's — the chain only: names are in `hostnames`",
    ),
  authorizationError: z.string().optional().describe("why the chain did not verify (OpenSSL's code)"),
  servername: z
    .string()
    .optional()
    .describe("the server name sent (SNI): the profile's first name for the endpoint"),
  hostnames: z
    .array(z.object({ name: z.string(), verified: z.boolean() }))
    .optional()
    .describe(
      "each name the profile gives the endpoint, checked against the certificate as a TLS client does",
    ),
  handshakeCompleted: z
    .boolean()
    .optional()
    .describe(
      "false: the facts were read from the server's handshake messages on the wire before it refused us",
    ),
  alert: z
    .number()
    .int()
    .optional()
    .describe("a TLS alert the server sent during the handshake (40, 50, 116 …)"),
  clientCertRequested: z
    .boolean()
    .nullable()
    .describe(
      "the server sent a CertificateRequest, seen on the wire (TLS 1.2 in clear; TLS 1.3 decrypted with our own handshake secret); null when it could not be told",
    ),
  clientCertRequired: z
    .boolean()
    .describe("the server asked for a client certificate and refused the connection without one"),
});

export const ProbeResult = z.object({
  flow: z.string(),
  origin: z
    .literal("site")
    .optional()
    .describe("site: one of the topology's own flows (site:), not a profile row"),
  to: z.string().describe("destination endpoint id"),
  target: z.string().describe("destination address"),
  transport: z.enum(["tcp", "udp"]),
  port: z.number().int().min(1).max(65535),
  sourcePort: z.number().int().min(1).max(65535).optional().describe("when the matrix pins source ports"),
  state: PortState,
  expected: PortState,
  ok: z.boolean(),
  reason: z
    .string()
    .describe("why the state: syn-ack, conn-refused, no-response, host-unreach, stun-answer, …"),
  detail: z.string().describe("one line of what the protocol said"),
  service: z
    .string()
    .optional()
    .describe("the service spoken after the handshake (sip-tls, sip-mtls, msturn-tcp, stun, …)"),
  tls: TlsFacts.optional(),
  certificate: z
    .object({
      expected: z.array(z.string()).describe("names the profile's certificate for this endpoint must carry"),
      missing: z.array(z.string()).describe("those the server's certificate does not cover (RFC 6125)"),
    })
    .optional()
    .describe("with a topology's sipDomains: the certificate name check; any missing name makes ok false"),
  serviceCheck: z
    .object({
      expected: z
        .string()
        .describe(
          "the answer the row needs: sip-response, msturn-answer, client-cert-request, tls-handshake",
        ),
      answered: z.boolean(),
      mode: z
        .enum(["fail", "warn"])
        .describe("--service-check: fail makes a row without the answer fail; warn only says it"),
    })
    .optional()
    .describe("whether the expected service answered on an open port"),
  sip: z.object({ status: z.number().int(), reason: z.string(), server: z.string().optional() }).optional(),
  stun: z.object({ mapped: z.string() }).optional(),
  msturn: z.object({ status: z.number().int(), realm: z.string().optional() }).optional(),
  rttMs: z.number().optional(),
  from: z.string().optional().describe("vantage point (merged runs)"),
});
export type ProbeResultT = z.infer<typeof ProbeResult>;

export const ProbeSummary = z.object({
  total: z.number().int(),
  ok: z.number().int(),
  failed: z.number().int(),
  states: z.record(z.string(), z.number().int()),
  skipped: z.number().int(),
  durationMs: z.number(),
});
export type ProbeSummaryT = z.infer<typeof ProbeSummary>;

export const ProbeOutput = z.object({
  version: z.literal(PROBE_OUTPUT_VERSION),
  profile: z.string(),
  from: z.string().describe("prober endpoint id (merged: the ids joined by ', ')"),
  to: z.string().optional(),
  transport: z
    .enum(["tcp", "udp"])
    .optional()
    .describe("only this transport's flows were probed (--transport)"),
  startedAt: z.string(),
  settings: z
    .object({
      maxInFlight: z.number(),
      rate: z.number(),
      timeoutMs: z.number(),
      retries: z.number(),
      udpTimeoutMs: z.number(),
      udpTries: z.number(),
      responders: z.boolean(),
    })
    .optional(),
  results: z.array(ProbeResult),
  skipped: z.array(
    z.object({
      flow: z.string(),
      to: z.string(),
      reason: z.string(),
      kind: z
        .enum(["retired", "family", "no-address"])
        .optional()
        .describe(
          "retired: the flow's service has ended (--include-retired probes it); family: the source has no address of the destination's family; no-address: the destination is not bound to probeable hosts",
        ),
      from: z.string().optional(),
    }),
  ),
  summary: ProbeSummary,
  runs: z
    .array(z.object({ from: z.string(), startedAt: z.string() }))
    .optional()
    .describe("merged: the runs"),
});
export type ProbeOutputT = z.infer<typeof ProbeOutput>;
