/** What `portmatrix compile` does (src/cli/compile.ts registers it): the matrix bound to a topology, as rules for one target (or all of them). */
import { join } from "node:path";
import { TARGETS } from "../compile/index.js";
import { makePlan, type Plan } from "../compile/plan.js";
import { TARGET_IDS, type CompiledFile, type TargetId } from "../compile/target.js";
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { writeFilesAtomic } from "../shell/files.js";
import { loadTopology } from "../shell/load.js";
import { choice, EXIT, InputError, printDiagnostics, warn } from "./io.js";
import type { CompileOpts } from "./compile.js";

/** Every target's files for a plan, named `<target>.<ext><suffix>`; targets that refuse the plan are listed. */
export function compileAll(plan: Plan): {
  files: Array<{ name: string; text: string }>;
  refused: Array<{ target: TargetId; diagnostics: Diagnostic[] }>;
  warnings: string[];
} {
  const files: Array<{ name: string; text: string }> = [];
  const refused: Array<{ target: TargetId; diagnostics: Diagnostic[] }> = [];
  const warnings: string[] = [];
  for (const id of TARGET_IDS) {
    const t = TARGETS[id]!;
    const r = t.compile(plan);
    if (!r.ok) {
      refused.push({ target: id, diagnostics: r.diagnostics });
      continue;
    }
    warnings.push(...r.warnings.map((w) => `${id}: ${w}`));
    // A directory target's files go into a folder of its name (firewalld/zones/portmatrix.xml).
    const base = t.layout === "directory" ? id : `${id}.${t.extension}`;
    for (const f of r.files) files.push({ name: `${base}${f.suffix}`, text: f.text });
  }
  return { files, refused, warnings };
}

export function runCompile(opts: CompileOpts): number {
  const target = choice("--target", opts.target, [...TARGET_IDS, "all"] as const);
  const t = loadTopology(opts.topology);
  if (!t.ok) throw new InputError(t.diagnostics);
  // The topology's own warnings (management opened on purpose …), with their positions.
  printDiagnostics(t.diagnostics);
  const planned = makePlan(t.value.bound, { dropRetired: opts.dropRetired === true });
  if (!planned.ok) throw new InputError(planned.diagnostics);
  warn(planned.plan.warnings);
  if (target === "all") {
    if (opts.output === undefined)
      throw new InputError([
        diag("missing-argument", "error", "--target all writes one file per target", { expected: "-o DIR" }),
      ]);
    const all = compileAll(planned.plan);
    // Each line once: a target that says the same thing twice is not two problems.
    const lines = [
      ...all.warnings,
      ...all.refused.flatMap((r) => r.diagnostics.map((d) => `${r.target}: ${d.message}`)),
    ];
    warn([...new Set(lines)]);
    writeFilesAtomic(all.files.map((f) => ({ path: join(opts.output!, f.name), text: f.text })));
    return EXIT.ok;
  }
  const r = TARGETS[target]!.compile(planned.plan);
  if (!r.ok) throw new InputError(r.diagnostics);
  warn(r.warnings);
  emit(r.files, opts.output, TARGETS[target]!.layout === "directory");
  return EXIT.ok;
}

function emit(files: readonly CompiledFile[], output: string | undefined, directory: boolean): void {
  if (output !== undefined) {
    writeFilesAtomic(files.map((f) => ({ path: output + f.suffix, text: f.text })));
    return;
  }
  // Standard output: the main file as it is; further files (all of a directory's) follow under a
  // marker line each.
  files.forEach((f, i) =>
    process.stdout.write(
      i === 0 && !directory
        ? f.text
        : `${i === 0 ? "" : "\n"}# ---- ${directory ? f.suffix.slice(1) : f.suffix} (written as ${directory ? "DIR" : "FILE"}${f.suffix} with -o ${directory ? "DIR" : "FILE"}) ----\n${f.text}`,
    ),
  );
}
