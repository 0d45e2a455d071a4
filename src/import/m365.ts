/**
 * `portmatrix import m365`: a saved answer of the Microsoft 365 IP Address and URL web service
 * (`https://endpoints.office.com/endpoints/worldwide`, a JSON array of endpoint sets) → a profile.
 * Pure: the shell reads the file and writes the result.
 *
 * Field meanings follow the web service page ("Microsoft 365 IP Address and URL web service",
 * endpoints web method): `id` is "the immutable id number of the endpoint set"; `tcpPorts` and
 * `udpPorts` are "a comma-separated list of ports or port ranges separated by a dash", applying to
 * all IPs and URLs of the set; `urls`, `ips`, the port fields and `notes` are "omitted if blank";
 * `category` is Optimize, Allow or Default; `required: false` marks an optional set whose `notes`
 * say what would be unavailable. The version is YYYYMMDDNN (the `/version` method's `latest`).
 *
 * One profile row per endpoint set and transport, id `set-<id>-<tcp|udp>` (the feed's immutable id,
 * so `show --compare` between two imports matches sets across months). The set's IP ranges are the
 * endpoint's `addresses` (the topology need not bind them); a set with URLs only is an endpoint known
 * by name (`fqdns`), its rows active only with the `fqdn-firewall` feature. Optional sets need the
 * `optional-endpoints` feature.
 */
import * as z from "zod";
import { stringify } from "yaml";
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { parseAddress } from "../space/address.js";
import { parseYaml, type YamlSource } from "../model/yaml-source.js";
import { zodDiagnostics } from "../model/zod-diagnostics.js";
import { fqdnSchema } from "../model/schema.js";

export const M365_FEED_PAGE =
  "https://learn.microsoft.com/en-us/microsoft-365/enterprise/microsoft-365-ip-web-service";
export const SERVICE_AREAS = ["Common", "Exchange", "SharePoint", "Skype"] as const;
export const CATEGORIES = ["Optimize", "Allow", "Default"] as const;

const PORTS = /^\d{1,5}(-\d{1,5})?(,\d{1,5}(-\d{1,5})?)*$/;
const portsSchema = z.string().regex(PORTS, { message: 'ports as "80,443" or "3478-3481"' });

/** One endpoint set as the web service answers it (unknown fields are ignored: the feed may grow). */
export const endpointSetSchema = z.object({
  id: z.number().int().nonnegative(),
  serviceArea: z.string().min(1),
  serviceAreaDisplayName: z.string().optional(),
  urls: z.array(fqdnSchema()).optional(),
  ips: z.array(z.string().min(1)).optional(),
  tcpPorts: portsSchema.optional(),
  udpPorts: portsSchema.optional(),
  expressRoute: z.boolean(),
  category: z.enum(CATEGORIES),
  /** Absent in early answers (2018): taken as required, and the row's notes say so. */
  required: z.boolean().optional(),
  notes: z.string().optional(),
});
export const feedSchema = z.array(endpointSetSchema);
export type EndpointSet = z.infer<typeof endpointSetSchema>;

export interface ImportOptions {
  /** The file as the user named it (recorded, and read for a version when none is given). */
  file: string;
  /** Service areas to keep (`Skype` is Teams); empty or absent = all. */
  serviceAreas?: readonly string[];
  categories?: readonly string[];
  /** YYYYMMDDNN from the user (`--feed-version`), else taken from the file name, else unknown. */
  version?: string;
  instance?: string;
  /** The profile id; default `m365-<instance>-<version>`. */
  id?: string;
}

export interface ImportResult {
  yaml?: string;
  /** Rows by transport and kind, for the command's summary line. */
  summary?: { sets: number; ipRows: number; fqdnRows: number; skipped: number };
  diagnostics: Diagnostic[];
}

const VERSION = /^\d{10}$/;

/** The version and where it came from: the option, a 10-digit YYYYMMDDNN in the file name, or unknown. */
export function feedVersion(
  file: string,
  given?: string,
): { version: string | null; from: "option" | "file name" | "unknown" } {
  if (given !== undefined) return { version: given, from: "option" };
  const base = file.split(/[\\/]/).pop() ?? file;
  const m = /(?:^|[^0-9])(\d{10})(?:[^0-9]|$)/.exec(base);
  return m && validDate(m[1]!) ? { version: m[1]!, from: "file name" } : { version: null, from: "unknown" };
}

function validDate(v: string): boolean {
  const [y, m, d] = [Number(v.slice(0, 4)), Number(v.slice(4, 6)), Number(v.slice(6, 8))];
  return y >= 2018 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

const dateOf = (v: string): string => `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}`;

/** Reads the feed text: every problem located at its line and column, nothing half-read. */
export function readFeed(file: string, text: string): { sets?: EndpointSet[]; diagnostics: Diagnostic[] } {
  // JSON is YAML 1.2 (flow style): the YAML reader gives positions for every path.
  const { source, diagnostics } = parseYaml(file, text);
  if (!source) return { diagnostics: diagnostics.map((d) => ({ ...d, code: "m365-syntax" })) };
  if (!Array.isArray(source.value)) {
    const r = feedSchema.safeParse(source.value);
    return { diagnostics: r.success ? [] : zodDiagnostics(source, feedSchema, r.error.issues) };
  }
  // Item by item, so one broken endpoint set does not hide the problems of the others.
  const out: Diagnostic[] = [];
  const valid: Array<[EndpointSet, number]> = [];
  source.value.forEach((item: unknown, i) => {
    const r = endpointSetSchema.safeParse(item);
    if (r.success) valid.push([r.data, i]);
    else
      out.push(
        ...zodDiagnostics(
          source,
          feedSchema,
          r.error.issues.map((x) => ({ ...x, path: [i, ...x.path] })),
        ),
      );
  });
  const seen = new Map<number, number>();
  valid.forEach(([set, i]) => {
    if (seen.has(set.id))
      out.push(
        diag(
          "duplicate-id",
          "error",
          `endpoint set ${set.id} appears twice (items ${seen.get(set.id)} and ${i})`,
          {
            at: source.positionOf([i, "id"]),
            expected: "each endpoint set id once (the web service's ids are unique)",
          },
        ),
      );
    seen.set(set.id, i);
    set.ips?.forEach((ip, k) => {
      const p = parseAddress(ip);
      if (!p.ok) out.push(badField(source, [i, "ips", k], `"${ip}" is not an address range`, p.expected));
    });
    for (const key of ["tcpPorts", "udpPorts"] as const) {
      const bad = (set[key] ?? "").split(",").filter((t) => t !== "" && !portTermOk(t));
      for (const t of bad)
        out.push(
          badField(
            source,
            [i, key],
            `port "${t}" of endpoint set ${set.id} is out of range`,
            "ports 1-65535, ranges low-high",
          ),
        );
    }
    if (set.ips === undefined && set.urls === undefined)
      out.push(badField(source, [i], `endpoint set ${set.id} has neither ips nor urls`, "ips, urls or both"));
  });
  return out.length > 0 ? { diagnostics: out } : { sets: valid.map(([set]) => set), diagnostics: [] };
}

function portTermOk(t: string): boolean {
  const [lo, hi = lo] = t.split("-").map(Number) as [number, number?];
  return lo >= 1 && hi! <= 65535 && lo <= hi!;
}

function badField(
  source: YamlSource,
  path: Array<string | number>,
  message: string,
  expected: string,
): Diagnostic {
  return diag("invalid-value", "error", message, { at: source.positionOf(path), expected });
}

/** Checks a selection option against the values the feed knows. */
export function checkSelection(
  option: string,
  values: readonly string[],
  allowed: readonly string[],
): Diagnostic[] {
  return values
    .filter((v) => !allowed.includes(v))
    .map((v) =>
      diag("bad-option", "error", `${option} "${v}" is not one of the feed's values`, {
        expected: `a comma-separated list of ${allowed.join(", ")} (Skype is Microsoft Teams)`,
      }),
    );
}

/** The profile for the selected endpoint sets, as YAML text (comment header, then the document). */
export function importM365(text: string, opts: ImportOptions): ImportResult {
  const areas = opts.serviceAreas ?? [];
  const cats = opts.categories ?? [];
  const problems = [
    ...checkSelection("--service-area", areas, SERVICE_AREAS),
    ...checkSelection("--category", cats, CATEGORIES),
  ];
  if (opts.version !== undefined && (!VERSION.test(opts.version) || !validDate(opts.version)))
    problems.push(
      diag("bad-option", "error", `--feed-version "${opts.version}" is not a feed version`, {
        expected: "YYYYMMDDNN, as the web service's /version method answers (e.g. 2024071400)",
      }),
    );
  if (problems.length > 0) return { diagnostics: problems };
  const feed = readFeed(opts.file, text);
  if (!feed.sets) return { diagnostics: feed.diagnostics };
  const chosen = feed.sets.filter(
    (s) =>
      (areas.length === 0 || areas.includes(s.serviceArea)) &&
      (cats.length === 0 || cats.includes(s.category)),
  );
  if (chosen.length === 0)
    return {
      diagnostics: [
        diag("m365-empty", "error", `no endpoint set of ${opts.file} matches the selection`, {
          expected: `service areas among ${[...new Set(feed.sets.map((s) => s.serviceArea))].join(", ")}`,
        }),
      ],
    };
  const { version, from } = feedVersion(opts.file, opts.version);
  const instance = opts.instance ?? "worldwide";
  const profile = profileOf(chosen, {
    id: opts.id ?? `m365-${instance}-${version ?? "unversioned"}`,
    instance,
    version,
    versionFrom: from,
    file: opts.file,
    areas,
    cats,
  });
  const rows = profile.flows;
  const header = [
    `# Imported by portmatrix import m365 from ${opts.file}: ${chosen.length} of ${feed.sets.length} endpoint sets.`,
    `# Feed version: ${version ?? "unknown (give --feed-version YYYYMMDDNN, the /version method's answer)"} (${from}).`,
    "# Regenerate rather than edit: the rows are the feed's endpoint sets, one per set and transport.",
  ];
  return {
    yaml: header.join("\n") + "\n" + stringify(profile, { lineWidth: 0 }),
    summary: {
      sets: chosen.length,
      ipRows: rows.filter((f) => !f.conditions.includes(FQDN_FEATURE)).length,
      fqdnRows: rows.filter((f) => f.conditions.includes(FQDN_FEATURE)).length,
      skipped: feed.sets.length - chosen.length,
    },
    diagnostics: [],
  };
}

export const FQDN_FEATURE = "fqdn-firewall";
export const OPTIONAL_FEATURE = "optional-endpoints";

interface Meta {
  id: string;
  instance: string;
  version: string | null;
  versionFrom: "option" | "file name" | "unknown";
  file: string;
  areas: readonly string[];
  cats: readonly string[];
}

interface Row {
  id: string;
  role: string;
  protocol: string;
  transport: "tcp" | "udp";
  ports: string[];
  from: string;
  to: string;
  notes: string;
  conditions: string[];
}

function profileOf(sets: readonly EndpointSet[], m: Meta) {
  const endpoints: Record<string, object> = {
    clients: {
      name: "Clients and servers on the customer network",
      kind: "remote",
      description: "bind to the networks whose traffic to Microsoft 365 the firewall passes",
    },
  };
  const flows: Row[] = [];
  for (const s of sets) {
    const ep = `set-${s.id}`;
    const label = s.serviceAreaDisplayName ?? s.serviceArea;
    endpoints[ep] = {
      name: `${label}: endpoint set ${s.id} (${s.category})`,
      kind: "remote",
      ...(s.ips ? { addresses: [...s.ips] } : {}),
      ...(s.urls ? { fqdns: [...s.urls] } : {}),
    };
    const optional = s.required === false;
    const conditions = [...(optional ? [OPTIONAL_FEATURE] : []), ...(s.ips ? [] : [FQDN_FEATURE])];
    const notes = [
      s.notes ?? "",
      s.required === undefined
        ? "Required (the answer does not say; taken as required)."
        : optional
          ? "Optional."
          : "Required.",
      s.ips ? "" : "URLs only: needs an FQDN-capable firewall or a proxy.",
      s.urls && s.ips ? `Also by name: ${s.urls.join(", ")}.` : "",
    ]
      .filter(Boolean)
      .join(" ");
    for (const [transport, ports] of [
      ["tcp", s.tcpPorts],
      ["udp", s.udpPorts],
    ] as const) {
      if (ports === undefined) continue;
      flows.push({
        id: `${ep}-${transport}`,
        role: s.serviceArea,
        protocol: `${s.category}${s.expressRoute ? " (ExpressRoute)" : ""}`,
        transport,
        ports: ports.split(","),
        from: "clients",
        to: ep,
        notes,
        conditions,
      });
    }
  }
  const title = `Microsoft 365 endpoints (${m.instance})${m.version ? `, version ${m.version}` : ""}`;
  return {
    id: m.id,
    title,
    product: "Microsoft 365",
    imported: {
      feed: "Microsoft 365 IP Address and URL web service, endpoints method",
      instance: m.instance,
      version: m.version,
      ...(m.version ? { date: dateOf(m.version) } : {}),
      versionFrom: m.versionFrom,
      file: m.file,
      serviceAreas: [...m.areas],
      categories: [...m.cats],
      endpointSets: sets.length,
    },
    sources: {
      feed: {
        title: `Microsoft 365 IP Address and URL web service: endpoints/${m.instance}${m.version ? ` version ${m.version}` : ""} (saved copy ${m.file})`,
        url: `https://endpoints.office.com/endpoints/${m.instance}`,
        ...(m.version ? { modified: dateOf(m.version) } : {}),
        mirrors: [M365_FEED_PAGE],
      },
    },
    endpoints,
    features: {
      [FQDN_FEATURE]: {
        description:
          "The firewall (or a proxy) allows destinations by DNS name: the URL-only endpoint sets apply",
      },
      [OPTIONAL_FEATURE]: {
        description:
          "The optional endpoint sets (required: false in the feed; their notes say what they serve)",
      },
    },
    flows,
  };
}
