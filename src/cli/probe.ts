/** Registration point for `portmatrix probe` (filled in by its owner; registers nothing until then). */
import type { Command } from "commander";
import type { Runner } from "./commands.js";

export function registerProbe(_program: Command, _run: Runner): void {}
