/**
 * The firewalld reader on real configurations: every directory of test/corpus/firewalld (one
 * repository's /etc/firewalld each, sources in SOURCES.md) is read without error, or refused with
 * only the errors that say what the reader does not read (never a throw, never another error), as
 * pinned in EXPECTED; and the real firewalld 1.3.3 loads each (firewalld-real.ts): RUNNING, or FAILED
 * when it rejected the configuration and fell back to its stock one, pinned too. A configuration
 * firewalld rejects is never one we read.
 *
 * Where we read a directory and firewalld runs it, the audits of our reading and of the ruleset
 * firewalld put into the kernel agree as in firewalld-differential.test.ts (flows' verdicts, blocked
 * packets and certainty; exposure's packets, direction, certainty and chain), with one step first:
 * every rule of both rulesets is given an origin of its own. The report groups the packets a rule
 * accepts by the rule's origin, and ours is the XML element: a service's `tcp dport 53` and
 * `udp dport 53` rules are one finding of ours (`{tcp, udp} dport 53`) and two of firewalld's, and
 * no packet line of one is a line of the other. Grouped by rule on both sides, the same rules must
 * accept the same packets in the same chains — what the element grouping allowed, and no less.
 * Whether the comparison without that step differs is said (t.diagnostic).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { isDeepStrictEqual } from "node:util";
import { audit } from "../../src/audit/audit.js";
import { firewalldAsNft, readFirewalld, type FirewalldFile } from "../../src/parse/firewalld.js";
import { readNftablesText } from "../../src/parse/nftables-text.js";
import type { ParsedRuleset } from "../../src/parse/reader.js";
import { firewalldDirectory } from "../../src/shell/files.js";
import { loadTopology } from "../../src/shell/load.js";
import { ROOT } from "../cli/run-cli.js";
import { judged, perRule } from "./firewalld-judged.js";
import { firewalldSkipReason, realFirewalldRuleset } from "./firewalld-real.js";

const skip = firewalldSkipReason();
const CORPUS = join(ROOT, "test/corpus/firewalld");
const FIXTURES = join(ROOT, "test/fixtures/firewalld");
const TOPOLOGIES = ["topology.yaml", "dual-stack.yaml", "routed.yaml"];
/** The errors of a refusal: what the reader does not read, names nothing defines, bad XML, a conflict. */
const REFUSALS = new Set(["firewalld-not-read", "firewalld-unknown", "firewalld-xml", "firewalld-conflict"]);

interface Expected {
  /** `read`, or the codes of the errors (sorted) it is refused with. */
  ours: "read" | string[];
  firewalld: "RUNNING" | "FAILED";
}

/** Each directory's outcome (why, where it is refused). */
const EXPECTED: Record<string, Expected> = {
  // <rule><source ipset="sshguard4|6"/>: sshguard makes those ipsets at run time, ipsets/ has none
  // (firewalld: INVALID_IPSET sshguard6).
  JonasDeWinter__systeembeheer_minor: { ours: ["firewalld-unknown"], firewalld: "FAILED" },
  KuzyaLakomkin1__etckeeper: { ours: "read", firewalld: "RUNNING" },
  "ashloverscn__ViciBox-openSUSE-Leap-15.6-x86_64_Minimal-Server": { ours: "read", firewalld: "RUNNING" },
  // Service mpd (only sbp-mpd is defined): INVALID_SERVICE.
  bbaserdem__Etcfiles: { ours: ["firewalld-unknown"], firewalld: "FAILED" },
  // AllowZoneDrifting=yes: firewalld 1.3.3 ignores the key, and so do we (a warning).
  "ben-tvpp__etckeeper-testserver": { ours: "read", firewalld: "RUNNING" },
  // Policy libvirt-to-host (libvirt-routed to HOST): zone libvirt-routed is bound to nothing here,
  // so firewalld applies none of it, and neither do we (a warning).
  "crisis1er__firewalld-tumbleweed-config": { ours: "read", firewalld: "RUNNING" },
  davepuchyr__vcentos: { ours: "read", firewalld: "RUNNING" },
  "gucci-on-fleek__maxchernoff.ca": { ours: "read", firewalld: "RUNNING" },
  // <log> in zone drop (ours: firewalld-xml); zone public's type attribute (firewalld: PARSE_ERROR).
  hyperpolymath__trigger: { ours: ["firewalld-xml"], firewalld: "FAILED" },
  // Services wsdd and rquickshare, newer than 1.3.3: INVALID_SERVICE.
  kastik__etc: { ours: ["firewalld-unknown"], firewalld: "FAILED" },
  "kawing-chiu__arch-config-root": { ours: "read", firewalld: "RUNNING" },
  // A rich rule's source 149.126.4.94/23 (host bits set): firewalld and nft take it as
  // 149.126.4.0/23, and so do we (a warning).
  mikch06__deads1_sysconfigs: { ours: "read", firewalld: "RUNNING" },
  "palmdrop__palm.cloud": { ours: "read", firewalld: "RUNNING" },
  "techknowio__linux-server-router": { ours: "read", firewalld: "RUNNING" },
  // Services unbound, searxng, … that neither firewalld 1.3.3 nor services/ define (its
  // forward-ports, DNS on 53 redirected to 5335, are read).
  "tulilirockz__taxifolia-gateway-router": { ours: ["firewalld-unknown"], firewalld: "FAILED" },
  // zones/public.xml is not well-formed (a shell template left in): INVALID_ZONE.
  "young-at-heart__SIPTEK-Edge-Proxy": { ours: ["firewalld-xml"], firewalld: "FAILED" },
};

const DIRS = readdirSync(CORPUS, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

function filesOf(dir: string): FirewalldFile[] {
  const paths = firewalldDirectory(join(CORPUS, dir));
  assert.ok(paths, `${dir} is not a directory`);
  return paths.map((file) => ({ file, text: readFileSync(file, "utf8") }));
}

function outcome(p: ParsedRuleset): Expected["ours"] {
  const codes = [...new Set(p.diagnostics.filter((d) => d.severity === "error").map((d) => d.code))];
  return codes.length === 0 ? "read" : codes.sort();
}

test("firewalld corpus: EXPECTED names every directory", () => {
  assert.deepEqual(DIRS, Object.keys(EXPECTED).sort());
});

for (const dir of DIRS)
  test(`firewalld corpus, our reader: ${dir}`, () => {
    const files = filesOf(dir);
    const ours = readFirewalld(files);
    const errors = ours.diagnostics.filter((d) => d.severity === "error");
    assert.deepEqual(
      errors.filter((d) => !REFUSALS.has(d.code)),
      [],
      "only refusals' errors",
    );
    assert.deepEqual(outcome(ours), EXPECTED[dir]?.ours, errors.map((d) => d.message).join("\n"));
    // The nft text is made whatever the outcome.
    assert.equal(typeof firewalldAsNft(files).text, "string");
  });

for (const dir of DIRS)
  test(`firewalld corpus, firewalld 1.3.3 itself: ${dir}`, { skip }, async (t) => {
    const files = filesOf(dir);
    const ours = readFirewalld(files);
    const real = await realFirewalldRuleset(join(CORPUS, dir), { allowFailsafe: true });
    assert.equal(real.state, EXPECTED[dir]?.firewalld, `firewalld's errors:\n${real.errors.join("\n")}`);
    if (real.state === "FAILED")
      assert.notEqual(outcome(ours), "read", "firewalld rejects this configuration: it must not be read");
    if (outcome(ours) !== "read" || real.state !== "RUNNING") return;

    const theirs = readNftablesText(real.ruleset, "nft list ruleset");
    assert.deepEqual(
      theirs.diagnostics.filter((d) => d.severity === "error"),
      [],
    );
    for (const topo of TOPOLOGIES) {
      const tp = loadTopology(join(FIXTURES, topo), "2026-12-03");
      assert.ok(tp.ok);
      const bound = tp.value.bound;
      const a = judged(audit(bound, [perRule(ours)]));
      const b = judged(audit(bound, [perRule(theirs)]));
      if (!isDeepStrictEqual(a, b))
        t.diagnostic(
          `${topo}: ours (firewalldAsNft):\n${firewalldAsNft(files).text}\nfirewalld's (nft list ruleset):\n${real.ruleset}`,
        );
      assert.deepEqual(a, b, `${dir} with ${topo}`);
      if (!isDeepStrictEqual(judged(audit(bound, [ours])), judged(audit(bound, [theirs]))))
        t.diagnostic(`${topo}: exposure grouped otherwise (ours by element, firewalld's by rule)`);
    }
  });
