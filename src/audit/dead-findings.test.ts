/**
 * Dead-rule findings as a user reads them: a reject is redundant only before a reject that sends
 * the same answer (a TCP reset is not an ICMP port-unreachable: a client and a probe tell them
 * apart), and each element of a verdict map is named in the findings about it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { readIptablesSave } from "../parse/iptables-save.js";
import { readNftablesText } from "../parse/nftables-text.js";
import { deadRules, ruleReach } from "./rule-reach.js";
import type { ParsedRuleset } from "../parse/reader.js";

function dead(parsed: ParsedRuleset): string[] {
  assert.deepEqual(
    parsed.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  const rulesets = [parsed.ruleset];
  return deadRules(rulesets, ruleReach(rulesets)).dead.map(
    (d) =>
      `${d.kind} ${d.rule.origin.line} ${d.rule.origin.text} by ${d.by.map((b) => b.origin.text).join(" | ")}`,
  );
}

test("a reject before a reject of another answer is not redundant; before the same answer it is", () => {
  const nft = (first: string, second: string) => `table inet t {
  chain input {
    type filter hook input priority filter; policy accept;
    tcp dport 22 ${first}
    ${second}
  }
}
`;
  assert.deepEqual(dead(readNftablesText(nft("reject with tcp reset", "reject"), "a.nft")), []);
  assert.deepEqual(
    dead(readNftablesText(nft("reject with tcp reset", "meta l4proto tcp reject with tcp reset"), "b.nft")),
    ["redundant 4 tcp dport 22 reject with tcp reset by meta l4proto tcp reject with tcp reset"],
  );
  const ipt = (first: string, second: string) =>
    `*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j REJECT ${first}\n-A INPUT -p tcp -j REJECT ${second}\nCOMMIT\n`;
  assert.deepEqual(
    dead(readIptablesSave(ipt("--reject-with tcp-reset", "--reject-with icmp-port-unreachable"), "c.rules")),
    [],
  );
  assert.deepEqual(
    dead(readIptablesSave(ipt("--reject-with tcp-reset", "--reject-with tcp-reset"), "d.rules")).map((d) =>
      d.slice(0, 12),
    ),
    ["redundant 3 "],
  );
});

test("findings about one element of a verdict map name the element", () => {
  const text = `table inet t {
  chain output {
    type filter hook output priority filter; policy accept;
    oif "lo" accept
    ct state vmap { established : accept, related : accept }
  }
}
`;
  const parsed = readNftablesText(text, "e.nft");
  assert.deepEqual(
    parsed.ruleset.tables[0]!.chains[0]!.rules.map((r) => r.origin.text),
    [
      'oif "lo" accept',
      "ct state vmap { established : accept, related : accept } [established : accept]",
      "ct state vmap { established : accept, related : accept } [related : accept]",
    ],
  );
  // With policy accept every accept is redundant; each element is its own finding.
  assert.deepEqual(
    dead(parsed).map((d) => d.split(" by ")[0]),
    [
      'redundant 4 oif "lo" accept',
      "redundant 5 ct state vmap { established : accept, related : accept } [established : accept]",
      "redundant 5 ct state vmap { established : accept, related : accept } [related : accept]",
    ],
  );
});
