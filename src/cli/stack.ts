/**
 * Stack traces of the bundled CLI (scripts/bundle.mjs) mapped back to the TypeScript, read only when
 * an internal error is reported: turning Node's source maps on at start-up (--enable-source-maps)
 * parses the map of every file loaded and costs ~10 ms on every run (issue 21: start-up ≤ 0.1 s).
 * A frame whose file has no readable map is left as it is, and so is one Node has mapped already
 * (--enable-source-maps): it names a .ts file.
 */
import { readFileSync } from "node:fs";
import { SourceMap, type SourceMapPayload } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** A frame's place: a file URL (ES modules) or an absolute path (the bundle, a CommonJS script). */
const FRAME = /((?:file:\/\/)?\/[^\s()]+?\.[cm]?js):(\d+):(\d+)/g;

export function mapStack(stack: string): string {
  const maps = new Map<string, SourceMap | undefined>();
  const mapOf = (file: string): SourceMap | undefined => {
    if (!maps.has(file)) {
      let map: SourceMap | undefined;
      try {
        map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, "utf8")) as SourceMapPayload);
      } catch {
        map = undefined;
      }
      maps.set(file, map);
    }
    return maps.get(file);
  };
  return stack.replace(FRAME, (frame: string, url: string, line: string, column: string) => {
    const file = url.startsWith("file:") ? fileURLToPath(url) : url;
    const hit = mapOf(file)?.findEntry(Number(line) - 1, Number(column) - 1);
    if (hit === undefined || !("originalSource" in hit)) return frame;
    return `${resolve(dirname(file), hit.originalSource)}:${hit.originalLine + 1}:${hit.originalColumn + 1}`;
  });
}
