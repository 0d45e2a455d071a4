/** Port specs as written in profiles and topologies: 5061, "50000-59999", a variable, or a list. */
import { IntervalSet } from "../space/interval-set.js";
import type { PortRange } from "../space/port.js";
import { portRanges } from "../space/port.js";

export type PortTerm = number | string;
export type PortSpec = PortTerm | PortTerm[];

export type PortResult =
  | { ok: true; set: IntervalSet }
  | { ok: false; index: number | undefined; message: string; expected: string };

const EXPECTED = 'a port 1-65535, a range "low-high" such as "50000-59999", or the name of a port variable';

/**
 * Resolves a spec. `variables` are already-resolved sets (a variable cannot name another).
 * Errors carry the list index so the caller can point at the exact item.
 */
export function resolvePorts(spec: PortSpec, variables: ReadonlyMap<string, IntervalSet>): PortResult {
  const terms = Array.isArray(spec) ? spec : [spec];
  let set = IntervalSet.EMPTY;
  for (let i = 0; i < terms.length; i++) {
    const index = Array.isArray(spec) ? i : undefined;
    const r = resolveTerm(terms[i]!, variables);
    if (!r.ok) return { ok: false, index, message: r.message, expected: r.expected };
    set = set.union(r.set);
  }
  return { ok: true, set };
}

function resolveTerm(term: PortTerm, variables: ReadonlyMap<string, IntervalSet>): PortResult {
  if (typeof term === "number") return single(term, String(term));
  const text = term.trim();
  if (/^\d+$/.test(text)) return single(Number(text), text);
  const m = /^(\d+)\s*-\s*(\d+)$/.exec(text);
  if (m) {
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    for (const p of [lo, hi]) if (!valid(p)) return bad(`port ${p} in "${text}" is out of range`);
    if (lo > hi)
      return bad(`port range "${text}" is inverted`, `a range whose low end is not above its high end`);
    return { ok: true, set: IntervalSet.of(lo, hi) };
  }
  const v = variables.get(text);
  if (v) return { ok: true, set: v };
  return bad(`"${text}" is neither a port, a port range nor a known port variable`);
}

function single(p: number, text: string): PortResult {
  return valid(p) ? { ok: true, set: IntervalSet.of(p, p) } : bad(`port ${text} is out of range`);
}

function valid(p: number): boolean {
  return Number.isInteger(p) && p >= 1 && p <= 65535;
}

function bad(message: string, expected = EXPECTED): PortResult {
  return { ok: false, index: undefined, message, expected };
}

export function toRanges(set: IntervalSet): PortRange[] {
  return portRanges(set);
}
