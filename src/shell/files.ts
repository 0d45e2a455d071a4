/** File I/O for the CLI: reading inputs, and atomic writes (temp file beside the target, then rename). */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, basename, join } from "node:path";
import { diag, InputError, type Diagnostic } from "../diag/diagnostic.js";

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
