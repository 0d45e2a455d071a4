/**
 * The ufw reader against ufw itself: each configuration under test/fixtures/ufw, with several
 * /etc/default/ufw settings (policies DROP, REJECT, ACCEPT; IPV6=no) and ufw.conf ENABLED=no, is
 * loaded by the real ufw 0.36.2's boot script in a namespace of its own (ufw-real.ts), and the
 * rulesets it put into the kernel (`iptables-save`, `ip6tables-save`, read by the iptables-save
 * reader) are compared with our reading of the same files, chain by chain and audit by audit
 * (ufw-compare.ts).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readUfw } from "../../src/parse/ufw.js";
import { ufwDirectory } from "../../src/shell/files.js";
import { ROOT } from "../cli/run-cli.js";
import { compareWithUfw as compare } from "./ufw-compare.js";
import { realUfwRuleset, ufwSkipReason } from "./ufw-real.js";

const skip = ufwSkipReason();
const DIR = join(ROOT, "test/fixtures/ufw");
const SHIPPED = readFileSync(join(DIR, "default-ufw"), "utf8");

const set = (text: string, key: string, value: string): string =>
  text.replace(new RegExp(`^${key}=.*$`, "m"), `${key}="${value}"`);

/** /etc/default/ufw variants: name → text. */
const DEFAULTS: Record<string, string> = {
  shipped: SHIPPED,
  reject: set(
    set(set(SHIPPED, "DEFAULT_INPUT_POLICY", "REJECT"), "DEFAULT_OUTPUT_POLICY", "REJECT"),
    "DEFAULT_FORWARD_POLICY",
    "ACCEPT",
  ),
  "accept-in-drop-out": set(set(SHIPPED, "DEFAULT_INPUT_POLICY", "ACCEPT"), "DEFAULT_OUTPUT_POLICY", "DROP"),
  "ipv6-off": set(SHIPPED, "IPV6", "no"),
};

const read = (dir: string): Array<{ file: string; text: string }> =>
  ufwDirectory(dir)!.map((file) => ({ file, text: readFileSync(file, "utf8") }));

for (const config of ["basic", "custom"])
  for (const [name, defaults] of Object.entries(DEFAULTS))
    test(`ufw reader = ufw 0.36.2 itself: ${config}, ${name} /etc/default/ufw`, { skip }, () => {
      compare(config, read(join(DIR, config)), defaults);
    });

test("ufw reader = ufw 0.36.2 itself: ENABLED=no loads nothing", { skip }, () => {
  const files = read(join(DIR, "basic")).map((f) =>
    f.file.endsWith("ufw.conf") ? { ...f, text: f.text.replace(/^ENABLED=.*$/m, "ENABLED=no") } : f,
  );
  compare("basic (disabled)", files, SHIPPED);
});

test("ufw reader = ufw 0.36.2 itself: a policy on a user chain's `:` line is ignored", { skip }, () => {
  const files = read(join(DIR, "basic")).map((f) =>
    f.file.endsWith("/before.rules")
      ? { ...f, text: f.text.replace(":ufw-not-local - [0:0]", ":ufw-not-local ACCEPT [0:0]") }
      : f,
  );
  assert.ok(files.some((f) => f.text.includes(":ufw-not-local ACCEPT [0:0]")));
  compare("basic (a user chain with a policy)", files, SHIPPED);
});

/** Files ufw-init cannot restore: the real one says "Problem running" it; ours is an error there. */
const BROKEN: Array<[string, string, (text: string) => string]> = [
  [
    "before.rules",
    "a jump to a user chain ufw-init makes after before.rules",
    (t) =>
      t.replace(
        "-A ufw-before-input -p udp --sport 67 --dport 68 -j ACCEPT",
        "-A ufw-before-input -j ufw-user-limit-accept",
      ),
  ],
  ["after.rules", "a table without COMMIT", (t) => t.replace(/COMMIT\s*$/, "")],
  ["user.rules", "a port out of range", (t) => t.replace("--dport 443 -j ACCEPT", "--dport 99999 -j ACCEPT")],
  [
    "user6.rules",
    "an IPv4 address in an ip6tables file",
    (t) => t.replace("-s 2001:db8:1::/48", "-s 198.51.100.0/24"),
  ],
];

for (const [name, what, edit] of BROKEN)
  test(
    `ufw reader = ufw 0.36.2 itself: ${name} with ${what} fails to load, an error at its line`,
    { skip },
    () => {
      const files = read(join(DIR, "basic")).map((f) =>
        f.file.endsWith(`/${name}`) ? { ...f, text: edit(f.text) } : f,
      );
      assert.notEqual(
        files.find((f) => f.file.endsWith(`/${name}`))!.text,
        readFileSync(join(DIR, "basic", name), "utf8"),
      );
      const real = realUfwRuleset(files, SHIPPED);
      assert.notEqual(real.status, 0, real.log);
      assert.match(real.log, new RegExp(`Problem running '/etc/ufw/${name.replace(".", "\\.")}'`));
      const ours = readUfw([...files, { file: "default-ufw", text: SHIPPED }]);
      const errors = ours.diagnostics.filter((d) => d.severity === "error");
      assert.ok(
        errors.length > 0 && errors.every((d) => d.at?.file.endsWith(`/${name}`)),
        JSON.stringify(errors),
      );
    },
  );
