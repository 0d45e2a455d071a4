/** Registration point for `portmatrix lab` (filled in by its owner; registers nothing until then). */
import type { Command } from "commander";
import type { Runner } from "./commands.js";

export function registerLab(_program: Command, _run: Runner): void {}
