/**
 * The HTML report: the seed's columns plus verdicts, one row per flow, a self-contained file (no
 * script, no external resource), printable, deterministic, and every value escaped — hostile
 * endpoint names, rule text and probe details included.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { AuditReportT } from "../../src/audit/report-schema.js";
import { renderDiagram } from "../../src/diagram/index.js";
import type { ProbeOutputT } from "../../src/probe/result.js";
import { DnsOutput } from "../../src/dns/check.js";
import { esc } from "../../src/report/html-escape.js";
import { renderReportHtml, type ReportInput } from "../../src/report/html.js";
import { ASA_TOPOLOGY, hostileProbeFixture, probeFixture, realAudit, SEED_HOST, topology } from "./runs.js";

const EVIL = `<img src=x onerror="alert(1)"> & '`;

async function report(
  path: string,
  results: { audit?: AuditReportT; probe?: ProbeOutputT },
  rename = false,
): Promise<string> {
  const t = topology(path);
  const bound = rename
    ? { ...t.bound, endpoints: t.bound.endpoints.map((e) => ({ ...e, name: `${e.name} ${EVIL}` })) }
    : t.bound;
  const flows = rename
    ? bound.flows.map((f) => ({ ...f, source: `${f.source} ${EVIL}`, notes: `${f.notes} ${EVIL}` }))
    : bound.flows;
  const input: ReportInput = {
    profile: t.profile.profile,
    topology: { ...bound, flows },
    topologyFile: rename ? `examples/${EVIL}.yaml` : "examples/t.yaml",
    diagramSvg: await renderDiagram({ ...bound, flows }, "svg", results),
    ...results,
  };
  return renderReportHtml(input);
}

function cells(html: string, selector: RegExp): string[] {
  return [...html.matchAll(selector)].map((m) => m[1] ?? "");
}

test("escape: the five characters that matter in text and attributes", () => {
  assert.equal(esc(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
});

test("matrix in the seed's columns, verdicts after them, one row per flow", async () => {
  const html = await report(ASA_TOPOLOGY, { audit: realAudit(), probe: probeFixture() });
  const matrix = html.slice(
    html.indexOf('<table class="matrix">'),
    html.indexOf("</table>", html.indexOf('<table class="matrix">')),
  );
  assert.deepEqual(cells(matrix, /<th scope="col">([^<]*)<\/th>/g), [
    "Role",
    "Protocol",
    "TCP/UDP",
    "Port",
    "Source",
    "Destination",
    "Notes",
    "Audit",
    "Probe",
  ]);
  assert.deepEqual(cells(matrix, /<tr id="flow-([^"]+)"/g), [
    "sip-mtls-in",
    "sip-mtls-out",
    "sip-tls-clients",
    "rtp-tcp-out",
    "stun-udp-out",
    "stun-udp-in",
  ]);
  const row = matrix.slice(matrix.indexOf('id="flow-sip-tls-clients"'));
  assert.match(
    row.slice(0, row.indexOf("</tr>")),
    /<td>Access<\/td><td>SIP\(TLS\)<\/td><td>TCP<\/td><td>443<\/td>.*✓ allowed.*◐ 1\/2 as expected/,
  );
});

test("without results there are no verdict columns", async () => {
  const html = await report(SEED_HOST, {});
  assert.ok(!html.includes(`<th scope="col">Audit</th>`) && !html.includes(`<th scope="col">Probe</th>`));
  assert.ok(!html.includes('id="audit"') && !html.includes('id="probe"'));
});

test("audit findings and probe results are in the file", async () => {
  const html = await report(ASA_TOPOLOGY, { audit: realAudit(), probe: probeFixture() });
  for (const id of ["audit-flows", "audit-exposure", "audit-dead", "audit-retired", "audit-unsupported"])
    assert.ok(html.includes(`<section id="${id}">`), id);
  assert.match(html, /Exposure: allowed beyond the matrix \(4\)/);
  assert.match(html, /Probed from partners, clients, messenger-clients: 3 of 6 results as expected/);
  const probe = html.slice(html.indexOf('<table class="probe">'));
  const rows = probe
    .slice(0, probe.indexOf("</table>"))
    .split("\n")
    .filter((l) => l.startsWith("<tr><td>"));
  // The real run's states and what the protocol said, one row per flow, source and target.
  assert.deepEqual(
    rows.map((r) => cells(r, /<td>([^<]*)<\/td>/g).slice(0, 7)),
    [
      ["partners", "203.0.113.10", "TCP", "5061", "open", "open", "sip-response"],
      ["partners", "2001:db8:10::10", "TCP", "5061", "open", "open", "sip-response"],
      ["clients", "203.0.113.10", "TCP", "443", "open", "open", "sip-response"],
      ["clients", "2001:db8:10::10", "TCP", "443", "filtered", "open", "no-response"],
      ["messenger-clients", "203.0.113.10", "UDP", "3478", "closed", "open", "port-unreach"],
      ["messenger-clients", "2001:db8:10::10", "UDP", "3478", "closed", "open", "port-unreach"],
    ],
  );
  assert.match(probe, /SIP 200 OK \(portmatrix-listen\//);
});

test("probe results: consecutive ports with one outcome are one row; skipped flows are listed", async () => {
  const p = probeFixture();
  // The edge's media range to one Messenger host, dropped (made from the run's filtered result).
  const dropped = p.results.find((r) => r.state === "filtered")!;
  const media = Array.from({ length: 10 }, (_, i) => ({
    ...dropped,
    flow: "rtp-tcp-out",
    from: "edge-access",
    to: "messenger-clients",
    target: "198.51.100.23",
    port: 50000 + i,
  }));
  const html = await report(ASA_TOPOLOGY, {
    probe: {
      ...p,
      results: [...p.results, ...media],
      skipped: [{ flow: "sip-mtls-out", to: "partners", reason: "bound to any", from: "edge-access" }],
    },
  });
  assert.match(
    html,
    /<td>edge-access<\/td><td>198\.51\.100\.23<\/td><td>TCP<\/td><td>50000-50009 \(10 ports\)<\/td><td>filtered<\/td>/,
  );
  assert.match(html, /<td>sip-mtls-out<\/td><td>edge-access<\/td><td>partners<\/td><td>bound to any<\/td>/);
});

test("self-contained and printable: no script, no external resource, a print stylesheet", async () => {
  const html = await report(ASA_TOPOLOGY, { audit: realAudit(), probe: probeFixture() });
  // url(#…) is the SVG's own arrow markers, inside the file.
  assert.ok(!/<script|<link|<iframe|<img|\ssrc=|url\((?!#)|@import/i.test(html));
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'/);
  assert.match(html, /@media print\{/);
  assert.ok(html.includes("<svg ") && html.endsWith("</html>\n"));
});

test("hostile names, notes, file names, rule text and probe details are escaped", async () => {
  const audit = realAudit();
  const evilAudit: AuditReportT = {
    ...audit,
    exposure: audit.exposure.map((e) => ({
      ...e,
      packets: [...e.packets, EVIL],
      rule: { ...e.rule, text: EVIL, file: EVIL },
    })),
    notes: [EVIL],
  };
  const html = await report(ASA_TOPOLOGY, { audit: evilAudit, probe: hostileProbeFixture() }, true);
  assert.ok(!/<img|<script/i.test(html), "no element made from data");
  // Data's quotes are escaped, so an attribute made from data would show as onerror=" or onerror=x.
  assert.ok(
    [...html.matchAll(/onerror=(.{6})/g)].every((m) => m[1] === "&quot;"),
    "no attribute made from data",
  );
  assert.ok(html.includes("&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#39;"));
  assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"), "the probe's detail");
});

test("the same inputs give the same bytes", async () => {
  const results = { audit: realAudit(), probe: probeFixture() };
  assert.equal(await report(ASA_TOPOLOGY, results), await report(ASA_TOPOLOGY, results));
});

test("a DNS check is a section of its own, every answer escaped", async () => {
  const dns = DnsOutput.parse({
    version: 1,
    profile: "lync2013-public-im",
    server: "203.0.113.53",
    location: "external",
    domains: ["contoso.example"],
    records: [
      {
        location: "external",
        type: "SRV",
        name: "_sipfederationtls._tcp.contoso.example",
        domain: "contoso.example",
        expected: {
          port: 5061,
          target: "sip.contoso.example",
          endpoint: "edge-access",
          addresses: ["203.0.113.10"],
          names: [],
        },
        answers: ["0 100 5062 sip.contoso.example"],
        resolved: [],
        state: "wrong",
        ok: false,
        detail: `no answer points at sip.contoso.example:5061 ${EVIL}`,
        notes: "",
      },
      {
        location: "external",
        type: "A",
        name: "sip.contoso.example",
        domain: "contoso.example",
        expected: { endpoint: "edge-access", addresses: ["203.0.113.10"], names: [] },
        answers: ["203.0.113.10"],
        resolved: [],
        state: "ok",
        ok: true,
        detail: "sip.contoso.example → 203.0.113.10 (edge-access)",
        notes: "",
      },
    ],
    summary: { records: 2, ok: 1, failed: 1, states: { wrong: 1, ok: 1 } },
  });
  const t = topology(SEED_HOST);
  const html = renderReportHtml({
    profile: t.profile.profile,
    topology: t.bound,
    topologyFile: "examples/seed-host.yaml",
    diagramSvg: await renderDiagram(t.bound, "svg", {}),
    dns,
  });
  assert.ok(html.includes(`<a href="#dns">DNS records</a>`));
  const section = html.slice(
    html.indexOf('<section id="dns">'),
    html.indexOf("</section>", html.indexOf('<section id="dns">')),
  );
  assert.match(section, /Asked 203\.0\.113\.53 for the external records of contoso\.example: 1 of 2 right\./);
  assert.match(
    section,
    /<td>SRV<\/td><td>_sipfederationtls\._tcp\.contoso\.example<\/td><td>sip\.contoso\.example:5061<\/td><td>0 100 5062 sip\.contoso\.example<\/td>/,
  );
  assert.ok(section.includes(esc(EVIL)) && !section.includes(EVIL));
});
