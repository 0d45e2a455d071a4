/**
 * AWS security groups reader, vendor half: `aws ec2 describe-security-groups` JSON.
 * Semantics (EC2 User Guide, "Security group rules"): allow-only, the union of every rule of every
 * group attached to the network interface; stateful (responses to allowed traffic always pass);
 * anything else is denied. IpProtocol "-1" means every protocol and every port.
 * Group references (UserIdGroupPairs) and prefix lists name addresses this file does not hold:
 * they are reported, never guessed.
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { maskedCidr } from "./iptables-terms.js";
import { IntervalSet } from "../space/interval-set.js";
import { ALL_PORTS, ALL_PROTOCOLS, PROTO } from "../space/port.js";
import type { PathKey, YamlSource } from "../model/yaml-source.js";

export interface AwsRule {
  group: string;
  direction: "in" | "out";
  proto: IntervalSet;
  /** Destination ports (ingress: on the instance; egress: on the peer). */
  ports: IntervalSet;
  /** The peer's addresses (ingress: sources; egress: destinations). */
  peer: IntervalSet;
  line: number;
  text: string;
  /** Peers named by reference (UserIdGroupPairs, PrefixListIds): not in this file. */
  unresolved: string[];
}

const NAMED: Record<string, number> = {
  tcp: PROTO.tcp,
  udp: PROTO.udp,
  icmp: PROTO.icmp,
  icmpv6: PROTO.ipv6icmp,
};

export function parseAwsSecurityGroups(source: YamlSource): {
  rules: AwsRule[];
  groups: string[];
  diagnostics: Diagnostic[];
} {
  const diagnostics: Diagnostic[] = [];
  const problem = (
    code: string,
    message: string,
    path: PathKey[],
    expected?: string,
    severity: "error" | "warning" = "error",
  ): void => {
    diagnostics.push(diag(code, severity, message, { at: source.positionOf(path), expected }));
  };
  const doc = source.value as { SecurityGroups?: unknown } | null;
  if (typeof doc !== "object" || doc === null || !Array.isArray(doc.SecurityGroups)) {
    problem(
      "aws-format",
      "not an EC2 describe-security-groups result",
      [],
      'an object {"SecurityGroups": [...]}',
    );
    return { rules: [], groups: [], diagnostics };
  }
  const rules: AwsRule[] = [];
  const groups: string[] = [];
  (doc.SecurityGroups as Array<Record<string, unknown>>).forEach((g, gi) => {
    const group = String(g.GroupId ?? g.GroupName ?? `group ${gi}`);
    groups.push(group);
    for (const [key, direction] of [
      ["IpPermissions", "in"],
      ["IpPermissionsEgress", "out"],
    ] as const) {
      const perms = Array.isArray(g[key]) ? (g[key] as Array<Record<string, unknown>>) : [];
      perms.forEach((p, pi) => {
        const path: PathKey[] = ["SecurityGroups", gi, key, pi];
        const proto = protocolOf(p.IpProtocol);
        if (!proto)
          return problem(
            "aws-format",
            `unknown IpProtocol ${JSON.stringify(p.IpProtocol)}`,
            [...path, "IpProtocol"],
            '"-1", "tcp", "udp", "icmp", "icmpv6" or a protocol number',
          );
        const ports = portsOf(p, proto);
        let peer = IntervalSet.EMPTY;
        for (const [rk, field] of [
          ["IpRanges", "CidrIp"],
          ["Ipv6Ranges", "CidrIpv6"],
        ] as const) {
          const ranges = Array.isArray(p[rk]) ? (p[rk] as Array<Record<string, unknown>>) : [];
          ranges.forEach((r, ri) => {
            const text = String(r[field] ?? "");
            const a = maskedCidr(text);
            if (a) {
              peer = peer.union(a.set);
              // AWS matches a rule's CIDR as a network: host bits set in it select nothing more.
              if (a.hostBits)
                problem(
                  "aws-cidr-host-bits",
                  `${field} ${text} has host bits set; read as the network it names`,
                  [...path, rk, ri, field],
                  "a network address (AWS compares by prefix)",
                  "warning",
                );
            } else
              problem(
                "aws-format",
                `bad ${field} ${JSON.stringify(r[field])}`,
                [...path, rk, ri, field],
                "a CIDR such as 203.0.113.0/24 or 2001:db8::/32",
              );
          });
        }
        const unresolved: string[] = [];
        for (const rk of ["UserIdGroupPairs", "PrefixListIds"] as const) {
          const refs = Array.isArray(p[rk]) ? (p[rk] as Array<Record<string, unknown>>) : [];
          for (const ref of refs)
            unresolved.push(`${rk} ${String(ref.GroupId ?? ref.PrefixListId ?? JSON.stringify(ref))}`);
        }
        const at = source.positionOf(path);
        const text = `${group} ${direction === "in" ? "ingress" : "egress"} ${String(p.IpProtocol)} ${p.FromPort ?? ""}-${p.ToPort ?? ""}`;
        if (!peer.isEmpty() || unresolved.length > 0)
          rules.push({ group, direction, proto, ports, peer, line: at.line, text, unresolved });
      });
    }
  });
  return { rules, groups, diagnostics };
}

function protocolOf(v: unknown): IntervalSet | undefined {
  const s = String(v ?? "");
  if (s === "-1" || s === "all") return ALL_PROTOCOLS;
  if (NAMED[s] !== undefined) return IntervalSet.of(NAMED[s]);
  return /^\d+$/.test(s) && Number(s) <= 255 ? IntervalSet.of(Number(s)) : undefined;
}

/** TCP/UDP: FromPort-ToPort. Everything else (ICMP type/code, -1): no port dimension restriction. */
function portsOf(p: Record<string, unknown>, proto: IntervalSet): IntervalSet {
  const isPorted = proto.equals(IntervalSet.of(PROTO.tcp)) || proto.equals(IntervalSet.of(PROTO.udp));
  if (!isPorted) return ALL_PORTS;
  const from = Number(p.FromPort ?? 0);
  const to = Number(p.ToPort ?? 65535);
  return from === -1 ? ALL_PORTS : IntervalSet.of(from, to);
}
