/**
 * AWS security groups reader, vendor half: `aws ec2 describe-security-groups` JSON.
 * Semantics (EC2 User Guide, "Security group rules"): allow-only, the union of every rule of every
 * group attached to the network interface; stateful (responses to allowed traffic always pass);
 * anything else is denied. IpProtocol "-1" means every protocol and every port.
 * Group references (UserIdGroupPairs) and prefix lists name addresses this file does not hold:
 * they are reported, never guessed.
 */
import type { Diagnostic } from "../diag/diagnostic.js";
import { maskedCidr } from "./iptables-terms.js";
import { IntervalSet } from "../space/interval-set.js";
import { ALL_PORTS, ALL_PROTOCOLS, PROTO } from "../space/port.js";
import type { PathKey, YamlSource } from "../model/yaml-source.js";
import { jsonProblems } from "./reader.js";

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

const NAMED = new Map<string, number>([
  ["tcp", PROTO.tcp],
  ["udp", PROTO.udp],
  ["icmp", PROTO.icmp],
  ["icmpv6", PROTO.ipv6icmp],
]);

type Obj = Record<string, unknown>;

/** A JSON object (not null, not an array), or undefined: fuzzed files hold nulls and scalars anywhere. */
function asObject(v: unknown): Obj | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

/** The list under `key` of an object, or none; an item that is not an object is reported. */
function objects(o: Obj, key: string): Array<Obj | undefined> {
  const v = Object.hasOwn(o, key) ? o[key] : undefined;
  return Array.isArray(v) ? v.map(asObject) : [];
}

function text(v: unknown): string {
  return typeof v === "string" || typeof v === "number" ? String(v) : (JSON.stringify(v) ?? "");
}

export function parseAwsSecurityGroups(source: YamlSource): {
  rules: AwsRule[];
  groups: string[];
  diagnostics: Diagnostic[];
} {
  const diagnostics: Diagnostic[] = [];
  const problem = jsonProblems(source, diagnostics);
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
  const notObject = (path: PathKey[], what: string): void =>
    problem(
      "aws-format",
      `${what} is not an object`,
      path,
      "a JSON object as describe-security-groups prints",
    );
  (doc.SecurityGroups as unknown[]).map(asObject).forEach((g, gi) => {
    if (!g) return notObject(["SecurityGroups", gi], `security group ${gi}`);
    const group = text(g.GroupId ?? g.GroupName ?? `group ${gi}`);
    groups.push(group);
    for (const [key, direction] of [
      ["IpPermissions", "in"],
      ["IpPermissionsEgress", "out"],
    ] as const) {
      objects(g, key).forEach((p, pi) => {
        const path: PathKey[] = ["SecurityGroups", gi, key, pi];
        if (!p) return notObject(path, `${key} item ${pi}`);
        const proto = protocolOf(p.IpProtocol);
        if (!proto)
          return problem(
            "aws-format",
            `unknown IpProtocol ${JSON.stringify(p.IpProtocol)}`,
            [...path, "IpProtocol"],
            '"-1", "tcp", "udp", "icmp", "icmpv6" or a protocol number',
          );
        const ports = portsOf(p, proto);
        if (typeof ports === "string")
          return problem(
            "aws-format",
            ports,
            [...path, "FromPort"],
            "whole numbers 0-65535, FromPort ≤ ToPort, or -1 for all",
          );
        let peer = IntervalSet.EMPTY;
        for (const [rk, field] of [
          ["IpRanges", "CidrIp"],
          ["Ipv6Ranges", "CidrIpv6"],
        ] as const) {
          objects(p, rk).forEach((r, ri) => {
            if (!r) return notObject([...path, rk, ri], `${rk} item ${ri}`);
            const value = r[field];
            const cidr = typeof value === "string" ? value : "";
            const a = maskedCidr(cidr);
            if (a) {
              peer = peer.union(a.set);
              // AWS matches a rule's CIDR as a network: host bits set in it select nothing more.
              if (a.hostBits)
                problem(
                  "aws-cidr-host-bits",
                  `${field} ${cidr} has host bits set; read as the network it names`,
                  [...path, rk, ri, field],
                  "a network address (AWS compares by prefix)",
                  "warning",
                );
            } else
              problem(
                "aws-format",
                `bad ${field} ${JSON.stringify(value) ?? "(missing)"}`,
                [...path, rk, ri, field],
                "a CIDR such as 203.0.113.0/24 or 2001:db8::/32",
              );
          });
        }
        const unresolved: string[] = [];
        for (const rk of ["UserIdGroupPairs", "PrefixListIds"] as const)
          for (const ref of objects(p, rk))
            unresolved.push(`${rk} ${text(ref?.GroupId ?? ref?.PrefixListId ?? ref)}`);
        const at = source.positionOf(path);
        const line = `${group} ${direction === "in" ? "ingress" : "egress"} ${text(p.IpProtocol)} ${text(p.FromPort ?? "")}-${text(p.ToPort ?? "")}`;
        if (!peer.isEmpty() || unresolved.length > 0)
          rules.push({ group, direction, proto, ports, peer, line: at.line, text: line, unresolved });
      });
    }
  });
  return { rules, groups, diagnostics };
}

function protocolOf(v: unknown): IntervalSet | undefined {
  const s = typeof v === "string" || typeof v === "number" ? String(v) : "";
  if (s === "-1" || s === "all") return ALL_PROTOCOLS;
  const named = NAMED.get(s);
  if (named !== undefined) return IntervalSet.of(named);
  return /^\d{1,3}$/.test(s) && Number(s) <= 255 ? IntervalSet.of(Number(s)) : undefined;
}

/**
 * TCP/UDP: FromPort-ToPort (whole numbers 0-65535; -1 for all). Everything else (ICMP type/code, -1):
 * no port dimension restriction. A string says what is wrong with the ports.
 */
function portsOf(p: Obj, proto: IntervalSet): IntervalSet | string {
  const isPorted = proto.equals(IntervalSet.of(PROTO.tcp)) || proto.equals(IntervalSet.of(PROTO.udp));
  if (!isPorted) return ALL_PORTS;
  const num = (v: unknown): unknown => (typeof v === "string" && /^-?\d{1,6}$/.test(v) ? Number(v) : v);
  const from = num(p.FromPort ?? 0);
  const to = num(p.ToPort ?? 65535);
  if (from === -1) return ALL_PORTS;
  const port = (n: unknown): n is number =>
    typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 65535;
  if (!port(from) || !port(to) || from > to)
    return `bad port range FromPort ${JSON.stringify(from)} ToPort ${JSON.stringify(to)}`;
  return IntervalSet.of(from, to);
}
