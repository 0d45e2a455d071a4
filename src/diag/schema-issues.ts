/** A JSON file that does not fit its schema, said as diagnostics. Pure. */
import type { z } from "zod";
import type { Diagnostic, Position } from "./diagnostic.js";

/** Maps a path inside the checked value to where it is written (a JSON file's line and column). */
export type Locate = (path: ReadonlyArray<PropertyKey>) => Position | undefined;

const MAX_ISSUES = 10;

/** One diagnostic per problem, the first ten of them (a wrong file can have thousands), then a count. */
export function schemaIssues(
  error: z.ZodError,
  file: string,
  expected: string,
  locate?: Locate,
): Diagnostic[] {
  const out: Diagnostic[] = error.issues.slice(0, MAX_ISSUES).map((i) => {
    const at = locate?.(i.path);
    return {
      code: "bad-run-json",
      severity: "error" as const,
      message: `${file}: ${i.path.length > 0 ? `at ${i.path.join(".")}: ` : ""}${i.message}`,
      expected,
      ...(at ? { at } : {}),
    };
  });
  const more = error.issues.length - MAX_ISSUES;
  if (more > 0)
    out.push({
      code: "bad-run-json",
      severity: "error",
      message: `${file}: ${more} more problems of the same file`,
      expected,
    });
  return out;
}
