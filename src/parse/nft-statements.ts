/**
 * nft's text syntax as statements, whatever the layout: `nft list ruleset` prints one statement per
 * line, but hand-written files (/etc/nftables.conf) put `chain input { type filter hook input
 * priority 0; policy drop;` on one line, separate rules with `;`, end lines with `# comments`, and
 * break long anonymous sets over several lines. Each statement keeps the line and column it starts
 * at. Pure.
 */

export interface Statement {
  /** 1-based line of the statement's first character. */
  line: number;
  /** 0-based offset of that character in its line. */
  offset: number;
  text: string;
}

/**
 * A `{` after these opens a block (table, chain, set …), not an anonymous set; so does one after
 * `jump`/`goto` (a chain binding: an anonymous chain whose rules follow).
 */
const BLOCK =
  /^(table(\s+\S+){1,2}|(chain|set|map|flowtable|counter|quota|limit|secmark|synproxy|tunnel)\s+\S+|ct\s+(helper|timeout|expectation)\s+\S+)$/;

export function nftStatements(text: string): Statement[] {
  const out: Statement[] = [];
  let cur = "";
  let start: { line: number; offset: number } | undefined;
  let depth = 0; // anonymous-set braces open in the current statement
  const flush = (): void => {
    const t = cur.trim();
    if (t !== "" && start) out.push({ ...start, text: t });
    cur = "";
    start = undefined;
    depth = 0;
  };
  text.split("\n").forEach((raw, i) => {
    let line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    // `\` at the end of a line continues the statement on the next one (nft's scanner). (Lines
    // without a `\` skip the patterns: V8 compiles each on its first use, issue 21.)
    const continued = line.includes("\\") && /\\\s*$/.test(line.replace(/#.*$/, "")) && !/^\s*#/.test(line);
    if (continued) line = line.replace(/\\\s*$/, "");
    let quote = false;
    for (let k = 0; k < line.length; k++) {
      const c = line[k]!;
      if (!quote && c === "#") break;
      if (start === undefined) {
        if (c === " " || c === "\t") continue;
        start = { line: i + 1, offset: k };
      }
      if (c === '"') quote = !quote;
      if (quote) {
        cur += c;
        continue;
      }
      if (c === "{") {
        const t = cur.trim();
        if (
          depth === 0 &&
          (BLOCK.test(t) || ((t.endsWith("jump") || t.endsWith("goto")) && /\b(jump|goto)$/.test(t)))
        ) {
          cur = cur.trimEnd() + " {";
          flush();
          continue;
        }
        depth++;
      } else if (c === "}") {
        if (depth === 0) {
          flush();
          start = { line: i + 1, offset: k };
          cur = "}";
          flush();
          continue;
        }
        depth--;
      } else if (
        c === ";" &&
        depth === 0 &&
        !(cur.trim().startsWith("type") && /^type\s/.test(cur.trim()) && /^;\s*policy\b/.test(line.slice(k)))
      ) {
        // A base chain's header stays one statement with its policy, as nft prints it.
        cur += ";";
        flush();
        continue;
      }
      cur += c;
    }
    // A statement ends with its line unless an anonymous set is still open or the line continues.
    if (depth === 0 && !continued) flush();
    else cur += " ";
  });
  flush();
  return out;
}
