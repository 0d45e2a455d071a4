/**
 * Reads profiles and topologies from disk (or the built-in profiles/ folder) and hands the text to
 * the pure model. Every problem comes back as Diagnostics; nothing here throws for bad input.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import type { BoundTopology } from "../model/flow.js";
import { checkProfile, type LoadedProfile } from "../model/profile.js";
import { bindTopology, parseTopology } from "../model/topology.js";
import { mergeExtends } from "../model/extends.js";
import { parseYaml, type YamlSource } from "../model/yaml-source.js";
import { INPUT_LIMITS, readText } from "./files.js";
import { PACKAGE_ROOT } from "./package-root.js";

export { PACKAGE_ROOT, VERSION } from "./package-root.js";
export const PROFILES_DIR = join(PACKAGE_ROOT, "profiles");

export function builtinProfileIds(): string[] {
  return readdirSync(PROFILES_DIR)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.slice(0, -5))
    .sort();
}

export type Loaded<T> =
  { ok: true; value: T; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

/** A built-in id (`lync2013-public-im`) or a path to a profile file. */
export function loadProfile(ref: string, baseDir = process.cwd()): Loaded<LoadedProfile> {
  const read = readProfileSource(ref, baseDir, []);
  if (!read.ok) return read;
  const checked = checkProfile(read.value);
  const diagnostics = [...read.diagnostics, ...checked.diagnostics];
  return checked.loaded && !diagnostics.some((d) => d.severity === "error")
    ? { ok: true, value: checked.loaded, diagnostics }
    : { ok: false, diagnostics };
}

/**
 * A profile's YAML with its `extends` chain merged in (model/extends.ts): each base is a built-in id
 * or a path relative to the profile that names it; a loop is an error, not a hang.
 */
function readProfileSource(ref: string, baseDir: string, chain: readonly string[]): Loaded<YamlSource> {
  const looksLikePath = ref.includes("/") || ref.endsWith(".yaml") || ref.endsWith(".yml");
  const path = looksLikePath
    ? isAbsolute(ref)
      ? ref
      : resolve(baseDir, ref)
    : join(PROFILES_DIR, `${ref}.yaml`);
  if (!looksLikePath && !existsSync(path)) {
    return {
      ok: false,
      diagnostics: [
        diag("unknown-profile", "error", `no built-in profile "${ref}"`, {
          expected: `one of ${builtinProfileIds().join(", ")}, or a path to a profile file`,
        }),
      ],
    };
  }
  const read = readText(path, INPUT_LIMITS.matrix);
  if (!read.ok) return { ok: false, diagnostics: [read.diagnostic] };
  const file = looksLikePath ? ref : `profiles/${ref}.yaml`;
  const { source, diagnostics } =
    (!looksLikePath && parsedAtBuild(ref, file, read.text)) || parseYaml(file, read.text);
  if (!source) return { ok: false, diagnostics };
  const doc = source.value as Record<string, unknown> | null;
  // A topology given where a profile goes: say so, instead of listing every profile key it lacks.
  if (doc !== null && typeof doc === "object" && typeof doc.profile === "string" && !("flows" in doc))
    return {
      ok: false,
      diagnostics: [
        diag(
          "topology-not-profile",
          "error",
          `${ref} is a topology (of profile ${doc.profile}), not a profile`,
          {
            at: source.positionOf(["profile"], { key: true }),
            expected: `a profile here; a topology goes after -t, e.g. portmatrix show ${doc.profile} -t ${ref}`,
          },
        ),
      ],
    };
  const base = doc !== null && typeof doc === "object" ? doc.extends : undefined;
  if (typeof base !== "string") return { ok: true, value: source, diagnostics };
  // Where `extends` is, only when a diagnostic needs it (a position can cost a parse: parsedAtBuild).
  const at = () => source.positionOf(["extends"]);
  if (chain.includes(path))
    return {
      ok: false,
      diagnostics: [
        diag("extends-loop", "error", `${ref} extends itself through ${base}`, {
          at: at(),
          expected: "a chain of extends that ends in a profile without extends",
        }),
      ],
    };
  const parent = readProfileSource(base, dirname(path), [...chain, path]);
  if (!parent.ok)
    return { ok: false, diagnostics: parent.diagnostics.map((d) => (d.at ? d : { ...d, at: at() })) };
  const merged = mergeExtends(parent.value, source);
  return { ok: true, value: merged.source, diagnostics: [...parent.diagnostics, ...merged.diagnostics] };
}

/** Where `npm run build` (scripts/bundle.mjs) leaves each built-in profile's YAML parsed. */
export const PARSED_PROFILES_DIR = join(PACKAGE_ROOT, "dist", "profiles");

/**
 * A built-in profile as the build parsed it (dist/profiles/<id>.json: the YAML text and its value),
 * when that text is the text read now: JSON.parse instead of the YAML parser, ~5× less time for a
 * start (issue 21). Positions, needed only for a diagnostic, come from parsing the text then.
 * Anything else (no such file, another text, unreadable) is undefined: the YAML is parsed as ever.
 */
function parsedAtBuild(
  id: string,
  file: string,
  text: string,
): { source: YamlSource; diagnostics: [] } | undefined {
  let parsed: { text?: unknown; value?: unknown };
  try {
    parsed = JSON.parse(readFileSync(join(PARSED_PROFILES_DIR, `${id}.json`), "utf8")) as typeof parsed;
  } catch {
    return undefined;
  }
  if (parsed.text !== text || !("value" in parsed)) return undefined;
  let located: YamlSource | undefined;
  const positionOf: YamlSource["positionOf"] = (path, opts) => {
    located ??= parseYaml(file, text).source;
    if (located === undefined) throw new Error(`${file}: parsed at build time, not now`);
    return located.positionOf(path, opts);
  };
  return { source: { file, value: parsed.value, positionOf }, diagnostics: [] };
}

export interface LoadedTopology {
  bound: BoundTopology;
  profile: LoadedProfile;
}

/** Today's date as the pure core's "as of" for lifecycles; PORTMATRIX_AS_OF pins it (tests, goldens). */
export function asOfDate(): string {
  return process.env.PORTMATRIX_AS_OF ?? new Date().toISOString().slice(0, 10);
}

export function loadTopology(path: string, asOf = asOfDate()): Loaded<LoadedTopology> {
  const read = readText(path, INPUT_LIMITS.matrix);
  if (!read.ok) return { ok: false, diagnostics: [read.diagnostic] };
  const { source, diagnostics } = parseYaml(path, read.text);
  if (!source) return { ok: false, diagnostics };
  const parsed = parseTopology(source);
  if (!parsed.topology) return { ok: false, diagnostics: parsed.diagnostics };
  const profile = loadProfile(parsed.topology.profile, dirname(resolve(path)));
  if (!profile.ok) {
    const at = source.positionOf(["profile"]);
    return {
      ok: false,
      diagnostics: [...parsed.diagnostics, ...profile.diagnostics.map((d) => (d.at ? d : { ...d, at }))],
    };
  }
  const bound = bindTopology(parsed.topology, source, profile.value, asOf, parsed.diagnostics);
  return bound.bound
    ? { ok: true, value: { bound: bound.bound, profile: profile.value }, diagnostics: bound.diagnostics }
    : { ok: false, diagnostics: bound.diagnostics };
}
