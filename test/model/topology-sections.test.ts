/**
 * parseTopology without `site:` and `compile:` (src/model/topology.ts, parseTopologyFields) skips
 * building those two schemas, and for a host firewall the perimeter's: its data and issues must be
 * those of parsing with the whole topologySchema (its diagnostics come from those issues with the
 * whole schema), key order included, for every topology in the repository and for bad input.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { inspect } from "node:util";
import { parseLeniently } from "../../src/model/lenient.js";
import { TOPOLOGY_SECTIONS, topologyKeys, topologySchema } from "../../src/model/schema.js";
import { parseTopologyFields } from "../../src/model/topology.js";
import { parseYaml } from "../../src/model/yaml-source.js";
import { ROOT } from "../cli/run-cli.js";

const show = (v: unknown): string => inspect(v, { depth: Infinity, showHidden: false, sorted: false });

/** Data and issues as parseTopology takes them, and as the whole topologySchema gives them. */
function both(text: string): [string, string] {
  const { source } = parseYaml("t.yaml", text);
  assert.ok(source);
  return [show(parseTopologyFields(source.value)), show(parseLeniently(topologySchema(), source.value))];
}

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== "node_modules" && !name.startsWith(".")) yamlFiles(p, out);
    } else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

test("topology keys: topologyKeys() is topologySchema's shape in order; absent sections parse to undefined", () => {
  assert.deepEqual(topologyKeys(), Object.keys(topologySchema().shape));
  for (const key of TOPOLOGY_SECTIONS) {
    const field = (topologySchema().shape as Record<string, { safeParse(v: unknown): unknown }>)[key]!;
    assert.deepEqual(field.safeParse(undefined), { success: true, data: undefined });
  }
});

test("topology sections: every topology in the repository parses as with the whole schema", () => {
  const files = ["examples", "test"].flatMap((d) => yamlFiles(join(ROOT, d)));
  let topologies = 0;
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    if (!/^firewall:/m.test(text)) continue;
    const { source } = parseYaml(file, text);
    if (!source) continue;
    topologies++;
    const [now, whole] = both(text);
    assert.equal(now, whole, file);
  }
  assert.ok(topologies >= 5, `only ${topologies} topologies found`);
});

test("topology sections: bad input gives the same data and issues (so the same diagnostics)", () => {
  const cases = [
    "42",
    "[1, 2]",
    "~",
    "profile: x",
    "{}",
    "profile: lync2013-public-im\nendpoints: {a: 1}\nfirewall: {kind: host, host: a}\nbogus: 1\nsit: {}",
    "profile: ''\nendpoints: []\nfeatures: [1, x]\nfirewall: {kind: nope}\nmanagement: []",
    "profile: p\nendpoints: {a: 10.0.0.1}\nfirewall: {kind: perimeter, zones: {BAD: {interface: 'a/b', endpoints: []}}}",
    "profile: p\nendpoints: {a: 10.0.0.1}\nfirewall: {kind: host, host: a}\nsite: {endpoints: {x: 1}}",
    "profile: p\nendpoints: {a: 10.0.0.1}\nfirewall: {kind: host, host: a}\ncompile: {log: {rate: fast}}",
    "profile: p\nendpoints: {a: 10.0.0.1}\nfirewall: {kind: host, host: a}\nsite: ~\ncompile: ~",
    "profile: p\nendpoints: {a: 10.0.0.1}\nfirewall: {kind: host, host: a}\nsipDomains: [Bad_Domain]\nnat: {a: [1]}",
    "profile: 7\nvariables: {media: [true]}\nmanagementFromAnywhere: yes",
    "profile: p\nendpoints: {a: 10.0.0.1}\nfirewall: {kind: host}",
    "profile: p\nendpoints: {a: 10.0.0.1}\nfirewall: {kind: host, host: 1, zones: {}}",
    "profile: p\nendpoints: {a: 10.0.0.1}\nfirewall: [kind, host]",
    "profile: p\nendpoints: {a: 10.0.0.1}\nfirewall: {host: a}",
    "profile: p\nendpoints: {a: 10.0.0.1}\nfirewall: {kind: Host, host: a}",
    "profile: p\nendpoints: {a: 10.0.0.1}\nfirewall: {kind: perimeter, host: a}",
    "profile: p\nendpoints: {a: 10.0.0.1}\nfirewall: {kind: host, host: a}\nsite: {}",
  ];
  for (const text of cases) {
    const [now, whole] = both(text);
    assert.equal(now, whole, text);
  }
});
