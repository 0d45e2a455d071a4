/**
 * The text report's "Not modelled exactly": constructs that may change a verdict one by one, with
 * the flows; those in rules that only observe gathered per file and reason on one line (fw4 writes
 * a dozen `ct helper set` statements into every ruleset).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { audit } from "../../src/audit/audit.js";
import { readNftablesText } from "../../src/parse/nftables-text.js";
import { renderAuditText } from "../../src/report/audit-text.js";
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
