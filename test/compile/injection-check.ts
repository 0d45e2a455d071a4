/**
 * Issue 15, for the injection tests: a profile and a topology built in memory (free texts and
 * interface names replaced at will), taken through the real model → plan → targets, and each
 * target's output reduced to its *skeleton* — the code that remains when comments and quoted text
 * are blanked, read with each target's own grammar (written here independently of
 * src/compile/text.ts). Hostile text can change only what the skeleton blanks: the skeleton of a
 * hostile profile's output must equal the skeleton of the same profile with plain text.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import YAML from "yaml";
import { TARGETS } from "../../src/compile/index.js";
import { makePlan, type Plan } from "../../src/compile/plan.js";
import type { TargetId } from "../../src/compile/target.js";
import type { Diagnostic } from "../../src/diag/diagnostic.js";
import { checkProfile } from "../../src/model/profile.js";
import { bindTopology, parseTopology } from "../../src/model/topology.js";
import { parseYaml } from "../../src/model/yaml-source.js";
import { readXml, type XmlElement } from "../../src/parse/firewalld-xml.js";
import { ROOT } from "../cli/run-cli.js";

export const AS_OF = "2026-11-25";

/** Every free-text field of the seed profile that can reach an output, as a path into its YAML. */
export const TEXT_FIELDS = [
  "title",
  "product",
  "endpoints.partners.name",
  "endpoints.edge-access.name",
  "endpoints.clients.name",
  "endpoints.messenger-clients.name",
  "endpoints.clients.description",
  "features.public-im-connectivity.description",
  "lifecycles.messenger-federation.service",
  "flows.0.role",
  "flows.0.protocol",
  "flows.0.notes",
  "flows.1.protocol",
  "flows.2.role",
  "flows.2.protocol",
  "flows.3.protocol",
  "flows.4.protocol",
  "flows.5.notes",
] as const;

export type Texts = Partial<Record<(typeof TEXT_FIELDS)[number], string>>;

const SEED = YAML.parse(readFileSync(join(ROOT, "profiles", "lync2013-public-im.yaml"), "utf8")) as Record<
  string,
  unknown
>;

function setPath(obj: Record<string, unknown>, path: string, value: string): void {
  const keys = path.split(".");
  let o = obj as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
  o[keys.at(-1)!] = value;
}

export function profileText(texts: Texts): string {
  const p = structuredClone(SEED);
  for (const [path, value] of Object.entries(texts)) setPath(p, path, value);
  return YAML.stringify(p);
}

export function topologyText(kind: "host" | "perimeter", iface = "eth0", management?: unknown): string {
  const t: Record<string, unknown> = {
    profile: "lync2013-public-im",
    endpoints: {
      "edge-access": ["203.0.113.10", "2001:db8:10::10"],
      partners: ["198.51.100.0/26", "2001:db8:20::/48"],
      clients: "any",
      "messenger-clients": "any",
    },
    features: ["public-im-connectivity"],
    firewall:
      kind === "host"
        ? { kind: "host", host: "edge-access" }
        : {
            kind: "perimeter",
            zones: {
              internet: { interface: iface, endpoints: ["partners", "clients", "messenger-clients"] },
              dmz: { interface: "eth1", endpoints: ["edge-access"] },
            },
          },
    management: management ?? ["198.51.100.240/28"],
  };
  return YAML.stringify(t);
}

export type Built = { ok: true; plan: Plan } | { ok: false; diagnostics: Diagnostic[] };

/** The real model and plan on in-memory files (as `compile` runs them, without the file reads). */
export function build(profileYaml: string, topologyYaml: string): Built {
  const p = parseYaml("profile.yaml", profileYaml);
  if (!p.source) return { ok: false, diagnostics: p.diagnostics };
  const checked = checkProfile(p.source);
  if (!checked.loaded) return { ok: false, diagnostics: checked.diagnostics };
  const t = parseYaml("topology.yaml", topologyYaml);
  if (!t.source) return { ok: false, diagnostics: t.diagnostics };
  const parsed = parseTopology(t.source);
  if (!parsed.topology) return { ok: false, diagnostics: parsed.diagnostics };
  const bound = bindTopology(parsed.topology, t.source, checked.loaded, AS_OF, parsed.diagnostics);
  if (!bound.bound) return { ok: false, diagnostics: bound.diagnostics };
  const planned = makePlan(bound.bound, { dropRetired: false });
  return planned.ok ? { ok: true, plan: planned.plan } : planned;
}

export type Outputs = Partial<
  Record<TargetId, { files: Record<string, string> } | { refused: Diagnostic[] }>
>;

export function compileEvery(plan: Plan): Outputs {
  const out: Outputs = {};
  for (const [id, t] of Object.entries(TARGETS) as Array<[TargetId, (typeof TARGETS)[TargetId]]>) {
    const r = t.compile(plan);
    out[id] = r.ok
      ? { files: Object.fromEntries(r.files.map((f) => [f.suffix, f.text])) }
      : { refused: r.diagnostics };
  }
  return out;
}

const blankLines = (text: string, comment: RegExp) => text.split("\n").filter((l) => !comment.test(l));

/** PowerShell counts U+2018–U+201B as single quotes too (about_Quoting_Rules). */
const PS_Q = "['\u2018\u2019\u201a\u201b]";
const PS_STRING = new RegExp(`${PS_Q}(?:(?!${PS_Q})[^]|${PS_Q}${PS_Q})*${PS_Q}`, "g");

/** Blanks the JSON string values at `keys` (descriptions), keeping the structure. */
function jsonSkeleton(text: string, keys: readonly string[]): string {
  return JSON.stringify(JSON.parse(text), (k, v: unknown) => (keys.includes(k) ? "" : v));
}

function xmlSkeleton(text: string): string {
  const r = readXml(text);
  if (!r.ok) return `not XML: ${r.message}`;
  const walk = (e: XmlElement): string => {
    const attrs = [...e.attrs].map(
      ([k, v]) => `${k}=${e.name === "log" && k === "prefix" ? "" : JSON.stringify(v)}`,
    );
    const own = e.name === "short" || e.name === "description" ? "" : e.text.trim();
    return `<${e.name} ${attrs.join(" ")}>${own}${e.children.map(walk).join("")}</${e.name}>`;
  };
  return walk(r.root);
}

/**
 * The code of one output file with comments and free-text strings blanked, per target grammar.
 * `suffix` tells the AWS JSON from its Terraform (`.tf`).
 */
export function skeleton(target: TargetId, suffix: string, text: string): string {
  switch (target) {
    case "nftables":
    case "iptables":
    case "pf":
      // `#` comment lines; strings in double quotes, which none of the three can escape.
      return blankLines(text, /^\s*#/)
        .map((l) => l.replace(/"[^"]*"/g, '""'))
        .join("\n");
    case "windows":
      return blankLines(text, /^\s*#/)
        .map((l) => l.replace(PS_STRING, "''"))
        .join("\n");
    case "cisco-asa":
      // `!` lines; a remark is text to the end of its line (and may take several lines).
      return blankLines(text, /^!|^access-list \S+ remark /).join("\n");
    case "aws":
      if (suffix === ".tf")
        return blankLines(text, /^\s*#/)
          .map((l) => l.replace(/"(?:[^"\\]|\\.)*"/g, '""'))
          .join("\n");
      return jsonSkeleton(text, ["Description"]);
    case "azure":
      return jsonSkeleton(text, ["description", "comments"]);
    case "firewalld":
      // XML read by a parser (firewalld's own is a SAX parser): comments dropped, the character
      // data of <short> and <description> and the log prefix blanked; anything not well-formed
      // is its own skeleton, which a plain profile's output never has.
      return xmlSkeleton(text);
    case "ufw":
      // A shell script: `#` comment lines; comments in single quotes, inside which the shell
      // reads nothing and which the text cannot end (no `'`: ufw refuses one in a comment).
      return blankLines(text, /^\s*#/)
        .map((l) => l.replace(/'[^']*'/g, "''"))
        .join("\n");
    case "junos":
    // `#` comment lines; quoted strings with backslash escapes (Junos CLI).
    case "fortios":
    // `#` comment lines; double-quoted strings with `\"` and `\\` escapes.
    case "panos":
      // `#` lines; descriptions in double quotes, which the PAN-OS CLI cannot escape (none inside).
      return blankLines(text, /^\s*#/)
        .map((l) => l.replace(/"(?:[^"\\]|\\.)*"/g, '""'))
        .join("\n");
  }
}

/** Grammar limits each target's text must respect whatever the input (beyond the skeleton). */
export function textLimits(target: TargetId, suffix: string, text: string): string[] {
  const problems: string[] = [];
  const lines = text.split("\n");
  const unsafe = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
  if (unsafe.test(text)) problems.push("a control or bidi character in the output");
  // JSON outputs escape control characters; their values must not hold any either.
  if (target === "azure" || (target === "aws" && suffix === ""))
    JSON.stringify(JSON.parse(text), (_k, v: unknown) => {
      if (typeof v === "string" && unsafe.test(v))
        problems.push(`a control character in ${JSON.stringify(v)}`);
      return v;
    });
  if (target === "nftables")
    for (const m of text.matchAll(/comment "([^"]*)"/g))
      if (Buffer.byteLength(m[1]!) > 128) problems.push(`nft comment over 128 bytes: ${m[1]}`);
  if (target === "iptables")
    for (const m of text.matchAll(/--comment "([^"]*)"/g))
      if (Buffer.byteLength(m[1]!) > 255 || m[1]!.includes("\\")) problems.push(`iptables comment: ${m[1]}`);
  if (target === "cisco-asa")
    for (const l of lines) {
      const m = /^access-list \S+ remark (.*)$/.exec(l);
      if (m && (m[1]!.length > 100 || /[^\x20-\x7e]|\?/.test(m[1]!))) problems.push(`ASA remark: ${l}`);
    }
  if (target === "junos")
    for (const m of text.matchAll(/description "((?:[^"\\\n]|\\.)*)"/g))
      if (m[1]!.replace(/\\(.)/g, "$1").length > 900) problems.push(`Junos description over 900: ${m[1]}`);
  if (target === "fortios")
    for (const m of text.matchAll(/set (\S+) "((?:[^"\\\n]|\\.)*)"/g))
      if (
        [...m[2]!.replace(/\\(.)/g, "$1")].length > (m[1] === "comments" ? 1023 : 255) ||
        m[2]!.includes("?")
      )
        problems.push(`FortiOS string: ${m[0]}`);
  if (target === "panos")
    for (const m of text.matchAll(/description "([^"]*)"/g))
      if (m[1]!.length > 1023 || /[^\x20-\x7e]|\?|\\/.test(m[1]!))
        problems.push(`PAN-OS description: ${m[1]}`);
  if (target === "pf" || target === "nftables")
    for (const l of lines)
      if (/^\s*#.*\\$/.test(l)) problems.push(`comment continued onto the next line: ${l}`);
  if (target === "aws" && suffix === ".tf")
    for (const m of blankLines(text, /^\s*#/)
      .join("\n")
      .matchAll(/"((?:[^"\\\n]|\\.)*)"/g))
      if (/\$\{|%\{/.test(m[1]!.replace(/\$\$\{|%%\{/g, ""))) problems.push(`HCL interpolation in ${m[0]}`);
  if (target === "aws" && suffix === "")
    JSON.stringify(JSON.parse(text), (k, v: unknown) => {
      if (
        k === "Description" &&
        typeof v === "string" &&
        !/^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]{0,255}$/.test(v)
      )
        problems.push(`AWS description: ${v}`);
      return v;
    });
  if (target === "azure")
    JSON.stringify(JSON.parse(text), (k, v: unknown) => {
      if ((k === "description" || k === "comments") && typeof v === "string" && /^\[(?!\[)/.test(v))
        problems.push(`ARM expression in ${k}: ${v}`);
      if (k === "description" && typeof v === "string" && [...v].length > 140)
        problems.push(`NSG description over 140`);
      return v;
    });
  return problems;
}

/** `cmd` inside network namespace `ns`; throws with the tool's stderr when it refuses. */
export function inNetns(ns: string, cmd: string[], input: string): void {
  execFileSync("ip", ["netns", "exec", ns, ...cmd], {
    input,
    stdio: ["pipe", "pipe", "pipe"],
    timeout: 30_000,
  });
}
