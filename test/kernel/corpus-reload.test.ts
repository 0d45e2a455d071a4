/**
 * The iptables corpus through the kernel: every iptables-save file of test/corpus/iptables that the
 * reader reads is loaded into a fresh network namespace with iptables-restore (ip6tables-restore
 * for IPv6 files), listed back with iptables-save, and both readings must decide every packet the
 * same way: per base chain, the packets accepted, dropped, and met by an approximated rule are equal
 * sets (one whole-space walk each). This checks the reader's reading of hand-written forms (names,
 * short addresses, masks, abbreviations, built-ins without `:` lines, -N/-P/-I lines) against the
 * kernel's own normal form. A file the kernel refuses must be one the reader warned about (CRLF line
 * ends) or one naming what the host provides (an ipset): a file read in silence that never loads
 * would be audited as rules nobody runs. The kernel's `iptables -t TABLE -S` listings of the same
 * tables, concatenated, are read too (no table names in them: the reader tells each table by its
 * built-in chains) and must decide every packet as the kernel's iptables-save listing does.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  readIp6tablesSave,
  readIptablesSave,
  restoreInputOfDisplay,
  restoreInputOfListing,
} from "../../src/parse/iptables-save.js";
import { sniffFormat } from "../../src/parse/index.js";
import { ROOT } from "../cli/run-cli.js";
import { decisions, same } from "./decisions.js";
import { generateRuleset, Rng, toIptables } from "./generate.js";
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
    let listings = 0;
    let displays = 0;
    const refusedDisplays: string[] = [];
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
        // The same tables as `iptables -S` lists them (one `-t T -S` per table, concatenated as a
        // user pastes them): read as a listing, they must decide every packet as iptables-save's do.
        const tool = v6 ? "ip6tables" : "iptables";
        const listOf = (name: string): string => sh(["ip", "netns", "exec", ns, tool, "-t", name, "-S"]);
        // The security table's listing looks like filter's: a file listing both is refused.
        const names = kernel.ruleset.tables.map((tb) => tb.name);
        if (names.includes("security") && names.includes("filter")) {
          const both = (v6 ? readIp6tablesSave : readIptablesSave)(
            listOf("filter") + listOf("security"),
            "both",
          );
          assert.ok(
            both.diagnostics.some((d) => d.code === "iptables-listing-table" && /security/.test(d.message)),
            `${f}: filter and security listed together must be refused`,
          );
        }
        const listing = names
          .filter((n) => n !== "security")
          .map(listOf)
          .join("");
        assert.equal(sniffFormat(listing), "iptables-save", `${f}: the listing's format`);
        const listed2 = (v6 ? readIp6tablesSave : readIptablesSave)(listing, "kernel-S-listing");
        assert.deepEqual(
          listed2.diagnostics
            .filter((d) => d.severity === "error")
            .map((d) => `${d.message} | ${listing.split("\n")[(d.at?.line ?? 1) - 1] ?? ""}`),
          [],
          `${f}: the kernel's -S listing`,
        );
        const c = decisions(listed2.ruleset);
        listings++;
        // And as `iptables -L -n -v` displays them: read when every row's last column is in a form
        // the reader knows (the rest refused, with the row), deciding every packet alike.
        const display = names
          .filter((n) => n !== "security")
          .map((n) => sh(["ip", "netns", "exec", ns, tool, "-t", n, "-L", "-n", "-v"]))
          .join("");
        assert.equal(sniffFormat(display), "iptables-save", `${f}: the display's format`);
        const shown = (v6 ? readIp6tablesSave : readIptablesSave)(display, "kernel-L-display");
        const shownErrors = shown.diagnostics.filter((d) => d.severity === "error");
        if (shownErrors.length > 0) {
          refusedDisplays.push(
            `${f}: ${shownErrors[0]!.code} ${shownErrors[0]!.message} | ${display.split("\n")[(shownErrors[0]!.at?.line ?? 1) - 1]?.trim()}`,
          );
          for (const e of shownErrors)
            if (e.code !== "iptables-display-row")
              differ.push(`${f}: the -L display refused for ${e.code}: ${e.message}`);
        } else {
          displays++;
          // What the lab loads for the display, loaded into a namespace of its own, is the same
          // kernel ruleset: iptables-save of both, table by table, alike but for comments' quoting.
          const restore = restoreInputOfDisplay(display);
          assert.ok(restore, `${f}: the display's restore input`);
          const ns2 = `${ns}-d`;
          sh(["ip", "netns", "add", ns2]);
          try {
            sh(["ip", "netns", "exec", ns2, `${tool}-restore`], restore);
            const saved = (where: string, table: string): string =>
              sh(["ip", "netns", "exec", where, `${tool}-save`, "-t", table])
                .split("\n")
                .filter((l) => !l.startsWith("#"))
                .join("\n");
            for (const n of names.filter((x) => x !== "security"))
              if (saved(ns, n) !== saved(ns2, n))
                differ.push(`${f}: table ${n} loaded from the -L display differs`);
          } finally {
            sh(["ip", "netns", "del", ns2]);
          }
          const e = decisions(shown.ruleset);
          for (const [chain, d] of b) {
            if (chain.includes(" security ")) continue;
            const k = e.get(chain);
            if (!k) differ.push(`${f}: ${chain} missing from the -L display's reading`);
            else
              for (const o of ["accept", "drop", "uncertain"] as const)
                if (!same(d[o], k[o])) differ.push(`${f}: ${chain} ${o} differs in the -L display`);
          }
        }
        for (const [chain, d] of b) {
          if (chain.includes(" security ")) continue;
          const k = c.get(chain);
          if (!k) differ.push(`${f}: ${chain} missing from the -S listing's reading`);
          else
            for (const o of ["accept", "drop", "uncertain"] as const)
              if (!same(d[o], k[o])) differ.push(`${f}: ${chain} ${o} differs in the -S listing`);
        }
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
    t.diagnostic(
      `${compared} files compared, ${listings} -S listings, ${refusedByKernel.length} refused by this kernel`,
    );
    for (const r of refusedByKernel) t.diagnostic(`kernel refused ${r}`);
    t.diagnostic(`${displays} -L displays read, ${refusedDisplays.length} refused`);
    for (const r of refusedDisplays) t.diagnostic(`display refused ${r}`);
    assert.deepEqual(differ, []);
    assert.ok(compared >= 30, `only ${compared} files compared`);
    assert.equal(listings, compared, "every file loaded was also listed with -S");
  },
);

/**
 * Loads iptables-restore input into a namespace of its own and reads it back as the kernel shows it
 * with `-S` and with `-L -n -v -x --line-numbers`, every table: both readings must decide every
 * packet as the kernel's iptables-save does, and what the lab loads for each (restoreInputOf…) must
 * be the same kernel ruleset again. Returns the differences (and refusals).
 */
function shownAlike(rules: string, family: 4 | 6, label: string): string[] {
  const differ: string[] = [];
  const tool = family === 6 ? "ip6tables" : "iptables";
  const readAs = family === 6 ? readIp6tablesSave : readIptablesSave;
  const ns = `pmt-shown-${process.pid}-${randomBytes(3).toString("hex")}`;
  sh(["ip", "netns", "add", ns]);
  try {
    sh(["ip", "netns", "exec", ns, `${tool}-restore`], rules);
    const saved = readAs(sh(["ip", "netns", "exec", ns, `${tool}-save`]), "save").ruleset;
    const want = decisions(saved);
    for (const [how, args] of [
      ["-S", ["-S"]],
      ["-L", ["-L", "-n", "-v", "-x", "--line-numbers"]],
    ] as const) {
      const shown = saved.tables
        .map(({ name }) => sh(["ip", "netns", "exec", ns, tool, "-t", name, ...args]))
        .join("");
      const r = readAs(shown, `${label}${how}`);
      const errors = r.diagnostics.filter((d) => d.severity === "error");
      if (errors.length > 0) {
        differ.push(
          `${label} ${how}: ${errors[0]!.message} | ${shown.split("\n")[(errors[0]!.at?.line ?? 1) - 1]}`,
        );
        continue;
      }
      // What the lab loads for it is the same kernel ruleset.
      const restore = how === "-S" ? restoreInputOfListing(shown) : restoreInputOfDisplay(shown);
      const again = `${ns}-r`;
      sh(["ip", "netns", "add", again]);
      try {
        sh(["ip", "netns", "exec", again, `${tool}-restore`], restore ?? "");
        const saveOf = (where: string): string =>
          sh(["ip", "netns", "exec", where, `${tool}-save`])
            .split("\n")
            .filter((l) => !l.startsWith("#"))
            .join("\n");
        if (saveOf(again) !== saveOf(ns)) differ.push(`${label} ${how}: loaded again, not the same ruleset`);
      } finally {
        sh(["ip", "netns", "del", again]);
      }
      const got = decisions(r.ruleset);
      for (const [chain, d] of want) {
        const k = got.get(chain);
        if (!k) differ.push(`${label} ${how}: ${chain} missing`);
        else
          for (const o of ["accept", "drop", "uncertain"] as const)
            if (!same(d[o], k[o])) differ.push(`${label} ${how}: ${chain} ${o} differs`);
      }
    }
  } finally {
    sh(["ip", "netns", "del", ns]);
  }
  return differ;
}

test(
  "random rulesets (the kernel differential test's generator) as `iptables -S` and `iptables -L -n -v` show them: read, and deciding as iptables-save",
  { skip },
  () => {
    const differ: string[] = [];
    for (let seed = 1; seed <= 24; seed++) {
      const family = seed % 2 === 0 ? 4 : 6;
      const gen = generateRuleset(new Rng(seed * 104729), family, 20 + (seed % 4) * 10);
      differ.push(...shownAlike(toIptables(gen), family, `seed ${seed}`));
    }
    assert.deepEqual(differ.slice(0, 10), []);
  },
);

test(
  "the display's forms the corpus does not hold (LOG flags, tcp option, owner) read back as the kernel shows them",
  { skip },
  () => {
    const rules = readFileSync(join(ROOT, "test/fixtures/iptables-listing/forms.rules"), "utf8");
    assert.deepEqual(shownAlike(rules, 4, "forms.rules"), []);
  },
);
