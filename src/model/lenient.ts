/**
 * Parses an object field by field (and array fields item by item) so one bad field does not hide
 * the problems of the others: the caller gets every structural issue plus the parts that are valid,
 * and can run its reference checks on those. Users see all their mistakes in one run.
 */
import * as z from "zod/mini";

type Issue = z.core.$ZodIssue;

export interface LenientResult {
  /** Valid fields; failed ones are absent; failed array items are `undefined` so indices still match the file. */
  data: Record<string, unknown>;
  issues: Issue[];
}

/**
 * The first parse of a schema goes without zod's compiled fast path (a `new Function` per object
 * schema, built on its first parse): a command parses a profile and a topology once each, where
 * building it costs more than it saves (issue 21: `compile` of the seed host ~4 % fewer
 * instructions, callgrind); a schema parsed again (`profiles`: 25 profiles) has it from then on.
 * Same results either way.
 */
const parsedBefore = new WeakSet<z.ZodMiniType>();
function once(schema: z.ZodMiniType): { jitless: true } | undefined {
  if (parsedBefore.has(schema)) return undefined;
  parsedBefore.add(schema);
  return { jitless: true };
}

export function parseLeniently(schema: z.ZodMiniObject, value: unknown): LenientResult {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const r = schema.safeParse(value, once(schema));
    return { data: {}, issues: r.success ? [] : r.error.issues };
  }
  const input = value as Record<string, unknown>;
  const shape = schema.shape as Record<string, z.ZodMiniType>;
  const issues: Issue[] = [];
  const data: Record<string, unknown> = {};
  const unknown = Object.keys(input).filter((k) => !Object.hasOwn(shape, k));
  if (unknown.length > 0)
    issues.push({ code: "unrecognized_keys", keys: unknown, path: [], message: "", input } as Issue);
  for (const [key, field] of Object.entries(shape)) {
    const r = field.safeParse(input[key], once(field));
    if (r.success) {
      data[key] = r.data;
      continue;
    }
    const element = arrayElement(field);
    if (element && Array.isArray(input[key])) {
      const items: unknown[] = [];
      (input[key] as unknown[]).forEach((item, i) => {
        const ri = element.safeParse(item, once(element));
        if (ri.success) items.push(ri.data);
        else {
          items.push(undefined);
          issues.push(...ri.error.issues.map((iss) => ({ ...iss, path: [key, i, ...iss.path] }) as Issue));
        }
      });
      data[key] = items;
    } else issues.push(...r.error.issues.map((iss) => ({ ...iss, path: [key, ...iss.path] }) as Issue));
  }
  return { data, issues };
}

function arrayElement(schema: z.ZodMiniType): z.ZodMiniType | undefined {
  const def = (
    schema as unknown as {
      _zod: { def: { type: string; innerType?: z.ZodMiniType; element?: z.ZodMiniType } };
    }
  )._zod.def;
  if (def.type === "array") return def.element;
  if ((def.type === "default" || def.type === "optional") && def.innerType)
    return arrayElement(def.innerType);
  return undefined;
}
