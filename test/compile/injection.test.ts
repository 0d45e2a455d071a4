/**
 * Issue 15, the concrete cases of the adversarial run, as a user meets them (`portmatrix compile`
 * on files): the hostile interface name, a 300-character one, names only some targets can carry,
 * a profile whose texts hold newlines (a bare `accept` for nftables, `Remove-Item -Recurse C:\` for
 * PowerShell), an IPv4-mapped IPv6 address, and `management: [any]`.
 */
import { rollbackEpilogue, rollbackPreamble } from "../../src/compile/targets/windows-rollback.js";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { after, test } from "node:test";
import { runCli } from "../cli/run-cli.js";
import { kernelSkipReason, sh } from "../kernel/netns.js";
import type { TargetId } from "../../src/compile/target.js";
import { build, compileEvery, profileText, skeleton, topologyText } from "./injection-check.js";

const dir = mkdtempSync(join(tmpdir(), "pm-inject-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the files and runs compile; `profile` replaces the built-in seed by a file beside the topology. */
function compile(topology: string, args: string[], profile?: string) {
  const name = randomBytes(3).toString("hex");
  if (profile !== undefined) writeFileSync(join(dir, `p-${name}.yaml`), profile);
  const t =
    profile === undefined
      ? topology
      : topology.replace("profile: lync2013-public-im", `profile: ./p-${name}.yaml`);
  writeFileSync(join(dir, `t-${name}.yaml`), t);
  return {
    file: join(dir, `t-${name}.yaml`),
    ...runCli(["compile", "-t", join(dir, `t-${name}.yaml`), ...args]),
  };
}

/** The line and column where `needle` starts in `text` (1-based), for located diagnostics. */
function at(text: string, needle: string): string {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, needle);
  const before = text.slice(0, i).split("\n");
  return `${before.length}:${before.at(-1)!.length + 1}`;
}

const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The one diagnostic line: `file:line:col: severity[code]`, on the line of `needle` (or the next: a block value). */
function assertLocated(
  r: { file: string; stderr: string },
  text: string,
  needle: string,
  what: string,
): void {
  const line = Number(at(text, needle).split(":")[0]);
  const m = new RegExp(`^${reEscape(r.file)}:(\\d+):\\d+: ${reEscape(what)}`, "m").exec(r.stderr);
  assert.ok(m, `no located ${what} in: ${r.stderr}`);
  assert.ok(
    Number(m[1]) === line || Number(m[1]) === line + 1,
    `${what} at line ${m[1]}, written at ${line}`,
  );
}

test('issue 15: zone interface `eth0" accept; accept; #` is refused where it is written, nothing is written', () => {
  const hostile = 'eth0" accept; accept; #';
  const topo = topologyText("perimeter", hostile);
  const out = join(dir, "all-hostile");
  const r = compile(topo, ["--target", "all", "-o", out]);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, "");
  assertLocated(r, topo, hostile, "error[invalid-value]");
  assert.match(
    r.stderr,
    /error\[invalid-value\]: "firewall\.zones\.internet\.interface" is invalid; expected an interface name as Linux allows it/,
  );
  assert.equal(r.stderr.trim().split("\n").length, 1, "one diagnostic for one problem");
  assert.ok(!existsSync(out) || readdirSync(out).length === 0, "no file written");
  for (const target of ["nftables", "iptables", "pf", "cisco-asa"]) {
    const t = compile(topo, ["--target", target]);
    assert.equal(t.status, 2, `${target}: ${t.stderr}`);
    assert.equal(t.stdout, "", target);
  }
});

test("issue 15: a 300-character interface name is refused at its position (was: a file nft refuses, exit 0)", () => {
  const topo = topologyText("perimeter", "x".repeat(300));
  const r = compile(topo, ["--target", "nftables"]);
  assert.equal(r.status, 2);
  assertLocated(r, topo, "x".repeat(300), "error[invalid-value]");
  assert.equal(r.stdout, "");
});

test("issue 15: a name Linux allows but a target cannot carry is refused by that target only (compile-unsupported)", () => {
  const cases: Array<[string, string[], string[]]> = [
    // [name, targets that refuse it, targets that write it]
    ['e"x', ["nftables", "iptables", "pf", "cisco-asa"], ["azure"]],
    ["eth*", ["nftables", "iptables", "pf", "cisco-asa"], []],
    ["eth+", ["iptables", "pf", "cisco-asa"], ["nftables"]],
    ["veth0@if2", ["pf", "cisco-asa"], ["nftables", "iptables"]],
    ["eth0.100", [], ["nftables", "iptables", "pf", "cisco-asa"]],
  ];
  // In-process (the same model and targets as the CLI, without a process per case).
  for (const [name, refuse, write] of cases) {
    const built = build(profileText({}), topologyText("perimeter", name));
    assert.ok(built.ok, name);
    const outputs = compileEvery(built.plan);
    for (const target of refuse) {
      const o = outputs[target as TargetId]!;
      assert.ok("refused" in o, `${target} takes ${name}`);
      assert.equal(o.refused.length, 1);
      assert.equal(o.refused[0]!.code, "compile-unsupported");
      assert.match(o.refused[0]!.message, new RegExp(`^target ${target} cannot name interface`));
    }
    for (const target of write) {
      const o = outputs[target as TargetId]!;
      assert.ok("files" in o, `${target} refuses ${name}`);
      if (target !== "azure") assert.ok(o.files[""]!.includes(name), `${target} writes ${name}`);
    }
  }
  // Through the CLI, the refusal points at the zone's `interface:` in the topology.
  const topo = topologyText("perimeter", "veth0@if2");
  const r = compile(topo, ["--target", "pf"]);
  assert.equal(r.status, 2, r.stderr);
  assertLocated(r, topo, "veth0@if2", "error[compile-unsupported]");
  assert.equal(r.stdout, "");
});

const HOSTILE_PROFILE = profileText({
  title: "Seed\naccept\nRemove-Item -Recurse C:\\",
  "flows.0.protocol": 'SIP"\n}\naccept;\n#',
  "flows.1.protocol": "SIP'; Remove-Item -Recurse C:\\ ; '",
  "flows.2.protocol": "SIP\u2019; Remove-Item -Recurse C:\\; \u2018",
  "endpoints.clients.name": "Clients\nRemove-Item -Recurse C:\\",
  "lifecycles.messenger-federation.service":
    "Messenger\n-A INPUT -j ACCEPT\naccess-list x extended permit ip any any ?",
  "flows.0.notes": "notes\n accept",
});

test("issue 15: newlines and quotes in profile text stay in comments: no bare accept (nftables), no Remove-Item line (PowerShell)", () => {
  const skip = kernelSkipReason(["nft"]);
  for (const kind of ["host", "perimeter"] as const) {
    const out = join(dir, `all-${kind}`);
    const plainOut = join(dir, `plain-${kind}`);
    const r = compile(topologyText(kind), ["--target", "all", "-o", out], HOSTILE_PROFILE);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(compile(topologyText(kind), ["--target", "all", "-o", plainOut], profileText({})).status, 0);
    // Every file, those in a directory target's folders too (firewalld/zones/portmatrix.xml).
    const files = (readdirSync(out, { recursive: true }) as string[]).filter((f) =>
      statSync(join(out, f)).isFile(),
    );
    for (const f of files) {
      const text = readFileSync(join(out, f), "utf8");
      const lines = text.split("\n");
      assert.ok(!lines.some((l) => /^\s*accept\b/.test(l)), `${f}: a bare accept line`);
      // The injected command (the script's own rollback preamble has a Remove-Item of its own files).
      assert.ok(!lines.some((l) => /^\s*Remove-Item -Recurse/.test(l)), `${f}: an injected Remove-Item line`);
      assert.ok(!lines.some((l) => /^-A INPUT -j ACCEPT/.test(l)), `${f}: an injected iptables rule`);
      assert.ok(!lines.some((l) => /^access-list x /.test(l)), `${f}: an injected ACE`);
      const [target, suffix] = f.startsWith("aws.")
        ? ["aws", f.endsWith(".tf") ? ".tf" : ""]
        : [f.split(/[./]/)[0]!, f.endsWith(".v6") ? ".v6" : ""];
      const plain = readFileSync(join(plainOut, f), "utf8");
      assert.equal(
        skeleton(target as never, suffix, text),
        skeleton(target as never, suffix, plain),
        `${f}: rules differ from the plain profile's`,
      );
    }
    if (kind === "host") {
      const ps = readFileSync(join(out, "windows.ps1"), "utf8");
      // Every line outside comments is one of the script's command shapes, or a line of the fixed
      // confirm-or-restore frame (no profile text reaches it).
      const frame = new Set([...rollbackPreamble(), ...rollbackEpilogue()].flatMap((x) => x.split("\n")));
      for (const l of ps
        .split("\n")
        .filter((x) => x.trim() !== "" && !x.trim().startsWith("#") && !frame.has(x)))
        assert.match(
          l,
          /^(\$ErrorActionPreference = 'Stop'|\$group = '[^']*'|Get-NetFirewallRule -Group \$group .*|Set-NetFirewallProfile .*|New-NetFirewallRule -Group \$group -Name '[^']*' -DisplayName '[^']*' -Description '(?:[^']|'')*' .* \| Out-Null)$/,
        );
    }
    if (!skip) {
      const ns = `pmt-inject-${process.pid}-${randomBytes(2).toString("hex")}`;
      sh(["ip", "netns", "add", ns]);
      try {
        sh(["ip", "netns", "exec", ns, "nft", "-c", "-f", join(out, "nftables.nft")]);
      } finally {
        sh(["ip", "netns", "del", ns]);
      }
    }
  }
});

test("issue 15: an IPv4-mapped IPv6 address is refused at its position, with the IPv4 address to write", () => {
  const topo = topologyText("host").replace("- 2001:db8:10::10", '- "::ffff:203.0.113.10"');
  assert.ok(topo.includes("::ffff:"), topo);
  const r = compile(topo, ["--target", "nftables"]);
  assert.equal(r.status, 2);
  assertLocated(r, topo, "::ffff:", "error[mapped-address]");
  assert.match(r.stderr, /expected the IPv4 address itself \(203\.0\.113\.10\)/);
  assert.equal(r.stdout, "");
});

test("issue 15: management from any address is refused unless acknowledged; acknowledged, it compiles with a located warning", () => {
  for (const any of [["any"], "any4", ["0.0.0.0/0"], ["::/0", "198.51.100.0/28"]]) {
    const topo = topologyText("host", "eth0", any);
    const r = compile(topo, ["--target", "nftables"]);
    assert.equal(r.status, 2, JSON.stringify(any));
    assertLocated(r, topo, "management:", "error[open-management]");
    assert.match(r.stderr, /error\[open-management\]: management admits every IPv(4|6)/);
  }
  const ack = topologyText("host", "eth0", ["any"]) + "managementFromAnywhere: true\n";
  const r = compile(ack, ["--target", "nftables"]);
  assert.equal(r.status, 0, r.stderr);
  assertLocated(r, ack, "management:", "warning[open-management]");
  assert.match(r.stdout, /ip saddr|accept/);
});

test("issue 15: a zone key that is not an id is refused at the key", () => {
  const topo = topologyText("perimeter").replace("dmz:", "Dmz Zone:");
  const r = compile(topo, ["--target", "nftables"]);
  assert.equal(r.status, 2);
  assert.ok(
    r.stderr.includes(`${r.file}:${at(topo, "Dmz Zone:")}: error[invalid-key]: key "Dmz Zone"`),
    r.stderr,
  );
});
