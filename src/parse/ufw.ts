/**
 * ufw reader: an Ubuntu/Debian ufw configuration (`/etc/ufw`: before.rules, user.rules,
 * after.rules and their *6 twins, ufw.conf; `/etc/default/ufw` beside it) read as the iptables and
 * ip6tables rulesets ufw 0.36.2 loads at boot. ufw_start in /lib/ufw/ufw-init-functions (0.36.2)
 * does, per family: the primary ufw-* chains and INPUT/OUTPUT/FORWARD's six jumps each, the
 * reject and track chains from DEFAULT_*_POLICY, the logging-deny/-allow and skip-to-policy
 * chains, then `iptables-restore -n` of before.rules, after.rules, (user chains) user.rules, the
 * three hooks into ufw-user-*, and the built-in policies last (REJECT becomes DROP). With IPV6 not
 * yes, ip6tables gets DROP policies and loopback accepts only; with ENABLED not yes, nothing.
 *
 * `-n` keeps what is loaded; a `:chain` line of an existing chain flushes it, of a built-in sets its
 * policy. That is written as one iptables-save text per family (-F and -P where a file re-declares)
 * and read with the iptables-save reader; each rule's origin is the file line it comes from (copied
 * verbatim, so columns hold) and ufw's own rules are `implicit`, their origin the setting or the
 * ufw-init-functions line behind them. A file ufw-init would fail to restore is an error at its
 * line. before.init/after.init (scripts, run only when executable) are not read. Pure.
 */
import { diag, hasErrors, type Diagnostic } from "../diag/diagnostic.js";
import type { Origin, Ruleset, Table } from "../ir/ruleset.js";
import { readIp6tablesSave, readIptablesSave } from "./iptables-save.js";
import type { ParsedRuleset } from "./reader.js";
import { checkJumps, restoreFile, type Jump, type Source, type TableState, BUILTINS } from "./ufw-restore.js";
import { isYes, readSettings, type Settings, type UfwFile } from "./ufw-settings.js";

export { UFW_VERSION, type UfwFile } from "./ufw-settings.js";

/** The script whose lines ufw's own rules cite (ufw 0.36.2, Debian 12: md5 3d7b906e…). */
const INIT = "/lib/ufw/ufw-init-functions";
const HOOKS = ["input", "output", "forward"] as const;
const USER_CHAINS = [
  "input",
  "output",
  "forward",
  "logging-input",
  "logging-output",
  "logging-forward",
  "limit",
  "limit-accept",
];
const HOOK_CHAIN = { input: "INPUT", output: "OUTPUT", forward: "FORWARD" } as const;

/**
 * The file of each role, by its name as /etc/ufw and /etc/default hold them; a settings file under
 * another name by what it sets (/etc/default/ufw sets the policies, ufw.conf ENABLED).
 */
function roleOf(file: string, text: string): string | undefined {
  const base = file.split(/[\\/]/).pop() ?? file;
  if (/^(before|user|after)6?\.rules$/.test(base) || base === "ufw.conf") return base;
  if (base === "before.init" || base === "after.init") return "init";
  if (base === "ufw" || /^\s*DEFAULT_(INPUT|OUTPUT|FORWARD)_POLICY=/m.test(text)) return "default";
  if (/^\s*ENABLED=/m.test(text)) return "ufw.conf";
  return undefined;
}

/** One file read alone (`--ruleset-format ufw`): ufw's shipped settings around it. */
export function readUfwFile(text: string, file: string): ParsedRuleset {
  return readUfw([{ file, text }]);
}

export function readUfw(files: readonly UfwFile[]): ParsedRuleset {
  const { first, byRole, settings, diagnostics } = prepare(files);
  if (settings === undefined) return { ruleset: openRuleset(first), diagnostics };
  const enabled = settings.get("ENABLED")!;
  if (!isYes(enabled.value)) return { ruleset: openRuleset(first, enabled.origin), diagnostics };
  const composed = ([4, 6] as const).map((family) => ({
    family,
    g: compose(family, byRole, settings, diagnostics),
  }));
  // What ufw-init could not load is said at its line already: the text composed around it would
  // only say it again, without a line (an unknown table's header is no line of the files).
  if (hasErrors(diagnostics)) return { ruleset: openRuleset(first), diagnostics };
  const tables: Table[] = composed.flatMap(({ family, g }) => readComposed(family, g, diagnostics));
  if (hasErrors(diagnostics)) return { ruleset: openRuleset(first), diagnostics };
  return { ruleset: { ...openRuleset(first), tables }, diagnostics };
}

/**
 * What ufw-init loads for these files, as iptables-restore input per family (what readUfw reads;
 * `lab --ruleset` loads it): none when ufw is not enabled, or the errors.
 */
export function ufwAsIptables(files: readonly UfwFile[]): {
  texts: Array<{ family: 4 | 6; text: string }>;
  diagnostics: Diagnostic[];
} {
  const read = readUfw(files);
  if (hasErrors(read.diagnostics)) return { texts: [], diagnostics: read.diagnostics };
  const { byRole, settings } = prepare(files);
  if (settings === undefined || !isYes(settings.get("ENABLED")!.value))
    return { texts: [], diagnostics: read.diagnostics };
  const texts = ([4, 6] as const).map((family) => ({
    family,
    text: compose(family, byRole, settings, []).lines.join("\n") + "\n",
  }));
  return { texts, diagnostics: read.diagnostics };
}

/** The files by role and the settings (undefined when they have errors), with what was said of them. */
function prepare(files: readonly UfwFile[]): {
  first: string;
  byRole: Map<string, UfwFile>;
  settings: Settings | undefined;
  diagnostics: Diagnostic[];
} {
  // The ruleset is named by its directory (where its rules files are), as `-r /etc/ufw` gave it.
  const rules = files.find((f) => /(^|[\\/])((before|user|after)6?\.rules|ufw\.conf)$/.test(f.file));
  const first = rules ? rules.file.replace(/[\\/][^\\/]*$/, "") || rules.file : (files[0]?.file ?? "ufw");
  const diagnostics: Diagnostic[] = [];
  const byRole = new Map<string, UfwFile>();
  for (const f of files) {
    const role = roleOf(f.file, f.text);
    if (role === undefined)
      diagnostics.push(
        diag("ufw-unknown-file", "warning", `${f.file}: not a file ufw-init loads; not read`, {
          at: { file: f.file, line: 1, col: 1 },
          expected:
            "before.rules, user.rules, after.rules (and *6), ufw.conf, /etc/default/ufw (before.init/after.init scripts are not read)",
        }),
      );
    else if (role === "init")
      // The shell passes these only when executable: ufw-init then runs them around its rules.
      diagnostics.push(
        diag(
          "ufw-init-script",
          "warning",
          `${f.file}: executable, so ufw-init runs it at start; what it does is not read`,
          {
            at: { file: f.file, line: 1, col: 1 },
            expected:
              "the rules it loads audited from the running host (audit --live iptables), or the script not executable (ufw ships it 640)",
          },
        ),
      );
    else if (byRole.has(role))
      diagnostics.push(
        diag(
          "ufw-duplicate-file",
          "error",
          `${f.file}: a second ${role} (${byRole.get(role)!.file} is one)`,
          {
            at: { file: f.file, line: 1, col: 1 },
            expected: "one ufw configuration: one directory, and its /etc/default/ufw",
          },
        ),
      );
    else byRole.set(role, f);
  }
  const settings = readSettings(byRole, first, diagnostics);
  if (hasErrors(diagnostics)) return { first, byRole, settings: undefined, diagnostics };
  const enabled = settings.get("ENABLED")!;
  if (!isYes(enabled.value))
    diagnostics.push(
      diag(
        "ufw-disabled",
        "warning",
        `ufw is not enabled (ENABLED=${enabled.value}): ufw-init loads no rules at boot, every packet passes`,
        {
          at: { file: enabled.origin.file, line: enabled.origin.line, col: enabled.origin.col },
          expected: "ENABLED=yes in ufw.conf for ufw to load its rules (ufw enable)",
        },
      ),
    );
  return { first, byRole, settings, diagnostics };
}

function openRuleset(source: string, why?: Origin): Ruleset {
  const tables: Table[] = [];
  if (why)
    for (const family of ["ip", "ip6"] as const)
      tables.push({
        family,
        name: "filter",
        chains: HOOKS.map((h) => ({
          name: HOOK_CHAIN[h],
          rules: [],
          origin: { ...why },
          base: { hook: h, priority: 0, type: "filter", policy: "accept" },
        })),
      });
  return { format: "ufw", source, semantics: "first-match", stateful: false, tables };
}

/** One family's iptables-save text, with where each of its lines came from. */
interface Composed {
  lines: string[];
  sources: Array<Source | undefined>;
  file: string;
}

function compose(
  family: 4 | 6,
  byRole: Map<string, UfwFile>,
  settings: Settings,
  out: Diagnostic[],
): Composed {
  const t = family === 6 ? "6" : "";
  const p = `ufw${t}`;
  const tables = new Map<string, TableState>();
  const table = (name: string): TableState => {
    let s = tables.get(name);
    if (!s) tables.set(name, (s = { lines: [], chains: new Set(BUILTINS[name] ?? []) }));
    return s;
  };
  const filter = table("filter");
  const later: Jump[] = [];
  const init = (line: number, text: string, why: string): Source => ({
    origin: { file: INIT, line, col: 1, text },
    implicit: `ufw-init's own rule: ${why}`,
  });
  const emit = (text: string, src: Source): void => void filter.lines.push([text, src]);
  const setting = (key: string, why: string): Source => {
    const s = settings.get(key)!;
    return { origin: { ...s.origin }, implicit: `ufw-init's own rule: ${why} (${key}=${s.value})` };
  };
  const ipv6 = settings.get("IPV6")!;
  if (family === 6 && !isYes(ipv6.value)) {
    // ufw_start, IPv6 off but in the kernel: DROP policies, loopback only (lines 147-153).
    const off = setting("IPV6", "IPv6 disabled: DROP policies and loopback accepted");
    for (const c of ["INPUT", "FORWARD", "OUTPUT"]) emit(`:${c} DROP [0:0]`, off);
    emit("-A INPUT -i lo -j ACCEPT", off);
    emit("-A OUTPUT -o lo -j ACCEPT", off);
    return render(family, tables);
  }
  // The built-ins, their policy set last (lines 379-383; REJECT set as DROP): the chain's origin is the setting.
  for (const h of ["input", "forward", "output"] as const)
    emit(`:${HOOK_CHAIN[h]} ACCEPT [0:0]`, setting(`DEFAULT_${h.toUpperCase()}_POLICY`, "built-in policy"));
  // The primary chains and the built-ins' jumps (lines 176-216), in ufw-init's order.
  const primary = ["before-logging", "before", "after", "after-logging", "reject", "track"];
  for (const [i, stage] of primary.entries())
    for (const [j, h] of HOOKS.entries()) {
      const name = `${p}-${stage}-${h}`;
      emit(`:${name} - [0:0]`, init(178 + i * 3 + j, `:${name}`, "primary chain"));
      filter.chains.add(name);
    }
  for (const h of HOOKS)
    for (const [i, stage] of primary.entries()) {
      const line = { input: 197, output: 204, forward: 211 }[h] + i;
      const text = `-A ${HOOK_CHAIN[h]} -j ${p}-${stage}-${h}`;
      emit(text, init(line, text, "dispatch to its primary chains"));
    }
  const policy = (h: (typeof HOOKS)[number]): string =>
    settings.get(`DEFAULT_${h.toUpperCase()}_POLICY`)!.value;
  for (const h of HOOKS)
    if (policy(h) === "REJECT")
      emit(`-A ${p}-reject-${h} -j REJECT`, setting(`DEFAULT_${h.toUpperCase()}_POLICY`, "reject policy"));
  for (const h of HOOKS)
    if (policy(h) === "ACCEPT")
      for (const proto of ["tcp", "udp"])
        emit(
          `-A ${p}-track-${h} -p ${proto} -m conntrack --ctstate NEW -j ACCEPT`,
          setting(`DEFAULT_${h.toUpperCase()}_POLICY`, "connection tracking of the accept policy"),
        );
  for (const [i, c] of ["logging-deny", "logging-allow"].entries()) {
    emit(`:${p}-${c} - [0:0]`, init(262 + i, `:${p}-${c}`, "logging chain"));
    filter.chains.add(`${p}-${c}`);
  }
  for (const [i, h] of HOOKS.entries()) {
    emit(
      `:${p}-skip-to-policy-${h} - [0:0]`,
      init(270 + i, `:${p}-skip-to-policy-${h}`, "skip-to-policy chain"),
    );
    filter.chains.add(`${p}-skip-to-policy-${h}`);
  }
  for (const h of HOOKS)
    emit(
      `-A ${p}-skip-to-policy-${h} -j ${policy(h)}`,
      setting(`DEFAULT_${h.toUpperCase()}_POLICY`, "skip-to-policy"),
    );
  const restore = (role: string): boolean => {
    const f = byRole.get(`${role}${t}.rules`);
    if (!f || f.text.length === 0) {
      out.push(
        diag(
          "ufw-missing-rules",
          "warning",
          `${role}${t}.rules not given: ufw-init reports it missing and loads the others`,
          {
            expected: `/etc/ufw/${role}${t}.rules (ufw ships one)`,
          },
        ),
      );
      return false;
    }
    restoreFile(f, table, later, out);
    return true;
  };
  restore("before");
  restore("after");
  const user = byRole.get(`user${t}.rules`);
  if (user && user.text.length > 0) {
    // Made unless ufw-user-input exists (lines 315-326); restore -n flushes one that does.
    if (!filter.chains.has(`${p}-user-input`))
      for (const [i, c] of USER_CHAINS.entries()) {
        const name = `${p}-user-${c}`;
        const src = init(317 + i, `:${name}`, "user chain");
        if (filter.chains.has(name)) emit(`-F ${name}`, src);
        else emit(`:${name} - [0:0]`, src);
        filter.chains.add(name);
      }
    restore("user");
    for (const [i, h] of HOOKS.entries()) {
      const text = `-A ${p}-before-${h} -j ${p}-user-${h}`;
      emit(text, init(350 + i, text, "hook of the user rules, after before.rules' own"));
    }
  } else restore("user");
  for (const [i, h] of (["input", "forward", "output"] as const).entries()) {
    const pol = policy(h) === "REJECT" ? "DROP" : policy(h);
    emit(`-P ${HOOK_CHAIN[h]} ${pol}`, init(380 + i, `:${HOOK_CHAIN[h]} ${pol}`, "built-in policy"));
  }
  checkJumps(later, out);
  return render(family, tables);
}

function render(family: 4 | 6, tables: Map<string, TableState>): Composed {
  const lines: string[] = [];
  const sources: Array<Source | undefined> = [];
  const put = (text: string, src?: Source): void => void (lines.push(text), sources.push(src));
  for (const [name, st] of tables) {
    put(`*${name}`);
    for (const [text, src] of st.lines) put(text, src);
    put("COMMIT");
  }
  return { lines, sources, file: family === 6 ? "ufw (ip6tables-restore).v6" : "ufw (iptables-restore).v4" };
}

/** The composed text read as iptables-save; origins and diagnostics put back on the files' lines. */
function readComposed(family: 4 | 6, g: Composed, out: Diagnostic[]): Table[] {
  const read = family === 6 ? readIp6tablesSave : readIptablesSave;
  const parsed = read(g.lines.join("\n") + "\n", g.file);
  const where = (line: number): Source | undefined => g.sources[line - 1];
  const exe = family === 6 ? "ip6tables" : "iptables";
  for (const d of parsed.diagnostics) {
    if (d.code === "iptables-family-assumed") continue;
    if (d.at?.file === g.file) {
      const s = where(d.at.line);
      if (s) d.at = { file: s.origin.file, line: s.origin.line, col: s.implicit ? 1 : d.at.col };
      else delete d.at;
    }
    if (d.code === "iptables-unknown-chain")
      d.expected = "a chain declared in a file ufw loads before this line, or one of ufw-init's own chains";
    if (d.code === "iptables-family") {
      d.message = `${d.message.split(" contradicts")[0]}: ufw loads this file with ${exe}-restore`;
      d.expected = `IPv${family} rules only (${family === 6 ? "IPv4 rules go in before/user/after.rules" : "IPv6 rules go in before6/user6/after6.rules"})`;
    }
    out.push(d);
  }
  for (const t of parsed.ruleset.tables)
    for (const c of t.chains) {
      const cs = where(c.origin.line);
      if (cs) c.origin = { ...cs.origin };
      for (const r of c.rules) {
        const s = where(r.origin.line);
        if (!s) continue;
        r.origin = { ...s.origin, col: s.implicit ? s.origin.col : r.origin.col, text: r.origin.text };
        if (s.implicit !== undefined) r.implicit = s.implicit;
        for (const a of r.approximations) a.origin = { ...r.origin };
      }
    }
  return parsed.ruleset.tables;
}
