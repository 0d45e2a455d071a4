// Tiny network peer for the kernel tests, run inside a test namespace with `ip netns exec`.
//   node net.mjs listen tcp:5061,udp:3478,…   binds each on :: (both families), prints "ready"
//   node net.mjs probe '<json [{proto, host, port}]>'   prints JSON [{…, state}] (open|closed|filtered)
// UDP listeners echo each datagram; TCP listeners accept and write "ok".
import net from "node:net";
import dgram from "node:dgram";

const [mode, arg] = process.argv.slice(2);
const TIMEOUT_MS = 600;

if (mode === "listen") {
  const servers = [];
  for (const spec of arg.split(",")) {
    const [proto, port] = spec.split(":");
    if (proto === "tcp") {
      const s = net.createServer((c) => c.end("ok")).listen({ port: Number(port), host: "::", ipv6Only: false });
      servers.push(new Promise((r) => s.on("listening", r)));
    } else {
      const s = dgram.createSocket({ type: "udp6", ipv6Only: false });
      s.on("message", (m, r) => s.send(m, r.port, r.address));
      servers.push(new Promise((r) => s.bind(Number(port), "::", r)));
    }
  }
  await Promise.all(servers);
  process.stdout.write("ready\n");
  process.on("SIGTERM", () => process.exit(0));
} else if (mode === "probe") {
  const targets = JSON.parse(arg);
  const results = await Promise.all(targets.map((t) => (t.proto === "tcp" ? tcp(t) : udp(t)).then((state) => ({ ...t, state }))));
  process.stdout.write(JSON.stringify(results) + "\n");
}

function tcp(t) {
  return new Promise((resolve) => {
    const s = net.connect({ host: t.host, port: t.port });
    const done = (state) => {
      s.destroy();
      resolve(state);
    };
    s.setTimeout(TIMEOUT_MS, () => done("filtered"));
    // Open only when the server's reply arrives: the handshake and data both crossed.
    s.on("data", () => done("open"));
    s.on("error", (e) => done(e.code === "ECONNREFUSED" ? "closed" : "filtered"));
  });
}

function udp(t) {
  return new Promise((resolve) => {
    const s = dgram.createSocket(t.host.includes(":") ? "udp6" : "udp4");
    const timer = setTimeout(() => done("filtered"), TIMEOUT_MS);
    const done = (state) => {
      clearTimeout(timer);
      s.close();
      resolve(state);
    };
    s.on("message", () => done("open"));
    s.on("error", (e) => done(e.code === "ECONNREFUSED" ? "closed" : "filtered"));
    s.connect(t.port, t.host, () => s.send("ping"));
  });
}
