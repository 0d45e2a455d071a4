/**
 * Issue 15, property: no text of a profile and no interface name of a topology can add, remove or
 * change a rule. fast-check feeds arbitrary strings — newlines, quotes, `;`, `#`, `}`, `${`, unicode,
 * control and bidi characters, very long — into every free-text field of the seed profile and into
 * a zone's interface name, and for every target asserts that
 *  - the output's skeleton (code with comments and quoted text blanked, injection-check.ts) equals
 *    the skeleton of the same profile with plain text: exactly the plan's rules, nothing added;
 *  - each target's text limits hold (comment lengths, charsets, no interpolation);
 *  - the nftables file passes `nft -c -f` and the iptables files `iptables-restore --test` /
 *    `ip6tables-restore --test`, inside a network namespace made for this test;
 *  - an interface name is either refused at the boundary with a located diagnostic, refused by a
 *    target (compile-unsupported), or written exactly as given.
 * And topology values (zone names, address and management terms): refused with a position, or files
 * the kernel takes and whose text limits hold.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import fc from "fast-check";
import YAML from "yaml";
import type { TargetId } from "../../src/compile/target.js";
import { kernelSkipReason, sh } from "../kernel/netns.js";
import {
  build,
  compileEvery,
  inNetns,
  profileText,
  skeleton,
  TEXT_FIELDS,
  textLimits,
  topologyText,
  type Outputs,
  type Texts,
} from "./injection-check.js";

const skip = kernelSkipReason(["nft", "iptables-restore", "ip6tables-restore"]);
const NS = `pmt-inject-${process.pid}-${randomBytes(3).toString("hex")}`;
const RUNS = 120;

before(() => {
  if (!skip) sh(["ip", "netns", "add", NS]);
});
after(() => {
  if (!skip) sh(["ip", "netns", "del", NS]);
});

/** Hostile pieces the generator mixes with arbitrary text. */
const PIECES = [
  "\n",
  "\r\n",
  "\u2028",
  '"',
  "'",
  "\u2019",
  "`",
  "\\",
  ";",
  "#",
  "}",
  "{",
  "${",
  "%{",
  "[",
  "?",
  "!",
  "\u001b[2J",
  "\u0000",
  "\u202e",
  "\u0085",
  " accept",
  "\naccept\n",
  "Remove-Item -Recurse C:\\",
  "\n-A INPUT -j ACCEPT\n",
  "\naccess-list x extended permit ip any any\n",
  "é",
  "😀",
];
const hostileText = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ unit: "binary", maxLength: 8 })), {
        minLength: 1,
        maxLength: 12,
      })
      .map((a) => a.join("")),
  },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 200, maxLength: 400 }) },
);
const texts: fc.Arbitrary<Texts> = fc.record(
  Object.fromEntries(TEXT_FIELDS.map((f) => [f, hostileText])) as Record<
    (typeof TEXT_FIELDS)[number],
    fc.Arbitrary<string>
  >,
  { requiredKeys: [] },
);
const iface = fc.oneof(
  fc.constantFrom(
    "eth0",
    "eth0.100",
    "veth0@if2",
    "en-p0s3",
    "wg_0",
    'eth0" accept; accept; #',
    "eth+",
    "eth*",
    "a\\b",
    "-i",
    "!x",
    "é1",
    "a#b",
    "a;b",
    "x".repeat(300),
    ".",
    "a/b",
    "a b",
  ),
  fc.string({ unit: "binary", minLength: 1, maxLength: 18 }),
);

/** Kernel checks of the files that exist: the tools refuse what they cannot load. */
function kernelCheck(outputs: Outputs): void {
  const nft = outputs.nftables;
  if (nft && "files" in nft) inNetns(NS, ["nft", "-c", "-f", "-"], nft.files[""]!);
  const ipt = outputs.iptables;
  if (ipt && "files" in ipt) {
    inNetns(NS, ["iptables-restore", "--test"], ipt.files[""]!);
    if (ipt.files[".v6"] !== undefined) inNetns(NS, ["ip6tables-restore", "--test"], ipt.files[".v6"]);
  }
}

/** Asserts that `hostile` holds exactly the rules of `plain`, target by target, file by file. */
function sameRules(hostile: Outputs, plain: Outputs): void {
  for (const [id, h] of Object.entries(hostile) as Array<[TargetId, NonNullable<Outputs[TargetId]>]>) {
    const p = plain[id]!;
    assert.equal("files" in h, "files" in p, `${id}: refused for one text and not the other`);
    if (!("files" in h) || !("files" in p)) continue;
    assert.deepEqual(Object.keys(h.files), Object.keys(p.files), `${id}: other files`);
    for (const [suffix, text] of Object.entries(h.files)) {
      assert.deepEqual(textLimits(id, suffix, text), [], `${id}${suffix}: text limits`);
      assert.equal(
        skeleton(id, suffix, text),
        skeleton(id, suffix, p.files[suffix]!),
        `${id}${suffix}: rules differ`,
      );
    }
  }
}

test(
  "issue 15: no profile text adds, removes or changes a rule (every target; nft -c, iptables-restore --test)",
  { skip },
  () => {
    const plain = {
      host: compileEvery(mustPlan(profileText({}), topologyText("host"))),
      perimeter: compileEvery(mustPlan(profileText({}), topologyText("perimeter"))),
    };
    let checked = 0;
    fc.assert(
      fc.property(texts, fc.constantFrom("host" as const, "perimeter" as const), (t, kind) => {
        const built = build(profileText(t), topologyText(kind));
        if (!built.ok) {
          // Only an empty required text can be refused; it must say where.
          for (const d of built.diagnostics) assert.ok(d.at, `unlocated: ${d.message}`);
          return;
        }
        const outputs = compileEvery(built.plan);
        sameRules(outputs, plain[kind]);
        kernelCheck(outputs);
        checked++;
      }),
      { numRuns: RUNS },
    );
    assert.ok(checked > RUNS / 2, `only ${checked} of ${RUNS} cases compiled`);
  },
);

test(
  "issue 15: an interface name is refused where it is given, refused by a target, or written exactly",
  { skip },
  () => {
    const counts = { boundary: 0, target: 0, written: 0 };
    const plain = compileEvery(mustPlan(profileText({}), topologyText("perimeter", "eth0")));
    fc.assert(
      fc.property(iface, (name) => {
        const built = build(profileText({}), topologyText("perimeter", name));
        if (!built.ok) {
          assert.ok(
            built.diagnostics.some(
              (d) => d.code === "invalid-value" && d.at?.file === "topology.yaml" && d.at.line > 0,
            ),
            `no located refusal of ${JSON.stringify(name)}: ${built.diagnostics.map((d) => d.message).join("; ")}`,
          );
          counts.boundary++;
          return;
        }
        const outputs = compileEvery(built.plan);
        for (const id of ["nftables", "iptables", "pf", "cisco-asa"] as const) {
          const o = outputs[id]!;
          if ("refused" in o) {
            assert.ok(
              o.refused.every((d) => d.code === "compile-unsupported"),
              `${id}: ${o.refused[0]?.message}`,
            );
            counts.target++;
            continue;
          }
          const text = o.files[""]!;
          const shown = id === "nftables" ? `"${name}"` : ` ${name} `;
          assert.ok(
            text.includes(id === "cisco-asa" ? ` interface ${name}\n` : shown),
            `${id}: ${JSON.stringify(name)} not written as given`,
          );
          // The same rules as with eth0, the name in its place.
          const p = plain[id]!;
          assert.ok("files" in p);
          assert.equal(
            skeleton(id, "", text),
            skeleton(id, "", p.files[""]!).split("eth0").join(name),
            `${id}: rules differ`,
          );
          counts.written++;
        }
        kernelCheck(outputs);
      }),
      { numRuns: RUNS },
    );
    // The generator reaches all three outcomes (else the property proves little).
    assert.ok(counts.boundary > 0 && counts.target > 0 && counts.written > 0, JSON.stringify(counts));
  },
);

function mustPlan(profile: string, topology: string) {
  const b = build(profile, topology);
  if (!b.ok) throw new Error(b.diagnostics.map((d) => d.message).join("\n"));
  return b.plan;
}

test(
  "issue 15: arbitrary zone names, addresses and management terms are refused where written or give files the kernel takes",
  { skip },
  () => {
    // Mostly valid values (about 4 cases in 10 compile), with hostile and arbitrary text among them.
    const mostly = (valid: string[], invalid: string[], maxLength: number) =>
      fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...valid) },
        { weight: 1, arbitrary: fc.constantFrom(...invalid) },
        { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength }) },
      );
    const address = mostly(
      ["any", "203.0.113.0/24", "2001:db8::/48", "198.51.100.7"],
      ["::ffff:203.0.113.10", "any\n"],
      24,
    );
    const managementTerm = mostly(
      ["198.51.100.240/28", "2001:db8:f::/48", "203.0.113.99"],
      ["any", "0.0.0.0/0"],
      24,
    );
    const zone = mostly(["dmz2", "a", "x".repeat(48), "z-9"], ["Dmz", "d\nz", "x".repeat(49)], 12);
    let compiled = 0;
    fc.assert(
      fc.property(zone, address, managementTerm, (name, term, management) => {
        const topo = YAML.parse(topologyText("perimeter", "eth0", [management])) as {
          endpoints: Record<string, unknown>;
          firewall: { zones: Record<string, unknown> };
        };
        topo.endpoints.partners = term;
        topo.firewall.zones = { [name]: topo.firewall.zones.dmz, internet: topo.firewall.zones.internet };
        const built = build(profileText({}), YAML.stringify(topo));
        if (!built.ok) {
          for (const d of built.diagnostics)
            assert.ok(d.at && d.at.line > 0, `unlocated ${d.code}: ${d.message}`);
          return;
        }
        const outputs = compileEvery(built.plan);
        for (const [id, o] of Object.entries(outputs) as Array<[TargetId, NonNullable<Outputs[TargetId]>]>)
          if ("files" in o)
            for (const [suffix, text] of Object.entries(o.files))
              assert.deepEqual(textLimits(id, suffix, text), [], `${id}${suffix}`);
        kernelCheck(outputs);
        compiled++;
      }),
      { numRuns: 80 },
    );
    assert.ok(compiled >= 15, `only ${compiled} cases compiled`);
  },
);
