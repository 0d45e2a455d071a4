/**
 * Reverse-path checks against the kernel: a host namespace with two interfaces routed as a topology
 * with `firewall.interfaces` says (partners' networks through ens192, everything else through eth0)
 * loads a strict `fib saddr . iif oif missing drop` (nft) or `-m rpfilter --invert -j DROP`
 * (iptables); crafted packets arrive on each interface from sources routed through it, through the
 * other, the host's own and IPv6 link-local ones. Whether each is dropped (the rule's counter) must
 * be what the audit's binding of the rule to the topology's routes says (audit/reverse-path.ts).
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { bindReversePath } from "../../src/audit/reverse-path.js";
import { readIptablesSave } from "../../src/parse/iptables-save.js";
import { readNftablesText } from "../../src/parse/nftables-text.js";
import type { Ruleset } from "../../src/ir/ruleset.js";
import { parseAddress } from "../../src/space/address.js";
import { IntervalSet } from "../../src/space/interval-set.js";
import { NameSet } from "../../src/space/name-set.js";
import { Space } from "../../src/space/space.js";
import { ctSet } from "../../src/space/box.js";
import { loadTopology } from "../../src/shell/load.js";
import { ROOT } from "../cli/run-cli.js";
import { kernelSkipReason, sh } from "./netns.js";

const skip = kernelSkipReason(["nft", "iptables-restore", "python3"]);
const HERE = dirname(fileURLToPath(import.meta.url));
const SEND = [join(HERE, "send.py"), join(ROOT, "test", "kernel", "send.py")].find((p) => existsSync(p))!;

const addr = (s: string): IntervalSet => {
  const r = parseAddress(s);
  if (!r.ok) throw new Error(s);
  return r.set;
};

/**
 * [interface, family, source, destination, ICMPv6 type] → what arrives (UDP to 3478, or that
 * ICMPv6 type); the host is 203.0.113.10 / 2001:db8::10 (the default destination).
 */
const PACKETS: Array<[string, 4 | 6, string, string?, number?]> = [
  ["eth0", 4, "203.0.113.77"],
  ["eth0", 4, "198.51.100.5"],
  ["ens192", 4, "198.51.100.5"],
  ["ens192", 4, "203.0.113.77"],
  ["eth0", 4, "203.0.113.10"],
  ["eth0", 6, "2001:db8:100::5"],
  ["eth0", 6, "2001:db8:1::5"],
  ["ens192", 6, "2001:db8:1::5"],
  ["ens192", 6, "2001:db8:100::5"],
  ["ens192", 6, "fe80::5"],
  ["eth0", 6, "2001:db8::10"],
  // DHCP and IGMP from 0.0.0.0: to 224.0.0.0/24 passed on any interface before the routes are
  // asked; to the limited broadcast by nft too (xt_rpfilter: kernels differ); to other groups nft
  // asks the routes.
  ["ens192", 4, "0.0.0.0", "255.255.255.255"],
  ["eth0", 4, "0.0.0.0", "224.0.0.22"],
  ["ens192", 4, "0.0.0.0", "224.0.0.251"],
  ["ens192", 4, "0.0.0.0", "239.255.255.250"],
  // From 0.0.0.0 to the host itself: the routes decide (the default route, through eth0).
  ["ens192", 4, "0.0.0.0", "203.0.113.10"],
  ["eth0", 4, "0.0.0.0", "203.0.113.10"],
  // From :: — xt_rpfilter passes every such packet; nft's fib looks :: up (the default route,
  // through eth0), but for ICMPv6 to a link-local scope, which kernels answer differently
  // (duplicate address detection's neighbour solicitation): left approximated for nft.
  ["ens192", 6, "::", "2001:db8::10"],
  ["eth0", 6, "::", "2001:db8::10"],
  ["ens192", 6, "::", "ff02::1:ff00:10", 135],
];

/** Packets (`SRC DST`) whose answer differs between kernels: left approximated by the binding. */
const LEFT_TO_THE_KERNEL: Record<"nftables" | "iptables", string[]> = {
  nftables: [":: ff02::1:ff00:10"],
  iptables: ["0.0.0.0 255.255.255.255", "0.0.0.0 239.255.255.250"],
};

function dropCounter(ns: string, v6: boolean, nft: boolean): number {
  if (nft) {
    const j = JSON.parse(sh(["ip", "netns", "exec", ns, "nft", "-j", "list", "ruleset"])) as {
      nftables: Array<{ rule?: { expr: Array<{ counter?: { packets: number } }> } }>;
    };
    return j.nftables.reduce((n, o) => n + (o.rule?.expr.find((e) => e.counter)?.counter?.packets ?? 0), 0);
  }
  const out = sh([
    "ip",
    "netns",
    "exec",
    ns,
    v6 ? "ip6tables" : "iptables",
    "-t",
    "raw",
    "-L",
    "PREROUTING",
    "-v",
    "-x",
    "-n",
  ]);
  return out
    .split("\n")
    .filter((l) => /DROP/.test(l))
    .reduce((n, l) => n + Number(l.trim().split(/\s+/)[0]), 0);
}

for (const form of ["nftables", "iptables"] as const)
  test(
    `reverse-path check (${form}): each packet dropped or passed as the topology's routes say`,
    { skip },
    () => {
      const id = randomBytes(4).toString("hex");
      const fw = `pmt-rpf-${id}`;
      const peers = { ens192: `pmt-rpa-${id}`, eth0: `pmt-rpb-${id}` };
      const all = [fw, ...Object.values(peers)];
      try {
        for (const ns of all) sh(["ip", "netns", "add", ns]);
        const mac: Record<string, string> = {};
        for (const [nic, ns] of Object.entries(peers)) {
          sh(["ip", "link", "add", "peer0", "netns", ns, "type", "veth", "peer", "name", nic, "netns", fw]);
          sh(["ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.peer0.disable_ipv6=1"]);
          sh(["ip", "-n", ns, "link", "set", "peer0", "up"]);
          sh(["ip", "-n", fw, "link", "set", nic, "up"]);
          mac[nic] = (
            JSON.parse(sh(["ip", "-n", fw, "-j", "link", "show", nic])) as Array<{ address: string }>
          )[0]!.address;
        }
        sh(["ip", "-n", fw, "addr", "add", "203.0.113.10/32", "dev", "eth0"]);
        sh(["ip", "-n", fw, "addr", "add", "2001:db8::10/128", "dev", "eth0", "nodad"]);
        sh(["ip", "-n", fw, "route", "add", "198.51.100.0/24", "dev", "ens192"]);
        sh(["ip", "-n", fw, "-6", "route", "add", "2001:db8:1::/48", "dev", "ens192"]);
        sh(["ip", "-n", fw, "route", "add", "default", "dev", "eth0"]);
        sh(["ip", "-n", fw, "-6", "route", "add", "default", "dev", "eth0"]);
        let rulesets: Ruleset[];
        if (form === "nftables") {
          const text =
            "table inet rpf {\n chain pre {\n  type filter hook prerouting priority raw; policy accept;\n  fib saddr . iif oif missing counter drop\n }\n}\n";
          sh(["ip", "netns", "exec", fw, "nft", "-f", "-"], text);
          rulesets = [readNftablesText(text, "rpf.nft").ruleset];
        } else {
          const text =
            "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -m rpfilter --invert -j DROP\nCOMMIT\n";
          sh(["ip", "netns", "exec", fw, "iptables-restore"], text);
          sh(["ip", "netns", "exec", fw, "ip6tables-restore"], text);
          rulesets = [readIptablesSave(text, "rpf.v4").ruleset, readIptablesSave(text, "rpf.v6").ruleset];
        }
        const t = loadTopology(join(ROOT, "test/fixtures/firewalld/routed.yaml"), "2026-12-03");
        assert.ok(t.ok);
        const bound = bindReversePath(rulesets, t.value.bound);
        const rules = bound.flatMap((rs) => rs.tables.flatMap((tb) => tb.chains.flatMap((c) => c.rules)));
        // Left approximate only for packets of interfaces the topology does not name, and nft's ICMPv6
        // from :: to a link-local scope.
        for (const r of rules)
          for (const a of r.approximations) assert.ok(a.where, `${r.origin.text}: decided`);
        for (const [nic, fam, src, to, icmp6] of PACKETS) {
          const dst = to ?? (fam === 4 ? "203.0.113.10" : "2001:db8::10");
          const point = Space.UNIVERSE.restrict({
            src: addr(src),
            dst: addr(dst),
            proto: IntervalSet.of(icmp6 === undefined ? 17 : 58),
            dport: IntervalSet.of(icmp6 === undefined ? 3478 : icmp6 * 256),
            iif: NameSet.of(nic),
            ct: ctSet(["new"]),
          });
          // What kernels answer differently stays approximated, and only that.
          const left = rules.some((r) => r.approximations.some((a) => a.where!.intersects(point)));
          assert.equal(left, LEFT_TO_THE_KERNEL[form].includes(`${src} ${dst}`), `${nic} ${src} → ${dst}`);
          if (left) continue;
          const predicted = rules.some(
            (r) => r.action.kind === "drop" && r.match.intersect(point).equals(point),
          );
          const before = dropCounter(fw, fam === 6, form === "nftables");
          sh(
            ["ip", "netns", "exec", peers[nic as "eth0"], "python3", SEND, "peer0", mac[nic]!],
            icmp6 === undefined
              ? `${fam} 17 ${src} ${dst} 40000 3478\n`
              : `6 58 ${src} ${dst} 0 ${icmp6 * 256}\n`,
          );
          let after = before;
          for (let k = 0; k < 20 && after === before; k++) {
            sh(["sleep", "0.05"]);
            after = dropCounter(fw, fam === 6, form === "nftables");
          }
          assert.equal(
            after - before === 1,
            predicted,
            `${nic} ${src} → ${dst}: kernel ${after - before === 1 ? "dropped" : "passed"}, audit ${predicted ? "drops" : "passes"}`,
          );
        }
      } finally {
        for (const ns of all)
          try {
            sh(["ip", "netns", "del", ns]);
          } catch {
            /* not made */
          }
      }
    },
  );
