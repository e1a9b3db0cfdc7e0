import { describe, expect, it } from 'vitest';
import { detectKeyword, type Keyword } from '#lib/domain/keywords.ts';

// Each keyword as written, lower case, full-width, padded with spaces and punctuation.
function variants(word: string): string[] {
  const fullWidth = word.replace(/[A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
  return [word, word.toLowerCase(), fullWidth, `  ${word}  `, `\u3000${word}。`, `${word}!`, `“${word}”`];
}

const KEYWORDS: [string, Keyword][] = [
  ['STOP', 'stop'],
  ['STOPALL', 'stop'],
  ['UNSUBSCRIBE', 'stop'],
  ['END', 'stop'],
  ['QUIT', 'stop'],
  ['CANCEL', 'stop'],
  ['TD', 'stop'],
  ['T', 'stop'],
  ['退订', 'stop'],
  ['START', 'start'],
  ['UNSTOP', 'start'],
  ['订阅', 'start'],
  ['HELP', 'help'],
  ['INFO', 'help'],
  ['帮助', 'help'],
  ['中文', { language: 'zh-CN' }],
  ['CHINESE', { language: 'zh-CN' }],
  ['ENGLISH', { language: 'en' }],
  ['英文', { language: 'en' }],
  ['CHECKIN', 'checkin'],
  ['签到', 'checkin'],
];

describe('detectKeyword', () => {
  for (const [word, expected] of KEYWORDS) {
    it.each(variants(word))(`%j → ${JSON.stringify(expected)}`, (input) => {
      expect(detectKeyword(input)).toEqual(expected);
    });
  }

  it.each([
    ['Stop All', 'stop'],
    ['Check In', 'checkin'],
    ['ｓｔｏｐ', 'stop'],
    ['Ｔ', 'stop'],
    ['td', 'stop'],
    ['English.', { language: 'en' }],
  ])('%j → %j', (input, expected) => {
    expect(detectKeyword(input)).toEqual(expected);
  });

  it.each([
    ['a keyword inside a sentence', 'please stop hitting him'],
    ['stop with more words', 'stop it'],
    ['a word that starts like one', 'tdd'],
    ['a number', '1'],
    ['yes', 'yes'],
    ['no', 'n'],
    ['an answer in Chinese', '没有'],
    ['a Chinese sentence containing 退订', '我不想退订'],
    ['empty', ''],
    ['only punctuation', '？'],
  ])('%s (%j) is not a keyword', (_label, input) => {
    expect(detectKeyword(input)).toBeUndefined();
  });
});
