/**
 * JSON text → plain value with positions, for the large machine exports readers take (`nft -j`,
 * AWS, Azure, Windows Firewall). The yaml package reads JSON too, but keeps every node as an object
 * with its range: ~60 bytes of memory and ~5 µs per byte of input (a 21 MB AWS export took 111 s and
 * 2 GB). Here jsonc-parser's scanner (events with offsets) builds the value directly and keeps the
 * offsets of each object's and array's members beside it (no node per scalar), so the same export
 * reads in seconds. Same contract as `parseYaml`:
 * syntax errors, duplicate keys and `__proto__` keys are located errors. Pure.
 */
import { printParseErrorCode, visit } from "jsonc-parser";
import { diag, type Diagnostic, type Position } from "../diag/diagnostic.js";
import type { PathKey, YamlSource } from "./yaml-source.js";

/** The largest JSON text read (the same ceiling as text rulesets; memory measured in BENCHMARKS.md). */
export const MAX_JSON_CHARS = 64 * 1024 * 1024;

/** Does the text look like JSON (an object or array at the top)? YAML flow maps fall back to YAML if it is not. */
export function looksLikeJson(text: string): boolean {
  const m = /^[\s\uFEFF]*([[{])/.exec(text.slice(0, 4096));
  return m !== null;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

export type JsonParse =
  | { ok: true; source: YamlSource }
  | { ok: false; diagnostics: Diagnostic[] }
  /** Not JSON (syntax error): the caller may read it as YAML instead. */
  | { ok: false; notJson: true; diagnostics: Diagnostic[] };

/** Where a container's members are: value offsets, and for an object its keys and their offsets. */
interface Members {
  offset: number;
  values: number[];
  keys?: string[];
  keyOffsets?: number[];
}

export function parseJson(file: string, text: string): JsonParse {
  let starts: number[] | undefined;
  const toPos = (offset: number): Position => {
    starts ??= lineStarts(text);
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file, line: lo + 1, col: offset - starts[lo]! + 1 };
  };
  // The value is built from jsonc-parser's events, keeping offsets per container only (scalars
  // need none of their own): a fraction of the objects a syntax tree would allocate.
  const members = new Map<object, Members>();
  const stack: Array<{ value: Record<string, unknown> | unknown[]; m: Members; key: string | undefined }> =
    [];
  let root: unknown;
  let rootSet = false;
  let syntax: { code: number; offset: number } | undefined;
  const problems: Diagnostic[] = [];
  const put = (value: unknown, offset: number): void => {
    const top = stack[stack.length - 1];
    if (top === undefined) {
      root = value;
      rootSet = true;
    } else if (Array.isArray(top.value)) {
      top.value.push(value);
      top.m.values.push(offset);
    } else if (top.key !== undefined) {
      // A duplicate or reserved key was refused at the key: its value is read and dropped.
      if (!Object.hasOwn(top.value, top.key) && top.key !== "__proto__") {
        top.value[top.key] = value;
        top.m.values.push(offset);
      }
      top.key = undefined;
    }
  };
  const open = (value: Record<string, unknown> | unknown[], offset: number): void => {
    const m: Members = Array.isArray(value)
      ? { offset, values: [] }
      : { offset, values: [], keys: [], keyOffsets: [] };
    put(value, offset);
    members.set(value, m);
    stack.push({ value, m, key: undefined });
  };
  try {
    visit(
      text,
      {
        onObjectBegin: (offset) => open({}, offset),
        onArrayBegin: (offset) => open([], offset),
        onObjectEnd: () => void stack.pop(),
        onArrayEnd: () => void stack.pop(),
        onObjectProperty: (name, offset) => {
          const top = stack[stack.length - 1]!;
          top.key = name;
          if (name === "__proto__" || Object.hasOwn(top.value, name)) {
            if (problems.length < 100)
              problems.push(
                name === "__proto__"
                  ? diag("reserved-key", "error", `the key "__proto__" is reserved`, {
                      at: toPos(offset),
                      expected: "another name (__proto__ would change what every other name means)",
                    })
                  : diag("json-syntax", "error", `JSON: duplicate key ${JSON.stringify(name)}`, {
                      at: toPos(offset),
                      expected: "each key once per object",
                    }),
              );
            return;
          }
          top.m.keys!.push(name);
          top.m.keyOffsets!.push(offset);
        },
        onLiteralValue: (value: unknown, offset) => put(value, offset),
        onError: (code, offset) => void (syntax ??= { code, offset }),
      },
      { disallowComments: true, allowTrailingComma: false },
    );
  } catch (e) {
    // jsonc-parser descends recursively: nesting thousands deep ends the stack, not the program.
    if (!(e instanceof RangeError)) throw e;
    return {
      ok: false,
      diagnostics: [
        diag("json-syntax", "error", "JSON: nested too deeply to read", {
          at: toPos(0),
          expected: "JSON nested at most a few thousand levels deep",
        }),
      ],
    };
  }
  if (syntax !== undefined || !rootSet)
    return {
      ok: false,
      notJson: true,
      diagnostics: [
        diag(
          "json-syntax",
          "error",
          // `CommaExpected` → `comma expected`.
          `JSON: ${
            syntax
              ? printParseErrorCode(syntax.code)
                  .replace(/(?<=[a-z])(?=[A-Z])/g, " ")
                  .toLowerCase()
              : "empty document"
          }`,
          { at: toPos(syntax?.offset ?? 0), expected: "well-formed JSON" },
        ),
      ],
    };
  if (problems.length > 0) return { ok: false, diagnostics: problems };
  const rootOffset = /^[\s\uFEFF]*/.exec(text)![0].length;
  return {
    ok: true,
    source: {
      file,
      value: root,
      positionOf: (path, opts = {}) => toPos(offsetOf(root, rootOffset, members, path, opts.key ?? false)),
    },
  };
}

/** Walks the value along `path`; stops at the deepest member that exists (as the YAML source does). */
function offsetOf(
  root: unknown,
  rootOffset: number,
  members: Map<object, Members>,
  path: readonly PathKey[],
  wantKey: boolean,
): number {
  let value = root;
  let offset = rootOffset;
  for (let i = 0; i < path.length; i++) {
    const m = typeof value === "object" && value !== null ? members.get(value) : undefined;
    if (m === undefined) return offset;
    const step = path[i]!;
    if (m.keys) {
      const k = m.keys.indexOf(String(step));
      if (k < 0) return offset;
      if (i === path.length - 1 && wantKey) return m.keyOffsets![k]!;
      value = (value as Record<string, unknown>)[m.keys[k]!];
      offset = m.values[k]!;
    } else if (typeof step === "number" && step >= 0 && step < m.values.length) {
      value = (value as unknown[])[step];
      offset = m.values[step]!;
    } else return offset;
  }
  return offset;
}
