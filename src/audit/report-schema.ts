/**
 * The `portmatrix audit --format json` contract, version 1. The zod schema is the source of the
 * TypeScript types and of schemas/audit-output.schema.json (z.toJSONSchema).
 *
 * Packet sets are arrays of readable lines (space/render.ts), one per box, e.g.
 * `tcp dport 50000-50999 from any to 198.51.100.10 ct new`.
 */
import * as z from "zod";
import { productSupportSchema } from "../report/show-schema.js";

import { AUDIT_REPORT_VERSION } from "./report-constants.js";

export { AUDIT_REPORT_VERSION, HIDDEN_EXPOSURE_NOTE } from "./report-constants.js";

const Where = z.object({
  file: z.string(),
  line: z.number().int().nonnegative(),
  col: z.number().int().nonnegative(),
});

export const RuleRef = z
  .object({
    kind: z
      .enum(["rule", "policy", "engine"])
      .describe(
        "rule: a rule decided; policy: a base chain's policy; engine: the engine had to decide (missing chain, jump loop)",
      ),
    table: z.string(),
    chain: z.string(),
    text: z.string().describe("the rule as written, or `policy drop`"),
    note: z.string().optional(),
  })
  .extend(Where.shape);

const Packets = z.array(z.string()).describe("packet set, one readable box per line");

export const FlowFinding = z.object({
  id: z.string(),
  snat: z
    .object({
      public: z.array(z.string()).describe("the source's public addresses (topology nat:)"),
      ok: z.boolean().describe("every passing packet of the flow leaves with its source's public address"),
    })
    .optional()
    .describe(
      "for a flow leaving through the topology's static NAT: whether the ruleset SNATs it (symmetric NAT)",
    ),
  origin: z
    .literal("site")
    .optional()
    .describe("site: one of the topology's own flows (site:), not a profile row"),
  from: z.string(),
  to: z.string(),
  transport: z.enum(["tcp", "udp"]),
  ports: z.string(),
  verdict: z.enum(["allowed", "partial", "blocked", "not-applicable"]),
  retired: z.boolean(),
  blocked: z.array(
    z.object({
      direction: z.enum(["forward", "reply"]),
      packets: Packets,
      rule: RuleRef,
      neighbourDiscovery: Packets.optional().describe(
        "set when the rule drops the ICMPv6 neighbour discovery IPv6 needs (these packets) where none of their kind passes: then `packets` are the flow's IPv6 packets, which cannot pass whatever the rules for their ports say",
      ),
    }),
  ),
  uncertain: z
    .boolean()
    .describe(
      "some of this flow's packets (or their replies) meet a rule holding a construct not modelled exactly (see unsupported) before their decision: the verdict, allowed as much as partial or blocked, may differ",
    ),
});

export const ExposureFinding = z.object({
  direction: z.enum(["inbound", "outbound", "forward"]),
  packets: Packets,
  rule: RuleRef,
  uncertain: z
    .boolean()
    .default(false)
    .describe(
      "these packets meet a rule holding a construct not modelled exactly (see unsupported) before their decision; with rule.note set, the approximated rule drops them as read but they may pass",
    ),
});

export const DeadRule = z.object({
  kind: z.enum(["shadowed", "unmatchable", "unreachable-chain", "redundant"]),
  rule: RuleRef,
  by: z
    .array(RuleRef)
    .describe(
      "shadowed: earlier rules overlapping it; redundant: the rules that decide its packets alike without it",
    ),
  uncertain: z
    .boolean()
    .default(false)
    .describe(
      "the rule or one in `by` holds a construct not modelled exactly, or an approximated rule met the packets the finding rests on (see unsupported): the finding assumes the approximation",
    ),
});

export const RetiredRule = z.object({
  rule: RuleRef,
  flows: z.array(z.string()).describe("the retired flows it serves (it serves no required flow)"),
});

export const UnsupportedFinding = z.object({
  at: Where,
  construct: z.string(),
  reason: z.string(),
  rule: RuleRef.optional(),
  mayAffect: Packets.describe("packets whose verdict the approximation may change"),
  flows: z.array(z.string()),
});

export const AuditReport = z.object({
  version: z.literal(AUDIT_REPORT_VERSION),
  profile: z.string(),
  support: productSupportSchema
    .optional()
    .describe(
      "the product's support lifecycle at the as-of date (additive; absent when the profile names none)",
    ),
  firewall: z.string().describe("`host <endpoint>` or `perimeter`"),
  rulesets: z.array(
    z.object({
      file: z.string(),
      format: z.string(),
      tables: z.number(),
      chains: z.number(),
      rules: z.number(),
    }),
  ),
  flows: z.array(FlowFinding),
  exposure: z.array(ExposureFinding),
  deadRules: z.array(DeadRule),
  retired: z.array(RetiredRule),
  unsupported: z.array(UnsupportedFinding),
  notes: z.array(z.string()).describe("limits of this analysis run (e.g. redundancy check budget reached)"),
});

export type RuleRefT = z.infer<typeof RuleRef>;
export type FlowFindingT = z.infer<typeof FlowFinding>;
export type ExposureFindingT = z.infer<typeof ExposureFinding>;
export type DeadRuleT = z.infer<typeof DeadRule>;
export type RetiredRuleT = z.infer<typeof RetiredRule>;
export type UnsupportedFindingT = z.infer<typeof UnsupportedFinding>;
export type AuditReportT = z.infer<typeof AuditReport>;
