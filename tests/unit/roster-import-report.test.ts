// The per-line result of a roster import against what the roster holds (lib/roster/import-report.ts).
import { describe, expect, it } from 'vitest';
import { parseRosterCsv } from '#lib/roster/csv-import.ts';
import { describeLine, describeSummary, type RosterBefore, reportLines } from '#lib/roster/import-report.ts';

const CENTRE = 'centre-a';
const HEADER = 'family,child,birth_year,category,consent,contact,role,phone,language';
const CSV = [
  HEADER,
  '李家,小明,2016,both-away,mood,李奶奶,carer,13800000001,zh-CN',
  '李家,小红,2018,both-away,mood,李奶奶,carer,13800000001,zh-CN',
  '李家,小明,2016,both-away,mood,李爸爸,parent,13900000001,zh-CN',
  ',,,,,王老师,coordinator,13700000001,zh-CN',
].join('\n');

const empty: RosterBefore = { families: new Map(), contacts: new Map() };

/** The roster exactly as the file would leave it (what a first import writes). */
function asWritten(csv: string): RosterBefore {
  const parsed = parseRosterCsv(csv, CENTRE);
  return {
    families: new Map(parsed.families.map((f) => [f.familyId, f])),
    contacts: new Map(parsed.contacts.map((c) => [c.contactId, c])),
  };
}

describe('reportLines', () => {
  it('a first import: every line created, saying what is new', () => {
    const parsed = parseRosterCsv(CSV, CENTRE);
    expect(reportLines(parsed, empty)).toEqual({ created: 4, updated: 0, unchanged: 0, refused: 0 });
    expect(parsed.lines.map((l) => l.result)).toEqual(['created', 'created', 'created', 'created']);
    expect(parsed.lines[0]?.changes).toEqual(['new family 李家', 'new child 小明', 'new contact 李奶奶']);
    // Each new thing is said once, on the first line that names it.
    expect(parsed.lines[1]?.changes).toEqual(['new child 小红']);
    expect(parsed.lines[2]?.changes).toEqual(['new contact 李爸爸']);
    expect(parsed.lines[3]?.changes).toEqual(['new contact 王老师']);
  });

  it('the same file again: every line unchanged', () => {
    const parsed = parseRosterCsv(CSV, CENTRE);
    expect(reportLines(parsed, asWritten(CSV))).toEqual({ created: 0, updated: 0, unchanged: 4, refused: 0 });
    for (const line of parsed.lines) {
      expect(line.result).toBe('unchanged');
      expect(line.changes).toBeUndefined();
      expect(line.notice).toBeUndefined();
    }
  });

  it('a changed value is an update naming the column and both values; a new child is created', () => {
    const edited = CSV.replace('李家,小明,2016,both-away,mood,李奶奶', '李家,小明,2015,both-away,mood,李奶奶')
      .replace('李家,小明,2016,both-away,mood,李爸爸,parent', '李家,小明,2015,both-away,mood,李爸爸,parent')
      .replace('王老师,coordinator,13700000001,zh-CN', '王老师,coordinator,13700000001,en');
    const withChild = `${edited}\n李家,小刚,2019,both-away,,李奶奶,carer,13800000001,zh-CN`;
    const parsed = parseRosterCsv(withChild, CENTRE);
    expect(parsed.lines.every((l) => l.status === 'valid')).toBe(true);
    expect(reportLines(parsed, asWritten(CSV))).toEqual({ created: 1, updated: 3, unchanged: 1, refused: 0 });
    expect(parsed.lines.map((l) => l.result)).toEqual([
      'updated',
      'unchanged',
      'updated',
      'updated',
      'created',
    ]);
    expect(parsed.lines[0]?.changes).toEqual(['column birth_year: "2016" → "2015"']);
    expect(parsed.lines[3]?.changes).toEqual(['column language: "zh-CN" → "en"']);
    expect(parsed.lines[4]?.changes).toEqual(['new child 小刚']);
  });

  it('a contact who said stop: the line says they stay opted out', () => {
    const before = asWritten(CSV);
    const contacts = new Map(before.contacts);
    const [id, grandma] = [...contacts.entries()].find(([, c]) => c.name === '李奶奶') ?? [];
    if (!id || !grandma) throw new Error('no 李奶奶');
    contacts.set(id, { ...grandma, optedOut: true, optedOutAt: '2026-12-05T02:00:00.000Z' });
    const parsed = parseRosterCsv(CSV, CENTRE);
    reportLines(parsed, { ...before, contacts });
    expect(parsed.lines[0]).toMatchObject({
      result: 'unchanged',
      notice:
        '李奶奶 said stop (2026-12-05T02:00:00.000Z) and stays opted out: only they can resume (START/恢复)',
    });
    expect(parsed.lines[1]?.notice).toEqual(expect.stringContaining('stays opted out'));
    expect(parsed.lines[2]?.notice).toBeUndefined();
  });

  it('refused lines keep their reasons; a conflict names the line, the column and both values', () => {
    const csv = `${CSV}\n李家,小刚,2019,both-away,,李外婆,carer,13800000001,zh-CN\n李家,小明,2017,one-away,,张三,carer,13800000009,zh-CN`;
    const parsed = parseRosterCsv(csv, CENTRE);
    expect(reportLines(parsed, empty)).toMatchObject({ refused: 2 });
    const [sameNumber, sameChild] = parsed.lines.slice(4);
    expect(sameNumber).toMatchObject({ status: 'invalid' });
    expect(sameNumber?.result).toBeUndefined();
    expect(describeLine(sameNumber as NonNullable<typeof sameNumber>)).toBe(
      'line 6: refused: phone: the same number as line 2 (one number is one contact), but column contact is "李外婆" here and "李奶奶" on line 2',
    );
    expect(sameChild?.reasons).toEqual([
      'child: the same child as line 2, but column birth_year is "2017" here and "2016" on line 2, column category is "one-away" here and "both-away" on line 2, column consent is "" here and "mood" on line 2',
    ]);
  });

  it('a file that lists no consent keeps what was agreed: not an update', () => {
    const agreed = asWritten(CSV);
    const parsed = parseRosterCsv(CSV.replaceAll(',mood,', ',,'), CENTRE);
    reportLines(parsed, agreed);
    expect(parsed.lines.map((l) => l.result)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    const changed = parseRosterCsv(CSV.replaceAll(',mood,', ',mood;health,'), CENTRE);
    reportLines(changed, agreed);
    expect(changed.lines[0]?.changes).toEqual(['column consent: "mood" → "mood;health"']);
  });
});

describe('describeLine and describeSummary', () => {
  it('one line per row, then the counts', () => {
    expect(describeLine({ line: 2, result: 'unchanged', reasons: [] })).toBe('line 2: unchanged');
    expect(
      describeLine({
        line: 3,
        result: 'updated',
        reasons: [],
        changes: ['column contact: "李奶奶" → "李外婆"'],
      }),
    ).toBe('line 3: updated: column contact: "李奶奶" → "李外婆"');
    expect(describeSummary({ created: 1, updated: 2, unchanged: 3, refused: 0 })).toBe(
      '6 rows: 1 created, 2 updated, 3 unchanged, 0 refused',
    );
  });
});
