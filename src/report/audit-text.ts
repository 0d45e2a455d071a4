/**
 * `portmatrix audit` for people: the required flows with their verdicts, then what is blocked and
 * by which rule, exposure, dead and retired rules, and what could not be modelled. Pure.
 */
import { HIDDEN_EXPOSURE_NOTE, OBSERVES_NOTE } from "../audit/report-constants.js";
import type { AuditReportT, RuleRefT } from "../audit/report-schema.js";
import { textTable } from "./table.js";
import { visible } from "../diag/safe-text.js";
import { supportText } from "../model/profile.js";

export function where(r: { file: string; line: number; col: number }): string {
  return r.line > 0 ? `${r.file}:${r.line}:${r.col}` : r.file;
}

/**
 * A rule as the reports quote it, on one line: the ruleset's own text (comments included) may hold
 * newlines, terminal escape sequences or bidi controls; they are shown as escapes (`\x1b`).
 */
export function ruleText(r: RuleRefT): string {
  const what = shortened(r.kind === "policy" && r.chain !== "" ? `${r.table}/${r.chain} ${r.text}` : r.text);
  const at = where(r);
  return visible(
    `${at === "" ? "" : `${at}: `}${what}${r.kind === "engine" && r.note ? ` (${r.note})` : ""}`,
  );
}

/**
 * A rule's text is quoted up to this many characters: a pf rule with a list of 300 hosts, an ipset
 * line or a Junos policy flattened to one line would otherwise fill the screen for each finding that
 * names it. Its position is always quoted in full, and `--format json` keeps the whole text.
 */
export const RULE_TEXT_MAX = 200;

function shortened(text: string): string {
  if (text.length <= RULE_TEXT_MAX) return text;
  return `${text.slice(0, RULE_TEXT_MAX)}… (${text.length - RULE_TEXT_MAX} more characters)`;
}

function section(title: string, body: string[]): string {
  return body.length === 0 ? "" : `\n${title}\n${body.join("\n")}\n`;
}

function indent(lines: readonly string[], by = "    "): string[] {
  return lines.map((l) => by + l);
}

export function renderAuditText(r: AuditReportT): string {
  const files = r.rulesets
    .map((s) => `${s.file} (${s.format}: ${s.rules} rules in ${s.chains} chains)`)
    .join(", ");
  let out = `audit of ${files}\nagainst ${r.profile}, ${r.firewall === "perimeter" ? "perimeter firewall" : `${r.firewall}'s own firewall`}\n`;
  if (r.support?.unsupported) out += `${supportText(r.support)}\n`;
  out += "\n";
  const rows = r.flows.map((f) => [
    f.origin === "site" ? `${f.id} (site)` : f.id,
    `${f.from} → ${f.to}`,
    `${f.transport} ${f.ports}`,
    f.verdict + (f.uncertain ? " (uncertain)" : ""),
    [
      f.retired ? "retired: not required" : "",
      f.snat?.ok === false ? `not SNAT-ed to ${f.snat.public.join(", ")}` : "",
    ]
      .filter(Boolean)
      .join("; "),
  ]);
  out += textTable(
    [
      { header: "FLOW" },
      { header: "FROM → TO" },
      { header: "PORTS" },
      { header: "VERDICT" },
      { header: "NOTE" },
    ],
    rows,
  );
  const blocked = r.flows.flatMap((f) =>
    f.blocked.flatMap((b) =>
      b.neighbourDiscovery
        ? [
            `  ${f.id} (IPv6) blocked by ${ruleText(b.rule)}: it drops the neighbour discovery IPv6 needs`,
            ...indent(b.neighbourDiscovery),
            "    so these cannot pass:",
            ...indent(b.packets),
          ]
        : [
            `  ${f.id} (${b.direction === "reply" ? "replies" : "own packets"}) blocked by ${ruleText(b.rule)}`,
            ...indent(b.packets),
          ],
    ),
  );
  out += section("Blocked", blocked);
  out += section(
    "Exposure (accepted, but no required flow needs it)",
    r.exposure.flatMap((e) => [
      e.rule.note === HIDDEN_EXPOSURE_NOTE
        ? `  ${e.direction} (uncertain), may pass: dropped as read, but they meet ${ruleText(e.rule)}, a rule not modelled exactly`
        : `  ${e.direction}${e.uncertain ? " (uncertain)" : ""}, accepted by ${ruleText(e.rule)}`,
      ...indent(e.packets),
    ]),
  );
  out += section(
    "Dead rules",
    r.deadRules.flatMap((d) => [
      `  ${d.kind}${d.uncertain ? " (uncertain)" : ""}: ${ruleText(d.rule)}`,
      ...d.by.map((b) => `      ${d.kind === "shadowed" ? "by" : "decided alike by"} ${ruleText(b)}`),
    ]),
  );
  out += section(
    "Retired (serve only flows whose service has ended)",
    r.retired.map((x) => `  ${ruleText(x.rule)}\n      for ${x.flows.join(", ")}`),
  );
  out += section("Not modelled exactly", unsupportedLines(r.unsupported));
  out += section(
    "Notes",
    r.notes.map((n) => `  ${n}`),
  );
  out += `\n${summaryLine(r)}\n`;
  // Everything else quoted from the inputs (file names, constructs, notes) reaches a terminal too.
  return out.split("\n").map(visible).join("\n");
}

/** A group of the same approximation at this many places or more is one entry in the text. */
const GROUP_AT = 3;
/** Places of a group written out before the rest is counted. */
const GROUP_PLACES = 12;

/**
 * "Not modelled exactly" as lines: a construct that may change a verdict on lines of its own; those
 * in rules that only observe (fw4's dozen `ct helper set` statements, counters and logs with an
 * unmodelled selector) gathered per file and reason, their places on one line — one line each
 * buried the few that matter. The same reason at GROUP_AT places or more of one file (netsh's
 * listing without `verbose`: one per rule, hundreds) is one entry with its places and the flows any
 * of them may change. The JSON lists every one as it is.
 */
function unsupportedLines(list: AuditReportT["unsupported"]): string[] {
  const out: string[] = [];
  const quiet = new Map<string, AuditReportT["unsupported"]>();
  const loud = new Map<string, AuditReportT["unsupported"]>();
  for (const u of list) {
    const k = `${u.at.file}\n${u.reason}`;
    const into = u.flows.length === 0 && u.reason.endsWith(OBSERVES_NOTE) ? quiet : loud;
    into.set(k, [...(into.get(k) ?? []), u]);
  }
  const places = (group: AuditReportT["unsupported"], construct: boolean): string => {
    const shown = group
      .slice(0, GROUP_PLACES)
      .map((u) => (construct ? `${u.construct} (${u.at.line}:${u.at.col})` : `${u.at.line}:${u.at.col}`));
    const rest = group.length - shown.length;
    return shown.join(", ") + (rest > 0 ? `, and ${rest} more` : "");
  };
  const done = new Set<string>();
  for (const u of list) {
    const k = `${u.at.file}\n${u.reason}`;
    const observes = u.flows.length === 0 && u.reason.endsWith(OBSERVES_NOTE);
    const group = (observes ? quiet : loud).get(k)!;
    if (observes && group.length > 1) continue;
    if (!observes && group.length >= GROUP_AT) {
      if (done.has(k)) continue;
      done.add(k);
      const constructs = new Set(group.map((g) => g.construct));
      const flows = [...new Set(group.flatMap((g) => g.flows))];
      out.push(
        `  ${u.at.file}: ${group.length} rules: ${constructs.size === 1 ? `${u.construct}: ` : ""}${u.reason}`,
        `      at ${places(group, constructs.size > 1)}`,
      );
      if (flows.length) out.push(`      may change: ${flows.join(", ")}`);
      continue;
    }
    out.push(`  ${where(u.at)}: ${u.construct}: ${u.reason}`);
    if (u.flows.length) out.push(`      may change: ${u.flows.join(", ")}`);
  }
  for (const group of quiet.values()) {
    if (group.length < 2) continue;
    const first = group[0]!;
    out.push(
      `  ${first.at.file}: ${group.length} in rules that only observe (no verdict changes): ${first.reason.slice(0, -OBSERVES_NOTE.length)}`,
      `      ${places(group, true)}`,
    );
  }
  return out;
}

export function summaryLine(r: AuditReportT): string {
  const req = r.flows.filter((f) => !f.retired && f.verdict !== "not-applicable");
  const ok = req.filter((f) => f.verdict === "allowed").length;
  return [
    `${ok} of ${req.length} required flows allowed`,
    `${r.exposure.length} exposure finding${r.exposure.length === 1 ? "" : "s"}`,
    `${r.deadRules.length} dead rule${r.deadRules.length === 1 ? "" : "s"}`,
    `${r.retired.length} retired rule${r.retired.length === 1 ? "" : "s"}`,
    `${r.unsupported.length} not modelled exactly`,
  ].join(", ");
}
