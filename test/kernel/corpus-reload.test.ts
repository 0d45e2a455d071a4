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
    let shown = 0;
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
        // The same tables as `iptables -S` and `iptables -L -n -v` show them, read and loaded again.
        differ.push(...shownAlike(listed, v6 ? 6 : 4, f));
        shown++;
        for (const [chain, d] of a) {
          // A chain the file declares with nothing in it may be absent from the kernel's listing
          // only if it decides nothing but the default: accept everything.
          if (!b.has(chain) && d.drop.isEmpty()) continue;
          differ.push(...alike(d, b.get(chain), `${f}: ${chain}`));
        }
      } finally {
        sh(["ip", "netns", "del", ns]);
      }
    }
    t.diagnostic(`${compared} files compared, ${refusedByKernel.length} refused by this kernel`);
    for (const r of refusedByKernel) t.diagnostic(`kernel refused ${r}`);
    assert.deepEqual(differ, []);
    assert.ok(compared >= 30, `only ${compared} files compared`);
    assert.equal(shown, compared, "every file loaded was also shown with -S and -L");
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
    const saveOf = (where: string): string =>
      sh(["ip", "netns", "exec", where, `${tool}-save`])
        .split("\n")
        .filter((l) => !l.startsWith("#"))
        .join("\n");
    const saved = readAs(saveOf(ns), "save").ruleset;
    const want = decisions(saved);
    const names = saved.tables.map((t) => t.name);
    const show = (name: string, args: readonly string[]): string =>
      sh(["ip", "netns", "exec", ns, tool, "-t", name, ...args]);
    // The security table is shown as filter is (the same chains): with filter, refused; left out.
    if (names.includes("security") && names.includes("filter")) {
      const both = readAs(show("filter", ["-S"]) + show("security", ["-S"]), "both");
      if (!both.diagnostics.some((d) => d.code === "iptables-listing-table" && /security/.test(d.message)))
        differ.push(`${label}: filter and security listed together not refused`);
    }
    const shownTables = names.filter((n) => n !== "security");
    for (const [how, args] of [
      ["-S", ["-S"]],
      ["-L", ["-L", "-n", "-v", "-x", "--line-numbers"]],
    ] as const) {
      const text = shownTables.map((n) => show(n, args)).join("");
      if (sniffFormat(text) !== "iptables-save")
        differ.push(`${label} ${how}: sniffed as ${sniffFormat(text)}`);
      // A display tells its family by its address columns: read without saying it. A listing
      // tells it only from addresses and ICMP matches, as an iptables-save file does.
      // (A display without a single rule shows no address: read as IPv4, and said, as a file
      // showing no family is; then read as what it is.)
      let r = (how === "-L" ? readIptablesSave : readAs)(text, `${label}${how}`);
      if (r.ruleset.format !== (family === 6 ? "ip6tables-save" : "iptables-save")) {
        const rows = r.ruleset.tables.some((t) => t.chains.some((c) => c.rules.length > 0));
        if (rows || !r.diagnostics.some((d) => d.code === "iptables-family-assumed"))
          differ.push(`${label} ${how}: read as ${r.ruleset.format}`);
        r = readAs(text, `${label}${how}`);
      }
      const errors = r.diagnostics.filter((d) => d.severity === "error");
      if (errors.length > 0) {
        differ.push(
          `${label} ${how}: ${errors[0]!.message} | ${text.split("\n")[(errors[0]!.at?.line ?? 1) - 1]}`,
        );
        continue;
      }
      // What the lab loads for it is the same kernel ruleset (security left out on both sides).
      const restore = how === "-S" ? restoreInputOfListing(text) : restoreInputOfDisplay(text);
      const again = `${ns}-r`;
      sh(["ip", "netns", "add", again]);
      try {
        sh(["ip", "netns", "exec", again, `${tool}-restore`], restore ?? "");
        const tableOf = (where: string, name: string): string =>
          sh(["ip", "netns", "exec", where, `${tool}-save`, "-t", name])
            .split("\n")
            .filter((l) => !l.startsWith("#"))
            .join("\n");
        for (const n of shownTables)
          if (tableOf(again, n) !== tableOf(ns, n))
            differ.push(`${label} ${how}: table ${n} loaded again differs`);
      } finally {
        sh(["ip", "netns", "del", again]);
      }
      const got = decisions(r.ruleset);
      for (const [chain, d] of want)
        if (!chain.includes(" security "))
          differ.push(...alike(d, got.get(chain), `${label} ${how}: ${chain}`));
    }
  } finally {
    sh(["ip", "netns", "del", ns]);
  }
  return differ;
}

/** Where two readings' decisions of one base chain differ (or the second has no such chain). */
function alike(a: Decided, b: Decided | undefined, label: string): string[] {
  if (!b) return [`${label} missing`];
  return (["accept", "drop", "uncertain"] as const)
    .filter((o) => !same(a[o], b[o]))
    .map((o) => `${label} ${o} differs`);
}

type Decided = ReturnType<typeof decisions> extends Map<string, infer D> ? D : never;

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
