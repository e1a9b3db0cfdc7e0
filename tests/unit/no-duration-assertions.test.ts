import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { durationAssertions } from '#tests/support/duration-assertions.ts';

const testsDir = fileURLToPath(new URL('..', import.meta.url));
const testFiles = readdirSync(testsDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.ts'))
  .sort();

describe('no test asserts a wall-clock duration', () => {
  it('finds the test files it checks', () => {
    expect(testFiles).toContain(join('unit', 'no-duration-assertions.test.ts'));
    expect(testFiles.filter((f) => f.startsWith('integration'))).not.toEqual([]);
  });

  it('in any test file (timing belongs to npm run bench)', () => {
    const offenders = testFiles.flatMap((file) =>
      durationAssertions(readFileSync(join(testsDir, file), 'utf8')).map(
        (a) => `${file}:${a.line}: ${a.text}`,
      ),
    );
    expect(offenders).toEqual([]);
  });
});

describe('durationAssertions', () => {
  it('finds a measured duration compared, through a variable or directly', () => {
    const source = [
      'const started = Date.now();',
      'const first = await send(message);',
      'expect(Date.now() - started).toBeLessThan(550);',
      'const t0 = performance.now();',
      'await work();',
      'expect(performance.now() - t0, "fast enough").toBeLessThanOrEqual(100);',
      'const elapsed = Date.now() - begin;',
      'expect(elapsed).toBeLessThan(1_000);',
      'expect(',
      '  Date.now() - started,',
      ').not.toBeGreaterThan(300);',
    ].join('\n');
    expect(durationAssertions(source).map((a) => a.line)).toEqual([3, 6, 8, 9]);
  });

  it('leaves the injected clock, parsed dates, sizes and real time used as data alone', () => {
    const source = [
      '// expect(Date.now() - started).toBeLessThan(550) was the old way',
      'expect(Date.parse(moved) - Date.parse(saturday)).toBeLessThan(60_000);',
      'expect(clock.now().getTime() - start.getTime()).toBeLessThan(HOUR);',
      'expect(size).toBeLessThanOrEqual(400 * 1024);',
      'const later = new Date(Date.now() + 3_600_000);',
      'expect(await enqueued({ notBefore: later })).toBe(true);',
      "const url = 'http://localhost:3000'; // a comment after code",
      'expect(Date.now()).toBeDefined();',
      'const startedAt = Date.now();',
      'expect(startedAtText).toBeLessThan(3);',
    ].join('\n');
    expect(durationAssertions(source)).toEqual([]);
  });
});
