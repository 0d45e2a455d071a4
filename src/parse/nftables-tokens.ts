/** Tokens of one nft rule line: quoted strings, braces, commas, semicolons, words (with columns). */
import type { Token } from "./terms.js";

export function tokenizeNft(line: string): Token[] {
  const out: Token[] = [];
  // `!=x` / `==x` (an operator written against its value) are two tokens, as nft's scanner reads them.
  const re = /"([^"]*)"|[{},;]|!=|==|[^\s{},;"]+/g;
  for (let m = re.exec(line); m; m = re.exec(line))
    out.push(m[1] !== undefined ? { text: m[1], col: m.index, quoted: true } : { text: m[0], col: m.index });
  return out;
}
