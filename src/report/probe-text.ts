/**
 * `probe --format table|junit`: consecutive ports with the same outcome on one line (10,000 media
 * ports that all answered are one line), failures first in the junit. Pure.
 */
import { groupResults } from "../probe/outcome.js";
import type { ProbeOutputT } from "../probe/result.js";
import { junitXml, type JunitCase } from "./junit.js";
import { alignedLines } from "./table.js";

const ports = (a: number, b: number): string => (a === b ? String(a) : `${a}-${b}`);

export function renderProbeText(o: ProbeOutputT): string {
  const lines: string[] = [];
  lines.push(`probe from ${o.from}${o.to ? ` to ${o.to}` : ""} · ${o.profile} · ${o.startedAt}`);
  const groups = groupResults(o.results);
  const rows = groups.map((g) => {
    const r = g.first;
    return [
      r.ok ? "ok" : "FAIL",
      ...(o.runs ? [r.from ?? ""] : []),
      r.flow,
      `${r.transport} ${r.target} ${ports(g.fromPort, g.toPort)}${r.sourcePort !== undefined ? ` (from port ${r.sourcePort})` : ""}`,
      g.count > 1 ? `${r.state} ×${g.count}` : r.state,
      r.detail,
    ];
  });
  const head = ["", ...(o.runs ? ["from"] : []), "flow", "target", "state", "detail"];
  lines.push(...alignedLines(head, rows));
  for (const s of o.skipped) lines.push(`skipped ${s.flow}${s.from ? ` (from ${s.from})` : ""}: ${s.reason}`);
  const st = Object.entries(o.summary.states)
    .map(([k, v]) => `${v} ${k}`)
    .join(", ");
  lines.push(
    `${o.summary.ok} of ${o.summary.total} as expected${o.summary.failed ? `, ${o.summary.failed} not` : ""} (${st || "nothing probed"}); ${o.summary.skipped} flow(s) skipped; ${(o.summary.durationMs / 1000).toFixed(2)} s`,
  );
  return lines.join("\n") + "\n";
}

export function renderProbeJunit(o: ProbeOutputT): string {
  const cases: JunitCase[] = groupResults(o.results).map((g) => {
    const r = g.first;
    const c: JunitCase = {
      name: `${r.transport} ${r.target} ${ports(g.fromPort, g.toPort)}`,
      classname: `${r.from ? `${r.from}.` : ""}${r.flow}`,
    };
    if (!r.ok) c.failure = { message: `${r.state}, expected ${r.expected}`, text: r.detail };
    return c;
  });
  for (const s of o.skipped) cases.push({ name: s.to, classname: s.flow, skipped: s.reason });
  return junitXml([{ name: `portmatrix probe from ${o.from}`, cases }]);
}
