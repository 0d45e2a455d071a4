/**
 * One ufw rules file as ufw-init's `iptables-restore -n` takes it, appended to the tables being
 * composed (src/parse/ufw.ts): `*table` … COMMIT blocks; a `:chain` line creates a chain, flushes
 * one that exists (written `-F`), sets a built-in's policy (written `-P`); other lines are copied
 * verbatim. What iptables-restore would refuse before any rule is read is an error at its line. Pure.
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import type { Origin } from "../ir/ruleset.js";
import type { UfwFile } from "./ufw-settings.js";
import { lookupTable } from "./lookup.js";

/** Where a composed line came from: a line of a file, or ufw itself (implicit, with why). */
export interface Source {
  origin: Origin;
  implicit?: string;
}

export const BUILTINS: Record<string, readonly string[]> = lookupTable({
  filter: ["INPUT", "FORWARD", "OUTPUT"],
  nat: ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
  mangle: ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
  raw: ["PREROUTING", "OUTPUT"],
  security: ["INPUT", "FORWARD", "OUTPUT"],
});

/** A table's lines so far, and the chains iptables-restore -n knows at this point. */
export interface TableState {
  lines: Array<[string, Source]>;
  chains: Set<string>;
}

/**
 * One rules file as `iptables-restore -n` takes it, appended to the tables: `*table` … COMMIT
 * blocks; `:chain` creates a chain, flushes one that exists, sets a built-in's policy.
 */
export function restoreFile(
  f: UfwFile,
  table: (name: string) => TableState,
  later: Jump[],
  out: Diagnostic[],
): void {
  let open: { name: string; state: TableState; line: number } | undefined;
  const lines = f.text.split("\n");
  const error = (line: number, col: number, message: string, expected: string): void =>
    void out.push(diag("ufw-restore", "error", message, { at: { file: f.file, line, col }, expected }));
  for (const [i, raw0] of lines.entries()) {
    const raw = raw0.replace(/\r$/, "");
    const text = raw.trim();
    const n = i + 1;
    const col = raw.length - raw.trimStart().length + 1;
    const origin: Origin = { file: f.file, line: n, col, text };
    if (text === "" || text.startsWith("#")) continue;
    if (text.startsWith("*")) {
      if (open)
        error(n, col, `table ${text.slice(1)} opened before table ${open.name}'s COMMIT`, "COMMIT first");
      const name = text.slice(1);
      if (BUILTINS[name] === undefined)
        error(n, col + 1, `unknown table ${name}`, "filter, nat, mangle, raw or security");
      open = { name, state: table(name), line: n };
      continue;
    }
    if (!open) {
      error(n, col, "line outside a table", "*filter (or another table) before chains and rules");
      continue;
    }
    if (text === "COMMIT") {
      open = undefined;
      continue;
    }
    const st = open.state;
    if (text.startsWith(":")) {
      const m = /^:(\S+)\s+(\S+)/.exec(text);
      if (!m) {
        error(n, col, "malformed chain line", ":NAME POLICY [packets:bytes]");
        continue;
      }
      const [, name, pol] = m as unknown as [string, string, string];
      const builtin = (BUILTINS[open.name] ?? []).includes(name);
      // A policy on a user chain is ignored: iptables-nft-restore (Debian 12's iptables) loads
      // `:ufw-not-local ACCEPT` as the chain alone (test/kernel/ufw-differential.test.ts).
      if (builtin) {
        if (pol !== "-") st.lines.push([`-P ${name} ${pol}`, { origin }]);
      } else if (st.chains.has(name)) st.lines.push([`-F ${name}`, { origin }]);
      else {
        st.lines.push([raw, { origin }]);
        st.chains.add(name);
      }
      continue;
    }
    const created = /^(?:-N|--new-chain)\s+(\S+)/.exec(text);
    if (created) st.chains.add(created[1]!);
    const target = /\s(?:-j|--jump|-g|--goto)\s+(\S+)/.exec(` ${text}`);
    if (target && !st.chains.has(target[1]!))
      later.push({ target: target[1]!, state: st, at: origin, file: f.file });
    st.lines.push([raw, { origin }]);
  }
  if (open)
    error(
      lines.length,
      1,
      `table ${open.name} (line ${open.line}) has no COMMIT`,
      "COMMIT at the end of each table",
    );
}

/** A jump to a chain that did not exist yet when its line was restored. */
export interface Jump {
  target: string;
  state: TableState;
  at: Origin;
  file: string;
}

/**
 * A jump to a chain only a later line or file declares: iptables-restore -n refuses the jump's
 * file then (the chain does not exist yet), whatever comes after.
 */
export function checkJumps(later: readonly Jump[], out: Diagnostic[]): void {
  for (const l of later)
    if (l.state.chains.has(l.target))
      out.push(
        diag(
          "ufw-restore",
          "error",
          `jump to ${l.target} before it exists (iptables-restore -n refuses the file)`,
          {
            at: { file: l.file, line: l.at.line, col: l.at.col },
            expected: `${l.target} declared earlier: ufw-init loads before.rules, after.rules, then user.rules`,
          },
        ),
      );
}
