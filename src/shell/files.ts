/** File I/O for the CLI: reading inputs, and atomic writes (temp file beside the target, then rename). */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, basename, join } from "node:path";
import type { z } from "zod";
import { diag, InputError, type Diagnostic } from "../diag/diagnostic.js";
import { schemaIssues } from "../diag/schema-issues.js";

export type ReadResult = { ok: true; text: string } | { ok: false; diagnostic: Diagnostic };

export function readText(path: string): ReadResult {
  try {
    return { ok: true, text: readFileSync(path, "utf8") };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "EIO";
    const what =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : `cannot read (${code})`;
    return {
      ok: false,
      diagnostic: diag("unreadable-file", "error", `${path}: ${what}`, { expected: "a readable file" }),
    };
  }
}

export type JsonResult<T> = { ok: true; value: T } | { ok: false; diagnostics: Diagnostic[] };

/** A JSON file (a run another command printed): unreadable or not JSON is one diagnostic. */
export function readJson(path: string, expected: string): JsonResult<unknown> {
  const read = readText(path);
  if (!read.ok) return { ok: false, diagnostics: [read.diagnostic] };
  try {
    return { ok: true, value: JSON.parse(read.text) as unknown };
  } catch (e) {
    return {
      ok: false,
      diagnostics: [
        diag("bad-run-json", "error", `${path}: not JSON (${(e as Error).message})`, {
          at: { file: path, line: 1, col: 1 },
          expected,
        }),
      ],
    };
  }
}

/** A JSON file checked against the schema of the output it should be. */
export function readJsonFile<T>(path: string, schema: z.ZodType<T>, expected: string): JsonResult<T> {
  const json = readJson(path, expected);
  if (!json.ok) return json;
  const parsed = schema.safeParse(json.value);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : {
        ok: false,
        diagnostics: schemaIssues(parsed.error, path, expected).map((d) => ({
          ...d,
          at: { file: path, line: 1, col: 1 },
        })),
      };
}

/**
 * mkdir -p by hand: Node's own recursive mkdir never returns for a missing folder under /proc (it
 * retries ENOENT forever), so each level is made once, parents first.
 */
export function makeDirs(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") {
      if (statSync(dir).isDirectory()) return;
      throw Object.assign(new Error("not a directory"), { code: "ENOTDIR", path: dir });
    }
    if (code !== "ENOENT" || dirname(dir) === dir) throw e;
    makeDirs(dirname(dir));
    mkdirSync(dir);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function unwritable(path: string, e: unknown): InputError {
  const err = e as NodeJS.ErrnoException;
  const code = err.code ?? "EIO";
  const where = err.path ?? path;
  const what =
    code === "EACCES" || code === "EPERM"
      ? "permission denied"
      : code === "ENOENT"
        ? "no such folder, and it cannot be made"
        : code === "ENOTDIR"
          ? "a part of the path is a file"
          : code === "EISDIR"
            ? "is a directory"
            : code === "EROFS"
              ? "read-only file system"
              : code === "ENOSPC"
                ? "no space left"
                : `cannot write (${code})`;
  return new InputError([
    diag("unwritable-output", "error", `cannot write ${path}: ${where === path ? "" : `${where}: `}${what}`, {
      expected: "an output path in a writable folder",
    }),
  ]);
}

/**
 * Writes all files or none: each goes to a temporary name first; renames happen only after all
 * writes succeed. A path that cannot be written is bad input (InputError, unwritable-output).
 */
export function writeFilesAtomic(files: ReadonlyArray<{ path: string; text: string; mode?: number }>): void {
  const temps: Array<{ tmp: string; path: string }> = [];
  let current = "";
  try {
    for (const f of files) {
      current = f.path;
      makeDirs(dirname(f.path));
      // A rename onto a folder fails only after earlier files are in place: refuse before writing any.
      if (isDirectory(f.path))
        throw Object.assign(new Error("is a directory"), { code: "EISDIR", path: f.path });
      const tmp = join(dirname(f.path), `.${basename(f.path)}.${process.pid}.tmp`);
      writeFileSync(tmp, f.text, { mode: f.mode ?? 0o666 });
      temps.push({ tmp, path: f.path });
    }
    for (const t of temps) {
      current = t.path;
      renameSync(t.tmp, t.path);
    }
  } catch (e) {
    for (const t of temps) rmSync(t.tmp, { force: true });
    throw unwritable(current, e);
  }
}
