import assert from "node:assert/strict";
import { test } from "node:test";
import { hasUnsafeText, oneLine, truncateUtf8, utf8Length, visible, xmlChars } from "./safe-text.js";

test("visible: controls, separators, bidi and lone surrogates shown as escapes; text kept", () => {
  assert.equal(visible("a\nb\tc\u001b[2J\u0000\u202e\u2028é😀"), "a\\nb\\tc\\x1b[2J\\x00\\u202e\\u2028é😀");
  assert.equal(visible("x\ud800y"), "x\\ud800y");
});

test("oneLine: every run of unsafe characters is one space", () => {
  assert.equal(oneLine("a\r\n\u0085b"), "a b");
  assert.ok(!hasUnsafeText(oneLine("\u0000\u2066x\ufeff")));
  assert.ok(hasUnsafeText("a\u200fb") && !hasUnsafeText("plain é 😀"));
});

test("xmlChars: only what XML 1.0 cannot hold is escaped (tab, LF, CR stay)", () => {
  assert.equal(xmlChars("a\tb\nc\rd\u001be\u000bf\uffff"), "a\tb\nc\rd\\x1be\\x0bf\\uffff");
});

test("truncateUtf8 / utf8Length agree with Buffer, never cut a character", () => {
  for (const s of ["abc", "é".repeat(5), "😀x😀", "x\ud800y"]) {
    if (!s.includes("\ud800")) assert.equal(utf8Length(s), Buffer.byteLength(s));
    for (let n = 0; n <= 12; n++) {
      const t = truncateUtf8(s, n);
      assert.ok(utf8Length(t) <= n && s.startsWith(t));
    }
  }
  assert.equal(truncateUtf8("😀", 3), "");
});
