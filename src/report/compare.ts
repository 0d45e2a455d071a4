/**
 * `portmatrix show --compare A B`: what changes between two profiles, row by row — a migration
 * checklist (e.g. lync2013-edge-single-public → sfb2019-edge-external). Pure: lowered flows in, data out.
 *
 * Rows are matched in two passes. First by flow id: the catalog uses one id vocabulary across
 * products (`sip-mtls-in`, `rtp-udp-out`, `cms-replication-in` …), so an id names the same duty in
 * every profile. Then, for rows whose id has no partner, by (from, to, transport, protocol) with the
 * protocol normalised ("STUN,MSTURN" = "STUN.MSTURN" = "STUN/MSTURN"), when that key is unique on both
 * sides — so profiles written without the shared ids still line up. Ports are never part of a key:
 * a port change must show as "changed", not as one row removed and another added.
 */
import type { ResolvedFlow } from "../model/flow.js";
import type { Profile } from "../model/schema.js";
import { portsText } from "./matrix.js";

export const COMPARE_JSON_VERSION = 1;

export type RowStatus = "removed" | "added" | "changed" | "unchanged";
export type MatchedBy = "id" | "endpoints-protocol";
/** Fields whose difference makes a row "changed"; wording (notes, display names) never does. */
export type ChangeField =
  | "transport"
  | "ports"
  | "sourcePorts"
  | "from"
  | "to"
  | "protocol"
  | "conditions"
  | "lifecycle"
  | "addresses"
  | "fqdns";

export interface FlowDigest {
  id: string;
  role: string;
  protocol: string;
  transport: "tcp" | "udp";
  /** "443", "50000-59999", "5061,5062". */
  ports: string;
  sourcePorts: string | null;
  from: string;
  to: string;
  source: string;
  destination: string;
  conditions: string[];
  lifecycle: string | null;
  notes: string;
  /**
   * The addresses and DNS names the profile itself gives the row's endpoints (an imported feed's
   * ranges): present only when it gives some, so a feed's monthly IP and URL changes are changes.
   */
  addresses?: string[];
  fqdns?: string[];
}

export interface FieldChange {
  field: ChangeField;
  a: string;
  b: string;
  /** Set-valued fields (addresses, fqdns): what B adds and removes. */
  added?: string[];
  removed?: string[];
}

export interface CompareRow {
  status: RowStatus;
  matchedBy: MatchedBy | null;
  a: FlowDigest | null;
  b: FlowDigest | null;
  changes: FieldChange[];
  /** The row's notes differ (informational: wording changes are common between product versions). */
  notesChanged: boolean;
}

export interface NamedDiff {
  added: string[];
  removed: string[];
}

export interface ProfileRef {
  id: string;
  title: string;
  product: string;
  rows: number;
}

export interface Comparison {
  version: typeof COMPARE_JSON_VERSION;
  a: ProfileRef;
  b: ProfileRef;
  summary: Record<RowStatus, number>;
  rows: CompareRow[];
  features: NamedDiff;
  defects: NamedDiff;
  /** DNS records as "TYPE name[:port]". */
  dns: NamedDiff;
  certificates: NamedDiff;
}

export interface CompareSide {
  profile: Profile;
  flows: readonly ResolvedFlow[];
}

export function digest(f: ResolvedFlow, profile?: Profile): FlowDigest {
  const known = (key: "addresses" | "fqdns"): string[] | undefined => {
    const lists = [f.from, f.to].map((id) => profile?.endpoints[id]?.[key]).filter((l) => l !== undefined);
    return lists.length > 0 ? [...new Set(lists.flat())].sort() : undefined;
  };
  const addresses = known("addresses");
  const fqdns = known("fqdns");
  return {
    id: f.id,
    role: f.role,
    protocol: f.protocol,
    transport: f.transport,
    ports: portsText(f.ports),
    sourcePorts: f.sourcePorts ? portsText(f.sourcePorts) : null,
    from: f.from,
    to: f.to,
    source: f.source,
    destination: f.destination,
    conditions: [...f.conditions].sort(),
    lifecycle: f.lifecycle?.id ?? null,
    notes: f.notes,
    ...(addresses ? { addresses } : {}),
    ...(fqdns ? { fqdns } : {}),
  };
}

/** A set-valued field's change: counts as text, and the items B adds and removes. */
function setChange(field: "addresses" | "fqdns", a?: string[], b?: string[]): FieldChange[] {
  if (a === undefined && b === undefined) return [];
  const sa = new Set(a ?? []);
  const sb = new Set(b ?? []);
  const added = [...sb].filter((x) => !sa.has(x));
  const removed = [...sa].filter((x) => !sb.has(x));
  if (added.length + removed.length === 0) return [];
  return [{ field, a: `${sa.size} ${field}`, b: `${sb.size} ${field}`, added, removed }];
}

/** "STUN,MSTURN", "STUN.MSTURN" and "STUN/MSTURN" are one protocol; case and punctuation are wording. */
export function protocolKey(protocol: string): string {
  return protocol
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

function endpointKey(f: FlowDigest): string {
  return [f.from, f.to, f.transport, protocolKey(f.protocol)].join(" ");
}

function fieldChanges(a: FlowDigest, b: FlowDigest): FieldChange[] {
  const pairs: Array<[ChangeField, string, string]> = [
    ["transport", a.transport, b.transport],
    ["ports", a.ports, b.ports],
    ["sourcePorts", a.sourcePorts ?? "any", b.sourcePorts ?? "any"],
    ["from", a.from, b.from],
    ["to", a.to, b.to],
    ["protocol", protocolKey(a.protocol), protocolKey(b.protocol)],
    ["conditions", a.conditions.join(", ") || "none", b.conditions.join(", ") || "none"],
    ["lifecycle", a.lifecycle ?? "none", b.lifecycle ?? "none"],
  ];
  return [
    ...pairs
      .filter(([, x, y]) => x !== y)
      .map(([field, x, y]) => ({
        field,
        a: field === "protocol" ? a.protocol : x,
        b: field === "protocol" ? b.protocol : y,
      })),
    ...setChange("addresses", a.addresses, b.addresses),
    ...setChange("fqdns", a.fqdns, b.fqdns),
  ];
}

/** Pairs of indexes (into a and b) matched by a key that is unique on both sides. */
function uniquePairs(
  a: readonly FlowDigest[],
  b: readonly FlowDigest[],
  key: (f: FlowDigest) => string,
): Array<[number, number]> {
  const index = (fs: readonly FlowDigest[]): Map<string, number[]> => {
    const m = new Map<string, number[]>();
    fs.forEach((f, i) => m.set(key(f), [...(m.get(key(f)) ?? []), i]));
    return m;
  };
  const ia = index(a);
  const ib = index(b);
  const out: Array<[number, number]> = [];
  for (const [k, xs] of ia) {
    const ys = ib.get(k);
    if (xs.length === 1 && ys?.length === 1) out.push([xs[0]!, ys[0]!]);
  }
  return out.sort((p, q) => p[0] - q[0]);
}

function matchRows(a: readonly FlowDigest[], b: readonly FlowDigest[]): CompareRow[] {
  const pairs: Array<[number, number, MatchedBy]> = uniquePairs(a, b, (f) => f.id).map(([i, j]) => [
    i,
    j,
    "id",
  ]);
  const usedA = new Set(pairs.map((p) => p[0]));
  const usedB = new Set(pairs.map((p) => p[1]));
  const restA = a.map((f, i) => ({ f, i })).filter((x) => !usedA.has(x.i));
  const restB = b.map((f, j) => ({ f, j })).filter((x) => !usedB.has(x.j));
  for (const [x, y] of uniquePairs(
    restA.map((r) => r.f),
    restB.map((r) => r.f),
    endpointKey,
  )) {
    pairs.push([restA[x]!.i, restB[y]!.j, "endpoints-protocol"]);
    usedA.add(restA[x]!.i);
    usedB.add(restB[y]!.j);
  }
  pairs.sort((p, q) => p[0] - q[0]);
  const matched: CompareRow[] = pairs.map(([i, j, by]) => {
    const changes = fieldChanges(a[i]!, b[j]!);
    return {
      status: changes.length > 0 ? "changed" : "unchanged",
      matchedBy: by,
      a: a[i]!,
      b: b[j]!,
      changes,
      notesChanged: a[i]!.notes !== b[j]!.notes,
    };
  });
  const lone = (status: "removed" | "added", f: FlowDigest): CompareRow => ({
    status,
    matchedBy: null,
    a: status === "removed" ? f : null,
    b: status === "added" ? f : null,
    changes: [],
    notesChanged: false,
  });
  const order: RowStatus[] = ["removed", "added", "changed", "unchanged"];
  return [
    ...a.filter((_, i) => !usedA.has(i)).map((f) => lone("removed", f)),
    ...b.filter((_, j) => !usedB.has(j)).map((f) => lone("added", f)),
    ...matched,
  ].sort((x, y) => order.indexOf(x.status) - order.indexOf(y.status));
}

function named(a: readonly string[], b: readonly string[]): NamedDiff {
  const sa = new Set(a);
  const sb = new Set(b);
  return { added: b.filter((x) => !sa.has(x)), removed: a.filter((x) => !sb.has(x)) };
}

function dnsNames(p: Profile): string[] {
  return p.dns.map((r) => `${r.type} ${r.name}${r.port !== undefined ? `:${r.port}` : ""}`);
}

export function compareProfiles(a: CompareSide, b: CompareSide): Comparison {
  const rows = matchRows(
    a.flows.map((f) => digest(f, a.profile)),
    b.flows.map((f) => digest(f, b.profile)),
  );
  const summary: Record<RowStatus, number> = { removed: 0, added: 0, changed: 0, unchanged: 0 };
  for (const r of rows) summary[r.status]++;
  const ref = (s: CompareSide): ProfileRef => ({
    id: s.profile.id,
    title: s.profile.title,
    product: s.profile.product,
    rows: s.flows.length,
  });
  return {
    version: COMPARE_JSON_VERSION,
    a: ref(a),
    b: ref(b),
    summary,
    rows,
    features: named(Object.keys(a.profile.features), Object.keys(b.profile.features)),
    defects: named(
      a.profile.defects.map((d) => d.id),
      b.profile.defects.map((d) => d.id),
    ),
    dns: named(dnsNames(a.profile), dnsNames(b.profile)),
    certificates: named(
      a.profile.certificates.map((c) => c.id),
      b.profile.certificates.map((c) => c.id),
    ),
  };
}
