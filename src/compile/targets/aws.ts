/**
 * AWS security group of the edge instance: two files. The main one is the EC2 API's SecurityGroup
 * shape (`describe-security-groups` output: IpPermissions / IpPermissionsEgress with IpRanges,
 * Ipv6Ranges and descriptions), whose permission lists feed `aws ec2
 * authorize-security-group-ingress|egress --ip-permissions`; `.tf` is the same as Terraform
 * `aws_vpc_security_group_ingress_rule` / `_egress_rule` resources (one per CIDR, as the provider
 * requires). Semantics (EC2 User Guide, "Security group rules"): allow-only, stateful, destination
 * ports only. A new group allows all egress: that default rule must be revoked for the matrix to
 * be exact (said in the output). Source ports cannot be expressed: such a flow is an error.
 * Perimeter kind: network ACLs per zone subnet (below).
 */
import type { Plan, PlanRule } from "../plan.js";
import { header, interfaceWarnings, natComment, optionWarnings } from "../plan.js";
import type { Target, TargetResult } from "../target.js";
import { diag, type Diagnostic } from "../../diag/diagnostic.js";
import { awsDescription, commentText, hclString } from "../text.js";

/** Rules per security group AWS allows by default (per direction, IPv4 and IPv6 counted apart). */
const RULES_PER_GROUP = 60;

interface Permission {
  IpProtocol: string;
  FromPort?: number;
  ToPort?: number;
  IpRanges: Array<{ CidrIp: string; Description: string }>;
  Ipv6Ranges: Array<{ CidrIpv6: string; Description: string }>;
}

function permissions(r: PlanRule, peer: PlanRule["src"]): Permission[] {
  const description = awsDescription(r.comment);
  const base = (from?: number, to?: number): Permission => ({
    IpProtocol: r.transport === "any" ? "-1" : r.transport,
    ...(from !== undefined ? { FromPort: from, ToPort: to! } : {}),
    IpRanges: peer.v4.map((c) => ({ CidrIp: c, Description: description })),
    Ipv6Ranges: peer.v6.map((c) => ({ CidrIpv6: c, Description: description })),
  });
  if (r.transport === "any" || r.dports.length === 0) return [base()];
  return r.dports.map((p) => base(p.from, p.to));
}

function tfName(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, "_");
}

function terraform(
  plan: Plan,
  rules: Array<{ r: PlanRule; dir: "ingress" | "egress"; perms: Permission[] }>,
): string {
  const out = [
    ...header(plan, "#", "aws (terraform)"),
    "",
    'variable "security_group_id" {',
    '  description = "The security group attached to the edge instance (its default allow-all egress rule revoked)"',
    "  type        = string",
    "}",
  ];
  for (const { r, dir, perms } of rules)
    perms.forEach((p, pi) => {
      const cidrs: Array<[string, string]> = [
        ...p.IpRanges.map((x): [string, string] => ["cidr_ipv4", x.CidrIp]),
        ...p.Ipv6Ranges.map((x): [string, string] => ["cidr_ipv6", x.CidrIpv6]),
      ];
      cidrs.forEach(([kind, cidr], ci) => {
        out.push(
          "",
          `resource "aws_vpc_security_group_${dir}_rule" "${tfName(`${r.flowId}_${pi + 1}_${ci + 1}`)}" {`,
          "  security_group_id = var.security_group_id",
          `  description       = ${hclString(p.IpRanges[0]?.Description ?? p.Ipv6Ranges[0]?.Description ?? r.flowId)}`,
          `  ip_protocol       = "${p.IpProtocol}"`,
        );
        if (p.FromPort !== undefined)
          out.push(`  from_port         = ${p.FromPort}`, `  to_port           = ${p.ToPort}`);
        out.push(`  ${kind.padEnd(17)} = "${cidr}"`, "}");
      });
    });
  return out.join("\n") + "\n";
}

function compile(plan: Plan): TargetResult {
  if (plan.firewall.kind !== "host") return networkAcls(plan);
  const diagnostics: Diagnostic[] = [];
  const rules: Array<{ r: PlanRule; dir: "ingress" | "egress"; perms: Permission[] }> = [];
  for (const r of plan.rules) {
    if (r.sports.length > 0) {
      diagnostics.push(
        diag(
          "compile-unsupported",
          "error",
          `target aws cannot express flow ${r.flowId}: security groups match destination ports only, the flow pins source ports`,
          { expected: "a target with source-port matches (nftables, iptables, pf, cisco-asa, azure)" },
        ),
      );
      continue;
    }
    const dir = r.direction === "in" ? "ingress" : "egress";
    rules.push({ r, dir, perms: permissions(r, dir === "ingress" ? r.src : r.dst) });
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  const pick = (dir: string) => rules.filter((x) => x.dir === dir).flatMap((x) => x.perms);
  const group = {
    GroupName: plan.options.name ?? `portmatrix-${plan.profileId}`,
    Description: awsDescription(`portmatrix ${plan.profileId}: ${plan.profileTitle}`),
    IpPermissions: pick("ingress"),
    IpPermissionsEgress: pick("egress"),
  };
  const warnings: string[] = [
    ...awsOptionWarnings(plan),
    "a new security group allows all egress by default (0.0.0.0/0, and ::/0 in a VPC with IPv6): revoke those rules, or outbound traffic beyond the matrix stays open",
  ];
  for (const dir of ["ingress", "egress"]) {
    const count = pick(dir).reduce((n, p) => n + p.IpRanges.length + p.Ipv6Ranges.length, 0);
    if (count > RULES_PER_GROUP)
      warnings.push(
        `${count} ${dir} rules exceed the default quota of ${RULES_PER_GROUP} per security group: raise the quota or split the group`,
      );
  }
  const json = JSON.stringify({ SecurityGroups: [group] }, null, 2) + "\n";
  return {
    ok: true,
    files: [
      { suffix: "", text: json },
      { suffix: ".tf", text: terraform(plan, rules) },
    ],
    warnings,
  };
}

/**
 * Perimeter kind: one network ACL per zone (for the zone's subnet), in describe-network-acls
 * shape (NetworkAcls[].Entries[]) and as Terraform aws_network_acl_rule resources. NACLs are
 * stateless (EC2 User Guide, "Network ACLs"): every flow needs its return traffic allowed
 * explicitly — towards the client's ephemeral ports 1024-65535, the range AWS documents for
 * mixed clients — which opens more than the flow itself (said in a warning). Rules are numbered
 * 100, 110, … per direction; the NACL's final `*` rule denies the rest.
 */
const EPHEMERAL = { from: 1024, to: 65535 };

interface NaclEntry {
  RuleNumber: number;
  Protocol: string;
  RuleAction: "allow";
  Egress: boolean;
  CidrBlock?: string;
  Ipv6CidrBlock?: string;
  PortRange?: { From: number; To: number };
  Description: string;
}

function networkAcls(plan: Plan): TargetResult {
  const diagnostics: Diagnostic[] = [];
  const acls: Array<{ zone: string; entries: NaclEntry[] }> = [];
  for (const z of plan.zones) {
    const next = { in: 100, out: 100 };
    const entries: NaclEntry[] = [];
    const add = (
      r: PlanRule,
      egress: boolean,
      peer: PlanRule["src"],
      ports: PlanRule["dports"],
      what: string,
    ) => {
      const proto = r.transport === "tcp" ? "6" : r.transport === "udp" ? "17" : "-1";
      const ranges = ports.length === 0 || proto === "-1" ? [undefined] : ports;
      for (const cidr of [
        ...peer.v4.map((c) => ({ CidrBlock: c })),
        ...peer.v6.map((c) => ({ Ipv6CidrBlock: c })),
      ])
        for (const p of ranges) {
          const key = egress ? "out" : "in";
          entries.push({
            RuleNumber: next[key],
            Protocol: proto,
            RuleAction: "allow",
            Egress: egress,
            ...cidr,
            ...(p ? { PortRange: { From: p.from, To: p.to } } : {}),
            Description: `${r.flowId} ${what}`,
          });
          next[key] += 10;
        }
    };
    for (const r of plan.rules) {
      if (r.direction !== "forward") continue;
      if (r.sports.length > 0) {
        // Said once per flow, not once per zone the flow touches.
        if (r.fromZone?.name !== z.name) continue;
        diagnostics.push(
          diag(
            "compile-unsupported",
            "error",
            `target aws (network ACL) cannot express flow ${r.flowId}: it pins source ports, which network ACLs cannot match`,
            { expected: "a target with source-port matches (nftables, iptables, pf, cisco-asa, azure)" },
          ),
        );
        continue;
      }
      if (r.toZone?.name === z.name) {
        add(r, false, r.src, r.dports, "in");
        add(r, true, r.src, [EPHEMERAL], "return traffic");
      }
      if (r.fromZone?.name === z.name) {
        add(r, true, r.dst, r.dports, "out");
        add(r, false, r.dst, [EPHEMERAL], "return traffic");
      }
    }
    acls.push({
      zone: z.name,
      entries: entries.sort((a, b) => Number(a.Egress) - Number(b.Egress) || a.RuleNumber - b.RuleNumber),
    });
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  const doc = {
    NetworkAcls: acls.map((a) => ({
      Tags: [{ Key: "Name", Value: `portmatrix-${plan.profileId}-${a.zone}` }],
      Entries: a.entries.map(({ Description: _d, ...e }) => e),
    })),
  };
  const tf = [...header(plan, "#", "aws network ACLs (terraform)")];
  for (const a of acls) {
    tf.push(
      "",
      `variable "network_acl_id_${tfName(a.zone)}" {`,
      `  description = "The network ACL of zone ${a.zone}'s subnet"`,
      "  type        = string",
      "}",
    );
    for (const e of a.entries) {
      tf.push(
        "",
        `# ${commentText(e.Description)}`,
        `resource "aws_network_acl_rule" "${tfName(`${a.zone}_${e.Egress ? "egress" : "ingress"}_${e.RuleNumber}`)}" {`,
        `  network_acl_id  = var.network_acl_id_${tfName(a.zone)}`,
        `  rule_number     = ${e.RuleNumber}`,
        `  egress          = ${e.Egress}`,
        `  protocol        = "${e.Protocol}"`,
        '  rule_action     = "allow"',
      );
      if (e.CidrBlock) tf.push(`  cidr_block      = "${e.CidrBlock}"`);
      if (e.Ipv6CidrBlock) tf.push(`  ipv6_cidr_block = "${e.Ipv6CidrBlock}"`);
      if (e.PortRange)
        tf.push(`  from_port       = ${e.PortRange.From}`, `  to_port         = ${e.PortRange.To}`);
      tf.push("}");
    }
  }
  const eips = elasticIps(plan);
  tf.push(...eips.lines);
  const warnings = [
    ...awsOptionWarnings(plan),
    ...eips.warnings,
    `network ACLs are stateless: return traffic is allowed to ports ${EPHEMERAL.from}-${EPHEMERAL.to} of each flow's peers, more than the flows themselves`,
  ];
  if (plan.rules.some((r) => r.flowId === "management"))
    warnings.push(
      "management: network ACLs filter the zones' subnets, there is no firewall box of their own to reach; management rules are not part of this output",
    );
  return {
    ok: true,
    files: [
      { suffix: "", text: JSON.stringify(doc, null, 2) + "\n" },
      { suffix: ".tf", text: tf.join("\n") + "\n" },
    ],
    warnings,
  };
}

/**
 * Static NAT (topology `nat:`) as AWS models it: an Elastic IP associated with the endpoint's
 * private address on its network interface; the internet gateway translates both ways, so the
 * network ACLs above see (and name) the private address. AWS picks an Elastic IP's address itself
 * (a chosen one only from a BYOIP pool), and there is no IPv6 NAT: both are said in warnings.
 */
function elasticIps(plan: Plan): { lines: string[]; warnings: string[] } {
  const lines: string[] = [];
  const warnings: string[] = [];
  for (const n of plan.nat) {
    const name = tfName(n.endpoints[0]!);
    if (n.family === 6) {
      warnings.push(
        `nat: AWS does not translate IPv6 (${n.private} → ${n.public}); give the instance the public IPv6 address itself`,
      );
      continue;
    }
    lines.push(
      "",
      `# ${commentText(natComment(n))}`,
      `variable "network_interface_id_${name}" {`,
      `  description = "The network interface holding ${n.private}"`,
      "  type        = string",
      "}",
      "",
      `resource "aws_eip" "nat_${name}" {`,
      '  domain                    = "vpc"',
      `  network_interface         = var.network_interface_id_${name}`,
      `  associate_with_private_ip = "${n.private}"`,
      "}",
    );
  }
  if (lines.length > 0)
    warnings.push(
      `nat: AWS allocates each Elastic IP's address itself (a chosen one such as ${plan.nat[0]!.public} only from your own BYOIP pool, via aws_eip's address argument): check the public addresses in DNS and the topology after applying`,
    );
  return { lines, warnings };
}

function awsOptionWarnings(plan: Plan): string[] {
  return [...interfaceWarnings("aws", plan), ...awsOptions(plan)];
}

function awsOptions(plan: Plan): string[] {
  return optionWarnings("aws", plan, {
    log: "AWS logs traffic with VPC Flow Logs, a resource of the VPC, not of security groups or network ACLs",
    counters: "security groups and network ACLs keep no counters (VPC Flow Logs do)",
    reject: "security groups and network ACLs drop silently",
    priority: "security groups have no order; network ACL rule numbers are assigned in plan order",
    ...(plan.firewall.kind === "perimeter"
      ? { name: "network ACLs are given by id (variables), not named here" }
      : {}),
  });
}

export const aws: Target = {
  nat: true,
  id: "aws",
  description: "AWS security group (EC2 API JSON, and Terraform as FILE.tf)",
  extension: "json",
  compile,
};
