/**
 * What a file is when it is not a ruleset any reader takes, though users often give it as one: a
 * firewall's status display (`iptables -L`, `ufw status`, `firewall-cmd --list-all`,
 * an ASA's `show access-list`, Junos's `show security policies`, the AWS CLI's table or text
 * output, PowerShell's `Get-NetFirewallRule | Format-Table`, the Azure CLI's table of NSG rules), or nothing at all. Asked only when sniffFormat found no format: instead of "cannot tell
 * the format", the user learns what the file is, why it is not read (a display leaves out or
 * abbreviates what decides packets), and the command whose output is read. Pure.
 */

export interface NotARuleset {
  /** What the file is, and that it is not read ("the listing `iptables -L` prints, not a ruleset"). */
  what: string;
  /** Why that is not read, when it is a display of rules. */
  why?: string;
  /** What to give instead. */
  instead: string;
  /** The line that tells (1-based). */
  line: number;
}

/** The 1-based line of the first match of `re` (multiline) in `text`, or undefined. */
function lineOf(text: string, re: RegExp): number | undefined {
  const m = re.exec(text);
  if (!m) return undefined;
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < m.index; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

const IPTABLES_SAVE = "`iptables-save > rules.v4` and `ip6tables-save > rules.v6`";

export function notARuleset(text: string): NotARuleset | undefined {
  if (text.trim() === "")
    return {
      what: "an empty file, not a ruleset",
      instead: `the ruleset itself (\`nft list ruleset > ruleset.nft\`, ${IPTABLES_SAVE}, …)`,
      line: 1,
    };
  const chain = lineOf(text, /^Chain \S+ \((policy \S+|\d+ references)/m);
  if (
    chain !== undefined &&
    /^[ \t]*(num[ \t]+)?(pkts[ \t]+bytes[ \t]+)?target[ \t]+prot[ \t]+opt[ \t]/m.test(text)
  )
    return /^[ \t]*(num[ \t]+)?pkts[ \t]+bytes[ \t]+target/m.test(text)
      ? {
          // With -v it is read (formats.ts), unless no built-in chain is in it: `iptables -L CHAIN`.
          what: "a display of user chains only (`iptables -L CHAIN`), not a ruleset",
          why: "the built-in chains that jump to them, and their policies, are not in it",
          instead: `\`iptables -L -n -v\` (every chain), or ${IPTABLES_SAVE}`,
          line: chain,
        }
      : {
          what: "the listing `iptables -L` prints without -v, not a ruleset",
          why: "it leaves out the interfaces the rules match",
          instead: `\`iptables -L -n -v\` (read, with \`-t nat\` and the other tables' after it), or ${IPTABLES_SAVE}`,
          line: chain,
        };
  const ufw = lineOf(text, /^Status: (active|inactive)\s*$/m);
  if (ufw !== undefined)
    return {
      what: "the display `ufw status` prints, not a ruleset",
      why: "it leaves out ufw's own rules (before.rules, after.rules) and its settings",
      instead:
        "the configuration: `-r /etc/ufw -r /etc/default/ufw`; on the host itself, `audit --live iptables`",
      line: ufw,
    };
  const zone = lineOf(text, /^\S+( \((active|default)[^)]*\))?[ \t]*\r?\n[ \t]+target: \S+/m);
  if (zone !== undefined && /^[ \t]+services:/m.test(text))
    return {
      what: "the display `firewall-cmd --list-all` prints, not a ruleset",
      why: "it leaves out firewalld's services' ports, its policies and what firewalld adds itself",
      instead:
        "the configuration directory: `-r /etc/firewalld`; on the host itself, `audit --live nftables`",
      line: zone,
    };
  const acl = lineOf(text, /^access-list \S+ line \d+ (extended|remark)/m);
  if (acl !== undefined)
    return {
      what: "the display `show access-list` prints, not a ruleset",
      why: "it leaves out the interfaces the lists are applied to (`access-group`), NAT and the objects' definitions",
      instead: "`show running-config`",
      line: acl,
    };
  const srx = lineOf(text, /^From zone: \S+, To zone: \S+/m);
  if (srx !== undefined)
    return {
      what: "the display `show security policies` prints, not a ruleset",
      why: "it leaves out the zones' interfaces, the address books and the applications' ports",
      instead: "`show configuration | display set`",
      line: srx,
    };
  const aws = lineOf(text, /^\|\s+DescribeSecurityGroups\s+\|/m) ?? lineOf(text, /^SECURITYGROUPS\t/m);
  if (aws !== undefined)
    return {
      what: "the AWS CLI's table or text output, not a ruleset",
      instead: "`aws ec2 describe-security-groups … --output json`",
      line: aws,
    };
  // (Its list form, Get-NetFirewallRule's default, is sniffed as Windows: its reader says the same.)
  const psRule = lineOf(text, /^[ \t]*Name[ \t]+DisplayName\b.*\bDirection[ \t]+Action\b.*\r?\n[ \t]*-{4}/m);
  if (psRule !== undefined)
    return {
      what: "the table `Get-NetFirewallRule | Format-Table` prints, not a ruleset",
      why: "a rule object holds no ports, addresses or programs (they are in its filter objects: Get-NetFirewallPortFilter, Get-NetFirewallAddressFilter, …)",
      instead:
        'the export script of the README\'s "Exporting a Windows Firewall" (firewall.json, each rule with its filters), or `netsh advfirewall export fw.wfw`',
      line: psRule,
    };
  const nsgTable = lineOf(
    text,
    /^Name[ \t]+.*\bPriority\b.*\bAccess\b.*\bDirection\b.*\r?\n-{4,}[ \t]+-{4,}/m,
  );
  if (nsgTable !== undefined)
    return {
      what: "the Azure CLI's table output of NSG rules, not a ruleset",
      why: "it leaves out the default rules, the rules' application security groups' members and the NSG's subnets and interfaces",
      instead: "`az network nsg show -g <group> -n <nsg>` (its JSON output, the default)",
      line: nsgTable,
    };
  if (text.split("\n").every((l) => /^\s*(#.*)?\r?$/.test(l)))
    return {
      what: "a file of comments only, not a ruleset",
      instead: `the ruleset itself (\`nft list ruleset > ruleset.nft\`, ${IPTABLES_SAVE}, …)`,
      line: 1,
    };
  return undefined;
}
