/**
 * listen's refusals and failures, through the real CLI in a namespace: an endpoint bound to `any`
 * is refused before anything is bound (exit 2, one line naming the endpoint); a port another program
 * already holds is named with the system's reason while every other port is served, and the run
 * ends with exit 1 after --for.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { CLI } from "../cli/run-cli.js";
import { FIXTURES, LiveLab, liveSkip, MESSENGER, PIC, waitExit, waitFor } from "./lab.js";

test(
  "listen refuses an endpoint bound to any: exit 2, one line",
  { skip: liveSkip(), timeout: 30_000 },
  async () => {
    const lab = new LiveLab("lany");
    try {
      const r = await lab.cli(lab.b, [
        "listen",
        "-t",
        join(FIXTURES, "pic-any.yaml"),
        "--as",
        "partners",
        "--for",
        "5",
      ]);
      assert.equal(r.status, 2);
      assert.equal(r.stdout, "");
      const lines = r.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /^error\[listen-not-host\]: endpoint "partners" has any: .*expected /);
    } finally {
      await lab.close();
    }
  },
);

test(
  "listen names a port it could not bind (taken in the namespace), serves the rest, exits 1 after --for",
  { skip: liveSkip(), timeout: 30_000 },
  async () => {
    const lab = new LiveLab("lbusy");
    try {
      // Another program holds messenger-clients' UDP 3478 first.
      const holder = lab.start(lab.b, [
        process.execPath,
        "-e",
        `const s = require("node:dgram").createSocket("udp4"); s.bind(3478, "${MESSENGER}", () => console.log("held"));`,
      ]);
      await waitFor(holder, () => (holder.out().includes("held") ? true : undefined), 5_000, "holder");
      const t0 = Date.now();
      const listener = lab.start(lab.b, [
        "env",
        "PORTMATRIX_AS_OF=2026-11-25",
        process.execPath,
        CLI,
        "listen",
        "-t",
        PIC,
        "--as",
        "messenger-clients",
        "--for",
        "2",
      ]);
      const status = await waitExit(listener, 20_000);
      assert.equal(status, 1, listener.err());
      assert.ok(Date.now() - t0 >= 2_000, "ran for --for seconds");
      const out = listener.out();
      assert.match(
        out,
        new RegExp(
          `could not bind udp ${MESSENGER.replaceAll(".", "\\.")}:3478: EADDRINUSE \\(another program has it\\)`,
        ),
      );
      assert.equal(out.match(/could not bind/g)?.length, 1, out);
      assert.match(out, /^10000 sockets bound/m);
    } finally {
      await lab.close();
    }
  },
);
