/** `dns --format table`: one line per record, failures marked. Pure. */
import type { DnsOutputT } from "../dns/check.js";
import { alignedLines } from "./table.js";

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
    `dns · ${o.profile} · ${o.location === "all" ? "all" : o.location} records for ${list(o.domains)} · server ${o.server}`,
    ...alignedLines(head, rows),
    `${o.summary.ok} of ${o.summary.records} records right${states ? ` (${states})` : ""}`,
    "",
  ].join("\n");
}
