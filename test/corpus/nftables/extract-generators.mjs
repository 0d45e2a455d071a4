#!/usr/bin/env node
/**
 * Reproduces test/corpus/nftables/generators/ byte for byte from the pinned upstream files (listed
 * in SOURCES.md): whole files, or the nft ruleset a file embeds — OpenWrt firewall4's test cases
 * hold what `fw4 print` writes between `-- Expect stdout --` and `-- End --`; insights-core's test
 * holds a RHEL 8 `nft list ruleset` in a Python string.
 *
 *   node test/corpus/nftables/extract-generators.mjs [--check] CLONES
 *
 * CLONES holds git clones of the repositories as OWNER+NAME/repo, OWNER+NAME or OWNER/NAME (each
 * with the pinned commit). Without --check the files are written; with it, compared (exit 1 on a
 * difference).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "generators");

const FW4 = { repo: "openwrt/firewall4", commit: "b6e5157527d361f99ad52eaa6da273cb0f2dfd59" };
const MOBY = { repo: "moby/moby", commit: "b985e2313a8676e18072b442911fc8f64f17d440" };
const MOBY_DIR = "daemon/libnetwork/drivers/bridge/internal/nftabler/testdata/TestNftabler/";
const MOBY_CASES = [
  "hairpin=false,internal=false,icc=true,masq=true,snat=false,gwm=nat,bindlh=false__ip.golden",
  "hairpin=false,internal=false,icc=true,masq=true,snat=false,gwm=nat,bindlh=false__ip6.golden",
  "hairpin=true,internal=false,icc=true,masq=true,snat=true,gwm=nat-unprotected,bindlh=true__ip.golden",
  "hairpin=false,internal=false,icc=false,masq=false,snat=false,gwm=routed,bindlh=false__ip6.golden",
];

/** The text between two markers (the first occurrence), or undefined. */
const between = (start, end) => (text) => {
  const i = text.indexOf(start);
  const j = i < 0 ? -1 : text.indexOf(end, i + start.length);
  return j < 0 ? undefined : text.slice(i + start.length, j);
};
const whole = (text) => text;
const fw4Block = between("-- Expect stdout --\n", "-- End --");

/** Each corpus file: its source and how it is cut from it. */
function sources(git) {
  const fw4Tests = git(FW4, ["ls-tree", "-r", "--name-only", FW4.commit, "tests"])
    .split("\n")
    .filter(
      (p) => /^tests\/\d\d_/.test(p) && fw4Block(git(FW4, ["show", `${FW4.commit}:${p}`])) !== undefined,
    );
  return [
    ...fw4Tests.map((path) => ({ ...FW4, path, cut: fw4Block })),
    ...MOBY_CASES.map((c) => ({ ...MOBY, path: MOBY_DIR + c, cut: whole })),
    {
      repo: "proxmox/proxmox-firewall",
      commit: "a75265939e3aa152a92961d06c26e611c731da67",
      path: "proxmox-firewall/resources/proxmox-firewall.nft",
      cut: whole,
    },
    {
      repo: "vyos/vyos-1x",
      commit: "3710c5879f5733d05aae6e156f74d62b73821b2d",
      path: "data/vyos-firewall-init.conf",
      cut: whole,
    },
    {
      repo: "RedHatInsights/insights-core",
      commit: "afd74680cfcf3df3d5e6e0a0f60b8c545454ac0b",
      path: "insights/parsers/tests/test_nftables.py",
      cut: between('NFTABLES_DETAILS = """\n', '"""'),
    },
  ];
}

/** The corpus name: OWNER_NAME__PATH with `/` as `_` (and `,`/`=` of moby's case names kept). */
export const corpusName = (repo, path) =>
  `${repo.replace("/", "_")}__${path.replace(/\//g, "_")}${/\.(nft|conf)$/.test(path) ? "" : ".nft"}`;

function main() {
  const args = process.argv.slice(2);
  const check = args.includes("--check");
  const root = args.find((a) => a !== "--check");
  if (!root) {
    console.error("usage: extract-generators.mjs [--check] CLONES");
    process.exit(2);
  }
  const dirOf = (repo) => {
    const [owner, name] = repo.split("/");
    const dir = [`${owner}+${name}/repo`, `${owner}+${name}`, `${owner}/${name}`]
      .map((d) => join(root, d))
      .find((d) => existsSync(d));
    if (!dir) throw new Error(`no clone of ${repo} under ${root}`);
    return dir;
  };
  const git = (src, gitArgs) =>
    execFileSync("git", ["-C", dirOf(src.repo), ...gitArgs], { encoding: "utf8", maxBuffer: 64 << 20 });
  let bad = 0;
  for (const s of sources(git)) {
    const text = s.cut(git(s, ["show", `${s.commit}:${s.path}`]));
    if (text === undefined) throw new Error(`${s.repo} ${s.path}: nothing to extract`);
    const file = join(OUT, corpusName(s.repo, s.path));
    if (!check) writeFileSync(file, text);
    else if (!existsSync(file) || readFileSync(file, "utf8") !== text) {
      console.error(`differs: ${file}`);
      bad++;
    }
    console.log(`${corpusName(s.repo, s.path)}\t${s.repo}\t${s.path}\t${s.commit}`);
  }
  process.exit(bad > 0 ? 1 : 0);
}

main();
