/** Registration point for `portmatrix listen` (filled in by its owner; registers nothing until then). */
import type { Command } from "commander";
import type { Runner } from "./commands.js";

export function registerListen(_program: Command, _run: Runner): void {}
