import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { writeFilesAtomic } from "./files.js";

// writeNewFile's slice: 2^18 characters (files.ts WRITE_SLICE).
const SLICE = 1 << 18;

test("writeFilesAtomic: a text of several slices comes back byte for byte, surrogate pairs across a slice's end included", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-files-"));
  try {
    const emoji = "\u{1F600}"; // two UTF-16 units, four UTF-8 bytes
    // The first slice ends between the two halves of a pair; the second holds two-byte characters.
    const texts = {
      ascii: "x".repeat(SLICE * 2 + 17),
      pair: "a".repeat(SLICE - 1) + emoji + "é".repeat(SLICE) + emoji.repeat(3),
      empty: "",
    };
    for (const [name, text] of Object.entries(texts)) {
      const path = join(dir, `${name}.json`);
      writeFileSync(path, "the file before"); // replaced whole, never partly
      writeFilesAtomic([{ path, text, mode: 0o640 }]);
      assert.ok(readFileSync(path).equals(Buffer.from(text, "utf8")), name);
      assert.equal(statSync(path).mode & 0o777, 0o640 & ~process.umask(), `${name}: mode`);
    }
    assert.deepEqual(
      readdirSync(dir).sort(),
      ["ascii.json", "empty.json", "pair.json"],
      "no temporary file left",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
