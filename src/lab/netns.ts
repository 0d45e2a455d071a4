/**
 * Network namespaces for the lab, and everything started in them; shell. Every namespace and
 * process is recorded when created so cleanup() removes exactly what this run made, on every exit
 * path (the caller wires SIGINT/SIGTERM to it). Nothing here runs outside `ip netns exec` except
 * `ip` itself creating and deleting our namespaces and links: the host's own ruleset is never touched.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";

export function sh(cmd: readonly string[], input?: string): string {
  return execFileSync(cmd[0]!, cmd.slice(1), {
    input: input ?? "",
    encoding: "utf8",
    stdio: ["pipe", "pipe", "pipe"],
    timeout: 60_000,
    maxBuffer: 64 << 20,
  });
}

export class Netns {
  readonly namespaces: string[] = [];
  private readonly children = new Set<ChildProcess>();
  private linkSeq = 0;

  constructor(readonly prefix: string) {}

  existing(): string[] {
    return sh(["ip", "netns", "list"])
      .split("\n")
      .map((l) => l.split(" ")[0]!)
      .filter((n) => n.startsWith(this.prefix));
  }

  add(suffix: string): string {
    const name = `${this.prefix}${suffix}`;
    sh(["ip", "netns", "add", name]);
    this.namespaces.push(name);
    this.exec(name, ["ip", "link", "set", "lo", "up"]);
    this.exec(name, [
      "sysctl",
      "-qw",
      "net.ipv6.conf.all.accept_dad=0",
      "net.ipv6.conf.default.accept_dad=0",
    ]);
    return name;
  }

  exec(ns: string, cmd: readonly string[], input?: string): string {
    return sh(["ip", "netns", "exec", ns, ...cmd], input);
  }

  /** A veth pair from namespace a (interface aName) to namespace b (interface bName), both up. */
  link(a: string, aName: string, b: string, bName: string): void {
    const seq = this.linkSeq++;
    const tmpA = `${this.prefix.slice(0, 9)}a${seq}`;
    const tmpB = `${this.prefix.slice(0, 9)}b${seq}`;
    sh(["ip", "link", "add", tmpA, "netns", a, "type", "veth", "peer", "name", tmpB, "netns", b]);
    sh(["ip", "-n", a, "link", "set", tmpA, "name", aName]);
    sh(["ip", "-n", b, "link", "set", tmpB, "name", bName]);
    for (const [ns, dev] of [
      [a, aName],
      [b, bName],
    ] as const) {
      this.exec(ns, ["sysctl", "-qw", `net/ipv6/conf/${dev}/accept_dad=0`]);
      sh(["ip", "-n", ns, "link", "set", dev, "up"]);
    }
  }

  addAddress(ns: string, dev: string, address: string): void {
    const v6 = address.includes(":");
    sh([
      "ip",
      "-n",
      ns,
      ...(v6 ? ["-6"] : []),
      "addr",
      "add",
      `${address}/${v6 ? 128 : 32}`,
      "dev",
      dev,
      ...(v6 ? ["nodad"] : []),
    ]);
  }

  route(ns: string, to: string, dev: string, via?: string): void {
    const v6 = to.includes(":") || (via?.includes(":") ?? false);
    sh(["ip", "-n", ns, ...(v6 ? ["-6"] : []), "route", "add", to, ...(via ? ["via", via] : []), "dev", dev]);
  }

  /** Starts a process in a namespace; it is killed (by its pid) at cleanup. */
  spawn(ns: string, cmd: readonly string[]): ChildProcess {
    const child = spawn("ip", ["netns", "exec", ns, ...cmd], { stdio: ["ignore", "pipe", "pipe"] });
    this.children.add(child);
    child.on("exit", () => this.children.delete(child));
    return child;
  }

  async stopChildren(): Promise<void> {
    const waits = [...this.children].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const timer = setTimeout(() => {
            c.kill("SIGKILL");
          }, 3000);
          c.once("exit", () => {
            clearTimeout(timer);
            resolve();
          });
          c.kill("SIGTERM");
        }),
    );
    await Promise.all(waits);
  }

  /** Kills our processes, then deletes our namespaces (their veths go with them). */
  async cleanup(): Promise<string[]> {
    await this.stopChildren();
    const problems: string[] = [];
    for (const ns of this.namespaces.splice(0).reverse()) {
      try {
        sh(["ip", "netns", "del", ns]);
      } catch (e) {
        problems.push(`${ns}: ${(e as Error).message.split("\n")[0]}`);
      }
    }
    return problems;
  }
}
