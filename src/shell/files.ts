/** File I/O for the CLI: reading inputs, and atomic writes (temp file beside the target, then rename). */
import {
  closeSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { dirname, basename, join } from "node:path";
import type { z } from "zod";
import { diag, InputError, type Diagnostic, type Position } from "../diag/diagnostic.js";
import { schemaIssues, type Locate } from "../diag/schema-issues.js";
import { parseYaml, type YamlSource } from "../model/yaml-source.js";

export type ReadResult = { ok: true; text: string } | { ok: false; diagnostic: Diagnostic };

/**
 * Input size ceilings, in bytes. Generous for real files (a 100,000-rule ruleset is ~10 MB in any
 * dialect; the bench reads one), small enough that junk is refused before it costs gigabytes: a
 * profile or topology is a few KB, so 4 MiB is already absurd for one.
 */
export const INPUT_LIMITS = {
  /** rulesets (every format), run JSON (merge, report, diagram), PEM files */
  any: 64 * 1024 * 1024,
  /** profiles and topologies */
  matrix: 4 * 1024 * 1024,
} as const;

function mib(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;
}

/**
 * Reads a whole file as UTF-8, refusing more than `limit` bytes before reading them (a regular file
 * by its size; a FIFO or /dev/stdin by counting as it reads).
 */
export function readText(path: string, limit: number = INPUT_LIMITS.any): ReadResult {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    if (st.isFile() && st.size > limit) return { ok: false, diagnostic: tooLarge(path, st.size, limit) };
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(1 << 20, limit + 1 - total));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > limit) return { ok: false, diagnostic: tooLarge(path, undefined, limit) };
    }
    return { ok: true, text: decodeText(Buffer.concat(chunks, total)) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "EIO";
    const what =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : `cannot read (${code})`;
    return {
      ok: false,
      diagnostic: diag("unreadable-file", "error", `${path}: ${what}`, { expected: "a readable file" }),
    };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * UTF-8, or UTF-16 when the file starts with its byte-order mark: Windows PowerShell 5.1 writes
 * `netsh … > rules.txt` and `Out-File` as UTF-16 LE with a BOM, and a Windows admin's first file is
 * often one of those. The BOM itself is not part of the text.
 */
export function decodeText(buf: Buffer): string {
  // A registry hive (`netsh advfirewall export`'s .wfw) is binary: its bytes one for one, for the
  // registry reader to take back (parse/regf.ts).
  // So is a GPO's Registry.pol (parse/preg.ts).
  if (buf.length >= 4 && ["regf", "PReg"].includes(buf.toString("latin1", 0, 4)))
    return buf.toString("latin1");
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString("utf16le");
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) {
    const body = Buffer.from(buf.subarray(2, 2 + ((buf.length - 2) & ~1)));
    return body.swap16().toString("utf16le");
  }
  return buf.toString("utf8");
}

/** `size` is known for a regular file; a stream is only known to be longer than the limit. */
function tooLarge(path: string, size: number | undefined, limit: number): Diagnostic {
  const what = size === undefined ? `more than ${mib(limit)}` : mib(size);
  return diag("input-too-large", "error", `${path}: ${what} is too large for this input`, {
    at: { file: path, line: 1, col: 1 },
    expected: `at most ${mib(limit)}`,
  });
}

export type JsonResult<T> = { ok: true; value: T; locate: Locate } | { ok: false; diagnostics: Diagnostic[] };

/**
 * Positions in JSON are looked up only when a problem needs one: the file is parsed again as YAML
 * (JSON is YAML 1.2, and the yaml package keeps every node's offset). Past this size the first
 * line stands for the file: that parse costs ~50 bytes of memory per input byte.
 */
const LOCATE_MAX_BYTES = 8 * 1024 * 1024;

function jsonLocator(path: string, text: string): Locate {
  let source: YamlSource | undefined | null = null;
  return (at) => {
    if (source === null) source = text.length <= LOCATE_MAX_BYTES ? parseYaml(path, text).source : undefined;
    const keys = at.filter((k): k is string | number => typeof k === "string" || typeof k === "number");
    return source ? source.positionOf(keys) : { file: path, line: 1, col: 1 };
  };
}

/** Line and column of a character offset. */
function offsetPosition(path: string, text: string, offset: number): Position {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const line = before.split("\n").length;
  return { file: path, line, col: offset - before.lastIndexOf("\n") };
}

/**
 * Where V8's "Unexpected token 'x', …"context"… is not valid JSON" points: the context is the ten
 * characters either side of the token, with "..." where it is cut (V8's JsonParser).
 */
function tokenAt(path: string, text: string, message: string): Position {
  const m = /^Unexpected token '(.+?)', (\.\.\.)?"([\s\S]*)"(\.\.\.)? is not valid JSON$/.exec(message);
  if (!m) return { file: path, line: 1, col: 1 };
  const [, token, before, context, after] = m as unknown as [
    string,
    string,
    string | undefined,
    string,
    string | undefined,
  ];
  const start = before ? text.indexOf(context) : 0;
  const offset = before ? start + 10 : after ? context.length - 10 : text.indexOf(token);
  return start < 0 || offset < 0 ? { file: path, line: 1, col: 1 } : offsetPosition(path, text, offset);
}

/** A JSON file (a run another command printed): unreadable or not JSON is one located diagnostic. */
export function readJson(path: string, expected: string): JsonResult<unknown> {
  const read = readText(path);
  if (!read.ok) return { ok: false, diagnostics: [read.diagnostic] };
  try {
    return { ok: true, value: JSON.parse(read.text) as unknown, locate: jsonLocator(path, read.text) };
  } catch (e) {
    // V8 says where: "… in JSON at position 42" (Node 20) or "… (line 3 column 5)" (newer).
    const message = (e as Error).message;
    const pos = /at position (\d+)/.exec(message);
    const lc = /\(line (\d+) column (\d+)\)/.exec(message);
    // Node 20 leaves the position out for an unexpected token; its context says where.
    const at = lc
      ? { file: path, line: Number(lc[1]), col: Number(lc[2]) }
      : pos
        ? offsetPosition(path, read.text, Number(pos[1]))
        : tokenAt(path, read.text, message);
    return {
      ok: false,
      diagnostics: [diag("bad-run-json", "error", `${path}: not JSON (${message})`, { at, expected })],
    };
  }
}

/** A JSON file checked against the schema of the output it should be; problems located in the file. */
export function readJsonFile<T>(path: string, schema: z.ZodType<T>, expected: string): JsonResult<T> {
  const json = readJson(path, expected);
  if (!json.ok) return json;
  const parsed = schema.safeParse(json.value);
  return parsed.success
    ? { ok: true, value: parsed.data, locate: json.locate }
    : { ok: false, diagnostics: schemaIssues(parsed.error, path, expected, json.locate) };
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

/** errno (and this file's own codes for refusals) → words. */
const WRITE_ERRORS: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  ENOENT: "no such folder, and it cannot be made",
  ENOTDIR: "a part of the path is a file",
  EISDIR: "is a directory",
  EROFS: "read-only file system",
  ENOSPC: "no space left",
  EDANGLING: "a symbolic link to a file that does not exist",
  EBLOCKDEV: "a block device (never overwritten)",
  ENXIO: "a socket or device nobody reads",
};

function unwritable(path: string, e: unknown): InputError {
  const err = e as NodeJS.ErrnoException;
  const code = err.code ?? "EIO";
  const where = err.path ?? path;
  const what = WRITE_ERRORS[code] ?? `cannot write (${code})`;
  return new InputError([
    diag("unwritable-output", "error", `cannot write ${path}: ${where === path ? "" : `${where}: `}${what}`, {
      expected: "an output path in a writable folder",
    }),
  ]);
}

/** What an output path is, following symlinks (a symlink is written through to its target). */
type OutputKind =
  | { kind: "file"; path: string } // a regular file, or nothing yet: temp file beside it, then rename
  | { kind: "device"; path: string }; // a character device, FIFO or socket: opened and written in place

/**
 * A regular file (or none) is replaced atomically; a symlink is resolved and its target replaced
 * atomically (the link stays a link); a character device or FIFO (/dev/stdout, /dev/null, a pipe) is
 * written in place, as a shell redirection would — never replaced by a regular file. A block device,
 * a folder or a dangling symlink is refused.
 */
function outputKind(path: string): OutputKind {
  let link;
  try {
    link = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { kind: "file", path };
    throw e;
  }
  let st = link;
  let real = path;
  if (link.isSymbolicLink()) {
    try {
      st = statSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT")
        throw Object.assign(new Error("a symbolic link to nothing"), { code: "EDANGLING", path });
      throw e;
    }
    // /dev/stdout → /proc/self/fd/1 → "pipe:[…]" has no real path: a device is opened by its name.
    if (st.isFile()) real = realpathSync(path);
  }
  if (st.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR", path });
  if (st.isFile()) return { kind: "file", path: real };
  if (st.isBlockDevice()) throw Object.assign(new Error("a block device"), { code: "EBLOCKDEV", path });
  return { kind: "device", path };
}

/**
 * /dev/stdout, /dev/stderr, /dev/fd/N: the descriptor this process already has. Opening the name
 * again fails when it is a socket (ENXIO), as it is under many process supervisors and test runners.
 */
function inheritedFd(path: string): number | undefined {
  const m = /^\/(?:dev\/(stdout|stderr)|dev\/fd\/(\d+)|proc\/self\/fd\/(\d+))$/.exec(path);
  if (!m) return undefined;
  return m[1] === "stdout" ? 1 : m[1] === "stderr" ? 2 : Number(m[2] ?? m[3]);
}

function writeInPlace(path: string, text: string): void {
  const inherited = inheritedFd(path);
  const fd = inherited ?? openSync(path, "w");
  try {
    const buf = Buffer.from(text, "utf8");
    for (let off = 0; off < buf.length;) {
      try {
        off += writeSync(fd, buf, off);
      } catch (e) {
        // An inherited non-blocking pipe that is full: wait for the reader by trying again.
        if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      }
    }
  } finally {
    if (inherited === undefined) closeSync(fd);
  }
}

/** Characters written at a time by writeNewFile. */
const WRITE_SLICE = 1 << 18;

/**
 * `text` into a new file, a slice at a time: Node encodes each into a buffer it frees (and malloc
 * hands back) at once, where writeFileSync makes one buffer of the whole text, every page of it
 * new (3 MB of probe JSON: ~1.5 ms less, issue 21). A slice never ends between the two halves of a
 * surrogate pair (each is encoded on its own); a short write (a full disk) goes on from the byte
 * where it stopped.
 */
function writeNewFile(path: string, text: string, mode: number): void {
  const fd = openSync(path, "w", mode);
  try {
    for (let from = 0; from < text.length;) {
      let to = Math.min(text.length, from + WRITE_SLICE);
      const last = text.charCodeAt(to - 1);
      if (to < text.length && last >= 0xd800 && last <= 0xdbff) to--;
      const part = from === 0 && to === text.length ? text : text.slice(from, to);
      const written = writeSync(fd, part);
      // ASCII: bytes = characters; else (rarely worth the count) its UTF-8 length.
      if (written !== part.length && written !== Buffer.byteLength(part)) {
        const buf = Buffer.from(part, "utf8");
        for (let off = written; off < buf.length;) off += writeSync(fd, buf, off);
      }
      from = to;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes all files or none: each regular file goes to a temporary name first; devices are written
 * once every temporary file is in place, and renames happen only after all of that succeeded. A
 * path that cannot be written is bad input (InputError, unwritable-output).
 */
export function writeFilesAtomic(files: ReadonlyArray<{ path: string; text: string; mode?: number }>): void {
  const temps: Array<{ tmp: string; path: string }> = [];
  const devices: Array<{ path: string; text: string; shown: string }> = [];
  let current = "";
  try {
    for (const f of files) {
      current = f.path;
      makeDirs(dirname(f.path));
      // A rename onto a folder fails only after earlier files are in place: refuse before writing any.
      const out = outputKind(f.path);
      if (out.kind === "device") {
        devices.push({ path: out.path, text: f.text, shown: f.path });
        continue;
      }
      const tmp = join(dirname(out.path), `.${basename(out.path)}.${process.pid}.tmp`);
      writeNewFile(tmp, f.text, f.mode ?? 0o666);
      temps.push({ tmp, path: out.path });
    }
    for (const d of devices) {
      current = d.shown;
      writeInPlace(d.path, d.text);
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

/**
 * The files of a firewalld configuration directory (`/etc/firewalld`), when `path` is a directory:
 * firewalld.conf, then zones, services, ipsets, policies, helpers and icmptypes (`*.xml`, by name),
 * then direct.xml; [] for a directory with none of them; undefined when `path` is not a directory.
 */
export function firewalldDirectory(path: string): string[] | undefined {
  try {
    if (!statSync(path).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  const out: string[] = [];
  const file = (p: string): boolean => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (file(join(path, "firewalld.conf"))) out.push(join(path, "firewalld.conf"));
  for (const sub of ["zones", "services", "ipsets", "policies", "helpers", "icmptypes"]) {
    let names: string[];
    try {
      names = readdirSync(join(path, sub));
    } catch {
      continue;
    }
    for (const n of names.filter((n) => n.endsWith(".xml")).sort())
      if (file(join(path, sub, n))) out.push(join(path, sub, n));
  }
  if (file(join(path, "direct.xml"))) out.push(join(path, "direct.xml"));
  return out;
}

/** The rules files ufw-init loads and its settings, in the order it loads them (ufw 0.36.2). */
const UFW_FILES = [
  "ufw.conf",
  "before.rules",
  "after.rules",
  "user.rules",
  "before6.rules",
  "after6.rules",
  "user6.rules",
];

/**
 * The files of a ufw configuration directory (`/etc/ufw`), when `path` is a directory holding
 * user.rules or before.rules (or their *6 twins): ufw.conf, the rules files ufw-init loads, and
 * before.init/after.init when executable (the reader says it does not read them);
 * [] for a directory without them; undefined when `path` is not a directory. /etc/default/ufw lives
 * elsewhere: the caller gives it as a file.
 */
export function ufwDirectory(path: string): string[] | undefined {
  try {
    if (!statSync(path).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  const present = UFW_FILES.filter((n) => {
    try {
      return statSync(join(path, n)).isFile();
    } catch {
      return false;
    }
  });
  if (!present.some((n) => /^(user|before)6?\.rules$/.test(n))) return [];
  // before.init/after.init run only when executable (ufw-init's `[ -x ]`): then given, to be named.
  const scripts = ["before.init", "after.init"].filter((n) => {
    try {
      return (statSync(join(path, n)).mode & 0o111) !== 0;
    } catch {
      return false;
    }
  });
  return [...present, ...scripts].map((n) => join(path, n));
}
