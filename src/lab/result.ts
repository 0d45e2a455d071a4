/**
 * The lab's findings and their contract (`lab --format json`, version 1; schemas/lab-output
 * .schema.json): per flow, what the live probe saw and what the audit predicts for the same ruleset
 * and the same lab hosts, and whether they agree. Pure.
 */
import * as z from "zod";
import type { AuditReportT } from "../audit/report-schema.js";
import type { ProbeResultT } from "../probe/result.js";
import { alignedLines } from "../report/table.js";
import type { LabAddress } from "./addresses.js";

export const LAB_OUTPUT_VERSION = 1;

const Verdict = z.enum(["allowed", "partial", "blocked", "not-applicable", "not-probed"]);
export type LabVerdict = z.infer<typeof Verdict>;

export const LabFlow = z.object({
  id: z.string(),
  origin: z
    .literal("site")
    .optional()
    .describe("site: one of the topology's own flows (site:), not a profile row"),
  from: z.string(),
  to: z.string(),
  transport: z.enum(["tcp", "udp"]),
  ports: z.string().describe("destination ports, e.g. 50000-59999"),
  retired: z.boolean(),
  probe: Verdict.describe("allowed: every probed port answered as expected; blocked: none; partial: some"),
  probed: z.object({ ok: z.number().int(), total: z.number().int() }),
  audit: Verdict,
  auditUncertain: z
    .boolean()
    .describe(
      "the audit's verdict rests on a rule it could not model exactly (audit: unsupported) and may be wrong: where probe and audit differ, the kernel's answer is the truth",
    ),
  agree: z.boolean(),
  notRehearsed: z
    .string()
    .optional()
    .describe(
      "set where the lab cannot rehearse the flow as the audit judges it, and why (the ruleset's own NAT sends the flow's packets to another port or address, where the lab's stand-in does not listen): a difference there is not a bug",
    ),
  detail: z.string().describe("for a partial or blocked flow, what failed; for a disagreement, both sides"),
});
export type LabFlowT = z.infer<typeof LabFlow>;

export const LabOutput = z.object({
  version: z.literal(LAB_OUTPUT_VERSION),
  topology: z.string(),
  profile: z.string(),
  firewall: z.object({
    kind: z.enum(["host", "perimeter"]),
    rules: z
      .string()
      .describe(
        "nftables, iptables or ufw's commands (compiled by portmatrix; ufw's run by ufw itself), or the ruleset file given",
      ),
  }),
  addresses: z.array(
    z.object({
      endpoint: z.string(),
      original: z.array(z.string()),
      lab: z.array(z.string()),
      mapped: z.boolean(),
      sampled: z.boolean(),
    }),
  ),
  flows: z.array(LabFlow),
  nat: z
    .array(
      z.object({
        endpoint: z.string(),
        private: z.string(),
        public: z.string(),
        mapped: z
          .array(z.string())
          .describe(
            "the addresses (address:port) STUN servers outside reported for the endpoint's STUN probes",
          ),
        ok: z
          .boolean()
          .describe("every STUN-mapped address is the public address (SNAT proven), and there was one"),
      }),
    )
    .optional()
    .describe(
      "static NAT of the topology: the public address proven by a STUN server outside, as an Edge admin checks it",
    ),
  summary: z.object({
    flows: z.number().int(),
    allowed: z.number().int(),
    disagreements: z.number().int(),
    durationMs: z.number(),
  }),
});
export type LabOutputT = z.infer<typeof LabOutput>;

/** The flow's live verdict from its probe results. */
export function probeVerdict(results: readonly ProbeResultT[]): {
  verdict: LabVerdict;
  ok: number;
  total: number;
} {
  const ok = results.filter((r) => r.ok).length;
  const total = results.length;
  if (total === 0) return { verdict: "not-probed", ok, total };
  return { verdict: ok === total ? "allowed" : ok === 0 ? "blocked" : "partial", ok, total };
}

const span = (ports: ReadonlyArray<{ from: number; to: number }>): string =>
  ports.map((p) => (p.from === p.to ? String(p.from) : `${p.from}-${p.to}`)).join(",");

export interface FlowInfo {
  id: string;
  from: string;
  to: string;
  transport: "tcp" | "udp";
  ports: ReadonlyArray<{ from: number; to: number }>;
  retired: boolean;
  origin?: "site";
}

/** Compares probe and audit per flow; `agree` treats not-applicable (the firewall is not on the path) as allowed. */
export function compareFlows(
  flows: readonly FlowInfo[],
  probes: readonly ProbeResultT[],
  audit: AuditReportT,
  /**
   * Flows a host's own NAT sends elsewhere ("port 22"): the lab's stand-in listens on the flow's
   * port, so what the probe meets there is not what the audit judges — a difference, not a bug.
   */
  elsewhere: ReadonlyMap<string, string> = new Map(),
): LabFlowT[] {
  return flows.map((f) => {
    const p = probeVerdict(probes.filter((r) => r.flow === f.id));
    const finding = audit.flows.find((x) => x.id === f.id);
    const a = finding?.verdict ?? "not-probed";
    const effective = a === "not-applicable" ? "allowed" : a;
    const agree = p.verdict === effective;
    const failed = probes.filter((r) => r.flow === f.id && !r.ok);
    const first = failed[0];
    let detail = first
      ? `${failed.length} of ${p.total} not as expected, e.g. ${f.transport} ${first.target} ${first.port}: ${first.state} (${first.reason})`
      : "";
    const away = elsewhere.get(f.id);
    if (!agree)
      detail = `probe says ${p.verdict} (${p.ok}/${p.total}), audit says ${a}${detail ? `; ${detail}` : ""}`;
    return {
      id: f.id,
      ...(f.origin ? { origin: f.origin } : {}),
      from: f.from,
      to: f.to,
      transport: f.transport,
      ports: span(f.ports),
      retired: f.retired,
      probe: p.verdict,
      probed: { ok: p.ok, total: p.total },
      audit: a,
      auditUncertain: finding?.uncertain ?? false,
      agree,
      ...(away !== undefined
        ? {
            notRehearsed: `the ruleset's NAT sends the flow's packets to ${away}, where the lab's stand-in does not listen`,
          }
        : {}),
      detail,
    };
  });
}

/**
 * SNAT proven the way an Edge admin does it: a STUN server outside answers with the address it saw
 * (RFC 5389 XOR-MAPPED-ADDRESS), which must be the endpoint's public address. `results` are the
 * probes sent from the endpoint to hosts outside its zone; the address is compared without the port.
 */
export function natCheck(
  pair: { endpoint: string; private: string; public: string },
  results: readonly ProbeResultT[],
): NonNullable<LabOutputT["nat"]>[number] {
  const mapped = [...new Set(results.flatMap((r) => (r.stun ? [r.stun.mapped] : [])))].sort();
  const host = (m: string) => m.replace(/^\[(.*)\]:\d+$/, "$1").replace(/^([^:]*):\d+$/, "$1");
  return { ...pair, mapped, ok: mapped.length > 0 && mapped.every((m) => host(m) === pair.public) };
}

export function labExitCode(o: LabOutputT): 0 | 1 {
  return (o.nat ?? []).every((n) => n.ok) &&
    o.summary.disagreements === 0 &&
    o.flows.every((f) => f.probe === "allowed" && f.audit !== "blocked" && f.audit !== "partial")
    ? 0
    : 1;
}

export function renderLabText(o: LabOutputT): string {
  const lines = [`lab · ${o.profile} · ${o.firewall.kind} firewall · ${o.firewall.rules}`];
  for (const a of o.addresses)
    lines.push(
      `  ${a.endpoint.padEnd(20)} ${a.lab.join(", ")}${a.mapped ? `  (mapped from ${a.original.join(", ")})` : a.sampled ? `  (one host of ${a.original.join(", ")})` : ""}`,
    );
  const rows = o.flows.map((f) => [
    f.agree ? "" : f.auditUncertain || f.notRehearsed ? "≠" : "BUG",
    f.origin === "site" ? `${f.id} (site)` : f.id,
    `${f.from} → ${f.to}`,
    `${f.transport} ${f.ports}`,
    f.probe,
    f.auditUncertain ? `${f.audit} (uncertain)` : f.audit,
    f.detail,
  ]);
  const head = ["", "flow", "direction", "ports", "probe", "audit", ""];
  lines.push(...alignedLines(head, rows));
  for (const n of o.nat ?? [])
    lines.push(
      `NAT ${n.endpoint}: ${n.private} is ${n.public} outside; STUN-mapped ${n.mapped.join(", ") || "(no STUN answer)"}: ${n.ok ? "SNAT to the public address proven" : "NOT the public address"}`,
    );
  for (const f of o.flows.filter((x) => !x.agree))
    lines.push(
      f.notRehearsed
        ? `probe and audit differ on ${f.id}: ${f.detail} — the lab cannot rehearse it: ${f.notRehearsed}`
        : f.auditUncertain
          ? `probe and audit differ on ${f.id}: ${f.detail} — the audit's verdict rests on a rule it could not model exactly (see "not modelled exactly" in \`audit\`): the kernel's answer is the truth`
          : `BUG: probe and audit disagree on ${f.id}: ${f.detail} — please report it with this output`,
    );
  lines.push(
    `${o.summary.allowed} of ${o.summary.flows} flows allowed live; ${o.summary.disagreements === 0 ? "probe and audit agree on every flow" : `${o.summary.disagreements} disagreement(s)`}; ${(o.summary.durationMs / 1000).toFixed(1)} s`,
  );
  return lines.join("\n") + "\n";
}

export type { LabAddress };
