/**
 * Profile reuse (`extends`): a profile whose tables equal an earlier product's names that profile and
 * shares its rows instead of copying them. The two YAML documents are merged before the profile is
 * checked, and every path of the merged document maps back to the file it came from, so a problem in
 * a shared row is reported at its line in the base profile. Pure: the shell reads both files.
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import type { PathKey, YamlSource } from "./yaml-source.js";

/** Keyed sections: the base's entries first, the extending profile's own win on the same key. */
const RECORDS = ["sources", "endpoints", "features", "variables", "lifecycles"] as const;
/** Listed sections: the base's items, then the extending profile's. */
const LISTS = ["defects", "flows", "dns", "certificates", "advisories"] as const;

type Doc = Record<string, unknown>;

const asDoc = (v: unknown): Doc =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Doc) : {};
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * `child` extended by `base`: one source whose value is the merged profile. The base's flows named in
 * the child's `drop` are left out (a name that is no base flow is an `unknown-flow` error).
 */
export function mergeExtends(
  base: YamlSource,
  child: YamlSource,
): { source: YamlSource; diagnostics: Diagnostic[] } {
  const b = asDoc(base.value);
  const c = asDoc(child.value);
  const diagnostics: Diagnostic[] = [];
  const drop = asList(c.drop).filter((x): x is string => typeof x === "string");
  const baseFlowIds = asList(b.flows).map((f) => asDoc(f).id);
  drop.forEach((id, i) => {
    if (!baseFlowIds.includes(id))
      diagnostics.push(
        diag("unknown-flow", "error", `drop names "${id}", which is no flow of ${String(c.extends)}`, {
          at: child.positionOf(["drop", i]),
          expected: `one of ${baseFlowIds.map(String).join(", ")}`,
        }),
      );
  });
  const merged: Doc = { ...b, ...c };
  const origin = new Map<string, Array<{ from: YamlSource; index: number }>>();
  for (const key of RECORDS) {
    if (key in b || key in c) merged[key] = { ...asDoc(b[key]), ...asDoc(c[key]) };
  }
  for (const key of LISTS) {
    const kept = asList(b[key])
      .map((item, index) => ({ item, from: base, index }))
      .filter(({ item }) => key !== "flows" || !drop.includes(asDoc(item).id as string));
    const own = asList(c[key]).map((item, index) => ({ item, from: child, index }));
    const all = [...kept, ...own];
    if (key in b || key in c) merged[key] = all.map((x) => x.item);
    origin.set(key, all);
  }
  const positionOf: YamlSource["positionOf"] = (path, opts) => {
    const [head, next, ...rest] = path;
    if (typeof head === "string") {
      const items = origin.get(head);
      if (items && typeof next === "number") {
        const o = items[next];
        if (o) return o.from.positionOf([head, o.index, ...rest], opts);
      }
      if ((RECORDS as readonly string[]).includes(head) && typeof next === "string") {
        const inChild = Object.hasOwn(asDoc(c[head]), next);
        return (inChild ? child : base).positionOf(path, opts);
      }
      if (!Object.hasOwn(c, head) && Object.hasOwn(b, head)) return base.positionOf(path, opts);
    }
    return child.positionOf(path as PathKey[], opts);
  };
  return { source: { file: child.file, value: merged, positionOf }, diagnostics };
}
