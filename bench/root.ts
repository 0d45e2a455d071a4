/**
 * `--root DIR` of the benchmarks that compare two checkouts alternately (audit-cpu.ts,
 * audit-approx.ts): the checkout whose engine and generators to load, this one by default. Returns
 * it and the arguments without the option.
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export function benchRoot(argv: readonly string[]): { root: string; args: string[] } {
  const args = [...argv];
  const at = args.indexOf("--root");
  if (at < 0) return { root: join(dirname(fileURLToPath(import.meta.url)), ".."), args };
  const root = resolve(args[at + 1]!);
  args.splice(at, 2);
  return { root, args };
}
