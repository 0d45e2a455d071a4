/**
 * Address types against the kernel: nft `fib daddr type local` (Docker's and Incus' nat jump),
 * `fib daddr type != local`, `fib saddr type local`, a set of types, multicast alone, and iptables'
 * `-m addrtype --dst-type LOCAL` beside them, as counting rules in prerouting of a namespace whose
 * interface holds 203.0.113.10 and 2001:db8::10. Packets to and from the host's own addresses,
 * others, multicast, 0.0.0.0/8, 255.255.255.255 and 127.0.0.1 are sent over a veth pair; what the
 * readers make of each rule, bound to the host's addresses as a host firewall's audit binds them
 * (audit/host-addresses.ts), must match exactly the packets the kernel counted. The rules hold
 * to packets from the wire (`iifname "fwv"`): a packet from the host's own address that it cannot
 * route makes it send itself an ICMPv6 error, which comes back through `lo`.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { bindHostAddresses } from "../../src/audit/host-addresses.js";
import type { Rule, Ruleset } from "../../src/ir/ruleset.js";
import { readIptablesSave } from "../../src/parse/iptables-save.js";
import { readNftablesText } from "../../src/parse/nftables-text.js";
import { parseAddress } from "../../src/space/address.js";
import { type Packet } from "../../src/space/box.js";
import { IntervalSet } from "../../src/space/interval-set.js";
import { ROOT } from "../cli/run-cli.js";
import { kernelSkipReason, makePair } from "./netns.js";

const skip = kernelSkipReason(["nft", "iptables-restore", "python3"]);
const HERE = dirname(fileURLToPath(import.meta.url));
const SEND = [join(HERE, "send.py"), join(ROOT, "test", "kernel", "send.py")].find((p) => existsSync(p))!;

const OWN = ["203.0.113.10", "2001:db8::10"];

/** [source, destination]: UDP to port 3478. */
const PACKETS: Array<[string, string]> = [
  ["198.51.100.5", "203.0.113.10"],
  ["198.51.100.5", "203.0.113.99"],
  ["198.51.100.5", "224.0.0.251"],
  ["198.51.100.5", "239.1.2.3"],
  ["198.51.100.5", "255.255.255.255"],
  ["198.51.100.5", "0.0.0.1"],
  ["198.51.100.5", "127.0.0.1"],
  ["203.0.113.10", "203.0.113.10"],
  ["203.0.113.10", "198.51.100.5"],
  ["2001:db8:1::5", "2001:db8::10"],
  ["2001:db8:1::5", "2001:db8::99"],
  ["2001:db8:1::5", "ff02::fb"],
  ["2001:db8::10", "2001:db8:1::5"],
];

const NFT_RULES = [
  "fib daddr type local",
  "fib daddr type != local",
  "fib saddr type local",
  "fib daddr type { local, multicast }",
  "fib daddr type multicast",
  "fib daddr type != { local, broadcast, multicast }",
];

const IPT_RULES = [
  "-m addrtype --dst-type LOCAL",
  "-m addrtype ! --dst-type LOCAL",
  "-m addrtype --src-type LOCAL",
];

const addr = (s: string): bigint => {
  const r = parseAddress(s);
  if (!r.ok) throw new Error(s);
  return r.set.min()!;
};

function packet([src, dst]: [string, string]): Packet {
  return {
    proto: 17,
    src: addr(src),
    dst: addr(dst),
    sport: 40000,
    dport: 3478,
    ct: "new",
    iif: "fwv",
    oif: "",
  };
}

/** The rules of table `table`'s base chain, bound to the host's own addresses. */
function boundRules(rs: Ruleset, table: string): Rule[] {
  const own = OWN.reduce((u, a) => {
    const r = parseAddress(a);
    if (!r.ok) throw new Error(a);
    return u.union(r.set);
  }, IntervalSet.EMPTY);
  const [bound] = bindHostAddresses([rs], {
    firewall: { kind: "host", host: "fw" },
    endpoints: [{ id: "fw", name: "fw", addresses: own, text: [] }],
  });
  return bound!.tables.find((t) => t.name === table)!.chains.find((c) => c.base)!.rules;
}

test(
  "fib … type and -m addrtype: the kernel counts exactly the packets the bound reading matches",
  { skip },
  () => {
    const pair = makePair();
    try {
      // Loopback up, as on every host: its `local 127.0.0.0/8` route makes 127.0.0.1 local.
      pair.run(pair.fw, ["ip", "link", "set", "lo", "up"]);
      pair.run(pair.fw, ["ip", "addr", "add", "203.0.113.10/24", "dev", "fwv"]);
      pair.run(pair.fw, ["ip", "addr", "add", "2001:db8::10/64", "dev", "fwv", "nodad"]);
      const nft = `table inet t {\n\tchain pre {\n\t\ttype filter hook prerouting priority 0; policy accept;\n${NFT_RULES.map((r) => `\t\tiifname "fwv" ${r} counter`).join("\n")}\n\t}\n}\n`;
      pair.run(pair.fw, ["nft", "-f", "-"], nft);
      const ipt = [
        "*raw",
        ":PREROUTING ACCEPT [0:0]",
        ...IPT_RULES.map((r) => `-A PREROUTING -i fwv ${r}`),
        "COMMIT",
        "",
      ].join("\n");
      pair.run(pair.fw, ["iptables-restore"], ipt);
      const nftRules = boundRules(
        readNftablesText(pair.run(pair.fw, ["nft", "list", "table", "inet", "t"]), "nft").ruleset,
        "t",
      );
      const iptRules = boundRules(
        readIptablesSave(pair.run(pair.fw, ["iptables-save", "-t", "raw"]), "ipt").ruleset,
        "raw",
      );
      const nftCounts = (): number[] => {
        const j = JSON.parse(pair.run(pair.fw, ["nft", "-j", "list", "table", "inet", "t"])) as {
          nftables: Array<{ rule?: { expr: Array<{ counter?: { packets: number } }> } }>;
        };
        return j.nftables.flatMap((x) =>
          x.rule ? [x.rule.expr.find((e) => e.counter)!.counter!.packets] : [],
        );
      };
      const iptCounts = (): number[] =>
        pair
          .run(pair.fw, ["iptables-save", "-c", "-t", "raw"])
          .split("\n")
          .filter((l) => /^\[\d+:\d+\] -A PREROUTING/.test(l))
          .map((l) => Number(/^\[(\d+):/.exec(l)![1]));
      /**
       * Exact readings match the packet iff the kernel counted it; one still approximated (a type
       * the host's subnets decide: broadcast) may match more, never less.
       */
      const agrees = (rules: Rule[], counted: number[], p: [string, string], form: string) =>
        rules.forEach((r, k) => {
          const reads = r.match.has(packet(p)) ? 1 : 0;
          const what = `${form}: ${r.origin.text} for ${p.join(" → ")}`;
          if (r.approximations.length === 0) assert.equal(counted[k], reads, what);
          else assert.ok(counted[k]! <= reads, what);
        });
      // Packet by packet: which rules each one met.
      for (const p of PACKETS) {
        const n0 = nftCounts();
        const i0 = iptCounts();
        pair.run(
          pair.cli,
          ["python3", SEND, "cliv", pair.fwMac],
          `${p[0].includes(":") ? 6 : 4} 17 ${p[0]} ${p[1]} 40000 3478\n`,
        );
        const n1 = nftCounts().map((n, k) => n - n0[k]!);
        agrees(nftRules, n1, p, "nftables");
        if (!p[0].includes(":"))
          agrees(
            iptRules,
            iptCounts().map((n, k) => n - i0[k]!),
            p,
            "iptables",
          );
      }
      // Once bound, only the rule naming broadcast is still approximated.
      assert.deepEqual(
        [...nftRules, ...iptRules].filter((r) => r.approximations.length > 0).map((r) => r.origin.text),
        ['iifname "fwv" fib daddr type != { local, broadcast, multicast } counter packets 0 bytes 0'],
      );
    } finally {
      pair.close();
    }
  },
);
