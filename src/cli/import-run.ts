/** What `portmatrix import m365 FILE.json` does (src/cli/import.ts registers it): a saved Microsoft 365 endpoints answer → a profile (src/import/m365.ts). */
import { importM365 } from "../import/m365.js";
import { readText, writeFilesAtomic } from "../shell/files.js";
import { choice, EXIT, InputError, warn } from "./io.js";
import { type ImportOpts } from "./import.js";

const list = (v: string | undefined): string[] =>
  v === undefined
    ? []
    : v
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean);

export function runImport(source: string, file: string, opts: ImportOpts): number {
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
