/** `dns --format table`: one line per record, failures marked. Pure. */
import type { DnsOutputT } from "../dns/check.js";
import { alignedLines } from "./table.js";
import { junitXml, type JunitCase } from "./junit.js";

const list = (xs: readonly string[]): string => xs.join(", ");

export function renderDnsText(o: DnsOutputT): string {
  const rows = o.records.map((r) => [
    r.ok ? "ok" : "FAIL",
    r.type,
    r.name,
    r.type === "SRV"
      ? `${r.expected.target}:${r.expected.port}`
      : r.type === "CNAME"
        ? (r.expected.target ?? "")
        : list(r.expected.addresses) || "(any)",
    r.state,
    r.detail,
  ]);
  const head = ["", "type", "name", "expected", "state", "detail"];
  const states = Object.entries(o.summary.states)
    .map(([k, v]) => `${v} ${k}`)
    .join(", ");
  return [
    `dns · ${o.profile} · ${o.location} records for ${list(o.domains)} · server ${o.server}`,
    ...alignedLines(head, rows),
    `${o.summary.ok} of ${o.summary.records} records right${states ? ` (${states})` : ""}`,
    "",
  ].join("\n");
}

/** `dns --format junit`: one test case per record, a failure for each that is not right. */
export function renderDnsJunit(o: DnsOutputT): string {
  const cases: JunitCase[] = o.records.map((r) => {
    const c: JunitCase = { name: `${r.type} ${r.name}`, classname: `dns.${r.location}` };
    if (!r.ok) c.failure = { message: `${r.state}: ${r.detail}`, text: r.answers.join("\n") };
    return c;
  });
  return junitXml([{ name: `portmatrix dns (${o.profile}, server ${o.server})`, cases }]);
}
