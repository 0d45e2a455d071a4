/** ARM template expressions: what is resolved, and that everything else is undefined, never guessed. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { armContext, resolveArm } from "./arm-expr.js";

const ctx = armContext({
  parameters: {
    prefix: { type: "string", defaultValue: "pm" },
    cidr: { type: "string", defaultValue: "[variables('net')]" },
    noDefault: { type: "string" },
    location: { type: "string", defaultValue: "[resourceGroup().location]" },
  },
  variables: {
    net: "10.1.0.0/16",
    nsg: "[concat(parameters('prefix'), '-', 'dmz')]",
    list: ["[parameters('cidr')]", "203.0.113.0/24"],
    self: "[variables('self')]",
  },
});

test("ARM expressions: literals, parameters with defaults, variables, concat, format, resourceId resolve", () => {
  assert.equal(resolveArm("plain", ctx), "plain");
  assert.equal(resolveArm("[[not an expression]", ctx), "[not an expression]");
  assert.equal(resolveArm("[parameters('cidr')]", ctx), "10.1.0.0/16");
  assert.equal(resolveArm("[variables('nsg')]", ctx), "pm-dmz");
  assert.equal(resolveArm("[format('{0}-{1}', parameters('prefix'), 'it''s')]", ctx), "pm-it's");
  assert.equal(
    resolveArm("[resourceId('Microsoft.Network/networkSecurityGroups', variables('nsg'))]", ctx),
    "pm-dmz",
  );
  assert.equal(resolveArm("[toUpper(parameters('prefix'))]", ctx), "PM");
  assert.deepEqual(resolveArm("[variables('list')]", ctx), ["10.1.0.0/16", "203.0.113.0/24"]);
  assert.equal(resolveArm("[string(4096)]", ctx), "4096");
});

test("ARM expressions: deployment-time values, missing defaults, members of unknowns, cycles are undefined", () => {
  for (const e of [
    "[parameters('noDefault')]",
    "[parameters('location')]",
    "[uniqueString(resourceGroup().id)]",
    "[variables('missing')]",
    "[reference('x').ipAddress]",
    "[if(equals(parameters('prefix'), 'pm'), '10.0.0.0/8', '*')]",
    "[variables('self')]",
    "[concat('a', parameters('noDefault'))]",
    "[concat('unterminated']",
  ])
    assert.equal(resolveArm(e, ctx), undefined, e);
});

test("ARM expressions: members of resolved objects and arrays; unresolved parts inside stay as written", () => {
  const c = armContext({
    parameters: { os: { type: "string", defaultValue: "linux" } },
    variables: {
      settings: { managementPort: 22, where: "[resourceGroup().location]" },
      osPort: { linux: "22", windows: "3389" },
      prefixes: ["10.0.0.0/24", "10.0.1.0/24"],
    },
  });
  assert.equal(resolveArm("[variables('settings').managementPort]", c), 22);
  assert.equal(resolveArm("[variables('settings').ManagementPort]", c), 22);
  assert.equal(resolveArm("[variables('osPort')[parameters('os')]]", c), "22");
  assert.equal(resolveArm("[variables('prefixes')[1]]", c), "10.0.1.0/24");
  assert.deepEqual(resolveArm("[variables('settings')]", c), {
    managementPort: 22,
    where: "[resourceGroup().location]",
  });
  for (const e of [
    "[variables('settings').missing]",
    "[variables('prefixes')[2]]",
    "[variables('settings').where.x]",
    "[variables('osPort')[parameters('nope')]]",
  ])
    assert.equal(resolveArm(e, c), undefined, e);
});
