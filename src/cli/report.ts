/** Registration point for `portmatrix report` (filled in by its owner; registers nothing until then). */
import type { Command } from "commander";
import type { Runner } from "./commands.js";

export function registerReport(_program: Command, _run: Runner): void {}
