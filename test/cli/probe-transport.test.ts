/** probe --transport (issue 21: a media range's UDP part timed alone): bad values are bad input, before any packet. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli } from "./run-cli.js";

test("probe --transport: an unknown one, or one the prober has no flow of, is bad input", () => {
  const bad = runCli(["probe", "-t", "examples/seed-host.yaml", "--from", "partners", "--transport", "sctp"]);
  assert.equal(bad.status, 2, bad.stderr);
  assert.doesNotMatch(bad.stderr, /internal error|\n\s+at /);
  assert.match(
    bad.stderr,
    /error\[bad-option\]: --transport "sctp" is not supported; expected one of tcp, udp/,
  );
  const none = runCli(["probe", "-t", "examples/seed-host.yaml", "--from", "partners", "--transport", "udp"]);
  assert.equal(none.status, 2, none.stderr);
  assert.match(
    none.stderr,
    /error\[bad-option\]: --transport udp: partners has no udp flow to probe; expected the other transport, or no --transport/,
  );
});
