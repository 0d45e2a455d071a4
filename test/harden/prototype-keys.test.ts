/**
 * Names that are also Object.prototype members (constructor, toString, __proto__ …) are names like
 * any other, or refused where they cannot be: never a crash, never silently accepted. And AWS JSON
 * with nulls, fractional ports or a protocol called "constructor" is bad input. Issue #15.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseYaml } from "../../src/model/yaml-source.js";
import { checkProfile } from "../../src/model/profile.js";
import { loadTopology, PROFILES_DIR } from "../../src/shell/load.js";
import { readAwsSecurityGroups } from "../../src/parse/aws-reader.js";
import { readIp6tablesSave } from "../../src/parse/iptables-save.js";
import { readFortios } from "../../src/parse/fortios.js";
import { readPanos } from "../../src/parse/panos.js";
import { readJunos } from "../../src/parse/junos.js";
import { readUfw } from "../../src/parse/ufw.js";
import type { ParsedRuleset } from "../../src/parse/reader.js";
import { ROOT, runCli } from "../cli/run-cli.js";

const NAMES = ["constructor", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf"];
const SEED = readFileSync(join(PROFILES_DIR, "lync2013-public-im.yaml"), "utf8");

/**
 * The seed with its feature and lifecycle renamed to `name`, and its endpoint `partners` too when
 * `name` is an id (lower case: endpoint keys are ids).
 */
function seedWith(name: string): string {
  const endpoint = /^[a-z0-9][a-z0-9-]*$/.test(name) || name === "__proto__" ? name : "partners";
  return SEED.replace(/^ {2}partners:$/m, `  ${endpoint}:`)
    .replace(/(from|to): partners\b/g, `$1: ${endpoint}`)
    .replaceAll("public-im-connectivity", name)
    .replaceAll("messenger-federation", name);
}

test("a profile naming an endpoint, feature and lifecycle after Object.prototype members is an ordinary profile", () => {
  for (const name of NAMES) {
    const { source } = parseYaml("p.yaml", seedWith(name));
    const checked = checkProfile(source!);
    assert.deepEqual(
      checked.diagnostics.filter((d) => d.severity === "error"),
      [],
      name,
    );
    const p = checked.loaded!.profile;
    assert.ok(Object.hasOwn(p.features, name) && Object.hasOwn(p.lifecycles, name), name);
    assert.equal(Object.hasOwn(p.endpoints, "constructor"), name === "constructor", name);
  }
});

test("a topology binding unknown names that are Object.prototype members gets unknown-* errors", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-harden-p-"));
  try {
    for (const name of NAMES) {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(
        file,
        `profile: lync2013-public-im\nendpoints:\n  edge-access: 203.0.113.10\n  partners: any\n  clients: any\n  messenger-clients: any\n  ${name}: any\nfeatures: [${name}]\nvariables: {${name}: 5}\nfirewall: {kind: host, host: ${name}}\n`,
      );
      const t = loadTopology(file, "2026-11-25");
      assert.equal(t.ok, false, name);
      const codes = t.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code}@${d.at?.line}`);
      assert.deepEqual(
        codes.sort(),
        ["unknown-endpoint@10", "unknown-endpoint@7", "unknown-feature@8", "unknown-variable@9"],
        name,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a __proto__ key is refused where it is, in every YAML or JSON input", () => {
  const text = seedWith("__proto__");
  const { source, diagnostics } = parseYaml("p.yaml", text);
  assert.equal(source, undefined);
  // Every key named __proto__, where it stands in the text (an endpoint, a feature, a lifecycle).
  const keys = text
    .split("\n")
    .flatMap((l, i) => (/^ {2}__proto__:/.test(l) ? [`reserved-key ${i + 1}:3`] : []));
  assert.equal(keys.length, 3);
  assert.deepEqual(
    diagnostics.map((d) => `${d.code} ${d.at?.line}:${d.at?.col}`),
    keys,
  );
  const aws = readAwsSecurityGroups('{"SecurityGroups": [{"__proto__": {"GroupId": "x"}}]}', "sg.json");
  assert.deepEqual(
    aws.diagnostics.map((d) => `${d.code} ${d.at?.line}:${d.at?.col}`),
    ["reserved-key 1:22"],
  );
});

test("a mapping or list as a YAML key is one located error, with no warning of Node's on stderr", () => {
  const { source, diagnostics } = parseYaml(
    "t.yaml",
    "profile: lync2013-public-im\n? {a: 1}\n: 2\nx: {[b]: 3}\n",
  );
  assert.equal(source, undefined);
  assert.deepEqual(
    diagnostics.map((d) => `${d.code} ${d.at?.line}:${d.at?.col}`),
    ["complex-key 2:3", "complex-key 4:5"],
  );
  const dir = mkdtempSync(join(tmpdir(), "pm-complex-key-"));
  try {
    // Not JSON (the key is an object), so read as YAML: the JSON error is the one said.
    const json = join(dir, "ruleset.json");
    writeFileSync(json, '{"nftables": [{"metainfo": {"json_schema_version": 1}}, {{"a": 1}: 2}]}\n');
    const topology = join(dir, "t.yaml");
    writeFileSync(topology, "profile: lync2013-public-im\n? {a: 1}\n: 2\n");
    for (const [args, message] of [
      [
        [
          "audit",
          "-t",
          "examples/legacy/host-topology.yaml",
          "-r",
          json,
          "--ruleset-format",
          "nftables-json",
        ],
        /error\[json-syntax\]/,
      ],
      [["compile", "-t", topology, "--target", "nftables"], /t\.yaml:2:3: error\[complex-key\]/],
    ] as const) {
      const r = runCli([...args]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /Warning|trace-warnings/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("AWS JSON with nulls, bad ports or a prototype-named protocol: located aws-format errors, no crash", () => {
  const group = (perm: string): string =>
    `{"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [${perm}]}]}`;
  const cases: Array<[string, string[]]> = [
    [
      '{"SecurityGroups": [null, 3, "x"]}',
      [
        "security group 0 is not an object",
        "security group 1 is not an object",
        "security group 2 is not an object",
      ],
    ],
    [group("null"), ["IpPermissions item 0 is not an object"]],
    [
      group('{"IpProtocol": "tcp", "FromPort": 1.5, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}'),
      ["bad port range FromPort 1.5 ToPort 80"],
    ],
    [
      group('{"IpProtocol": "tcp", "FromPort": 90, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}'),
      ["bad port range FromPort 90 ToPort 80"],
    ],
    [
      group('{"IpProtocol": "udp", "FromPort": "x", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}'),
      ['bad port range FromPort "x" ToPort 65535'],
    ],
    [group('{"IpProtocol": "constructor"}'), ['unknown IpProtocol "constructor"']],
    [group('{"IpProtocol": "toString"}'), ['unknown IpProtocol "toString"']],
    [
      group(
        '{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [null, {"CidrIp": {}}], "UserIdGroupPairs": [null]}',
      ),
      ["IpRanges item 0 is not an object", "bad CidrIp {}"],
    ],
  ];
  for (const [json, messages] of cases) {
    const r = readAwsSecurityGroups(json, "sg.json");
    assert.deepEqual(
      r.diagnostics.map((d) => d.message),
      messages,
      json,
    );
    assert.ok(
      r.diagnostics.every((d) => d.code === "aws-format" && d.at !== undefined && d.severity === "error"),
    );
  }
});

/**
 * What the fuzz suite found once the device readers had seeds (test/fuzz/seeds.ts): an undefined
 * object named after an Object.prototype member was found in a keyword table — Object's own — and
 * the reader crashed instead of saying the name is undefined.
 */
test("undefined names that are Object.prototype members are undefined references in every reader", () => {
  const read = (p: string): string => readFileSync(join(ROOT, p), "utf8");
  const cases: Array<[string, ParsedRuleset, string, RegExp]> = [
    [
      "ip6tables-save: a target named constructor with options after it",
      readIp6tablesSave(
        "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j constructor --nflog-group 0\nCOMMIT\n",
        "x.rules",
      ),
      "iptables-unknown-chain",
      /jump to undeclared chain constructor/,
    ],
    [
      "FortiOS: a policy's srcaddr named constructor",
      readFortios(
        read("test/compile/golden/seed-perimeter/fortios.fortios.conf").replace(
          /set srcaddr "[^"]+"/,
          'set srcaddr "constructor"',
        ),
        "fw.conf",
      ),
      "fortios-reference",
      /srcaddr names undefined address "constructor"/,
    ],
    [
      "PAN-OS: a rule's service named constructor",
      readPanos(
        read("test/corpus/panos/batfish-destination-nat").replace(/service [a-z-]+;/, "service constructor;"),
        "pa.conf",
      ),
      "panos-reference",
      /undefined service or service group "constructor"/,
    ],
    ...["constructor", "__proto__"].map((name): [string, ParsedRuleset, string, RegExp] => [
      `Junos: a policy's application named ${name}`,
      readJunos(
        read("test/corpus/junos/aerleon__sample_srx.srx").replace(
          /application [a-z-]+;/,
          `application ${name};`,
        ),
        "srx.conf",
      ),
      "junos-reference",
      new RegExp(`application ${name} is not defined`),
    ]),
  ];
  for (const [what, parsed, code, message] of cases) {
    const errors = parsed.diagnostics.filter((d) => d.severity === "error");
    assert.ok(
      errors.some((d) => d.code === code && message.test(d.message)),
      `${what}: ${errors.map((d) => `${d.code}: ${d.message}`).join("; ")}`,
    );
  }
});

test("a ufw table named after an Object.prototype member is an error at its line, for each file", () => {
  const dir = join(ROOT, "test/fixtures/ufw/custom");
  const files = [
    "after.rules",
    "before.rules",
    "user.rules",
    "user6.rules",
    "ufw.conf",
    "after6.rules",
    "before6.rules",
  ].map((file) => ({ file, text: readFileSync(join(dir, file), "utf8") }));
  for (const name of ["constructor", "__proto__"]) {
    const user = files.map((f) =>
      f.file === "user.rules" ? { ...f, text: f.text.replace("*filter", `*${name}`) } : f,
    );
    const r = readUfw(user);
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    assert.ok(errors.length > 0, name);
    assert.ok(
      errors.every((d) => d.at?.file === "user.rules" && d.at.line === 1),
      errors.map((d) => `${d.at?.file}:${d.at?.line} ${d.code}: ${d.message}`).join("; "),
    );
  }
});
