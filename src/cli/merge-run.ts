/**
 * What `portmatrix merge` does (src/cli/probe.ts registers it): apart from probe-run.ts, so that a
 * probe run loads neither the probe output's zod schema nor node:crypto (issue 21).
 */
import { createRequire } from "node:module";
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { mergeRuns, probeExitCode } from "../probe/outcome.js";
import { ProbeOutput, type ProbeOutputT } from "../probe/result.js";
import { readJsonFile, writeFilesAtomic } from "../shell/files.js";
import { choice, InputError, warn } from "./io.js";
import { FORMATS } from "./probe.js";
import { render } from "./probe-run.js";

/**
 * The runs to merge: each file read and checked; one run given twice (or a copy) is counted once,
 * with a warning; runs of different profiles are refused, at the second profile's value.
 */
function readRunsToMerge(files: readonly string[]): ProbeOutputT[] {
  // node:crypto only for merge: loading it cost every probe run ~2.5 ms of start-up (issue 21).
  // require, not import(): the bundle runs as a vm.Script, where import() of a built-in fails.
  const { createHash } = createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
  const runs: ProbeOutputT[] = [];
  const problems: Diagnostic[] = [];
  const seen = new Map<string, string>(); // digest → the first file with that run
  let first: { file: string; profile: string } | undefined;
  for (const file of files) {
    const r = readJsonFile(file, ProbeOutput, "a probe run as printed by probe --format json (version 1)");
    if (!r.ok) {
      problems.push(...r.diagnostics);
      continue;
    }
    // The same run twice (one file given twice, or a copy) would count every probe twice.
    const digest = createHash("sha256").update(JSON.stringify(r.value)).digest("hex");
    const same = seen.get(digest);
    if (same !== undefined) {
      warn([`${file} is the same run as ${same} (sha256 ${digest.slice(0, 12)}…): counted once`]);
      continue;
    }
    seen.set(digest, file);
    first ??= { file, profile: r.value.profile };
    if (r.value.profile !== first.profile)
      problems.push(
        diag(
          "profile-mismatch",
          "error",
          `${file} is a probe run of profile "${r.value.profile}", ${first.file} one of "${first.profile}"`,
          {
            at: r.locate(["profile"]) ?? { file, line: 1, col: 1 },
            expected: "probe runs of one profile (and topology) to merge",
          },
        ),
      );
    runs.push(r.value);
  }
  if (problems.length > 0) throw new InputError(problems);
  return runs;
}

export function runMerge(files: string[], opts: { format: string; output?: string }): number {
  const format = choice("--format", opts.format, FORMATS);
  const merged = mergeRuns(readRunsToMerge(files));
  const text = render(merged, format);
  if (opts.output !== undefined) writeFilesAtomic([{ path: opts.output, text }]);
  else process.stdout.write(text);
  return probeExitCode(merged);
}
