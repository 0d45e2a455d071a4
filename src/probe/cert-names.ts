/**
 * Does a server certificate carry the names the profile says it must (SfB Edge external: sip.{domain},
 * webcon.{domain}, …)? Pure. Matching follows RFC 6125 §6.4 as TLS clients do: case-insensitive, a
 * certificate wildcard `*.example.com` stands for exactly one leftmost label; a name the profile
 * itself writes as a wildcard (`*.{domain}`) must be in the certificate as that wildcard.
 */
import type { BoundTopology } from "../model/flow.js";

/** The DNS names a certificate presents: its subjectAltName DNS entries, else its subject CN. */
export function certificateDnsNames(tls: { subject: string; names: readonly string[] }): string[] {
  const sans = tls.names.filter((n) => n.startsWith("DNS:")).map((n) => n.slice(4).toLowerCase());
  if (sans.length > 0) return sans;
  const cn = /(?:^|,\s*)CN=([^,]+)/.exec(tls.subject)?.[1] ?? tls.subject;
  return cn.includes(".") ? [cn.trim().toLowerCase()] : [];
}

export function nameCovered(expected: string, presented: readonly string[]): boolean {
  const want = expected.toLowerCase();
  if (presented.includes(want)) return true;
  if (want.startsWith("*.")) return false;
  const dot = want.indexOf(".");
  if (dot <= 0) return false;
  return presented.includes(`*${want.slice(dot)}`) && want.slice(dot + 1).includes(".");
}

/** The names the certificate of endpoint `to` must carry (all its active certificates together). */
export function expectedNames(t: Pick<BoundTopology, "certificates">, to: string): string[] {
  return [...new Set(t.certificates.filter((c) => c.endpoints.includes(to)).flatMap((c) => c.names))];
}

export function missingNames(
  expected: readonly string[],
  tls: { subject: string; names: readonly string[] },
): string[] {
  const presented = certificateDnsNames(tls);
  return expected.filter((n) => !nameCovered(n, presented));
}
