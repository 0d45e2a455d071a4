/**
 * The registry hive reader (src/parse/regf.ts) against libhivex's `hivexml` on real `.wfw` files
 * (`netsh advfirewall export`, test/corpus/windows): every key path, and every REG_SZ,
 * REG_EXPAND_SZ and REG_DWORD value's name and data, the same in both. hivexml is Debian's
 * libhivex-bin (scripts/setup.sh installs it).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readHive } from "../../src/parse/regf.js";
import { corpusDir } from "./corpus.js";

const unescape = (s: string): string =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, "&");

/** hivexml's keys and values as `path` and `path | name | type:data` lines. */
function fromHivexml(xml: string): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  const tag =
    /<node name="([^"]*)"[^>]*>|<\/node>|<value type="([^"]*)"(?: encoding="([^"]*)")? key="([^"]*)" value="([^"]*)"/g;
  for (let m = tag.exec(xml); m !== null; m = tag.exec(xml)) {
    if (m[0] === "</node>") stack.pop();
    else if (m[0].startsWith("<node")) {
      stack.push(unescape(m[1]!));
      out.push(stack.join("\\"));
    } else {
      const type = m[2]!;
      if (m[3] !== undefined) continue; // base64: not a type the firewall reader uses
      const data = unescape(m[5]!);
      if (type === "string" || type === "expand")
        out.push(`${stack.join("\\")} | ${unescape(m[4]!)} | string:${data}`);
      else if (type === "int32") out.push(`${stack.join("\\")} | ${unescape(m[4]!)} | int32:${data}`);
    }
  }
  return out.sort();
}

function fromReader(bytes: Buffer): string[] {
  const hive = readHive(bytes);
  assert.ok(!("error" in hive), JSON.stringify(hive));
  const out: string[] = [];
  for (const k of hive.keys) {
    out.push(k.path);
    for (const v of k.values) {
      if (typeof v.data === "string") out.push(`${k.path} | ${v.name} | string:${v.data}`);
      else if (typeof v.data === "number") out.push(`${k.path} | ${v.name} | int32:${v.data | 0}`);
    }
  }
  return out.sort();
}

const files = readdirSync(corpusDir("windows")).filter((f) => f.endsWith(".wfw"));

test("regf reader = hivexml on every .wfw of the corpus", () => {
  assert.ok(files.length >= 2, "the corpus holds .wfw files");
  const dir = mkdtempSync(join(tmpdir(), "pm-hivexml-"));
  try {
    for (const f of files) {
      const path = join(corpusDir("windows"), f);
      // hivexml opens /dev/stdout, which a socket (Node's stdio pipe) cannot be: a file instead.
      const out = join(dir, `${f}.xml`);
      execFileSync("sh", ["-c", 'exec hivexml "$1" > "$2"', "sh", path, out]);
      const xml = readFileSync(out, "utf8");
      const want = fromHivexml(xml);
      assert.ok(want.length > 5, `${f}: hivexml read it`);
      assert.deepEqual(fromReader(readFileSync(path)), want, f);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a damaged hive is an error at a byte, never a crash", () => {
  const bytes = readFileSync(join(corpusDir("windows"), files[0]!));
  // Cut anywhere before its last cell, the hive misses records its keys point to.
  for (const cut of [8, 4100, 5000, bytes.length >> 1]) {
    const r = readHive(bytes.subarray(0, cut));
    assert.ok("error" in r, `cut at ${cut}: read as ${JSON.stringify(r).slice(0, 80)}`);
    assert.ok(r.offset >= 0 && r.offset <= bytes.length, `${cut}: ${r.error} at ${r.offset}`);
  }
  // A key that is its own subkey: a loop, said, not followed.
  const looped = Buffer.from(bytes);
  const root = looped.readUInt32LE(0x24);
  const nk = 4096 + root + 4;
  const list = looped.readUInt32LE(nk + 0x1c);
  looped.writeUInt32LE(root, 4096 + list + 4 + 4);
  const r = readHive(looped);
  assert.ok("error" in r && /twice/.test(r.error), JSON.stringify(r).slice(0, 120));
  // Bytes scrambled through the bins: an error or keys, never a throw.
  const scrambled = Buffer.from(bytes);
  for (let i = 4096; i < scrambled.length; i += 97) scrambled[i] = (scrambled[i]! * 31 + 7) & 0xff;
  assert.doesNotThrow(() => readHive(scrambled));
});
