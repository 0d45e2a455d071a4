/**
 * The real-firewalld harness (firewalld-real.ts): firewalld 1.3.3 started in a private namespace on a
 * small config loads the zone's services and ports into `table inet firewalld`; a config it rejects
 * is reported (and, on request, returned) as firewalld's failsafe start; and every run, failed or not,
 * leaves no namespace behind.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readFirewalld } from "../../src/parse/firewalld.js";
import { FIREWALLD_NS_PREFIX, firewalldSkipReason, realFirewalldRuleset } from "./firewalld-real.js";
import { sh } from "./netns.js";

const skip = firewalldSkipReason();

const PUBLIC = `<?xml version="1.0" encoding="utf-8"?>
<zone><short>Public</short><service name="ssh"/><port protocol="tcp" port="5061"/><port protocol="udp" port="3478"/></zone>
`;

/** A config dir: the host's firewalld.conf with DefaultZone=public, and the given zone files. */
function configDir(zones: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "pmt-fwd-test-"));
  mkdirSync(join(dir, "zones"));
  copyFileSync("/etc/firewalld/firewalld.conf", join(dir, "firewalld.conf"));
  const conf = readFileSync(join(dir, "firewalld.conf"), "utf8");
  writeFileSync(
    join(dir, "firewalld.conf"),
    /^DefaultZone=/m.test(conf)
      ? conf.replace(/^DefaultZone=.*$/m, "DefaultZone=public")
      : `${conf}\nDefaultZone=public\n`,
  );
  for (const [name, xml] of Object.entries(zones)) writeFileSync(join(dir, "zones", name), xml);
  return dir;
}

/** The rules of one chain of an `nft list ruleset` listing. */
function chain(ruleset: string, name: string): string[] | undefined {
  const m = new RegExp(`^\\tchain ${name} \\{\\n([\\s\\S]*?)^\\t\\}`, "m").exec(ruleset);
  return m?.[1]!
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}

function assertNoNamespaceLeft(): void {
  const left = sh(["ip", "netns", "list"])
    .split("\n")
    .map((l) => l.split(" ")[0]!)
    .filter((n) => n.startsWith(FIREWALLD_NS_PREFIX));
  assert.deepEqual(left, [], "namespaces left behind");
}

test("real firewalld: a zone's service and ports land in filter_IN_public_allow", { skip }, async () => {
  const dir = configDir({ "public.xml": PUBLIC });
  try {
    const fw = await realFirewalldRuleset(dir);
    assert.equal(fw.state, "RUNNING", fw.log);
    assert.deepEqual(fw.errors, []);
    assert.match(fw.ruleset, /^table inet firewalld \{$/m);
    assert.deepEqual(chain(fw.ruleset, "filter_IN_public_allow"), [
      "tcp dport 22 accept",
      "tcp dport 5061 accept",
      "udp dport 3478 accept",
    ]);
    // No interface or source is bound, so everything falls through to the default zone.
    assert.deepEqual(chain(fw.ruleset, "filter_INPUT_ZONES"), ["goto filter_IN_public"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    assertNoNamespaceLeft();
  }
});

test(
  "real firewalld: interface and source bindings, with or without the interface present",
  { skip },
  async () => {
    const dir = configDir({
      "public.xml": PUBLIC,
      "internal.xml": `<?xml version="1.0" encoding="utf-8"?>
<zone><short>Internal</short><interface name="eth9"/><source address="10.1.0.0/16"/><service name="dns"/></zone>
`,
    });
    try {
      // Two at once, each with its own bus and namespace; eth9 exists in only one of them.
      const [absent, present] = await Promise.all([
        realFirewalldRuleset(dir),
        realFirewalldRuleset(dir, { interfaces: ["eth9"] }),
      ]);
      assert.deepEqual(chain(absent.ruleset, "filter_INPUT_ZONES"), [
        "ip saddr 10.1.0.0/16 goto filter_IN_internal",
        'iifname "eth9" goto filter_IN_internal',
        "goto filter_IN_public",
      ]);
      // firewalld binds interfaces by name (iifname), whether or not they exist.
      assert.equal(present.ruleset, absent.ruleset);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      assertNoNamespaceLeft();
    }
  },
);

test("real firewalld: a zone naming an unknown service sends firewalld into failsafe", { skip }, async () => {
  // firewalld 1.3.3 does not skip the bad zone or the bad entry: the check of the whole user config
  // (fw.full_check_config) fails with INVALID_SERVICE, firewalld logs "Failed to load user
  // configuration. Falling back to full stock configuration.", and starts with the stock config alone
  // (/usr/lib/firewalld, built-in firewalld.conf defaults; none of the config dir is used), state
  // FAILED, and keeps running. The same happens for malformed XML and out-of-range ports in any zone,
  // used or not.
  const dir = configDir({
    "public.xml": `<?xml version="1.0" encoding="utf-8"?>
<zone><short>Public</short><service name="no-such-service"/><port protocol="tcp" port="5061"/></zone>
`,
  });
  try {
    await assert.rejects(realFirewalldRuleset(dir), (e: Error) => {
      assert.match(e.message, /failsafe/);
      assert.match(
        e.message,
        /INVALID_SERVICE: Zone 'public': 'no-such-service' not among existing services/,
      );
      return true;
    });
    assertNoNamespaceLeft();
    const fw = await realFirewalldRuleset(dir, { allowFailsafe: true });
    assert.equal(fw.state, "FAILED");
    assert.ok(
      fw.errors.some((l) => l.includes("Falling back to full stock configuration")),
      fw.log,
    );
    // The stock public zone: ssh and dhcpv6-client; nothing of the rejected file.
    assert.deepEqual(chain(fw.ruleset, "filter_IN_public_allow"), [
      "tcp dport 22 accept",
      "ip6 daddr fe80::/64 udp dport 546 accept",
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    assertNoNamespaceLeft();
  }
});

test("real firewalld: a start that times out is ended and cleaned up", { skip }, async () => {
  const dir = configDir({ "public.xml": PUBLIC });
  try {
    await assert.rejects(realFirewalldRuleset(dir, { timeoutMs: 1 }), /did not finish starting within 1 ms/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    assertNoNamespaceLeft();
  }
});

test(
  "real firewalld: a policy without a target sends firewalld into failsafe, and our reader refuses it",
  { skip },
  async () => {
    const dir = configDir({});
    const text = `<?xml version="1.0" encoding="utf-8"?>\n<policy>\n  <ingress-zone name="HOST"/>\n  <egress-zone name="ANY"/>\n</policy>\n`;
    mkdirSync(join(dir, "policies"));
    writeFileSync(join(dir, "policies", "out.xml"), text);
    try {
      const fw = await realFirewalldRuleset(dir, { allowFailsafe: true });
      assert.equal(fw.state, "FAILED");
      assert.ok(
        fw.errors.some((l) => l.includes("PARSE_ERROR: Missing attribute target for policy")),
        fw.log,
      );
      const ours = readFirewalld([{ file: join(dir, "policies", "out.xml"), text }]);
      assert.deepEqual(
        ours.diagnostics.filter((d) => d.severity === "error").map((d) => [d.code, d.at?.line]),
        [["firewalld-xml", 2]],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
      assertNoNamespaceLeft();
    }
  },
);
