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
import { azureSubnets, readAzureNsg } from "./azure-nsg.js";
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

test("Azure NSG: an own deny-all is never redundant (removing it exposes Azure's allow defaults), and the unreached defaults are not listed", () => {
  const r = AuditReport.parse(
    audit(topology, [
      readAzureNsg(
        show([rule("sip", 100, "Allow", "Tcp", "5061"), { ...DENY_ALL, destinationAddressPrefix: "*" }]),
        "nsg.json",
      ),
    ]),
  );
  assert.deepEqual(
    r.deadRules.map((d) => `${d.kind} ${d.rule.text}`),
    [],
    "deny-all at 4096 was called redundant: without it AllowVnetInBound would decide",
  );
  // Inbound, the defaults sit behind the deny-all: unreached, unlisted. (Outbound has only the
  // defaults here, reached, so they are listed.)
  assert.deepEqual(
    r.unsupported.filter((u) => u.rule?.chain === "inbound"),
    [],
  );
  assert.ok(r.unsupported.some((u) => u.rule?.chain === "outbound"));
  assert.deepEqual(
    r.flows.map((f) => f.verdict + (f.uncertain ? " uncertain" : "")),
    ["allowed", "blocked", "blocked", "blocked"],
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

test("Azure NSG: the ARM form (properties, port lists) reads like az's; two NSGs on no subnet and bad fields are refused", () => {
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
  // Two NSGs on no subnet: where each filters is unknown, each refused where it stands.
  const two = readAzureNsg(arm(2, [DENY_ALL]), "t.json");
  assert.deepEqual(
    two.diagnostics.map((d) => `${d.severity}[${d.code}]`),
    ["error[azure-subnet]", "error[azure-subnet]"],
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

test("Azure NSG perimeter: source subnet's Outbound and destination subnet's Inbound must both allow", () => {
  // Hand-checked (Azure docs, "How network security groups filter network traffic"): sip passes
  // both; web is allowed out of the internet subnet but denied into the DMZ by a deny above the
  // allow; stun is allowed into the DMZ but not out of the internet subnet; media by neither.
  const r = (
    name: string,
    priority: number,
    direction: string,
    access: string,
    protocol: string,
    port: string,
  ) => ({
    name,
    properties: {
      priority,
      direction,
      access,
      protocol,
      sourcePortRange: "*",
      destinationPortRange: port,
      sourceAddressPrefix: "*",
      destinationAddressPrefix: "[parameters('edge')]",
    },
  });
  const template = {
    parameters: {
      edge: { type: "string", defaultValue: "198.51.100.10/32" },
      prefix: { type: "string", defaultValue: "pm" },
    },
    variables: {
      outsideNsg: "[concat(parameters('prefix'), '-outside')]",
      dmzNsg: "[format('{0}-dmz', parameters('prefix'))]",
    },
    resources: [
      {
        type: "Microsoft.Network/networkSecurityGroups",
        name: "[variables('outsideNsg')]",
        properties: {
          securityRules: [
            r("sip", 100, "Outbound", "Allow", "Tcp", "5061"),
            r("web", 110, "Outbound", "Allow", "Tcp", "443"),
            r("deny-out", 4096, "Outbound", "Deny", "*", "*"),
          ],
        },
      },
      {
        type: "Microsoft.Network/networkSecurityGroups",
        name: "[variables('dmzNsg')]",
        properties: {
          securityRules: [
            r("web-deny", 100, "Inbound", "Deny", "Tcp", "443"),
            r("sip", 200, "Inbound", "Allow", "Tcp", "5061"),
            r("web-allow", 210, "Inbound", "Allow", "Tcp", "443"),
            r("stun", 220, "Inbound", "Allow", "Udp", "3478"),
            r("deny-in", 4096, "Inbound", "Deny", "*", "*"),
          ],
        },
      },
      {
        type: "Microsoft.Network/virtualNetworks",
        name: "vnet",
        properties: {
          subnets: [
            {
              name: "outside",
              properties: {
                networkSecurityGroup: {
                  id: "[resourceId('Microsoft.Network/networkSecurityGroups', variables('outsideNsg'))]",
                },
              },
            },
            {
              name: "dmz",
              properties: {
                networkSecurityGroup: {
                  id: "[resourceId('Microsoft.Network/networkSecurityGroups', variables('dmzNsg'))]",
                },
              },
            },
          ],
        },
      },
    ],
  };
  const p = readAzureNsg(JSON.stringify(template, null, 2), "perimeter.json");
  assert.deepEqual(
    p.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  assert.deepEqual(azureSubnets(p.ruleset.tables[0]!.chains).sort(), ["dmz", "outside"]);
  const perimeter = {
    ...topology,
    firewall: {
      kind: "perimeter" as const,
      zones: [
        { name: "internet", interface: "outside", endpoints: ["internet"] },
        { name: "dmz", interface: "dmz", endpoints: ["edge"] },
      ],
    },
  };
  const report = AuditReport.parse(audit(perimeter, [p]));
  assert.deepEqual(
    Object.fromEntries(report.flows.map((f) => [f.id, f.verdict + (f.uncertain ? " uncertain" : "")])),
    {
      sip: "allowed",
      web: "blocked",
      media: "blocked",
      stun: "blocked",
    },
  );
});

test("Azure NSG: `az network nsg list` places NSGs by their subnets' ids; what cannot be placed is refused where it stands", () => {
  const sub = (name: string) => ({
    id: `/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/${name}`,
  });
  const out = { ...rule("sip", 100, "Allow", "Tcp", "5061"), direction: "Outbound" };
  const list = [
    {
      name: "outside-nsg",
      securityRules: [out, { ...DENY_ALL, direction: "Outbound" }],
      subnets: [sub("outside")],
    },
    {
      name: "dmz-nsg",
      securityRules: [rule("sip", 100, "Allow", "Tcp", "5061"), DENY_ALL],
      subnets: [sub("dmz")],
    },
  ];
  const p = readAzureNsg(JSON.stringify(list, null, 2), "list.json");
  assert.deepEqual(
    p.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  assert.deepEqual(azureSubnets(p.ruleset.tables[0]!.chains).sort(), ["dmz", "outside"]);
  // No host chains: several NSGs are a perimeter.
  assert.ok(!p.ruleset.tables[0]!.chains.some((c) => c.name === "inbound"));
  const unplaced = readAzureNsg(JSON.stringify([list[0], { ...list[1], subnets: [] }], null, 2), "list.json");
  const errors = unplaced.diagnostics.filter((d) => d.severity === "error");
  assert.deepEqual(
    errors.map((d) => [d.code, d.at?.line]),
    [["azure-subnet", 34]], // the second NSG object
  );
  assert.match(errors[0]!.message, /dmz-nsg is associated with no subnet/);
});

test("Azure NSG: a rule's properties from a variable, and an NSG without properties (Azure's defaults only)", () => {
  const template = {
    variables: {
      sipRule: {
        priority: 100,
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        sourcePortRange: "*",
        destinationPortRange: "5061",
        sourceAddressPrefix: "*",
        destinationAddressPrefix: "198.51.100.10",
      },
    },
    resources: [
      {
        type: "Microsoft.Network/networkSecurityGroups",
        name: "edge",
        properties: {
          securityRules: [{ name: "sip", properties: "[variables('sipRule')]" }, DENY_ALL],
        },
      },
    ],
  };
  assert.deepEqual(verdicts(readAzureNsg(JSON.stringify(template, null, 2), "t.json")), {
    sip: "allowed",
    web: "blocked",
    media: "blocked",
    stun: "blocked",
  });
  // Only Azure's defaults: AllowVnetInBound/AllowAzureLoadBalancerInBound name addresses not in the
  // file (uncertain allows) before DenyAllInBound.
  const bare = { resources: [{ type: "Microsoft.Network/networkSecurityGroups", name: "empty" }] };
  assert.deepEqual(verdicts(readAzureNsg(JSON.stringify(bare), "t.json")), {
    sip: "allowed uncertain",
    web: "allowed uncertain",
    media: "allowed uncertain",
    stun: "allowed uncertain",
  });
});
