/**
 * `portmatrix lab`: the deployment rehearsed on this machine; shell (namespaces, kernel rules,
 * processes). The steps:
 * 1. lab addresses for every endpoint (addresses.ts), written into two derived topologies: one where
 *    only out-of-range addresses are replaced (what the rules are compiled from, `any` stays `any`),
 *    one where every endpoint is its lab hosts (what listen, probe and the audit use);
 * 2. namespaces: host kind — the edge's namespace (its firewall) and one for every other endpoint;
 *    perimeter kind — a firewall namespace routing between one namespace per zone, its interfaces
 *    named as the topology names them (compiled rules match on them);
 * 3. the rules: compiled for --target, or the --ruleset file as it is, loaded with nft -f or
 *    iptables-restore inside the firewall's namespace only (ufw: the compiled commands run by the real
 *    ufw there, on a ufw of its own: ufw.ts);
 * 4. `portmatrix listen` for every destination endpoint, then `portmatrix probe` from every source
 *    endpoint, each in its endpoint's namespace (real processes, real sockets);
 * 5. the audit of the same rules for the same hosts, and the comparison per flow.
 * cleanup() removes every namespace and process it made, whatever happens (the CLI wires signals).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { parse as parseYaml, stringify } from "yaml";
import { audit } from "../audit/audit.js";
import { TARGETS } from "../compile/index.js";
import { makePlan } from "../compile/plan.js";
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { onHost, type BoundTopology } from "../model/flow.js";
import { READERS, sniffFormat, type ReaderName } from "../parse/index.js";
import { notARuleset } from "../parse/not-a-ruleset.js";
import { restoreInputOfDisplay, restoreInputOfListing } from "../parse/iptables-save.js";
import { ProbeOutput, type ProbeResultT } from "../probe/result.js";
import { planListen } from "../listen/plan.js";
import { firewalldDirectory, readText, ufwDirectory } from "../shell/files.js";
import { firewalldAsNft, readFirewalld } from "../parse/firewalld.js";
import { readUfw, ufwAsIptables } from "../parse/ufw.js";
import { loadTopology } from "../shell/load.js";
import { assignLabAddresses, type LabAddress } from "./addresses.js";
import { Netns, sh } from "./netns.js";
import { compareFlows, LAB_OUTPUT_VERSION, natCheck, type LabOutputT } from "./result.js";
import { addressText } from "../space/address.js";
import type { PortRange } from "../space/port.js";
import { inDocRanges } from "./addresses.js";
import { runUfwScript, ufwMissing } from "./ufw.js";

/** Time limit of a probe's service exchange (TLS, SIP, MS-TURN) in the lab; see its use. */
const LAB_SERVICE_TIMEOUT_MS = 10_000;

export interface LabOptions {
  topologyPath: string;
  target: "nftables" | "iptables" | "ufw";
  rulesetPath?: string;
  dropRetired: boolean;
  log: (line: string) => void;
  /** The topology's own warnings (acknowledged open management, NAT advisories …), once loaded. */
  warn?: (diagnostics: readonly Diagnostic[]) => void;
}

export type LabRun =
  { ok: true; output: LabOutputT } | { ok: false; kind: "input" | "environment"; diagnostics: Diagnostic[] };

const CLI = fileURLToPath(new URL("../cli/main.js", import.meta.url));

function envFail(message: string, expected: string): LabRun {
  return {
    ok: false,
    kind: "environment",
    diagnostics: [diag("lab-environment", "error", message, { expected })],
  };
}
/** Above this many ports of both transports, an endpoint's stand-in runs as two processes. */
const SPLIT_LISTEN_PORTS = 8192;

function inputFail(code: string, message: string, expected: string): LabRun {
  return { ok: false, kind: "input", diagnostics: [diag(code, "error", message, { expected })] };
}

/** The topology file with new endpoint bindings (and its profile path made absolute). */
function deriveTopology(
  path: string,
  endpoints: Record<string, string[] | string>,
  dir: string,
  name: string,
): string {
  const doc = parseYaml(readFileSync(path, "utf8")) as Record<string, unknown>;
  const profile = String(doc["profile"]);
  if (/[/\\]|\.ya?ml$/i.test(profile) && !isAbsolute(profile))
    doc["profile"] = resolve(dirname(resolve(path)), profile);
  // The site's own endpoints (site.endpoints) are rebound where they are written.
  const site = doc["site"] as { endpoints?: Record<string, unknown> } | undefined;
  const own = Object.entries(endpoints).filter(
    ([id]) => site?.endpoints && Object.hasOwn(site.endpoints, id),
  );
  if (site?.endpoints) site.endpoints = { ...site.endpoints, ...Object.fromEntries(own) };
  const profileOnes = Object.entries(endpoints).filter(([id]) => !own.some(([o]) => o === id));
  doc["endpoints"] = { ...(doc["endpoints"] as Record<string, unknown>), ...Object.fromEntries(profileOnes) };
  const out = join(dir, name);
  writeFileSync(out, stringify(doc));
  return out;
}

export class Lab {
  readonly net: Netns;
  private dir: string | undefined;

  constructor(private readonly o: LabOptions) {
    this.net = new Netns(`pml${process.pid % 100000}-`);
  }

  async cleanup(): Promise<string[]> {
    const problems = await this.net.cleanup();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    return problems;
  }

  async run(): Promise<LabRun> {
    const t0 = performance.now();
    const o = this.o;
    if (process.platform !== "linux")
      return envFail("the lab needs Linux network namespaces", "a Linux machine");
    if (process.getuid?.() !== 0)
      return envFail(
        "the lab needs root (it creates network namespaces and loads kernel rules)",
        "sudo portmatrix lab …",
      );
    const loaded = loadTopology(o.topologyPath);
    if (!loaded.ok) return { ok: false, kind: "input", diagnostics: loaded.diagnostics };
    o.warn?.(loaded.diagnostics);
    const bound = loaded.value.bound;
    const addresses = assignLabAddresses(bound);
    // IPv6 hosts for `any` endpoints only when some endpoint has IPv6 (else v6 probes test nothing).
    const hasV6 = bound.endpoints.some((e) => e.text.some((x) => x.includes(":")));
    if (!hasV6) for (const a of addresses) a.lab = a.lab.filter((x) => !x.includes(":"));
    const outsideDoc = (bound.nat ?? []).flatMap((n) =>
      n.pairs.filter((p) => !inDocRanges(p.public)).map((p) => `${n.endpoint} (${addressText(p.public)})`),
    );
    if (outsideDoc.length > 0)
      return inputFail(
        "lab-addresses",
        `nat: ${outsideDoc.join(", ")}: the lab only uses documentation addresses, and a public address is not one`,
        "public addresses (nat:) in 198.51.100.0/24, 203.0.113.0/24 or 2001:db8::/32 (a copy of the topology with them replaced)",
      );
    const split = zonesSharingAddresses(bound, addresses);
    if (split !== undefined)
      return inputFail(
        "lab-addresses",
        split,
        "endpoints that share an address in the same zone (one host cannot sit on both sides of the firewall)",
      );
    // An existing ruleset is read before anything is created.
    let rulesetText: string | undefined;
    // A firewalld configuration (its directory, or one of its files): the nft rules firewalld loads
    // for it go into the kernel (firewalld.ts writes them as firewalld 1.3.3 does), the audit reads it.
    let firewalld: Array<{ file: string; text: string }> | undefined;
    // A ufw directory (/etc/ufw): the iptables and ip6tables rules ufw-init loads for it (ufw.ts
    // writes them as ufw 0.36.2 does, /etc/default/ufw's shipped settings assumed).
    let ufw: Array<{ file: string; text: string }> | undefined;
    let ufwTexts: Array<{ family: 4 | 6; text: string }> = [];
    if (o.rulesetPath !== undefined) {
      const fw = firewalldDirectory(o.rulesetPath);
      const ufwFiles = fw?.length === 0 ? ufwDirectory(o.rulesetPath) : undefined;
      for (const file of ufwFiles ?? []) {
        const read = readText(file);
        if (!read.ok) return { ok: false, kind: "input", diagnostics: [read.diagnostic] };
        (ufw ??= []).push({ file, text: read.text });
      }
      const dir = ufw ? [] : fw;
      for (const file of ufw ? [] : (dir ?? [o.rulesetPath])) {
        const read = readText(file);
        if (!read.ok) return { ok: false, kind: "input", diagnostics: [read.diagnostic] };
        if (dir !== undefined || sniffFormat(read.text) === "firewalld")
          (firewalld ??= []).push({ file, text: read.text });
        else rulesetText = read.text;
      }
      if (dir !== undefined && dir.length === 0 && !ufw)
        return inputFail(
          "lab-ruleset",
          `${o.rulesetPath}: a directory without a firewalld or ufw configuration`,
          "an nftables or iptables-save ruleset, firewalld's directory (/etc/firewalld) or ufw's (/etc/ufw)",
        );
      if (ufw) {
        const g = ufwAsIptables(ufw);
        const errors = g.diagnostics.filter((d) => d.severity === "error");
        if (errors.length > 0) return { ok: false, kind: "input", diagnostics: errors };
        o.warn?.(g.diagnostics);
        ufwTexts = g.texts;
      }
      if (firewalld) {
        const g = firewalldAsNft(firewalld);
        const errors = g.diagnostics.filter((d) => d.severity === "error");
        if (errors.length > 0) return { ok: false, kind: "input", diagnostics: errors };
        rulesetText = g.text;
      }
      const mapped = addresses.filter((a) => a.mapped);
      if (mapped.length > 0)
        return inputFail(
          "lab-addresses",
          `${mapped.map((a) => `${a.endpoint} (${a.original.join(", ")})`).join(", ")}: the lab only uses documentation addresses, and an existing ruleset names the real ones`,
          "a topology whose host addresses are in 198.51.100.0/24, 203.0.113.0/24 or 2001:db8::/32 (a copy of the real one with them replaced, and the ruleset edited to match)",
        );
    }
    const existing = this.net.existing();
    if (existing.length > 0)
      return envFail(
        `namespaces ${existing.join(", ")} exist already (another lab run, or one that was killed)`,
        `ip netns del ${existing.join(" ")} once no lab runs`,
      );
    // The pid in the name tells this run's processes from another lab's (tests look for strays).
    this.dir = mkdtempSync(join(tmpdir(), `portmatrix-lab-${process.pid}-`));
    const compileTopo = deriveTopology(
      o.topologyPath,
      Object.fromEntries(addresses.filter((a) => a.mapped).map((a) => [a.endpoint, a.lab])),
      this.dir,
      "compile-topology.yaml",
    );
    const labTopo = deriveTopology(
      o.topologyPath,
      Object.fromEntries(addresses.map((a) => [a.endpoint, a.lab])),
      this.dir,
      "lab-topology.yaml",
    );
    const labLoaded = loadTopology(labTopo);
    if (!labLoaded.ok) return { ok: false, kind: "input", diagnostics: labLoaded.diagnostics };
    const labBound = labLoaded.value.bound;

    // The rules.
    let files: Array<{ suffix: string; text: string }>;
    let ufwScript: string | undefined;
    let reader: ReaderName;
    let rulesLabel: string;
    if (o.rulesetPath !== undefined && ufw) {
      // Nothing loaded when ufw is not enabled (said as a warning above): an empty filter table.
      files = ufwTexts.length
        ? ufwTexts.map((t) => ({ suffix: t.family === 6 ? ".v6" : "", text: t.text }))
        : [{ suffix: "", text: "*filter\nCOMMIT\n" }];
      reader = "iptables-save";
      rulesLabel = o.rulesetPath;
    } else if (o.rulesetPath !== undefined && rulesetText !== undefined) {
      const text = rulesetText;
      const format = firewalld ? "nftables-text" : sniffFormat(text);
      if (format !== "nftables-text" && format !== "iptables-save") {
        const not = format === undefined ? notARuleset(text) : undefined;
        return inputFail(
          "lab-ruleset",
          `${o.rulesetPath}: the lab loads nftables (nft list ruleset) or iptables-save rulesets into the kernel; this is ${format ?? not?.what ?? "neither"}`,
          not
            ? `an nftables or iptables-save ruleset: ${not.instead}`
            : "an nftables or iptables-save ruleset",
        );
      }
      // A ruleset that does not read is bad input (exit 2), said before any namespace exists — not a
      // kernel refusal later (exit 3). The iptables reader also tells an ip6tables-save file by its
      // content; it goes to ip6tables-restore.
      const read = READERS[format](text, o.rulesetPath);
      const errors = read.diagnostics.filter((d) => d.severity === "error");
      if (errors.length > 0) return { ok: false, kind: "input", diagnostics: errors };
      const tables = format === "iptables-save" ? read.ruleset.tables : [];
      const v6 = tables.length > 0 && tables.every((tb) => tb.family === "ip6");
      // An `iptables -S` listing or an `iptables -L -n -v` display names no tables: iptables-restore
      // is given them.
      const listed =
        format === "iptables-save" ? (restoreInputOfListing(text) ?? restoreInputOfDisplay(text)) : undefined;
      files = [{ suffix: v6 ? ".v6" : "", text: listed ?? text }];
      reader = format;
      rulesLabel = o.rulesetPath;
    } else {
      const cl = loadTopology(compileTopo);
      if (!cl.ok) return { ok: false, kind: "input", diagnostics: cl.diagnostics };
      const plan = makePlan(cl.value.bound, { dropRetired: o.dropRetired });
      if (!plan.ok) return { ok: false, kind: "input", diagnostics: plan.diagnostics };
      const compiled = TARGETS[o.target].compile(plan.plan);
      if (!compiled.ok) return { ok: false, kind: "input", diagnostics: compiled.diagnostics };
      files = compiled.files;
      reader = o.target === "nftables" ? "nftables-text" : "iptables-save";
      rulesLabel = `${o.target} compiled by portmatrix${o.dropRetired ? " (--drop-retired)" : ""}`;
      if (o.target === "ufw") {
        const missing = ufwMissing();
        if (missing) return envFail(`lab --target ufw runs the real ufw: ${missing}`, "apt-get install ufw");
        // The script is run by ufw once the namespaces exist; what it loads is then read back.
        ufwScript = files[0]!.text;
        files = [];
        rulesLabel = `ufw commands compiled by portmatrix, run by ufw${o.dropRetired ? " (--drop-retired)" : ""}`;
      }
    }

    // Namespaces. A failing `ip` here is the machine's doing (no netns support, a link name taken):
    // said in one line with what failed, not as a crash.
    let nsOf: Map<string, string>;
    try {
      nsOf = this.buildNetwork(labBound, addresses);
    } catch (e) {
      return envFail(
        `building the lab network failed: ${(e as Error).message.split("\n").slice(0, 2).join(" ").trim()}`,
        "iproute2 with network namespace and veth support (scripts/setup.sh), run as root",
      );
    }
    const fwNs =
      labBound.firewall.kind === "host" ? nsOf.get(labBound.firewall.host)! : `${this.net.prefix}fw`;
    if (ufwScript !== undefined) {
      try {
        const loaded = runUfwScript(this.net, fwNs, this.dir, ufwScript);
        files = [
          { suffix: "", text: loaded.v4 },
          { suffix: ".v6", text: loaded.v6 },
        ];
      } catch (e) {
        return envFail(
          `ufw did not take the compiled commands: ${(e as Error).message.split("\n").slice(0, 3).join(" ")}`,
          "ufw 0.36 (Debian 12, Ubuntu 22.04 or later) and util-linux's unshare",
        );
      }
    }
    for (const f of ufwScript === undefined ? files : []) {
      const cmd =
        reader === "nftables-text"
          ? ["nft", "-f", "-"]
          : [f.suffix === ".v6" ? "ip6tables-restore" : "iptables-restore"];
      try {
        this.net.exec(fwNs, cmd, f.text);
      } catch (e) {
        const why = (e as Error).message.split("\n").slice(0, 3).join(" ");
        // The user's own ruleset refused by the kernel is bad input; our compiled one is not.
        if (o.rulesetPath !== undefined && !/ENOENT|not found/.test(why))
          return inputFail(
            "lab-ruleset",
            `${o.rulesetPath}: the kernel refused the ruleset: ${why}`,
            `a ruleset ${cmd[0]} accepts`,
          );
        return envFail(
          `loading the rules into the lab's firewall failed: ${why}`,
          `${cmd[0]} installed (scripts/setup.sh), and rules it accepts`,
        );
      }
    }
    o.log(`rules loaded into ${fwNs}: ${rulesLabel}`);

    // Flows the lab checks.
    const flows = labBound.flows.filter(
      (f) => f.active && !(o.dropRetired && o.rulesetPath === undefined && f.retired),
    );
    const includeRetired = flows.some((f) => f.retired);

    // Stand-ins.
    // One listener per endpoint address: 10,000 media ports on two families would pass a common
    // open-file limit (20,000) in one process.
    const destinations = [...new Set(flows.map((f) => f.to))];
    for (const id of destinations) {
      // A stand-in with both full media ranges (SfB: 10,000 TCP and 10,000 UDP ports) needs more
      // sockets than one process may open where the hard limit is ~20,000: one process per transport.
      const planned = planListen(labBound, id);
      const ports = planned.ok ? planned.plan.ports : [];
      const tcp = ports.filter((p) => p.transport === "tcp").length;
      const udp = ports.length - tcp;
      const parts =
        tcp > 0 && udp > 0 && ports.length > SPLIT_LISTEN_PORTS
          ? [
              ["--transport", "tcp"],
              ["--transport", "udp"],
            ]
          : [[]];
      for (const address of addresses.find((a) => a.endpoint === id)!.lab)
        for (const part of parts) {
          const args = [
            "listen",
            "-t",
            labTopo,
            "--as",
            id,
            "--address",
            address,
            ...part,
            "--format",
            "json",
            "--for",
            "600",
          ];
          const child = this.net.spawn(nsOf.get(id)!, [process.execPath, ...process.execArgv, CLI, ...args]);
          const ready = await firstLine(child, 30_000);
          if (!ready.ok)
            return envFail(
              `listen --as ${id} did not start: ${ready.error}`,
              "the lab's namespaces working (ip netns exec)",
            );
          const info = JSON.parse(ready.line) as {
            failed: Array<{ address: string; transport: string; port: number; code: string }>;
          };
          if (info.failed.length > 0)
            return envFail(
              `listen --as ${id} could not bind ${info.failed
                .slice(0, 3)
                .map((f) => `${f.transport} ${f.address}:${f.port} (${f.code})`)
                .join(", ")}`,
              "free ports in the lab namespace",
            );
          o.log(`listening as ${id} on ${address} in ${nsOf.get(id)}`);
        }
    }

    // Probes, one vantage point after the other (they would compete for the CPU).
    const results: ProbeResultT[] = [];
    for (const id of [...new Set(flows.map((f) => f.from))]) {
      const out = join(this.dir, `probe-${id}.json`);
      const args = [
        "probe",
        "-t",
        labTopo,
        "--from",
        id,
        "--responders",
        "--format",
        "json",
        "-o",
        out,
        "--no-progress",
        // The stand-in responders answer at once unless the machine is busy: under a load of ~5 an
        // MS-TURN-over-TCP exchange once took past the default 3 s, and a flow the rules allow
        // was reported blocked. An exchange runs only on a connection the firewall let through,
        // so a longer limit changes no verdict of the firewall's, only waits longer for a
        // responder that is not there.
        "--service-timeout",
        String(LAB_SERVICE_TIMEOUT_MS),
        ...(includeRetired ? ["--include-retired"] : []),
      ];
      const child: Child = this.net.spawn(nsOf.get(id)!, [
        process.execPath,
        ...process.execArgv,
        CLI,
        ...args,
      ]);
      const code = await exited(child, 300_000);
      if (code !== 0 && code !== 1)
        return envFail(
          `probe --from ${id} ended with ${code}: ${child.stderrText ?? ""}`,
          "a working probe in the lab namespace",
        );
      const parsed = ProbeOutput.parse(JSON.parse(readFileSync(out, "utf8")));
      results.push(...parsed.results.map((r) => ({ ...r, from: id })));
      o.log(`probed from ${id}: ${parsed.summary.ok}/${parsed.summary.total} as expected`);
    }

    // The audit of the same rules for the same hosts.
    const parsedRules = firewalld
      ? [readFirewalld(firewalld)]
      : ufw
        ? [readUfw(ufw)]
        : files.map((f) => READERS[reader](f.text, o.rulesetPath ?? `${o.target}${f.suffix}`));
    const elsewhere = new Map<string, string>();
    // The ephemeral ports each client namespace connects from (net.ipv4.ip_local_port_range, per
    // namespace; IPv6 takes the same range).
    const ranges = new Map<string, PortRange | undefined>();
    const clientPorts = (id: string): PortRange | undefined => {
      const ns = nsOf.get(id);
      if (ns === undefined) return undefined;
      if (!ranges.has(ns)) {
        const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(
          this.net.exec(ns, ["cat", "/proc/sys/net/ipv4/ip_local_port_range"]),
        );
        ranges.set(ns, m ? { from: Number(m[1]), to: Number(m[2]) } : undefined);
      }
      return ranges.get(ns);
    };
    const report = audit(asBuilt(labBound, o.log, clientPorts), parsedRules, {
      redirected: (flow, to) => void elsewhere.set(flow, to),
    });
    const compared = compareFlows(
      flows.map((f) => ({
        id: f.id,
        from: f.from,
        to: f.to,
        transport: f.transport,
        ports: f.ports,
        retired: f.retired,
        ...(f.origin ? { origin: f.origin } : {}),
      })),
      results,
      report,
      elsewhere,
    );
    const nat = this.natChecks(labBound, results);
    const output: LabOutputT = {
      version: LAB_OUTPUT_VERSION,
      topology: o.topologyPath,
      profile: bound.profileId,
      firewall: { kind: bound.firewall.kind, rules: rulesLabel },
      addresses: addresses.map((a: LabAddress) => ({ ...a })),
      flows: compared,
      ...(nat.length > 0 ? { nat } : {}),
      summary: {
        flows: compared.length,
        allowed: compared.filter((f) => f.probe === "allowed").length,
        disagreements: compared.filter((f) => !f.agree).length,
        durationMs: Math.round(performance.now() - t0),
      },
    };
    return { ok: true, output };
  }

  /**
   * The static NAT proven by STUN: for each NAT pair whose endpoint sent STUN to a host outside its
   * zone, the addresses the STUN servers there saw. Pairs without such a probe are not listed.
   */
  private natChecks(t: BoundTopology, results: readonly ProbeResultT[]): NonNullable<LabOutputT["nat"]> {
    const fw = t.firewall;
    if (fw.kind !== "perimeter") return [];
    const zoneOf = (id: string) => fw.zones.find((z) => z.endpoints.includes(id))?.name;
    const out: NonNullable<LabOutputT["nat"]> = [];
    for (const n of t.nat ?? [])
      for (const p of n.pairs) {
        const pair = { endpoint: n.endpoint, private: addressText(p.private), public: addressText(p.public) };
        if (out.some((x) => x.private === pair.private && x.public === pair.public)) continue;
        const mine = results.filter(
          (r) =>
            r.from === n.endpoint &&
            r.stun !== undefined &&
            zoneOf(r.to) !== zoneOf(n.endpoint) &&
            r.target.includes(":") === (p.family === 6),
        );
        if (mine.length > 0) out.push(natCheck(pair, mine));
      }
    return out;
  }

  /** Namespaces, links, addresses and routes; returns the namespace of every endpoint. */
  private buildNetwork(t: BoundTopology, addresses: LabAddress[]): Map<string, string> {
    const net = this.net;
    const hostsOf = new Map(addresses.map((a) => [a.endpoint, a.lab]));
    const nsOf = new Map<string, string>();
    // Endpoints may share addresses (a consolidated edge's services on one IP): each address is
    // configured once, in the namespace of the first endpoint that has it.
    const placed = new Set<string>();
    if (t.firewall.kind === "host") {
      const fw = t.firewall;
      const edge = net.add("edge");
      // One namespace of peers per interface the topology gives the host (eth0 when it names none),
      // joined to the edge by a veth of that name: a rule naming the interface sees the packets
      // the audit judges on it. A peer no interface names is reached through the first.
      const nics = fw.interfaces?.map((i) => i.name) ?? ["eth0"];
      const peersOf = new Map(
        nics.map((nic, k) => {
          const peers = net.add(k === 0 ? "peers" : `peers${k}`);
          net.link(edge, nic, peers, "eth0");
          return [nic, peers] as const;
        }),
      );
      const nicOf = (id: string): string =>
        fw.interfaces?.find((i) => i.endpoints.includes(id))?.name ?? nics[0]!;
      const prefix = (a: string): string => (a.includes(":") ? `${a}/128` : `${a}/32`);
      // The host's endpoints first (the host, and those on its addresses: model/flow.ts onHost), so
      // a shared address always lands in the edge's namespace.
      const ordered = [...t.endpoints].sort((a, b) => Number(onHost(t, b.id)) - Number(onHost(t, a.id)));
      for (const e of ordered) {
        const local = onHost(t, e.id);
        const nic = nicOf(e.id);
        const ns = local ? edge : peersOf.get(nic)!;
        nsOf.set(e.id, ns);
        for (const a of hostsOf.get(e.id)!) {
          if (placed.has(a)) continue;
          placed.add(a);
          if (!local) {
            net.addAddress(ns, "eth0", a);
            net.route(edge, prefix(a), nic);
            continue;
          }
          // The host's addresses on each of its interfaces: a peer finds them on its own link
          // (IPv6 neighbour discovery answers only for an address of the interface asked).
          for (const [n, peers] of peersOf) {
            net.addAddress(edge, n, a);
            net.route(peers, prefix(a), "eth0");
          }
        }
      }
      return nsOf;
    }
    const fw = net.add("fw");
    net.exec(fw, ["sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"]);
    t.firewall.zones.forEach((zone, k) => {
      const z = net.add(`z${k}`);
      net.link(fw, zone.interface, z, "eth0");
      // Proxy ARP answers for the other zones' hosts, at once (the default proxy_delay of up to
      // 0.8 s outlasts a probe's first timeout).
      net.exec(fw, [
        "sysctl",
        "-qw",
        // Slash-separated keys: a dot in a VLAN name (eth0.100) would split a dotted key.
        `net/ipv4/conf/${zone.interface}/proxy_arp=1`,
        `net/ipv4/neigh/${zone.interface}/proxy_delay=0`,
      ]);
      sh(["ip", "-n", fw, "-6", "addr", "add", "fe80::1/64", "dev", zone.interface, "nodad"]);
      sh(["ip", "-n", z, "route", "add", "default", "dev", "eth0"]);
      sh(["ip", "-n", z, "-6", "route", "add", "default", "via", "fe80::1", "dev", "eth0"]);
      for (const id of zone.endpoints) {
        nsOf.set(id, z);
        for (const a of hostsOf.get(id)!) {
          if (placed.has(a)) continue; // another endpoint of this zone has it (zonesSharingAddresses)
          placed.add(a);
          net.addAddress(z, "eth0", a);
          net.route(fw, a.includes(":") ? `${a}/128` : `${a}/32`, zone.interface);
        }
        // A public address (static NAT) is routed towards its endpoint's zone too, so the other
        // zones' hosts reach it by the firewall's proxy ARP; the firewall's NAT does the rest.
        for (const p of t.nat?.find((n) => n.endpoint === id)?.pairs ?? []) {
          const a = addressText(p.public);
          if (placed.has(a)) continue;
          placed.add(a);
          net.route(fw, a.includes(":") ? `${a}/128` : `${a}/32`, zone.interface);
        }
      }
    });
    return nsOf;
  }
}

/** A lab address that endpoints in two different zones share (a perimeter cannot place it), said once. */
function zonesSharingAddresses(t: BoundTopology, addresses: readonly LabAddress[]): string | undefined {
  if (t.firewall.kind !== "perimeter") return undefined;
  const zoneOf = new Map<string, string>();
  for (const z of t.firewall.zones) for (const id of z.endpoints) zoneOf.set(id, z.name);
  const seen = new Map<string, { endpoint: string; zone: string }>();
  for (const a of addresses)
    for (const x of a.lab) {
      const zone = zoneOf.get(a.endpoint);
      if (zone === undefined) continue;
      const first = seen.get(x);
      if (first === undefined) seen.set(x, { endpoint: a.endpoint, zone });
      else if (first.zone !== zone)
        return `${x} is ${first.endpoint}'s (zone ${first.zone}) and ${a.endpoint}'s (zone ${zone})`;
    }
  return undefined;
}

type Child = import("node:child_process").ChildProcess & { stderrText?: string };

function firstLine(
  child: Child,
  timeoutMs: number,
): Promise<{ ok: true; line: string } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    let out = "";
    let err = "";
    const timer = setTimeout(
      () => resolve({ ok: false, error: `no answer in ${timeoutMs / 1000} s` }),
      timeoutMs,
    );
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        resolve({ ok: true, line: out.slice(0, nl) });
      }
    });
    child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ ok: false, error: `exited ${code}: ${err.trim().split("\n").slice(0, 3).join(" ")}` });
    });
  });
}

function exited(child: Child, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    let err = "";
    child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
    child.stdout!.resume();
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      child.stderrText = err.trim().split("\n").slice(0, 5).join(" ");
      resolve(code ?? 128);
    });
  });
}

/**
 * The topology as the lab built it, for the audit beside the probes:
 * - a host whose topology names no interfaces gets one, eth0, for every peer (buildNetwork) —
 *   judged on every interface, a rule on `eth0` made the audit say `partial` where the lab's only
 *   interface passes every packet, a difference of the model, not of the engine;
 * - a flow whose row names no source ports starts its connections from the client's ephemeral
 *   ports (`clientPorts`: the range of the namespace it is probed from), as the probe's do — judged
 *   from every port, a rule on replies to client port 1234 made the audit say `partial` where no
 *   lab connection ever used that port.
 */
function asBuilt(
  t: BoundTopology,
  log: (line: string) => void,
  clientPorts: (endpoint: string) => PortRange | undefined,
): BoundTopology {
  const fw = t.firewall;
  const flows = t.flows.map((f) => {
    if (f.sourcePorts !== undefined) return f;
    const ports = clientPorts(f.from);
    return ports ? { ...f, sourcePorts: [ports] } : f;
  });
  if (fw.kind !== "host" || fw.interfaces) return { ...t, flows };
  log(
    `the topology names no interfaces of ${fw.host}: the lab gives it one, eth0, and audits that (firewall.interfaces)`,
  );
  const peers = t.endpoints.map((e) => e.id).filter((id) => id !== fw.host);
  return { ...t, flows, firewall: { ...fw, interfaces: [{ name: "eth0", endpoints: peers }] } };
}
