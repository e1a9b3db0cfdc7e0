import { describe, expect, it } from 'vitest';
import { findStep } from '#lib/domain/flow-schema.ts';
import { alertsOnValue, findHarmWords, MAX_RAW_LENGTH, readAnswer } from '#lib/domain/step-answer.ts';
import { HARM_WORDS, weeklyCheckinFlow } from '#lib/domain/weekly-checkin-flow.ts';

function step(id: string) {
  const found = findStep(weeklyCheckinFlow, id);
  if (found === undefined) throw new Error(`no step ${id}`);
  return found;
}

describe('readAnswer on the weekly check-in', () => {
  it.each([
    ['attendance', '3', 3],
    ['attendance', '０', 0],
    ['attendance', '七', 7],
    ['attendance', '5天', 5],
    ['attendance', ' 2。', 2],
    ['mood', '4', 4],
    ['mood', '一', 1],
    ['school', '２', 2],
    ['health', '3', 3],
    ['parent-contact', '1', 1],
    ['parent-contact', '2', 2],
    ['parent-contact', '是', 1],
    ['parent-contact', '有', 1],
    ['parent-contact', '联系了', 1],
    ['parent-contact', 'yes', 1],
    ['parent-contact', 'Y', 1],
    ['parent-contact', 'ｙｅｓ', 1],
    ['parent-contact', '否', 2],
    ['parent-contact', '没有', 2],
    ['parent-contact', '没有。', 2],
    ['parent-contact', 'no', 2],
    ['parent-contact', 'N', 2],
  ])('%s: %j → %j', (id, input, value) => {
    expect(readAnswer(step(id), input)).toMatchObject({ kind: 'answered', value, raw: input.trim() });
  });

  it.each([
    ['attendance', '8'],
    ['attendance', '十'],
    ['attendance', 'abc'],
    ['attendance', ''],
    ['attendance', '好几天'],
    ['mood', '5'],
    ['mood', '0'],
    ['mood', '开心'],
    ['health', '4'],
    ['parent-contact', '3'],
    ['parent-contact', '不知道'],
  ])('%s: %j is not an answer', (id, input) => {
    expect(readAnswer(step(id), input).kind).toBe('invalid');
  });

  it('keeps free text verbatim, only trimmed', () => {
    const typed = '  奶奶说：小明最近很乖，作业都写完了！ 😊 ';
    expect(readAnswer(step('message'), typed)).toEqual({
      kind: 'answered',
      value: typed.trim(),
      raw: typed.trim(),
      truncated: false,
      harmWords: [],
    });
  });

  it('cuts free text at 500 characters, by code point, and marks it', () => {
    const typed = `${'好'.repeat(499)}😊😊😊`;
    const read = readAnswer(step('message'), typed);
    expect(read).toMatchObject({ kind: 'answered', truncated: true });
    expect(Array.from(read.raw)).toHaveLength(500);
    expect(read.raw.endsWith('😊')).toBe(true);
  });

  it('keeps exactly 500 characters untruncated', () => {
    expect(readAnswer(step('message'), 'a'.repeat(500))).toMatchObject({
      kind: 'answered',
      truncated: false,
    });
  });

  it('bounds what it keeps of an overlong non-answer', () => {
    const read = readAnswer(step('mood'), 'x'.repeat(MAX_RAW_LENGTH + 10));
    expect(read).toMatchObject({ kind: 'invalid', truncated: true });
    expect(read.raw).toHaveLength(MAX_RAW_LENGTH);
  });

  it.each(['0', '０', '0。', '跳过', 'skip', 'SKIP', '无', '没有'])('%j skips the message item', (input) => {
    expect(readAnswer(step('message'), input)).toMatchObject({ kind: 'skipped', raw: input.trim() });
  });

  it('does not take an empty message as free text', () => {
    expect(readAnswer(step('message'), ' 。 ').kind).toBe('invalid');
  });
});

describe('findHarmWords', () => {
  it.each([
    ['小明在学校被同学欺负了', ['欺负']],
    ['他说不想活了', ['不想活']],
    ['孩子被 打了', ['被打']],
    ['他很害怕，晚上睡不着', ['害怕']],
    ['she was bullied at school', ['bullied']],
    ['Someone HIT him', ['hit']],
    ['he is scared of his uncle', ['scared']],
    ['talked about suicide', ['suicide']],
    ['他说 I want to hurt myself', ['hurt']],
    ['he got hurt and he is scared', ['hurt', 'scared']],
  ])('%j → %j', (typed, words) => {
    expect(findHarmWords(typed, HARM_WORDS)).toEqual(words);
  });

  it.each([
    '爸爸这周打电话了，孩子很开心',
    '小明有点伤心，想妈妈',
    '作业写完了',
    'white shirt for the school show',
    'he is thinking about the hitchhiker story',
    'the shuttle was missed',
  ])('finds none in %j', (typed) => {
    expect(findHarmWords(typed, HARM_WORDS)).toEqual([]);
  });

  it('looks in every language whatever the contact speaks', () => {
    expect(findHarmWords('he was 欺负 at school', { 'zh-CN': ['欺负'], en: [] })).toEqual(['欺负']);
  });

  it('finds nothing without a list', () => {
    expect(findHarmWords('被打', undefined)).toEqual([]);
  });

  it('reports harm words in free text and in non-answers to other questions', () => {
    expect(readAnswer(step('message'), '他被欺负了')).toMatchObject({
      kind: 'answered',
      harmWords: ['欺负'],
    });
    expect(readAnswer(step('mood'), '他被欺负了')).toMatchObject({ kind: 'invalid', harmWords: ['欺负'] });
  });
});

describe('alertsOnValue', () => {
  it.each([
    ['mood', 4, true],
    ['mood', 3, false],
    ['mood', 1, false],
    ['school', 4, true],
    ['school', 3, false],
    ['health', 3, true],
    ['health', 2, false],
    ['attendance', 0, false],
    ['parent-contact', 2, false],
  ] as const)('%s = %d → %s', (id, value, alerts) => {
    expect(alertsOnValue(step(id), value)).toBe(alerts);
  });
});
