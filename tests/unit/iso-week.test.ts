import { describe, expect, it } from 'vitest';
import { isoWeekOf, isoWeekPartsOf, localDateInShanghai } from '#lib/domain/iso-week.ts';

// Expected weeks checked against GNU date: `date -u -d 2027-01-01 +%G-W%V`.
describe('isoWeekOf (Asia/Shanghai)', () => {
  it.each([
    ['a Wednesday in late November', '2026-11-25T02:00:00Z', '2026-W48'],
    ['Sunday 23:30 in Shanghai ends the week', '2026-11-29T15:30:00Z', '2026-W48'],
    ['Monday 00:10 in Shanghai starts the next', '2026-11-29T16:10:00Z', '2026-W49'],
    ['Monday 00:00 exactly in Shanghai (Sunday 16:00Z)', '2026-11-29T16:00:00Z', '2026-W49'],
    ['Sunday 23:59:59.999 in Shanghai', '2026-11-29T15:59:59.999Z', '2026-W48'],
    [
      '31 Dec 2026 20:00Z is already 1 Jan 2027 in Shanghai, still week 53 of 2026',
      '2026-12-31T20:00:00Z',
      '2026-W53',
    ],
    ['31 Dec 2026, a Thursday: 2026 has 53 weeks', '2026-12-31T04:00:00Z', '2026-W53'],
    ['Sunday 3 Jan 2027 in Shanghai', '2027-01-03T15:00:00Z', '2026-W53'],
    ['Monday 4 Jan 2027 00:30 in Shanghai (3 Jan UTC)', '2027-01-03T16:30:00Z', '2027-W01'],
    ['1 Jan 2026, a Thursday, is week 1', '2026-01-01T04:00:00Z', '2026-W01'],
    ['30 Dec 2024, a Monday, is week 1 of 2025', '2024-12-30T04:00:00Z', '2025-W01'],
    ['29 Dec 2024 (Sunday) is week 52 of 2024', '2024-12-29T04:00:00Z', '2024-W52'],
    ['3 Jan 2021 (Sunday) in the 53-week year 2020', '2021-01-03T04:00:00Z', '2020-W53'],
    ['4 Jan 2021 (Monday)', '2021-01-04T04:00:00Z', '2021-W01'],
    ['3 Jan 2016 (Sunday) in the 53-week year 2015', '2016-01-03T04:00:00Z', '2015-W53'],
  ])('%s', (_label, instant, week) => {
    expect(isoWeekOf(new Date(instant))).toBe(week);
  });

  it('gives the week number and its ISO year separately', () => {
    expect(isoWeekPartsOf(new Date('2026-12-31T20:00:00Z'))).toEqual({ year: 2026, week: 53 });
  });

  it('rejects an invalid date rather than inventing a week', () => {
    expect(() => isoWeekOf(new Date('not a date'))).toThrow(RangeError);
  });
});

describe('localDateInShanghai', () => {
  it.each([
    [
      '16:00Z is midnight the next day',
      '2026-11-29T16:00:00Z',
      { year: 2026, month: 11, day: 30, isoWeekday: 1 },
    ],
    [
      '15:59Z is still the same day',
      '2026-11-29T15:59:00Z',
      { year: 2026, month: 11, day: 29, isoWeekday: 7 },
    ],
    ['new year comes 8 hours early', '2026-12-31T16:00:00Z', { year: 2027, month: 1, day: 1, isoWeekday: 5 }],
    ['leap day', '2028-02-29T00:00:00Z', { year: 2028, month: 2, day: 29, isoWeekday: 2 }],
  ])('%s', (_label, instant, expected) => {
    expect(localDateInShanghai(new Date(instant))).toEqual(expected);
  });
});
