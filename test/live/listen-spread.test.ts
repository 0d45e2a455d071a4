/**
 * A stand-in with more sockets than its open-file limit (issue 21): the A/V Edge's media range on
 * TCP and UDP, cut to 400 ports each, stood in for under a hard limit of 600 descriptors (prlimit,
 * which the listener cannot raise). Helper processes bind what one process cannot: every socket is
 * bound, every port answers the probe, and the helpers end with the listener, also when it is killed.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { CLI } from "../cli/run-cli.js";
import { ProbeOutput } from "../../src/probe/result.js";
import { EDGE, LiveLab, liveSkip, PARTNERS, waitExit, waitFor, type ListenReady } from "./lab.js";
import { sh } from "../kernel/netns.js";

const TOPOLOGY = `profile: sfb2015-edge-external
endpoints:
  any: ${PARTNERS}
  xmpp-proxy: 203.0.113.60
  access-edge: 203.0.113.60
  webconf-edge: 203.0.113.70
  av-edge: ${EDGE}
features: [xmpp-federation, federation, skype-consumer-federation, multiple-edge-pools]
firewall: {kind: host, host: av-edge}
variables: {media: 50000-50399}
`;

/** The helpers of a listener (`listen … --serve-part` children of its pid). */
function helpers(pid: number): number[] {
  const out = sh(["sh", "-c", `ps -o pid=,args= --ppid ${pid} || true`]);
  return out
    .split("\n")
    .filter((l) => l.includes("--serve-part"))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test(
  "listen beyond its open-file limit: helper processes bind the rest, all answer, all end with it",
  { skip: liveSkip(["prlimit", "ps"]), timeout: 90_000 },
  async () => {
    const lab = new LiveLab("udpspread");
    try {
      const topology = join(lab.dir, "topology.yaml");
      writeFileSync(topology, TOPOLOGY);
      const start = (): ReturnType<LiveLab["start"]> =>
        lab.start(lab.b, [
          "prlimit",
          "--nofile=600:600",
          process.execPath,
          CLI,
          "listen",
          "-t",
          topology,
          "--as",
          "any",
          "--format",
          "json",
        ]);
      const listen = start();
      const line = await waitFor(
        listen,
        () =>
          listen
            .out()
            .split("\n")
            .find((l) => l.startsWith("{")),
        30_000,
        "listen's JSON line",
      );
      const ready = JSON.parse(line) as ListenReady;
      const sockets = ready.listening.reduce((n, g) => {
        const [from, to] = g.ports.split("-").map(Number);
        return n + (to === undefined ? 1 : to - from! + 1);
      }, 0);
      assert.ok(sockets > 800, `${sockets} sockets`);
      assert.deepEqual(ready.failed, []);
      assert.equal(ready.bound, sockets);
      const parts = helpers(listen.pid!);
      // 600 - 256 kept back = 344 sockets a process: the listener and at least two helpers.
      assert.ok(parts.length >= 2, `${parts.length} helpers`);

      const file = join(lab.dir, "out.json");
      const r = await lab.cli(lab.a, [
        "probe",
        "-t",
        topology,
        "--from",
        "av-edge",
        "--responders",
        "--format",
        "json",
        "-o",
        file,
      ]);
      const out = ProbeOutput.parse(JSON.parse(readFileSync(file, "utf8")));
      const notOpen = out.results.filter((x) => x.state !== "open");
      assert.deepEqual(
        notOpen.map((x) => `${x.transport}/${x.port} ${x.state}`),
        [],
        r.stderr,
      );
      assert.ok(out.results.filter((x) => x.transport === "udp").length >= 401);
      // The UDP part alone (--transport udp): only UDP probed, and said so in the output.
      const udpFile = join(lab.dir, "udp.json");
      await lab.cli(lab.a, [
        "probe",
        "-t",
        topology,
        "--from",
        "av-edge",
        "--transport",
        "udp",
        "--responders",
        "--format",
        "json",
        "-o",
        udpFile,
      ]);
      const udp = ProbeOutput.parse(JSON.parse(readFileSync(udpFile, "utf8")));
      assert.equal(udp.transport, "udp");
      assert.deepEqual(
        udp.results.filter((x) => x.transport !== "udp" || x.state !== "open"),
        [],
      );
      assert.equal(udp.results.length, out.results.filter((x) => x.transport === "udp").length);

      // Killed outright, the listener cannot end them: they end when their standard input does.
      listen.kill("SIGKILL");
      await waitExit(listen, 5_000);
      const t0 = Date.now();
      while (parts.some(alive) && Date.now() - t0 < 5_000) await new Promise((res) => setTimeout(res, 50));
      assert.deepEqual(parts.filter(alive), []);

      // Stopped with SIGTERM, it ends its helpers itself.
      const again = start();
      await waitFor(
        again,
        () => (again.out().includes("{") ? true : undefined),
        30_000,
        "listen's JSON line",
      );
      const parts2 = helpers(again.pid!);
      assert.ok(parts2.length >= 2);
      again.kill("SIGTERM");
      assert.equal(await waitExit(again, 10_000), 0);
      assert.deepEqual(parts2.filter(alive), []);
    } finally {
      await lab.close();
    }
  },
);
