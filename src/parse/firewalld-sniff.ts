/** Whether a text is a firewalld file, without loading the firewalld reader (start-up: issue 21). */
export const FIREWALLD_ROOTS = new Set<string>([
  "zone",
  "service",
  "ipset",
  "policy",
  "helper",
  "icmptype",
  "direct",
]);

/** One of firewalld's XML objects (by its root element), or firewalld.conf (by its keys). */
export function looksLikeFirewalld(text: string): boolean {
  const head = text.replace(/^\uFEFF/, "").trimStart();
  if (head.startsWith("<")) {
    const m = /^(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<([a-z-]+)[\s>/]/.exec(head);
    return m !== null && FIREWALLD_ROOTS.has(m[1]!);
  }
  return /^(DefaultZone|FirewallBackend|IPv6_rpfilter)=/m.test(text);
}
