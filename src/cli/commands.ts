/** The one registry of commands; each command file registers its own options. */
import type { Command } from "commander";
import { registerShow } from "./show.js";
import { registerSchemas } from "./schemas.js";
import { registerDemo } from "./demo.js";

export type Runner = (fn: () => Promise<number> | number) => void;

export function registerCommands(program: Command, run: Runner): void {
  registerShow(program, run);
  registerSchemas(program, run);
  registerDemo(program, run);
}
