/**
 * What `portmatrix demo` does (src/cli/demo.ts registers it): the main job on the built-in default — the seed profile bound to the shipped
 * example topologies. Each step is a real run of the same code the commands use.
 */
import { join } from "node:path";
import { audit } from "../audit/audit.js";
import { matrixWarnings, renderShow } from "../report/matrix.js";
import { renderAuditText } from "../report/audit-text.js";
import { loadTopology, PACKAGE_ROOT } from "../shell/load.js";
import { readRulesets } from "./audit-run.js";
import { READER_KITS } from "../parse/index.js";
import { compileAll } from "./compile-run.js";
import { makePlan } from "../compile/plan.js";
import { writeFilesAtomic } from "../shell/files.js";
import { EXIT, InputError, onStopSignal, printDiagnostics, exitAfterSignal } from "./io.js";
import { Lab } from "../lab/run.js";
import { renderLabText } from "../lab/result.js";

export const DEMO_TOPOLOGY = join(PACKAGE_ROOT, "examples", "seed-host.yaml");
const PERIMETER_TOPOLOGY = join(PACKAGE_ROOT, "examples", "seed-perimeter.yaml");
const LEGACY_TOPOLOGY = join(PACKAGE_ROOT, "examples", "legacy", "host-topology.yaml");
const LEGACY_RULESET = join(PACKAGE_ROOT, "examples", "legacy", "edge-iptables.rules");

function heading(text: string): void {
  process.stdout.write(`\n== ${text} ==\n\n`);
}

function load(path: string) {
  const t = loadTopology(path);
  if (!t.ok) throw new InputError(t.diagnostics);
  return t.value;
}

/** Every target for both seed topologies into outDir/<kind>/; returns the lines to print. */
function compileStep(outDir: string): string[] {
  const lines: string[] = [];
  const files: Array<{ path: string; text: string }> = [];
  for (const [kind, path] of [
    ["host", DEMO_TOPOLOGY],
    ["perimeter", PERIMETER_TOPOLOGY],
  ] as const) {
    const planned = makePlan(load(path).bound, { dropRetired: false });
    if (!planned.ok) throw new InputError(planned.diagnostics);
    const all = compileAll(planned.plan);
    for (const f of all.files) {
      files.push({ path: join(outDir, kind, f.name), text: f.text });
      lines.push(`  ${join(outDir, kind, f.name).padEnd(48)} ${f.text.split("\n").length - 1} lines`);
    }
    for (const r of all.refused)
      lines.push(
        `  ${`${kind}: ${r.target}`.padEnd(48)} not for this kind: ${r.diagnostics[0]?.message ?? ""}`,
      );
  }
  writeFilesAtomic(files);
  return lines;
}

export async function demo(outDir: string): Promise<number> {
  const { bound, profile } = load(DEMO_TOPOLOGY);
  heading(`1. The matrix: ${bound.profileId} bound to examples/seed-host.yaml`);
  process.stdout.write(
    renderShow({ profile: profile.profile, flows: bound.flows, topology: bound }, "table"),
  );
  process.stdout.write("\n");
  for (const w of matrixWarnings(profile.profile, bound.flows)) process.stdout.write(`warning: ${w}\n`);

  heading(
    `2. Compiled for every target (host: examples/seed-host.yaml, perimeter: examples/seed-perimeter.yaml) into ${outDir}/`,
  );
  for (const l of compileStep(outDir)) process.stdout.write(l + "\n");
  process.stdout.write(
    "  (retired Messenger rows kept and marked; `portmatrix compile --drop-retired` leaves them out)\n",
  );

  heading("3. Audit of a legacy edge firewall: examples/legacy/edge-iptables.rules");
  const legacy = load(LEGACY_TOPOLOGY);
  const { parsed, warnings } = readRulesets([LEGACY_RULESET], undefined, legacy.bound, READER_KITS);
  printDiagnostics(warnings);
  process.stdout.write(renderAuditText(audit(legacy.bound, parsed)).replaceAll(PACKAGE_ROOT + "/", ""));

  heading(
    "4. Live: examples/seed-perimeter.yaml in network namespaces, compiled nftables loaded, every flow probed",
  );
  return labStep();
}

/** The lab on the perimeter seed when this machine can (root, Linux, namespaces); else what was skipped and how to get it. */
async function labStep(): Promise<number> {
  const how =
    "run the demo as root on Linux (sudo node dist/src/cli/main.js demo), or: sudo portmatrix lab -t examples/seed-perimeter.yaml";
  if (process.platform !== "linux" || process.getuid?.() !== 0) {
    process.stdout.write(
      `  skipped: the lab needs root on Linux (network namespaces, kernel firewall rules).\n  To see it: ${how}\n`,
    );
    return EXIT.ok;
  }
  const lab = new Lab({
    topologyPath: PERIMETER_TOPOLOGY,
    target: "nftables",
    dropRetired: false,
    log: () => {},
  });
  const offSignal = onStopSignal((signal) => void lab.cleanup().finally(() => exitAfterSignal(signal)));
  try {
    const r = await lab.run();
    if (!r.ok) {
      process.stdout.write(
        `  skipped: ${r.diagnostics.map((d) => d.message).join("; ")}\n  To see it: ${how}\n`,
      );
      return EXIT.ok;
    }
    process.stdout.write(renderLabText({ ...r.output, topology: "examples/seed-perimeter.yaml" }));
    return r.output.summary.disagreements === 0 ? EXIT.ok : EXIT.findings;
  } finally {
    for (const p of await lab.cleanup()) process.stderr.write(`lab: cleanup: ${p}\n`);
    offSignal();
  }
}
