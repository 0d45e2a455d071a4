/**
 * `audit --live` on a host with native nftables tables and iptables rules both loaded (Docker's
 * iptables-nft rules beside an nftables.conf): every base chain of either judges a packet, so
 * `--live` alone reads both — iptables' through iptables-save (nft's JSON lists iptables-nft's
 * rules untranslated, `xt match multiport`), the native tables through nft's JSON less the tables
 * iptables-nft keeps. Its verdicts equal those of auditing the same rules from files; asking for
 * one backend says what it leaves out. In a namespace of the test's own.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "../cli/run-cli.js";
import { kernelSkipReason, sh } from "../kernel/netns.js";
import { liveNamespace } from "./live-ns.js";

const skip = kernelSkipReason(["nft", "iptables", "iptables-save", "ip6tables-save"]);
const scratch = liveNamespace("liveboth");
const { ns, cli } = scratch;
const TMP = scratch.tmp;

/** The admin's own table: SIP/MTLS dropped before anything else sees it. */
const NATIVE = `table inet mine {
	chain input {
		type filter hook input priority -10; policy accept;
		tcp dport 5061 drop
	}
}
`;

interface Report {
  flows: Array<{ id: string; verdict: string; uncertain: boolean }>;
  rulesets: Array<{ file: string }>;
  unsupported?: unknown[];
}

test(
  "audit --live reads native nftables tables and iptables rules together, as files of both would be",
  { skip },
  () => {
    scratch.make();
    const x = (...cmd: string[]) => sh(["ip", "netns", "exec", ns, ...cmd]);
    sh(["ip", "netns", "exec", ns, "nft", "-f", "-"], NATIVE);
    // iptables(-nft): 443 dropped, the SIP/TLS and STUN ports through a multiport match nft lists as
    // `xt match multiport` in its JSON.
    x("iptables", "-A", "INPUT", "-p", "tcp", "--dport", "443", "-j", "DROP");
    x("iptables", "-A", "INPUT", "-p", "udp", "-m", "multiport", "--dports", "3478,3479", "-j", "ACCEPT");
    x("iptables", "-A", "INPUT", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT");
    const topo = join(ROOT, "examples/seed-host.yaml");
    const files = {
      native: join(TMP, "native.nft"),
      v4: join(TMP, "rules.v4"),
    };
    writeFileSync(files.native, NATIVE);
    writeFileSync(files.v4, x("iptables-save"));

    const live = cli(["audit", "-t", topo, "--live", "--format", "json"]);
    assert.ok(live.status === 0 || live.status === 1, live.stderr);
    // The same rules from files (ip6tables-save holds no rule here: its policies accept).
    const files2 = cli(["audit", "-t", topo, "-r", files.native, "-r", files.v4, "--format", "json"]);
    assert.ok(files2.status === 0 || files2.status === 1, files2.stderr);
    const rep = JSON.parse(live.stdout) as Report;
    const flows = (r: Report) => r.flows.map((f) => [f.id, f.verdict, f.uncertain]);
    assert.deepEqual(flows(rep), flows(JSON.parse(files2.stdout) as Report));
    assert.deepEqual(
      rep.rulesets.map((r) => r.file),
      ["kernel (nft -j list ruleset)", "kernel (iptables-save)", "kernel (ip6tables-save)"],
    );
    const verdict = (id: string) => rep.flows.find((f) => f.id === id)!;
    assert.equal(verdict("sip-mtls-in").verdict, "blocked"); // the native table
    assert.equal(verdict("sip-tls-clients").verdict, "blocked"); // iptables
    assert.equal(verdict("sip-mtls-in").uncertain, false);
    // Nothing read as an untranslated `xt` expression.
    assert.doesNotMatch(live.stdout, /xt match/);

    // One backend asked for: what it leaves out is said.
    const ipt = cli(["audit", "-t", topo, "--live", "iptables", "--format", "json"]);
    assert.match(
      ipt.stderr,
      /warning\[live-partial\]: --live iptables: native nftables tables are loaded too/,
    );
    const onlyIpt = JSON.parse(ipt.stdout) as Report;
    assert.equal(onlyIpt.flows.find((f) => f.id === "sip-mtls-in")!.verdict, "allowed");
    const nft = cli(["audit", "-t", topo, "--live", "nftables", "--format", "json"]);
    assert.match(nft.stderr, /warning\[live-partial\]: --live nftables: iptables rules are loaded too/);
  },
);
