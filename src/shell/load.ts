/**
 * Reads profiles and topologies from disk (or the built-in profiles/ folder) and hands the text to
 * the pure model. Every problem comes back as Diagnostics; nothing here throws for bad input.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import type { BoundTopology } from "../model/flow.js";
import { checkProfile, type LoadedProfile } from "../model/profile.js";
import { bindTopology, parseTopology } from "../model/topology.js";
import { mergeExtends } from "../model/extends.js";
import { parseYaml, type PathKey, type YamlSource } from "../model/yaml-source.js";
import type { Profile } from "../model/schema.js";
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
  const built = isProfilePath(ref) ? undefined : checkedAtBuild(ref);
  return built !== undefined ? { ok: true, value: built, diagnostics: [] } : readAndCheck(ref, baseDir);
}

const isProfilePath = (ref: string): boolean =>
  ref.includes("/") || ref.endsWith(".yaml") || ref.endsWith(".yml");

/** The profile read, its extends merged and checked (`texts`: every file read, path → text). */
function readAndCheck(ref: string, baseDir: string, texts?: Map<string, string>): Loaded<LoadedProfile> {
  const read = readProfileSource(ref, baseDir, [], texts);
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
function readProfileSource(
  ref: string,
  baseDir: string,
  chain: readonly string[],
  texts?: Map<string, string>,
): Loaded<YamlSource> {
  const looksLikePath = isProfilePath(ref);
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
  texts?.set(path, read.text);
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
  const parent = readProfileSource(base, dirname(path), [...chain, path], texts);
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

/**
 * A built-in profile as the build checked it (dist/profiles/<id>.checked.json, from checkForBuild):
 * when every file it came from (the profile and its `extends` chain) still holds the text the build
 * read, the profile is taken as checkProfile gave it then, without zod or the reference checks
 * (issue 21: `profiles` checked all 25 at every start, `compile` built the profile's schemas). Its
 * source (the YAML's value, positions) is read only when something asks for it. Anything else (no
 * such file, a text changed, a file gone) is undefined: the profile is read and checked as ever,
 * with every diagnostic. `builtDir`: where the build wrote it (tests use a copy).
 */
export function checkedAtBuild(id: string, builtDir = PARSED_PROFILES_DIR): LoadedProfile | undefined {
  let built: ReturnType<typeof parseCheckedAtBuild>;
  try {
    built = parseCheckedAtBuild(readFileSync(join(builtDir, `${id}.checked.json`), "utf8"));
  } catch {
    return undefined;
  }
  if (built === undefined) return undefined;
  for (const [file, text] of built.files) {
    const read = readText(join(PROFILES_DIR, file), INPUT_LIMITS.matrix);
    if (!read.ok || read.text !== text) return undefined;
  }
  let source: YamlSource | undefined;
  const read = (): YamlSource => {
    if (source === undefined) {
      const r = readProfileSource(id, PROFILES_DIR, []);
      if (!r.ok) throw new Error(`profiles/${id}.yaml: checked at build time, unreadable now`);
      source = r.value;
    }
    return source;
  };
  return {
    profile: built.profile,
    source: {
      file: `profiles/${id}.yaml`,
      get value() {
        return read().value;
      },
      positionOf: (path, opts) => read().positionOf(path, opts),
    },
  };
}

/**
 * What the build stores for a built-in profile (scripts/bundle.mjs writes `json` as
 * dist/profiles/<id>.checked.json): the profile as checkProfile gave it, the files it came from
 * (relative to profiles/, with their text), and what JSON alone would lose: the objects without a
 * prototype (the name records) and the keys whose value is undefined (optional fields absent from
 * the YAML; they are written as null and made undefined again, in their place). Undefined for a
 * profile with any diagnostic, or one that reads a file outside profiles/: that one is checked at
 * every run.
 */
export function checkForBuild(id: string): { json: string; profile: Profile } | undefined {
  const texts = new Map<string, string>();
  const r = readAndCheck(id, PROFILES_DIR, texts);
  if (!r.ok || r.diagnostics.length > 0) return undefined;
  const files = [...texts].map(([path, text]): [string, string] => [relative(PROFILES_DIR, path), text]);
  if (files.some(([file]) => file.startsWith("..") || isAbsolute(file))) return undefined;
  const bare: PathKey[][] = [];
  const absent: PathKey[][] = [];
  const walk = (v: unknown, path: PathKey[]): void => {
    if (v === undefined) absent.push(path);
    if (v === null || typeof v !== "object") return;
    if (Object.getPrototypeOf(v) === null) bare.push(path);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  const { profile } = r.value;
  walk(profile, []);
  const json = JSON.stringify({ files, profile, bare, absent }, (_k, v: unknown) =>
    v === undefined ? null : v,
  );
  return { json, profile };
}

/** checkForBuild's value from its JSON, with its objects without a prototype and its undefined keys. */
export function parseCheckedAtBuild(
  json: string,
): { files: Array<[string, string]>; profile: Profile } | undefined {
  const built = JSON.parse(json) as {
    files?: Array<[string, string]>;
    profile?: Record<PathKey, unknown>;
    bare?: PathKey[][];
    absent?: PathKey[][];
  };
  const { files, profile, bare, absent } = built;
  if (
    !Array.isArray(files) ||
    !Array.isArray(bare) ||
    !Array.isArray(absent) ||
    typeof profile !== "object" ||
    profile === null
  )
    return undefined;
  const at = (path: PathKey[]) => path.reduce((v, k) => v[k] as Record<PathKey, unknown>, profile);
  for (const path of bare) Object.setPrototypeOf(at(path), null);
  for (const path of absent) at(path.slice(0, -1))[path.at(-1)!] = undefined;
  return { files, profile: profile as unknown as Profile };
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
