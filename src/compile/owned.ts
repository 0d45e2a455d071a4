/**
 * What `portmatrix apply` owns in a live kernel, and the restore-input text that turns the owned
 * part from one state into another. Pure: the shell (shell/kernel-firewall.ts) reads the kernel
 * and runs the text this module writes.
 *
 * nftables: the one table `inet portmatrix` (what `compile --target nftables` defines). A
 * transition is "create it, delete it, define it anew" in one `nft -f` file, so it is atomic and
 * touches no other table.
 *
 * iptables (each family's `filter` table): the user chains `portmatrix-input`, `portmatrix-forward`,
 * `portmatrix-output`, and one jump rule into each from its built-in chain (INPUT, FORWARD,
 * OUTPUT), inserted first. Never the built-in chains' policies, never another rule. The compiled
 * whole-table file (DROP policies, ACCEPT rules) is rewritten so that a packet the matrix allows
 * RETURNs to the built-in chain — the rest of that chain (other tools' rules) and its policy still
 * judge it — and everything else is dropped at the end of our chain: as with an nftables table of
 * its own, a packet must pass portmatrix *and* whatever else is there. A built-in chain whose
 * compiled policy is ACCEPT (a perimeter's own OUTPUT) gets no chain and no jump.
 *
 * firewalld (its configuration directory, /etc/firewalld): the zone and policy files `compile
 * --target firewalld` names for compile.name N — zones/N.xml, zones/N-in<k>.xml and a perimeter's
 * zones/N-z<k>.xml, policies/N_out.xml, policies/N-out<k>.xml and a perimeter's policies/N-p<i>-<j>.xml
 * — and nothing else; firewalld's own files and other zones stay. A
 * transition writes the wanted files, deletes owned files no longer wanted, and reloads firewalld
 * (shell/firewalld-host.ts). A file of such a name that compile did not write (firewalldWrittenByUs)
 * is not owned: apply refuses to replace it. The zone binds every source, so while it is loaded it decides every
 * packet that reaches a zone: firewalld's other zones no longer apply (the flow comparison says
 * what that changes before the load).
 *
 * ufw: its user rules, ufw.conf and /etc/default/ufw whole (UFW_OWNED: what ufw's commands
 * change). apply runs the compiled ufw commands, which add to the rules there; a restore writes the
 * four files back and reloads ufw (shell/ufw-host.ts).
 */

export const NFT_TABLE = "inet portmatrix";
export const IPT_CHAIN_PREFIX = "portmatrix-";
const BUILTINS = ["INPUT", "FORWARD", "OUTPUT"] as const;
type Builtin = (typeof BUILTINS)[number];

/** The nftables table as `nft list table inet portmatrix` prints it; undefined when absent. */
export type NftOwned = string | undefined;

/** One family's owned part of the iptables filter table, as iptables-save prints it. */
export interface IptOwned {
  /** Our chains in save order, each with its `-A` lines as printed. */
  chains: Array<{ name: string; rules: string[] }>;
  /** Jump rules into our chains from built-in chains: the save line and its 1-based position there. */
  jumps: Array<{ builtin: string; target: string; line: string; position: number }>;
}

export const EMPTY_IPT: IptOwned = { chains: [], jumps: [] };

const ownChain = (name: string) => name.startsWith(IPT_CHAIN_PREFIX);

/** The owned part of one `iptables-save -t filter` output (other tables' sections are ignored). */
export function iptOwnedFromSave(save: string): IptOwned {
  const chains = new Map<string, string[]>();
  const jumps: IptOwned["jumps"] = [];
  const position = new Map<string, number>();
  let inFilter = false;
  for (const raw of save.split("\n")) {
    const line = raw.trimEnd();
    if (line.startsWith("*")) inFilter = line === "*filter";
    if (!inFilter) continue;
    const chainDecl = /^:(\S+) /.exec(line);
    if (chainDecl && ownChain(chainDecl[1]!)) chains.set(chainDecl[1]!, []);
    const rule = /^-A (\S+) (.*)$/.exec(line);
    if (!rule) continue;
    const chain = rule[1]!;
    const pos = (position.get(chain) ?? 0) + 1;
    position.set(chain, pos);
    if (ownChain(chain)) chains.get(chain)?.push(line);
    const target = / -j (\S+)(?: |$)/.exec(line)?.[1];
    if (target !== undefined && ownChain(target) && !ownChain(chain))
      jumps.push({ builtin: chain, target, line, position: pos });
  }
  return { chains: [...chains].map(([name, rules]) => ({ name, rules })), jumps };
}

/**
 * The owned form of a compiled whole-table file (`compile --target iptables`): per built-in chain
 * with a DROP policy, our chain with the compiled rules (ACCEPT → RETURN) and a final DROP.
 */
export function iptOwnedFromCompiled(compiled: string): IptOwned {
  const drop = new Set<Builtin>();
  const rules = new Map<Builtin, string[]>();
  for (const line of compiled.split("\n")) {
    const policy = /^:(INPUT|FORWARD|OUTPUT) (DROP|ACCEPT) /.exec(line);
    if (policy && policy[2] === "DROP") drop.add(policy[1] as Builtin);
    const rule = /^-A (INPUT|FORWARD|OUTPUT) (.*)$/.exec(line);
    if (!rule) continue;
    const b = rule[1] as Builtin;
    const body = rule[2]!.replace(/ -j ACCEPT$/, " -j RETURN");
    rules.set(b, [...(rules.get(b) ?? []), `-A ${ownName(b)} ${body}`]);
  }
  const used = BUILTINS.filter((b) => drop.has(b));
  return {
    chains: used.map((b) => ({
      name: ownName(b),
      rules: [
        ...(rules.get(b) ?? []),
        `-A ${ownName(b)} -m comment --comment "portmatrix: default deny" -j DROP`,
      ],
    })),
    jumps: used.map((b) => ({
      builtin: b,
      target: ownName(b),
      line: `-A ${b} -m comment --comment portmatrix -j ${ownName(b)}`,
      position: 1,
    })),
  };
}

function ownName(b: Builtin): string {
  return `${IPT_CHAIN_PREFIX}${b.toLowerCase()}`;
}

/**
 * iptables-restore --noflush input that turns the owned part `from` (what runs now) into `to`.
 * Declaring a chain creates it or, when it exists, flushes it; jumps that exist in both stay where
 * they are (an admin may have moved them); jumps to add go to their recorded position; chains no
 * longer wanted lose their jumps first, then are flushed and deleted. One table, one COMMIT: atomic.
 */
export function iptTransition(from: IptOwned, to: IptOwned, header: string): string {
  const key = (j: { builtin: string; target: string }) => `${j.builtin} ${j.target}`;
  const keep = new Set(to.jumps.map(key));
  const have = new Set(from.jumps.map(key));
  const wanted = new Set(to.chains.map((c) => c.name));
  const out = [`# ${header}`, "*filter"];
  for (const c of to.chains) out.push(`:${c.name} - [0:0]`);
  for (const j of from.jumps) if (!keep.has(key(j))) out.push(j.line.replace(/^-A /, "-D "));
  for (const c of from.chains) if (!wanted.has(c.name)) out.push(`-F ${c.name}`, `-X ${c.name}`);
  for (const c of to.chains) out.push(...c.rules);
  for (const j of [...to.jumps].sort((a, b) => a.position - b.position))
    if (!have.has(key(j))) out.push(j.line.replace(/^-A (\S+) /, `-I $1 ${j.position} `));
  out.push("COMMIT");
  return out.join("\n") + "\n";
}

/** `nft -f` input that makes `inet portmatrix` what `to` is (absent: removed). */
export function nftTransition(to: NftOwned, header: string): string {
  const out = [`# ${header}`, `table ${NFT_TABLE}`, `delete table ${NFT_TABLE}`];
  if (to !== undefined) out.push(to.trimEnd());
  return out.join("\n") + "\n";
}

/** firewalld's owned files: path under the configuration directory (`zones/N.xml`) → text. */
export type FirewalldFiles = Record<string, string>;

/** Whether `rel` (`zones/x.xml`, `policies/y.xml`) is a file `compile --target firewalld` names for `name`. */
export function firewalldOwnedFile(name: string, rel: string): boolean {
  const n = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^(zones/${n}(-in\\d+|-z\\d+)?|policies/${n}(_out|-out\\d+|-p\\d+-\\d+))\\.xml$`).test(
    rel,
  );
}

/**
 * Whether a zone or policy file's text is one `compile --target firewalld` wrote: its description
 * ends in "(portmatrix compile)". A file of an owned name without it (a zone of the admin's that
 * happens to share compile.name) is not portmatrix's, and apply neither replaces nor deletes it.
 */
export function firewalldWrittenByUs(text: string): boolean {
  return /<description>[^<]*\(portmatrix compile\)<\/description>/.test(text);
}

/** The owned files of a compiled firewalld directory (its files' suffixes are `/zones/…`, `/policies/…`). */
export function firewalldOwnedFromCompiled(
  files: ReadonlyArray<{ suffix: string; text: string }>,
): FirewalldFiles {
  return Object.fromEntries(files.map((f) => [f.suffix.replace(/^\//, ""), f.text]));
}

/** The owned part as lines, for showing what an apply changed (iptables lines carry their family). */
/**
 * ufw: what its commands change, by path — the user rules (`ufw allow`), ufw.conf (`ufw enable`,
 * `ufw logging`) and /etc/default/ufw (`ufw default`); null when absent. apply owns these whole
 * (the script adds to the rules an admin already has, and a restore puts every one back).
 */
export type UfwFiles = Record<string, string | null>;
export const UFW_OWNED = [
  "/etc/ufw/user.rules",
  "/etc/ufw/user6.rules",
  "/etc/ufw/ufw.conf",
  "/etc/default/ufw",
] as const;

/** The lines of ufw's owned files that decide something: rules, policies, whether it is on. */
function ufwLines(files: UfwFiles): string[] {
  return Object.keys(files)
    .sort()
    .flatMap((path) =>
      (files[path] ?? "")
        .split("\n")
        .filter((l) => /^(-A |### tuple ###|\s*(DEFAULT_\w+_POLICY|ENABLED|IPV6|LOGLEVEL)\s*=)/.test(l))
        .map((l) => `${path}: ${l.trim()}`),
    );
}

export function ownedLines(
  state:
    | { nft: NftOwned }
    | { v4: IptOwned; v6: IptOwned }
    | { target: "ufw"; files: UfwFiles }
    | { files: FirewalldFiles },
): string[] {
  if ("target" in state && state.target === "ufw") return ufwLines(state.files);
  if ("files" in state)
    return Object.keys(state.files)
      .sort()
      .flatMap((rel) =>
        state.files[rel]!.split("\n")
          .filter((l) => l.trim() !== "")
          .map((l) => `${rel}: ${l}`),
      );
  if ("nft" in state) return (state.nft ?? "").split("\n").filter((l) => l.trim() !== "");
  return (["v4", "v6"] as const).flatMap((fam) => [
    ...state[fam].jumps.map((j) => `${fam}: ${j.line}`),
    ...state[fam].chains.flatMap((c) => [`${fam}: :${c.name}`, ...c.rules.map((r) => `${fam}: ${r}`)]),
  ]);
}
