import { describe, expect, it } from 'vitest';
import { compactInput, normaliseInput, parseNumber, parseYesNo } from '#lib/domain/answer-parsing.ts';

describe('normaliseInput', () => {
  it.each([
    ['full-width digit', '１', '1'],
    ['full-width letters, upper case', 'ＹＥＳ', 'yes'],
    ['surrounding spaces and a full stop', '  是的。 ', '是的'],
    ['ideographic space', '\u3000好\u3000', '好'],
    ['full-width exclamation and question marks', '！好？', '好'],
    ['commas and enumeration comma', '，、1，', '1'],
    ['tildes, full-width too', '好的～~', '好的'],
    ['quotes copied from our texts', '“签到”', '签到'],
    ['brackets', '【签到】', '签到'],
    ['inner spaces collapse', 'stop   all', 'stop all'],
    ['punctuation inside is kept', '他说:好.', '他说:好'],
    ['only punctuation', '。。。', ''],
    ['empty', '', ''],
  ])('%s: %j → %j', (_label, input, expected) => {
    expect(normaliseInput(input)).toBe(expected);
  });

  it('compactInput also drops inner whitespace', () => {
    expect(compactInput(' Check In ')).toBe('checkin');
    expect(compactInput('签 到')).toBe('签到');
  });
});

describe('parseNumber', () => {
  it.each([
    ['1', 1],
    ['0', 0],
    ['7', 7],
    ['12', 12],
    ['１', 1],
    ['３', 3],
    ['一', 1],
    ['两', 2],
    ['二', 2],
    ['七', 7],
    ['零', 0],
    ['〇', 0],
    ['十', 10],
    ['十一', 11],
    ['二十', 20],
    ['九十九', 99],
    ['1个', 1],
    ['3天', 3],
    ['３天', 3],
    ['三天', 3],
    ['两次', 2],
    ['5号', 5],
    ['4分', 4],
    ['1 个', 1],
    [' 1。', 1],
    [' 1 ', 1],
    ['1!', 1],
    ['①', 1],
    ['(2)', 2],
  ])('%j → %d', (input, expected) => {
    expect(parseNumber(input)).toBe(expected);
  });

  it.each([
    ['letters', 'abc'],
    ['empty', ''],
    ['only spaces', '   '],
    ['only a unit', '天'],
    ['a fraction', '1.5'],
    ['two numbers', '1 2'],
    ['a number in a sentence', '去了3天吧'],
    ['digits read out one by one', '一二'],
    ['zero tens', '零十'],
    ['ten-zero', '十零'],
    ['two tens', '十十'],
    ['three hundreds', '三百'],
    ['unit before the number', '天3'],
    ['mixed script', '1十'],
    ['a yes', '是'],
  ])('%s (%j) is not a number', (_label, input) => {
    expect(parseNumber(input)).toBeUndefined();
  });
});

describe('parseYesNo', () => {
  it.each([
    '是',
    '是的',
    '是。',
    '对',
    '有',
    '好',
    '好的！',
    'yes',
    'YES',
    'Yes',
    'y',
    'Y',
    'ｙ',
    'ＹＥＳ',
    'ok',
    'OK',
    ' ok. ',
  ])('%j → yes', (input) => {
    expect(parseYesNo(input)).toBe(true);
  });

  it.each(['否', '不', '不是', '没有', '没', '没有。', 'no', 'NO', 'No', 'n', 'N', 'ｎｏ', ' no! '])(
    '%j → no',
    (input) => {
      expect(parseYesNo(input)).toBe(false);
    },
  );

  it.each(['', '1', '2', 'maybe', '不知道', '是不是', 'yesno', 'not', '好不好', 'nn'])(
    '%j is neither',
    (input) => {
      expect(parseYesNo(input)).toBeUndefined();
    },
  );
});
