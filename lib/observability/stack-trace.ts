// The deployed functions run without --enable-source-maps (loading the map cost every cold start
// 15-45 ms), so a logged stack names positions in the minified bundle. This maps them back with the
// map that ships beside the bundle.
import { SourceMap, type SourceMapPayload } from 'node:module';

/** `file:///var/task/index.mjs:1:23456`, as a stack frame of a deployed function writes it. */
const BUNDLE_POSITION = /(?:file:\/\/)?(?:[^\s()]*\/)?index\.mjs:(\d+):(\d+)/g;
const HAS_BUNDLE_POSITION = /index\.mjs:\d+:\d+/;

/**
 * `stack` with every position in the bundle replaced by the source file, line and column it came from.
 * Positions the map does not cover are left as they are.
 */
export function mapStackTrace(stack: string, payload: SourceMapPayload): string {
  const map = new SourceMap(payload);
  return stack.replace(BUNDLE_POSITION, (position, line: string, column: string) => {
    // Stack positions count from 1; the map's entries from 0.
    const entry = map.findEntry(Number(line) - 1, Number(column) - 1) as Partial<{
      originalSource: string;
      originalLine: number;
      originalColumn: number;
    }>;
    if (entry.originalSource === undefined || entry.originalLine === undefined) return position;
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
