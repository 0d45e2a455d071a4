/**
 * Public ufw configurations (test/corpus/ufw, sources in its SOURCES.md) read by our reader beside
 * the real ufw 0.36.2 loading them (ufw-compare.ts). Where a repository lacks /etc/default/ufw, both
 * get the shipped one (our reader assumes it, saying so); where it lacks ufw.conf, the real ufw-init
 * gets `ENABLED=yes` (ours assumes that, saying so: ufw-init would abort without the file). Rules
 * files a repository lacks stay missing on both sides: ufw-init reports each and loads the others.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readUfw } from "../../src/parse/ufw.js";
import { ufwDirectory } from "../../src/shell/files.js";
import { ROOT } from "../cli/run-cli.js";
import { compareWithUfw } from "./ufw-compare.js";
import { ufwSkipReason } from "./ufw-real.js";

const skip = ufwSkipReason();
const CORPUS = join(ROOT, "test/corpus/ufw");
const SHIPPED = readFileSync(join(ROOT, "test/fixtures/ufw/default-ufw"), "utf8");
const RULES = ["before.rules", "after.rules", "user.rules", "before6.rules", "after6.rules", "user6.rules"];

/** Each configuration: its directory, and its /etc/default/ufw beside it when the repository has one. */
function configurations(): Array<{ name: string; dir: string; defaults?: string }> {
  const names = readdirSync(CORPUS).sort();
  return names
    .filter((n) => ufwDirectory(join(CORPUS, n))?.length)
    .map((n) => {
      const owner = n.split("__").slice(0, 2).join("__");
      const def = names.find((d) => d.startsWith(`${owner}__`) && /default_ufw$/.test(d));
      return { name: n, dir: join(CORPUS, n), ...(def ? { defaults: join(CORPUS, def) } : {}) };
    });
}

test("the ufw corpus: every configuration reads without errors", () => {
  const all = configurations();
  assert.ok(all.length >= 6, String(all.length));
  for (const c of all) {
    const files = ufwDirectory(c.dir)!.map((file) => ({ file, text: readFileSync(file, "utf8") }));
    const defaults = c.defaults ? [{ file: c.defaults, text: readFileSync(c.defaults, "utf8") }] : [];
    const p = readUfw([...files, ...defaults]);
    assert.deepEqual(
      p.diagnostics.filter((d) => d.severity === "error"),
      [],
      c.name,
    );
    assert.ok(p.ruleset.tables.length > 0, c.name);
  }
});

for (const c of configurations())
  test(`ufw corpus = ufw 0.36.2 itself: ${c.name}`, { skip }, () => {
    const files = ufwDirectory(c.dir)!.map((file) => ({ file, text: readFileSync(file, "utf8") }));
    const conf = files.some((f) => f.file.endsWith("ufw.conf"))
      ? []
      : [{ file: join(c.dir, "ufw.conf"), text: "ENABLED=yes\n" }];
    const missing = RULES.filter((r) => !existsSync(join(c.dir, r)));
    compareWithUfw(
      c.name,
      [...files, ...conf],
      c.defaults ? readFileSync(c.defaults, "utf8") : SHIPPED,
      missing,
    );
  });
