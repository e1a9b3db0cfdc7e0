import { describe, expect, it } from 'vitest';
import type { AnswerSpec } from '#lib/domain/flow-schema.ts';
import {
  appendStopHint,
  BRAND,
  composeReply,
  MESSAGES,
  unregisteredText,
} from '#lib/domain/message-catalog.ts';
import { LANGUAGES } from '#lib/domain/model.ts';

const centre = { centreName: '石门村儿童之家', centrePhone: '0731-8888 1234' };
// One UCS-2 SMS segment is 70 characters (code units); 【连心】 makes every message UCS-2.
const ONE_SEGMENT = 70;

describe('composeReply', () => {
  it.each([
    [
      'zh-CN',
      ['好的。', '小明身体怎么样？1健康 2小病 3需要帮助'],
      '【连心】好的。小明身体怎么样？1健康 2小病 3需要帮助',
    ],
    [
      'zh-CN',
      ['本周小明去了儿童之家几天？回复0-7', '谢谢！'],
      '【连心】本周小明去了儿童之家几天？回复0-7。谢谢！',
    ],
    ['en', ['Thanks.', 'How is Ming?'], '【连心】Thanks. How is Ming?'],
    ['en', ['Reply 0-7', 'Thanks.'], '【连心】Reply 0-7. Thanks.'],
    ['zh-CN', ['', '谢谢！'], '【连心】谢谢！'],
  ] as const)('%s %j', (language, parts, expected) => {
    expect(composeReply(language, parts)).toBe(expected);
  });

  it('appends how to stop after a full stop', () => {
    expect(appendStopHint('【连心】小明身体怎么样？1健康 2小病 3需要帮助', 'zh-CN')).toBe(
      '【连心】小明身体怎么样？1健康 2小病 3需要帮助。回复TD退订',
    );
    expect(appendStopHint('【连心】Thank you!', 'en')).toBe('【连心】Thank you! Reply STOP to stop.');
  });
});

describe('the catalog', () => {
  it('gives the opt-out confirmation of the brief', () => {
    expect(composeReply('zh-CN', [MESSAGES['zh-CN'].optedOut])).toBe(
      '【连心】您已退订，不会再收到消息。回复“订阅”可恢复。',
    );
    expect(MESSAGES.en.optedOut).toContain('START');
  });

  it.each(LANGUAGES)('%s: help names the Centre, its phone and the keywords', (language) => {
    const m = MESSAGES[language];
    const carerHelp = m.help(centre, { carer: true, optedOut: false });
    expect(carerHelp).toContain(centre.centreName);
    expect(carerHelp).toContain(centre.centrePhone);
    expect(carerHelp).toMatch(language === 'en' ? /CHECKIN.*STOP.*中文/ : /签到.*退订.*English/);
    expect(m.help(centre, { carer: false, optedOut: false })).not.toMatch(/CHECKIN|签到/);
    const optedOutHelp = m.help(centre, { carer: true, optedOut: true });
    expect(optedOutHelp).toContain(centre.centrePhone);
    expect(optedOutHelp).toMatch(language === 'en' ? /START/ : /订阅/);
  });

  it.each(LANGUAGES)('%s: the idle reply tells a carer how to do the check-in', (language) => {
    expect(MESSAGES[language].idle({ carer: true })).toMatch(language === 'en' ? /CHECKIN/ : /签到/);
  });

  it.each<[AnswerSpec, string, string]>([
    [{ type: 'number', min: 0, max: 7 }, '请回复0到7的数字。', 'Please reply with a number from 0 to 7.'],
    [
      { type: 'choice', options: [{ value: 1 }, { value: 2 }, { value: 3 }, { value: 4 }] },
      '请回复1到4的数字。',
      'Please reply with a number from 1 to 4.',
    ],
    [{ type: 'choice', options: [{ value: 2 }, { value: 1 }] }, '请回复1或2。', 'Please reply 1 or 2.'],
    [
      { type: 'choice', options: [{ value: 1 }, { value: 3 }, { value: 5 }] },
      '请回复1、3、5中的一个。',
      'Please reply one of 1, 3, 5.',
    ],
    [{ type: 'yesno' }, '请回复“是”或“否”。', 'Please reply YES or NO.'],
    [
      { type: 'text', maxLength: 500, skipWords: ['0', 'skip'] },
      '请直接回复文字，回复0跳过。',
      'Please reply in words, or 0 to skip.',
    ],
    [{ type: 'text', maxLength: 500, skipWords: [] }, '请直接回复文字。', 'Please reply in words.'],
  ])('hint for %j', (spec, zh, en) => {
    expect(MESSAGES['zh-CN'].hint(spec)).toBe(zh);
    expect(MESSAGES.en.hint(spec)).toBe(en);
  });

  it('keeps every fixed Chinese reply within one SMS segment, stop hint included', () => {
    const m = MESSAGES['zh-CN'];
    const texts = [
      m.checkinIntro('欢欢'),
      m.nextChild('欢欢'),
      m.checkinDone,
      m.optedOut,
      [m.optedIn, m.replyCheckin].join(''),
      m.alreadySubscribed,
      m.help(centre, { carer: true, optedOut: false }),
      m.help(centre, { carer: true, optedOut: true }),
      m.languageSet,
      m.idle({ carer: true }),
      m.idle({ carer: false }),
      m.checkinIsForCarers(centre),
      m.noChildren(centre),
      [m.notUnderstood, m.hint({ type: 'number', min: 0, max: 7 })].join(''),
    ];
    for (const text of texts) {
      expect(appendStopHint(composeReply('zh-CN', [text]), 'zh-CN').length, text).toBeLessThanOrEqual(
        ONE_SEGMENT,
      );
    }
  });

  it('answers an unregistered number in both languages, naming no one', () => {
    const text = unregisteredText();
    expect(text.startsWith(BRAND)).toBe(true);
    expect(text).toContain('未在连心登记');
    expect(text).toContain('not registered with lianxin');
    expect(text).toContain("Children's Centre coordinator");
  });
});
