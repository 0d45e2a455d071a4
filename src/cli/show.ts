/** `portmatrix profiles` and `portmatrix show`. */
import type { Command } from "commander";
import { lowerFlows, resolveVariables } from "../model/profile.js";
import { matrixWarnings, renderShow, type ShowFormat } from "../report/matrix.js";
import { builtinProfileIds, loadProfile, loadTopology, asOfDate } from "../shell/load.js";
import { choice, EXIT, InputError, warn } from "./io.js";

export function registerShow(program: Command, run: (fn: () => Promise<number> | number) => void): void {
  program
    .command("profiles")
    .description("list the built-in profiles")
    .option("--format <format>", "table or json", "table")
    .action((opts: { format: string }) =>
      run(() => profiles(choice("--format", opts.format, ["table", "json"] as const))),
    );

  program
    .command("show")
    .description(
      "print a profile's port matrix in the vendor's columns (resolved to addresses with --topology)",
    )
    .argument("[profile]", "built-in profile id or profile file (default: the topology's profile)")
    .option("-t, --topology <file>", "bind the matrix to a topology")
    .option("--format <format>", "table, json, csv or md", "table")
    .action((ref: string | undefined, opts: { topology?: string; format: string }) =>
      run(() =>
        show(ref, opts.topology, choice("--format", opts.format, ["table", "json", "csv", "md"] as const)),
      ),
    );
}

function profiles(format: "table" | "json"): number {
  const list = builtinProfileIds().map((id) => {
    const p = loadProfile(id);
    if (!p.ok) throw new InputError(p.diagnostics);
    const { profile } = p.value;
    const src = Object.values(profile.sources)[0];
    return {
      id,
      title: profile.title,
      product: profile.product,
      source: src?.url ?? "",
      rows: profile.flows.length,
    };
  });
  if (format === "json") process.stdout.write(JSON.stringify({ version: 1, profiles: list }, null, 2) + "\n");
  else
    for (const p of list)
      process.stdout.write(`${p.id.padEnd(28)} ${p.product}: ${p.title} (${p.rows} rows)\n`);
  return EXIT.ok;
}

function show(ref: string | undefined, topologyPath: string | undefined, format: ShowFormat): number {
  if (topologyPath !== undefined) {
    const t = loadTopology(topologyPath);
    if (!t.ok) throw new InputError(t.diagnostics);
    if (ref !== undefined && ref !== t.value.bound.profileId) {
      const p = loadProfile(ref);
      if (!p.ok || p.value.profile.id !== t.value.bound.profileId) {
        throw new InputError([
          {
            code: "profile-mismatch",
            severity: "error",
            message: `the topology binds profile "${t.value.bound.profileId}", not "${ref}"`,
            expected: `no profile argument, or "${t.value.bound.profileId}"`,
          },
        ]);
      }
    }
    const { profile } = t.value.profile;
    process.stdout.write(
      renderShow({ profile, flows: t.value.bound.flows, topology: t.value.bound }, format),
    );
    warn(matrixWarnings(profile, t.value.bound.flows));
    return EXIT.ok;
  }
  if (ref === undefined) {
    throw new InputError([
      {
        code: "missing-argument",
        severity: "error",
        message: "show needs a profile or --topology",
        expected: `a profile id (${builtinProfileIds().join(", ")}) or a file`,
      },
    ]);
  }
  const p = loadProfile(ref);
  if (!p.ok) throw new InputError(p.diagnostics);
  const { profile } = p.value;
  const variables = resolveVariables(profile.variables, {}, () => undefined);
  const flows = lowerFlows(profile, { variables, asOf: asOfDate() });
  process.stdout.write(renderShow({ profile, flows }, format));
  warn(matrixWarnings(profile, flows));
  return EXIT.ok;
}
