/**
 * The diagram: graph from a topology (groups, bundling, marks), layout readability on every catalog
 * topology (no box overlaps another), byte-for-byte determinism, and escaping of hostile names in
 * SVG, Mermaid and DOT; the DOT is read back by Graphviz itself where it is installed.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { BoundTopology } from "../model/flow.js";
import { summarize, type ProbeResultT } from "../probe/result.js";
import { loadTopology, PACKAGE_ROOT } from "../shell/load.js";
import { renderDot } from "./dot.js";
import { buildDiagram } from "./graph.js";
import { diagramOf, renderDiagram } from "./index.js";
import { layoutDiagram, type Rect } from "./layout.js";
import { mermaidText, renderMermaid } from "./mermaid.js";
import { flowStatuses } from "./results.js";

function bound(rel: string): BoundTopology {
  const t = loadTopology(join(PACKAGE_ROOT, rel), "2026-11-25");
  if (!t.ok) throw new Error(JSON.stringify(t.diagnostics));
  return t.value.bound;
}

const HOSTILE = `<script>alert("x")</script> & ' ]"|--> end`;

function hostile(b: BoundTopology): BoundTopology {
  return {
    ...b,
    profileTitle: HOSTILE,
    endpoints: b.endpoints.map((e) => ({ ...e, name: `${e.name} ${HOSTILE}` })),
  };
}

test("host topology: the host in its box, peers outside, flows between a pair share one arrow", () => {
  const g = buildDiagram(bound("examples/seed-host.yaml"));
  assert.deepEqual(
    g.groups.map((x) => x.label),
    ["host firewall on edge-access"],
  );
  const host = g.nodes.find((n) => n.endpoint === "edge-access");
  assert.equal(host?.group, "g0");
  assert.ok(g.nodes.filter((n) => n.endpoint !== "edge-access").every((n) => n.group === undefined));
  // edge-access → messenger-clients carries RTP/TCP and STUN/UDP: one arrow, two lines.
  const out = g.edges.find((e) => e.from === host?.id && e.lines.length === 2);
  assert.deepEqual(
    out?.lines.map((l) => l.text),
    ["A/V RTP TCP 50000-59999", "A/V STUN,MSTURN UDP 3478"],
  );
  assert.ok(out?.lines.every((l) => l.retired));
  assert.equal(
    g.edges.reduce((n, e) => n + e.lines.length, 0),
    6,
  );
});

test("inactive flows are not drawn but listed", () => {
  const g = buildDiagram(bound("test/fixtures/seed-no-pic.yaml"));
  assert.deepEqual(g.inactive, ["rtp-tcp-out", "stun-udp-out", "stun-udp-in"]);
  assert.equal(
    g.edges.reduce((n, e) => n + e.lines.length, 0),
    3,
  );
});

test("marks: audit and probe combine to the worse; an arrow takes its worst line", () => {
  const b = bound("examples/seed-host.yaml");
  const result = (target: string, port: number, ok: boolean): ProbeResultT => ({
    flow: "rtp-tcp-out",
    to: "messenger-clients",
    target,
    transport: "tcp",
    port,
    state: ok ? "open" : "filtered",
    expected: "open",
    ok,
    reason: ok ? "syn-ack" : "no-response",
    detail: "",
  });
  const media = [result("198.51.100.22", 50000, true), result("198.51.100.23", 50001, false)];
  const statuses = flowStatuses({
    audit: {
      version: 1,
      profile: b.profileId,
      firewall: "host edge-access",
      rulesets: [],
      exposure: [],
      deadRules: [],
      retired: [],
      unsupported: [],
      notes: [],
      flows: [
        {
          id: "rtp-tcp-out",
          from: "",
          to: "",
          transport: "tcp",
          ports: "",
          verdict: "allowed",
          retired: true,
          blocked: [],
          uncertain: false,
        },
        {
          id: "stun-udp-out",
          from: "",
          to: "",
          transport: "udp",
          ports: "",
          verdict: "blocked",
          retired: true,
          blocked: [],
          uncertain: false,
        },
      ],
    },
    probe: {
      version: 1,
      profile: b.profileId,
      from: "edge-access",
      startedAt: "2026-11-25T08:00:00.000Z",
      results: media,
      skipped: [],
      summary: summarize(media, 0, 1),
    },
  });
  assert.equal(statuses.get("rtp-tcp-out")?.mark, "partial");
  assert.equal(statuses.get("stun-udp-out")?.mark, "failed");
  const edge = buildDiagram(b, statuses).edges.find((e) => e.lines.some((l) => l.flow === "rtp-tcp-out"));
  assert.equal(edge?.mark, "failed");
});

const overlap = (a: Rect, b: Rect): boolean =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

test("every catalog topology lays out with no box over another and everything on the canvas", async () => {
  const dir = join(PACKAGE_ROOT, "examples/catalog");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  assert.ok(files.length > 0);
  for (const f of [
    ...files.map((x) => `examples/catalog/${x}`),
    "examples/seed-host.yaml",
    "examples/seed-perimeter.yaml",
  ]) {
    const d = await layoutDiagram(diagramOf(bound(f)));
    const boxes = [...d.nodes.values(), ...[...d.edges.values()].map((e) => e.label)];
    for (let i = 0; i < boxes.length; i++) {
      const a = boxes[i]!;
      assert.ok(
        a.x >= 0 && a.y >= 0 && a.x + a.width <= d.width && a.y + a.height <= d.height,
        `${f}: box off canvas`,
      );
      for (let j = i + 1; j < boxes.length; j++)
        assert.ok(!overlap(a, boxes[j]!), `${f}: boxes ${i} and ${j} overlap`);
    }
    const groups = [...d.groups.values()];
    for (let i = 0; i < groups.length; i++)
      for (let j = i + 1; j < groups.length; j++)
        assert.ok(!overlap(groups[i]!, groups[j]!), `${f}: zone boxes overlap`);
    // No zone box covers an endpoint of another zone or an arrow's label.
    for (const n of d.graph.nodes)
      for (const grp of d.graph.groups)
        if (n.group !== grp.id)
          assert.ok(
            !overlap(d.groups.get(grp.id)!, d.nodes.get(n.id)!),
            `${f}: ${n.endpoint} under zone ${grp.label}`,
          );
    // An arrow's label sits inside a zone box only when the arrow stays in that zone.
    const groupOf = new Map(d.graph.nodes.map((n) => [n.id, n.group]));
    for (const e of d.graph.edges)
      for (const grp of d.graph.groups)
        if (groupOf.get(e.from) !== grp.id || groupOf.get(e.to) !== grp.id)
          assert.ok(
            !overlap(d.groups.get(grp.id)!, d.edges.get(e.id)!.label),
            `${f}: label of ${e.id} inside zone ${grp.label}`,
          );
  }
});

test("the same topology gives the same bytes, in every format", async () => {
  const b = bound("examples/catalog/lync2013-edge-scaled-hlb-external.yaml");
  for (const format of ["svg", "mermaid", "dot"] as const) {
    const one = await renderDiagram(b, format);
    if (format === "svg")
      assert.equal(
        [...one.matchAll(/data-flow="/g)].length,
        b.flows.filter((f) => f.active).length,
        "every active flow drawn",
      );
    assert.equal(await renderDiagram(b, format), one, format);
    assert.ok(one.endsWith("\n") && !one.includes("\r"), format);
  }
});

test("hostile names are escaped in SVG", async () => {
  const svg = await renderDiagram(hostile(bound("examples/seed-perimeter.yaml")), "svg");
  assert.ok(!svg.includes("<script"), "no raw script element");
  assert.ok(svg.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;"));
});

test("hostile names are escaped in Mermaid: only safe characters and entity codes", () => {
  assert.equal(mermaidText(`a"b<c>|]`), "a#34;b#60;c#62;#124;#93;");
  const text = renderMermaid(diagramOf(hostile(bound("examples/seed-perimeter.yaml"))));
  for (const line of text.split("\n").filter((l) => l.includes('["') || l.includes('|"'))) {
    const quoted = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? "");
    assert.ok(quoted.length > 0, line);
    for (const q of quoted) assert.match(q.replace(/<br\/>/g, ""), /^[A-Za-z0-9 .,:/()_+*=#;-]*$/, line);
  }
});

const hasDot = existsSync("/usr/bin/dot");
test(
  "DOT with hostile names is read by Graphviz, and labels come back intact",
  { skip: hasDot ? false : "graphviz (dot) not installed: apt-get install graphviz" },
  () => {
    const text = renderDot(diagramOf(hostile(bound("examples/seed-perimeter.yaml"))));
    const r = spawnSync("/usr/bin/dot", ["-Tjson"], { input: text, encoding: "utf8", timeout: 20_000 });
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { objects?: Array<{ label?: string }> };
    const labels = (json.objects ?? []).map((o) => o.label ?? "");
    assert.ok(
      labels.some((l) => l.includes(`Clients ${HOSTILE}`)),
      labels.join("\n"),
    );
  },
);
