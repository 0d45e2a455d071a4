/**
 * The text report's "Not modelled exactly": constructs that may change a verdict one by one, with
 * the flows; those in rules that only observe gathered per file and reason on one line (fw4 writes
 * a dozen `ct helper set` statements into every ruleset).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { audit } from "../../src/audit/audit.js";
import { readNftablesText } from "../../src/parse/nftables-text.js";
import { readWindowsNetsh } from "../../src/parse/windows-reader.js";
import { renderAuditText, RULE_TEXT_MAX } from "../../src/report/audit-text.js";
import { edgeHost, flow } from "../audit-fixtures.js";

const NFT = `table inet fw {
  chain input {
    type filter hook input priority 0; policy drop;
    ct helper set "ftp"
    ct helper set "sip"
    ct helper set "tftp"
    tcp dport 5061 limit rate 10/second accept
    udp dport 3478 accept
  }
}
`;

test("audit text: observing approximations gathered on one line, deciding ones each with its flows", () => {
  const p = readNftablesText(NFT, "fw.nft");
  const report = audit(edgeHost([flow("sip", "tcp", [5061, 5061]), flow("stun", "udp", [3478, 3478])]), [p]);
  assert.equal(report.unsupported.length, 4, "JSON keeps each one");
  const text = renderAuditText(report);
  const section = text.slice(text.indexOf("Not modelled exactly"), text.lastIndexOf("\n\n"));
  assert.deepEqual(section.split("\n").slice(1), [
    "  fw.nft:7:20: limit rate 10/second: limit not modelled (it may change which packets this rule decides)",
    "      may change: sip",
    "  fw.nft: 3 in rules that only observe (no verdict changes): statement not modelled (it may change later matches)",
    "      ct helper set ftp (4:5), ct helper set sip (5:5), ct helper set tftp (6:5)",
  ]);
});

test("audit text: the same approximation at three places or more of one file is one entry with its places", () => {
  const rule = (name: string, port: number): string =>
    [
      "",
      `${"Rule Name:".padEnd(38)}${name}`,
      "-".repeat(70),
      `${"Enabled:".padEnd(38)}Yes`,
      `${"Direction:".padEnd(38)}In`,
      `${"Profiles:".padEnd(38)}Domain,Private,Public`,
      `${"Protocol:".padEnd(38)}TCP`,
      `${"LocalPort:".padEnd(38)}${port}`,
      `${"Action:".padEnd(38)}Allow`,
    ].join("\n");
  const text = [rule("a", 5061), rule("b", 5062), rule("c", 443), rule("d", 3478)].join("\n");
  const p = readWindowsNetsh(text, "fw.txt");
  const report = audit(edgeHost([flow("sip", "tcp", [5061, 5061])]), [p]);
  const terse = report.unsupported.filter((u) => u.construct === "not verbose");
  assert.equal(terse.length, 4, "JSON keeps each one");
  const out = renderAuditText(report);
  const section = out.slice(out.indexOf("Not modelled exactly"), out.lastIndexOf("\n\n"));
  const lines = section.split("\n").slice(1);
  assert.equal(
    lines[0],
    "  fw.txt: 4 rules: not verbose: printed without `verbose`: a program, service, interface-type or IPsec filter would not show; read as matching every connection",
  );
  assert.equal(lines[1], "      at 2:5, 11:5, 20:5, 29:5");
  assert.equal(lines[2], "      may change: sip");
});

test("audit text: a long rule is quoted up to RULE_TEXT_MAX characters with what was left out; JSON keeps it whole", () => {
  const hosts = Array.from({ length: 300 }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join(", ");
  const nft = `table inet fw {
  chain input {
    type filter hook input priority 0; policy drop;
    ip saddr { ${hosts} } tcp dport 5061 accept
    tcp dport 5061 accept
    udp dport 3478 accept
  }
}
`;
  const report = audit(edgeHost([flow("sip", "tcp", [5061, 5061]), flow("stun", "udp", [3478, 3478])]), [
    readNftablesText(nft, "fw.nft"),
  ]);
  const quoted = report.deadRules
    .flatMap((d) => [d.rule, ...d.by])
    .find((b) => b.text.length > RULE_TEXT_MAX);
  assert.ok(quoted, "the long rule is in a finding");
  const line = renderAuditText(report)
    .split("\n")
    .find((l) => l.includes("fw.nft:4:5: ip saddr"));
  assert.ok(line, "the long rule is quoted");
  assert.ok(line.endsWith(` more characters)`), line);
  const left = Number(/… \((\d+) more characters\)$/.exec(line)![1]);
  assert.equal(left, quoted.text.length - RULE_TEXT_MAX);
  assert.ok(line.length < RULE_TEXT_MAX + 80, `${line.length} characters`);
});
