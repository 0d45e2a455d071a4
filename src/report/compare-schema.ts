/**
 * The `show --compare A B --format json` contract (version 1) as a zod schema: documented, exported
 * as schemas/compare-output.schema.json, validated in tests. Additive changes keep version 1.
 */
import * as z from "zod";

const flow = z
  .strictObject({
    id: z.string(),
    role: z.string(),
    protocol: z.string().describe("as the vendor writes it"),
    transport: z.enum(["tcp", "udp"]),
    ports: z.string().describe('destination ports: "443", "50000-59999", "5061,5062"'),
    sourcePorts: z.string().nullable().describe("pinned source ports, null = any"),
    from: z.string().describe("source endpoint id"),
    to: z.string().describe("destination endpoint id"),
    source: z.string().describe("display name of the source endpoint"),
    destination: z.string().describe("display name of the destination endpoint"),
    conditions: z.array(z.string()).describe('features that must hold, sorted; any-of groups as "a|b"'),
    lifecycle: z.string().nullable(),
    notes: z.string(),
    addresses: z
      .array(z.string())
      .optional()
      .describe("addresses the profile itself gives the row's endpoints (an imported feed's ranges), sorted"),
    fqdns: z.array(z.string()).optional().describe("DNS names the profile gives the row's endpoints, sorted"),
  })
  .nullable();

const named = z.strictObject({ added: z.array(z.string()), removed: z.array(z.string()) });
const ref = z.strictObject({
  id: z.string(),
  title: z.string(),
  product: z.string(),
  rows: z.number().int(),
});
const status = z.enum(["removed", "added", "changed", "unchanged"]);

export const compareOutputSchema = z.strictObject({
  version: z.literal(1),
  a: ref.describe("the profile migrated from"),
  b: ref.describe("the profile migrated to"),
  summary: z.strictObject({
    removed: z.number().int(),
    added: z.number().int(),
    changed: z.number().int(),
    unchanged: z.number().int(),
  }),
  rows: z
    .array(
      z.strictObject({
        status,
        matchedBy: z
          .enum(["id", "endpoints-protocol"])
          .nullable()
          .describe("id: same flow id; endpoints-protocol: same from, to, transport and normalised protocol"),
        a: flow.describe("the row in A; null when added"),
        b: flow.describe("the row in B; null when removed"),
        changes: z.array(
          z.strictObject({
            field: z.enum([
              "transport",
              "ports",
              "sourcePorts",
              "from",
              "to",
              "protocol",
              "conditions",
              "lifecycle",
              "addresses",
              "fqdns",
            ]),
            a: z.string(),
            b: z.string(),
            added: z.array(z.string()).optional().describe("addresses/fqdns: what B adds"),
            removed: z.array(z.string()).optional().describe("addresses/fqdns: what B removes"),
          }),
        ),
        notesChanged: z.boolean().describe("informational; wording alone never makes a row changed"),
      }),
    )
    .describe("removed, then added, then changed, then unchanged; each group in profile order"),
  features: named,
  defects: named,
  dns: named.describe('DNS records as "TYPE name[:port]"'),
  certificates: named,
});

export type CompareOutput = z.infer<typeof compareOutputSchema>;
