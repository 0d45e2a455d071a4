/** File I/O for the CLI: reading inputs, and atomic writes (temp file beside the target, then rename). */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, basename, join } from "node:path";
import { diag, type Diagnostic } from "../diag/diagnostic.js";

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

/** Writes all files or none: each goes to a temporary name first; renames happen only after all writes succeed. */
export function writeFilesAtomic(files: ReadonlyArray<{ path: string; text: string; mode?: number }>): void {
  const temps: Array<{ tmp: string; path: string }> = [];
  try {
    for (const f of files) {
      mkdirSync(dirname(f.path), { recursive: true });
      const tmp = join(dirname(f.path), `.${basename(f.path)}.${process.pid}.tmp`);
      writeFileSync(tmp, f.text, { mode: f.mode ?? 0o666 });
      temps.push({ tmp, path: f.path });
    }
  } catch (e) {
    for (const t of temps) rmSync(t.tmp, { force: true });
    throw e;
  }
  for (const t of temps) renameSync(t.tmp, t.path);
}
