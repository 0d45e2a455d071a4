import assert from "node:assert/strict";
import { test } from "node:test";
import {
  armString,
  asaRemarks,
  awsDescription,
  commentText,
  hclString,
  iptablesString,
  nftString,
  plainInterface,
  psString,
} from "./text.js";

test("commentText: one line, no trailing backslash (pf joins it with the next line)", () => {
  assert.equal(commentText("a\nb\r\nc\u2028d"), "a b c d");
  assert.equal(commentText("row \\"), "row");
  assert.equal(commentText("x\u001b[2Jy\u202ez"), "x [2Jy z");
});

test("nftString: no quote or backslash inside, at most 128 bytes, never half a character", () => {
  assert.equal(nftString('a"b\\c'), `"a'b/c"`);
  const s = nftString("é".repeat(100));
  assert.equal(Buffer.byteLength(s.slice(1, -1)), 128);
  assert.equal(nftString(`${"x".repeat(127)}é`), `"${"x".repeat(127)}"`);
});

test("iptablesString: no quote or backslash inside, at most 255 bytes", () => {
  assert.equal(iptablesString('a"b\\c\nd'), `"a'b'c d"`);
  assert.equal(Buffer.byteLength(iptablesString("x".repeat(300)).slice(1, -1)), 255);
});

test("psString: every single quote PowerShell knows is doubled (about_Quoting_Rules)", () => {
  assert.equal(psString("it's"), "'it''s'");
  assert.equal(psString("a\u2019; Remove-Item C:\\; \u2018"), "'a''; Remove-Item C:\\; '''");
  assert.equal(psString("x\ny"), "'x y'");
});

test("asaRemarks: printable ASCII without '?', wrapped at spaces into remarks of at most 100 characters", () => {
  const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
  const r = asaRemarks(`${words} ok?\u2014é`);
  assert.ok(r.length > 1);
  for (const l of r) assert.ok(l.length <= 100 && /^[\x20-\x7e]*$/.test(l) && !l.includes("?"), l);
  assert.equal(r.join(" "), `${words} ok_-_`);
  assert.deepEqual(asaRemarks("x".repeat(150)), ["x".repeat(100), "x".repeat(50)]);
});

test("awsDescription: the EC2 API's character set and 255 characters", () => {
  assert.equal(awsDescription('a"b<c>é\nd'), "a-b-c-- d");
  assert.equal(awsDescription("x".repeat(300)).length, 255);
});

test("hclString: ${ and %{ are written $${ and %%{ (no interpolation)", () => {
  assert.equal(hclString('${file("/etc/passwd")} %{if x}'), '"$${file(\\"/etc/passwd\\")} %%{if x}"');
});

test("armString: a leading [ is escaped as [[ (not an ARM expression)", () => {
  assert.equal(armString("[concat('a')]"), "[[concat('a')]");
  assert.equal(armString("a [b]"), "a [b]");
  assert.equal(armString("x".repeat(200), 140).length, 140);
  assert.equal(armString(`[${"x".repeat(200)}`, 140), `[[${"x".repeat(138)}`);
  assert.equal(armString("😀".repeat(100), 140), "😀".repeat(100));
  assert.equal([...armString("😀".repeat(200), 140)].length, 140);
});

test("plainInterface: driver, VLAN and nameif names pass; wildcards, operators and options do not", () => {
  const g = plainInterface("@");
  for (const ok of ["eth0", "eth0.100", "en-p0s3", "wg_0", "veth0@if2", "outside"])
    assert.ok(g.valid(ok), ok);
  for (const bad of ["eth+", "eth*", "-i", "!x", 'e"x', "a b", "é1", ""]) assert.ok(!g.valid(bad), bad);
  assert.ok(!plainInterface().valid("veth0@if2"));
});
