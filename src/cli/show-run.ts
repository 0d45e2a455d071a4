/** What `portmatrix profiles` and `portmatrix show` do (src/cli/show.ts registers them). */
import { lowerFlows, productSupport, resolveVariables } from "../model/profile.js";
import { matrixWarnings, renderShow, type ShowFormat } from "../report/matrix.js";
import { builtinProfileIds, loadProfile, loadTopology, asOfDate } from "../shell/load.js";
import { EXIT, InputError, warn } from "./io.js";
import { compareProfiles, type Comparison } from "../report/compare.js";
import { renderComparison, type CompareFormat } from "../report/compare-render.js";
import type { Profile } from "../model/schema.js";

export function profiles(format: "table" | "json"): number {
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
      features: Object.keys(profile.features),
      ...(profile.extends !== undefined ? { extends: profile.extends } : {}),
    };
  });
  if (format === "json") process.stdout.write(JSON.stringify({ version: 1, profiles: list }, null, 2) + "\n");
  else
    for (const p of list)
      process.stdout.write(`${p.id.padEnd(28)} ${p.product}: ${p.title} (${p.rows} rows)\n`);
  return EXIT.ok;
}

export function show(ref: string | undefined, topologyPath: string | undefined, format: ShowFormat): number {
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
    const { support } = t.value.bound;
    process.stdout.write(
      renderShow(
        { profile, flows: t.value.bound.flows, topology: t.value.bound, ...(support ? { support } : {}) },
        format,
      ),
    );
    warn(matrixWarnings(profile, t.value.bound.flows, support));
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
  const asOf = asOfDate();
  const flows = lowerFlows(profile, { variables, asOf });
  const support = productSupport(profile, asOf);
  process.stdout.write(renderShow({ profile, flows, ...(support ? { support } : {}) }, format));
  warn(matrixWarnings(profile, flows, support));
  return EXIT.ok;
}

/** `show --compare A B` (also `show A --compare B`): the migration checklist of src/report/compare.ts. */
export function compare(
  ref: string | undefined,
  refs: readonly string[],
  topology: string | undefined,
  format: CompareFormat,
): number {
  const ids = ref === undefined ? [...refs] : [ref, ...refs];
  if (ids.length !== 2 || topology !== undefined) {
    throw new InputError([
      {
        code: "bad-compare",
        severity: "error",
        message:
          topology !== undefined
            ? "--compare compares two profiles and takes no --topology"
            : `--compare needs exactly two profiles, got ${ids.length}`,
        expected: "show --compare A B, e.g. show --compare lync2013-edge-single-public sfb2019-edge-external",
      },
    ]);
  }
  const sides = ids.map((id) => {
    const p = loadProfile(id);
    if (!p.ok) throw new InputError(p.diagnostics);
    const { profile } = p.value;
    const variables = resolveVariables(profile.variables, {}, () => undefined);
    return { profile, flows: lowerFlows(profile, { variables, asOf: asOfDate() }) };
  });
  const result = compareProfiles(sides[0]!, sides[1]!);
  process.stdout.write(renderComparison(result, format));
  warn(compareWarnings(result, sides[0]!.profile, sides[1]!.profile));
  return EXIT.ok;
}

/** The source defects that touch a row the comparison asks the reader to act on. */
function compareWarnings(c: Comparison, a: Profile, b: Profile): string[] {
  const touched = (side: "a" | "b"): Set<string> =>
    new Set(c.rows.filter((r) => r.status !== "unchanged" && r[side]).map((r) => r[side]!.id));
  return (
    [
      [a, touched("a")],
      [b, touched("b")],
    ] as const
  ).flatMap(([p, ids]) =>
    p.defects
      .filter((d) => d.flows.some((f) => ids.has(f)))
      .map((d) => `source defect (${p.id}: ${d.id}): ${d.text} Reading: ${d.reading}`),
  );
}
