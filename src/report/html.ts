/**
 * @module `portmatrix report`: one self-contained HTML file (inline CSS and SVG; no script, no
 * external resource, so it opens offline and prints) with the matrix in the seed's columns plus the
 * verdicts, the diagram, the audit findings and the probe results. Pure and deterministic: no
 * timestamp; every value escaped.
 */
import type { AuditReportT } from "../audit/report-schema.js";
import { flowStatuses, probeMark, auditMark, type FlowStatus } from "../diagram/results.js";
import type { BoundTopology, ResolvedFlow } from "../model/flow.js";
import type { Profile } from "../model/schema.js";
import type { ProbeOutputT } from "../probe/result.js";
import { toReadable } from "../space/address.js";
import { esc } from "./html-escape.js";
import type { DnsOutputT } from "../dns/check.js";
import { supportText } from "../model/profile.js";
import { auditFindings, badge, dnsResults, probeResults, raw, type Html } from "./html-parts.js";
import { REPORT_CSS } from "./html-style.js";
import { portsText } from "./matrix.js";

export interface ReportInput {
  profile: Profile;
  topology: BoundTopology;
  /** The topology file as the user named it (shown, not read). */
  topologyFile: string;
  diagramSvg: string;
  audit?: AuditReportT;
  probe?: ProbeOutputT;
  dns?: DnsOutputT;
}

/** The seed's columns (Role, Protocol, TCP/UDP, Port, Source, Destination, Notes), then the verdicts given. */
export const REPORT_MATRIX_HEADERS = [
  "Role",
  "Protocol",
  "TCP/UDP",
  "Port",
  "Source",
  "Destination",
  "Notes",
  "Audit",
  "Probe",
];

function endpointCell(name: string, addresses: ResolvedFlow["fromAddresses"]): Html {
  const addr = addresses ? toReadable(addresses).join(", ") : "";
  return raw(`${esc(name)}${addr ? `<br><span class="muted">${esc(addr)}</span>` : ""}`);
}

function notesCell(f: ResolvedFlow): Html {
  const tags: string[] = f.origin === "site" ? ["site rule (topology)"] : [];
  if (!f.active) tags.push(`inactive: needs ${f.conditions.join(", ")}`);
  if (f.retired) tags.push(`retired ${f.lifecycle?.ended ?? ""}`.trim());
  const t = tags.map((s) => `<span class="badge mark-not-applicable">${esc(s)}</span> `).join("");
  return raw(`${t}${esc(f.notes)}`);
}

function verdictCells(
  s: FlowStatus | undefined,
  has: { audit: boolean; probe: boolean },
): [Html | string, Html | string] {
  const audit = s?.audit
    ? s.notSnated
      ? badge("failed", `${s.audit}, not SNAT-ed to ${s.notSnated.join(", ")}`)
      : badge(auditMark(s.audit), s.audit)
    : has.audit
      ? "not audited"
      : "";
  const probe = s?.probe
    ? badge(probeMark(s.probe), `${s.probe.ok}/${s.probe.total} as expected`)
    : has.probe
      ? "not probed"
      : "";
  return [audit, probe];
}

export function matrixTable(input: Pick<ReportInput, "topology" | "audit" | "probe">): string {
  const statuses = flowStatuses(input);
  const has = { audit: input.audit !== undefined, probe: input.probe !== undefined };
  const rows = input.topology.flows.map((f) => {
    const src = f.sourcePorts ? ` (from ${portsText(f.sourcePorts)})` : "";
    const cells: Array<string | Html> = [
      f.role,
      f.protocol,
      f.transport.toUpperCase(),
      `${portsText(f.ports)}${src}`,
      endpointCell(f.source, f.fromAddresses),
      endpointCell(f.destination, f.toAddresses),
      notesCell(f),
    ];
    const [audit, probe] = verdictCells(statuses.get(f.id), has);
    if (has.audit) cells.push(audit);
    if (has.probe) cells.push(probe);
    const tds = cells.map((c) => `<td>${typeof c === "string" ? esc(c) : c.html}</td>`).join("");
    return `<tr id="flow-${esc(f.id)}" data-flow="${esc(f.id)}" title="${esc(f.id)}">${tds}</tr>`;
  });
  const headers = REPORT_MATRIX_HEADERS.filter((h) =>
    h === "Audit" ? has.audit : h === "Probe" ? has.probe : true,
  );
  const head = headers.map((h) => `<th scope="col">${esc(h)}</th>`).join("");
  return `<table class="matrix"><thead><tr>${head}</tr></thead>\n<tbody>\n${rows.join("\n")}\n</tbody></table>`;
}

function sources(p: Profile): string {
  const items = Object.values(p.sources).map((s) => {
    const safe = /^https?:\/\//.test(s.url)
      ? `<a href="${esc(s.url)}">${esc(s.title)}</a>`
      : esc(`${s.title} (${s.url})`);
    return `<li>${safe}</li>`;
  });
  return `<ul class="sources">${items.join("")}</ul>`;
}

export function renderReportHtml(input: ReportInput): string {
  const { profile, topology } = input;
  const title = `${profile.product}: ${profile.title}`;
  const nav = [
    `<a href="#matrix">Matrix</a>`,
    `<a href="#diagram">Diagram</a>`,
    input.audit ? `<a href="#audit">Audit findings</a>` : "",
    input.probe ? `<a href="#probe">Probe results</a>` : "",
    input.dns ? `<a href="#dns">DNS records</a>` : "",
  ].filter((s) => s !== "");
  const firewall =
    topology.firewall.kind === "host"
      ? `host firewall on ${topology.firewall.host}`
      : `perimeter firewall, zones ${topology.firewall.zones.map((z) => z.name).join(", ")}`;
  const body = [
    `<header><h1>${esc(title)}</h1>`,
    `<p class="muted">${esc(`Profile ${topology.profileId} · topology ${input.topologyFile} · ${firewall} · features: ${topology.features.join(", ") || "none"}`)}</p>`,
    ...(topology.support?.unsupported
      ? [`<p class="unsupported"><strong>${esc(supportText(topology.support))}</strong></p>`]
      : []),
    sources(profile),
    `</header>`,
    `<nav>${nav.join("")}</nav>`,
    `<section id="matrix"><h2>Port matrix</h2>`,
    matrixTable(input),
    `</section>`,
    `<section id="diagram"><h2>Diagram</h2><div class="diagram">${input.diagramSvg}</div></section>`,
    input.audit
      ? `<section id="audit"><h2>Audit findings</h2>\n${auditFindings(input.audit)}\n</section>`
      : "",
    input.probe ? `<section id="probe"><h2>Probe results</h2>\n${probeResults(input.probe)}\n</section>` : "",
    input.dns ? `<section id="dns"><h2>DNS records</h2>\n${dnsResults(input.dns)}\n</section>` : "",
  ].filter((s) => s !== "");
  return [
    "<!DOCTYPE html>",
    `<html lang="en"><head><meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    // No network: nothing may be fetched when the file is opened, whatever ends up inside it.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${esc(title)} — portmatrix report</title>`,
    `<style>\n${REPORT_CSS}</style></head>`,
    `<body>`,
    ...body,
    `</body></html>`,
    "",
  ].join("\n");
}
