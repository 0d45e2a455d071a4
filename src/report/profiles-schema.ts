/** The `portmatrix profiles --format json` contract (version 1) as a zod schema. Additive changes keep version 1. */
import * as z from "zod";

export const profilesOutputSchema = z.strictObject({
  version: z.literal(1),
  profiles: z.array(
    z.strictObject({
      id: z.string().describe("product-version-scope, e.g. sfb2019-edge-external"),
      title: z.string().describe("the cited table's title"),
      product: z.string(),
      source: z.string().describe("URL of the profile's first (primary) source"),
      rows: z.number().int().describe("number of flows (table rows)"),
      features: z.array(z.string()).describe("feature names a topology can turn on"),
      extends: z.string().optional().describe("the profile whose rows this one shares (additive)"),
    }),
  ),
});

export type ProfilesOutput = z.infer<typeof profilesOutputSchema>;
