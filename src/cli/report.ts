/**
 * `portmatrix diagram`, `portmatrix report` and `portmatrix serve`: their options;
 * src/cli/report-run.ts, imported when one runs, does them (so their help loads no model, layout
 * or rendering code).
 */
import type { Command } from "commander";
import { DIAGRAM_FORMATS } from "../diagram/formats.js";
import { defaultDbPath } from "../store/path.js";
import type { Runner } from "./commands.js";

export interface ResultOptions {
  topology?: string;
  audit?: string;
  probe?: string;
  dns?: string;
}

export function registerReport(program: Command, run: Runner): void {
  program
    .command("diagram")
    .description(
      "draw the topology's flows: zones or host and endpoints as boxes, flows as arrows coloured by audit/probe verdicts",
    )
    .option("-t, --topology <file>", "the topology")
    .option("--format <format>", `${DIAGRAM_FORMATS.join(", ")}`, "svg")
    .option("--audit <json>", "colour by this audit run (portmatrix audit --format json)")
    .option("--probe <json>", "colour by this probe run (portmatrix probe --format json)")
    .option("-o, --output <file>", "write to a file instead of standard output")
    .action((opts: ResultOptions & { format: string; output?: string }) =>
      run(async () => (await import("./report-run.js")).runDiagram(opts)),
    );

  program
    .command("report")
    .description(
      "write one self-contained HTML report: the matrix, the diagram, audit findings and probe results",
    )
    .option("-t, --topology <file>", "the topology")
    .option("--audit <json>", "include this audit run (portmatrix audit --format json)")
    .option("--probe <json>", "include this probe run (portmatrix probe --format json)")
    .option("--dns <json>", "include this DNS check (portmatrix dns --format json)")
    .option("-o, --output <file>", "the HTML file to write (default: standard output)")
    .action((opts: ResultOptions & { output?: string }) =>
      run(async () => (await import("./report-run.js")).runReport(opts)),
    );

  program
    .command("serve")
    .description(
      "dashboard of saved audit and probe runs: flow history, diffs, loading runs (binds loopback unless told)",
    )
    .option("--db <file>", "the run database (SQLite)", defaultDbPath())
    .option(
      "--listen <host:port>",
      "address to listen on; a non-loopback address needs --token",
      "127.0.0.1:8080",
    )
    .option(
      "--token <token>",
      "require this token (Authorization: Bearer, or ?token= once per browser); default $PORTMATRIX_TOKEN, which stays out of the process list",
    )
    .option("-t, --topology <file>", "give the runs of this topology its diagram and a report")
    .action((opts: { db: string; listen: string; token?: string; topology?: string }) =>
      run(async () => (await import("./report-run.js")).runServe(opts)),
    );
}
