/**
 * `portmatrix import m365 FILE.json`: its options; src/cli/import-run.ts, imported when it runs,
 * turns a saved Microsoft 365 endpoints answer into a profile (src/import/m365.ts).
 */
import type { Command } from "commander";
import type { Runner } from "./commands.js";

export interface ImportOpts {
  output?: string;
  serviceArea?: string;
  category?: string;
  feedVersion?: string;
  id?: string;
  instance: string;
}

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
      run(async () => {
        const r = await import("./import-run.js");
        return r.runImport(source, file, {
          ...(opts.output !== undefined ? { output: opts.output } : {}),
          ...(opts.serviceArea !== undefined ? { serviceArea: opts.serviceArea } : {}),
          ...(opts.category !== undefined ? { category: opts.category } : {}),
          ...(opts.feedVersion !== undefined ? { feedVersion: opts.feedVersion } : {}),
          ...(opts.id !== undefined ? { id: opts.id } : {}),
          instance: opts.instance ?? "worldwide",
        });
      }),
    );
}
