/**
 * `lab --target ufw`: the compiled ufw commands run by the real ufw inside the firewall's network
 * namespace — on a freshly installed ufw of its own, never the machine's: a private mount
 * namespace (`unshare -m`) where a folder of the lab's is /etc/ufw (the package's rules files from
 * /usr/share/ufw/iptables, ufw.conf with ENABLED=no), /etc/default/ufw (its shipped settings, with
 * no sysctl file and no modules to load) and /run (ufw's lock). What ufw then loaded is read back
 * with iptables-save and ip6tables-save. Shell.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Netns } from "./netns.js";

/** Where the ufw package keeps its rules files as installed (`ufw reset` copies them back from here). */
export const UFW_SHIPPED_RULES = "/usr/share/ufw/iptables";

/** /etc/default/ufw as ufw 0.36.2 ships it, less IPT_SYSCTL (kernel settings, not rules). */
const DEFAULTS = [
  "IPV6=yes",
  'DEFAULT_INPUT_POLICY="DROP"',
  'DEFAULT_OUTPUT_POLICY="ACCEPT"',
  'DEFAULT_FORWARD_POLICY="DROP"',
  'DEFAULT_APPLICATION_POLICY="SKIP"',
  "MANAGE_BUILTINS=no",
  "IPT_SYSCTL=",
  'IPT_MODULES=""',
  "",
].join("\n");

/**
 * A freshly installed ufw's /etc/ufw in `etc`: the package's rules files, ufw.conf with ENABLED=no,
 * an empty sysctl.conf and applications.d.
 */
export function writeFreshUfw(etc: string): void {
  mkdirSync(join(etc, "applications.d"), { recursive: true });
  for (const role of ["before", "after", "user"])
    for (const six of ["", "6"]) {
      const name = `${role}${six}.rules`;
      writeFileSync(join(etc, name), readFileSync(join(UFW_SHIPPED_RULES, name), "utf8"));
    }
  writeFileSync(join(etc, "ufw.conf"), "ENABLED=no\nLOGLEVEL=low\n");
  writeFileSync(join(etc, "sysctl.conf"), "");
}

/** Why the lab cannot run ufw here, or undefined. */
export function ufwMissing(): string | undefined {
  if (!existsSync("/usr/sbin/ufw") && !existsSync("/sbin/ufw")) return "ufw is not installed";
  if (!existsSync(join(UFW_SHIPPED_RULES, "before.rules")))
    return `${UFW_SHIPPED_RULES} has no ufw rules files (the ufw package installs them)`;
  return undefined;
}

/**
 * Runs `script` with the real ufw in namespace `ns`, in `dir` (the lab's folder), and returns what
 * the kernel holds then, per family, with ufw's own output. Throws the command's error.
 */
export function runUfwScript(
  net: Netns,
  ns: string,
  dir: string,
  script: string,
): { v4: string; v6: string; log: string } {
  const box = join(dir, "ufw-box");
  writeFreshUfw(join(box, "ufw"));
  mkdirSync(join(box, "run"));
  writeFileSync(join(box, "default-ufw"), DEFAULTS);
  writeFileSync(join(box, "commands.sh"), script);
  const run = [
    "set -e",
    'mount --bind "$1/run" /run',
    'mount --bind "$1/ufw" /etc/ufw',
    'mount --bind "$1/default-ufw" /etc/default/ufw',
    'sh -e "$1/commands.sh" > "$1/log" 2>&1 || { cat "$1/log" >&2; exit 1; }',
    'iptables-save > "$1/v4"',
    'ip6tables-save > "$1/v6"',
  ].join("\n");
  net.exec(ns, ["unshare", "-m", "--propagation", "private", "sh", "-c", run, "sh", box]);
  const read = (n: string): string => readFileSync(join(box, n), "utf8");
  return { v4: read("v4"), v6: read("v6"), log: read("log") };
}
