// Finds assertions on a measured wall-clock duration in a test's source: a comparison matcher
// (toBeLessThan and kin) whose `expect(...)` reads the real time, directly (`Date.now()`,
// `performance.now()`) or through a variable set from it. Such a test fails on a busy machine;
// timing belongs to `npm run bench`. Assertions on the injected clock or on parsed dates do not count.

const REAL_TIME = /\b(?:Date\.now|performance\.now)\s*\(\s*\)/;
const COMPARISONS =
  /^\s*\.\s*(?:not\s*\.\s*)?(toBeLessThan|toBeLessThanOrEqual|toBeGreaterThan|toBeGreaterThanOrEqual)\s*\(/;

export interface DurationAssertion {
  line: number;
  text: string;
}

/** The `expect(...)` comparisons in `source` that read the real time. */
export function durationAssertions(source: string): DurationAssertion[] {
  const code = codeOnly(source);
  const timers = new Set<string>();
  for (const m of code.matchAll(/\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*([^;\n]*)/g)) {
    const [, name, value] = m;
    if (name && value && REAL_TIME.test(value)) timers.add(name);
  }
  const found: DurationAssertion[] = [];
  for (const m of code.matchAll(/\bexpect\s*\(/g)) {
    const open = (m.index ?? 0) + m[0].length - 1;
    const close = matchingParen(code, open);
    if (close < 0) continue;
    const argument = code.slice(open + 1, close);
    const readsRealTime =
      REAL_TIME.test(argument) ||
      [...timers].some((t) => new RegExp(`(?<![\\w$.])${escape(t)}(?![\\w$])`).test(argument));
    if (!readsRealTime || !COMPARISONS.test(code.slice(close + 1))) continue;
    const line = code.slice(0, m.index).split('\n').length;
    found.push({ line, text: source.split('\n')[line - 1]?.trim() ?? '' });
  }
  return found;
}

function matchingParen(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === '(') depth++;
    else if (code[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/**
 * The source with comments and the contents of strings and regular expressions blanked out
 * (newlines kept, so line numbers hold): only code is looked at.
 */
function codeOnly(source: string): string {
  const out = [...source];
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  let i = 0;
  let previous = ''; // the last non-blank code character, to tell a regex from a division
  while (i < source.length) {
    const c = source[i] ?? '';
    const next = source[i + 1] ?? '';
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end < 0 ? source.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (
      c === "'" ||
      c === '"' ||
      c === '`' ||
      (c === '/' && (previous === '' || '(,=:[!&|?{};'.includes(previous)))
    ) {
      let k = i + 1;
      let inClass = false;
      while (k < source.length) {
        const d = source[k];
        if (d === '\\') k++;
        else if (c === '/' && d === '[') inClass = true;
        else if (c === '/' && d === ']') inClass = false;
        else if (d === c && !inClass) break;
        else if (d === '\n' && c !== '`') break;
        k++;
      }
      blank(i + 1, k);
      previous = c;
      i = k + 1;
    } else {
      if (!/\s/.test(c)) previous = c;
      i++;
    }
  }
  return out.join('');
}
