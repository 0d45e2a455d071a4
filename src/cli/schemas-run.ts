/** What `portmatrix schemas` does (src/cli/schemas.ts registers it): the JSON Schemas of inputs and outputs, generated from the zod schemas. */
import { join } from "node:path";
import * as z from "zod";
import { profileSchema, topologySchema } from "../model/schema.js";
import { showOutputSchema } from "../report/show-schema.js";
import { compareOutputSchema } from "../report/compare-schema.js";
import { profilesOutputSchema } from "../report/profiles-schema.js";
import { AuditReport } from "../audit/report-schema.js";
import { ProbeOutput } from "../probe/result.js";
import { LabOutput } from "../lab/result.js";
import { DnsOutput } from "../dns/check.js";
import { writeFilesAtomic } from "../shell/files.js";
import { EXIT } from "./io.js";

/** name → schema; `input` schemas describe files users write, `output` ones our --format json. */
export const SCHEMAS = {
  profile: { schema: profileSchema(), io: "input" },
  topology: { schema: topologySchema(), io: "input" },
  "show-output": { schema: showOutputSchema, io: "output" },
  "compare-output": { schema: compareOutputSchema, io: "output" },
  "profiles-output": { schema: profilesOutputSchema, io: "output" },
  "audit-output": { schema: AuditReport, io: "output" },
  "probe-output": { schema: ProbeOutput, io: "output" },
  "dns-output": { schema: DnsOutput, io: "output" },
  "lab-output": { schema: LabOutput, io: "output" },
} as const satisfies Record<string, { schema: z.core.$ZodType; io: "input" | "output" }>;

export function schemaTexts(): Array<{ name: string; text: string }> {
  return Object.entries(SCHEMAS).map(([name, { schema, io }]) => {
    const json = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
    const doc = {
      $id: `https://portmatrix.invalid/schemas/${name}.schema.json`,
      title: `portmatrix ${name}`,
      ...json,
    };
    return { name, text: JSON.stringify(doc, null, 2) + "\n" };
  });
}

/** `schemas`: every schema to standard output as one JSON object, or (`write`) one file each into a folder. */
export function runSchemas(opts: { write?: string }): number {
  const texts = schemaTexts();
  if (opts.write !== undefined)
    writeFilesAtomic(texts.map((t) => ({ path: join(opts.write!, `${t.name}.schema.json`), text: t.text })));
  else
    process.stdout.write(
      JSON.stringify(Object.fromEntries(texts.map((t) => [t.name, JSON.parse(t.text)])), null, 2) + "\n",
    );
  return EXIT.ok;
}
