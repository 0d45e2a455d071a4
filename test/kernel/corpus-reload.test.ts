/**
 * The iptables corpus through the kernel: every iptables-save file of test/corpus/iptables that the
 * reader reads is loaded into a fresh network namespace with iptables-restore (ip6tables-restore
 * for IPv6 files), listed back with iptables-save, and both readings must decide every packet the
 * same way: per base chain, the packets accepted, dropped, and met by an approximated rule are equal
 * sets (one whole-space walk each). This checks the reader's reading of hand-written forms (names,
 * short addresses, masks, abbreviations, built-ins without `:` lines, -N/-P/-I lines) against the
 * kernel's own normal form. A file the kernel refuses must be one the reader warned about (CRLF line
 * ends) or one naming what the host provides (an ipset): a file read in silence that never loads
 * would be audited as rules nobody runs.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readIptablesSave } from "../../src/parse/iptables-save.js";
import { sniffFormat } from "../../src/parse/index.js";
import { ROOT } from "../cli/run-cli.js";
import { decisions, same } from "./decisions.js";
import { kernelSkipReason, sh } from "./netns.js";

const DIR = join(ROOT, "test/corpus/iptables");
const skip = kernelSkipReason(["iptables-restore", "ip6tables-restore", "iptables-save", "ip6tables-save"]);

test(
  "iptables corpus: the reader and the kernel's iptables-save listing decide every packet alike",
  { skip },
  (t) => {
    const expected = JSON.parse(readFileSync(join(DIR, "expectations.json"), "utf8")) as Record<
      string,
      { outcome: string }
    >;
    let compared = 0;
    const refusedByKernel: string[] = [];
    const differ: string[] = [];
    for (const f of readdirSync(DIR).sort()) {
      if (expected[f]?.outcome !== "read") continue;
      const text = readFileSync(join(DIR, f), "utf8");
      if (sniffFormat(text) !== "iptables-save") continue;
      const mine = readIptablesSave(text, f);
      const v6 = mine.ruleset.format === "ip6tables-save";
      const ns = `pmt-verdicts-${process.pid}-${randomBytes(3).toString("hex")}`;
      sh(["ip", "netns", "add", ns]);
      try {
        try {
          sh(["ip", "netns", "exec", ns, v6 ? "ip6tables-restore" : "iptables-restore"], text);
        } catch (e) {
          const why = (e as Error).message.split("\n").find((l) => /error|Error|line/.test(l)) ?? "";
          refusedByKernel.push(`${f}: ${why}`);
          // A file the reader read without a word, which iptables-restore refuses for what the file
          // says, would be audited as rules that never load: only what the reader warned about
          // (CRLF line ends) or what the host provides (an ipset) may be refused here.
          const warned = mine.diagnostics.some((d) => d.code === "iptables-crlf");
          if (!warned && !/Set \S+ doesn't exist/.test((e as Error).message))
            differ.push(`${f}: read, but iptables-restore refuses it: ${why}`);
          continue;
        }
        const listed = sh(["ip", "netns", "exec", ns, v6 ? "ip6tables-save" : "iptables-save"]);
        const kernel = readIptablesSave(listed, "kernel-listing");
        assert.deepEqual(
          kernel.diagnostics
            .filter((d) => d.severity === "error")
            .map((d) => `${d.message} | ${listed.split("\n")[(d.at?.line ?? 1) - 1] ?? ""}`),
          [],
          `${f}: the kernel's listing`,
        );
        const a = decisions(mine.ruleset);
        const b = decisions(kernel.ruleset);
        compared++;
        for (const [chain, d] of a) {
          const k = b.get(chain);
          if (!k) {
            // A chain the file declares with nothing in it may be absent from the kernel's listing
            // only if it decides nothing but the default: accept everything.
            if (!d.drop.isEmpty()) differ.push(`${f}: ${chain} missing from the kernel's listing`);
            continue;
          }
          for (const o of ["accept", "drop", "uncertain"] as const)
            if (!same(d[o], k[o])) differ.push(`${f}: ${chain} ${o} differs`);
        }
      } finally {
        sh(["ip", "netns", "del", ns]);
      }
    }
    t.diagnostic(`${compared} files compared, ${refusedByKernel.length} refused by this kernel`);
    for (const r of refusedByKernel) t.diagnostic(`kernel refused ${r}`);
    assert.deepEqual(differ, []);
    assert.ok(compared >= 30, `only ${compared} files compared`);
  },
);
