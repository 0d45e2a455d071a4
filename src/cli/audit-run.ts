/** What `portmatrix audit` does (src/cli/audit.ts registers it): rulesets as they are, against the matrix bound to a topology. */
import { readNftablesText } from "../parse/nftables-text.js";
import { loadNftIncludes } from "../shell/nft-includes.js";
import { audit, exitCode } from "../audit/audit.js";
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { FORMAT_KINDS, loadReaders, sniffFormat, type ReaderKit, type ReaderKits } from "../parse/formats.js";
import { notARuleset } from "../parse/not-a-ruleset.js";
import type { ParsedRuleset } from "../parse/reader.js";
import type { ReaderName } from "../parse/reader-names.js";
import { renderAuditJunit } from "../report/audit-junit.js";
import { renderAuditSarif } from "../report/audit-sarif.js";
import { renderAuditText } from "../report/audit-text.js";
import { firewalldDirectory, readText, ufwDirectory, writeFilesAtomic } from "../shell/files.js";
import { loadTopology, VERSION } from "../shell/load.js";
import type { BoundTopology } from "../model/flow.js";
import type { AuditReportT } from "../audit/report-schema.js";
import type { Drift } from "../store/queries.js";
import { choice, EXIT, InputError, printDiagnostics, wholeNumber } from "./io.js";
import { FORMATS, LIVE, type AuditOpts } from "./audit.js";
import { READER_NAMES } from "../parse/reader-names.js";

/** What the interfaces a zone may name are called on a device (its reader's kit names them: src/parse/formats.ts). */
interface ZoneDevice {
  name: string;
  code: string;
  what: string;
}

const ASA_ZONES: ZoneDevice = {
  name: "ASA",
  code: "asa-unknown-interface",
  what: "a nameif of the configuration",
};

/** Junos: the interfaces its security zones list (zones of the topology name those). */
const JUNOS_ZONES: ZoneDevice = {
  name: "Junos",
  code: "junos-unknown-interface",
  what: "an interface of a security zone of the configuration",
};

/** Azure: the subnets the file associates with NSGs (zones' interfaces name subnets). */
const AZURE_ZONES: ZoneDevice = {
  name: "Azure",
  code: "azure-unknown-subnet",
  what: "a subnet the file associates with a network security group, or names without one",
};

/**
 * A perimeter zone on an interface the ASA (or Junos) configuration does not have would meet no access-group
 * and judge every flow through it blocked: a topology that does not fit the file, said as such.
 */
function asaZoneProblems(
  p: ParsedRuleset,
  topology: BoundTopology,
  file: string,
  interfaces: NonNullable<ReaderKit["interfaces"]>,
  device: ZoneDevice = ASA_ZONES,
): Diagnostic[] {
  const fw = topology.firewall;
  const names = interfaces(p.ruleset.tables.flatMap((t) => t.chains));
  if (fw.kind !== "perimeter") return [];
  return fw.zones
    .filter((z) => !names.includes(z.interface))
    .map((z) =>
      diag(
        device.code,
        "error",
        `${file}: zone ${z.name} is on interface ${z.interface}, which this ${device.name} configuration does not define`,
        {
          at: { file, line: 1, col: 1 },
          expected: `a zone interface that is ${device.what} (${names.join(", ") || "none defined"})`,
        },
      ),
    );
}

/** Azure: a host topology needs one NSG (read as the host's); a perimeter one its zones' subnets. */
function azureKindProblems(
  p: ParsedRuleset,
  topology: BoundTopology,
  file: string,
  interfaces: NonNullable<ReaderKit["interfaces"]>,
): Diagnostic[] {
  const chains = p.ruleset.tables.flatMap((t) => t.chains);
  if (
    topology.firewall.kind === "perimeter" ||
    chains.length === 0 ||
    chains.some((c) => c.name === "inbound")
  )
    return asaZoneProblems(p, topology, file, interfaces, AZURE_ZONES);
  return [
    diag(
      "ruleset-kind",
      "error",
      `${file}: several network security groups are a perimeter, not a host's firewall`,
      {
        at: { file, line: 1, col: 1 },
        expected: "one NSG for a host topology, or a topology with firewall kind perimeter",
      },
    ),
  ];
}

type RulesetText = { file: string; text: string; format?: ReaderName };

/** The files' texts, and a diagnostic for each that cannot be read. */
function readTexts(files: readonly string[]): [RulesetText[], Diagnostic[]] {
  const errors: Diagnostic[] = [];
  const texts: RulesetText[] = [];
  for (const file of files) {
    const dir = firewalldDirectory(file);
    if (dir !== undefined) {
      // firewalld's directory, else ufw's (/etc/ufw: its rules files by name).
      const ufw = dir.length === 0 ? (ufwDirectory(file) ?? []) : [];
      if (dir.length === 0 && ufw.length === 0)
        errors.push(
          diag(
            "unreadable-file",
            "error",
            `${file}: is a directory without a firewalld or ufw configuration`,
            {
              expected:
                "a ruleset file, firewalld's directory (/etc/firewalld: firewalld.conf, zones/*.xml, …) or ufw's (/etc/ufw: before.rules, user.rules, …)",
            },
          ),
        );
      for (const [format, list] of [
        ["firewalld", dir],
        ["ufw", ufw],
      ] as const)
        for (const f of list) {
          const r = readText(f);
          if (r.ok) texts.push({ file: f, text: r.text, format });
          else errors.push(r.diagnostic);
        }
      continue;
    }
    const r = readText(file);
    if (r.ok) texts.push({ file, text: r.text });
    else errors.push(r.diagnostic);
  }
  return [texts, errors];
}

/** Rulesets read from files with the readers given (src/parse/index.ts: READER_KITS has them all). */
export function readRulesets(
  files: readonly string[],
  forced: string | undefined,
  topology: BoundTopology,
  readers: ReaderKits,
): { parsed: ParsedRuleset[]; warnings: Diagnostic[] } {
  const [texts, errors] = readTexts(files);
  return parseRulesets(texts, forced, topology, readers, errors);
}

/**
 * parseRulesets with only the readers of the formats these texts are in, loaded first (a format
 * parseRulesets refuses — a bad --ruleset-format, a text of no known format — loads nothing).
 */
async function loadAndParse(
  texts: readonly RulesetText[],
  earlier: readonly Diagnostic[],
  forced: string | undefined,
  topology: BoundTopology,
): Promise<{ parsed: ParsedRuleset[]; warnings: Diagnostic[] }> {
  const named = (READER_NAMES as readonly string[]).includes(forced ?? "")
    ? (forced as ReaderName)
    : undefined;
  const formats =
    forced !== undefined
      ? named === undefined
        ? []
        : [named]
      : texts.flatMap((t) => t.format ?? sniffFormat(t.text) ?? []);
  return parseRulesets(texts, forced, topology, await loadReaders(formats), earlier);
}

function readerOf(readers: ReaderKits, format: ReaderName): ReaderKit {
  const kit = readers[format];
  if (kit === undefined) throw new Error(`the ${format} reader was not loaded`);
  return kit;
}

/** Rulesets already read (from files, or from the kernel with `--live`), each named by `file`. */
export function parseRulesets(
  texts: readonly RulesetText[],
  forced: string | undefined,
  topology: BoundTopology,
  readers: ReaderKits,
  earlier: readonly Diagnostic[] = [],
): { parsed: ParsedRuleset[]; warnings: Diagnostic[] } {
  const formatName = forced === undefined ? undefined : choice("--ruleset-format", forced, READER_NAMES);
  const errors: Diagnostic[] = [...earlier];
  const warnings: Diagnostic[] = [];
  const parsed: ParsedRuleset[] = [];
  // Formats whose files are one configuration (a firewalld or ufw directory): read together, after the loop.
  const together: Record<"firewalld" | "ufw", Array<{ file: string; text: string }>> = {
    firewalld: [],
    ufw: [],
  };
  for (const { file, text, format: known } of texts) {
    const r = { text };
    const format = formatName ?? known ?? sniffFormat(r.text);
    if (!format) {
      // A display of rules (`iptables -L`, `ufw status` …) or nothing: say what it is and what to give.
      const not = notARuleset(r.text);
      errors.push(
        not
          ? diag("not-a-ruleset", "error", `${file}: ${not.what}${not.why ? `: ${not.why}` : ""}`, {
              at: { file, line: not.line, col: 1 },
              expected: not.instead,
            })
          : diag(
              "unknown-ruleset-format",
              "error",
              `${file}: cannot tell the ruleset format from its content`,
              {
                at: { file, line: 1, col: 1 },
                expected: `--ruleset-format ${READER_NAMES.join("|")}`,
              },
            ),
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
    if (format === "firewalld" || format === "ufw") {
      together[format].push({ file, text: r.text });
      continue;
    }
    // nft includes are files: loaded here, handed to the pure reader.
    const p =
      format === "nftables-text"
        ? readNftablesText(r.text, file, loadNftIncludes(r.text, file))
        : readerOf(readers, format).read(r.text, file);
    for (const d of p.diagnostics) (d.severity === "error" ? errors : warnings).push(d);
    const interfaces = readerOf(readers, format).interfaces;
    if (format === "cisco-asa" && interfaces) errors.push(...asaZoneProblems(p, topology, file, interfaces));
    if (format === "junos" && interfaces)
      errors.push(...asaZoneProblems(p, topology, file, interfaces, JUNOS_ZONES));
    if (format === "azure-nsg" && interfaces)
      errors.push(...azureKindProblems(p, topology, file, interfaces));
    parsed.push(p);
  }
  for (const format of ["firewalld", "ufw"] as const) {
    const files = together[format];
    if (files.length === 0) continue;
    const kit = readerOf(readers, format);
    const p = kit.readMany ? kit.readMany(files) : kit.read(files[0]!.text, files[0]!.file);
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

/** `--live`: the running kernel's rulesets, named by the command that printed them. */
async function liveTexts(
  opts: AuditOpts,
): Promise<
  { ok: true; texts: Array<{ file: string; text: string }> } | { ok: false; diagnostic: Diagnostic }
> {
  const { KernelError, liveBackend, liveRulesets } = await import("../shell/kernel-firewall.js");
  const asked = typeof opts.live === "string" ? choice("--live", opts.live, LIVE) : undefined;
  try {
    // Asked for one of two that both hold rules: the other's judge packets too, and are not read.
    // (liveBackend takes a tool that is not installed for one holding no rules.)
    const found = liveBackend();
    if (asked !== undefined && found === "both")
      printDiagnostics([
        diag(
          "live-partial",
          "warning",
          asked === "iptables"
            ? "--live iptables: native nftables tables are loaded too and judge packets as well, but are not read"
            : "--live nftables: iptables rules are loaded too; nft lists iptables-nft's untranslated (xt match …), so they are read as approximations",
          { expected: "--live alone, which reads both (iptables' through iptables-save)" },
        ),
      ]);
    const backend = asked ?? found;
    const texts = liveRulesets(backend === "none" ? "nftables" : backend);
    printDiagnostics(managedBy(texts));
    return { ok: true, texts };
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    const expected = "root, and nft or iptables-save installed";
    return { ok: false, diagnostic: diag("live-unreadable", "error", e.message, { expected }) };
  }
}

/**
 * A note when firewalld or ufw wrote what the kernel runs: findings then point at the rules they
 * generated, and their own files say the same with positions in what the admin edits.
 */
function managedBy(texts: ReadonlyArray<{ text: string }>): Diagnostic[] {
  const all = texts.map((t) => t.text).join("\n");
  if (/"table":\s*\{"family":\s*"inet",\s*"name":\s*"firewalld"/.test(all))
    return [
      diag(
        "live-managed",
        "note",
        "firewalld runs this host's firewall: findings point at the rules it generated (table inet firewalld)",
        {
          expected: "audit -r /etc/firewalld, whose findings point at the zone and policy files",
        },
      ),
    ];
  if (/^:ufw6?-before-input /m.test(all))
    return [
      diag(
        "live-managed",
        "note",
        "ufw runs this host's firewall: findings point at the rules it loaded (ufw-* chains)",
        {
          expected: "audit -r /etc/ufw -r /etc/default/ufw, whose findings point at ufw's files",
        },
      ),
    ];
  return [];
}

function checkSources(opts: AuditOpts): void {
  const both = opts.live !== undefined && opts.ruleset.length > 0;
  const none = opts.live === undefined && opts.ruleset.length === 0;
  if (both || none)
    throw new InputError([
      diag(
        "missing-option",
        "error",
        both ? "--live reads the kernel: no -r files with it" : "no ruleset to audit",
        {
          expected: "-r RULESET… or --live",
        },
      ),
    ]);
  if (opts.failOnDrift === true && opts.save === undefined)
    throw new InputError([
      diag("missing-option", "error", "--fail-on-drift compares with the saved runs", {
        expected: "--save [DB]",
      }),
    ]);
}

/** Records the run; returns its drift against the previous run of the same rulesets (null: none before). */
async function saveAudit(report: AuditReportT, opts: AuditOpts): Promise<Drift | null> {
  const { defaultDbPath, openStore, runDrift, saveRun } = await import("../store/index.js"); // SQLite only when asked for
  const opened = openStore(typeof opts.save === "string" ? opts.save : defaultDbPath());
  if (!opened.ok) throw new InputError(opened.diagnostics);
  try {
    const saved = saveRun(opened.value, "audit", report);
    if (!saved.ok) throw new InputError(saved.diagnostics);
    return runDrift(opened.value, saved.value.id);
  } finally {
    opened.value.close();
  }
}

export async function runAudit(opts: AuditOpts): Promise<number> {
  checkSources(opts);
  const format = choice("--format", opts.format, FORMATS);
  const maxLines = wholeNumber("--max-lines", opts.maxLines, 1);
  const t = loadTopology(opts.topology);
  if (!t.ok) throw new InputError(t.diagnostics);
  // The topology's own warnings (management opened on purpose …), as compile prints them.
  printDiagnostics(t.diagnostics);
  const live = opts.live !== undefined ? await liveTexts(opts) : undefined;
  if (live && !live.ok) return (printDiagnostics([live.diagnostic]), EXIT.environment);
  const { parsed, warnings } = live
    ? await loadAndParse(live.texts, [], opts.rulesetFormat, t.value.bound)
    : await loadAndParse(...readTexts(opts.ruleset), opts.rulesetFormat, t.value.bound);
  printDiagnostics(warnings);
  const report = audit(t.value.bound, parsed, { maxLines });
  const text = renderAudit(report, format);
  const drift = opts.save !== undefined ? await saveAudit(report, opts) : undefined;
  if (opts.output !== undefined) writeFilesAtomic([{ path: opts.output, text }]);
  else process.stdout.write(text);
  if (drift && drift.flows.length > 0) {
    const what = `${drift.flows.length} flow verdict(s) changed since saved run #${drift.previous}: ${drift.flows.join(", ")}`;
    process.stderr.write(`${opts.failOnDrift === true ? "drift" : "note"}: ${what}\n`);
    if (opts.failOnDrift === true) return EXIT.findings;
  }
  return exitCode(report);
}
