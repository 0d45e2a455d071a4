/** `portmatrix audit`: rulesets as they are, against the matrix bound to a topology. */
import type { Command } from "commander";
import { audit, exitCode } from "../audit/audit.js";
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { FORMAT_KINDS, READERS, sniffFormat, type ParsedRuleset, type ReaderName } from "../parse/index.js";
import { renderAuditJunit } from "../report/audit-junit.js";
import { renderAuditSarif } from "../report/audit-sarif.js";
import { renderAuditText } from "../report/audit-text.js";
import { readText, writeFilesAtomic } from "../shell/files.js";
import { loadTopology, VERSION } from "../shell/load.js";
import type { BoundTopology } from "../model/flow.js";
import type { AuditReportT } from "../audit/report-schema.js";
import { choice, InputError, printDiagnostics, wholeNumber } from "./io.js";
import type { Runner } from "./commands.js";

const FORMATS = ["table", "json", "sarif", "junit"] as const;

interface AuditOpts {
  topology: string;
  ruleset: string[];
  rulesetFormat?: string;
  format: string;
  maxLines: string;
  output?: string;
  save?: string | boolean;
}

export function registerAudit(program: Command, run: Runner): void {
  program
    .command("audit")
    .description(
      "check existing firewall rules against the matrix: flows allowed, exposure, dead and retired rules",
    )
    .requiredOption("-t, --topology <file>", "the topology (profile, addresses, firewall kind)")
    .requiredOption(
      "-r, --ruleset <file>",
      "a ruleset to read (repeat for several: evaluated together)",
      collect,
      [],
    )
    .option(
      "--ruleset-format <format>",
      `force the reader: ${Object.keys(READERS).join(", ")} (default: guessed from the content)`,
    )
    .option("--format <format>", FORMATS.join(", "), "table")
    .option("--max-lines <n>", "packet-set lines per finding before the rest is counted", "20")
    .option("-o, --output <file>", "write the report to a file instead of standard output")
    .option("--save [db]", "record the run in the dashboard's SQLite database (default: portmatrix serve's)")
    .action((opts: AuditOpts) => run(() => runAudit(opts)));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function readRulesets(
  files: readonly string[],
  forced: string | undefined,
  topology: BoundTopology,
): { parsed: ParsedRuleset[]; warnings: Diagnostic[] } {
  const formatName =
    forced === undefined
      ? undefined
      : choice("--ruleset-format", forced, Object.keys(READERS) as ReaderName[]);
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const parsed: ParsedRuleset[] = [];
  for (const file of files) {
    const r = readText(file);
    if (!r.ok) {
      errors.push(r.diagnostic);
      continue;
    }
    const format = formatName ?? sniffFormat(r.text);
    if (!format) {
      errors.push(
        diag("unknown-ruleset-format", "error", `${file}: cannot tell the ruleset format from its content`, {
          at: { file, line: 1, col: 1 },
          expected: `--ruleset-format ${Object.keys(READERS).join("|")}`,
        }),
      );
      continue;
    }
    const kind = topology.firewall.kind;
    if (!FORMAT_KINDS[format].includes(kind)) {
      errors.push(
        diag(
          "ruleset-kind",
          "error",
          `${file}: a ${format} ruleset cannot be the ${kind} firewall the topology describes`,
          {
            at: { file, line: 1, col: 1 },
            expected: `a topology with firewall kind ${FORMAT_KINDS[format].join(" or ")}`,
          },
        ),
      );
      continue;
    }
    const p = READERS[format](r.text, file);
    for (const d of p.diagnostics) (d.severity === "error" ? errors : warnings).push(d);
    parsed.push(p);
  }
  if (errors.length > 0) throw new InputError([...errors, ...warnings]);
  return { parsed, warnings };
}

export function renderAudit(report: AuditReportT, format: (typeof FORMATS)[number]): string {
  switch (format) {
    case "table":
      return renderAuditText(report);
    case "json":
      return JSON.stringify(report, null, 2) + "\n";
    case "sarif":
      return renderAuditSarif(report, VERSION);
    case "junit":
      return renderAuditJunit(report);
  }
}

async function runAudit(opts: AuditOpts): Promise<number> {
  const format = choice("--format", opts.format, FORMATS);
  const maxLines = wholeNumber("--max-lines", opts.maxLines, 1);
  // commander counts the empty default list as given: without this an audit of no rules found every
  // flow allowed, exited 0 and could be saved.
  if (opts.ruleset.length === 0)
    throw new InputError([
      diag("missing-option", "error", "no ruleset given", {
        expected: "-r FILE (repeat for several rulesets evaluated together)",
      }),
    ]);
  const t = loadTopology(opts.topology);
  if (!t.ok) throw new InputError(t.diagnostics);
  const { parsed, warnings } = readRulesets(opts.ruleset, opts.rulesetFormat, t.value.bound);
  printDiagnostics(warnings);
  const report = audit(t.value.bound, parsed, { maxLines });
  const text = renderAudit(report, format);
  if (opts.save !== undefined) {
    const { defaultDbPath, saveRun } = await import("../store/index.js"); // SQLite only when asked for
    const saved = saveRun(typeof opts.save === "string" ? opts.save : defaultDbPath(), "audit", report);
    if (!saved.ok) throw new InputError(saved.diagnostics);
  }
  if (opts.output !== undefined) writeFilesAtomic([{ path: opts.output, text }]);
  else process.stdout.write(text);
  return exitCode(report);
}
