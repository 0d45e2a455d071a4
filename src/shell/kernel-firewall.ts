/**
 * The running kernel's firewall, for `apply` and `audit --live`: reading the part portmatrix owns
 * (compile/owned.ts says what that is), loading restore input atomically, and reading the whole
 * ruleset for an audit. Only `nft`, `iptables(-save|-restore)` and `ip6tables(…)` via execFile.
 */
import { spawnSync } from "node:child_process";
import {
  EMPTY_IPT,
  iptOwnedFromSave,
  iptTransition,
  nftTransition,
  NFT_TABLE,
  type IptOwned,
  type NftOwned,
} from "../compile/owned.js";
import { liveListing, ruleLayout } from "../parse/nft-netlink.js";
import { loadFirewalld, readFirewalldOwned, type FirewalldState } from "./firewalld-host.js";
import { loadUfw, readUfwOwned, ufwRestoreFiles, type UfwState } from "./ufw-host.js";

export type Backend = "nftables" | "iptables";
/** What `apply` can load: the kernel's own tables, or firewalld's or ufw's configuration. */
export type ApplyBackend = Backend | "firewalld" | "ufw";
export type Family = "v4" | "v6";

/** What portmatrix owns in the kernel at one moment; JSON-safe (kept in the pending state file). */
export type OwnedState =
  | { target: "nftables"; nft: NftOwned }
  | { target: "iptables"; v4: IptOwned; v6: IptOwned }
  | FirewalldState
  | UfwState;

/** A kernel tool failed: what ran and what it said (the CLI makes it an environment diagnostic). */
export class KernelError extends Error {}

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: readonly string[], input = ""): Ran {
  const r = spawnSync(cmd[0]!, cmd.slice(1), {
    input,
    encoding: "utf8",
    timeout: 60_000,
    maxBuffer: 256 << 20,
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new KernelError(`${cmd[0]}: ${code === "ENOENT" ? "not installed" : r.error.message}`);
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runOk(cmd: readonly string[], input = ""): string {
  const r = run(cmd, input);
  if (r.status !== 0)
    throw new KernelError(
      `${cmd.join(" ")} failed (exit ${r.status}): ${r.stderr.trim().split("\n").join(" | ")}`,
    );
  return r.stdout;
}

const SAVE: Record<Family, string> = { v4: "iptables-save", v6: "ip6tables-save" };
const RESTORE: Record<Family, string> = { v4: "iptables-restore", v6: "ip6tables-restore" };

/** The commands a backend needs, for the environment check before anything is touched. */
export function toolsOf(backend: ApplyBackend): string[] {
  if (backend === "firewalld") return ["firewall-cmd"];
  if (backend === "ufw") return ["ufw"];
  return backend === "nftables" ? ["nft"] : [...Object.values(SAVE), ...Object.values(RESTORE)];
}

export function missingTool(backend: ApplyBackend): string | undefined {
  for (const t of toolsOf(backend)) {
    const r = spawnSync(t, ["--version"], { encoding: "utf8", timeout: 10_000 });
    if ((r.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") return t;
  }
  return undefined;
}

export function readNftOwned(): NftOwned {
  const r = run(["nft", "list", "table", ...NFT_TABLE.split(" ")]);
  if (r.status === 0) return r.stdout;
  if (/No such file or directory/.test(r.stderr)) return undefined;
  throw new KernelError(`nft list table ${NFT_TABLE} failed: ${r.stderr.trim()}`);
}

export function readIptOwned(fam: Family): IptOwned {
  return iptOwnedFromSave(runOk([SAVE[fam], "-t", "filter"]));
}

/** What portmatrix owns now; firewalld's in its configuration directory `at`. */
export function readOwned(backend: ApplyBackend, at?: { dir: string; name: string }): OwnedState {
  if (backend === "ufw") return readUfwOwned();
  if (backend === "firewalld") {
    const o = readFirewalldOwned(at!.dir, at!.name);
    return { target: o.target, dir: o.dir, name: o.name, files: o.files };
  }
  return backend === "nftables"
    ? { target: "nftables", nft: readNftOwned() }
    : { target: "iptables", v4: readIptOwned("v4"), v6: readIptOwned("v6") };
}

export function loadNft(text: string): void {
  runOk(["nft", "-f", "-"], text);
}

export function loadIpt(fam: Family, text: string): void {
  runOk([RESTORE[fam], "--noflush"], text);
}

/**
 * Makes the owned part what `wanted` says (nftables: the compiled file itself, which replaces only
 * its table; iptables: one --noflush transition per family, from what runs now). The two iptables
 * families are two transactions: when the second fails, the first is put back before the error.
 */
export function loadOwned(
  wanted: OwnedState | { target: "nftables"; file: string } | { target: "ufw"; script: string },
  header: string,
): void {
  if (wanted.target === "firewalld") return loadFirewalld(wanted);
  if (wanted.target === "ufw") return loadUfw(wanted);
  if (wanted.target === "nftables") {
    loadNft("file" in wanted ? wanted.file : nftTransition(wanted.nft, header));
    return;
  }
  const before = { v4: readIptOwned("v4"), v6: readIptOwned("v6") };
  loadIpt("v4", iptTransition(before.v4, wanted.v4, header));
  try {
    loadIpt("v6", iptTransition(before.v6, wanted.v6, header));
  } catch (e) {
    loadIpt("v4", iptTransition(readIptOwned("v4"), before.v4, `${header} (undo)`));
    throw e;
  }
}

/** The restore input that brings `previous` back from `current` (what an apply loads), as a person would run it. */
export function restoreFiles(
  previous: OwnedState,
  current: OwnedState,
  header: string,
): Array<{ suffix: string; text: string }> {
  if (previous.target === "firewalld") return firewalldRestoreFiles(previous, header);
  if (previous.target === "ufw") return ufwRestoreFiles(previous, header);
  if (previous.target === "nftables") return [{ suffix: "", text: nftTransition(previous.nft, header) }];
  const now = current.target === "iptables" ? current : { v4: EMPTY_IPT, v6: EMPTY_IPT };
  return [
    { suffix: "", text: iptTransition(now.v4, previous.v4, `${header} — iptables-restore --noflush`) },
    { suffix: ".v6", text: iptTransition(now.v6, previous.v6, `${header} — ip6tables-restore --noflush`) },
  ];
}

/**
 * firewalld's previous owned files as a backup folder (FOLDER/zones/…, FOLDER/policies/…) with a
 * RESTORE.txt that says how to put them back by hand.
 */
function firewalldRestoreFiles(
  previous: FirewalldState,
  header: string,
): Array<{ suffix: string; text: string }> {
  const names = Object.keys(previous.files).sort();
  const readme = [
    `# ${header}`,
    `# What portmatrix owned in ${previous.dir} before the apply (compile.name ${previous.name}):`,
    ...(names.length === 0 ? ["#   nothing"] : names.map((n) => `#   ${n}`)),
    "# To restore by hand: delete the portmatrix zone and policy files in that folder, copy these",
    "# back into it, then run firewall-cmd --check-config and firewall-cmd --reload.",
    "",
  ].join("\n");
  return [
    { suffix: "/RESTORE.txt", text: readme },
    ...names.map((n) => ({ suffix: `/${n}`, text: previous.files[n]! })),
  ];
}

const XTABLES = /^table (ip|ip6|arp|bridge) (filter|nat|mangle|raw|security|broute)$/;

/**
 * Which of the two holds this namespace's rules, for `audit --live` without a backend: native
 * nftables tables (not the ones iptables-nft makes for iptables), iptables rules (a rule or a DROP
 * policy in iptables-save or ip6tables-save), both ("both": the caller asks which), or neither.
 */
export function liveBackend(): Backend | "both" | "none" {
  // No nft installed (iptables alone): no native tables; the answer is then iptables.
  let nft: Ran;
  try {
    nft = run(["nft", "list", "tables"]);
  } catch {
    nft = { status: null, stdout: "", stderr: "" };
  }
  // With a legacy iptables, no nft table is iptables': a `table ip filter` there is the admin's.
  const xtNft = iptablesIsNft();
  const native =
    nft.status === 0 &&
    nft.stdout.split("\n").some((l) => l.trim() !== "" && !(xtNft && XTABLES.test(l.trim())));
  let ipt = false;
  for (const fam of ["v4", "v6"] as const) {
    // No iptables installed (a Debian 12 host that only has nftables): no iptables rules.
    let r: Ran;
    try {
      r = run([SAVE[fam]]);
    } catch {
      continue;
    }
    if (r.status === 0 && /^(-A |:\S+ DROP )/m.test(r.stdout)) ipt = true;
  }
  return native && ipt
    ? "both"
    : native
      ? "nftables"
      : ipt
        ? "iptables"
        : nft.status === 0
          ? "none"
          : "iptables";
}

/**
 * The whole running ruleset, for `audit --live`: each text with the name the report gives it.
 * "both" (native nftables tables and iptables rules, as on a host where Docker's iptables-nft rules
 * sit beside an nftables.conf): every base chain of either judges a packet, so both are read —
 * iptables' through iptables-save, the native tables through nft's JSON less the tables
 * iptables-nft keeps (when iptables is its nf_tables variant; a legacy iptables' tables are not
 * nft's, and a native `table ip filter` is then the admin's own).
 */
export function liveRulesets(backend: Backend | "both"): LiveRuleset[] {
  const nft = (text: string): LiveRuleset => ({
    file: "kernel (nft -j list ruleset)",
    text,
    format: "nftables-json",
  });
  // An empty save (nothing loaded in that family) is still that format: the reader gets it, no guessing.
  const saves = (): LiveRuleset[] =>
    (["v4", "v6"] as const).map((fam) => ({
      file: `kernel (${SAVE[fam]})`,
      text: runOk([SAVE[fam]]),
      format: "iptables-save",
    }));
  if (backend === "nftables") return [nft(nftLiveJson(false))];
  if (backend === "iptables") return saves();
  return [nft(nftLiveJson(iptablesIsNft())), ...saves()];
}

/** Whether iptables is its nf_tables variant (`iptables --version`: "(nf_tables)"), whose tables are nft's. */
function iptablesIsNft(): boolean {
  try {
    return /nf_tables/.test(run(["iptables", "--version"]).stdout);
  } catch {
    return false; // not installed: no iptables tables in nft either
  }
}

/**
 * `nft -j list ruleset` with the `meta nfproto` tests the listing drops put back from the rules'
 * bytecode (nft-netlink.ts: nft 1.0.6 lists `meta nfproto ipv6 tcp dport 23 reject with tcp reset`
 * without its family). The bytecode is read before and after the listing, and the three are used
 * only if the two dumps' rules agree: a ruleset changed in between could pair a handle with another rule.
 * `dropXtables`: the tables iptables-nft keeps left out (they are read from iptables-save).
 */
function nftLiveJson(dropXtables: boolean): string {
  const dump = () => runOk(["nft", "--debug=netlink", "list", "ruleset"]);
  const json = () => runOk(["nft", "-j", "list", "ruleset"]);
  for (let attempt = 0; attempt < 3; attempt++) {
    let before: string;
    try {
      before = dump();
    } catch (e) {
      // Say what the listing says when it fails too (not root, no nft); else that the dump failed.
      json();
      throw e;
    }
    const listed = json();
    if (ruleLayout(dump()) === ruleLayout(before)) return liveListing(listed, before, { dropXtables }).text;
  }
  throw new KernelError("the nftables ruleset changed three times while it was being read; run again");
}

export interface LiveRuleset {
  file: string;
  text: string;
  format: "nftables-json" | "iptables-save";
}
