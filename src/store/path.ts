/** Where the run database lives by default; apart from store.ts so naming it does not load SQLite. */
import { homedir } from "node:os";
import { join } from "node:path";

/** `--db` default: $PORTMATRIX_DB, else $XDG_DATA_HOME/portmatrix/runs.sqlite, else ~/.local/share/…. */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PORTMATRIX_DB) return env.PORTMATRIX_DB;
  const base = env.XDG_DATA_HOME || join(homedir(), ".local", "share");
  return join(base, "portmatrix", "runs.sqlite");
}
