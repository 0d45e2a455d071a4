/**
 * Mutations of real input files for the fuzz suite: byte flips, truncation, duplication, huge
 * numbers, prototype keys, YAML alias bombs, deep nesting, control characters. Each mutation is
 * data (fast-check shrinks it to the smallest failing one) and is applied to the seed's text.
 */
import fc from "fast-check";

export type Mutation =
  | { op: "flip"; at: number; char: string }
  | { op: "truncate"; at: number }
  | { op: "duplicate"; from: number; length: number; to: number }
  | { op: "insert"; at: number; text: string }
  | { op: "replace-word"; at: number; word: string }
  | { op: "alias-bomb" }
  | { op: "nest"; at: number; depth: number; open: "[" | "{" | "(" };

const HUGE = [
  "99999999999999999999",
  "1e308",
  "-1",
  "4294967296",
  "2147483648",
  "NaN",
  "-0",
  "0x7fffffff",
  "1.5",
  "65536",
];
const PROTO = ["__proto__", "constructor", "toString", "prototype", "hasOwnProperty", "valueOf"];
const CONTROL = ["\u0000", "\u001b[2J", "\r", "\u2028", "\u0007", "\t", "\n\n", "\ufeff", "\udc00"];
const SYNTAX = [
  "&a ",
  "*a",
  "!!binary ",
  "<<: *a",
  "? ",
  "- ",
  ": ",
  "{",
  "}",
  "[",
  "]",
  '"',
  "'",
  "#",
  ",",
  ";",
  "\\",
];

/** Any of the tokens above, or a short arbitrary string. */
const token = fc.oneof(
  fc.constantFrom(...HUGE, ...PROTO, ...CONTROL, ...SYNTAX),
  fc.string({ maxLength: 8 }),
);

export function mutationArb(length: number): fc.Arbitrary<Mutation> {
  const at = fc.nat({ max: Math.max(0, length) });
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant("flip" as const),
        at,
        char: fc.string({ minLength: 1, maxLength: 1, unit: "binary" }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("truncate" as const), at }) },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant("duplicate" as const),
        from: at,
        length: fc.nat({ max: 400 }),
        to: at,
      }),
    },
    { weight: 3, arbitrary: fc.record({ op: fc.constant("insert" as const), at, text: token }) },
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant("replace-word" as const),
        at,
        word: fc.constantFrom(...PROTO, ...HUGE),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ op: "alias-bomb" as const }) },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant("nest" as const),
        at,
        depth: fc.integer({ min: 10, max: 20_000 }),
        open: fc.constantFrom("[" as const, "{" as const, "(" as const),
      }),
    },
  );
}

/** One to four mutations of a text of this length. */
export function mutationsArb(length: number): fc.Arbitrary<Mutation[]> {
  return fc.array(mutationArb(length), { minLength: 1, maxLength: 4 });
}

const BOMB = [
  'a0: &a0 ["x","x","x","x","x","x","x","x","x"]',
  ...Array.from({ length: 8 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(",")}]`),
].join("\n");

function clamp(n: number, text: string): number {
  return Math.min(n, text.length);
}

export function applyMutation(text: string, m: Mutation): string {
  switch (m.op) {
    case "flip": {
      const i = clamp(m.at, text);
      return text.slice(0, i) + m.char + text.slice(i + 1);
    }
    case "truncate":
      return text.slice(0, clamp(m.at, text));
    case "duplicate": {
      const from = clamp(m.from, text);
      const piece = text.slice(from, from + m.length);
      const to = clamp(m.to, text);
      return text.slice(0, to) + piece + text.slice(to);
    }
    case "insert": {
      const i = clamp(m.at, text);
      return text.slice(0, i) + m.text + text.slice(i);
    }
    case "replace-word": {
      // The word (letters, digits, dashes) at or after the position.
      const re = /[A-Za-z0-9_-]+/g;
      re.lastIndex = clamp(m.at, text);
      const w = re.exec(text);
      return w ? text.slice(0, w.index) + m.word + text.slice(w.index + w[0].length) : text + m.word;
    }
    case "alias-bomb":
      return `${BOMB}\n${text}`;
    case "nest": {
      const i = clamp(m.at, text);
      const close = m.open === "[" ? "]" : m.open === "{" ? "}" : ")";
      return text.slice(0, i) + m.open.repeat(m.depth) + close.repeat(m.depth) + text.slice(i);
    }
  }
}

export function mutate(text: string, ms: readonly Mutation[]): string {
  return ms.reduce(applyMutation, text);
}
