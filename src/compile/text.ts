/**
 * The one place where free text (profile titles, protocols, endpoint names, notes … — everything a
 * shared profile or topology file says in words) and interface names enter a generated ruleset.
 * A profile is a shared file: its text must never be able to add, end or comment out a rule. Every
 * target renders text through its escaper here, each written for that target's grammar:
 * unsafe characters (src/diag/safe-text.ts) removed, quotes and escapes of the target's string
 * syntax neutralised, lengths cut to what the target keeps. Interface names are not escaped but
 * checked: a name a target's grammar cannot carry as written is refused (compile-unsupported),
 * never rewritten into another interface. Pure.
 */
import { diag, type Diagnostic } from "../diag/diagnostic.js";
import { oneLine, truncateUtf8 } from "../diag/safe-text.js";
import type { Plan } from "./plan.js";

/**
 * The text of a `#` (or `!`, `//`) comment line: one line, and no backslash at its end — pf.conf
 * joins a line ending in `\` with the next one (pf.conf(5): "lines can be continued with a
 * backslash"), which would comment out the rule below.
 */
export function commentText(s: string): string {
  return oneLine(s).replace(/[\s\\]+$/, "");
}

/**
 * nftables quoted string (comments): nft's scanner ends a quoted string at the next `"` and has no
 * escape for it; a backslash before `*` escapes the wildcard, so backslashes go too. nft keeps at
 * most 128 bytes of comment (NFT_USERDATA_MAXLEN; "comment too long" beyond).
 */
export function nftString(s: string): string {
  return `"${truncateUtf8(oneLine(s).replace(/"/g, "'").replace(/\\/g, "/"), 128)}"`;
}

/**
 * iptables-restore argument in double quotes (`--comment`): iptables-restore's tokenizer treats `"`
 * as quote and `\` as escape, so both are replaced; the comment match keeps 255 bytes
 * (XT_MAX_COMMENT_LEN 256 with its NUL).
 */
export function iptablesString(s: string): string {
  return `"${truncateUtf8(oneLine(s).replace(/["\\]/g, "'"), 255)}"`;
}

/**
 * PowerShell single-quoted string: the only escape is a doubled quote, and PowerShell counts the
 * typographic single quotes U+2018–U+201B as quotes too (about_Quoting_Rules), so all of them are
 * written as a doubled ASCII quote. One line (a literal newline would be kept in the value).
 */
export function psString(s: string): string {
  return `'${oneLine(s).replace(/['\u2018\u2019\u201a\u201b]/g, "''")}'`;
}

/**
 * Cisco ASA CLI text (remarks, `!` lines): printable ASCII only (dashes kept as `-`), and no `?`,
 * which the CLI answers with context help even inside a pasted line.
 */
export function asaText(s: string): string {
  return oneLine(s)
    .replace(/[\u2010-\u2015]/g, "-")
    .replace(/[^\x20-\x7e]|\?/g, "_")
    .trim();
}

/**
 * The text of ASA `access-list … remark` lines: each takes up to 100 characters (Cisco ASA
 * Command Reference, access-list remark), so a longer text is wrapped at spaces over several.
 */
export function asaRemarks(s: string, max = 100): string[] {
  const out: string[] = [];
  let rest = asaText(s);
  while (rest.length > max) {
    const cut = rest.lastIndexOf(" ", max);
    const at = cut > 0 ? cut : max;
    out.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest.length > 0 || out.length === 0) out.push(rest);
  return out;
}

/**
 * AWS security group (rule) descriptions: the EC2 API takes only `a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*`
 * and 255 characters (EC2 API Reference, IpRange.Description / CreateSecurityGroup).
 */
export function awsDescription(s: string): string {
  return oneLine(s)
    .replace(/[^A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]/g, "-")
    .slice(0, 255);
}

/**
 * Terraform (HCL) quoted string: JSON's escapes are HCL's, plus `${` and `%{` open template
 * interpolation and directives — written `$${` and `%%{` (Terraform: Strings and Templates).
 */
export function hclString(s: string): string {
  // A replacer function: in a replacement string `$$` would itself mean one `$`.
  return JSON.stringify(oneLine(s)).replace(/([$%])\{/g, (_, c: string) => `${c}${c}{`);
}

/**
 * A string value of an ARM template: a value starting with `[` is evaluated as a template
 * expression unless written `[[` (ARM template syntax: "Escape characters"). NSG rule
 * descriptions keep 140 characters.
 */
export function armString(s: string, max = Infinity): string {
  const text = oneLine(s);
  const escaped = text.startsWith("[") ? `[${text}` : text;
  // Cut by characters, not UTF-16 units: half a surrogate pair is not text.
  return [...escaped].slice(0, max).join("");
}

/**
 * FortiOS CLI double-quoted string (names, comments): inside quotes the CLI takes `\"` for a quote
 * and `\\` for a backslash (FortiOS CLI Reference, "Special characters"); `?` asks the CLI for
 * help even inside quotes, so it becomes `_`. Cut to `max` characters before escaping: object
 * names keep 79, policy comments 1023 (FortiOS CLI Reference, firewall address / policy).
 */
export function fortiosString(s: string, max: number): string {
  const text = [...oneLine(s).replace(/\?/g, "_")].slice(0, max).join("");
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** What a target can carry as an interface name (the zones' `interface`), and how to say so. */
export interface InterfaceGrammar {
  valid: (name: string) => boolean;
  expected: string;
}

/**
 * Letters, digits, `_ . -` (and `@` where allowed), starting with a letter or digit: every name
 * a kernel driver, a VLAN (`eth0.100`) or an ASA nameif uses, and nothing a target reads as an
 * operator, a wildcard or an option.
 */
export const plainInterface = (extra = ""): InterfaceGrammar => {
  const re = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_.${extra}-]*$`);
  return {
    valid: (n) => re.test(n),
    expected: `an interface name of letters, digits, "_", "."${extra ? `, "${extra}"` : ""} and "-", starting with a letter or digit`,
  };
};

/** One compile-unsupported diagnostic per zone whose interface name the target cannot carry. */
export function refuseInterfaces(target: string, plan: Plan, grammar: InterfaceGrammar): Diagnostic[] {
  const fw = plan.firewall;
  const host = fw.kind === "host" ? (fw.interfaces ?? []) : [];
  return [
    ...plan.zones
      .filter((z) => !grammar.valid(z.interface))
      .map((z) =>
        diag(
          "compile-unsupported",
          "error",
          `target ${target} cannot name interface ${JSON.stringify(z.interface)} of zone ${z.name} in its rules as written`,
          { expected: grammar.expected, at: z.at },
        ),
      ),
    ...host
      .filter((i) => !grammar.valid(i.name))
      .map((i) =>
        diag(
          "compile-unsupported",
          "error",
          `target ${target} cannot name interface ${JSON.stringify(i.name)} of host ${fw.kind === "host" ? fw.host : ""} in its rules as written`,
          { expected: grammar.expected, ...(i.at ? { at: i.at } : {}) },
        ),
      ),
  ];
}

/**
 * Junos quoted string (`description "…"`): one line, `"` and `\` escaped with a backslash (Junos
 * CLI: "a string containing spaces is enclosed in quotation marks"; a backslash escapes the next
 * character); descriptions keep at most 900 characters — cut before escaping, so an escape is
 * never split from its character.
 */
export function junosString(s: string, max = 900): string {
  const text = [...oneLine(s)].slice(0, max).join("");
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * A Junos object name (address-book entry, application, policy, zone): letters, digits, `.`, `_`
 * and `-`, at most 63 characters; anything else becomes `-`.
 */
export function junosName(s: string): string {
  return oneLine(s)
    .replace(/[^A-Za-z0-9._-]/g, "-")
    .slice(0, 63);
}

/**
 * PAN-OS CLI quoted string (rule descriptions): the `set` CLI ends a quoted string at the next `"`
 * and has no escape for it, and answers `?` with context help even inside a pasted line; so quotes
 * become `'`, backslashes `/`, `?` `_`, and only printable ASCII stays. Descriptions keep 1023
 * characters (PAN-OS XML API schema: description maxlen 1023).
 */
export function panosString(s: string): string {
  return `"${asaText(s).replace(/"/g, "'").replace(/\\/g, "/").slice(0, 1023)}"`;
}

/**
 * A PAN-OS object or rule name: letters, digits, `.`, `_`, `-` and spaces, starting with a letter
 * or digit, at most 63 characters (zones: 31). Anything else becomes `_`; spaces become `_` too so
 * the name is one CLI word.
 */
export function panosName(s: string, max = 63): string {
  const name = oneLine(s)
    .replace(/[^A-Za-z0-9._-]/g, "_")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, max);
  return name === "" ? "pm" : name;
}

/**
 * Object names unique within one kind (PAN-OS, FortiOS): a second use of a name gets a numeric
 * suffix, cut so the name stays within `max` characters of the vendor's name grammar.
 */
export class UniqueNames {
  private readonly used = new Set<string>();
  take(base: string, max = 63): string {
    let name = panosName(base, max);
    for (let i = 2; this.used.has(name); i++) name = `${panosName(base, max - String(i).length - 1)}-${i}`;
    this.used.add(name);
    return name;
  }
}
