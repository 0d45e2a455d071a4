/**
 * The first file a user gives is often not a ruleset but a display of one: `iptables -L`,
 * `ufw status`, `firewall-cmd --list-all`, an ASA's `show access-list`, Junos's
 * `show security policies`, the AWS CLI's table output, PowerShell's `Get-NetFirewallRule | Format-Table`, the Azure
 * CLI's table of NSG rules — or an empty file. audit says what the file
 * is, why it is not read and which command's output is (exit 2, located), never only "cannot tell
 * the format". And a paste that starts with a shell prompt (`[root@host ~]# iptables-save`) is
 * still recognised as iptables-save (a leading `[` made it look like JSON): the reader then points
 * at the prompt's line.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "./run-cli.js";

const SAMPLES: Array<[name: string, text: string, line: number, what: RegExp, instead: RegExp]> = [
  [
    "iptables-L.txt",
    [
      "Chain INPUT (policy DROP)",
      "target     prot opt source               destination",
      "ACCEPT     tcp  --  anywhere             anywhere             tcp dpt:sip-tls",
      "",
      "Chain OUTPUT (policy ACCEPT)",
      "target     prot opt source               destination",
    ].join("\n"),
    1,
    /the listing `iptables -L` prints without -v, not a ruleset: it leaves out the interfaces/,
    /expected `iptables -L -n -v` \(read, with `-t nat` and the other tables' after it\), or `iptables-save > rules\.v4`/,
  ],
  [
    "iptables-L-chain.txt",
    [
      "Chain DOCKER-USER (1 references)",
      " pkts bytes target     prot opt in     out     source               destination",
      "    0     0 RETURN     0    --  *      *       0.0.0.0/0            0.0.0.0/0",
    ].join("\n"),
    1,
    /a display of user chains only \(`iptables -L CHAIN`\), not a ruleset: the built-in chains that jump to them/,
    /expected `iptables -L -n -v` \(every chain\)/,
  ],
  [
    "ufw-status.txt",
    "Status: active\n\nTo                         Action      From\n--                         ------      ----\n5061/tcp                   ALLOW       Anywhere\n",
    1,
    /the display `ufw status` prints/,
    /expected the configuration: `-r \/etc\/ufw -r \/etc\/default\/ufw`; on the host itself, `audit --live iptables`/,
  ],
  [
    "firewall-cmd.txt",
    "public (active)\n  target: default\n  interfaces: eth0\n  services: ssh\n  ports: 5061/tcp\n",
    1,
    /the display `firewall-cmd --list-all` prints/,
    /`-r \/etc\/firewalld`; on the host itself, `audit --live nftables`/,
  ],
  [
    "show-acl.txt",
    "access-list outside_access_in; 1 elements; name hash: 0x6892a938\naccess-list outside_access_in line 1 extended permit tcp any host 203.0.113.10 eq 5061 (hitcnt=12) 0x2c9b8e5a\n",
    2,
    /the display `show access-list` prints/,
    /expected `show running-config`/,
  ],
  [
    "srx-policies.txt",
    "From zone: untrust, To zone: dmz\n  Policy: sip, State: enabled, Index: 4, Scope Policy: 0, Sequence number: 1\n",
    1,
    /the display `show security policies` prints/,
    /`show configuration \| display set`/,
  ],
  [
    "sgs.txt",
    "-------------------\n|  DescribeSecurityGroups  |\n",
    2,
    /the AWS CLI's table or text output/,
    /--output json/,
  ],
  [
    "rules-table.txt",
    [
      "Name                              DisplayName                  Enabled Profile Direction Action",
      "----                              -----------                  ------- ------- --------- ------",
      "sip-tls-in                        Lync SIP TLS                 True    Any     Inbound   Allow",
    ].join("\n"),
    1,
    /the table `Get-NetFirewallRule \| Format-Table` prints, not a ruleset: a rule object holds no ports/,
    /netsh advfirewall export fw\.wfw/,
  ],
  [
    "nsg-rules.txt",
    [
      "Name           ResourceGroup    Priority    SourcePortRanges    SourceAddressPrefixes    SourceASG    Access    Protocol    Direction    DestinationPortRanges    DestinationAddressPrefixes    DestinationASG",
      "-------------  ---------------  ----------  ------------------  -----------------------  -----------  --------  ----------  -----------  -----------------------  ----------------------------  ----------------",
      "sip-tls        edge-rg          100         *                   Internet                 None         Allow     Tcp         Inbound      443                      *                             None",
    ].join("\n"),
    1,
    /the Azure CLI's table output of NSG rules/,
    /`az network nsg show -g <group> -n <nsg>`/,
  ],
  ["empty.rules", "", 1, /an empty file, not a ruleset/, /`nft list ruleset > ruleset\.nft`/],
  ["comments.rules", "# nothing yet\n\n", 1, /a file of comments only, not a ruleset/, /the ruleset itself/],
];

test("not a ruleset: each display of rules, and an empty file, is said for what it is, with what to give instead", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-not-ruleset-"));
  try {
    for (const [name, text, line, what, instead] of SAMPLES) {
      const file = join(dir, name);
      writeFileSync(file, text);
      const r = runCli(["audit", "-t", "examples/seed-host.yaml", "-r", file]);
      assert.equal(r.status, 2, `${name}: ${r.stderr}`);
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, `${name}: one line\n${r.stderr}`);
      assert.ok(lines[0]!.startsWith(`${file}:${line}:1: error[not-a-ruleset]: `), `${name}: ${lines[0]}`);
      assert.match(lines[0]!, what, name);
      assert.match(lines[0]!, instead, name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("not a ruleset: iptables-save output under a pasted shell prompt is read as iptables-save, the prompt's line said", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-not-ruleset-"));
  try {
    const file = join(dir, "capture.txt");
    writeFileSync(
      file,
      "[root@edge ~]# iptables-save\n*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -m tcp --dport 5061 -j ACCEPT\nCOMMIT\n",
    );
    const r = runCli(["audit", "-t", "examples/seed-host.yaml", "-r", file]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`capture\\.txt:1:1: error\\[iptables-outside-table\\]: line outside a table`),
    );
    // Without the prompt, the same text is a ruleset.
    writeFileSync(
      file,
      "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -m tcp --dport 5061 -j ACCEPT\nCOMMIT\n",
    );
    const ok = runCli(["audit", "-t", "examples/seed-host.yaml", "-r", file]);
    assert.ok(ok.status === 0 || ok.status === 1, ok.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
