/**
 * A network namespace (and a temporary folder) for one `audit --live` test file, deleted after
 * the file's tests, also on failure; `cli` runs the built CLI inside it.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { CLI } from "../cli/run-cli.js";
import { sh } from "../kernel/netns.js";

export interface LiveNamespace {
  ns: string;
  tmp: string;
  /** Makes the namespace (once, from inside a test: a skipped file makes none). */
  make(): void;
  /** The CLI in the namespace; `env` adds to (or overrides) the test's environment. */
  cli(args: string[], env?: NodeJS.ProcessEnv): SpawnSyncReturns<string>;
}

export function liveNamespace(name: string): LiveNamespace {
  const ns = `pm-${name}-${process.pid}-${randomBytes(3).toString("hex")}`;
  const tmp = mkdtempSync(join(tmpdir(), `pm-${name}-`));
  let made = false;
  after(() => {
    if (made) sh(["ip", "netns", "del", ns]);
    rmSync(tmp, { recursive: true, force: true });
  });
  return {
    ns,
    tmp,
    make: () => {
      sh(["ip", "netns", "add", ns]);
      made = true;
    },
    cli: (args, env = {}) =>
      spawnSync("ip", ["netns", "exec", ns, process.execPath, CLI, ...args], {
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, PORTMATRIX_AS_OF: "2026-11-25", ...env },
      }),
  };
}
