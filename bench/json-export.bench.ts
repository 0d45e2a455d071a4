/**
 * Large JSON exports: an `aws ec2 describe-security-groups` export of N rules (1,000 groups, N/1,000
 * ingress permissions each, one CIDR per permission), read by the aws-security-groups reader through
 * the JSON fast path (JSON.parse + jsonc-parser positions, src/model/json-source.ts) and, for
 * comparison in the same process, through the YAML parser it replaced for JSON. Peak RSS of each
 * path is measured in its own child process.
 * Run: node --import tsx bench/json-export.bench.ts [rules…]   (default 10000 100000)
 *      node --import tsx bench/json-export.bench.ts --child json|read|yaml FILE   (one measurement)
 *      node --import tsx bench/json-export.bench.ts --write RULES FILE      (the export alone)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseYaml, parseYamlDocument } from "../src/model/yaml-source.js";
import { readAwsSecurityGroups } from "../src/parse/aws-reader.js";
import { Rng } from "../test/kernel/generate.js";

function exportText(rules: number): string {
  const r = new Rng(7);
  const groups = Array.from({ length: 1000 }, (_, g) => ({
    Description: `group ${g}`,
    GroupName: `sg-bench-${g}`,
    GroupId: `sg-${g.toString(16).padStart(17, "0")}`,
    OwnerId: "123456789012",
    VpcId: "vpc-0123456789abcdef0",
    IpPermissions: Array.from({ length: Math.ceil(rules / 1000) }, () => {
      const port = r.int(1, 65535);
      return {
        FromPort: port,
        ToPort: Math.min(65535, port + r.int(0, 100)),
        IpProtocol: r.pick(["tcp", "udp"]),
        IpRanges: [{ CidrIp: `198.51.${r.int(0, 255)}.${r.int(0, 255)}/32`, Description: "bench" }],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      };
    }),
    IpPermissionsEgress: [],
  }));
  return JSON.stringify({ SecurityGroups: groups }, null, 4);
}

if (process.argv[2] === "--write") {
  writeFileSync(process.argv[4]!, exportText(Number(process.argv[3])));
} else if (process.argv[2] === "--child") {
  // One measurement per process, so its peak RSS is its own: the parse alone (json: the fast path;
  // yaml: the YAML parser it replaced for JSON), or the whole aws-security-groups reader (read).
  const [, , , how, file] = process.argv;
  const text = readFileSync(file!, "utf8");
  const t0 = performance.now();
  const ok =
    how === "read"
      ? readAwsSecurityGroups(text, file!).diagnostics.every((d) => d.severity !== "error")
      : (how === "yaml" ? parseYamlDocument(file!, text) : parseYaml(file!, text)).source !== undefined;
  const ms = Math.round(performance.now() - t0);
  process.stdout.write(
    JSON.stringify({ ms, ok, rssMB: Math.round(process.resourceUsage().maxRSS / 1024) }) + "\n",
  );
} else {
  const sizes = process.argv.slice(2).map(Number);
  const dir = mkdtempSync(join(tmpdir(), "pm-json-bench-"));
  try {
    for (const n of sizes.length ? sizes : [10_000, 100_000]) {
      const file = join(dir, `aws-${n}.json`);
      writeFileSync(file, exportText(n));
      const mb = (readFileSync(file).length / 1024 / 1024).toFixed(1);
      for (const how of ["json", "read", "yaml"]) {
        const t0 = performance.now();
        const c = spawnSync(
          process.execPath,
          ["--import", "tsx", import.meta.filename, "--child", how, file],
          {
            encoding: "utf8",
            maxBuffer: 1 << 20,
          },
        );
        const wall = ((performance.now() - t0) / 1000).toFixed(1);
        console.log(
          `${n} rules (${mb} MB) ${how}: ${c.stdout.trim() || c.stderr.slice(0, 300)} wall ${wall} s`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
