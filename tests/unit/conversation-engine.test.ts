import { describe, expect, it } from 'vitest';
import { runTurn, type TurnOutcome, unregisteredReply } from '#lib/domain/conversation-engine.ts';
import type { ContactView, Session } from '#lib/domain/model.ts';
import {
  grandmother,
  hoursAfter,
  parent,
  session,
  WEDNESDAY,
  WEEK,
  XIAOHONG,
  XIAOMING,
} from '#tests/unit/fixtures.ts';

const TTL_HOURS = 48;

function turn(
  text: string,
  opts: { contact?: ContactView; session?: Session | undefined; now?: Date } = {},
): TurnOutcome {
  const outcome = runTurn({
    text,
    now: opts.now ?? WEDNESDAY,
    contact: opts.contact ?? grandmother(),
    session: opts.session,
    sessionTtlHours: TTL_HOURS,
  });
  for (const reply of outcome.replies) expect(reply.startsWith('【连心】'), reply).toBe(true);
  return outcome;
}

/** Sends messages one after another, one minute apart, carrying the session and contact changes. */
function converse(messages: string[], contact: ContactView = grandmother(), start: Date = WEDNESDAY) {
  let current: Session | undefined;
  let person = contact;
  const outcomes: TurnOutcome[] = [];
  messages.forEach((text, i) => {
    const outcome = turn(text, {
      contact: person,
      session: current,
      now: new Date(start.getTime() + i * 60_000),
    });
    outcomes.push(outcome);
    current = outcome.session ?? undefined;
    person = { ...person, ...outcome.contactChanges };
  });
  return {
    outcomes,
    replies: outcomes.map((o) => o.replies),
    answers: outcomes.flatMap((o) => o.answers),
    alerts: outcomes.flatMap((o) => o.alerts),
    completed: outcomes.flatMap((o) => o.completed),
    last: outcomes[outcomes.length - 1],
  };
}

const ALL_ONES = ['3', '1', '1', '1', '1', '0'];

describe('a grandmother checks in for two grandchildren (zh-CN)', () => {
  const run = converse(['签到', ...ALL_ONES, '５天', '二', '1', '1', '没有', '小红想妈妈了']);

  it('asks about 小明 first, then 小红, by name', () => {
    expect(run.replies[0]).toEqual(['【连心】本周签到：先说说小明。本周小明去了儿童之家几天？回复0-7']);
    expect(run.replies[1]).toEqual(['【连心】好的。小明这周心情怎么样？1很开心 2还好 3不太开心 4很难过']);
    expect(run.replies[6]).toEqual(['【连心】谢谢！再说说小红。本周小红去了儿童之家几天？回复0-7']);
    expect(run.replies[7]).toEqual(['【连心】好的。小红这周心情怎么样？1很开心 2还好 3不太开心 4很难过']);
    expect(run.replies[12]).toEqual(['【连心】谢谢您！本周签到完成。']);
    expect(run.last?.session).toBeNull();
  });

  it('stores each answer on the right child, week and item', () => {
    expect(run.answers.map((a) => [a.childId, a.itemId, a.status, a.value])).toEqual([
      [XIAOMING.childId, 'attendance', 'answered', 3],
      [XIAOMING.childId, 'mood', 'answered', 1],
      [XIAOMING.childId, 'school', 'answered', 1],
      [XIAOMING.childId, 'health', 'answered', 1],
      [XIAOMING.childId, 'parent-contact', 'answered', 1],
      [XIAOMING.childId, 'message', 'skipped', undefined],
      [XIAOHONG.childId, 'attendance', 'answered', 5],
      [XIAOHONG.childId, 'mood', 'answered', 2],
      [XIAOHONG.childId, 'school', 'answered', 1],
      [XIAOHONG.childId, 'health', 'answered', 1],
      [XIAOHONG.childId, 'parent-contact', 'answered', 2],
      [XIAOHONG.childId, 'message', 'answered', '小红想妈妈了'],
    ]);
    for (const a of run.answers) {
      expect(a).toMatchObject({ week: WEEK, familyId: 'fam-wang', flowId: 'weekly-checkin' });
    }
    expect(run.answers[6]).toMatchObject({ raw: '５天', answeredAt: '2026-11-25T02:07:00.000Z' });
  });

  it('completes each child when its last item is answered', () => {
    expect(run.outcomes[6]?.completed).toEqual([
      {
        childId: XIAOMING.childId,
        familyId: 'fam-wang',
        week: WEEK,
        flowId: 'weekly-checkin',
        completedAt: '2026-11-25T02:06:00.000Z',
      },
    ]);
    expect(run.completed.map((c) => c.childId)).toEqual([XIAOMING.childId, XIAOHONG.childId]);
  });

  it('raises no alert for ordinary answers', () => {
    expect(run.alerts).toEqual([]);
  });

  it('keeps one open session, moving through the steps and children', () => {
    expect(run.outcomes[0]?.session).toEqual({
      flowId: 'weekly-checkin',
      flowVersion: 1,
      week: WEEK,
      childIndex: 0,
      childId: XIAOMING.childId,
      stepId: 'attendance',
      attempts: 0,
      startedAt: WEDNESDAY.toISOString(),
      expiresAt: hoursAfter(WEDNESDAY, TTL_HOURS).toISOString(),
    });
    expect(run.outcomes[6]?.session).toMatchObject({
      childIndex: 1,
      childId: XIAOHONG.childId,
      stepId: 'attendance',
      attempts: 0,
    });
    expect(run.outcomes[8]?.session).toMatchObject({ childIndex: 1, stepId: 'school' });
  });
});

describe('a roster change under an open session', () => {
  const younger = {
    childId: 'child-xg',
    familyId: XIAOMING.familyId,
    name: '小刚',
    category: 'both-away' as const,
  };

  it('answers for the child the question was about, even when the list was reordered', () => {
    const before = grandmother();
    const asked = converse(['签到', '3', '1', '1', '1', '1', '0', '2'], before);
    // The session now waits on 小红's mood; a coordinator adds 小刚, who sorts between them.
    const after = grandmother({ children: [XIAOMING, younger, XIAOHONG] });
    const turn = runTurn({
      text: '4',
      now: WEDNESDAY,
      contact: after,
      session: asked.outcomes.at(-1)?.session ?? undefined,
      sessionTtlHours: TTL_HOURS,
    });
    expect(turn.answers.map((a) => [a.childId, a.itemId, a.value])).toEqual([[XIAOHONG.childId, 'mood', 4]]);
    expect(turn.alerts.map((a) => a.childId)).toEqual([XIAOHONG.childId]);
  });

  it('treats the session as gone when its child was removed, rather than guess', () => {
    const asked = converse(['签到', '3', '1', '1', '1', '1', '0', '2'], grandmother());
    const turn = runTurn({
      text: '4',
      now: WEDNESDAY,
      contact: grandmother({ children: [XIAOMING] }),
      session: asked.outcomes.at(-1)?.session ?? undefined,
      sessionTtlHours: TTL_HOURS,
    });
    expect(turn.answers).toEqual([]);
    expect(turn.alerts).toEqual([]);
  });
});

describe('the check-in in English', () => {
  it('asks in the contact language', () => {
    const run = converse(
      ['CHECKIN', '3', '1', '1', '1', 'yes', 'skip'],
      grandmother({ language: 'en', children: [{ ...XIAOMING }] }),
    );
    expect(run.replies[0]).toEqual([
      "【连心】This week's check-in: first, 小明. How many days did 小明 go to the Children's Centre this week? Reply 0-7",
    ]);
    expect(run.replies[5]).toEqual([
      "【连心】Thanks. Anything to tell the Centre's staff? Only they read it; parents get a weekly summary of the answers you agreed to share. Reply in words, or 0 to skip",
    ]);
    expect(run.replies[6]).toEqual(["【连心】Thank you! This week's check-in is done."]);
    expect(run.answers.find((a) => a.itemId === 'parent-contact')?.value).toBe(1);
  });
});

describe('answers that are not understood', () => {
  const atMood = session({ stepId: 'mood' });

  it('re-prompts with a hint and the question, counting attempts', () => {
    const first = turn('abc', { session: atMood });
    expect(first.replies).toEqual([
      '【连心】抱歉，没看懂。请回复1到4的数字。小明这周心情怎么样？1很开心 2还好 3不太开心 4很难过',
    ]);
    expect(first.session).toMatchObject({ stepId: 'mood', attempts: 1 });
    expect(first.answers).toEqual([]);
    const second = turn('5', { session: first.session ?? undefined });
    expect(second.session).toMatchObject({ stepId: 'mood', attempts: 2 });
    expect(second.replies[0]).toContain('请回复1到4的数字');
  });

  it('after two re-prompts records the third as unanswered, keeps what was typed, and moves on', () => {
    const outcome = turn(' 不知道呀 ', { session: session({ stepId: 'mood', attempts: 2 }) });
    expect(outcome.answers).toEqual([
      {
        childId: XIAOMING.childId,
        familyId: 'fam-wang',
        week: WEEK,
        flowId: 'weekly-checkin',
        itemId: 'mood',
        status: 'unanswered',
        raw: '不知道呀',
        truncated: false,
        answeredAt: WEDNESDAY.toISOString(),
        run: WEDNESDAY.toISOString(),
      },
    ]);
    expect(outcome.session).toMatchObject({ stepId: 'school', attempts: 0 });
    expect(outcome.replies).toEqual([
      '【连心】没关系，先跳过这题。小明这周上学怎么样？1很好 2一般 3有困难 4没去上学',
    ]);
  });

  it('never gets stuck: three wrong answers at every step still finish the check-in', () => {
    const wrong = Array.from({ length: 6 * 3 }, () => 'huh');
    const run = converse(['签到', ...wrong], grandmother({ children: [{ ...XIAOMING }] }));
    const statuses = run.answers.map((a) => a.status);
    // Free text takes any words, so only the five structured items go unanswered.
    expect(statuses).toEqual([
      'unanswered',
      'unanswered',
      'unanswered',
      'unanswered',
      'unanswered',
      'answered',
    ]);
    expect(run.completed).toHaveLength(1);
  });

  it.each([
    ['attendance', '8', '请回复0到7的数字。'],
    ['attendance', '十', '请回复0到7的数字。'],
    ['health', '4', '请回复1到3的数字。'],
    ['parent-contact', '也许', '请回复1或2。'],
    ['message', '。', '请直接回复文字，回复0跳过。'],
  ])('%s: %j gets the hint %j', (stepId, typed, hint) => {
    const outcome = turn(typed, { session: session({ stepId }) });
    expect(outcome.replies[0]).toContain(hint);
    expect(outcome.session).toMatchObject({ stepId, attempts: 1 });
  });
});

describe('the free-text message item', () => {
  const atMessage = session({ stepId: 'message' });

  it('keeps the words verbatim (trimmed), with no alert', () => {
    const typed = '  小明这周自己洗衣服了，很懂事。Ming did well! ';
    const outcome = turn(typed, { session: atMessage });
    expect(outcome.answers[0]).toMatchObject({
      status: 'answered',
      value: typed.trim(),
      raw: typed.trim(),
      truncated: false,
    });
    expect(outcome.alerts).toEqual([]);
  });

  it('cuts a long message at 500 characters and marks it truncated', () => {
    const outcome = turn('很'.repeat(620), { session: atMessage });
    expect(outcome.answers[0]).toMatchObject({ status: 'answered', truncated: true });
    expect(outcome.answers[0]?.raw).toBe('很'.repeat(500));
    expect(outcome.answers[0]?.value).toBe('很'.repeat(500));
  });

  it.each(['0', '０', '跳过', 'skip', '无', '没有'])('%j skips it, with no value stored', (typed) => {
    const outcome = turn(typed, { session: atMessage });
    expect(outcome.answers).toHaveLength(1);
    expect(outcome.answers[0]).toMatchObject({ status: 'skipped', raw: typed });
    expect(outcome.answers[0]).not.toHaveProperty('value');
  });
});

describe('alerts', () => {
  it.each([
    ['mood', '4', 'answer', 4],
    ['school', '4', 'answer', 4],
    ['health', '3', 'answer', 3],
    ['health', '三', 'answer', 3],
    ['message', '小明在学校被人欺负了', 'words', '小明在学校被人欺负了'],
    [
      'message',
      'He said he wants to die, talked about suicide',
      'words',
      'He said he wants to die, talked about suicide',
    ],
    ['message', '孩子晚上很害怕', 'words', '孩子晚上很害怕'],
  ] as const)('%s = %j raises an alert (%s)', (stepId, typed, reason, value) => {
    const outcome = turn(typed, { session: session({ stepId }) });
    expect(outcome.alerts).toEqual([
      {
        alertId: `${XIAOMING.childId}#${WEEK}#${stepId}`,
        centreId: 'centre-shimen',
        childId: XIAOMING.childId,
        familyId: 'fam-wang',
        week: WEEK,
        itemId: stepId,
        reason,
        value,
        raisedAt: WEDNESDAY.toISOString(),
      },
    ]);
  });

  it.each([
    ['mood', '3'],
    ['mood', '1'],
    ['school', '3'],
    ['health', '2'],
    ['attendance', '0'],
    ['parent-contact', '2'],
    ['message', '爸爸打电话了，小明很开心'],
    ['message', '0'],
  ])('%s = %j raises none', (stepId, typed) => {
    expect(turn(typed, { session: session({ stepId }) }).alerts).toEqual([]);
  });

  it('does not change what the carer is told for an alerting answer', () => {
    const outcome = turn('4', { session: session({ stepId: 'mood' }) });
    expect(outcome.replies).toEqual(['【连心】好的。小明这周上学怎么样？1很好 2一般 3有困难 4没去上学']);
  });

  it('gently says the Centre will know after words of harm', () => {
    const outcome = turn('他被打了', { session: session({ stepId: 'message', childIndex: 1 }) });
    expect(outcome.replies).toEqual(['【连心】我们会告诉儿童之家。谢谢您！本周签到完成。']);
    expect(outcome.alerts[0]).toMatchObject({ childId: XIAOHONG.childId, reason: 'words' });
  });

  it('hears words of harm typed instead of a number, and still re-prompts', () => {
    const outcome = turn('小明被欺负了', { session: session({ stepId: 'school' }) });
    expect(outcome.alerts).toMatchObject([{ itemId: 'school', reason: 'words', value: '小明被欺负了' }]);
    expect(outcome.replies[0]).toMatch(/^【连心】抱歉，没看懂。我们会告诉儿童之家。请回复1到4的数字。/);
    expect(outcome.session).toMatchObject({ stepId: 'school', attempts: 1 });
  });

  it('gives a replayed turn the same alert id, so it cannot be raised twice', () => {
    const once = turn('4', { session: session({ stepId: 'mood' }) });
    const again = turn('4', { session: session({ stepId: 'mood' }), now: hoursAfter(WEDNESDAY, 1) });
    expect(again.alerts[0]?.alertId).toBe(once.alerts[0]?.alertId);
  });
});

describe('session time', () => {
  it('after expiresAt, an answer gets the idle reply and nothing is stored', () => {
    const expired = session({}, WEDNESDAY);
    const outcome = turn('3', { session: expired, now: hoursAfter(WEDNESDAY, 48) });
    expect(outcome.replies).toEqual(['【连心】您好！回复“签到”做本周签到。']);
    expect(outcome.answers).toEqual([]);
    expect(outcome.session).toBeNull();
  });

  it('a late answer after the ISO week rolled over lands on the session week', () => {
    // Started Sunday 29 Nov 22:00 in Shanghai (W48); answered Monday 09:00 (W49).
    const sunday = new Date('2026-11-29T14:00:00Z');
    const monday = new Date('2026-11-30T01:00:00Z');
    const outcome = turn('4', { session: session({ week: WEEK }, sunday), now: monday });
    expect(outcome.answers[0]).toMatchObject({ week: WEEK, itemId: 'attendance', value: 4 });
    expect(outcome.session?.week).toBe(WEEK);
    // The first message of W49 on this address says how to stop.
    expect(outcome.contactChanges.stopHintWeek).toBe('2026-W49');
  });

  it('each answer keeps the session open for another TTL', () => {
    const later = hoursAfter(WEDNESDAY, 30);
    const outcome = turn('3', { session: session(), now: later });
    expect(outcome.session?.expiresAt).toBe(hoursAfter(later, TTL_HOURS).toISOString());
    expect(outcome.session?.startedAt).toBe(WEDNESDAY.toISOString());
  });

  it('a session whose flow no longer exists is treated as none', () => {
    const outcome = turn('3', { session: session({ flowId: 'retired-flow' }) });
    expect(outcome.replies).toEqual(['【连心】您好！回复“签到”做本周签到。']);
    expect(outcome.session).toBeNull();
    expect(outcome.answers).toEqual([]);
  });

  it('a session on a child no longer on the roster is treated as none', () => {
    const outcome = turn('3', { session: session({ childIndex: 5 }) });
    expect(outcome.session).toBeNull();
    expect(outcome.answers).toEqual([]);
  });
});

describe('STOP and START', () => {
  it.each(['STOP', 'td', '退订', 'ＳＴＯＰ', ' Unsubscribe. '])(
    '%j mid-flow opts out and ends the session',
    (typed) => {
      const outcome = turn(typed, { session: session({ stepId: 'school' }) });
      expect(outcome.replies).toEqual(['【连心】您已退订，不会再收到消息。回复“订阅”可恢复。']);
      expect(outcome.session).toBeNull();
      expect(outcome.contactChanges).toEqual({ optedOut: true });
      expect(outcome.answers).toEqual([]);
    },
  );

  it('then every message is met with silence and changes nothing, until START', () => {
    const run = converse(['签到', '3', 'STOP', '1', '签到', 'ENGLISH', 'STOP', '你好', 'START']);
    expect(run.replies.slice(3, 8)).toEqual([[], [], [], [], []]);
    for (const o of run.outcomes.slice(3, 8)) {
      expect(o).toMatchObject({ session: null, answers: [], alerts: [], completed: [], contactChanges: {} });
    }
    expect(run.answers).toHaveLength(1);
    expect(run.last?.contactChanges).toEqual({ optedOut: false });
    expect(run.last?.replies).toEqual(['【连心】欢迎回来！您会继续收到连心的消息。回复“签到”做本周签到。']);
  });

  it('after START the check-in can be done again', () => {
    const run = converse(['STOP', 'START', '签到', '2']);
    expect(run.answers).toMatchObject([{ itemId: 'attendance', value: 2 }]);
  });

  it('START when not opted out confirms and changes nothing', () => {
    const outcome = turn('START');
    expect(outcome.replies).toEqual(['【连心】您已在接收连心的消息。回复“签到”做本周签到。']);
    expect(outcome.contactChanges).toEqual({});
  });

  it('answers HELP even while opted out, saying how to restart', () => {
    const outcome = turn('帮助', { contact: grandmother({ optedOut: true }) });
    expect(outcome.replies).toEqual([
      '【连心】石门村儿童之家电话：0731-8888 1234。您已退订，回复“订阅”恢复消息。',
    ]);
    expect(outcome.contactChanges).toEqual({});
  });

  it('does not add the stop hint for someone opted out', () => {
    const outcome = turn('HELP', { contact: grandmother({ optedOut: true, stopHintWeek: undefined }) });
    expect(outcome.replies[0]).not.toContain('TD');
    expect(outcome.contactChanges).toEqual({});
  });
});

describe('HELP and language', () => {
  it('HELP mid-flow gives the help text, asks the open question again, and keeps the session', () => {
    const open = session({ stepId: 'health' });
    const outcome = turn('help', { session: open });
    expect(outcome.replies).toEqual([
      '【连心】石门村儿童之家电话：0731-8888 1234。回复“签到”做本周签到，“退订”停止消息，“English”改英文。小明身体怎么样？1健康 2小病 3需要帮助',
    ]);
    expect(outcome.session).toEqual(open);
    expect(outcome.answers).toEqual([]);
  });

  it('HELP with no session gives only the help text', () => {
    expect(turn('INFO', { contact: grandmother({ language: 'en' }) }).replies).toEqual([
      "【连心】石门村儿童之家: 0731-8888 1234. Reply CHECKIN for this week's check-in, STOP to stop messages, 中文 for Chinese.",
    ]);
  });

  it('ENGLISH mid-flow switches language and re-asks the question in English', () => {
    const open = session({ stepId: 'mood', attempts: 1 });
    const outcome = turn('English', { session: open });
    expect(outcome.contactChanges).toEqual({ language: 'en' });
    expect(outcome.replies).toEqual([
      '【连心】Language set to English. How has 小明 felt this week? 1 very happy 2 OK 3 not very happy 4 very sad',
    ]);
    expect(outcome.session).toEqual(open);
  });

  it('中文 switches back to Chinese', () => {
    const outcome = turn('中文', { contact: grandmother({ language: 'en' }) });
    expect(outcome.contactChanges).toEqual({ language: 'zh-CN' });
    expect(outcome.replies).toEqual(['【连心】已改为中文。']);
  });

  it('asking for the language already in use confirms without a change', () => {
    const outcome = turn('中文');
    expect(outcome.contactChanges).toEqual({});
    expect(outcome.replies).toEqual(['【连心】已改为中文。']);
  });

  it('the rest of the check-in continues in the new language', () => {
    const run = converse(['签到', 'ENGLISH', '3']);
    expect(run.replies[2]).toEqual([
      '【连心】Thanks. How has 小明 felt this week? 1 very happy 2 OK 3 not very happy 4 very sad',
    ]);
  });
});

describe('CHECKIN', () => {
  it('restarts an open check-in from the beginning, in the current week', () => {
    const open = session(
      { stepId: 'health', childIndex: 1, week: '2026-W47', attempts: 2 },
      hoursAfter(WEDNESDAY, -40),
    );
    const outcome = turn('签到', { session: open });
    expect(outcome.session).toMatchObject({ week: WEEK, childIndex: 0, stepId: 'attendance', attempts: 0 });
    expect(outcome.replies[0]).toContain('先说说小明');
  });

  it.each([
    ['a parent', parent()],
    ['a coordinator', grandmother({ role: 'coordinator' })],
  ])('is for carers: %s is told so politely', (_label, contact) => {
    const outcome = turn('CHECKIN', { contact });
    expect(outcome.replies).toEqual([
      '【连心】签到由照顾孩子的家人填写。有事请联系石门村儿童之家：0731-8888 1234。',
    ]);
    expect(outcome.session).toBeNull();
    expect(outcome.answers).toEqual([]);
  });

  it('a carer with no children on the roster is told to call the Centre', () => {
    const outcome = turn('签到', { contact: grandmother({ children: [] }) });
    expect(outcome.replies).toEqual(['【连心】目前没有要签到的孩子。请联系石门村儿童之家：0731-8888 1234。']);
    expect(outcome.session).toBeNull();
  });
});

describe('no open session', () => {
  it.each([
    ['a carer', grandmother(), '【连心】您好！回复“签到”做本周签到。'],
    [
      'a carer in English',
      grandmother({ language: 'en' }),
      "【连心】Hello! Reply CHECKIN for this week's check-in.",
    ],
    ['a parent', parent(), '【连心】您好！回复“帮助”查看说明。'],
  ])('%s writing anything gets the idle reply', (_label, contact, reply) => {
    const outcome = turn('3', { contact });
    expect(outcome.replies).toEqual([reply]);
    expect(outcome).toMatchObject({ session: null, answers: [], alerts: [], completed: [] });
  });
});

describe('the stop hint', () => {
  it.each([
    ['first contact ever', undefined, true],
    ['first message this week', '2026-W47', true],
    ['already said this week', WEEK, false],
  ])('%s', (_label, stopHintWeek, expected) => {
    const outcome = turn('你好', { contact: grandmother({ stopHintWeek }) });
    expect(outcome.replies[0]?.endsWith('回复TD退订')).toBe(expected);
    expect(outcome.contactChanges.stopHintWeek).toBe(expected ? WEEK : undefined);
  });

  it('is said once in a conversation, on its first reply of the week', () => {
    const run = converse(['签到', '3', '1'], grandmother({ stopHintWeek: '2026-W47' }));
    expect(run.replies[0]?.[0]).toBe(
      '【连心】本周签到：先说说小明。本周小明去了儿童之家几天？回复0-7。回复TD退订',
    );
    expect(run.replies[1]?.[0]).not.toContain('退订');
    expect(run.replies[2]?.[0]).not.toContain('退订');
  });

  it('is in English for an English speaker', () => {
    const outcome = turn('hello', { contact: grandmother({ language: 'en', stopHintWeek: undefined }) });
    expect(outcome.replies[0]?.endsWith('Reply STOP to stop.')).toBe(true);
  });

  it('is in the new language after a switch', () => {
    const outcome = turn('ENGLISH', { contact: grandmother({ stopHintWeek: undefined }) });
    expect(outcome.replies).toEqual(['【连心】Language set to English. Reply STOP to stop.']);
    expect(outcome.contactChanges).toEqual({ language: 'en', stopHintWeek: WEEK });
  });

  it('is not added to the opt-out confirmation', () => {
    const outcome = turn('STOP', { contact: grandmother({ stopHintWeek: undefined }) });
    expect(outcome.replies).toEqual(['【连心】您已退订，不会再收到消息。回复“订阅”可恢复。']);
    expect(outcome.contactChanges).toEqual({ optedOut: true });
  });

  it('is added on opting back in', () => {
    const outcome = turn('START', { contact: grandmother({ optedOut: true, stopHintWeek: '2026-W40' }) });
    expect(outcome.replies[0]?.endsWith('回复TD退订')).toBe(true);
    expect(outcome.contactChanges).toEqual({ optedOut: false, stopHintWeek: WEEK });
  });
});

describe('purity', () => {
  it('the same turn computes the same outcome, and leaves its input untouched', () => {
    const contact = grandmother();
    const open = session({ stepId: 'mood' });
    const before = JSON.stringify({ contact, open });
    const a = turn('4', { contact, session: open });
    const b = turn('4', { contact, session: open });
    expect(b).toEqual(a);
    expect(JSON.stringify({ contact, open })).toBe(before);
  });

  it('never returns undefined-valued keys (the store writes records as they are)', () => {
    const outcomes = [
      turn('0', { session: session({ stepId: 'message' }) }),
      turn('x', { session: session({ stepId: 'mood', attempts: 2 }) }),
      turn('你好'),
      turn('STOP'),
    ];
    for (const o of outcomes) {
      for (const record of [...o.answers, o.contactChanges]) {
        expect(Object.values(record)).not.toContain(undefined);
      }
    }
  });
});

describe('unregisteredReply', () => {
  it('says in both languages that the number is not registered', () => {
    const reply = unregisteredReply();
    expect(reply.startsWith('【连心】')).toBe(true);
    expect(reply).toMatch(/未在连心登记.*not registered with lianxin/);
  });
});

describe('a phone that auto-answers every message', () => {
  it('gets one idle reply, then silence for a while, so the two cannot ping-pong', () => {
    const run = converse(["I'm driving, I'll reply later", "I'm driving, I'll reply later", 'hello']);
    expect(run.replies[0]).toHaveLength(1);
    expect(run.replies[1]).toEqual([]);
    expect(run.replies[2]).toEqual([]);
    expect(run.outcomes[0]?.contactChanges.lastIdleReplyAt).toBe(WEDNESDAY.toISOString());
  });

  it('answers idly again once the quiet window has passed, and keywords are never silenced', () => {
    const first = turn('hello');
    const person = grandmother({ ...first.contactChanges });
    expect(
      turn('hello', { contact: person, now: new Date(WEDNESDAY.getTime() + 5 * 60_000) }).replies,
    ).toEqual([]);
    expect(
      turn('帮助', { contact: person, now: new Date(WEDNESDAY.getTime() + 5 * 60_000) }).replies,
    ).toHaveLength(1);
    expect(
      turn('hello', { contact: person, now: new Date(WEDNESDAY.getTime() + 11 * 60_000) }).replies,
    ).toHaveLength(1);
  });
});
