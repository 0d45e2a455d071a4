/**
 * Fuzz, the sample: mutated real files in every file slot of every command that reads files
 * offline, run through the built CLI as a child process with a 256 MB heap. Each must exit 0, 1, 2
 * or 3 — never 70 or a V8 abort — print no stack trace, and stay under 600 MB of peak RSS
 * (/usr/bin/time). The bulk of the mutations runs in readers.test.ts; this proves the whole path
 * (reading, limits, printing) for a sample, junk of 10 MB included. Commands that send packets or
 * bind sockets (probe, listen, lab, serve) are left out. Issue #15.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { CLI, ROOT } from "../cli/run-cli.js";
import { realAudit } from "../report/runs.js";
import { mutate, mutationsArb } from "./mutate.js";

const SEED = 20261202;
const PER_SLOT = Number(process.env.PORTMATRIX_FUZZ_CLI ?? 1);
const MAX_RSS_KB = 600 * 1024;
const TIME = "/usr/bin/time";
const HOST = "examples/legacy/host-topology.yaml";
const PERIMETER = "examples/seed-perimeter.yaml";

const dir = mkdtempSync(join(tmpdir(), "pm-fuzz-cli-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

interface Slot {
  name: string;
  seed: string; // the real file's text
  args: (file: string) => string[];
}

const read = (p: string): string => readFileSync(join(ROOT, p), "utf8");
const audit =
  (format: string, topology = HOST) =>
  (f: string) => ["audit", "-t", topology, "-r", f, "--ruleset-format", format];

const SLOTS: Slot[] = [
  { name: "show PROFILE", seed: read("profiles/lync2013-public-im.yaml"), args: (f) => ["show", f] },
  {
    name: "compile -t TOPOLOGY",
    seed: read(HOST),
    args: (f) => ["compile", "-t", f, "--target", "nftables"],
  },
  {
    name: "audit -r nftables",
    seed: read("examples/legacy/edge-nftables.nft"),
    args: audit("nftables-text"),
  },
  {
    name: "audit -r nftables-json",
    seed: read("test/fixtures/edge-nftables.json"),
    args: audit("nftables-json"),
  },
  {
    name: "audit -r iptables",
    seed: read("examples/legacy/edge-iptables.rules"),
    args: audit("iptables-save"),
  },
  {
    name: "audit -r iptables -S listing",
    seed: read("test/fixtures/iptables-listing/edge-iptables-S.txt"),
    args: audit("iptables-save"),
  },
  {
    name: "audit -r iptables -L display",
    seed: read("test/fixtures/iptables-listing/edge-iptables-L.txt"),
    args: audit("iptables-save"),
  },
  {
    name: "audit -r windows",
    seed: read("examples/legacy/edge-windows.json"),
    args: audit("windows-firewall"),
  },
  {
    name: "audit -r windows-script",
    seed: read("test/compile/golden/seed-host/windows.ps1"),
    args: audit("windows-script"),
  },
  {
    name: "audit -r windows-registry",
    seed: read("examples/legacy/edge-registry.reg"),
    args: audit("windows-registry"),
  },
  {
    name: "audit -r windows-netsh",
    seed: read("examples/legacy/edge-netsh.txt"),
    args: audit("windows-netsh"),
  },
  { name: "audit -r aws", seed: read("examples/legacy/edge-aws.json"), args: audit("aws-security-groups") },
  {
    name: "audit -r asa",
    seed: read("examples/legacy/edge-asa.cfg"),
    args: audit("cisco-asa", "examples/legacy/asa-topology.yaml"),
  },
  {
    name: "audit -r iptables-script",
    seed: read("test/corpus/iptables/Comp8006FirewallGroup__StandAloneFirewall__gateway.sh"),
    args: audit("iptables-script"),
  },
  { name: "audit -r pf", seed: read("test/compile/golden/seed-host/pf.pf.conf"), args: audit("pf") },
  {
    name: "audit -r junos",
    seed: read("test/compile/golden/seed-perimeter/junos.junos.set"),
    args: audit("junos", PERIMETER),
  },
  {
    name: "audit -r panos",
    seed: read("test/compile/golden/seed-perimeter/panos.panos.set"),
    args: audit("panos", PERIMETER),
  },
  {
    name: "audit -r fortios",
    seed: read("test/compile/golden/seed-perimeter/fortios.fortios.conf"),
    args: audit("fortios", PERIMETER),
  },
  {
    name: "audit -r firewalld",
    seed: read("test/fixtures/firewalld/rich/zones/public.xml"),
    args: audit("firewalld"),
  },
  { name: "audit -r ufw", seed: read("test/fixtures/ufw/custom/user.rules"), args: audit("ufw") },
  {
    name: "audit -r (sniffed)",
    seed: read("examples/legacy/edge-nftables.nft"),
    args: (f) => ["audit", "-t", HOST, "-r", f],
  },
  {
    name: "import m365 FEED",
    seed: read("test/fixtures/m365/worldwide-docs-example.json"),
    args: (f) => ["import", "m365", f, "--feed-version", "2024071400"],
  },
  {
    name: "merge RUN",
    seed: read("test/report/fixtures/probe-seed-perimeter.json"),
    args: (f) => ["merge", f],
  },
  {
    name: "report --probe RUN",
    seed: read("test/report/fixtures/probe-seed-perimeter.json"),
    args: (f) => ["report", "-t", PERIMETER, "--probe", f, "-o", join(dir, "r.html")],
  },
  {
    name: "report --audit RUN",
    seed: JSON.stringify(realAudit(), null, 2),
    args: (f) => [
      "report",
      "-t",
      "examples/legacy/asa-topology.yaml",
      "--audit",
      f,
      "-o",
      join(dir, "r.html"),
    ],
  },
  {
    name: "diagram --audit RUN",
    seed: JSON.stringify(realAudit(), null, 2),
    args: (f) => ["diagram", "-t", "examples/legacy/asa-topology.yaml", "--audit", f],
  },
];

function runBounded(args: string[]): {
  status: number | null;
  signal: string | null;
  stderr: string;
  rssKb: number | undefined;
} {
  const rssFile = join(dir, "rss");
  const timed = existsSync(TIME);
  const node = [process.execPath, "--max-old-space-size=256", CLI, ...args];
  const r = spawnSync(timed ? TIME : node[0]!, timed ? ["-f", "%M", "-o", rssFile, ...node] : node.slice(1), {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, PORTMATRIX_AS_OF: "2026-11-25" },
    timeout: 60_000,
    maxBuffer: 64 << 20,
  });
  const rssKb = timed ? Number(readFileSync(rssFile, "utf8").trim().split("\n").pop()) : undefined;
  // /usr/bin/time reports a child killed by a signal as "Command terminated by signal N" and exits 128+N.
  return { status: r.status, signal: r.signal, stderr: r.stderr, rssKb };
}

function check(slot: string, args: string[]): void {
  const r = runBounded(args);
  const what = `${slot}: ${args.join(" ")}`;
  assert.ok(
    r.status !== null && [0, 1, 2, 3].includes(r.status),
    `${what}: exit ${r.status ?? r.signal}\n${r.stderr.slice(0, 2000)}`,
  );
  // A warning of Node's own ("(node:PID) Warning: …") is noise a user cannot act on.
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at \S+ \(|FATAL ERROR|\(node:\d+\) \w*Warning/, what);
  if (r.rssKb !== undefined) assert.ok(r.rssKb < MAX_RSS_KB, `${what}: peak RSS ${r.rssKb} KB`);
}

for (const slot of SLOTS)
  test(`fuzz CLI: ${slot.name} with mutated files`, () => {
    const samples = fc.sample(mutationsArb(slot.seed.length), { seed: SEED, numRuns: PER_SLOT });
    samples.forEach((ms, i) => {
      const file = join(dir, `in-${i}`);
      writeFileSync(file, mutate(slot.seed, ms));
      check(slot.name, slot.args(file));
    });
  });

test("fuzz CLI: 10 MB of junk in the line, JSON and run slots stays bounded", () => {
  const junk = join(dir, "junk");
  // Printable junk with an error on nearly every line: the worst case for diagnostics.
  const line = "Zm9vYmFyIGJheiBxdXV4IDEyMzQ1Njc4OTAgYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo=\n";
  writeFileSync(junk, line.repeat(Math.ceil((10 << 20) / line.length)));
  for (const slot of SLOTS.filter((s) => /audit -r|merge|import/.test(s.name)))
    check(`${slot.name} (20 MB junk)`, slot.args(junk));
});
