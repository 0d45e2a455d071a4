#!/usr/bin/env node
/**
 * Runs shell commands in turn, round after round (A B C A B C …), so that a shared machine's load
 * falls on each alike (hyperfine runs each command's repetitions in one block), and prints each
 * one's median wall time and median CPU (user + sys of the command and its children, from
 * /usr/bin/time, 10 ms resolution) with the load average before and after.
 *   node bench/alternate.mjs ROUNDS 'label=command' 'label=command' …
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";

const [rounds, ...specs] = process.argv.slice(2);
if (!(Number(rounds) > 0) || specs.length === 0 || specs.some((s) => !s.includes("=")))
  throw new Error("usage: node bench/alternate.mjs ROUNDS 'label=command' …");
const cmds = specs.map((s) => {
  const k = s.indexOf("=");
  return { label: s.slice(0, k), cmd: s.slice(k + 1), wall: [], cpu: [] };
});
const before = loadavg()[0];
for (let r = 0; r < Number(rounds); r++)
  for (const c of cmds) {
    spawnSync("sleep", ["0.2"]); // the previous command's sockets settle
    const t0 = process.hrtime.bigint();
    const p = spawnSync("/usr/bin/time", ["-f", "%U %S", "bash", "-c", c.cmd], { encoding: "utf8" });
    c.wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const [user, sys] = p.stderr.trim().split("\n").pop().split(" ").map(Number);
    c.cpu.push((user + sys) * 1000);
  }
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
for (const c of cmds)
  console.log(
    `${c.label.padEnd(14)} wall median ${median(c.wall).toFixed(1)} ms (min ${Math.min(...c.wall).toFixed(1)})  cpu median ${median(c.cpu).toFixed(0)} ms`,
  );
console.log(`load ${before.toFixed(2)} -> ${loadavg()[0].toFixed(2)}`);
