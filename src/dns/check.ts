/**
 * Does DNS say what the profile needs (SfB Edge: `_sipfederationtls._tcp.{domain}` SRV to
 * sip.{domain}:5061, A records for each edge service address)? Pure: the lookups come in through
 * `Resolve` (the shell passes one backed by a DNS server), the judgement is made here.
 *
 * - A / AAAA: every answer must be an address of the record's endpoint, and where the topology binds
 *   that endpoint to single addresses, each of them must be answered ("one A record per service IP").
 * - SRV: an answer with the profile's port whose target is the profile's host name or a name on the
 *   endpoint's expected certificate (federation partners check the SRV target against the Edge
 *   certificate); that target must resolve (A and AAAA) to addresses of the endpoint only.
 * - CNAME: the alias must point at the profile's target.
 */
import * as z from "zod";
import type { BoundTopology, ExpectedDnsRecord } from "../model/flow.js";
import { familyPart, parseAddress, toReadable, type Family } from "../space/address.js";
import { IntervalSet } from "../space/interval-set.js";
import { expectedNames, nameCovered } from "../probe/cert-names.js";

export interface SrvAnswer {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

/**
 * One lookup's outcome. `missing`: the name does not exist, or has no record of the type (NXDOMAIN,
 * NODATA); `no-answer`: the server did not answer usefully (timeout, refused, SERVFAIL).
 */
export type Lookup<T> =
  { ok: true; values: T[] } | { ok: false; state: "missing" | "no-answer"; code: string };

export interface Resolve {
  srv(name: string): Promise<Lookup<SrvAnswer>>;
  addresses(family: Family, name: string): Promise<Lookup<string>>;
  cname(name: string): Promise<Lookup<string>>;
}

export const DNS_STATES = ["ok", "wrong", "missing", "no-answer"] as const;

export const DnsResult = z.strictObject({
  location: z.enum(["external", "internal"]),
  type: z.enum(["SRV", "A", "AAAA", "CNAME"]),
  name: z.string().describe("the record's name, {domain} filled"),
  domain: z.string().optional().describe("the SIP domain the name was filled with"),
  expected: z.strictObject({
    port: z.number().int().optional().describe("SRV: the port"),
    target: z.string().optional().describe("SRV and CNAME: the host name it must point at"),
    endpoint: z.string().optional().describe("the endpoint whose addresses the record must resolve to"),
    addresses: z
      .array(z.string())
      .describe("that endpoint's addresses in the topology (of the record's family for A/AAAA)"),
    names: z
      .array(z.string())
      .describe("SRV: further target names accepted, those on the endpoint's expected certificate"),
  }),
  answers: z
    .array(z.string())
    .describe('what DNS answered: addresses, "priority weight port target", or names'),
  resolved: z
    .array(z.strictObject({ name: z.string(), addresses: z.array(z.string()) }))
    .describe("SRV and CNAME: the addresses (A and AAAA) each matching target resolved to"),
  state: z.enum(DNS_STATES),
  ok: z.boolean(),
  detail: z.string(),
  notes: z.string(),
});
export type DnsResultT = z.infer<typeof DnsResult>;

export const DnsOutput = z.strictObject({
  version: z.literal(1),
  profile: z.string(),
  server: z.string().describe('the DNS server asked ("system" for the system resolver)'),
  location: z.enum(["external", "internal", "all"]),
  domains: z.array(z.string()),
  records: z.array(DnsResult),
  summary: z.strictObject({
    records: z.number().int(),
    ok: z.number().int(),
    failed: z.number().int(),
    states: z.record(z.string(), z.number().int()),
  }),
});
export type DnsOutputT = z.infer<typeof DnsOutput>;

const bare = (n: string): string => n.replace(/\.$/, "").toLowerCase();
const list = (xs: readonly string[]): string => xs.join(", ");

/**
 * Addresses a record or a target resolved to that are not the endpoint's (`want`), and the addresses
 * the topology writes one at a time (`hosts`) that were not answered.
 */
function compare(
  answers: readonly string[],
  want: IntervalSet,
  hosts: IntervalSet = IntervalSet.EMPTY,
): { outside: string[]; lacking: string[] } {
  const got = answers.map((a) => ({ a, set: parseAddress(a) }));
  const outside = got.filter((g) => !g.set.ok || !want.contains(g.set.set)).map((g) => g.a);
  const answered = got.reduce((s, g) => (g.set.ok ? s.union(g.set.set) : s), IntervalSet.EMPTY);
  // Only addresses written one by one say which records must exist; a CIDR or `any` does not.
  const lacking = toReadable(hosts.intersect(want).subtract(answered));
  return { outside, lacking };
}

export async function checkRecord(
  r: ExpectedDnsRecord,
  t: Pick<BoundTopology, "endpoints" | "certificates">,
  resolve: Resolve,
): Promise<DnsResultT> {
  const endpoint = r.endpoint === undefined ? undefined : t.endpoints.find((e) => e.id === r.endpoint);
  const all = endpoint?.addresses ?? IntervalSet.EMPTY;
  const family: Family | undefined = r.type === "A" ? 4 : r.type === "AAAA" ? 6 : undefined;
  const want = family === undefined ? all : familyPart(all, family);
  const names = r.type === "SRV" && r.endpoint !== undefined ? expectedNames(t, r.endpoint) : [];
  const base = {
    location: r.location,
    type: r.type,
    name: r.name,
    ...(r.domain !== undefined ? { domain: r.domain } : {}),
    expected: {
      ...(r.port !== undefined ? { port: r.port } : {}),
      ...(r.target !== undefined ? { target: r.target } : {}),
      ...(r.endpoint !== undefined ? { endpoint: r.endpoint } : {}),
      addresses: endpoint ? toReadable(want) : [],
      names,
    },
    notes: r.notes,
  };
  const out = (
    state: DnsResultT["state"],
    detail: string,
    answers: string[] = [],
    resolved: DnsResultT["resolved"] = [],
  ): DnsResultT => ({ ...base, answers, resolved, state, ok: state === "ok", detail });
  const failed = (l: { state: "missing" | "no-answer"; code: string }): DnsResultT =>
    out(
      l.state,
      l.state === "missing"
        ? `no ${r.type} record for ${r.name} (${l.code})`
        : `the server gave no answer for ${r.name} (${l.code})`,
    );
  const of = endpoint ? ` of ${endpoint.id} (${list(toReadable(want)) || "none in the topology"})` : "";

  if (family !== undefined) {
    const l = await resolve.addresses(family, r.name);
    if (!l.ok) return failed(l);
    if (!endpoint) return out("ok", `${r.name} → ${list(l.values)}`, l.values);
    const { outside, lacking } = compare(l.values, want, endpoint.hosts);
    if (outside.length > 0)
      return out("wrong", `${r.name} has ${list(outside)}, not an address${of}`, l.values);
    if (lacking.length > 0)
      return out("wrong", `${r.name} lacks ${list(lacking)}: one record per service address${of}`, l.values);
    return out("ok", `${r.name} → ${list(l.values)} (${endpoint.id})`, l.values);
  }

  // SRV and CNAME point at a host name; that name must resolve to the endpoint.
  let targets: string[];
  let answers: string[];
  if (r.type === "SRV") {
    const l = await resolve.srv(r.name);
    if (!l.ok) return failed(l);
    answers = l.values.map((a) => `${a.priority} ${a.weight} ${a.port} ${bare(a.name)}`);
    const accepted = (n: string): boolean => n === r.target || (names.length > 0 && nameCovered(n, names));
    targets = [
      ...new Set(
        l.values.filter((a) => a.port === r.port && accepted(bare(a.name))).map((a) => bare(a.name)),
      ),
    ];
    if (targets.length === 0)
      return out(
        "wrong",
        `no answer points at ${r.target}:${r.port}${names.length > 1 ? " or another name on the endpoint's certificate" : ""} (answers: ${list(answers)})`,
        answers,
      );
  } else {
    const l = await resolve.cname(r.name);
    if (!l.ok) return failed(l);
    answers = l.values.map(bare);
    if (!answers.includes(r.target!))
      return out("wrong", `${r.name} is an alias of ${list(answers)}, not of ${r.target}`, answers);
    targets = [r.target!];
  }
  const resolved: DnsResultT["resolved"] = [];
  for (const name of targets) {
    const [v4, v6] = await Promise.all([resolve.addresses(4, name), resolve.addresses(6, name)]);
    const addresses = [...(v4.ok ? v4.values : []), ...(v6.ok ? v6.values : [])];
    resolved.push({ name, addresses });
    const noAnswer = [v4, v6].find((l) => !l.ok && l.state === "no-answer");
    if (noAnswer && !noAnswer.ok && addresses.length === 0)
      return out("no-answer", `${name}: ${noAnswer.code}`, answers, resolved);
    if (addresses.length === 0)
      return out("wrong", `${r.name} points at ${name}, which has no A or AAAA record`, answers, resolved);
    if (endpoint) {
      const { outside } = compare(addresses, want);
      if (outside.length > 0)
        return out(
          "wrong",
          `${r.name} points at ${name}, which has ${list(outside)}, not an address${of}`,
          answers,
          resolved,
        );
    }
  }
  const where = r.type === "SRV" ? `${list(targets)}:${r.port}` : list(targets);
  const at = resolved.flatMap((x) => x.addresses);
  return out(
    "ok",
    `${r.name} → ${where} → ${list(at)}${endpoint ? ` (${endpoint.id})` : ""}`,
    answers,
    resolved,
  );
}

/** Checks every record (those of one location, or all), in profile order. */
export async function checkDns(
  t: Pick<BoundTopology, "profileId" | "endpoints" | "certificates" | "dns" | "sipDomains">,
  location: "external" | "internal" | "all",
  server: string,
  resolve: Resolve,
): Promise<DnsOutputT> {
  const records = t.dns.filter((r) => location === "all" || r.location === location);
  const results = await Promise.all(records.map((r) => checkRecord(r, t, resolve)));
  const states: Record<string, number> = {};
  for (const r of results) states[r.state] = (states[r.state] ?? 0) + 1;
  const ok = results.filter((r) => r.ok).length;
  return {
    version: 1,
    profile: t.profileId,
    server,
    location,
    domains: [...t.sipDomains],
    records: results,
    summary: { records: results.length, ok, failed: results.length - ok, states },
  };
}
