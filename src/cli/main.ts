#!/usr/bin/env node
/**
 * The portmatrix command line. This file is the only place that ends the process: commands return
 * an exit code or throw InputError (exit 2, diagnostics on stderr); anything else is a bug and is
 * reported as one, with exit 70.
 */
import { Command, CommanderError } from "commander";
import { EXIT, InputError, printDiagnostics } from "./io.js";
import { registerCommands } from "./commands.js";
import { VERSION } from "../shell/package-root.js";
import { diag } from "../diag/diagnostic.js";

let exitCode: number = EXIT.ok;

// `portmatrix show | head`: a closed pipe ends output quietly, as for any Unix tool.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(exitCode);
  // EIO: the terminal is gone (SIGHUP); the command's own clean-up must still run to its end.
  if (e.code === "EIO") return;
  throw e;
});
// Nowhere left to say anything: a closed pipe or terminal on stderr must not end a clean-up midway.
process.stderr.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code !== "EPIPE" && e.code !== "EIO") throw e;
});

async function runAction(fn: () => Promise<number> | number): Promise<void> {
  try {
    exitCode = await fn();
  } catch (e) {
    if (e instanceof InputError) {
      printDiagnostics(e.diagnostics);
      exitCode = EXIT.badInput;
    } else throw e;
  }
}

/** PORTMATRIX_AS_OF pins "today" for lifecycles; a value that is set but not a date is bad input, never ignored. */
function asOfProblem(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  const d = m ? new Date(`${v}T00:00:00Z`) : undefined;
  return d && !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v
    ? undefined
    : `PORTMATRIX_AS_OF is ${JSON.stringify(v)}, not a date`;
}

const program = new Command("portmatrix")
  .version(VERSION)
  .description("Firewall port matrices as data: show, compile, audit, probe and rehearse them.")
  .showSuggestionAfterError()
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

// No top-level await: the bundle (scripts/bundle.mjs) is a CommonJS script, for V8's code cache.
async function main(): Promise<void> {
  const pending: Array<Promise<void>> = [];
  try {
    const asOf = asOfProblem(process.env.PORTMATRIX_AS_OF);
    if (asOf !== undefined)
      throw new InputError([
        diag("invalid-as-of", "error", asOf, {
          expected: "a calendar date YYYY-MM-DD, or the variable unset for today",
        }),
      ]);
    await registerCommands(program, (fn) => pending.push(runAction(fn)), process.argv.slice(2));
    await program.parseAsync(process.argv);
    await Promise.all(pending);
  } catch (e) {
    if (e instanceof InputError) {
      printDiagnostics(e.diagnostics);
      exitCode = EXIT.badInput;
    } else if (e instanceof CommanderError) {
      // --help and --version end with code 0; usage mistakes are bad input.
      exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    } else {
      const trace = e instanceof Error ? (e.stack ?? e.message) : String(e);
      const { mapStack } = await import("./stack.js");
      process.stderr.write(`portmatrix: internal error (a bug, please report it): ${mapStack(trace)}\n`);
      exitCode = 70;
    }
  }
  process.exitCode = exitCode;
}

void main();
