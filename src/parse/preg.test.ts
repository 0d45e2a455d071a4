/**
 * Group Policy's Registry.pol (parse/preg.ts): a real GPO's file read key by key; the legacy
 * example's registry export written as a Registry.pol audits exactly as the .reg does; the
 * directives a GPO editor writes (`**delvals.`, `**del.`, `**DeleteKeys`, `**soft.`) applied in
 * order; a file cut inside a record an error with its offset (cut between records, a shorter
 * policy), random damage never a throw.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { audit } from "../audit/audit.js";
import { READERS } from "./index.js";
import { readPolicyFile } from "./preg.js";
import { decodeText } from "../shell/files.js";
import { edgeHost, flow } from "../../test/audit-fixtures.js";
import { ROOT } from "../../test/cli/run-cli.js";

type Data = string | number;

/** MS-GPREG §2.2.1: `PReg`, version 1, then `[key;value;type;size;data]` in UTF-16LE. */
function policyFile(records: ReadonlyArray<[key: string, name: string, data: Data]>): Buffer {
  const u16 = (s: string): Buffer => Buffer.from(s, "utf16le");
  const dword = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n >>> 0);
    return b;
  };
  const parts = [Buffer.from("PReg", "latin1"), dword(1)];
  for (const [key, name, data] of records) {
    const body = typeof data === "number" ? dword(data) : u16(`${data}\0`);
    parts.push(u16("["), u16(`${key}\0`), u16(";"), u16(`${name}\0`), u16(";"));
    parts.push(
      dword(typeof data === "number" ? 4 : 1),
      u16(";"),
      dword(body.length),
      u16(";"),
      body,
      u16("]"),
    );
  }
  return Buffer.concat(parts);
}

/** The records of a .reg export (REG_SZ and REG_DWORD values), keys relative to HKLM. */
function regRecords(text: string): Array<[string, string, Data]> {
  const out: Array<[string, string, Data]> = [];
  let key = "";
  for (const line of text.split(/\r?\n/)) {
    const head = /^\[HKEY_LOCAL_MACHINE\\(.+)\]$/.exec(line);
    if (head) key = head[1]!;
    const v = /^"((?:[^"\\]|\\.)*)"=(?:"((?:[^"\\]|\\.)*)"|dword:([0-9a-f]{8}))$/i.exec(line);
    if (v) out.push([key, v[1]!, v[2] !== undefined ? v[2].replace(/\\(.)/g, "$1") : parseInt(v[3]!, 16)]);
  }
  return out;
}

test("Registry.pol: a real GPO's keys and values (a CyberPatriot hardening policy)", () => {
  const file = join(
    ROOT,
    "test/corpus/windows/Trolip__CP-17-Bubble-Guppies-Windows-Script.ps1__Machine_Registry.pol",
  );
  const r = readPolicyFile(readFileSync(file));
  assert.ok(!("error" in r), JSON.stringify(r));
  assert.equal(r.keys.length, 52);
  const fw = Object.fromEntries(
    r.keys
      .filter((k) => /WindowsFirewall/.test(k.path))
      .map((k) => [k.path, Object.fromEntries(k.values.map((v) => [v.name, v.data]))]),
  );
  assert.deepEqual(fw["Software\\Policies\\Microsoft\\WindowsFirewall"], { PolicyVersion: 541 });
  for (const p of ["DomainProfile", "PrivateProfile", "PublicProfile"])
    assert.deepEqual(fw[`Software\\Policies\\Microsoft\\WindowsFirewall\\${p}`], {
      EnableFirewall: 1,
      DefaultOutboundAction: 0,
      DefaultInboundAction: 1,
    });
  // Profile settings and no rules: refused, saying what to export instead.
  const read = READERS["windows-registry"](decodeText(readFileSync(file)), "Registry.pol");
  const errors = read.diagnostics.filter((d) => d.severity === "error");
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.message, /no FirewallRules key in the export: it holds profile settings only/);
  assert.match(errors[0]!.expected ?? "", /a GPO that sets firewall rules/);
});

test("Registry.pol: the legacy example's policy written as a Registry.pol audits exactly as its .reg export", () => {
  const reg = readFileSync(join(ROOT, "examples/legacy/edge-registry.reg"), "utf8");
  const records = regRecords(reg);
  assert.ok(records.length > 20, `${records.length} records`);
  const topology = edgeHost([
    flow("sip", "tcp", [5061, 5061]),
    flow("tls", "tcp", [443, 443]),
    flow("stun", "udp", [3478, 3478]),
  ]);
  const fromReg = READERS["windows-registry"](reg, "fw");
  const fromPol = READERS["windows-registry"](decodeText(policyFile(records)), "fw");
  assert.deepEqual(
    fromPol.diagnostics.map((d) => d.code),
    fromReg.diagnostics.map((d) => d.code),
  );
  // Positions differ (a binary file has no lines): everything else is the same.
  const strip = (x: unknown): unknown =>
    JSON.parse(JSON.stringify(x, (k, v) => (k === "line" || k === "col" || k === "text" ? 0 : v)));
  assert.deepEqual(strip(audit(topology, [fromPol])), strip(audit(topology, [fromReg])));
});

test("Registry.pol: **delvals., **del., **DeleteKeys and **soft. applied in order", () => {
  const K = "Software\\Policies\\Microsoft\\WindowsFirewall";
  const rule = (port: number): string =>
    `v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=${port}|Name=p${port}|`;
  const r = readPolicyFile(
    policyFile([
      [`${K}\\FirewallRules`, "old", rule(1)],
      [`${K}\\FirewallRules`, "**delvals.", " "],
      [`${K}\\FirewallRules`, "a", rule(5061)],
      [`${K}\\FirewallRules`, "b", rule(443)],
      [`${K}\\FirewallRules`, "**del.b", " "],
      [`${K}\\FirewallRules`, "**soft.c", rule(3478)],
      [`${K}\\Stale\\Sub`, "x", 1],
      [K, "**DeleteKeys", "Stale"],
    ]),
  );
  assert.ok(!("error" in r), JSON.stringify(r));
  assert.deepEqual(
    r.keys.map((k) => [k.path, k.values.map((v) => v.name)]),
    [[`${K}\\FirewallRules`, ["a", "c"]]],
  );
});

test("Registry.pol: a cut inside a record is an error at its offset, between records a shorter policy; damage never throws", () => {
  const records = regRecords(readFileSync(join(ROOT, "examples/legacy/edge-registry.reg"), "utf8"));
  const good = policyFile(records);
  // Where each record ends: the length of the file holding the records before it.
  const ends = new Map(records.map((_, i) => [policyFile(records.slice(0, i)).length, i]));
  ends.set(good.length, records.length);
  for (let n = 0; n <= good.length; n++) {
    const r = readPolicyFile(good.subarray(0, n));
    const whole = ends.get(n);
    if (whole === undefined) {
      assert.ok("error" in r, `${n} bytes: a cut record must be an error`);
      assert.ok(r.offset >= 0 && r.offset <= n, `${n}: offset ${r.offset}`);
    } else {
      assert.ok(!("error" in r), `${n} bytes: ${whole} whole records`);
      assert.equal(
        r.keys.reduce((k, key) => k + key.values.length, 0),
        whole,
        `${n} bytes`,
      );
    }
  }
  fc.assert(
    fc.property(
      fc.array(fc.record({ at: fc.nat(good.length - 1), v: fc.integer({ min: 0, max: 255 }) }), {
        minLength: 1,
        maxLength: 8,
      }),
      (flips) => {
        const b = Buffer.from(good);
        for (const f of flips) b[f.at] = f.v;
        const r = readPolicyFile(b);
        if (!("error" in r)) READERS["windows-registry"](decodeText(b), "fw");
      },
    ),
    { seed: 20261204, numRuns: 2000 },
  );
});
