/**
 * FortiOS target: its strings survive the FortiOS CLI grammar (the reader, which follows that
 * grammar, reads back exactly the text written, cut to FortiOS's lengths), hostile profile text
 * never adds a command, and interface names the CLI cannot carry as written are refused.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fortiosString } from "../../src/compile/text.js";
import { parseFortiosCli } from "../../src/parse/fortios-cli.js";
import { readFortios } from "../../src/parse/fortios.js";
import { build, compileEvery, profileText, topologyText } from "./injection-check.js";

const readBack = (quoted: string): string => {
  const { tables, diagnostics } = parseFortiosCli(
    "t",
    `config firewall policy\nedit 1\nset comments ${quoted}\nnext\nend\n`,
  );
  assert.deepEqual(diagnostics, []);
  return tables[0]!.entries[0]!.settings.get("comments")!.values.join(" ");
};

test("fortiosString: quotes and backslashes escaped, `?` replaced, one line, cut to the limit", () => {
  assert.equal(fortiosString('a "b" \\ c?', 100), '"a \\"b\\" \\\\ c_"');
  assert.equal(readBack(fortiosString('say "hi"\\\nend\nconfig x', 1023)), 'say "hi"\\ end config x');
  assert.equal(readBack(fortiosString("é".repeat(100), 79)), "é".repeat(79));
  assert.equal(readBack(fortiosString("\u{10000}".repeat(3), 2)), "\u{10000}".repeat(2));
});

test("hostile profile text stays inside strings: the policies read back are the plain profile's", () => {
  const policies = (profile: string) => {
    const built = build(profile, topologyText("perimeter", "eth0"));
    assert.ok(built.ok);
    const o = compileEvery(built.plan).fortios!;
    assert.ok("files" in o);
    const r = readFortios(o.files[""]!, "out.conf");
    assert.deepEqual(r.diagnostics, []);
    return r.ruleset.tables[0]!.chains.flatMap((c) =>
      c.rules.map((x) => ({ chain: c.name, action: x.action.kind, match: x.match })),
    );
  };
  const hostile = profileText({
    title: 'Seed"\nend\nconfig firewall policy\nedit 99\nset action accept',
    "flows.0.protocol": 'SIP\\"\nnext\nend\n',
    "endpoints.clients.name": "Clients ? \\",
  });
  const [got, want] = [policies(hostile), policies(profileText({}))];
  assert.deepEqual(
    got.map((r) => [r.chain, r.action]),
    want.map((r) => [r.chain, r.action]),
  );
  got.forEach((r, i) => assert.ok(r.match.equals(want[i]!.match), `rule ${i} matches other packets`));
});

test("interface names: FortiOS takes plain names, refuses what its CLI would read otherwise", () => {
  for (const [name, ok] of [
    ['e"x', false],
    ["eth*", false],
    ["veth0@if2", false],
    ["eth0.100", true],
  ] as const) {
    const built = build(profileText({}), topologyText("perimeter", name));
    assert.ok(built.ok, name);
    const o = compileEvery(built.plan).fortios!;
    if (ok) {
      assert.ok("files" in o, name);
      assert.ok(o.files[""]!.includes(`set srcintf "${name}"`), name);
    } else {
      assert.ok("refused" in o, name);
      assert.match(o.refused[0]!.message, /^target fortios cannot name interface/);
    }
  }
});

test("policy names stay unique within FortiOS's 35 characters", () => {
  const built = build(profileText({}), topologyText("perimeter", "eth0"));
  assert.ok(built.ok);
  const long = {
    ...built.plan,
    rules: built.plan.rules.map((r) => ({
      ...r,
      flowId: `${"a-very-long-flow-identifier-".repeat(2)}${r.flowId}`,
    })),
  };
  const o = compileEvery(long).fortios!;
  assert.ok("files" in o);
  const names = [...o.files[""]!.matchAll(/set name "([^"]*)"/g)].map((m) => m[1]!);
  assert.equal(names.length, long.rules.filter((r) => r.direction === "forward").length + 1);
  assert.equal(new Set(names).size, names.length, names.join(", "));
  for (const n of names) assert.ok(n.length <= 35, n);
});
