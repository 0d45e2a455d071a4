/** Registration point for `portmatrix compile` (filled in by its owner; registers nothing until then). */
import type { Command } from "commander";
import type { Runner } from "./commands.js";

export function registerCompile(_program: Command, _run: Runner): void {}
