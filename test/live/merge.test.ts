/**
 * merge: two real probe runs from two vantage points (edge-access on A towards partners on B, and
 * partners on B towards edge-access on A, each against a stand-in) become one run in which every
 * result and skipped flow keeps where it was seen from; a file that is not a probe run is refused
 * with one line per bad file, exit 2, and no output file is written.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ProbeOutput } from "../../src/probe/result.js";
import { LiveLab, liveSkip, PIC } from "./lab.js";

test(
  "merge keeps each result's vantage point; bad files exit 2 with one line each",
  { skip: liveSkip(), timeout: 60_000 },
  async () => {
    const lab = new LiveLab("merge");
    try {
      await lab.listen(lab.b, ["-t", PIC, "--as", "partners", "--for", "50"]);
      await lab.listen(lab.a, ["-t", PIC, "--as", "edge-access", "--for", "50"]);
      const fromEdge = join(lab.dir, "edge.json");
      const fromPartners = join(lab.dir, "partners.json");
      const a = await lab.cli(lab.a, [
        "probe",
        "-t",
        PIC,
        "--from",
        "edge-access",
        "--to",
        "partners",
        "--format",
        "json",
        "-o",
        fromEdge,
      ]);
      const b = await lab.cli(lab.b, [
        "probe",
        "-t",
        PIC,
        "--from",
        "partners",
        "--format",
        "json",
        "-o",
        fromPartners,
      ]);
      assert.equal(a.status, 0, a.stderr);
      assert.equal(b.status, 0, b.stderr);

      const merged = join(lab.dir, "merged.json");
      const m = await lab.cli(lab.a, ["merge", fromEdge, fromPartners, "--format", "json", "-o", merged]);
      assert.equal(m.status, 0, m.stderr);
      const p = ProbeOutput.safeParse(JSON.parse(readFileSync(merged, "utf8")));
      assert.ok(p.success);
      const o = p.data;
      assert.equal(o.from, "edge-access, partners");
      assert.deepEqual(
        o.results.map((r) => [r.from, r.flow, r.target, r.port, r.state]),
        [
          ["edge-access", "sip-mtls-out", "198.51.100.20", 5061, "open"],
          ["partners", "sip-mtls-in", "203.0.113.10", 5061, "open"],
        ],
      );
      assert.deepEqual(
        o.runs?.map((r) => r.from),
        ["edge-access", "partners"],
      );
      assert.deepEqual([o.summary.total, o.summary.ok, o.summary.failed], [2, 2, 0]);
      const table = await lab.cli(lab.a, ["merge", fromEdge, fromPartners]);
      assert.equal(table.status, 0, table.stderr);
      assert.match(table.stdout, /^ok\s+edge-access\s+sip-mtls-out\s+tcp 198\.51\.100\.20 5061\s+open\s/m);
      assert.match(table.stdout, /^ok\s+partners\s+sip-mtls-in\s+tcp 203\.0\.113\.10 5061\s+open\s/m);

      const notJson = join(lab.dir, "not.json");
      const wrongVersion = join(lab.dir, "v2.json");
      writeFileSync(notJson, "{ this is not json\n");
      writeFileSync(wrongVersion, JSON.stringify({ ...o, version: 2 }));
      const out = join(lab.dir, "never.json");
      for (const [files, lines] of [
        [[fromEdge, notJson], 1],
        [[wrongVersion, fromPartners], 1],
        [[notJson, wrongVersion], 2],
      ] as const) {
        const bad = await lab.cli(lab.a, ["merge", ...files, "-o", out]);
        assert.equal(bad.status, 2, bad.stderr);
        const got = bad.stderr.trimEnd().split("\n");
        assert.equal(got.length, lines, bad.stderr);
        for (const l of got)
          assert.match(l, /^\S+\.json:\d+:\d+: error\[bad-run-json\]: .+; expected a probe run/);
        assert.doesNotMatch(bad.stderr, /\n\s+at /, "no stack trace");
        assert.equal(existsSync(out), false, "no output file on bad input");
      }
    } finally {
      await lab.close();
    }
  },
);
