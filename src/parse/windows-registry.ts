/**
 * Windows Firewall as the registry holds it (format `windows-registry`): a `.reg` export of
 * `HKLM\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy` (regedit or `reg
 * export`, UTF-16 as they write it) or of a GPO's `HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall`.
 * Each value under a `FirewallRules` key is a rule in MS-GPFAS's grammar (2.2.2.19, "Firewall Rule
 * and the Firewall Rule Grammar Rule"): `v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|
 * Profile=Domain|LPort=443|RA4=10.0.0.0/8|App=…|Name=…|`, fields repeated for lists. The profile
 * keys (DomainProfile, StandardProfile = Private, PublicProfile) hold EnableFirewall,
 * DefaultInboundAction (1 block, 0 allow), DefaultOutboundAction and DoNotAllowExceptions (1: block
 * all incoming). The registry does not say which profile is active: any may be (netsh's listing
 * with several profiles, windows-netsh.ts `candidates`). A GPO's settings win over the local ones.
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { readPolicyFile } from "./preg.js";
import { readHive } from "./regf.js";
import { candidates, profileReasons } from "./windows-netsh.js";
import {
  recordRule,
  type WinFirewall,
  type WinProfile,
  type WinProfileName,
  type WinRule,
} from "./windows-firewall.js";

interface Value {
  name: string;
  /** A REG_SZ's text, or a REG_DWORD's number; undefined for other types (not used). */
  data: string | number | undefined;
  line: number;
}

interface Key {
  path: string;
  line: number;
  values: Value[];
}

/** Where a .wfw's root key sits in the registry (the local store's FirewallPolicy). */
const HIVE_ROOT =
  "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy";

const PROFILE_KEYS: Record<string, WinProfileName> = {
  domainprofile: "Domain",
  standardprofile: "Private",
  privateprofile: "Private",
  publicprofile: "Public",
};

/** Rule fields that name nothing a packet carries (texts, origin, platform). */
const NARROWS_NOTHING = new Set([
  "Name",
  "Desc",
  "EmbedCtxt",
  "Edge",
  "Defer",
  "Platform",
  "Platform2",
  "LSM",
  "PCross",
  "LUOwn",
  "TTK",
  "TTK2_22",
  "TTK2_27",
  "TTK2_28",
  "NNm",
  "SecurityRealmId",
  "Rule",
]);

/** The `.reg` file's keys and their values (REG_SZ and REG_DWORD; other types have no rule data). */
function regKeys(text: string): { keys: Key[]; problems: Array<{ line: number; message: string }> } {
  const keys: Key[] = [];
  const problems: Array<{ line: number; message: string }> = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  let key: Key | undefined;
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    let line = lines[i]!;
    if (line.trim() === "" || line.startsWith(";")) continue;
    const head = /^\[(-?)(.+)\]\s*$/.exec(line.trim());
    if (head) {
      key = head[1] === "-" ? undefined : { path: head[2]!, line: n, values: [] };
      if (key) keys.push(key);
      continue;
    }
    // Hex data wraps over lines ending in a backslash.
    while (line.endsWith("\\") && i + 1 < lines.length && !/^"/.test(line.trim()))
      line = line.slice(0, -1) + lines[++i]!.trim();
    while (/=hex(\([0-9a-f]+\))?:.*\\$/i.test(line) && i + 1 < lines.length)
      line = line.slice(0, -1) + lines[++i]!.trim();
    const m = /^\s*(?:"((?:[^"\\]|\\.)*)"|@)\s*=\s*(.*)$/.exec(line);
    if (!m) {
      if (key !== undefined && !/^(Windows Registry Editor Version|REGEDIT4)/.test(line))
        problems.push({ line: n, message: "a line that is no registry value" });
      continue;
    }
    if (key === undefined) continue;
    const name = (m[1] ?? "").replace(/\\(.)/g, "$1");
    const raw = m[2]!.trim();
    let data: string | number | undefined;
    const str = /^"((?:[^"\\]|\\.)*)"$/.exec(raw);
    const dword = /^dword:([0-9a-fA-F]{1,8})$/.exec(raw);
    if (str) data = str[1]!.replace(/\\(.)/g, "$1");
    else if (dword) data = parseInt(dword[1]!, 16);
    key.values.push({ name, data, line: n });
  }
  return { keys, problems };
}

export function parseWindowsRegistry(
  text: string,
  file: string,
): { firewall?: WinFirewall; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const at = (line: number): Diagnostic["at"] => ({ file, line, col: 1 });
  let keys: Key[];
  let problems: Array<{ line: number; message: string }> = [];
  if (text.startsWith("regf")) {
    // `netsh advfirewall export`'s .wfw: a hive whose root is the FirewallPolicy key (its bytes
    // arrive one per character: shell/files.ts decodeText). Positions are line 1 (a binary file).
    const hive = readHive(Buffer.from(text, "latin1"));
    if ("error" in hive) {
      diagnostics.push(
        diag("windows-registry", "error", `${hive.error} (byte ${hive.offset})`, {
          at: at(1),
          expected: "the .wfw file `netsh advfirewall export` writes, whole",
        }),
      );
      return { diagnostics };
    }
    keys = hive.keys.map((k) => ({
      path: `${HIVE_ROOT}${k.path.slice(k.path.split("\\")[0]!.length)}`,
      line: 1,
      values: k.values.map((v) => ({ name: v.name, data: v.data, line: 1 })),
    }));
  } else if (text.startsWith("PReg")) {
    // A GPO's Registry.pol (parse/preg.ts), bytes one per character as for a hive: its keys are
    // relative to HKLM (a computer's policy). Positions are line 1 (a binary file).
    const pol = readPolicyFile(Buffer.from(text, "latin1"));
    if ("error" in pol) {
      diagnostics.push(
        diag("windows-registry", "error", `Registry.pol: ${pol.error} (byte ${pol.offset})`, {
          at: at(1),
          expected: "a GPO's Machine\\Registry.pol, whole (MS-GPREG)",
        }),
      );
      return { diagnostics };
    }
    keys = pol.keys.map((k) => ({
      path: `HKEY_LOCAL_MACHINE\\${k.path}`,
      line: 1,
      values: k.values.map((v) => ({ name: v.name, data: v.data, line: 1 })),
    }));
  } else if (!/^\uFEFF?\s*(Windows Registry Editor Version 5\.00|REGEDIT4)/.test(text)) {
    diagnostics.push(
      diag(
        "windows-registry",
        "error",
        "not a registry export (no `Windows Registry Editor Version 5.00` line)",
        {
          at: at(1),
          expected:
            "`reg export HKLM\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy fw.reg`",
        },
      ),
    );
    return { diagnostics };
  } else ({ keys, problems } = regKeys(text));
  for (const p of problems.slice(0, 1))
    diagnostics.push(
      diag(
        "windows-registry-skipped",
        "warning",
        `${problems.length === 1 ? "1 line that is" : `${problems.length} lines that are`} no registry value, not read (the first here)`,
        {
          at: at(p.line),
        },
      ),
    );
  const lower = (k: Key): string => k.path.toLowerCase();
  const isGpo = (k: Key): boolean => lower(k).includes("\\policies\\microsoft\\windowsfirewall");
  const isLocal = (k: Key): boolean => lower(k).includes("\\sharedaccess\\parameters\\firewallpolicy");
  const ruleKeys = keys.filter((k) => (isGpo(k) || isLocal(k)) && /\\firewallrules$/i.test(k.path));
  const restricted = keys.filter((k) => /\\restrictedservices\\/i.test(k.path) && k.values.length > 0);
  const hive = text.startsWith("regf");
  const policyFile = text.startsWith("PReg");
  if (ruleKeys.length === 0 && hive)
    // A .wfw is the whole policy: no FirewallRules key is a policy of no rules.
    diagnostics.push(
      diag(
        "windows-registry-skipped",
        "note",
        "the exported policy holds no rules: the profiles' defaults decide every packet",
        {
          at: at(1),
        },
      ),
    );
  else if (ruleKeys.length === 0) {
    diagnostics.push(
      diag(
        "windows-registry",
        "error",
        keys.some((k) => Object.hasOwn(PROFILE_KEYS, k.path.split("\\").pop()!.toLowerCase()))
          ? "no FirewallRules key in the export: it holds profile settings only, not the rules they apply to"
          : "no FirewallRules key in the export",
        {
          at: at(1),
          expected: policyFile
            ? "a GPO that sets firewall rules; one of profile settings only applies beside each computer's own rules: export those where it applies (`reg export HKLM\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy fw.reg`, with the GPO's key)"
            : "an export of …\\SharedAccess\\Parameters\\FirewallPolicy (or a GPO's …\\Policies\\Microsoft\\WindowsFirewall)",
        },
      ),
    );
    return { diagnostics };
  }
  if (restricted.length > 0)
    diagnostics.push(
      diag(
        "windows-registry-skipped",
        "note",
        "Windows service hardening rules (RestrictedServices) are not read: they bind services to their own ports and change no verdict for the ports a service listens on",
        { at: at(restricted[0]!.line) },
      ),
    );

  // The profiles' settings: the local ones, then a GPO's where it sets them.
  const settings = new Map<WinProfileName, { values: Map<string, number>; line: number }>();
  for (const k of [...keys.filter(isLocal), ...keys.filter(isGpo)]) {
    const last = k.path.split("\\").pop()!.toLowerCase();
    const name = Object.hasOwn(PROFILE_KEYS, last) ? PROFILE_KEYS[last] : undefined;
    if (name === undefined) continue;
    const s = settings.get(name) ?? { values: new Map<string, number>(), line: k.line };
    for (const v of k.values) if (typeof v.data === "number") s.values.set(v.name, v.data);
    s.line = k.line;
    settings.set(name, s);
  }
  const read: WinProfile[] = (["Domain", "Private", "Public"] as const).map((name) => {
    const s = settings.get(name);
    const v = (k: string): number | undefined => s?.values.get(k);
    const p: WinProfile = {
      name,
      enabled: v("EnableFirewall") !== 0,
      defaultInbound: v("DefaultInboundAction") === 0 ? "allow" : "block",
      defaultOutbound: v("DefaultOutboundAction") === 1 ? "block" : "allow",
      inboundRules: v("DoNotAllowExceptions") !== 1,
      line: s?.line ?? 1,
    };
    if (s === undefined) p.assumed = `no ${name} profile key in the export: Windows' defaults assumed`;
    return p;
  });
  if (settings.size === 0)
    diagnostics.push(
      diag(
        "windows-profile",
        "warning",
        "the export holds no profile keys: the profiles' states and default actions are Windows' defaults, assumed",
        {
          at: at(1),
          expected:
            "the whole FirewallPolicy key exported (its DomainProfile, StandardProfile and PublicProfile subkeys)",
        },
      ),
    );
  const active = candidates(read, false, [...settings.values()][0]?.line ?? 1, file, diagnostics);

  const rules: WinRule[] = [];
  // A GPO with AllowLocalPolicyMerge 0 ignores the local store's rules in its profile.
  const noMerge = (["Domain", "Private", "Public"] as const).filter((name) =>
    keys.some(
      (k) =>
        isGpo(k) &&
        PROFILE_KEYS[k.path.split("\\").pop()!.toLowerCase()] === name &&
        k.values.some((v) => v.name === "AllowLocalPolicyMerge" && v.data === 0),
    ),
  );
  if (noMerge.length === 3)
    diagnostics.push(
      diag(
        "windows-registry-skipped",
        "note",
        "the GPO ignores local rules in every profile (AllowLocalPolicyMerge 0): the local store's rules are not read",
        {
          at: at(1),
        },
      ),
    );
  for (const k of ruleKeys)
    for (const v of k.values) {
      if (typeof v.data !== "string") continue;
      const local = isLocal(k);
      if (local && noMerge.length === 3) continue;
      const rule = ruleOf(v, active, diagnostics, file);
      if (rule && local && noMerge.length > 0)
        rule.approximations.push({
          construct: "AllowLocalPolicyMerge=0",
          reason: `the GPO ignores local rules in the ${noMerge.join(", ")} profile${noMerge.length === 1 ? "" : "s"}, which may be the active one: the rule may not apply`,
          line: v.line,
        });
      if (rule) rules.push(rule);
    }
  if (diagnostics.some((d) => d.severity === "error")) return { diagnostics };
  return { firewall: { active: active.profile, rules }, diagnostics };
}

/** One rule string (MS-GPFAS 2.2.2.19) as the export's record, then a WinRule. */
function ruleOf(
  v: Value,
  active: ReturnType<typeof candidates>,
  diagnostics: Diagnostic[],
  file: string,
): WinRule | undefined {
  const text = v.data as string;
  const bad = (message: string): undefined => {
    diagnostics.push(
      diag("windows-registry", "error", `rule "${v.name}": ${message}`, {
        at: { file, line: v.line, col: 1 },
        expected: "a rule string of MS-GPFAS's grammar (v2.x|Action=…|Dir=…|…|)",
      }),
    );
    return undefined;
  };
  const parts = text.split("|");
  if (!/^v2\.\d+$/.test(parts[0] ?? "")) return bad(`"${text.slice(0, 40)}" is not a rule string`);
  const fields = new Map<string, string[]>();
  for (const part of parts.slice(1)) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq <= 0) return bad(`field "${part}" without a value`);
    const k = part.slice(0, eq);
    fields.set(k, [...(fields.get(k) ?? []), part.slice(eq + 1)]);
  }
  const one = (k: string): string | undefined => fields.get(k)?.[0];
  if (one("Active") === "FALSE") return undefined;
  const dir = one("Dir");
  const action = one("Action");
  if (dir !== "In" && dir !== "Out") return bad(`Dir "${dir ?? ""}"`);
  if (action !== "Allow" && action !== "Block" && action !== "ByPass") return bad(`Action "${action ?? ""}"`);
  const profiles = fields.get("Profile");
  const mayNot = profileReasons(
    profiles ? profiles.join(",") : "Any",
    active,
    dir === "In" && action !== "Block",
  );
  if (mayNot === undefined) return undefined;
  // Addresses: a rule naming only IPv4 (LA4) addresses matches no IPv6 local address, and so on.
  const addresses = (v4: string, v6: string): string[] | undefined => {
    const list = [...(fields.get(v4) ?? []), ...(fields.get(v6) ?? [])];
    if (list.length === 0) return undefined;
    return list.map((a) => (a === "*" ? "Any" : a));
  };
  const icmp = [...(fields.get("ICMP4") ?? []), ...(fields.get("ICMP6") ?? [])].map((t) => {
    const [type, code] = t.split(":");
    return type === "*" ? "Any" : code === undefined || code === "*" ? type! : `${type}:${code}`;
  });
  const record: Record<string, unknown> = Object.assign(Object.create(null) as Record<string, unknown>, {
    Name: v.name,
    DisplayName: one("Name") ?? v.name,
    Direction: dir === "In" ? "Inbound" : "Outbound",
    Action: action === "Block" ? "Block" : "Allow",
    Protocol: one("Protocol") ?? "Any",
    LocalPort: [
      ...(fields.get("LPort") ?? []),
      ...(fields.get("LPort2_10") ?? []),
      ...(fields.get("LPort2_20") ?? []),
    ],
    RemotePort: [...(fields.get("RPort") ?? []), ...(fields.get("RPort2_10") ?? [])],
    LocalAddress: addresses("LA4", "LA6") ?? ["Any"],
    RemoteAddress: addresses("RA4", "RA6") ?? ["Any"],
    IcmpType: icmp.length > 0 ? icmp : "Any",
  });
  if ((record.LocalPort as string[]).length === 0) record.LocalPort = ["Any"];
  if ((record.RemotePort as string[]).length === 0) record.RemotePort = ["Any"];
  if (action === "ByPass") record.OverrideBlockRules = "True";
  const also: Record<string, string> = {
    App: "Program",
    Svc: "Service",
    IFType: "InterfaceType",
    IF: "InterfaceAlias",
    RMauth: "RemoteMachine",
    RUAuth: "RemoteUser",
    LUAuth: "LocalUser",
    AppPkgId: "Package",
    Security: "Authentication",
    Security2: "Authentication",
    Security2_9: "Authentication",
  };
  for (const [f, to] of Object.entries(also)) if (fields.has(f)) record[to] = fields.get(f)!.join(",");
  const known = new Set([
    "Action",
    "Active",
    "Dir",
    "Protocol",
    "Profile",
    "LPort",
    "LPort2_10",
    "LPort2_20",
    "RPort",
    "RPort2_10",
    "LA4",
    "LA6",
    "RA4",
    "RA6",
    "ICMP4",
    "ICMP6",
    ...Object.keys(also),
    ...NARROWS_NOTHING,
  ]);
  const rule = recordRule(record, {
    lineOf: () => v.line,
    problem: (message) => void bad(message),
    fallbackName: v.name,
  });
  if (!rule) return undefined;
  for (const why of mayNot)
    rule.approximations.push({
      construct: `Profile=${(profiles ?? ["Any"]).join(",")}`,
      reason: why,
      line: v.line,
    });
  for (const k of fields.keys())
    if (!known.has(k))
      rule.approximations.push({
        construct: `${k}=${fields.get(k)!.join(",")}`,
        reason: "a field the reader does not know; read as if it did not narrow the rule",
        line: v.line,
      });
  return rule;
}
