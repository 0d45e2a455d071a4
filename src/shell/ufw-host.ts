/**
 * The host's ufw, for `apply --target ufw`: the compiled script (ufw commands) is run by `sh`, and
 * what those commands change — /etc/ufw/user.rules and user6.rules (`ufw allow`), /etc/ufw/ufw.conf
 * (`ufw enable`, `ufw logging`) and /etc/default/ufw (`ufw default`) — is what apply owns: read
 * before the script runs, and written back to restore, ufw then reloaded (or stopped, when it was
 * disabled). ufw's before/after rules are never touched. A script ufw refuses halfway is undone the
 * same way before the error. Only `sh` and `ufw` via spawnSync.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { UFW_OWNED, type UfwFiles } from "../compile/owned.js";
import { KernelError } from "./kernel-firewall.js";

/** What apply owns of ufw at one moment; JSON-safe (kept in the pending state file). */
export interface UfwState {
  target: "ufw";
  files: UfwFiles;
}

function ufwCmd(args: string[]): { status: number | null; out: string } {
  const r = spawnSync("ufw", args, { encoding: "utf8", timeout: 120_000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new KernelError(`ufw: ${code === "ENOENT" ? "not installed" : r.error.message}`);
  }
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

function ufwOk(args: string[]): void {
  const r = ufwCmd(args);
  if (r.status !== 0)
    throw new KernelError(
      `ufw ${args.join(" ")} failed (exit ${r.status}): ${r.out.split("\n").join(" | ")}`,
    );
}

/** The owned files now (null: absent). */
export function readUfwOwned(): UfwState {
  const files: UfwFiles = {};
  for (const path of UFW_OWNED) {
    try {
      files[path] = readFileSync(path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT")
        throw new KernelError(`cannot read ${path}: ${(e as Error).message}`);
      files[path] = null;
    }
  }
  return { target: "ufw", files };
}

/**
 * Writes one file whole: a new file renamed over it, or — where the path is a mount point (a
 * container's bind-mounted /etc/default/ufw: EBUSY) — over its content in place, as ufw writes it.
 */
function putFile(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.portmatrix-${process.pid}`);
  try {
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    if ((e as NodeJS.ErrnoException).code !== "EBUSY")
      throw new KernelError(`cannot write ${path}: ${(e as Error).message}`);
    writeFileSync(path, text);
  }
}

/** Puts `state`'s files back and makes ufw run them: reloaded when enabled there, stopped when not. */
function restoreUfw(state: UfwState): void {
  for (const [path, text] of Object.entries(state.files))
    if (text === null) rmSync(path, { force: true });
    else putFile(path, text);
  const conf = state.files[UFW_OWNED[2]] ?? "";
  if (/^\s*ENABLED\s*=\s*"?yes"?\s*$/im.test(conf)) ufwOk(["reload"]);
  else ufwOk(["disable"]);
}

/**
 * Makes ufw what `wanted` says: the compiled script run (`sh -e`), or a state put back. A script
 * that fails leaves ufw as it was before it (files and running rules) and throws what it said.
 */
export function loadUfw(wanted: UfwState | { target: "ufw"; script: string }): void {
  if (!("script" in wanted)) return restoreUfw(wanted);
  const before = readUfwOwned();
  const dir = mkdtempSync(join(tmpdir(), "portmatrix-ufw-"));
  try {
    const file = join(dir, "apply.sh");
    writeFileSync(file, wanted.script, { mode: 0o700 });
    const r = spawnSync("sh", ["-e", file], { encoding: "utf8", timeout: 300_000 });
    if (r.error || r.status !== 0) {
      restoreUfw(before);
      const said = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n").slice(-3).join(" | ");
      throw new KernelError(
        `the ufw commands failed (${r.error ? r.error.message : `exit ${r.status}`}): ${said}; ufw was put back as it was`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The owned files as a backup folder (FOLDER/etc/ufw/…, FOLDER/etc/default/ufw) with a RESTORE.txt. */
export function ufwRestoreFiles(previous: UfwState, header: string): Array<{ suffix: string; text: string }> {
  const present = Object.entries(previous.files).filter((e): e is [string, string] => e[1] !== null);
  const absent = Object.keys(previous.files).filter((p) => previous.files[p] === null);
  const readme = [
    `# ${header}`,
    "# ufw's files as they were before the apply (what `ufw allow`, `ufw default`, `ufw enable` and",
    "# `ufw logging` change); its before/after rules were not touched:",
    ...present.map(([p]) => `#   ${p}`),
    ...absent.map((p) => `#   ${p} (absent: delete it)`),
    "# To restore by hand: copy each back to its path, then `ufw reload` (or `ufw disable` when",
    "# ufw.conf says ENABLED=no).",
    "",
  ].join("\n");
  return [{ suffix: "/RESTORE.txt", text: readme }, ...present.map(([p, text]) => ({ suffix: p, text }))];
}
