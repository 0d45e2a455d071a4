/**
 * What an apply changes, said in the matrix's terms before anything is loaded: each flow whose
 * audit verdict differs between the rules running now (the whole ruleset, other tables included)
 * and the compiled rules alone.
 */
import { audit } from "../audit/audit.js";
import { InputError } from "../diag/diagnostic.js";
import type { BoundTopology } from "../model/flow.js";
import { KernelError, liveRulesets, type Backend } from "../shell/kernel-firewall.js";
import { parseRulesets } from "./audit-run.js";
import { READER_KITS } from "../parse/index.js";

export function flowChanges(
  topology: BoundTopology,
  backend: Backend,
  compiled: ReadonlyArray<{ file: string; text: string }>,
): string[] {
  let running;
  try {
    running = audit(topology, parseRulesets(liveRulesets(backend), undefined, topology, READER_KITS).parsed);
  } catch (e) {
    if (!(e instanceof InputError || e instanceof KernelError)) throw e;
    return [`flows: the running rules could not be read for a comparison (${e.message.split("\n")[0]})`];
  }
  const next = audit(topology, parseRulesets(compiled, undefined, topology, READER_KITS).parsed);
  const before = new Map(running.flows.map((f) => [f.id, f.verdict]));
  const lines = next.flows
    .filter((f) => before.get(f.id) !== f.verdict)
    .map((f) => `  ${f.id}: ${before.get(f.id) ?? "absent"} → ${f.verdict}`);
  return lines.length === 0
    ? ["flows: no verdict changes (running rules → compiled rules)"]
    : [`flows whose verdict changes (running rules → compiled rules):`, ...lines];
}
