/**
 * Keyword tables (protocol names, port names, selectors …) that readers index with words from the
 * file: without a prototype, `PROTOCOLS["constructor"]` is undefined (an unknown word, reported)
 * instead of Object's constructor (which crashed the iptables, Windows and ASA readers).
 */
export function lookupTable<V>(entries: Record<string, V>): Record<string, V> {
  return Object.assign(Object.create(null) as Record<string, V>, entries);
}
