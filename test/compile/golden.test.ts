/**
 * Golden files: every target × the shipped seed topologies (host and perimeter), byte for byte, as
 * `portmatrix compile --target all` writes them. A missing or different golden fails; after a
 * deliberate change, `UPDATE_GOLDENS=1 npm test` rewrites them (review the diff before committing).
 */
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, sep } from "node:path";
import { test } from "node:test";
import { ROOT, runCli } from "../cli/run-cli.js";

const GOLDEN = join(ROOT, "test", "compile", "golden");
const CASES = {
  "seed-host": "examples/seed-host.yaml",
  "seed-perimeter": "examples/seed-perimeter.yaml",
  // Static NAT (nat:) as every target writes it, or its refusal.
  "nat-perimeter": "examples/catalog/lync2013-edge-single-nat.yaml",
};

/** The files under `dir`, as paths relative to it (a directory target's files are in folders). */
function filesIn(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => f.split(sep).join("/"))
    .sort();
}

for (const [name, topology] of Object.entries(CASES)) {
  test(`goldens: ${name}`, () => {
    const dir = mkdtempSync(join(tmpdir(), "pm-golden-"));
    try {
      const r = runCli(["compile", "-t", topology, "--target", "all", "-o", dir]);
      assert.equal(r.status, 0, r.stderr);
      const want = join(GOLDEN, name);
      const got = filesIn(dir);
      // What a target refuses for this firewall kind is pinned too (stderr, one line per target).
      const refusals =
        r.stderr
          .split("\n")
          .filter((l) => /^warning: [a-z-]+: target /.test(l))
          .join("\n") + "\n";
      if (process.env.UPDATE_GOLDENS === "1") {
        rmSync(want, { recursive: true, force: true });
        mkdirSync(want, { recursive: true });
        for (const f of got) {
          mkdirSync(dirname(join(want, f)), { recursive: true });
          writeFileSync(join(want, f), readFileSync(join(dir, f)));
        }
        writeFileSync(join(want, "refused.txt"), refusals);
        return;
      }
      assert.ok(existsSync(want), `no goldens for ${name}: run UPDATE_GOLDENS=1 npm test and review them`);
      assert.deepEqual(
        got,
        filesIn(want).filter((f) => f !== "refused.txt"),
        "the set of files differs from the goldens",
      );
      for (const f of got)
        assert.equal(
          readFileSync(join(dir, f), "utf8"),
          readFileSync(join(want, f), "utf8"),
          `${name}/${f} differs from its golden`,
        );
      assert.equal(refusals, readFileSync(join(want, "refused.txt"), "utf8"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
