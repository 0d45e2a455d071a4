/**
 * The running firewalld, for `apply --target firewalld`: the zone and policy files portmatrix owns
 * in its configuration directory (compile/owned.ts says which), written and deleted as a whole,
 * checked by firewalld itself (`firewall-cmd --check-config`) and made live by `firewall-cmd
 * --reload`, which loads the permanent configuration into the runtime. A load firewalld refuses
 * leaves the files as they were and firewalld running what it ran. Only `firewall-cmd` via execFile.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { firewalldOwnedFile, firewalldWrittenByUs, type FirewalldFiles } from "../compile/owned.js";
import { InputError } from "../diag/diagnostic.js";
import { writeFilesAtomic } from "./files.js";
import { KernelError } from "./kernel-firewall.js";

/** firewalld's own configuration directory (its permanent configuration; /usr/lib/firewalld is the stock one). */
export const FIREWALLD_DIR = "/etc/firewalld";

/** What portmatrix owns in one firewalld configuration directory, for compile.name `name`; JSON-safe. */
export interface FirewalldState {
  target: "firewalld";
  dir: string;
  name: string;
  files: FirewalldFiles;
}

function firewallCmd(args: string[]): { status: number | null; out: string } {
  const r = spawnSync("firewall-cmd", args, { encoding: "utf8", timeout: 120_000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new KernelError(`firewall-cmd: ${code === "ENOENT" ? "not installed" : r.error.message}`);
  }
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

function firewallCmdOk(args: string[]): void {
  const r = firewallCmd(args);
  if (r.status !== 0)
    throw new KernelError(
      `firewall-cmd ${args.join(" ")} failed (exit ${r.status}): ${r.out.split("\n").join(" | ")}`,
    );
}

/** firewalld's answer to `firewall-cmd --state`: "running", "not running", or what it said. */
export function firewalldState(): string {
  const r = firewallCmd(["--state"]);
  return r.out.split("\n").pop() ?? "";
}

/**
 * The owned files in `dir` now, and `foreign`: files of an owned name that compile did not write
 * (apply refuses to replace them).
 */
export function readFirewalldOwned(dir: string, name: string): FirewalldState & { foreign: string[] } {
  const files: FirewalldFiles = {};
  const foreign: string[] = [];
  for (const sub of ["zones", "policies"]) {
    let names: string[];
    try {
      names = readdirSync(join(dir, sub));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw new KernelError(`cannot read ${join(dir, sub)}: ${(e as Error).message}`);
    }
    for (const n of names.sort()) {
      const rel = `${sub}/${n}`;
      if (!firewalldOwnedFile(name, rel)) continue;
      let text: string;
      try {
        text = readFileSync(join(dir, rel), "utf8");
      } catch (e) {
        throw new KernelError(`cannot read ${join(dir, rel)}: ${(e as Error).message}`);
      }
      if (firewalldWrittenByUs(text)) files[rel] = text;
      else foreign.push(rel);
    }
  }
  return { target: "firewalld", dir, name, files, foreign };
}

/** Makes the owned files of `dir` exactly `files`: writes each (atomically), deletes the others. */
function putFiles(dir: string, name: string, files: FirewalldFiles): void {
  try {
    writeFilesAtomic(
      Object.entries(files).map(([rel, text]) => ({ path: join(dir, rel), text, mode: 0o644 })),
    );
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    throw new KernelError(e.diagnostics.map((d) => d.message).join("; "));
  }
  for (const rel of Object.keys(readFirewalldOwned(dir, name).files))
    if (!(rel in files)) rmSync(join(dir, rel), { force: true });
}

/**
 * Makes the owned part of `wanted.dir` what `wanted` says and firewalld run it: the files put in
 * place, firewalld's check of the whole permanent configuration, then a reload. When the check or
 * the reload fails, the files that were there are put back (and firewalld reloaded if the reload
 * was tried) before the error: firewalld keeps running what it ran.
 */
export function loadFirewalld(wanted: FirewalldState): void {
  const before = readFirewalldOwned(wanted.dir, wanted.name);
  const clash = before.foreign.filter((rel) => rel in wanted.files);
  if (clash.length > 0)
    throw new KernelError(
      `${clash.map((rel) => join(wanted.dir, rel)).join(", ")}: not written by portmatrix (no "(portmatrix compile)" description), so not replaced; choose another compile.name`,
    );
  putFiles(wanted.dir, wanted.name, wanted.files);
  let reloading = false;
  try {
    firewallCmdOk(["--check-config"]);
    reloading = true;
    firewallCmdOk(["--reload"]);
  } catch (e) {
    putFiles(before.dir, before.name, before.files);
    if (reloading) firewallCmd(["--reload"]);
    throw e;
  }
}
