/**
 * `iptables -S` (`--list-rules`) listings, read by the iptables-save reader: tables told by their
 * built-in chains, several listings in one file, what cannot be told refused with its line. The
 * kernel's own listings of the whole iptables corpus are checked in test/kernel/corpus-reload.test.ts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { sniffFormat } from "./index.js";
import { readIptablesSave, restoreInputOfDisplay, restoreInputOfListing } from "./iptables-save.js";

const FILTER = [
  "-P INPUT DROP",
  "-P FORWARD DROP",
  "-P OUTPUT ACCEPT",
  "-N ufw-user-input",
  "-A INPUT -i lo -j ACCEPT",
  "-A INPUT -j ufw-user-input",
  "-A ufw-user-input -p tcp -m tcp --dport 5061 -j ACCEPT",
];
const NAT_EMPTY = ["-P PREROUTING ACCEPT", "-P INPUT ACCEPT", "-P OUTPUT ACCEPT", "-P POSTROUTING ACCEPT"];
const RAW = ["-P PREROUTING ACCEPT", "-P OUTPUT DROP"];

function read(lines: string[]): ReturnType<typeof readIptablesSave> {
  const text = lines.join("\n") + "\n";
  assert.equal(sniffFormat(text), "iptables-save");
  return readIptablesSave(text, "listing.txt");
}

function shape(r: ReturnType<typeof readIptablesSave>): string[] {
  return r.ruleset.tables.map(
    (t) =>
      `${t.family} ${t.name}: ${t.chains.map((c) => `${c.name}/${c.base?.policy ?? "-"}/${c.rules.length}`).join(" ")}`,
  );
}

const codes = (r: ReturnType<typeof readIptablesSave>): string[] =>
  r.diagnostics.map((d) => `${d.severity}[${d.code}]@${d.at?.line}`);

// Without an address or ICMP match a listing does not say its family either (a warning of its own).
test("a filter listing is table filter, said once as an assumption; rules keep their lines and text", () => {
  const r = read(FILTER);
  assert.deepEqual(shape(r), ["ip filter: INPUT/drop/2 FORWARD/drop/0 OUTPUT/accept/0 ufw-user-input/-/1"]);
  assert.deepEqual(codes(r), ["warning[iptables-family-assumed]@1", "warning[iptables-listing]@1"]);
  const rule = r.ruleset.tables[0]!.chains[3]!.rules[0]!;
  assert.equal(rule.origin.line, 7);
  assert.equal(rule.origin.text, "-A ufw-user-input -p tcp -m tcp --dport 5061 -j ACCEPT");
});

test("listings pasted one after another are their tables, also when a table is its policies alone", () => {
  const r = read([
    ...NAT_EMPTY,
    ...RAW,
    ...FILTER,
    "-P PREROUTING ACCEPT",
    "-P INPUT ACCEPT",
    "-P FORWARD ACCEPT",
    "-P OUTPUT ACCEPT",
    "-P POSTROUTING ACCEPT",
    "-A FORWARD -j ACCEPT",
  ]);
  assert.deepEqual(shape(r), [
    "ip nat: PREROUTING/accept/0 INPUT/accept/0 OUTPUT/accept/0 POSTROUTING/accept/0",
    "ip raw: PREROUTING/accept/0 OUTPUT/drop/0",
    "ip filter: INPUT/drop/2 FORWARD/drop/0 OUTPUT/accept/0 ufw-user-input/-/1",
    "ip mangle: PREROUTING/accept/0 INPUT/accept/0 FORWARD/accept/1 OUTPUT/accept/0 POSTROUTING/accept/0",
  ]);
  assert.deepEqual(codes(r), ["warning[iptables-family-assumed]@1", "warning[iptables-listing]@7"]);
});

test("what cannot be told is refused at its line: some chains only, filter or security, a prompt above", () => {
  const partial = read(["-P INPUT DROP", "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT"]);
  assert.deepEqual(codes(partial), ["warning[iptables-family-assumed]@1", "error[iptables-listing-table]@1"]);
  assert.match(
    partial.diagnostics[1]!.message,
    /policies are for INPUT: not every built-in chain of one table/,
  );
  assert.deepEqual(partial.ruleset.tables, []);

  const twice = read([...FILTER, ...FILTER]);
  assert.deepEqual(codes(twice), [
    "warning[iptables-family-assumed]@1",
    "warning[iptables-listing]@1",
    "error[iptables-listing-table]@8",
  ]);
  assert.match(twice.diagnostics[2]!.message, /iptables -t security -S` lists the same ones/);

  const prompt = read(["root@edge:~# iptables -S", ...FILTER]);
  assert.deepEqual(codes(prompt), [
    "warning[iptables-family-assumed]@1",
    "error[iptables-outside-table]@1",
    "warning[iptables-listing]@2",
  ]);
  assert.match(prompt.diagnostics[1]!.message, /line before the listing/);
});

test("the family comes from the listing as from an iptables-save file", () => {
  const r = read([
    "-P INPUT DROP",
    "-P FORWARD DROP",
    "-P OUTPUT ACCEPT",
    "-A INPUT -s 2001:db8::/32 -p tcp -m tcp --dport 5061 -j ACCEPT",
  ]);
  assert.equal(r.ruleset.format, "ip6tables-save");
  assert.deepEqual(shape(r), ["ip6 filter: INPUT/drop/1 FORWARD/drop/0 OUTPUT/accept/0"]);
});

test("a script's -P commands are still a script; iptables-save input is not a listing", () => {
  assert.equal(sniffFormat("iptables -P INPUT DROP\niptables -A INPUT -i lo -j ACCEPT\n"), "iptables-script");
  const save = readIptablesSave(
    "*filter\n:INPUT DROP [0:0]\n-P INPUT ACCEPT\n-A INPUT -j ACCEPT\nCOMMIT\n",
    "r.v4",
  );
  assert.deepEqual(codes(save), []);
  assert.deepEqual(shape(save), ["ip filter: INPUT/accept/1"]);
});

test("what iptables-restore loads for a listing: each table under its name, the same rules", () => {
  const lines = [...NAT_EMPTY, ...FILTER];
  const restore = restoreInputOfListing(lines.join("\n") + "\n")!;
  assert.match(
    restore,
    /^\*nat\n-P PREROUTING ACCEPT\n[^]*\nCOMMIT\n\*filter\n-P INPUT DROP\n[^]*\nCOMMIT\n$/,
  );
  assert.deepEqual(shape(readIptablesSave(restore, "r.v4")), shape(read(lines)));
  assert.equal(restoreInputOfListing("*filter\n-P INPUT DROP\nCOMMIT\n"), undefined);
  assert.equal(restoreInputOfListing("-P INPUT DROP\n"), undefined);
});

test("an ip6tables -L -n -v display is IPv6 by its address columns, with no address of its own", () => {
  const text = [
    "Chain INPUT (policy DROP 0 packets, 0 bytes)",
    " pkts bytes target     prot opt in     out     source               destination",
    "    0     0 ACCEPT     58   --  *      *       ::/0                 ::/0                 ipv6-icmptype 135",
    "",
    "Chain FORWARD (policy DROP 0 packets, 0 bytes)",
    " pkts bytes target     prot opt in     out     source               destination",
    "",
    "Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)",
    " pkts bytes target     prot opt in     out     source               destination",
  ].join("\n");
  const r = readIptablesSave(text, "display.txt");
  assert.equal(r.ruleset.format, "ip6tables-save");
  assert.deepEqual(codes(r), ["warning[iptables-listing]@1"]);
  assert.match(restoreInputOfDisplay(text)!, /^-A INPUT -p 58 -m icmp6 --icmpv6-type 135 -j ACCEPT$/m);
});
