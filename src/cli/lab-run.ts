/** What `portmatrix lab` does (src/cli/lab.ts registers it): the topology rehearsed in network namespaces with a real kernel firewall. */
import { Lab } from "../lab/run.js";
import { labExitCode, renderLabText } from "../lab/result.js";
import { writeFilesAtomic } from "../shell/files.js";
import { choice, EXIT, InputError, onStopSignal, printDiagnostics, exitAfterSignal } from "./io.js";
import { type LabOpts } from "./lab.js";

export async function runLabCommand(opts: LabOpts): Promise<number> {
  const format = choice("--format", opts.format, ["table", "json"] as const);
  const target = choice("--target", opts.target, ["nftables", "iptables", "ufw"] as const);
  const lab = new Lab({
    topologyPath: opts.topology,
    target,
    ...(opts.ruleset !== undefined ? { rulesetPath: opts.ruleset } : {}),
    dropRetired: opts.dropRetired === true,
    log: opts.quiet ? () => {} : (l) => process.stderr.write(`lab: ${l}\n`),
    warn: printDiagnostics,
  });
  // Every exit path cleans up: normal end, errors, and Ctrl-C / SIGTERM / SIGHUP (the terminal
  // closed): exit 130 / 143 / 129 after.
  const offSignal = onStopSignal((signal) => {
    void lab.cleanup().finally(() => exitAfterSignal(signal));
  });
  try {
    const r = await lab.run();
    if (!r.ok) {
      if (r.kind === "input") throw new InputError(r.diagnostics);
      printDiagnostics(r.diagnostics);
      return EXIT.environment;
    }
    const text = format === "json" ? JSON.stringify(r.output, null, 2) + "\n" : renderLabText(r.output);
    if (opts.output !== undefined) writeFilesAtomic([{ path: opts.output, text }]);
    else process.stdout.write(text);
    return labExitCode(r.output);
  } finally {
    const problems = await lab.cleanup();
    for (const p of problems) process.stderr.write(`lab: cleanup: ${p}\n`);
    offSignal();
  }
}
