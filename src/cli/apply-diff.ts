/**
 * What an apply changes, said in the matrix's terms before anything is loaded: each flow whose
 * audit verdict differs between the rules running now (the whole ruleset, other tables included)
 * and the compiled rules alone. firewalld: between its configuration directory as it is and as it
 * will be (the owned files replaced) — the whole configuration, since firewalld dispatches each
 * packet to one zone.
 */
import { audit } from "../audit/audit.js";
import { InputError } from "../diag/diagnostic.js";
import type { BoundTopology } from "../model/flow.js";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { AuditReportT } from "../audit/report-schema.js";
import { firewalldOwnedFile, UFW_OWNED } from "../compile/owned.js";
import { firewalldDirectory, ufwDirectory } from "../shell/files.js";
import type { UfwState } from "../shell/ufw-host.js";
import { KernelError, liveRulesets, type ApplyBackend, type OwnedState } from "../shell/kernel-firewall.js";
import { parseRulesets } from "./audit-run.js";
import { READER_KITS } from "../parse/index.js";

type Texts = Array<{ file: string; text: string; format?: "firewalld" | "ufw" }>;

/** firewalld's configuration directory now, and with the owned files replaced by `compiled`'s. */
function firewalldTexts(
  previous: OwnedState,
  compiled: ReadonlyArray<{ file: string; text: string }>,
): [Texts, Texts] {
  if (previous.target !== "firewalld") throw new Error("firewalld texts of another backend");
  const dir = previous.dir;
  const now: Texts = (firewalldDirectory(dir) ?? []).map((file) => {
    try {
      return { file, text: readFileSync(file, "utf8"), format: "firewalld" };
    } catch (e) {
      throw new KernelError(`cannot read ${file}: ${(e as Error).message}`);
    }
  });
  // No firewalld.conf: firewalld's defaults (DefaultZone public …), which the reader gives an empty one.
  if (!now.some((t) => t.file === join(dir, "firewalld.conf")))
    now.unshift({ file: join(dir, "firewalld.conf"), text: "", format: "firewalld" });
  const owned = (file: string) => firewalldOwnedFile(previous.name, file.slice(dir.length + 1));
  const next: Texts = [
    ...now.filter((t) => !owned(t.file)),
    ...compiled.map((c) => ({
      file: join(dir, c.file.replace(/^compiled\//, "")),
      text: c.text,
      format: "firewalld" as const,
    })),
  ];
  return [now, next];
}

/** ufw's files apply does not own (its before/after rules …), read once for both states. */
function ufwUnowned(): Texts {
  const owned = new Set<string>(UFW_OWNED);
  return (ufwDirectory(dirname(UFW_OWNED[0])) ?? [])
    .filter((file) => !owned.has(file))
    .map((file) => {
      try {
        return { file, text: readFileSync(file, "utf8"), format: "ufw" as const };
      } catch (e) {
        throw new KernelError(`cannot read ${file}: ${(e as Error).message}`);
      }
    });
}

/**
 * ufw: the compiled commands' effect is known once ufw has run them (what ufw writes is its own
 * CLI's doing), so the flows are compared after the load, between ufw's whole configuration (its
 * other files and the owned ones of each state) before and after — before the confirmation, which
 * is still the admin's to give or withhold.
 */
export function ufwFlowChanges(topology: BoundTopology, previous: OwnedState, current: OwnedState): string[] {
  if (previous.target !== "ufw" || current.target !== "ufw") throw new Error("ufw states expected");
  let before, after;
  try {
    const rest = ufwUnowned();
    const judge = (state: UfwState) => {
      const mine = Object.entries(state.files)
        .filter((e): e is [string, string] => e[1] !== null)
        .map(([file, text]) => ({ file, text, format: "ufw" as const }));
      return audit(topology, parseRulesets([...rest, ...mine], undefined, topology, READER_KITS).parsed);
    };
    before = judge(previous);
    after = judge(current);
  } catch (e) {
    if (!(e instanceof InputError || e instanceof KernelError)) throw e;
    return [`flows: ufw's configuration could not be read for a comparison (${e.message.split("\n")[0]})`];
  }
  return verdictChanges(before, after, "ufw before → ufw after the commands");
}

function verdictChanges(running: AuditReportT, next: AuditReportT, what: string): string[] {
  const before = new Map(running.flows.map((f) => [f.id, f.verdict]));
  const lines = next.flows
    .filter((f) => before.get(f.id) !== f.verdict)
    .map((f) => `  ${f.id}: ${before.get(f.id) ?? "absent"} → ${f.verdict}`);
  return lines.length === 0
    ? [`flows: no verdict changes (${what})`]
    : [`flows whose verdict changes (${what}):`, ...lines];
}

export function flowChanges(
  topology: BoundTopology,
  backend: ApplyBackend,
  compiled: ReadonlyArray<{ file: string; text: string }>,
  previous: OwnedState,
): string[] {
  let running;
  let after: Texts = [...compiled];
  try {
    let texts;
    if (backend === "ufw") return ["flows: compared once ufw has run the commands (below)"];
    if (backend === "firewalld") [texts, after] = firewalldTexts(previous, compiled);
    else texts = liveRulesets(backend);
    running = audit(topology, parseRulesets(texts, undefined, topology, READER_KITS).parsed);
  } catch (e) {
    if (!(e instanceof InputError || e instanceof KernelError)) throw e;
    return [`flows: the running rules could not be read for a comparison (${e.message.split("\n")[0]})`];
  }
  let next;
  try {
    next = audit(topology, parseRulesets(after, undefined, topology, READER_KITS).parsed);
  } catch (e) {
    // firewalld: the whole configuration as it will be, which firewalld's own check then judges.
    if (!(e instanceof InputError)) throw e;
    return [
      `flows: the rules as they will be could not be read for a comparison (${e.message.split("\n")[0]})`,
    ];
  }
  return verdictChanges(running, next, "running rules → compiled rules");
}
