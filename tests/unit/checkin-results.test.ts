import { describe, expect, it } from 'vitest';
import {
  csvCell,
  isIsoWeek,
  type ResultChild,
  resultRows,
  summarise,
  toCsv,
  weeksBetween,
} from '#lib/domain/checkin-results.ts';

const child = (childId: string, category: ResultChild['category']): ResultChild => ({
  centreId: 'c',
  centreName: '石门村儿童之家',
  village: '石门村',
  familyId: 'f',
  childId,
  childName: childId,
  category,
});

describe('ISO weeks of a date range', () => {
  it('counts weeks across a year with 53 weeks and a year boundary', () => {
    expect(weeksBetween('2026-W52', '2027-W02')).toEqual(['2026-W52', '2026-W53', '2027-W01', '2027-W02']);
    expect(weeksBetween('2025-W52', '2026-W01')).toEqual(['2025-W52', '2026-W01']);
    expect(weeksBetween('2026-W49', '2026-W48')).toEqual([]);
    expect(weeksBetween('2026-W01', '2026-W52')).toHaveLength(52);
  });

  it('accepts only real ISO weeks', () => {
    expect(isIsoWeek('2026-W53')).toBe(true);
    expect(isIsoWeek('2025-W53')).toBe(false);
    expect(isIsoWeek('2026-W00')).toBe(false);
    expect(isIsoWeek('2026-12-01')).toBe(false);
  });
});

describe('CSV cells', () => {
  it('quotes what needs quoting and defuses formulas', () => {
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(3)).toBe('3');
    expect(csvCell(true)).toBe('true');
    expect(csvCell('小明')).toBe('小明');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell(' padded')).toBe('" padded"');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+86 138')).toBe("'+86 138");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
  });

  it('starts with a BOM and ends each record with CRLF', () => {
    const csv = toCsv(resultRows([child('a', 'both-away')], [], ['2026-W49']));
    expect(csv.startsWith('\uFEFFweek,')).toBe(true);
    expect(csv.split('\r\n')).toHaveLength(3);
  });
});

describe('the summary', () => {
  it('computes response rates and distributions per category per week', () => {
    const children = [child('a', 'both-away'), child('b', 'both-away'), child('c', 'one-away')];
    const answered = (mood: number) => ({
      mood: { status: 'answered', value: mood },
      school: { status: 'unanswered' },
      health: { status: 'answered', value: 1 },
    });
    const rows = resultRows(
      children,
      [
        { childId: 'a', week: '2026-W49', status: 'completed', completedAt: 'x', answers: answered(2) },
        { childId: 'b', week: '2026-W49', status: 'completed', completedAt: 'y', answers: answered(2) },
        { childId: 'c', week: '2026-W49', status: 'missed', missedAt: 'z', answers: {} },
      ],
      ['2026-W49'],
    );
    const [week] = summarise(rows, ['2026-W49']);
    expect(week?.centre).toEqual({
      children: 3,
      completed: 2,
      missed: 1,
      inProgress: 0,
      none: 0,
      responseRate: 0.6667,
    });
    expect(week?.categories['both-away']).toMatchObject({
      responseRate: 1,
      distributions: { mood: { '2': 2 }, school: {}, health: { '1': 2 } },
    });
    expect(week?.categories['with-parents']).toMatchObject({ children: 0, responseRate: null });
  });
});
