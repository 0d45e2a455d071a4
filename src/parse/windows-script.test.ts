/**
 * Windows Firewall scripts (PowerShell rule cmdlets, netsh batch files) read as the rules they
 * leave on a host with none, against hand-checked verdicts; what a script decides only when it runs
 * is refused at its line. The edge is 198.51.100.10, inbound flows from any IPv4 address.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { addr, edgeHost, flow } from "../../test/audit-fixtures.js";
import { codesOf, verdictsOf } from "../../test/verdicts.js";
import { sniffFormat } from "./index.js";
import type { ParsedRuleset } from "./reader.js";
import { readWindowsScript } from "./windows-reader.js";

const topology = edgeHost([
  flow("sip", "tcp", [5061, 5061]),
  flow("web", "tcp", [443, 443]),
  flow("stun", "udp", [3478, 3478]),
]);

function read(text: string): ParsedRuleset {
  assert.equal(sniffFormat(text), "windows-script");
  return readWindowsScript(text, "fw.ps1");
}

const verdicts = (p: ParsedRuleset): Record<string, string> => verdictsOf(topology, p);
const codes = codesOf;
const errors = (p: ParsedRuleset): Array<[number | undefined, string]> =>
  p.diagnostics.filter((d) => d.severity === "error").map((d) => [d.at?.line, d.message]);

const PROFILES =
  "Set-NetFirewallProfile -Profile Domain,Private,Public -Enabled True -DefaultInboundAction Block -DefaultOutboundAction Allow";

test("PowerShell: rule cmdlets with variables, arrays and continuations, profiles set alike: exact", () => {
  const p = read(
    [
      "#Requires -RunAsAdministrator",
      "$group = 'Lync Edge'",
      PROFILES,
      "New-NetFirewallRule -Group $group -Name 'sip' -DisplayName 'SIP/MTLS' -Direction Inbound `",
      "  -Action Allow -Protocol TCP -LocalPort 5061 | Out-Null",
      'New-NetFirewallRule -Group "$group" -DisplayName "web" -Direction inbound -Protocol tcp -LocalPort 443,444 -RemoteAddress @("10.0.0.0/8", \'172.16.0.0/12\')',
      "New-NetFirewallRule -DisplayName 'no web from 10.1' -Protocol TCP -LocalPort 443 -RemoteAddress 10.1.0.0/16 -Action Block",
      "<# a block comment",
      "New-NetFirewallRule -DisplayName 'stun' -Protocol UDP -LocalPort 3478",
      "#>",
    ].join("\r\n"),
  );
  assert.deepEqual(codes(p), ["note[windows-script-alone]"]);
  assert.deepEqual(verdicts(p), { sip: "allowed", web: "partial", stun: "blocked" });
  const rules = p.ruleset.tables[0]!.chains[0]!.rules.map((r) => `${r.origin.line} ${r.origin.text}`);
  assert.deepEqual(rules.slice(1), [
    '7 "no web from 10.1": Inbound Block',
    '4 sip "SIP/MTLS": Inbound Allow',
    '6 "web": Inbound Allow',
  ]);
});

test("PowerShell: Disable, Set and Remove change the script's own rules; on the host's own rules they are said", () => {
  const p = read(
    [
      PROFILES,
      "New-NetFirewallRule -Name sip -DisplayName 'SIP' -Protocol TCP -LocalPort 5061",
      "New-NetFirewallRule -Name web -DisplayName 'Web' -Protocol TCP -LocalPort 443 -Group g",
      "New-NetFirewallRule -Name stun -DisplayName 'STUN' -Protocol UDP -LocalPort 3478",
      "Set-NetFirewallRule -DisplayName 'SIP' -Action Block",
      "Get-NetFirewallRule -Group g | Remove-NetFirewallRule",
      "Disable-NetFirewallRule -Name st*",
      "Enable-NetFirewallRule -DisplayGroup 'File and Printer Sharing'",
      "Disable-NetFirewallRule -DisplayGroup 'Remote Desktop'",
    ].join("\n"),
  );
  assert.deepEqual(codes(p), ["warning[windows-script-host-rules]", "note[windows-script-alone]"]);
  assert.equal(p.diagnostics[0]!.at!.line, 8);
  assert.deepEqual(verdicts(p), { sip: "blocked", web: "blocked", stun: "blocked" });
});

test("profiles the script does not set alike are assumed, and what they decide uncertain", () => {
  const p = read(
    [
      "Set-NetFirewallProfile -Profile Public -DefaultInboundAction Block",
      "New-NetFirewallRule -DisplayName sip -Protocol TCP -LocalPort 5061 -Profile Domain,Private",
      "New-NetFirewallRule -DisplayName web -Protocol TCP -LocalPort 443",
    ].join("\n"),
  );
  assert.deepEqual(verdicts(p), { sip: "allowed uncertain", web: "allowed", stun: "blocked uncertain" });
});

test("what runs only when the script decides is refused at its line; the error path is passed over", () => {
  const loop = readWindowsScript(
    [
      "$ports = 80, 443",
      "foreach ($p in $ports) {",
      '  New-NetFirewallRule -DisplayName "web $p" -Protocol TCP -LocalPort $p',
      "}",
    ].join("\n"),
    "fw.ps1",
  );
  assert.deepEqual(errors(loop), [
    [3, "a firewall command inside `foreach { … }`: it runs only when the script decides at run time"],
  ]);
  const pipe = readWindowsScript(
    "80,443 | ForEach-Object {\n  New-NetFirewallRule -DisplayName x -LocalPort $_ -Protocol TCP\n}\n",
    "fw.ps1",
  );
  assert.match(errors(pipe)[0]![1], /inside `foreach-object/);
  // Splatting a hashtable the script writes out is followed; one it computes is not known.
  const splat = read(
    [
      PROFILES,
      "$p = @{",
      "  DisplayName = 'sip'",
      "  Protocol    = 'TCP'",
      "  LocalPort   = 5061, 5062",
      "}",
      "New-NetFirewallRule @p | Out-Null",
    ].join("\n"),
  );
  assert.deepEqual(verdicts(splat), { sip: "allowed", web: "blocked", stun: "blocked" });
  const computed = readWindowsScript("$p = Get-Params\nNew-NetFirewallRule @p\n", "fw.ps1");
  assert.deepEqual(errors(computed), [[2, "splatted parameters (@p) are not followed"]]);
  const evaluated = readWindowsScript(
    'New-NetFirewallRule -DisplayName "web $(hostname)" -Direction (Get-Direction) -Protocol TCP -LocalPort 80\n',
    "fw.ps1",
  );
  assert.deepEqual(errors(evaluated), [
    [1, "-Direction set by a variable the script does not assign a value"],
  ]);
  const unassigned = readWindowsScript(
    "New-NetFirewallRule -DisplayName x -Direction $dir -Protocol TCP -LocalPort 80\n",
    "fw.ps1",
  );
  assert.deepEqual(errors(unassigned), [
    [1, "-Direction set by a variable the script does not assign a value"],
  ]);
  const trap = read(
    [
      PROFILES,
      'trap { netsh advfirewall import "$backup"; break }',
      "try {",
      "  New-NetFirewallRule -DisplayName sip -Protocol TCP -LocalPort 5061",
      "} catch {",
      "  Remove-NetFirewallRule -DisplayName sip",
      "}",
    ].join("\n"),
  );
  assert.deepEqual(codes(trap), ["note[windows-script-error-path]", "note[windows-script-alone]"]);
  assert.deepEqual(verdicts(trap), { sip: "allowed", web: "blocked", stun: "blocked" });
});

test("a netsh batch file: add, set, delete, profile policy, variables and comments", () => {
  const p = read(
    [
      "@echo off",
      "rem Lync Edge, external interface",
      ":: another comment",
      "set EDGE=198.51.100.10",
      "netsh advfirewall set allprofiles state on",
      "netsh advfirewall set allprofiles firewallpolicy blockinbound,allowoutbound",
      'netsh advfirewall firewall add rule name="Lync SIP" dir=in action=allow protocol=TCP localport=5061 localip=%EDGE%',
      'netsh advfirewall firewall add rule name="Web" dir=in action=allow protocol=TCP localport=443,444 ^',
      "  remoteip=localsubnet",
      'netsh advfirewall firewall add rule name="Ping" dir=in action=allow protocol=icmpv4:8,any',
      'netsh advfirewall firewall add rule name="STUN" dir=in action=allow protocol=UDP localport=3478',
      'netsh advfirewall firewall set rule name="STUN" new enable=no',
      'netsh advfirewall firewall delete rule name="Ping"',
      "pause",
    ].join("\r\n"),
  );
  assert.deepEqual(codes(p), ["note[windows-script-alone]"]);
  assert.deepEqual(verdicts(p), { sip: "allowed", web: "allowed uncertain", stun: "blocked" });
  const sip = p.ruleset.tables[0]!.chains[0]!.rules.find((r) => r.origin.text.includes("Lync SIP"))!;
  assert.equal(sip.origin.line, 7);
  assert.ok(sip.match.boxes[0]!.dst.equals(addr("198.51.100.10")));
});

test("netsh: a loop or a parameter decides only at run time: refused", () => {
  const loop = readWindowsScript(
    '@echo off\nfor %%p in (80 443) do netsh advfirewall firewall add rule name="web %%p" dir=in action=allow protocol=TCP localport=%%p\n',
    "fw.cmd",
  );
  assert.deepEqual(errors(loop), [
    [2, "a netsh command under `for`: it runs only when the script decides at run time"],
  ]);
  const param = readWindowsScript(
    "netsh advfirewall firewall add rule name=x dir=%1 action=allow protocol=TCP localport=80\n",
    "fw.cmd",
  );
  assert.match(errors(param)[0]![1], /set by a variable the script does not assign/);
  const imp = readWindowsScript("netsh advfirewall import C:\\policy.wfw\n", "fw.cmd");
  assert.match(errors(imp)[0]![1], /netsh advfirewall import/);
});

test("the script compile --target windows writes reads back as exactly the matrix", () => {
  const p = readWindowsScript(
    [
      "$group = 'portmatrix test'",
      "Get-NetFirewallRule -Group $group -ErrorAction SilentlyContinue | Remove-NetFirewallRule",
      "Set-NetFirewallProfile -Profile Domain,Private,Public -Enabled True -DefaultInboundAction Block -DefaultOutboundAction Block",
      "New-NetFirewallRule -Group $group -Name 'a' -DisplayName 'a' -Direction Inbound -Action Allow -Profile Any -Protocol TCP -LocalPort 5061 -LocalAddress 198.51.100.10/32 -RemoteAddress Any | Out-Null",
    ].join("\n"),
    "windows.ps1",
  );
  assert.deepEqual(codes(p), ["note[windows-script-alone]"]);
  assert.deepEqual(verdicts(p), { sip: "allowed", web: "blocked", stun: "blocked" });
});

test("what real scripts write: en dashes, `name = X`, group=, positional names, filters, exit, blocks", () => {
  const ps = read(
    [
      PROFILES,
      "New-NetFirewallRule \u2013DisplayName 'SIP' \u2013Direction Inbound \u2013Protocol TCP \u2013LocalPort 5061 -Group edge",
      "New-NetFirewallRule -DisplayName 'Web' -Direction Inbound -Protocol TCP -LocalPort 443 -Name web",
      "New-NetFirewallRule -DisplayName 'STUN' -Direction Inbound -Protocol UDP -LocalPort 3478 -Name stun",
      "Disable-NetFirewallRule web",
      "Remove-NetFirewallRule -Direction Inbound -Action Block",
      "Get-NetFirewallRule -Name stun |",
      "  Remove-NetFirewallRule",
      "exit",
      "New-NetFirewallRule -DisplayName 'late' -Protocol TCP -LocalPort 443",
    ].join("\n"),
  );
  assert.deepEqual(codes(ps), ["note[windows-script-exit]", "note[windows-script-alone]"]);
  assert.deepEqual(verdicts(ps), { sip: "allowed", web: "blocked", stun: "blocked" });
  const cmd = read(
    [
      "netsh advfirewall set allprofiles state on",
      "netsh advfirewall set allprofiles firewallpolicy blockinbound,allowoutbound",
      'Netsh Advfirewall Firewall add Rule Name = "SIP" Dir = in action = allow protocol = TCP localport = 5061',
      'netsh advfirewall firewall add rule name="Web" group="Edge" dir=in action=allow protocol=TCP localport=443',
      'netsh advfirewall firewall set rule group="Edge" new enable=no',
      "if exist C:\\edge.flag (",
      '  netsh advfirewall firewall add rule name="STUN" dir=in action=allow protocol=UDP localport=3478',
      ")",
    ].join("\r\n"),
  );
  assert.deepEqual(errors(cmd), [
    [7, "a firewall command inside `if { … }`: it runs only when the script decides at run time"],
  ]);
  const jumps = readWindowsScript(
    [
      'call :allow "C:\\app.exe"',
      "goto :eof",
      ":allow",
      'netsh advfirewall firewall add rule name="app" dir=in action=allow program=%1',
    ].join("\r\n"),
    "fw.cmd",
  );
  assert.match(errors(jumps)[0]![1], /after a label \(line 3\) in a script that jumps/);
  const filtered = readWindowsScript(
    "Get-NetFirewallRule -Name '*SSH*' |\nWhere { $_.Direction -eq 'Inbound' } |\nRemove-NetFirewallRule\n",
    "fw.ps1",
  );
  assert.match(errors(filtered)[0]![1], /rules picked by a filter in the pipeline/);
});

test("what a rule names but the reader does not model is uncertain; ports on a portless protocol are refused", () => {
  const p = read(
    [
      PROFILES,
      "New-NetFirewallRule -DisplayName sip -Protocol TCP -LocalPort 5061 -DynamicTarget WildcardRemoteAddress",
      'netsh advfirewall firewall add rule name="web" dir=in action=allow protocol=TCP localport=443 frobnicate=yes',
    ].join("\n"),
  );
  assert.deepEqual(verdicts(p), { sip: "allowed uncertain", web: "allowed uncertain", stun: "blocked" });
  const constructs = p.ruleset.tables[0]!.chains[0]!.rules.flatMap((r) =>
    r.approximations.map((a) => a.construct),
  );
  assert.deepEqual(constructs, ["-DynamicTarget", "frobnicate="]);
  const icmpPorts = readWindowsScript(
    "New-NetFirewallRule -DisplayName x -Protocol ICMPv4 -LocalPort 80\n",
    "fw.ps1",
  );
  assert.deepEqual(errors(icmpPorts), [[1, 'rule "x": LocalPort with Protocol ICMPv4']]);
});

test("a rule created only when the host has none of its name is read as created, said; any other condition is refused", () => {
  const guarded = read(
    [
      PROFILES,
      "if (-not (Get-NetFirewallRule -Name 'sip' -ErrorAction SilentlyContinue)) {",
      "  New-NetFirewallRule -Name sip -DisplayName SIP -Protocol TCP -LocalPort 5061",
      "}",
      'if (!(Get-NetFirewallRule -DisplayName "web" -ea 0))',
      "{",
      "  New-NetFirewallRule -DisplayName web -Protocol TCP -LocalPort 443",
      "}",
    ].join("\n"),
  );
  assert.deepEqual(errors(guarded), []);
  assert.deepEqual(verdicts(guarded), { sip: "allowed", web: "allowed", stun: "blocked" });
  assert.deepEqual(
    guarded.diagnostics.filter((d) => d.code === "windows-script-guarded").map((d) => d.at?.line),
    [3, 7],
  );
  // The script made that rule before: the test finds it, and the second is not created.
  const twice = read(
    [
      PROFILES,
      "New-NetFirewallRule -Name sip -DisplayName SIP -Protocol TCP -LocalPort 5061",
      "if (-not (Get-NetFirewallRule -Name 'SIP' -ErrorAction SilentlyContinue)) {",
      "  New-NetFirewallRule -Name SIP -DisplayName SIP2 -Protocol TCP -LocalPort 443",
      "}",
    ].join("\n"),
  );
  assert.deepEqual(errors(twice), []);
  assert.deepEqual(verdicts(twice), { sip: "allowed", web: "blocked", stun: "blocked" });
  assert.match(
    twice.diagnostics.find((d) => d.code === "windows-script-guarded")!.message,
    /not created: the script made a rule with Name "SIP" before \(line 2\)/,
  );
  for (const [cond, line] of [
    // Another rule's name, another test, more than the test, a variable: decided at run time.
    ["if (-not (Get-NetFirewallRule -Name 'other' -ErrorAction SilentlyContinue)) {", 2],
    ["if (Get-NetFirewallRule -Name 'sip' -ErrorAction SilentlyContinue) {", 2],
    ["if (-not (Get-NetFirewallRule -Name 'sip') -and $force) {", 2],
    ["if (-not (Get-NetFirewallRule -Name $name)) {", 2],
  ] as const) {
    const r = readWindowsScript(
      [cond, "  New-NetFirewallRule -Name sip -Protocol TCP -LocalPort 5061", "}"].join("\n"),
      "fw.ps1",
    );
    assert.deepEqual(errors(r), [
      [line, "a firewall command inside `if { … }`: it runs only when the script decides at run time"],
    ]);
  }
});

test("netsh under a condition that only touches the host's own rules is passed over, said; one that may touch the script's is refused", () => {
  const text = (cond: string) =>
    [
      "@echo off",
      'netsh advfirewall firewall add rule name="sip" dir=in action=allow protocol=TCP localport=5061',
      'IF /I "%1"=="-DELETE" (',
      cond,
      ")",
    ].join("\r\n");
  const host = readWindowsScript(
    text('netsh advfirewall firewall delete rule name="Core Networking - Teredo (UDP-In)"'),
    "fw.bat",
  );
  assert.deepEqual(errors(host), []);
  assert.ok(codes(host).includes("warning[windows-script-host-rules]"), codes(host).join(" "));
  // A command netsh has no context for changes nothing, in a branch or not: said.
  const typo = readWindowsScript(text('netsh advfirewall firwwall delete rule name="sip"'), "fw.bat");
  assert.deepEqual(errors(typo), []);
  assert.ok(codes(typo).includes("warning[windows-script-netsh]"), codes(typo).join(" "));
  // The rule the branch would have deleted, had netsh known the command, is still there.
  assert.equal(verdicts(typo).sip, "allowed");
  for (const own of [
    'netsh advfirewall firewall delete rule name="sip"',
    "netsh advfirewall firewall delete rule name=all",
    'netsh advfirewall firewall set rule name="%RULE%" new enable=no',
  ]) {
    const r = readWindowsScript(text(own), "fw.bat");
    assert.equal(errors(r).length, 1, own);
  }
});
