/** The `show --format json` contract (version 1) as a zod schema: documented, exported as JSON Schema, tested. */
import * as z from "zod";

const portRange = z.strictObject({ from: z.number().int(), to: z.number().int() });

/** The product's support lifecycle judged at the as-of date (additive; absent when the profile names none). */
export const productSupportSchema = z.strictObject({
  product: z.string(),
  lifecycle: z.string().describe("key of the profile's lifecycles"),
  service: z.string(),
  ended: z.string().optional().describe("last day of support, YYYY-MM-DD (absent: no end published)"),
  asOf: z.string().optional().describe("the date the verdict was judged against"),
  unsupported: z.boolean().describe("asOf is after ended (the last day of support)"),
  citation: z.string(),
  source: z.string().optional().describe("the cited document: title, url, the date it was read"),
});

export const showOutputSchema = z.strictObject({
  version: z.literal(1),
  profile: z.strictObject({
    id: z.string(),
    title: z.string(),
    product: z.string(),
    sources: z.record(z.string(), z.looseObject({ title: z.string(), url: z.string() })),
    support: productSupportSchema.optional(),
  }),
  topology: z
    .strictObject({
      features: z.array(z.string()),
      firewall: z.looseObject({ kind: z.enum(["host", "perimeter"]) }),
      management: z.array(z.string()),
      nat: z
        .record(z.string(), z.array(z.string()))
        .optional()
        .describe(
          "static 1:1 NAT: endpoint id → its public addresses (its own, private ones are in flows' addresses)",
        ),
    })
    .optional(),
  flows: z.array(
    z.strictObject({
      id: z.string(),
      role: z.string(),
      protocol: z.string(),
      transport: z.enum(["tcp", "udp"]),
      ports: z.array(portRange),
      sourcePorts: z.array(portRange).optional(),
      source: z.string().describe("display name of the source endpoint"),
      destination: z.string().describe("display name of the destination endpoint"),
      from: z.string().describe("source endpoint id"),
      to: z.string().describe("destination endpoint id"),
      notes: z.string(),
      conditions: z.array(z.string()),
      lifecycle: z
        .strictObject({
          id: z.string(),
          service: z.string(),
          ended: z.string().optional(),
          exceptions: z.array(z.strictObject({ region: z.string(), note: z.string().optional() })),
          successors: z.array(
            z.strictObject({ service: z.string(), date: z.string().optional(), note: z.string().optional() }),
          ),
          citation: z.string(),
          origin: z
            .literal("site")
            .optional()
            .describe("site: one of the topology's own flows (site:), not a profile row"),
        })
        .nullable(),
      citation: z.string(),
      active: z.boolean().optional(),
      retired: z.boolean().optional(),
      addresses: z.strictObject({ from: z.array(z.string()), to: z.array(z.string()) }).optional(),
      public: z
        .strictObject({ from: z.array(z.string()).optional(), to: z.array(z.string()).optional() })
        .optional()
        .describe("the public addresses (static NAT) of a side behind the topology's NAT"),
    }),
  ),
  defects: z.array(
    z.strictObject({ id: z.string(), text: z.string(), reading: z.string(), flows: z.array(z.string()) }),
  ),
});

export type ShowOutput = z.infer<typeof showOutputSchema>;
