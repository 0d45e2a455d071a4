/**
 * The real ufw (Debian 12's ufw 0.36.2) loading a configuration, for differential tests of our ufw
 * reader: `realUfwRuleset(files)` copies the files, runs ufw's own boot script (`/lib/ufw/ufw-init
 * start`, what ufw.service and `ufw enable` run) on that copy, and returns `iptables-save` and
 * `ip6tables-save` of what it loaded.
 *
 * Why it is safe for the machine it runs on:
 * - ufw-init runs only inside a fresh network namespace (`pmt-ufw-<pid>-<hex>`) made for the run,
 *   so its iptables-restore calls only touch that namespace's netfilter; the namespace is deleted
 *   afterwards, also on failure.
 * - It runs in a private mount namespace (`unshare -m`, private propagation) where the copy is
 *   bind-mounted over /etc/ufw and /etc/default/ufw and a tmpfs over /run (iptables' lock file):
 *   the host's files are only ever read by nothing, never written.
 * - The copy's IPT_SYSCTL is emptied (ufw-init would otherwise `sysctl -p /etc/ufw/sysctl.conf`:
 *   kernel settings, not rules) and IPT_MODULES too (no modprobe); before.init and after.init are not
 *   copied, so no script of the configuration runs.
 * - ufw-init is a shell script that exits; the only process started is that one (`ip netns exec`,
 *   by pid, killed by execFileSync's timeout if it hangs).
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { kernelSkipReason } from "./netns.js";
import { writeFreshUfw } from "../../src/lab/ufw.js";

export const UFW_INIT = "/lib/ufw/ufw-init";

export interface RealUfw {
  v4: string;
  v6: string;
  /** ufw-init's exit status and output. */
  status: number;
  log: string;
}

/** Why the real ufw cannot run here, or undefined when it can. */
export function ufwSkipReason(): string | undefined {
  const reason = kernelSkipReason(["iptables-save", "ip6tables-save", "unshare"]);
  if (reason) return reason;
  if (!existsSync(UFW_INIT)) return `${UFW_INIT} is not installed (apt-get install ufw)`;
  return undefined;
}

const RULES = /^(before|user|after)6?\.rules$|^ufw\.conf$/;

/**
 * Runs `step` (a shell command line; `$1` is `tmp`) in a fresh network namespace and a private
 * mount namespace where tmp/ufw is /etc/ufw, tmp/default-ufw /etc/default/ufw (IPT_SYSCTL and
 * IPT_MODULES emptied first) and a tmpfs /run; then what the kernel holds, `step`'s output and exit
 * status. `fill` writes tmp's files (tmp/ufw exists).
 */
function inSandbox(defaults: string, fill: (tmp: string) => void, step: string): RealUfw & { tmp: string } {
  const tmp = mkdtempSync(join(tmpdir(), "pmt-ufw-"));
  const ns = `pmt-ufw-${process.pid}-${randomBytes(4).toString("hex")}`;
  let made = false;
  try {
    mkdirSync(join(tmp, "ufw"));
    fill(tmp);
    writeFileSync(join(tmp, "default-ufw"), defaults.replace(/^\s*(IPT_SYSCTL|IPT_MODULES)=.*$/gm, "$1="));
    execFileSync("ip", ["netns", "add", ns], { stdio: "ignore", timeout: 10_000 });
    made = true;
    const script = [
      "set -e",
      "mount -t tmpfs tmpfs /run",
      'mount --bind "$1/ufw" /etc/ufw',
      'mount --bind "$1/default-ufw" /etc/default/ufw',
      `status=0; ${step} > "$1/log" 2>&1 || status=$?`,
      'iptables-save > "$1/v4"',
      'ip6tables-save > "$1/v6"',
      'echo "$status" > "$1/status"',
    ].join("\n");
    execFileSync(
      "ip",
      ["netns", "exec", ns, "unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", tmp],
      { stdio: "pipe", timeout: 120_000 },
    );
    const read = (n: string): string => readFileSync(join(tmp, n), "utf8");
    return { v4: read("v4"), v6: read("v6"), status: Number(read("status").trim()), log: read("log"), tmp };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  } finally {
    if (made) execFileSync("ip", ["netns", "del", ns], { stdio: "ignore", timeout: 10_000 });
  }
}

/** Loads the ufw directory's rules files (and /etc/default/ufw's text) with the real ufw-init. */
export function realUfwRuleset(
  files: ReadonlyArray<{ file: string; text: string }>,
  defaults: string,
): RealUfw {
  const fill = (tmp: string): void => {
    for (const f of files)
      if (RULES.test(basename(f.file))) writeFileSync(join(tmp, "ufw", basename(f.file)), f.text);
  };
  const { tmp, ...real } = inSandbox(defaults, fill, `${UFW_INIT} start`);
  rmSync(tmp, { recursive: true, force: true });
  return real;
}

export interface RealUfwCommands extends RealUfw {
  /** /etc/ufw's rules files and ufw.conf, and /etc/default/ufw (as `default-ufw`), after the script. */
  files: Array<{ file: string; text: string }>;
}

/**
 * Runs a script of `ufw` commands (the ufw CLI, python) on a freshly installed ufw — the package's
 * rules files, ufw.conf with ENABLED=no, `defaults` as /etc/default/ufw — in the sandbox ufw-init
 * runs in above. Returns what ufw wrote and what it loaded into the kernel.
 */
export function realUfwCommands(script: string, defaults: string): RealUfwCommands {
  const fill = (tmp: string): void => {
    writeFreshUfw(join(tmp, "ufw"));
    writeFileSync(join(tmp, "commands.sh"), script);
  };
  const { tmp, ...real } = inSandbox(defaults, fill, 'sh "$1/commands.sh"');
  try {
    const read = (n: string): string => readFileSync(join(tmp, n), "utf8");
    const files = [
      ...["before", "after", "user"].flatMap((r) =>
        ["", "6"].map((six) => ({ file: `/etc/ufw/${r}${six}.rules`, text: read(`ufw/${r}${six}.rules`) })),
      ),
      { file: "/etc/ufw/ufw.conf", text: read("ufw/ufw.conf") },
      { file: "/etc/default/ufw", text: read("default-ufw") },
    ];
    return { ...real, files };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
