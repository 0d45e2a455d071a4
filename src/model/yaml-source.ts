/**
 * YAML text → plain value, keeping the document so any path can be mapped back to file:line:col.
 * Pure: the caller reads the file and passes its text.
 */
import {
  isMap,
  isSeq,
  isPair,
  isScalar,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
} from "yaml";
import { diag, type Diagnostic, type Position } from "../diag/diagnostic.js";
import { looksLikeJson, MAX_JSON_CHARS, parseJson } from "./json-source.js";

export type PathKey = string | number;

export interface YamlSource {
  file: string;
  value: unknown;
  /** Position of the value at `path`, or of its key when `key` is set (for unknown keys). */
  positionOf(path: readonly PathKey[], opts?: { key?: boolean }): Position;
}

/**
 * The largest YAML or JSON text parsed: the yaml package keeps every node with its position, about
 * 60 bytes of memory per byte of input (a 21 MB, 100,000-rule AWS export takes 1.3 GB), so 64 MiB
 * would pass Node's default 4 GB heap and abort. Characters, as JavaScript counts them.
 */
export const MAX_YAML_CHARS = 32 * 1024 * 1024;

export function parseYaml(file: string, text: string): { source?: YamlSource; diagnostics: Diagnostic[] } {
  // JSON (every machine export) is read natively, with positions from a compact tree; what only
  // looks like JSON (a YAML flow map `{a: 1}`) is read as YAML, and if that fails too the JSON
  // error is the one said.
  let jsonError: Diagnostic[] | undefined;
  if (looksLikeJson(text) && text.length <= MAX_JSON_CHARS) {
    const j = parseJson(file, text);
    if (j.ok) return { source: j.source, diagnostics: [] };
    if (!("notJson" in j) || text.length > MAX_YAML_CHARS) return { diagnostics: j.diagnostics };
    jsonError = j.diagnostics;
  }
  const yaml = parseYamlDocument(file, text);
  return yaml.source || jsonError === undefined ? yaml : { diagnostics: jsonError };
}

/** The YAML parser alone (no JSON fast path): for the differential test of positions. */
export function parseYamlDocument(
  file: string,
  text: string,
): { source?: YamlSource; diagnostics: Diagnostic[] } {
  if (text.length > MAX_YAML_CHARS)
    return {
      diagnostics: [
        diag(
          "input-too-large",
          "error",
          `${file}: a ${looksLikeJson(text) ? "JSON document of more than 64" : "YAML document of more than 32"} MiB is too large to read`,
          {
            at: { file, line: 1, col: 1 },
            expected: "at most 32 MiB for YAML and 64 MiB for JSON inputs and text rulesets",
          },
        ),
      ],
    };
  const lineCounter = new LineCounter();
  // logLevel "error": the package never prints a warning of its own (Node would put it on stderr).
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: "error" });
  const toPos = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col };
  };
  const problems = [...doc.errors, ...doc.warnings];
  if (doc.errors.length > 0) {
    return {
      diagnostics: problems.map((e) =>
        diag("yaml-syntax", "error", e.message.split("\n")[0] ?? e.message, {
          at: toPos(e.pos[0]),
          expected: "well-formed YAML",
        }),
      ),
    };
  }
  // A mapping or list as a key (`? {a: 1}`, `{[a]: 1}`): no input of portmatrix has one, and the
  // yaml package would stringify it with a process warning printed to stderr by Node.
  const complex = complexKeyOffsets(doc);
  if (complex.length > 0)
    return {
      diagnostics: complex.map((offset) =>
        diag("complex-key", "error", "a mapping or list used as a key", {
          at: toPos(offset),
          expected: "a name or a number as the key",
        }),
      ),
    };
  const value = toValue(doc);
  if (!value.ok)
    return {
      diagnostics: [
        diag("yaml-alias-bomb", "error", value.message, {
          at: toPos(firstAliasOffset(doc)),
          expected: `YAML whose aliases (*name) expand to at most ${MAX_ALIAS_COUNT} nodes each`,
        }),
      ],
    };
  const reserved = protoKeyPaths(value.value);
  if (reserved.length > 0)
    return {
      diagnostics: reserved.map((path) =>
        diag("reserved-key", "error", `the key "__proto__" is reserved`, {
          at: toPos(offsetOf(doc, path, true)),
          expected: "another name (__proto__ would change what every other name means)",
        }),
      ),
    };
  const source: YamlSource = {
    file,
    value: value.value,
    positionOf: (path, opts = {}) => toPos(offsetOf(doc, path, opts.key ?? false)),
  };
  return { source, diagnostics: [] };
}

/**
 * An alias may be expanded at most this many times per anchor (the yaml package's own guard against
 * "billion laughs"); a real profile or ruleset uses a handful. The package throws past it: that is
 * bad input, said with the first alias's position.
 */
const MAX_ALIAS_COUNT = 100;

function toValue(doc: Document): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (e) {
    if (e instanceof ReferenceError && /alias/i.test(e.message))
      return { ok: false, message: "aliases expand too far (a resource exhaustion attack?)" };
    throw e;
  }
}

/**
 * Paths of `__proto__` keys anywhere (the first 100): the yaml package keeps them as own properties,
 * but any later copy into a plain object (zod, spreads) would set a prototype instead. Iterative, so
 * deep nesting cannot overflow the stack.
 */
function protoKeyPaths(root: unknown): PathKey[][] {
  const found: PathKey[][] = [];
  const stack: Array<{ value: unknown; path: PathKey[] }> = [{ value: root, path: [] }];
  while (stack.length > 0 && found.length < 100) {
    const { value, path } = stack.pop()!;
    if (typeof value !== "object" || value === null) continue;
    if (Array.isArray(value)) value.forEach((v, i) => stack.push({ value: v, path: [...path, i] }));
    else
      for (const key of Object.keys(value)) {
        if (key === "__proto__") found.push([...path, key]);
        stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, key] });
      }
  }
  return found.reverse();
}

/** Where keys that are mappings or lists start (the first 100). */
function complexKeyOffsets(doc: Document): number[] {
  const found: number[] = [];
  visit(doc, {
    Pair(_key, pair) {
      if (isMap(pair.key) || isSeq(pair.key)) found.push(rangeStart(pair.key) ?? 0);
      return found.length >= 100 ? visit.BREAK : undefined;
    },
  });
  return found;
}

function firstAliasOffset(doc: Document): number {
  let offset = 0;
  visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}

/** Walks the YAML node tree along `path`; stops at the deepest node that exists. */
function offsetOf(doc: Document, path: readonly PathKey[], wantKey: boolean): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const step = path[i]!;
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step),
      );
      if (!pair) return offset;
      if (last && wantKey) return rangeStart(pair.key) ?? offset;
      node = pair.value;
      offset = rangeStart(node) ?? rangeStart(pair.key) ?? offset;
    } else if (isSeq(node) && typeof step === "number") {
      const item = node.items[step];
      if (item === undefined) return offset;
      node = item;
      offset = rangeStart(node) ?? offset;
    } else return offset;
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}
