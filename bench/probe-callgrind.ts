/**
 * User-space instructions (valgrind --tool=callgrind, every thread, load-independent) of
 * `portmatrix probe` with each sweep and of nmap -sT, on the probe bench's namespaces (probe-lab.ts).
 * The kernel's side of the handshakes is not counted. Root, after `npm run build`:
 *   node --import tsx bench/probe-callgrind.ts ac
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchCases, ProbeLab, portsText, TARGET } from "./probe-lab.js";
import { runOurs, wrongPorts } from "./probe-tools.js";
const lab = new ProbeLab();
const dir = mkdtempSync(join(tmpdir(), "pm-callgrind-"));
const wrapper = join(dir, "..", `${dir.split("/").pop()}-node.sh`);
const total = (): number => {
  let n = 0;
  for (const f of readdirSync(dir)) {
    const m = /^(?:summary|totals): (\d+)/m.exec(readFileSync(`${dir}/${f}`, "utf8"));
    if (m) n += Number(m[1]);
  }
  return n;
};
try {
  lab.up();
  const cases = benchCases().filter((c) => process.argv[2]!.includes(c.id));
  await lab.listen([...new Set(cases.flatMap((c) => c.ports))]);
  const node = process.execPath;
  writeFileSync(
    wrapper,
    `#!/bin/sh\nexec valgrind -q --tool=callgrind --trace-children=no --callgrind-out-file=${dir}/cg.%p ${node} "$@"\n`,
    { mode: 0o755 },
  );
  for (const c of cases) {
    lab.firewall(c);
    for (const kind of ["native", "js"] as const) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      process.execPath = wrapper;
      const r = await runOurs(lab, c, 600000, [], kind);
      process.execPath = node;
      console.log(
        c.id,
        `ours-${kind}`,
        `wrong ${wrongPorts(c, r.states)}`,
        `${(total() / 1e6).toFixed(0)} M instructions`,
        `${Math.round(r.wallMs)} ms under valgrind`,
      );
    }
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    const a = lab.exec([
      "valgrind",
      "-q",
      "--tool=callgrind",
      `--callgrind-out-file=${dir}/cg.%p`,
      "nmap",
      "-n",
      "-Pn",
      "-sT",
      "-T4",
      "-p",
      portsText(c.ports),
      "-oX",
      "/dev/null",
      TARGET,
    ]);
    const r = spawnSync(a[0]!, a.slice(1), { encoding: "utf8" });
    console.log(c.id, "nmap-sT", `exit ${r.status}`, `${(total() / 1e6).toFixed(0)} M instructions`);
  }
} finally {
  lab.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(wrapper, { force: true });
}
