/** The one registry of commands; each command file registers its own options. */
import type { Command } from "commander";
import { registerShow } from "./show.js";
import { registerSchemas } from "./schemas.js";
import { registerDemo } from "./demo.js";
import { registerCompile } from "./compile.js";
import { registerAudit } from "./audit.js";
import { registerListen } from "./listen.js";
import { registerProbe } from "./probe.js";
import { registerLab } from "./lab.js";
import { registerReport } from "./report.js";

export type Runner = (fn: () => Promise<number> | number) => void;

export function registerCommands(program: Command, run: Runner): void {
  registerShow(program, run);
  // compile: compile.ts · audit: audit.ts · listen + certs: listen.ts · probe + merge: probe.ts
  // lab: lab.ts · diagram + report + serve: report.ts
  registerCompile(program, run);
  registerAudit(program, run);
  registerListen(program, run);
  registerProbe(program, run);
  registerLab(program, run);
  registerReport(program, run);
  registerSchemas(program, run);
  registerDemo(program, run);
}
