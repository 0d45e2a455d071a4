/**
 * ufw's settings as ufw-init reads them: /etc/default/ufw, then ufw.conf, sourced by the shell
 * (ufw-init-functions 0.36.2, lines 23-30; later wins). Read as `KEY=value` lines; the settings
 * ufw-init uses, when not given, are the ones ufw 0.36.2 ships (said in a warning). Pure.
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import type { Origin } from "../ir/ruleset.js";

export const UFW_VERSION = "0.36.2";
export interface UfwFile {
  file: string;
  text: string;
}
/**
 * What /etc/default/ufw ships with (0.36.2), at its lines there, used for a file not given; ENABLED
 * is ufw.conf's, read as `ufw enable` sets it (it ships `no` at line 6).
 */
const SHIPPED: Record<string, [string, number]> = {
  IPV6: ["yes", 7],
  DEFAULT_INPUT_POLICY: ["DROP", 11],
  DEFAULT_OUTPUT_POLICY: ["ACCEPT", 15],
  DEFAULT_FORWARD_POLICY: ["DROP", 19],
  ENABLED: ["yes", 6],
};
const POLICIES = new Set(["ACCEPT", "DROP", "REJECT"]);
export interface Setting {
  value: string;
  origin: Origin;
  assumed: boolean;
}
export type Settings = Map<string, Setting>;

export const isYes = (v: string): boolean => v === "yes" || v === "YES";

/**
 * /etc/default/ufw then ufw.conf, as ufw-init sources them (later wins): `KEY=value` lines. Other
 * shell is refused when it names a setting ufw-init reads, else passed over with a warning.
 */
export function readSettings(byRole: Map<string, UfwFile>, first: string, out: Diagnostic[]): Settings {
  const settings: Settings = new Map();
  for (const role of ["default", "ufw.conf"]) {
    const f = byRole.get(role);
    if (!f) continue;
    for (const [i, raw] of f.text.split("\n").entries()) {
      const text = raw.replace(/\r$/, "").trim();
      if (text === "" || text.startsWith("#")) continue;
      const col = raw.length - raw.trimStart().length + 1;
      const m =
        /^([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"$`\\]*)"|'([^']*)'|([^\s"'$`\\;|&<>()]*))\s*(?:#.*)?$/.exec(text);
      const origin: Origin = { file: f.file, line: i + 1, col, text };
      if (m) {
        settings.set(m[1]!, { value: m[2] ?? m[3] ?? m[4] ?? "", origin, assumed: false });
        continue;
      }
      const named = Object.keys(SHIPPED).find((k) => text.includes(k));
      out.push(
        diag(
          named ? "ufw-unread-setting" : "ufw-shell-line",
          named ? "error" : "warning",
          named
            ? `${named} is set by shell the reader does not run`
            : "a shell line ufw-init would run when it sources this file; not read",
          { at: { file: f.file, line: i + 1, col }, expected: "KEY=value (as ufw writes its settings)" },
        ),
      );
    }
  }
  const assumed: string[] = [];
  for (const [key, [value, line]] of Object.entries(SHIPPED))
    if (!settings.has(key)) {
      assumed.push(`${key}=${value}`);
      const file = key === "ENABLED" ? "ufw.conf" : "/etc/default/ufw";
      const origin = {
        file: `${file} (ufw ${UFW_VERSION}'s default)`,
        line,
        col: 1,
        text: `${key}=${value}`,
      };
      settings.set(key, { value, origin, assumed: true });
    }
  if (assumed.length > 0)
    out.push(
      diag("ufw-defaults-assumed", "warning", `${first}: ${assumed.join(", ")} assumed (${why(assumed)})`, {
        expected: "/etc/default/ufw and ufw.conf as further -r files, to read the host's own settings",
      }),
    );
  for (const key of ["DEFAULT_INPUT_POLICY", "DEFAULT_OUTPUT_POLICY", "DEFAULT_FORWARD_POLICY"]) {
    const s = settings.get(key)!;
    if (!POLICIES.has(s.value))
      out.push(
        diag("ufw-bad-policy", "error", `${key}=${s.value}: iptables-restore refuses \`-j ${s.value}\``, {
          at: { file: s.origin.file, line: s.origin.line, col: s.origin.col },
          expected: "ACCEPT, DROP or REJECT",
        }),
      );
  }
  return settings;
}

/** Why each setting not given was assumed, as the warning says it. */
function why(assumed: readonly string[]): string {
  const enabled = assumed.some((a) => a.startsWith("ENABLED"));
  const shipped = assumed.some((a) => !a.startsWith("ENABLED"));
  return [
    enabled ? "ENABLED as `ufw enable` sets it: ufw-init aborts without ufw.conf" : "",
    shipped ? `${enabled ? "the others " : ""}as ufw ${UFW_VERSION}'s /etc/default/ufw ships them` : "",
  ]
    .filter(Boolean)
    .join("; ");
}
