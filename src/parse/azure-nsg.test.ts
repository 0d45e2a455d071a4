/**
 * Azure NSG reader against hand-checked verdicts (Azure docs, "Network security groups": lowest
 * priority number first, first match wins, stateful; default rules 65000+ after the user's). The
 * edge is 198.51.100.10, the peers any IPv4 address (test/audit-fixtures.ts).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { edgeHost, flow } from "../../test/audit-fixtures.js";
import { audit } from "../audit/audit.js";
import { AuditReport } from "../audit/report-schema.js";
import { readAzureNsg } from "./azure-nsg.js";
import { sniffFormat } from "./index.js";
import type { ParsedRuleset } from "./reader.js";

const topology = edgeHost([
  flow("sip", "tcp", [5061, 5061]),
  flow("web", "tcp", [443, 443]),
  flow("media", "tcp", [50000, 59999]),
  flow("stun", "udp", [3478, 3478]),
]);

function verdicts(p: ParsedRuleset): Record<string, string> {
  assert.deepEqual(
    p.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  const r = AuditReport.parse(audit(topology, [p]));
  return Object.fromEntries(r.flows.map((f) => [f.id, f.verdict + (f.uncertain ? " uncertain" : "")]));
}

function rule(name: string, priority: number, access: string, protocol: string, port: string, src = "*") {
  return {
    name,
    priority,
    direction: "Inbound",
    access,
    protocol,
    sourcePortRange: "*",
    destinationPortRange: port,
    sourceAddressPrefix: src,
    destinationAddressPrefix: "198.51.100.10",
  };
}
const DENY_ALL = rule("deny-all", 4096, "Deny", "*", "*");
const show = (rules: object[], extra: object = {}) =>
  JSON.stringify({ name: "edge-nsg", securityRules: rules, ...extra }, null, 2);

test("Azure NSG: priority, not file order, decides; a deny above an allow wins", () => {
  const p = readAzureNsg(
    show([
      rule("web-allow", 300, "Allow", "Tcp", "443"),
      rule("web-deny", 200, "Deny", "Tcp", "443"),
      rule("sip", 100, "Allow", "Tcp", "5061"),
      rule("stun", 110, "Allow", "Udp", "3478-3479"),
      DENY_ALL,
    ]),
    "nsg.json",
  );
  assert.equal(sniffFormat(show([DENY_ALL])), "azure-nsg");
  assert.deepEqual(verdicts(p), {
    sip: "allowed",
    web: "blocked",
    media: "blocked",
    stun: "allowed",
  });
});

test("Azure NSG: without an own deny-all, traffic falls to Azure's defaults; their service tags make it uncertain", () => {
  // Not allowed by a user rule → AllowVnetInBound (VirtualNetwork → VirtualNetwork) and
  // AllowAzureLoadBalancerInBound come before DenyAllInBound: whether the internet peer is in those
  // tags is not in the file, so the verdict is the over-approximated allow, uncertain.
  const implicit = verdicts(readAzureNsg(show([rule("sip", 100, "Allow", "Tcp", "5061")]), "nsg.json"));
  assert.deepEqual(implicit, {
    sip: "allowed",
    web: "allowed uncertain",
    media: "allowed uncertain",
    stun: "allowed uncertain",
  });
  // The defaults as `az network nsg show` lists them, minus the two allows: DenyAllInBound decides, exactly.
  const denyOnly = {
    defaultSecurityRules: [
      { ...rule("DenyAllInBound", 65500, "Deny", "*", "*"), destinationAddressPrefix: "*" },
    ],
  };
  assert.deepEqual(
    verdicts(readAzureNsg(show([rule("sip", 100, "Allow", "Tcp", "5061")], denyOnly), "nsg.json")),
    {
      sip: "allowed",
      web: "blocked",
      media: "blocked",
      stun: "blocked",
    },
  );
});

test("Azure NSG: a service tag or an application security group is approximated, never exact", () => {
  const tagged = readAzureNsg(
    show([rule("web", 100, "Allow", "Tcp", "443", "Internet"), DENY_ALL]),
    "nsg.json",
  );
  assert.deepEqual(verdicts(tagged), {
    sip: "blocked",
    web: "allowed uncertain",
    media: "blocked",
    stun: "blocked",
  });
  const asg = {
    ...rule("sip", 100, "Allow", "Tcp", "5061"),
    sourceApplicationSecurityGroups: [{ id: "/x/asg-web" }],
  };
  delete (asg as { sourceAddressPrefix?: string }).sourceAddressPrefix;
  assert.equal(verdicts(readAzureNsg(show([asg, DENY_ALL]), "nsg.json")).sip, "allowed uncertain");
});

test("Azure NSG: the ARM form (properties, port lists) reads like az's; two NSGs and bad fields are refused", () => {
  const arm = (n: number, rules: object[]) =>
    JSON.stringify({
      resources: Array.from({ length: n }, () => ({
        type: "Microsoft.Network/networkSecurityGroups",
        properties: { securityRules: rules.map((r) => ({ name: "r", properties: r })) },
      })),
    });
  const ports = {
    ...rule("m", 100, "Allow", "Tcp", "x"),
    destinationPortRange: undefined,
    destinationPortRanges: ["5061", "50000-59999"],
  };
  assert.deepEqual(verdicts(readAzureNsg(arm(1, [ports, DENY_ALL]), "t.json")), {
    sip: "allowed",
    web: "blocked",
    media: "allowed",
    stun: "blocked",
  });
  const two = readAzureNsg(arm(2, [DENY_ALL]), "t.json");
  assert.deepEqual(
    two.diagnostics.map((d) => `${d.severity}[${d.code}]`),
    ["error[azure-format]"],
  );
  assert.equal(two.ruleset.tables.length, 0);
  const bad = readAzureNsg(
    show([
      { ...DENY_ALL, protocol: "Sctp" },
      { ...DENY_ALL, priority: 4000, direction: "In" },
    ]),
    "nsg.json",
  );
  assert.deepEqual(
    bad.diagnostics.map((d) => `${d.at?.line}: ${d.message}`),
    ['9: rule deny-all: bad protocol "Sctp"', '18: rule deny-all: bad direction "In"'],
  );
});

test("Azure NSG: the REST form (properties.securityRules) reads alike; a shared priority is refused", () => {
  const rest = JSON.stringify({
    name: "edge-nsg",
    properties: {
      securityRules: [rule("sip", 100, "Allow", "Tcp", "5061"), DENY_ALL].map((r) => ({
        name: r.name,
        properties: r,
      })),
    },
  });
  assert.equal(sniffFormat(rest), "azure-nsg");
  assert.deepEqual(verdicts(readAzureNsg(rest, "rest.json")), {
    sip: "allowed",
    web: "blocked",
    media: "blocked",
    stun: "blocked",
  });
  const twice = readAzureNsg(
    show([rule("a", 100, "Allow", "Tcp", "5061"), rule("b", 100, "Deny", "Tcp", "443")]),
    "nsg.json",
  );
  assert.deepEqual(
    twice.diagnostics.map((d) => `${d.severity}[${d.code}] ${d.message}`),
    ["error[azure-priority] rules a and b share priority 100 in one direction"],
  );
});
