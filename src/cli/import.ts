/** `portmatrix import m365 FILE.json`: a saved Microsoft 365 endpoints answer → a profile (src/import/m365.ts). */
import type { Command } from "commander";
import { importM365 } from "../import/m365.js";
import { readText, writeFilesAtomic } from "../shell/files.js";
import { choice, EXIT, InputError, warn } from "./io.js";
import type { Runner } from "./commands.js";

interface ImportOpts {
  output?: string;
  serviceArea?: string;
  category?: string;
  feedVersion?: string;
  id?: string;
  instance: string;
}

const list = (v: string | undefined): string[] =>
  v === undefined
    ? []
    : v
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean);

export function registerImport(program: Command, run: Runner): void {
  program
    .command("import")
    .description(
      "turn a vendor's published endpoint list into a profile (m365: the Microsoft 365 endpoints web service)",
    )
    .argument("<source>", "m365")
    .argument("<file>", "a saved answer of https://endpoints.office.com/endpoints/<instance> (JSON)")
    .option("-o, --output <file>", "write the profile here (default: standard output)")
    .option(
      "--service-area <areas>",
      "keep these service areas: Common, Exchange, SharePoint, Skype (= Teams), comma-separated",
    )
    .option("--category <categories>", "keep these categories: Optimize, Allow, Default, comma-separated")
    .option(
      "--feed-version <YYYYMMDDNN>",
      "the feed's version (the /version method's answer); default: a YYYYMMDDNN in the file name, else unknown",
    )
    .option("--id <id>", "the profile id (default m365-<instance>-<version>)")
    .option("--instance <name>", "the web service instance the file was saved from", "worldwide")
    .action((source: string, file: string, opts: Record<string, string | undefined>) =>
      run(() =>
        runImport(source, file, {
          ...(opts.output !== undefined ? { output: opts.output } : {}),
          ...(opts.serviceArea !== undefined ? { serviceArea: opts.serviceArea } : {}),
          ...(opts.category !== undefined ? { category: opts.category } : {}),
          ...(opts.feedVersion !== undefined ? { feedVersion: opts.feedVersion } : {}),
          ...(opts.id !== undefined ? { id: opts.id } : {}),
          instance: opts.instance ?? "worldwide",
        }),
      ),
    );
}

function runImport(source: string, file: string, opts: ImportOpts): number {
  choice("import source", source, ["m365"] as const);
  const read = readText(file);
  if (!read.ok) throw new InputError([read.diagnostic]);
  const r = importM365(read.text, {
    file,
    serviceAreas: list(opts.serviceArea),
    categories: list(opts.category),
    ...(opts.feedVersion !== undefined ? { version: opts.feedVersion } : {}),
    ...(opts.id !== undefined ? { id: opts.id } : {}),
    instance: opts.instance,
  });
  if (!r.yaml || !r.summary) throw new InputError(r.diagnostics);
  if (opts.output !== undefined) writeFilesAtomic([{ path: opts.output, text: r.yaml }]);
  else process.stdout.write(r.yaml);
  const s = r.summary;
  warn([
    `${s.sets} endpoint sets → ${s.ipRows} rows by address, ${s.fqdnRows} rows by name only (need an FQDN-capable firewall or proxy: feature fqdn-firewall)${s.skipped ? `; ${s.skipped} sets not selected` : ""}`,
    ...(r.yaml.includes("version: null")
      ? ["the feed's version is unknown: pass --feed-version YYYYMMDDNN (the /version method's answer)"]
      : []),
  ]);
  return EXIT.ok;
}
