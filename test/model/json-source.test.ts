/**
 * The JSON fast path (src/model/json-source.ts) against the YAML parser it replaces for JSON: the
 * same value and the same file:line:col for every path of every JSON file in the repository's
 * corpora and fixtures; its own errors located; YAML that only looks like JSON still read as YAML.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseJson } from "../../src/model/json-source.js";
import { parseYaml, parseYamlDocument, type PathKey } from "../../src/model/yaml-source.js";
import { ROOT } from "../cli/run-cli.js";

function jsonFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) jsonFiles(p, out);
    else if (name.endsWith(".json")) out.push(p);
  }
  return out;
}

/** Every path to a value, breadth first, at most `limit`. */
function paths(value: unknown, limit: number): PathKey[][] {
  const out: PathKey[][] = [];
  const queue: Array<{ v: unknown; p: PathKey[] }> = [{ v: value, p: [] }];
  while (queue.length > 0 && out.length < limit) {
    const { v, p } = queue.shift()!;
    out.push(p);
    if (Array.isArray(v)) v.forEach((x, i) => queue.push({ v: x, p: [...p, i] }));
    else if (v && typeof v === "object")
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) queue.push({ v: x, p: [...p, k] });
  }
  return out;
}

test("json-source: value and every position equal the YAML parser's on the repository's JSON files", () => {
  const files = jsonFiles(join(ROOT, "test")).concat(jsonFiles(join(ROOT, "examples")));
  assert.ok(files.length >= 15, `${files.length} files`);
  let compared = 0;
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const yaml = parseYamlDocument(file, text);
    const json = parseJson(file, text);
    if (!yaml.source) {
      assert.ok(!json.ok, `${file}: YAML refuses it, JSON reads it`);
      continue;
    }
    assert.ok(json.ok, `${file}: ${JSON.stringify(!json.ok && json.diagnostics)}`);
    assert.deepEqual(json.source.value, yaml.source.value, file);
    for (const p of paths(yaml.source.value, 3000)) {
      assert.deepEqual(json.source.positionOf(p), yaml.source.positionOf(p), `${file} ${JSON.stringify(p)}`);
      if (typeof p[p.length - 1] === "string")
        assert.deepEqual(
          json.source.positionOf(p, { key: true }),
          yaml.source.positionOf(p, { key: true }),
          `${file} key ${JSON.stringify(p)}`,
        );
      compared++;
    }
    // A path that goes past what exists stops at the deepest node, as YAML's does.
    const deep = ["no-such-key", 7, "x"];
    assert.deepEqual(json.source.positionOf(deep), yaml.source.positionOf(deep), file);
  }
  assert.ok(compared > 5000, `${compared} paths compared`);
});

test("json-source: syntax errors, duplicate keys, __proto__ and deep nesting are located errors", () => {
  const bad = parseYaml("r.json", '{\n  "a": 1,\n  "b": [1, 2\n}\n');
  assert.equal(bad.source, undefined);
  assert.equal(bad.diagnostics[0]!.code, "json-syntax");
  assert.equal(bad.diagnostics[0]!.message, "JSON: comma expected");
  assert.deepEqual(bad.diagnostics[0]!.at, { file: "r.json", line: 4, col: 1 });

  const dup = parseYaml("d.json", '{"rules": [{"a": 1,\n "a": 2}]}');
  assert.equal(dup.source, undefined);
  assert.match(dup.diagnostics[0]!.message, /duplicate key "a"/);
  assert.deepEqual(dup.diagnostics[0]!.at, { file: "d.json", line: 2, col: 2 });

  const proto = parseYaml("p.json", '{"x": {"__proto__": {"polluted": true}}}');
  assert.equal(proto.source, undefined);
  assert.equal(proto.diagnostics[0]!.code, "reserved-key");
  assert.equal(({} as Record<string, unknown>).polluted, undefined);

  const deep = parseYaml("deep.json", "[".repeat(200_000) + "]".repeat(200_000));
  assert.equal(deep.source, undefined);
  assert.equal(deep.diagnostics.length, 1);

  const bom = parseYaml("bom.json", '\uFEFF{"a": [1]}');
  assert.deepEqual(bom.source?.value, { a: [1] });
});

test("json-source: YAML that starts like JSON (a flow map) is still read as YAML", () => {
  const flow = parseYaml("t.yaml", "{profile: seed, endpoints: {a: 203.0.113.1}}\n");
  assert.deepEqual(flow.source?.value, { profile: "seed", endpoints: { a: "203.0.113.1" } });
  // Neither JSON nor YAML: the JSON error is the one said (the text looked like JSON).
  const neither = parseYaml("n.json", '{"a": [1, 2}\n');
  assert.equal(neither.source, undefined);
  assert.equal(neither.diagnostics[0]!.code, "json-syntax");
});
