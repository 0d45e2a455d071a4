/** What every compile target is: a pure function from the plan to files. One target per file. */
import type { Diagnostic } from "../diag/diagnostic.js";
import type { Plan } from "./plan.js";

/** The targets' ids in the order help and `--target all` list them (src/compile/index.ts: TARGETS). */
export const TARGET_IDS = [
  "nftables",
  "iptables",
  "windows",
  "cisco-asa",
  "pf",
  "aws",
  "azure",
  "junos",
  "fortios",
  "panos",
  "firewalld",
  "ufw",
] as const;

export type TargetId = (typeof TARGET_IDS)[number];

/**
 * `suffix` "" is the main file (stdout or -o FILE); others are written as FILE<suffix>. A target
 * whose output is a directory (`layout: "directory"`) has no main file: every suffix is a path in
 * it (`/zones/portmatrix.xml`), written as DIR<suffix> with -o DIR.
 */
export interface CompiledFile {
  suffix: string;
  text: string;
}

export type TargetResult =
  { ok: true; files: CompiledFile[]; warnings: string[] } | { ok: false; diagnostics: Diagnostic[] };

export interface Target {
  id: TargetId;
  description: string;
  /** File extension of the main file when written into a folder (`compile --target all`). */
  extension: string;
  /** The target has FQDN objects (destinations by DNS name); absent: rules by name are refused. */
  fqdn?: boolean;
  /** The output is a directory of files (firewalld's /etc/firewalld layout), not a main file. */
  layout?: "directory";
  /** The target writes the topology's static NAT (`nat:`); absent: a topology with NAT is refused. */
  nat?: boolean;
  compile(plan: Plan): TargetResult;
}
