// The deployed functions run without --enable-source-maps (loading the map cost every cold start
// 15-45 ms), so a logged stack names positions in the minified bundle: index.mjs or one of its chunks.
// This maps them back with the maps that ship beside them.
import { SourceMap, type SourceMapPayload } from 'node:module';

/**
 * `file:///var/task/index.mjs:1:23456` or `…/var/task/chunks/csv-import-AB12CD34.mjs:1:99`, as a stack
 * frame of a deployed function writes it; the file is captured relative to the bundle's directory.
 */
const BUNDLE_POSITION = /(?:file:\/\/)?(?:[^\s()]*?\/)?((?:chunks\/)?[^\s()/:]+\.mjs):(\d+):(\d+)/g;
const HAS_BUNDLE_POSITION = /\.mjs:\d+:\d+/;

/** The map of a bundle file (`index.mjs`, `chunks/x.mjs`), or undefined when there is none. */
export type MapOfFile = (file: string) => SourceMapPayload | undefined;

/**
 * `stack` with every position in the bundle replaced by the source file, line and column it came from.
 * Positions no map covers are left as they are.
 */
export function mapStackTrace(stack: string, mapOf: MapOfFile): string {
  const maps = new Map<string, SourceMap | undefined>();
  const mapFor = (file: string): SourceMap | undefined => {
    if (!maps.has(file)) {
      const payload = mapOf(file);
      maps.set(file, payload ? new SourceMap(payload) : undefined);
    }
    return maps.get(file);
  };
  return stack.replace(BUNDLE_POSITION, (position, file: string, line: string, column: string) => {
    // Stack positions count from 1; the map's entries from 0.
    const entry = mapFor(file)?.findEntry(Number(line) - 1, Number(column) - 1) as
      | Partial<{ originalSource: string; originalLine: number; originalColumn: number }>
      | undefined;
    if (entry?.originalSource === undefined || entry.originalLine === undefined) return position;
    const source = entry.originalSource.replace(/^(?:webpack:\/\/\/?|file:\/\/)?(?:\.\.\/)*/, '');
    return `${source}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
  });
}

/** The stacks in a log record: Powertools Logger writes an error as `{ …, "stack": "…" }`. */
export function stacksIn(text: string): string[] {
  try {
    const found: string[] = [];
    const walk = (value: unknown): void => {
      if (typeof value === 'string' && HAS_BUNDLE_POSITION.test(value)) found.push(value);
      if (value && typeof value === 'object') for (const v of Object.values(value)) walk(v);
    };
    walk(JSON.parse(text));
    return found;
  } catch {
    return [text];
  }
}
