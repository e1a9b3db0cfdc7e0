import { describe, expect, it } from 'vitest';
import { normalisePhone, parseCsvRecords, parseRosterCsv } from '#lib/roster/csv-import.ts';

const HEADER = 'family,child,birth_year,category,consent,contact,role,phone,language';
const csv = (...lines: string[]) => [HEADER, ...lines].join('\n');

describe('normalisePhone', () => {
  it.each([
    ['13800000001', '+8613800000001'],
    ['138 0000 0001', '+8613800000001'],
    ['138-0000-0001', '+8613800000001'],
    ['+86 138 0000 0001', '+8613800000001'],
    ['008613800000001', '+8613800000001'],
    ['１３８００００００01', '+8613800000001'],
    ['+852 9123 4567', '+85291234567'],
  ])('%s → %s', (raw, e164) => expect(normalisePhone(raw)).toBe(e164));

  it.each(['', '12345', 'abc', '1380000000', '+86 138 0000 00011'])('refuses %j', (raw) =>
    expect(normalisePhone(raw)).toBeUndefined(),
  );
});

describe('parseCsvRecords', () => {
  it('drops a BOM, takes CRLF, quoted commas, doubled quotes and newlines in quotes, skips blank lines', () => {
    const records = parseCsvRecords('\uFEFFa,b\r\n"x, y","say ""hi"""\r\n\r\n"two\nlines",z\n');
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 4, fields: ['two\nlines', 'z'] },
    ]);
  });
});

describe('parseRosterCsv', () => {
  it('builds families, children and contacts from one row per relation, numbers normalised', () => {
    const parsed = parseRosterCsv(
      `\uFEFF${csv(
        '李家,小明,2016,both-away,attendance;mood,李奶奶,carer,138 0000 0001,zh-CN',
        '李家,小红,2018,both-away,,李奶奶,carer,+86 13800000001,zh-CN',
        '李家,小明,2016,both-away,attendance;mood,李爸爸,parent,１３９００００００01,',
        ',,,,,王老师,coordinator,13700000001,zh-CN',
      ).replaceAll('\n', '\r\n')}`,
      'centre-a',
    );
    expect(parsed.fileError).toBeUndefined();
    expect(parsed.lines.every((l) => l.status === 'valid')).toBe(true);
    expect(parsed.families).toHaveLength(1);
    expect(parsed.families[0]?.children.map((c) => c.name)).toEqual(['小明', '小红']);
    expect(parsed.families[0]?.children[0]?.consent).toEqual({
      attendance: true,
      mood: true,
      school: false,
      health: false,
    });
    expect(parsed.contacts.map((c) => [c.name, c.phone, c.familyIds.length])).toEqual([
      ['李奶奶', '+8613800000001', 1],
      ['李爸爸', '+8613900000001', 1],
      ['王老师', '+8613700000001', 0],
    ]);
    // Ids are derived from the content: the same file gives the same ids.
    expect(
      parseRosterCsv(csv('李家,小明,2016,both-away,,李奶奶,carer,13800000001,'), 'centre-a').contacts[0]
        ?.contactId,
    ).toBe(parsed.contacts[0]?.contactId);
  });

  it('quoted commas in names', () => {
    const parsed = parseRosterCsv(
      csv('"张家, 东头",小刚,2015,one-away,,"张奶奶, 外婆",carer,13800000002,'),
      'c',
    );
    expect(parsed.families[0]?.name).toBe('张家, 东头');
    expect(parsed.contacts[0]?.name).toBe('张奶奶, 外婆');
  });

  it('names the columns and both values when a child is written two ways', () => {
    const parsed = parseRosterCsv(
      csv(
        '李家,小明,2016,both-away,mood,李奶奶,carer,13800000001,zh-CN',
        '李家,小明,2015,both-away,mood;school,小明爸爸,parent,13900000001,zh-CN',
      ),
      'c',
    );
    expect(parsed.lines.find((l) => l.line === 3)?.reasons).toEqual([
      'child: the same child as line 2, but column birth_year is "2015" here and "2016" on line 2, column consent is "mood;school" here and "mood" on line 2',
    ]);
  });

  it('reports each bad line with its line number and reasons', () => {
    const parsed = parseRosterCsv(
      csv(
        '李家,小明,2016,both-away,,李奶奶,carer,13800000001,zh-CN',
        '李家,小明,2016,far-away,,李奶奶,carer,13800000001,zh-CN',
        '王家,小军,20x6,one-away,gossip,王奶奶,grandma,12345,fr',
        '李家,小明,2016,both-away,,李奶奶,carer,138 0000 0001,zh-CN',
        '赵家,小花,2017,with-parents,,另一个人,carer,13800000001,zh-CN',
      ),
      'c',
    );
    const byLine = Object.fromEntries(parsed.lines.map((l) => [l.line, l]));
    expect(byLine[2]?.status).toBe('valid');
    expect(byLine[3]?.reasons).toContain('category: one of both-away, one-away, with-parents');
    expect(byLine[4]?.reasons).toEqual([
      'role: one of carer, parent, coordinator',
      'phone: not a valid mobile number',
      'language: one of zh-CN, en',
      'birth_year: a year, 1990-2100',
      'consent: attendance, mood, school, health separated by ;',
    ]);
    expect(byLine[5]?.reasons).toEqual(['duplicate of line 2']);
    // A conflict names the line, the column and both values.
    expect(byLine[6]?.reasons).toEqual([
      'phone: the same number as line 2 (one number is one contact), but column contact is "另一个人" here and "李奶奶" on line 2',
    ]);
    // Only the valid line builds anything.
    expect(parsed.contacts.map((c) => c.lines)).toEqual([[2]]);
  });

  it('refuses a file without the required columns, or empty', () => {
    expect(parseRosterCsv('family,child\n李家,小明', 'c').fileError).toBe(
      'line 1: missing columns: contact, role, phone',
    );
    expect(parseRosterCsv('contact,role,phone,colour\n', 'c').fileError).toBe(
      'line 1: unknown columns: colour',
    );
    expect(parseRosterCsv('', 'c').fileError).toBe('the file is empty');
  });
});
