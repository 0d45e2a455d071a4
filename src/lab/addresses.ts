/**
 * Which address each endpoint has in the lab, pure. The lab only ever uses the documentation ranges
 * (198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32):
 * - a single host there is kept;
 * - an endpoint bound to `any`, a CIDR or a range gets one host per family it spans (`any`: IPv4 and
 *   IPv6), inside its set: a fresh one when the set holds it (`any`), else its first free
 *   documentation host; a network with no documentation host gets a fresh one (mapped);
 * - a host outside the documentation ranges is mapped to a fresh documentation host (shown; with an
 *   existing ruleset that names the real address this is refused by the caller).
 * Fresh hosts come from 198.51.100.20 upwards and 2001:db8:100::20 upwards, skipping every address an
 * endpoint or the management list already has.
 */
import { eachAddress, singleAddresses, type BoundTopology } from "../model/flow.js";
import { addressText, familyOf, familyPart, parseAddress } from "../space/address.js";

export interface LabAddress {
  endpoint: string;
  /** The topology's own words for the endpoint's addresses. */
  original: string[];
  /** The hosts the endpoint has in the lab. */
  lab: string[];
  /** An address outside the documentation ranges was replaced (the ruleset cannot name it). */
  mapped: boolean;
  /** The endpoint stands for more than its lab hosts (any, a CIDR): the lab tries one of them. */
  sampled: boolean;
}

const DOC = ["198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"].map((c) => {
  const p = parseAddress(c);
  if (!p.ok) throw new Error(`documentation range ${c}`);
  return p.set;
});

export function inDocRanges(v: bigint): boolean {
  return DOC.some((s) => s.has(v));
}

export function assignLabAddresses(t: BoundTopology): LabAddress[] {
  const used = new Set<bigint>();
  for (const e of t.endpoints) for (const v of eachAddress(singleAddresses(e))) used.add(v);
  for (const n of t.nat ?? []) for (const p of n.pairs) used.add(p.public);
  for (const [lo, hi] of t.management.intervals)
    if (hi - lo < 1024n) for (let v = lo; v <= hi; v++) used.add(v);
  const base4 = parseAddress("198.51.100.20");
  const base6 = parseAddress("2001:db8:100::20");
  if (!base4.ok || !base6.ok) throw new Error("lab address pool");
  let next4 = base4.set.intervals[0]![0];
  let next6 = base6.set.intervals[0]![0];
  const fresh = (family: 4 | 6): string => {
    for (;;) {
      const v = family === 4 ? next4++ : next6++;
      if (!used.has(v) && !t.management.has(v)) {
        used.add(v);
        return addressText(v);
      }
    }
  };
  // Pool order: the fresh ranges first, so `any` endpoints get the same tidy addresses as unbound ones.
  const pool = (family: 4 | 6): bigint[] => {
    const base = family === 4 ? base4 : base6;
    const start = base.ok ? base.set.intervals[0]![0] : 0n;
    return Array.from({ length: 200 }, (_, k) => start + BigInt(k));
  };
  return t.endpoints.map((e) => {
    const out: LabAddress = { endpoint: e.id, original: e.text, lab: [], mapped: false, sampled: false };
    const singles = singleAddresses(e);
    for (const v of eachAddress(singles)) {
      if (inDocRanges(v)) out.lab.push(addressText(v));
      else {
        out.lab.push(fresh(familyOf(v)));
        out.mapped = true;
      }
    }
    for (const family of [4, 6] as const) {
      const net = familyPart(e.addresses.subtract(singles), family);
      if (net.intervals.length === 0) continue;
      out.sampled = true;
      // One host of the network: from the fresh pool when the network holds it (any, any4), else
      // the first free documentation host inside it, else (a real network) a fresh one: mapped.
      let picked = pool(family).find((v) => net.has(v) && !used.has(v));
      if (picked === undefined)
        for (const d of DOC) {
          for (const [lo, hi] of net.intersect(d).intervals) {
            for (let v = hi - lo >= 2n ? lo + 1n : lo; v <= hi && v < lo + 4096n; v++)
              if (!used.has(v)) {
                picked = v;
                break;
              }
            if (picked !== undefined) break;
          }
          if (picked !== undefined) break;
        }
      if (picked !== undefined) {
        used.add(picked);
        out.lab.push(addressText(picked));
      } else {
        out.lab.push(fresh(family));
        out.mapped = true;
      }
    }
    return out;
  });
}
