/** What `portmatrix dns` does (src/cli/dns.ts registers it): are the DNS records the profile needs there, pointing at the topology's endpoints? */
import { isIP } from "node:net";
import { diag } from "../diag/diagnostic.js";
import { checkDns, type DnsOutputT } from "../dns/check.js";
import { dnsResolver } from "../live/dns.js";
import { renderDnsJunit, renderDnsText } from "../report/dns-text.js";
import { writeFilesAtomic } from "../shell/files.js";
import { loadTopology } from "../shell/load.js";
import { choice, EXIT, InputError, printDiagnostics, wholeNumber } from "./io.js";
import { type DnsOpts, FORMATS, LOCATIONS } from "./dns.js";

/** The address part of ADDRESS, ADDRESS:PORT or [IPv6]:PORT, if the whole is well formed. */
function serverProblem(s: string): string | undefined {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s) ?? /^([^:]+)(?::(\d+))?$/.exec(s);
  const address = m ? m[1]! : s;
  const port = m?.[2];
  if (isIP(address) === 0) return `"${s}" is not an IP address (with an optional port)`;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return `port ${port} is out of range`;
  return undefined;
}

export async function runDns(opts: DnsOpts): Promise<number> {
  const format = choice("--format", opts.format, FORMATS);
  const location = choice("--location", opts.location, LOCATIONS);
  const timeout = wholeNumber("--timeout", opts.timeout, 1);
  const tries = wholeNumber("--tries", opts.tries, 1);
  const bad = opts.server === undefined ? undefined : serverProblem(opts.server);
  if (bad !== undefined)
    throw new InputError([
      diag("bad-option", "error", `--server ${bad}`, {
        expected: "--server 203.0.113.53, 203.0.113.53:5353 or [2001:db8::53]:53",
      }),
    ]);
  const t = loadTopology(opts.topology);
  if (!t.ok) throw new InputError(t.diagnostics);
  const bound = t.value.bound;
  printDiagnostics(t.diagnostics);
  if (t.value.profile.profile.dns.length === 0)
    throw new InputError([
      diag("no-dns-records", "error", `${opts.topology}: profile ${bound.profileId} lists no DNS records`, {
        expected: "a topology of a profile with DNS records (the Skype for Business Edge external ones)",
      }),
    ]);
  if (bound.sipDomains.length === 0)
    throw new InputError([
      diag("no-sip-domains", "error", `${opts.topology}: names no sipDomains, so no record name is known`, {
        expected: "sipDomains: [contoso.com, …] in the topology (the default domain first)",
      }),
    ]);
  const output: DnsOutputT = await checkDns(
    bound,
    location,
    opts.server ?? "system",
    dnsResolver(opts.server, timeout, tries),
  );
  if (output.records.length === 0)
    throw new InputError([
      diag("no-dns-records", "error", `profile ${bound.profileId} lists no ${location} DNS records`, {
        expected: "--location external, internal or all",
      }),
    ]);
  const text =
    format === "json"
      ? JSON.stringify(output, null, 2) + "\n"
      : format === "junit"
        ? renderDnsJunit(output)
        : renderDnsText(output);
  if (opts.output !== undefined) writeFilesAtomic([{ path: opts.output, text }]);
  else process.stdout.write(text);
  if (output.records.every((r) => r.state === "no-answer")) {
    printDiagnostics([
      diag(
        "dns-server",
        "error",
        `the DNS server (${output.server}) answered none of the ${output.records.length} queries`,
        {
          expected: "a reachable DNS server: --server ADDRESS",
        },
      ),
    ]);
    return EXIT.environment;
  }
  return output.summary.failed === 0 ? EXIT.ok : EXIT.findings;
}
