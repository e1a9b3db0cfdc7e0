import { describe, expect, it } from 'vitest';
import { segmentsOf } from '#lib/domain/outbound-message.ts';
import {
  composeDigest,
  correctionSinceDigest,
  type DigestActivity,
  type DigestInput,
} from '#lib/domain/parent-digest.ts';

const ALL = { attendance: true, mood: true, school: true, health: true };
const NONE = {};
const GOOD_WEEK = { attendance: 3, mood: 1, school: 1, health: 1 };
const TWO: DigestActivity[] = [
  { title: '剪纸', date: '2026-12-02' },
  { title: '作业辅导', date: '2026-12-03' },
];
const THREE_LONG: DigestActivity[] = [
  { title: '暖冬送温暖志愿者活动', date: '2026-12-04' },
  { title: '亲子书信手工制作课堂', date: '2026-12-02' },
  { title: '周末趣味运动会与游戏', date: '2026-12-05' },
];
const EN_THREE: DigestActivity[] = [
  { title: 'Paper cutting', date: '2026-12-02' },
  { title: 'Homework club', date: '2026-12-03' },
  { title: 'Football practice', date: '2026-12-05' },
];
const NAME_32 = '欧阳'.padEnd(32, '明');

const input = (overrides: Partial<DigestInput>): DigestInput => ({
  language: 'zh-CN',
  childName: '小明',
  checkin: { answers: GOOD_WEEK },
  consent: ALL,
  activities: TWO,
  stopHint: false,
  ...overrides,
});

/** Exact texts for the everyday cases. */
describe('composeDigest: what parents read', () => {
  it.each<[string, Partial<DigestInput>, string]>([
    [
      'the design brief’s example: everything shared, two activities',
      {},
      '【连心】小明本周：去儿童之家3天，心情很开心，上学很好，身体健康。本周活动：剪纸、作业辅导。回复留言，我们转告孩子。',
    ],
    [
      'no check-in came: said honestly',
      { checkin: undefined },
      '【连心】本周没有收到小明的签到。本周活动：剪纸、作业辅导。回复留言，我们转告孩子。',
    ],
    [
      'nothing agreed to share: that the carer checked in, no answers',
      { childName: '张伟', consent: NONE },
      '【连心】张伟本周已签到。本周活动：剪纸、作业辅导。回复留言，我们转告孩子。',
    ],
    [
      'only mood shared',
      { consent: { mood: true }, checkin: { answers: { ...GOOD_WEEK, mood: 3 } } },
      '【连心】小明本周：心情不太开心。本周活动：剪纸、作业辅导。回复留言，我们转告孩子。',
    ],
    [
      'a hard week, told as it is',
      { checkin: { answers: { attendance: 0, mood: 4, school: 4, health: 3 } }, activities: [] },
      '【连心】小明本周：没去儿童之家，心情很难过，没去上学，身体需要帮助。回复留言，我们转告孩子。',
    ],
    [
      'an unanswered item is left out, not guessed',
      { checkin: { answers: { attendance: 5, mood: 2 } }, activities: [] },
      '【连心】小明本周：去儿童之家5天，心情还好。回复留言，我们转告孩子。',
    ],
    [
      'a skipped free-text answer or an unknown value is never shown',
      { checkin: { answers: { mood: 9, school: 'x', health: 2 } }, activities: [] },
      '【连心】小明本周：有点小病。回复留言，我们转告孩子。',
    ],
    [
      'the first message of the week says how to stop',
      { stopHint: true, activities: [] },
      '【连心】小明本周：去儿童之家3天，心情很开心，上学很好，身体健康。回复留言，我们转告孩子。回复TD退订',
    ],
    [
      'activities in date order, each once',
      { activities: [{ title: '作业辅导', date: '2026-12-03' }, ...TWO] },
      '【连心】小明本周：去儿童之家3天，心情很开心，上学很好，身体健康。本周活动：剪纸、作业辅导。回复留言，我们转告孩子。',
    ],
    [
      'English',
      { language: 'en', childName: 'Lele', activities: EN_THREE.slice(0, 2) },
      "【连心】Lele's week: Centre 3 days, very happy, school good, healthy. Activities: Paper cutting, Homework club. Reply to leave a message.",
    ],
    [
      'English, no check-in, one day',
      { language: 'en', childName: 'Lele', checkin: undefined, activities: [] },
      '【连心】No check-in came for Lele this week. Reply with a message for Lele.',
    ],
  ])('%s', (_label, overrides, expected) => {
    const body = composeDigest(input(overrides));
    expect(body).toBe(expected);
    expect(segmentsOf(body).segments).toBeLessThanOrEqual(2);
  });
});

/** Adversarial inputs: whatever comes in, two segments at most, nothing cut, nothing unshared. */
describe('composeDigest: always within two segments, names whole', () => {
  const cases: [string, Partial<DigestInput>][] = [
    ['three long activities', { activities: THREE_LONG }],
    ['three long activities, stop hint', { activities: THREE_LONG, stopHint: true }],
    ['a four-character name', { childName: '欧阳明月', activities: THREE_LONG, stopHint: true }],
    ['the longest name the roster allows', { childName: NAME_32, activities: THREE_LONG, stopHint: true }],
    ['the longest name, missed week', { childName: NAME_32, checkin: undefined, activities: THREE_LONG }],
    [
      'ten activities of twenty characters',
      {
        activities: Array.from({ length: 10 }, (_, i) => ({
          title: `第${i + 1}项活动`.padEnd(20, '好'),
          date: `2026-12-0${(i % 7) + 1}`,
        })),
        stopHint: true,
      },
    ],
    [
      'activity titles with emoji (two UTF-16 units each)',
      { activities: [{ title: '🎨绘画🎨', date: '2026-12-02' }, ...THREE_LONG] },
    ],
    [
      'English, three activities',
      { language: 'en', childName: 'Lele', activities: EN_THREE, stopHint: true },
    ],
    [
      'English, a long name and three activities',
      { language: 'en', childName: 'Alexandra-Josephine Wang', activities: EN_THREE, stopHint: true },
    ],
    [
      'English, the longest name and a hard week',
      {
        language: 'en',
        childName: 'Maximilian-Alexander Zhang-Li',
        checkin: { answers: { attendance: 0, mood: 4, school: 4, health: 3 } },
        activities: EN_THREE,
        stopHint: true,
      },
    ],
    ['blank and duplicate titles', { activities: [{ title: '  ', date: '2026-12-01' }, ...TWO, ...TWO] }],
  ];

  it.each(cases)('%s', (_label, overrides) => {
    const given = input(overrides);
    const body = composeDigest(given);
    expect(segmentsOf(body).segments, body).toBeLessThanOrEqual(2);
    expect(body.startsWith('【连心】')).toBe(true);
    expect(body).toContain(given.childName);
    expect(body.endsWith(given.language === 'zh-CN' ? '回复TD退订' : 'Reply STOP to stop.')).toBe(
      given.stopHint,
    );
    // Every activity named is named whole: the listed ones are exactly titles given.
    const titles = new Set((given.activities ?? []).map((a) => a.title.trim()));
    const listed =
      given.language === 'zh-CN'
        ? /本周活动：(.+?)(?:等\d+项)?。/.exec(body)?.[1]?.split('、')
        : /Activities: (.+?)(?: and \d+ more)?\./.exec(body)?.[1]?.split(', ');
    for (const title of listed ?? []) expect(titles, body).toContain(title);
    // The check-in's news is never the part that gives way.
    if (given.checkin === undefined) expect(body).toMatch(/没有收到|No check-in/);
  });

  it('gives way in order: the long reply line, then later activities, then items', () => {
    const seven = [
      ...THREE_LONG,
      ...['剪纸', '作业辅导', '书法练习课', '合唱团排练'].map((title) => ({ title, date: '2026-12-06' })),
    ];
    const short = composeDigest(input({ childName: '欧阳明月', activities: seven, stopHint: true }));
    expect(short).toContain('回复留言，我们转告孩子。');
    expect(short).toContain('合唱团排练');
    expect(composeDigest(input({ childName: NAME_32, activities: seven, stopHint: true }))).toBe(
      `【连心】${NAME_32}本周：去儿童之家3天，心情很开心，上学很好，身体健康。本周活动：亲子书信手工制作课堂、暖冬送温暖志愿者活动、周末趣味运动会与游戏、书法练习课、作业辅导、剪纸等7项。回复可给孩子留言。回复TD退订`,
    );
  });

  it('keeps mood and health longest when the items themselves do not fit', () => {
    const longName = 'Maximilian-Alexander Zhang-Li';
    const body = composeDigest(
      input({
        language: 'en',
        childName: longName,
        checkin: { answers: { attendance: 0, mood: 4, school: 4, health: 3 } },
        activities: EN_THREE,
        stopHint: true,
      }),
    );
    expect(body).toContain('very sad');
    expect(body).toContain('needs health help');
  });

  it('never says what was not agreed, however much room there is', () => {
    const body = composeDigest(input({ consent: { school: true }, activities: [] }));
    expect(body).toBe('【连心】小明本周：上学很好。回复留言，我们转告孩子。');
    for (const secret of ['心情', '身体', '儿童之家3天']) expect(body).not.toContain(secret);
  });
});

/** Last week corrected after its update went out: said in this one, briefly, as consent allows. */
describe('composeDigest: a correction of last week', () => {
  it.each<[string, Partial<DigestInput>, string]>([
    [
      'the corrected shared items, after this week',
      { correction: { mood: 3 } },
      '【连心】小明本周：去儿童之家3天，心情很开心，上学很好，身体健康。上周更正：心情不太开心。本周活动：剪纸、作业辅导。回复留言，我们转告孩子。',
    ],
    [
      'in English',
      { language: 'en', childName: 'Lele', correction: { mood: 3 }, activities: [] },
      "【连心】Lele's week: Centre 3 days, very happy, school good, healthy. Last week corrected: not very happy. Reply with a message for Lele.",
    ],
    [
      'after a week with no check-in',
      { checkin: undefined, correction: { school: 3 }, activities: [] },
      '【连心】本周没有收到小明的签到。上周更正：上学有困难。回复留言，我们转告孩子。',
    ],
  ])('%s', (_label, overrides, expected) => {
    expect(composeDigest(input(overrides))).toBe(expected);
  });

  it('says nothing of a corrected item the carer did not agree to share, nor of a free text', () => {
    const only = composeDigest(
      input({ consent: { school: true }, correction: { mood: 4, message: '孩子发烧' } }),
    );
    expect(only).not.toMatch(/更正|心情|发烧/);
    const some = composeDigest(
      input({ consent: { school: true, mood: true }, correction: { mood: 4, health: 3 } }),
    );
    expect(some).toContain('上周更正：心情很难过。');
    expect(some).not.toContain('身体');
  });

  it('stays within two segments: activities give way first, then the detail, never the fact of it', () => {
    const seven = [
      ...THREE_LONG,
      ...['剪纸', '作业辅导', '书法练习课', '合唱团排练'].map((title) => ({ title, date: '2026-12-06' })),
    ];
    const correction = { attendance: 1, mood: 4, school: 4, health: 3 };
    const roomy = composeDigest(input({ activities: seven, stopHint: true, correction }));
    expect(segmentsOf(roomy).segments).toBeLessThanOrEqual(2);
    expect(roomy).toContain('上周更正：去儿童之家1天，心情很难过，没去上学，身体需要帮助。');
    expect(roomy).not.toContain('合唱团排练');
    const tight = composeDigest(input({ childName: NAME_32, activities: seven, stopHint: true, correction }));
    expect(segmentsOf(tight).segments, tight).toBeLessThanOrEqual(2);
    expect(tight).toContain('上周更正：去儿童之家1天，心情很难过，没去上学，身体需要帮助。');
    expect(tight).toContain(`${NAME_32}本周：去儿童之家3天`);
    expect(tight).toContain('等7项');
    expect(tight.endsWith('回复TD退订')).toBe(true);
    // No room for the details without losing this week's news: only that last week was corrected.
    const en = composeDigest(
      input({
        language: 'en',
        childName: 'Maximilian-Alexander Zhang-Li',
        activities: EN_THREE,
        stopHint: true,
        correction,
      }),
    );
    expect(en).toBe(
      "【连心】Maximilian-Alexander Zhang-Li's week: very happy. Last week's update was corrected. Reply to leave a message. Reply STOP to stop.",
    );
    expect(segmentsOf(en).segments, en).toBeLessThanOrEqual(2);
  });
});

describe('correctionSinceDigest', () => {
  const digestAt = '2026-12-05T10:00:00.000Z';
  const history = [
    { itemId: 'mood', status: 'answered', value: 1, answeredAt: '2026-12-05T02:00:00.000Z' },
    { itemId: 'school', status: 'answered', value: 1, answeredAt: '2026-12-05T02:01:00.000Z' },
    { itemId: 'message', status: 'answered', value: '一切都好', answeredAt: '2026-12-05T02:02:00.000Z' },
    // The correction run, after the update went out: mood changed, school given the same again.
    { itemId: 'mood', status: 'answered', value: 3, answeredAt: '2026-12-05T12:00:00.000Z' },
    { itemId: 'school', status: 'answered', value: 1, answeredAt: '2026-12-05T12:01:00.000Z' },
    {
      itemId: 'message',
      status: 'answered',
      value: '其实他不太开心',
      answeredAt: '2026-12-05T12:02:00.000Z',
    },
  ];
  const final = { mood: 3, school: 1, message: '其实他不太开心' };

  it('gives the items whose final answer differs from what the update could say', () => {
    expect(correctionSinceDigest(history, final, digestAt)).toEqual({ mood: 3, message: '其实他不太开心' });
  });

  it('is empty when the correction came before the update, or changed nothing', () => {
    expect(correctionSinceDigest(history, final, '2026-12-05T13:00:00.000Z')).toEqual({});
    expect(correctionSinceDigest(history.slice(0, 3), { mood: 1, school: 1 }, digestAt)).toEqual({});
  });

  it('an item first answered after the update counts as changed', () => {
    const late = [
      ...history,
      { itemId: 'health', status: 'answered', value: 2, answeredAt: '2026-12-05T12:03:00.000Z' },
    ];
    expect(correctionSinceDigest(late, { ...final, health: 2 }, digestAt)).toMatchObject({ health: 2 });
  });
});
