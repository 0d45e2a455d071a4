/**
 * Windows Firewall reader, text half: what `netsh advfirewall firewall show rule name=all verbose`
 * prints (the dump Windows admins have), optionally with `netsh advfirewall show currentprofile`
 * (or `allprofiles`) in the same file for the profile's state and default actions. The result is
 * the JSON export's model (windows-firewall.ts), so both share one conversion (windows-reader.ts).
 *
 * What the dump leaves out is read as an approximation, never as a fact:
 *  - without `verbose`, a rule's program, service, interface-type and IPsec filters are not shown:
 *    each such rule is read as matching every program;
 *  - without the profile settings (or with several profiles listed), which profile is active is
 *    unknown: a rule bound to some profiles may or may not apply, and the default actions, when
 *    the file does not say them or the profiles differ, are Windows' own, assumed.
 * netsh prints in the display language; only English is read (the PowerShell export is the same
 * in every language: README, "Exporting a Windows Firewall").
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { ALL_ADDRESSES } from "../space/address.js";
import { IntervalSet } from "../space/interval-set.js";
import { ALL_PORTS } from "../space/port.js";
import {
  addressesOf,
  icmpTypesOf,
  isIcmp,
  portsOf,
  profileApplies,
  protocolOf,
  ALL_ICMP,
  type WinFirewall,
  type WinProfile,
  type WinProfileName,
  type WinRule,
} from "./windows-firewall.js";

interface Field {
  value: string;
  line: number;
}

interface Block {
  name: string;
  line: number;
  fields: Map<string, Field>;
  /** ICMP type/code rows under `Protocol:` ("8  Any"). */
  icmp: Array<{ type: string; code: string; line: number }>;
}

interface ProfileBlock {
  name: WinProfileName;
  line: number;
  state?: Field;
  policy?: Field;
}

/** The keys netsh prints for a rule, verbose or not (English). */
const KNOWN = new Set([
  "Rule Name",
  "Description",
  "Enabled",
  "Direction",
  "Profiles",
  "Grouping",
  "LocalIP",
  "RemoteIP",
  "Protocol",
  "LocalPort",
  "RemotePort",
  "Edge traversal",
  "Program",
  "Service",
  "InterfaceTypes",
  "Security",
  "Rule source",
  "Action",
  "RemoteComputerGroup",
  "RemoteUserGroup",
  "LocalUserGroup",
]);

/** Keys only `verbose` prints, for every rule. */
const VERBOSE_ONLY = ["Rule source", "Security", "InterfaceTypes"];

const PROFILES: readonly WinProfileName[] = ["Domain", "Private", "Public"];

export function parseNetsh(
  text: string,
  file: string,
): { firewall?: WinFirewall; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const at = (line: number, col = 1): Diagnostic["at"] => ({ file, line, col });
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const blocks: Block[] = [];
  const profiles: ProfileBlock[] = [];
  let rule: Block | undefined;
  let profile: ProfileBlock | undefined;
  let afterProtocol = false;
  let skipped = 0;
  let firstSkipped = 0;
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const raw = lines[i]!.replace(/\s+$/, "");
    const line = raw.trim();
    if (
      line === "" ||
      /^-{10,}$/.test(line) ||
      line === "Ok." ||
      line === "No rules match the specified criteria."
    ) {
      if (line === "") afterProtocol = false;
      continue;
    }
    const ruleName = /^Rule Name:\s*(.*)$/.exec(line);
    if (ruleName) {
      rule = { name: ruleName[1]!, line: n, fields: new Map(), icmp: [] };
      blocks.push(rule);
      profile = undefined;
      afterProtocol = false;
      continue;
    }
    const profileHead = /^(Domain|Private|Public) Profile Settings:$/.exec(line);
    if (profileHead) {
      profile = { name: profileHead[1] as WinProfileName, line: n };
      profiles.push(profile);
      rule = undefined;
      continue;
    }
    if (rule) {
      if (afterProtocol && /^Type\s+Code$/.test(line)) continue;
      const row = afterProtocol ? /^(\d{1,3}|Any)\s+(\d{1,3}|Any)$/.exec(line) : null;
      if (row) {
        rule.icmp.push({ type: row[1]!, code: row[2]!, line: n });
        continue;
      }
      const kv = /^([A-Za-z][A-Za-z ]*?):\s*(.*)$/.exec(line);
      if (kv) {
        rule.fields.set(kv[1]!, { value: kv[2]!, line: n });
        afterProtocol = kv[1] === "Protocol";
        continue;
      }
    } else if (profile) {
      const kv = /^(\S.*?)\s{2,}(\S.*)$/.exec(line);
      if (kv) {
        if (kv[1] === "State") profile.state = { value: kv[2]!, line: n };
        else if (kv[1] === "Firewall Policy") profile.policy = { value: kv[2]!, line: n };
        continue;
      }
      if (/^[A-Za-z ]+:$/.test(line)) continue; // "Logging:"
    }
    if (skipped++ === 0) firstSkipped = n;
  }
  if (blocks.length === 0 && profiles.length === 0) {
    diagnostics.push(
      diag(
        "windows-netsh-format",
        "error",
        /^.{2,40}:\s{3,}\S/m.test(text) && /^-{40,}\s*$/m.test(text)
          ? "netsh output in another language than English: only English netsh output is read"
          : "no `Rule Name:` block: not netsh's rule listing",
        {
          at: at(1),
          expected:
            "the output of `netsh advfirewall firewall show rule name=all verbose` in English, or the PowerShell export (README: Exporting a Windows Firewall), which is the same in every language",
        },
      ),
    );
    return { diagnostics };
  }
  if (skipped > 0)
    diagnostics.push(
      diag(
        "windows-netsh-skipped",
        "warning",
        `${skipped} line${skipped === 1 ? "" : "s"} outside any rule or profile block not read (the first here)`,
        { at: at(firstSkipped), expected: "netsh's `Rule Name:` blocks and `… Profile Settings:` sections" },
      ),
    );

  const active = activeProfile(profiles, file, diagnostics);
  const rules: WinRule[] = [];
  let terse = 0;
  let firstTerse = 0;
  for (const b of blocks) {
    const r = toWinRule(b, active, file, diagnostics);
    if (r === undefined) continue;
    if (!VERBOSE_ONLY.some((k) => b.fields.has(k))) {
      if (terse++ === 0) firstTerse = b.line;
      r.approximations.push({
        construct: "not verbose",
        reason:
          "printed without `verbose`: a program, service, interface-type or IPsec filter would not show; read as matching every connection",
        line: b.line,
      });
    }
    rules.push(r);
  }
  if (terse > 0)
    diagnostics.push(
      diag(
        "windows-netsh-terse",
        "warning",
        `${terse} rule${terse === 1 ? "" : "s"} printed without \`verbose\`: their program, service, interface and IPsec filters are not in the file, so each is read as matching every connection and what it decides is uncertain`,
        { at: at(firstTerse), expected: "`netsh advfirewall firewall show rule name=all verbose`" },
      ),
    );
  return { firewall: { active: active.profile, rules }, diagnostics };
}

export interface Active {
  profile: WinProfile;
  /** The profiles that may be the active one. */
  candidates: readonly WinProfileName[];
  /** Why every rule may not apply (the firewall may be off), when it may. */
  mayBeOff?: string;
  /** Why inbound allow rules may not apply (a candidate blocks all inbound), when they may. */
  inboundMayBeIgnored?: string;
}

function activeProfile(profiles: readonly ProfileBlock[], file: string, diagnostics: Diagnostic[]): Active {
  const at = (line: number): Diagnostic["at"] => ({ file, line, col: 1 });
  if (profiles.length === 0) {
    const assumed =
      "the file holds no profile settings: which profile is active, its state and its default actions are not known; Windows' defaults (on, inbound block, outbound allow) assumed";
    diagnostics.push(
      diag("windows-profile", "warning", assumed, {
        at: at(1),
        expected: "`netsh advfirewall show currentprofile` in the same file (append it: `>>`)",
      }),
    );
    return {
      profile: {
        name: undefined,
        enabled: true,
        defaultInbound: "block",
        defaultOutbound: "allow",
        inboundRules: true,
        assumed,
        line: 1,
      },
      candidates: PROFILES,
    };
  }
  const seen = new Map<WinProfileName, ProfileBlock>();
  for (const p of profiles) seen.set(p.name, p);
  const read = [...seen.values()].map((p) => readProfile(p, file, diagnostics));
  const names = read.map((p) => p.name!);
  const line = profiles[0]!.line;
  if (read.length > 1)
    diagnostics.push(
      diag(
        "windows-profile-unknown",
        "note",
        `several profiles listed (${names.join(", ")}): which is active is not known; a rule bound to some of them, and settings they do not share, are uncertain`,
        { at: at(line), expected: "`netsh advfirewall show currentprofile` for the edge's network" },
      ),
    );
  return candidates(read, read.length === 1, line, file, diagnostics);
}

/**
 * What may apply when any of `read` may be the active profile (`known`: the only one is): the
 * settings they share exactly, the others assumed, and why a rule may not apply.
 */
export function candidates(
  read: readonly WinProfile[],
  known: boolean,
  line: number,
  file: string,
  diagnostics: Diagnostic[],
): Active {
  const at = (l: number): Diagnostic["at"] => ({ file, line: l, col: 1 });
  const names = read.map((p) => p.name!);
  const same = <T>(f: (p: WinProfile) => T): T | undefined =>
    read.every((p) => f(p) === f(read[0]!)) ? f(read[0]!) : undefined;
  const on = read.filter((p) => p.enabled);
  const out: Active = {
    profile: {
      name: known ? names[0] : undefined,
      enabled: on.length > 0,
      defaultInbound: same((p) => p.defaultInbound) ?? "block",
      defaultOutbound: same((p) => p.defaultOutbound) ?? "allow",
      inboundRules: on.some((p) => p.inboundRules),
      line,
    },
    candidates: names,
  };
  const differ: string[] = [];
  if (same((p) => p.defaultInbound) === undefined) differ.push("default inbound actions");
  if (same((p) => p.defaultOutbound) === undefined) differ.push("default outbound actions");
  if (on.length > 0 && on.length < read.length) {
    out.mayBeOff = `the firewall is off in the ${read
      .filter((p) => !p.enabled)
      .map((p) => p.name)
      .join(", ")} profile, which may be the active one: the rule may not apply`;
    differ.push("states");
  }
  if (on.some((p) => p.inboundRules) && on.some((p) => !p.inboundRules))
    out.inboundMayBeIgnored = `the ${on
      .filter((p) => !p.inboundRules)
      .map((p) => p.name)
      .join(", ")} profile blocks all inbound connections and may be the active one: the rule may not apply`;
  const assumedOnes = read.filter((p) => p.assumed !== undefined).map((p) => p.name);
  if (assumedOnes.length > 0)
    differ.push(`settings (${assumedOnes.join(", ")}: not in the input, Windows' defaults)`);
  if (differ.length > 0) {
    out.profile.assumed = `the profiles listed (${names.join(", ")}) differ in their ${differ.join(" and ")} and which is active is not known`;
    // Only one direction's default in question (states known alike): the other is exact.
    const stateUnknown =
      out.mayBeOff !== undefined ||
      read.some((p) => p.assumed !== undefined && p.assumedDirections === undefined);
    const dirs = new Set<"in" | "out">();
    if (same((p) => p.defaultInbound) === undefined) dirs.add("in");
    if (same((p) => p.defaultOutbound) === undefined) dirs.add("out");
    for (const p of read) if (p.assumed !== undefined) for (const d of p.assumedDirections ?? []) dirs.add(d);
    if (!stateUnknown && dirs.size === 1) out.profile.assumedDirections = [...dirs];
  }
  if (!out.profile.enabled)
    diagnostics.push(
      diag(
        "windows-profile-off",
        "warning",
        `the firewall is off in ${known ? `the active profile (${names[0]})` : "every profile listed"}: Windows filters nothing, every packet passes`,
        { at: at(line) },
      ),
    );
  else if (!out.profile.inboundRules)
    diagnostics.push(
      diag(
        "windows-block-all-inbound",
        "warning",
        "the profile blocks all incoming connections (BlockInboundAlways): inbound allow rules are ignored",
        { at: at(line) },
      ),
    );
  return out;
}

function readProfile(p: ProfileBlock, file: string, diagnostics: Diagnostic[]): WinProfile {
  const at = (f: Field | undefined): Diagnostic["at"] => ({ file, line: f?.line ?? p.line, col: 1 });
  const state = p.state?.value.toUpperCase();
  if (state !== undefined && state !== "ON" && state !== "OFF" && state !== "NOTCONFIGURED")
    diagnostics.push(
      diag("windows-netsh-format", "error", `profile ${p.name}: unknown State "${p.state!.value}"`, {
        at: at(p.state),
        expected: "ON, OFF or NotConfigured",
      }),
    );
  const parts = (p.policy?.value ?? "").split(",").map((s) => s.trim());
  let inbound: "allow" | "block" = "block";
  let inboundRules = true;
  let outbound: "allow" | "block" = "allow";
  for (const part of parts) {
    if (part === "BlockInbound") inbound = "block";
    else if (part === "BlockInboundAlways") {
      inbound = "block";
      inboundRules = false;
    } else if (part === "AllowInbound") inbound = "allow";
    else if (part === "AllowOutbound") outbound = "allow";
    else if (part === "BlockOutbound") outbound = "block";
    else if (part !== "NotConfigured" && part !== "")
      diagnostics.push(
        diag("windows-netsh-format", "error", `profile ${p.name}: unknown Firewall Policy "${part}"`, {
          at: at(p.policy),
          expected: "BlockInbound, BlockInboundAlways or AllowInbound, and AllowOutbound or BlockOutbound",
        }),
      );
  }
  return {
    name: p.name,
    enabled: state !== "OFF",
    defaultInbound: inbound,
    defaultOutbound: outbound,
    inboundRules,
    line: p.line,
  };
}

/**
 * Profiles: a rule of other profiles than the active one does nothing (undefined); with the active
 * one not known, why one bound to only some candidates, or in a state that may ignore it, may or
 * may not apply (`inboundAllow`: an inbound allow rule, ignored by "block all incoming").
 */
export function profileReasons(
  profiles: unknown,
  active: Active,
  inboundAllow: boolean,
): string[] | undefined {
  const inProfiles = active.candidates.filter((c) => profileApplies(profiles, c));
  if (inProfiles.length === 0) return undefined;
  const out: string[] = [];
  if (inProfiles.length < active.candidates.length)
    out.push(
      `applies only in the ${inProfiles.join(", ")} profile${inProfiles.length === 1 ? "" : "s"}, and which profile is active is not known: the rule may not apply`,
    );
  if (active.mayBeOff) out.push(active.mayBeOff);
  if (inboundAllow && active.inboundMayBeIgnored) out.push(active.inboundMayBeIgnored);
  return out;
}

const ADDRESS_KEYWORDS =
  "an address keyword (LocalSubnet, DNS, DHCP, WINS, DefaultGateway, Intranet, Internet…) depends on the machine's network; analysed as any address";

function toWinRule(b: Block, active: Active, file: string, diagnostics: Diagnostic[]): WinRule | undefined {
  const approximations: WinRule["approximations"] = [];
  const get = (k: string): Field | undefined => b.fields.get(k);
  const bad = (f: Field | undefined, what: string, expected: string): undefined => {
    diagnostics.push(
      diag("windows-netsh-format", "error", `rule "${b.name}": ${what}`, {
        at: { file, line: f?.line ?? b.line, col: 1 },
        expected,
      }),
    );
    return undefined;
  };
  const widen = (k: string, reason: string): void => {
    const f = get(k);
    approximations.push({ construct: `${k}: ${f?.value ?? ""}`.trim(), reason, line: f?.line ?? b.line });
  };
  const enabled = get("Enabled")?.value;
  if (enabled !== undefined && enabled !== "Yes" && enabled !== "No")
    return bad(get("Enabled"), `Enabled "${enabled}"`, "Yes or No");
  if (enabled === "No") return undefined;
  const direction = { In: "in", Out: "out" }[get("Direction")?.value ?? ""] as "in" | "out" | undefined;
  if (!direction) return bad(get("Direction"), `Direction "${get("Direction")?.value ?? ""}"`, "In or Out");
  const act = get("Action")?.value;
  if (act !== "Allow" && act !== "Block" && act !== "Bypass")
    return bad(get("Action"), `Action "${act ?? ""}"`, "Allow, Block or Bypass");
  const profilesText = get("Profiles")?.value ?? "Domain,Private,Public";
  const mayNot = profileReasons(profilesText, active, direction === "in" && act !== "Block");
  if (mayNot === undefined) return undefined;
  for (const why of mayNot) widen("Profiles", why);

  const protoField = get("Protocol");
  const proto = protocolOf(protoField?.value ?? "Any");
  if (!proto)
    return bad(
      protoField,
      `unknown Protocol "${protoField?.value}"`,
      "TCP, UDP, ICMPv4, ICMPv6, Any or a number 0-255",
    );
  const ports = (k: "LocalPort" | "RemotePort"): IntervalSet => {
    const f = get(k);
    if (f === undefined) return ALL_PORTS;
    const v = portsOf(f.value.split(",").map((s) => s.trim()));
    if (v !== undefined) return v;
    widen(
      k,
      "a port keyword (RPC, RPC-EPMap, IPHTTPS, Teredo, mDNS…) depends on the machine; analysed as any port",
    );
    return ALL_PORTS;
  };
  const addrs = (k: "LocalIP" | "RemoteIP"): IntervalSet => {
    const f = get(k);
    if (f === undefined) return ALL_ADDRESSES;
    const v = addressesOf(f.value.split(",").map((s) => s.trim()));
    if (v !== undefined) return v;
    widen(k, ADDRESS_KEYWORDS);
    return ALL_ADDRESSES;
  };
  let icmp: IntervalSet | undefined;
  if (isIcmp(proto) && b.icmp.length > 0) {
    icmp = icmpTypesOf(b.icmp.map((r) => (r.type === "Any" ? "Any" : `${r.type}:${r.code}`)));
    if (icmp === undefined)
      return bad(
        { value: "", line: b.icmp[0]!.line },
        "an ICMP type or code above 255",
        "ICMP types and codes 0-255 or Any",
      );
    if (icmp.equals(ALL_ICMP)) icmp = undefined;
  }
  for (const [k, why] of [
    ["Program", "limited to one program; analysed as if it matched the traffic of every program"],
    ["Service", "limited to one service; analysed as if it matched the traffic of every service"],
    [
      "InterfaceTypes",
      "limited to one kind of interface (LAN, wireless, remote access); analysed as matching every connection",
    ],
    [
      "RemoteComputerGroup",
      "limited to connections from some computers (IPsec); analysed as matching every connection",
    ],
    [
      "RemoteUserGroup",
      "limited to connections from some remote users (IPsec); analysed as matching every connection",
    ],
    ["LocalUserGroup", "limited to connections of some local users; analysed as matching every connection"],
  ] as const) {
    const v = get(k)?.value;
    if (v !== undefined && v !== "" && v !== "Any") widen(k, why);
  }
  const security = get("Security")?.value;
  const bypass = act === "Bypass";
  if (bypass || (security !== undefined && security !== "NotRequired"))
    widen(
      bypass ? "Action" : "Security",
      `holds only for IPsec-${bypass ? "authenticated connections (it overrides block rules)" : "secured connections"}; analysed as matching every connection`,
    );
  for (const k of b.fields.keys())
    if (!KNOWN.has(k)) widen(k, "a field the reader does not know; read as if it did not narrow the rule");
  return {
    name: b.name,
    displayName: b.name,
    direction,
    action: act === "Block" ? "block" : "allow",
    bypass,
    proto,
    ...(icmp ? { icmp } : {}),
    localPorts: ports("LocalPort"),
    remotePorts: ports("RemotePort"),
    localAddresses: addrs("LocalIP"),
    remoteAddresses: addrs("RemoteIP"),
    line: b.line,
    approximations,
  };
}
