/**
 * `audit --live` reads a kernel rule's family test that `nft list ruleset` leaves out: nft 1.0.6
 * lists `meta nfproto ipv6 tcp dport 5061 reject with tcp reset` as `tcp dport 5061 reject with
 * tcp reset` (text and JSON), which read as written would reject IPv4 too. The kernel's bytecode
 * (`nft --debug=netlink`) still holds it; --live must judge the rules the kernel runs, so its
 * verdicts equal those of the file the namespace was loaded from. In a namespace of the test's own.
 */
import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { kernelSkipReason, sh } from "../kernel/netns.js";
import { liveNamespace } from "./live-ns.js";

const skip = kernelSkipReason(["nft", "iptables-restore"]);
const scratch = liveNamespace("livefam");
const { ns, cli } = scratch;
const TMP = scratch.tmp;

const TOPOLOGY = `profile: lync2013-public-im
endpoints:
  edge-access: [203.0.113.10, 2001:db8:10::10]
  partners: [198.51.100.0/26, 2001:db8:20::/48]
  clients: any
  messenger-clients: [198.51.100.64/27, 2001:db8:30::1]
features: [public-im-connectivity]
firewall: {kind: host, host: edge-access}
`;

// The family tests the listing drops (5061 IPv6 only, 443 IPv4 only), one it keeps (not first in
// its rule), one implied by an address (never added: the reader narrows it itself), and one whose
// listing keeps it (a `reject with icmp …`, which implies IPv4).
const RULESET = `table inet t {
	chain input {
		type filter hook input priority 0; policy accept;
		meta nfproto ipv6 tcp dport 5061 reject with tcp reset
		meta nfproto ipv4 tcp dport 443 reject with tcp reset
		tcp dport 50000-50009 meta nfproto ipv6 reject with tcp reset
		ip saddr 198.51.100.64/27 tcp dport 50010-50019 counter reject with tcp reset
		meta nfproto ipv4 udp dport 3478 reject
	}
}
`;

interface Report {
  flows: Array<{ id: string; verdict: string; uncertain: boolean }>;
}

test(
  "audit --live judges the family tests nft's listing leaves out, as the loaded file does",
  { skip },
  () => {
    scratch.make();
    const topo = join(TMP, "topology.yaml");
    const file = join(TMP, "ruleset.nft");
    writeFileSync(topo, TOPOLOGY);
    writeFileSync(file, RULESET);
    sh(["ip", "netns", "exec", ns, "nft", "-f", file]);
    const listing = sh(["ip", "netns", "exec", ns, "nft", "list", "ruleset"]);
    const listed = join(TMP, "listed.nft");
    writeFileSync(listed, listing);

    const fromFile = cli(["audit", "-t", topo, "-r", file, "--format", "json"]);
    const live = cli(["audit", "-t", topo, "--live", "nftables", "--format", "json"]);
    assert.ok(fromFile.status === 0 || fromFile.status === 1, fromFile.stderr);
    assert.equal(live.status, fromFile.status, live.stderr);
    // Each flow's verdict (the rules' origins differ: a file's lines, the kernel listing's columns).
    const flows = (j: string) => (JSON.parse(j) as Report).flows.map((f) => [f.id, f.verdict, f.uncertain]);
    assert.deepEqual(flows(live.stdout), flows(fromFile.stdout));

    // The listing itself, read as a file, says something else when nft dropped the tests (1.0.6
    // does): the comparison above is then one the old reading failed.
    if (!/meta nfproto ipv6 tcp dport 5061/.test(listing)) {
      const fromListing = cli(["audit", "-t", topo, "-r", listed, "--format", "json"]);
      assert.notDeepEqual(flows(fromListing.stdout), flows(fromFile.stdout));
    }
    // A host with nftables alone (Debian 12 installs no iptables): --live finds nothing missing.
    const bin = join(TMP, "bin");
    mkdirSync(bin);
    // (`ip` too: it runs the CLI in the namespace; the CLI itself runs nft, iptables-save, iptables.)
    for (const tool of ["nft", "ip"])
      symlinkSync(sh(["sh", "-c", `command -v ${tool}`]).trim(), join(bin, tool));
    const nftOnly = cli(["audit", "-t", topo, "--live", "--format", "json"], { PATH: bin });
    assert.equal(nftOnly.status, live.status, nftOnly.stderr);
    assert.deepEqual(flows(nftOnly.stdout), flows(fromFile.stdout));
    // Nothing added where the rule's own fields imply the family.
    assert.doesNotMatch(live.stdout, /meta nfproto ipv4 ip saddr/);
    // No note where neither firewalld nor ufw wrote the rules; one where ufw's chains are loaded.
    assert.doesNotMatch(live.stderr, /live-managed/);
    sh(
      ["ip", "netns", "exec", ns, "iptables-restore"],
      "*filter\n:ufw-before-input - [0:0]\n-A INPUT -j ufw-before-input\nCOMMIT\n",
    );
    const ufw = cli(["audit", "-t", topo, "--live", "--format", "json"]);
    assert.match(ufw.stderr, /note\[live-managed\]: ufw runs this host's firewall/);
  },
);
