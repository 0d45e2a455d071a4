/**
 * Compiled rules in a real kernel (issue 3): the nftables and iptables output for the seed's host
 * and perimeter topologies is loaded into network namespaces built from documentation addresses,
 * listeners stand where the flows go, and real connections show that every flow of the matrix
 * passes in its direction with its replies (a TCP answer or a UDP echo came back), while a sample
 * of ports the matrix does not name is dropped in both directions. Before loading, `nft -c` and
 * `iptables-restore --test` check the files.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { TARGETS } from "../../src/compile/index.js";
import { makePlan } from "../../src/compile/plan.js";
import { loadTopology } from "../../src/shell/load.js";
import { ROOT } from "../cli/run-cli.js";
import { kernelSkipReason, sh } from "../kernel/netns.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const NET = [join(HERE, "net.mjs"), join(ROOT, "test", "compile", "net.mjs")].find((p) => existsSync(p))!;
const skip = kernelSkipReason(["nft", "iptables-restore", "ip6tables-restore"]);

type Proto = "tcp" | "udp";
interface Check {
  proto: Proto;
  port: number;
  want: "open" | "filtered";
}

/** Seeded sample of ports outside the matrix (deterministic). */
function sample(seed: number, n: number, avoid: (p: number) => boolean): number[] {
  let x = seed;
  const out: number[] = [];
  while (out.length < n) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const p = 1 + (x % 65535);
    if (!avoid(p) && !out.includes(p)) out.push(p);
  }
  return out;
}

const media = (p: number) => p >= 50000 && p <= 59999;
// Towards the edge: the matrix allows 5061, 443 (tcp) and 3478 (udp).
const INBOUND: Check[] = [
  { proto: "tcp", port: 5061, want: "open" },
  { proto: "tcp", port: 443, want: "open" },
  { proto: "udp", port: 3478, want: "open" },
  ...[22, 80, 3389, 5060, 50000, 59999].map((port): Check => ({ proto: "tcp", port, want: "filtered" })),
  ...sample(7, 8, (p) => p === 5061 || p === 443).map((port): Check => ({
    proto: "tcp",
    port,
    want: "filtered",
  })),
  ...[53, 3479, 5061].map((port): Check => ({ proto: "udp", port, want: "filtered" })),
  ...sample(11, 4, (p) => p === 3478).map((port): Check => ({ proto: "udp", port, want: "filtered" })),
];
// From the edge: 5061 and 50000-59999 (tcp) and 3478 (udp).
const OUTBOUND: Check[] = [
  ...[5061, 50000, 54321, 59999].map((port): Check => ({ proto: "tcp", port, want: "open" })),
  { proto: "udp", port: 3478, want: "open" },
  ...[22, 80, 443, 49999, 60000, 5060].map((port): Check => ({ proto: "tcp", port, want: "filtered" })),
  ...sample(13, 8, (p) => p === 5061 || media(p)).map((port): Check => ({
    proto: "tcp",
    port,
    want: "filtered",
  })),
  ...[53, 50000].map((port): Check => ({ proto: "udp", port, want: "filtered" })),
];

class Lab {
  readonly id = randomBytes(3).toString("hex");
  readonly namespaces: string[] = [];
  private readonly children: ChildProcess[] = [];
  ns(name: string): string {
    const n = `pmt-${name}-${this.id}`;
    sh(["ip", "netns", "add", n]);
    this.namespaces.push(n);
    sh(["ip", "-n", n, "link", "set", "lo", "up"]);
    return n;
  }
  run(ns: string, cmd: string[], input?: string): string {
    return sh(["ip", "netns", "exec", ns, ...cmd], input);
  }
  link(a: string, aIf: string, b: string, bIf: string): void {
    sh(["ip", "link", "add", `pmt${this.id}a`, "type", "veth", "peer", "name", `pmt${this.id}b`]);
    sh(["ip", "link", "set", `pmt${this.id}a`, "netns", a, "name", aIf]);
    sh(["ip", "link", "set", `pmt${this.id}b`, "netns", b, "name", bIf]);
    // No duplicate address detection: a tentative link-local address delays neighbour discovery.
    for (const [ns, dev] of [
      [a, aIf],
      [b, bIf],
    ] as const) {
      this.run(ns, ["sysctl", "-qw", `net.ipv6.conf.${dev}.accept_dad=0`]);
      sh(["ip", "-n", ns, "link", "set", dev, "up"]);
    }
  }
  addr(ns: string, dev: string, cidr: string): void {
    sh(["ip", "-n", ns, "addr", "add", cidr, "dev", dev, ...(cidr.includes(":") ? ["nodad"] : [])]);
  }
  route(ns: string, via: string): void {
    sh(["ip", "-n", ns, ...(via.includes(":") ? ["-6"] : []), "route", "add", "default", "via", via]);
  }
  async listen(ns: string, checks: readonly Check[]): Promise<void> {
    const specs = [...new Set(checks.map((c) => `${c.proto}:${c.port}`))].join(",");
    const child = spawn("ip", ["netns", "exec", ns, process.execPath, NET, "listen", specs], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    this.children.push(child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`listener in ${ns} not ready`)), 10_000);
      child.stdout!.on("data", (d: Buffer) => {
        if (d.toString().includes("ready")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on("exit", (code) => reject(new Error(`listener in ${ns} exited ${code}`)));
    });
  }
  probe(ns: string, host: string, checks: readonly Check[]): string[] {
    const out = JSON.parse(
      this.run(ns, [
        process.execPath,
        NET,
        "probe",
        JSON.stringify(checks.map((c) => ({ proto: c.proto, host, port: c.port }))),
      ]),
    ) as Array<{ proto: string; port: number; state: string }>;
    return out.map((r) => `${r.proto}/${r.port} ${r.state}`);
  }
  close(): void {
    for (const c of this.children) if (c.pid && c.exitCode === null) c.kill("SIGTERM");
    for (const n of this.namespaces) {
      try {
        sh(["ip", "netns", "del", n]);
      } catch {
        /* already gone */
      }
    }
  }
}

function compiled(topology: string, target: "nftables" | "iptables") {
  const t = loadTopology(join(ROOT, "examples", topology));
  assert.ok(t.ok);
  const plan = makePlan(t.value.bound, { dropRetired: false });
  assert.ok(plan.ok);
  const r = TARGETS[target].compile(plan.plan);
  assert.ok(r.ok);
  return r.files;
}

function load(
  lab: Lab,
  ns: string,
  target: "nftables" | "iptables",
  files: ReturnType<typeof compiled>,
): void {
  const dir = mkdtempSync(join(tmpdir(), "pmt-rules-"));
  try {
    for (const f of files) writeFileSync(join(dir, `rules${f.suffix}`), f.text);
    if (target === "nftables") {
      lab.run(ns, ["nft", "-c", "-f", join(dir, "rules")]);
      lab.run(ns, ["nft", "-f", join(dir, "rules")]);
      return;
    }
    for (const f of files) {
      const tool = f.suffix === ".v6" ? "ip6tables-restore" : "iptables-restore";
      lab.run(ns, [tool, "--test", join(dir, `rules${f.suffix}`)]);
      lab.run(ns, [tool, join(dir, `rules${f.suffix}`)]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const expect = (checks: readonly Check[]) => checks.map((c) => `${c.proto}/${c.port} ${c.want}`);

for (const target of ["nftables", "iptables"] as const) {
  test(
    `${target}, host kind: the edge's own firewall in a real kernel`,
    { skip, timeout: 60_000 },
    async () => {
      const lab = new Lab();
      try {
        const edge = lab.ns("edge");
        const peer = lab.ns("peer");
        lab.link(edge, "eth0", peer, "eth0");
        lab.addr(edge, "eth0", "203.0.113.10/24");
        lab.addr(peer, "eth0", "203.0.113.20/24");
        load(lab, edge, target, compiled("seed-host.yaml", target));
        await lab.listen(edge, INBOUND);
        await lab.listen(peer, OUTBOUND);
        assert.deepEqual(lab.probe(peer, "203.0.113.10", INBOUND), expect(INBOUND));
        assert.deepEqual(lab.probe(edge, "203.0.113.20", OUTBOUND), expect(OUTBOUND));
      } finally {
        lab.close();
      }
    },
  );

  test(
    `${target}, perimeter kind: forwarding between zones in a real kernel (IPv4 and IPv6)`,
    { skip, timeout: 60_000 },
    async () => {
      const lab = new Lab();
      try {
        const inet = lab.ns("inet");
        const fw = lab.ns("fw");
        const dmz = lab.ns("dmz");
        lab.link(inet, "eth0", fw, "eth0");
        lab.link(dmz, "eth0", fw, "eth1");
        for (const [ns, dev, a] of [
          [inet, "eth0", "198.51.100.20/24"],
          [inet, "eth0", "2001:db8:1::20/64"],
          [fw, "eth0", "198.51.100.1/24"],
          [fw, "eth0", "2001:db8:1::1/64"],
          [fw, "eth1", "203.0.113.1/24"],
          [fw, "eth1", "2001:db8:10::1/64"],
          [dmz, "eth0", "203.0.113.10/24"],
          [dmz, "eth0", "2001:db8:10::10/64"],
        ] as const)
          lab.addr(ns, dev, a);
        lab.route(inet, "198.51.100.1");
        lab.route(inet, "2001:db8:1::1");
        lab.route(dmz, "203.0.113.1");
        lab.route(dmz, "2001:db8:10::1");
        lab.run(fw, ["sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"]);
        load(lab, fw, target, compiled("seed-perimeter.yaml", target));
        await lab.listen(dmz, INBOUND);
        await lab.listen(inet, OUTBOUND);
        for (const host of ["203.0.113.10", "2001:db8:10::10"])
          assert.deepEqual(lab.probe(inet, host, INBOUND), expect(INBOUND), host);
        for (const host of ["198.51.100.20", "2001:db8:1::20"])
          assert.deepEqual(lab.probe(dmz, host, OUTBOUND), expect(OUTBOUND), host);
      } finally {
        lab.close();
      }
    },
  );
}

/**
 * Issue 17: an IPv4-only topology's rules must close IPv6 too. The seed host topology has no IPv6
 * address; both hosts get one here. Before the rules are loaded every IPv6 probe passes (so the
 * test can fail); after, IPv4 still passes and all six IPv6 probes — three the matrix allows over
 * IPv4, three it does not, in both directions — are dropped.
 */
const V6_IN: Check[] = [
  { proto: "tcp", port: 5061, want: "filtered" },
  { proto: "tcp", port: 443, want: "filtered" },
  { proto: "udp", port: 3478, want: "filtered" },
  { proto: "tcp", port: 22, want: "filtered" },
];
const V6_OUT: Check[] = [
  { proto: "tcp", port: 5061, want: "filtered" },
  { proto: "udp", port: 3478, want: "filtered" },
];
const opened = (checks: readonly Check[]) => checks.map((c) => `${c.proto}/${c.port} open`);

for (const target of ["nftables", "iptables"] as const) {
  test(
    `${target}, host kind, IPv4-only topology: IPv6 is dropped in a real kernel`,
    { skip, timeout: 60_000 },
    async () => {
      const lab = new Lab();
      try {
        const edge = lab.ns(`edge-v6-${process.pid}`);
        const peer = lab.ns(`edge-v6p-${process.pid}`);
        lab.link(edge, "eth0", peer, "eth0");
        for (const [ns, a] of [
          [edge, "203.0.113.10/24"],
          [edge, "2001:db8:17::10/64"],
          [peer, "203.0.113.20/24"],
          [peer, "2001:db8:17::20/64"],
        ] as const)
          lab.addr(ns, "eth0", a);
        await lab.listen(edge, [...INBOUND, ...V6_IN]);
        await lab.listen(peer, [...OUTBOUND, ...V6_OUT]);
        assert.deepEqual(lab.probe(peer, "2001:db8:17::10", V6_IN), opened(V6_IN), "no rules yet");
        assert.deepEqual(lab.probe(edge, "2001:db8:17::20", V6_OUT), opened(V6_OUT), "no rules yet");
        const files = compiled("seed-host.yaml", target);
        load(lab, edge, target, files);
        assert.deepEqual(lab.probe(peer, "203.0.113.10", INBOUND.slice(0, 3)), expect(INBOUND.slice(0, 3)));
        assert.deepEqual(lab.probe(peer, "2001:db8:17::10", V6_IN), expect(V6_IN));
        assert.deepEqual(lab.probe(edge, "2001:db8:17::20", V6_OUT), expect(V6_OUT));
      } finally {
        lab.close();
      }
    },
  );
}

/**
 * Issue 17: the operator's options in a real kernel. The seed host topology with `compile:` reject
 * for inbound, counters, an own table name and priority, and a rate-limited log: inbound ports the
 * matrix does not name are refused (a reset or port-unreachable comes back: "closed") instead of
 * timing out, outbound ones still time out (no reject asked), the matrix's ports still pass; with
 * nftables the named table carries counters that counted the allowed connections.
 */
const OPTIONS_IN: Check[] = [
  { proto: "tcp", port: 5061, want: "open" },
  { proto: "udp", port: 3478, want: "open" },
];
const REJECTED_IN: Check[] = [
  { proto: "tcp", port: 22, want: "filtered" },
  { proto: "udp", port: 53, want: "filtered" },
];
const closed = (checks: readonly Check[]) => checks.map((c) => `${c.proto}/${c.port} closed`);

for (const target of ["nftables", "iptables"] as const) {
  test(
    `${target}, compile options: reject inbound, counters, own table name and priority, log`,
    { skip, timeout: 60_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "pmt-opts-"));
      const lab = new Lab();
      try {
        const topo = join(dir, "opts.yaml");
        writeFileSync(
          topo,
          readFileSync(join(ROOT, "examples", "seed-host.yaml"), "utf8") +
            "compile: {reject: [in], counters: true, name: edgefw, priority: 10, log: {rate: 2/second, prefix: 'edge drop: '}}\n",
        );
        const t = loadTopology(topo);
        assert.ok(t.ok, JSON.stringify(!t.ok && t.diagnostics));
        const plan = makePlan(t.value.bound, { dropRetired: false });
        assert.ok(plan.ok);
        const out = TARGETS[target].compile(plan.plan);
        assert.ok(out.ok);
        const edge = lab.ns(`edge-opt-${process.pid}`);
        const peer = lab.ns(`edge-optp-${process.pid}`);
        lab.link(edge, "eth0", peer, "eth0");
        lab.addr(edge, "eth0", "203.0.113.10/24");
        lab.addr(peer, "eth0", "203.0.113.20/24");
        load(lab, edge, target, out.files);
        await lab.listen(edge, [...OPTIONS_IN, ...REJECTED_IN]);
        await lab.listen(peer, OUTBOUND);
        assert.deepEqual(lab.probe(peer, "203.0.113.10", OPTIONS_IN), expect(OPTIONS_IN));
        assert.deepEqual(lab.probe(peer, "203.0.113.10", REJECTED_IN), closed(REJECTED_IN));
        assert.deepEqual(lab.probe(edge, "203.0.113.20", OUTBOUND), expect(OUTBOUND));
        if (target === "nftables") {
          const listing = lab.run(edge, ["nft", "list", "table", "inet", "edgefw"]);
          assert.match(listing, /type filter hook input priority filter \+ 10; policy drop;/);
          assert.match(listing, /tcp dport 5061 counter packets [1-9]\d* bytes \d+ accept/);
          assert.match(listing, /log prefix "edge drop: "/);
        } else assert.match(lab.run(edge, ["iptables-save"]), /-j LOG --log-prefix "edge drop: "/);
      } finally {
        lab.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
}
