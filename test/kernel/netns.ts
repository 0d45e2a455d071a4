/**
 * A firewall namespace and a sender namespace joined by a veth pair, for kernel tests. Names are
 * `pmt-` + a random suffix; `close()` deletes both (call it in a finally). The sender has IPv6
 * disabled so the kernel never emits its own packets (MLD, router solicitations) into the firewall.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";

export interface Pair {
  fw: string;
  cli: string;
  fwMac: string;
  run(ns: string, cmd: string[], input?: string): string;
  close(): void;
}

export function sh(cmd: string[], input?: string): string {
  return execFileSync(cmd[0]!, cmd.slice(1), {
    input: input ?? "",
    encoding: "utf8",
    stdio: ["pipe", "pipe", "pipe"],
    timeout: 60_000,
    maxBuffer: 64 << 20,
  });
}

/** Why kernel tests cannot run here, or undefined when they can. */
export function kernelSkipReason(tools: string[]): string | undefined {
  if (process.getuid?.() !== 0) return "needs root (network namespaces); CI runs as root";
  for (const t of tools) {
    try {
      sh(["sh", "-c", `command -v ${t}`]);
    } catch {
      return `${t} is not installed (scripts/setup.sh installs it)`;
    }
  }
  const probe = `pmt-probe-${randomBytes(4).toString("hex")}`;
  try {
    sh(["ip", "netns", "add", probe]);
    sh(["ip", "netns", "del", probe]);
  } catch (e) {
    return `cannot create network namespaces: ${(e as Error).message.split("\n")[0]}`;
  }
  return undefined;
}

export function makePair(): Pair {
  const id = randomBytes(4).toString("hex");
  const fw = `pmt-fw-${id}`;
  const cli = `pmt-cli-${id}`;
  const close = (): void => {
    for (const ns of [fw, cli]) {
      try {
        sh(["ip", "netns", "del", ns]);
      } catch {
        /* already gone */
      }
    }
  };
  try {
    sh(["ip", "netns", "add", fw]);
    sh(["ip", "netns", "add", cli]);
    sh(["ip", "link", "add", "cliv", "netns", cli, "type", "veth", "peer", "name", "fwv", "netns", fw]);
    sh(["ip", "netns", "exec", cli, "sysctl", "-qw", "net.ipv6.conf.cliv.disable_ipv6=1"]);
    sh(["ip", "-n", cli, "link", "set", "cliv", "up"]);
    sh(["ip", "-n", fw, "link", "set", "fwv", "up"]);
    const link = JSON.parse(sh(["ip", "-n", fw, "-j", "link", "show", "fwv"])) as Array<{ address: string }>;
    const fwMac = link[0]!.address;
    return { fw, cli, fwMac, run: (ns, cmd, input) => sh(["ip", "netns", "exec", ns, ...cmd], input), close };
  } catch (e) {
    close();
    throw e;
  }
}
