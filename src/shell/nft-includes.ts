/**
 * The files `include "…"` statements of an nftables ruleset name, loaded for the pure reader
 * (parse/nftables-text.ts reads no file). nft's rules (nft(8) "INCLUDE FILES"): an absolute name
 * is that file; a relative one is looked up — here relative to the including file's directory,
 * so a ruleset tree copied off the firewall reads as it did there (nft itself searches its include
 * path, -I, default /etc, which would make an audit depend on the machine running it). Shell
 * wildcards (`*`, `?`, `[…]`) in the last part of the name match files in alphabetical order,
 * never ones whose name starts with a dot; a wildcard matching nothing is no error, a plain name
 * that does not exist is (located at its include by the reader). Includes of included files are
 * loaded too, up to nft's nesting limit.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { includeKey, MAX_INCLUDE_DEPTH, type NftIncludes } from "../parse/nftables-text.js";

type Entry = { files: Array<{ file: string; text: string }> } | { error: string };

export function loadNftIncludes(text: string, file: string): NftIncludes {
  const out = new Map<string, Entry>();
  const visit = (t: string, from: string, depth: number): void => {
    // (A file without the word has no include: the pattern is not compiled, issue 21.)
    if (depth > MAX_INCLUDE_DEPTH || !t.includes("include")) return;
    for (const m of t.matchAll(/^[ \t]*include[ \t]+"([^"]*)"/gm)) {
      const name = m[1]!;
      const key = includeKey(from, name);
      if (out.has(key)) continue;
      const entry = resolveInclude(name, from);
      out.set(key, entry);
      if ("files" in entry) for (const f of entry.files) visit(f.text, f.file, depth + 1);
    }
  };
  visit(text, file, 1);
  return out;
}

function resolveInclude(name: string, from: string): Entry {
  const path = isAbsolute(name) ? name : join(dirname(from), name);
  const dir = dirname(path);
  const last = basename(path);
  if (/[*?[]/.test(dir))
    return { error: `include "${name}": wildcards are read only in the file name, not in directories` };
  if (!/[*?[]/.test(last)) {
    const one = readOne(path);
    return typeof one === "string"
      ? { files: [{ file: path, text: one }] }
      : { error: `include "${name}": ${path}: ${one.why}` };
  }
  const re = globRegExp(last);
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => !n.startsWith(".") && re.test(n))
      .sort();
  } catch {
    names = []; // a wildcard over a missing directory matches nothing, as in nft
  }
  const files: Array<{ file: string; text: string }> = [];
  for (const n of names) {
    const p = join(dir, n);
    if (!statSync(p).isFile()) continue;
    const one = readOne(p);
    if (typeof one !== "string") return { error: `include "${name}": ${p}: ${one.why}` };
    files.push({ file: p, text: one });
  }
  return { files };
}

function readOne(path: string): string | { why: string } {
  try {
    if (statSync(path).isDirectory()) return { why: "is a directory" };
    return readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "EIO";
    return { why: code === "ENOENT" ? `no such file (from ${resolve(path)})` : `cannot read (${code})` };
  }
}

/** A shell wildcard pattern (fnmatch: `*`, `?`, `[…]`) as a regular expression over one name. */
function globRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) re += "\\[";
      else {
        const body = pattern.slice(i + 1, end);
        re += `[${body.startsWith("!") ? "^" + body.slice(1) : body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}
