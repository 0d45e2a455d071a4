/** Zod issues → positioned Diagnostics, worded for someone editing the YAML by hand. */
import type { z } from "zod";
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import type { PathKey, YamlSource } from "./yaml-source.js";

type Issue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

export function zodDiagnostics(source: YamlSource, root: AnySchema, issues: readonly Issue[]): Diagnostic[] {
  return issues.flatMap((issue) => issueDiagnostics(source, root, issue, []));
}

function issueDiagnostics(
  source: YamlSource,
  root: AnySchema,
  issue: Issue,
  prefix: PathKey[],
): Diagnostic[] {
  const path = [...prefix, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))];
  const where = path.length > 0 ? `"${path.join(".")}"` : "the document";
  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = allowedKeys(root, path);
      return issue.keys.map((key) =>
        diag("unknown-key", "error", `unknown key "${key}" in ${where}`, {
          at: source.positionOf([...path, key], { key: true }),
          expected: allowed.length > 0 ? `one of ${allowed.join(", ")}` : undefined,
        }),
      );
    }
    case "invalid_union": {
      // Report the branch that got furthest: its issues say the most about what was meant.
      const branches = issue.errors.filter((b) => b.length > 0);
      const best = branches.sort((a, b) => depth(b) - depth(a))[0];
      if (best && depth(best) > 0) return best.flatMap((i) => issueDiagnostics(source, root, i, path));
      return [
        diag("invalid-value", "error", `${where} has an unsupported form`, {
          at: source.positionOf(path),
          expected: unionExpectation(root, path),
        }),
      ];
    }
    case "invalid_type": {
      // zod leaves `issue.input` out unless asked; the document itself says what is there.
      const found = valueAt(source.value, path);
      const missing = found === undefined;
      return [
        diag(
          missing ? "missing-key" : "invalid-type",
          "error",
          missing
            ? path.length === 0
              ? "the document is empty"
              : `${where} is missing`
            : `${where} is ${kindOf(found)}`,
          {
            at: source.positionOf(missing ? path.slice(0, -1) : path),
            expected: issue.expected,
          },
        ),
      ];
    }
    case "invalid_key": {
      // A record key (an endpoint or zone id): point at the key, say what an id may hold.
      const key = path.at(-1);
      return [
        diag(
          "invalid-key",
          "error",
          `key ${JSON.stringify(String(key))} in "${path.slice(0, -1).join(".")}" is not a valid name`,
          {
            at: source.positionOf(path, { key: true }),
            expected: issue.issues[0]?.message ?? issue.message,
          },
        ),
      ];
    }
    case "invalid_value":
      return [
        diag("invalid-value", "error", `${where} is not an accepted value`, {
          at: source.positionOf(path),
          expected: `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`,
        }),
      ];
    default:
      return [
        diag("invalid-value", "error", `${where} is invalid`, {
          at: source.positionOf(path),
          expected: issue.message,
        }),
      ];
  }
}

function valueAt(value: unknown, path: readonly PathKey[]): unknown {
  let v = value;
  for (const step of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[step];
  }
  return v ?? undefined;
}

/** What a YAML value is, in the words of someone editing the file. */
function kindOf(v: unknown): string {
  if (v === null) return "empty (null)";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v === "number" ? "the number" : typeof v === "boolean" ? "the boolean" : "the value"} ${String(v)}`;
}

function depth(issues: readonly Issue[]): number {
  return Math.max(0, ...issues.map((i) => i.path.length + 1));
}

interface Def {
  type: string;
  shape?: Record<string, AnySchema>;
  innerType?: AnySchema;
  element?: AnySchema;
  valueType?: AnySchema;
  options?: AnySchema[];
}

const defOf = (s: AnySchema): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The schemas that can stand at `path` (unions fan out). */
function schemasAt(root: AnySchema, path: readonly PathKey[]): AnySchema[] {
  let current = [root];
  for (const step of path) {
    current = current.flatMap(unwrap).flatMap((s) => {
      const d = defOf(s);
      if (d.type === "object" && d.shape) return d.shape[String(step)] ? [d.shape[String(step)]!] : [];
      if (d.type === "array" && d.element) return [d.element];
      if (d.type === "record" && d.valueType) return [d.valueType];
      return [];
    });
  }
  return current.flatMap(unwrap);
}

function unwrap(s: AnySchema): AnySchema[] {
  const d = defOf(s);
  if ((d.type === "optional" || d.type === "default" || d.type === "nullable") && d.innerType)
    return unwrap(d.innerType);
  if (d.type === "union" && d.options) return d.options.flatMap(unwrap);
  return [s];
}

function allowedKeys(root: AnySchema, path: readonly PathKey[]): string[] {
  const keys = new Set<string>();
  for (const s of schemasAt(root, path)) {
    const d = defOf(s);
    if (d.type === "object" && d.shape)
      Object.keys(d.shape)
        .filter((k) => k !== "$schema")
        .forEach((k) => keys.add(k));
  }
  return [...keys];
}

function unionExpectation(root: AnySchema, path: readonly PathKey[]): string {
  const types = [...new Set(schemasAt(root, path).map((s) => defOf(s).type))];
  return types.length > 0 ? types.join(" or ") : "a valid value";
}
