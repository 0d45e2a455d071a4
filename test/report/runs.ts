/**
 * Real runs for the report, store and dashboard tests: audits made by the audit core from the
 * shipped legacy rulesets (optionally edited, to get a second run that differs), and a real probe
 * run of the seed perimeter example (fixtures/probe-seed-perimeter.json, made by
 * fixtures/make-probe.sh; see fixtures/README.md).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { audit } from "../../src/audit/audit.js";
import type { AuditReportT } from "../../src/audit/report-schema.js";
import { READERS, sniffFormat } from "../../src/parse/index.js";
import { ProbeOutput, type ProbeOutputT } from "../../src/probe/result.js";
import { loadTopology, type LoadedTopology } from "../../src/shell/load.js";
import { ROOT } from "../cli/run-cli.js";

export const ASA_TOPOLOGY = join(ROOT, "examples/legacy/asa-topology.yaml");
export const ASA_RULES = join(ROOT, "examples/legacy/edge-asa.cfg");
export const SEED_HOST = join(ROOT, "examples/seed-host.yaml");
export const PROBE_FIXTURE = join(ROOT, "test/report/fixtures/probe-seed-perimeter.json");

export function topology(path: string): LoadedTopology {
  const t = loadTopology(path, "2026-11-25");
  if (!t.ok) throw new Error(`${path}: ${JSON.stringify(t.diagnostics)}`);
  return t.value;
}

/** The audit of a shipped ruleset; `edit` changes the ruleset text first (a second, different run). */
export function realAudit(
  topologyPath = ASA_TOPOLOGY,
  rulesPath = ASA_RULES,
  edit: (text: string) => string = (t) => t,
): AuditReportT {
  const text = edit(readFileSync(rulesPath, "utf8"));
  const format = sniffFormat(text);
  if (!format) throw new Error(`${rulesPath}: format not recognised`);
  const parsed = READERS[format](text, rulesPath.slice(ROOT.length + 1));
  return audit(topology(topologyPath).bound, [parsed]);
}

/**
 * The real probe run: sip-mtls-in open on both families (2/2), sip-tls-clients open on IPv4 and
 * filtered on IPv6 (1/2), stun-udp-in refused on both (0/2); results carry `from` (a merge).
 */
export function probeFixture(): ProbeOutputT {
  return ProbeOutput.parse(JSON.parse(readFileSync(PROBE_FIXTURE, "utf8")));
}

/** Markup a probe could be made to print (a hostile server's SIP reason, say), for escaping tests. */
export const HOSTILE_DETAIL = "<script>alert(1)</script>";

/** The real probe run with HOSTILE_DETAIL appended to its IPv6 sip-tls-clients result's detail. */
export function hostileProbeFixture(): ProbeOutputT {
  const p = probeFixture();
  return {
    ...p,
    results: p.results.map((r) =>
      r.flow === "sip-tls-clients" && !r.ok ? { ...r, detail: `${r.detail} ${HOSTILE_DETAIL}` } : r,
    ),
  };
}
