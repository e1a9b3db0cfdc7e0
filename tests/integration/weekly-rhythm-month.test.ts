// THE month test: four weeks of December 2026 for the demo roster on a manual clock, through the
// real SMS webhook handler (every reply a carer or parent sends), the real scheduler tick (every
// hour) and the real send path (in-process queue, send worker) on DynamoDB Local. It asserts every
// message that went out, to whom and when — a pause week, missed weeks, a late answer, quiet
// hours, a carer who stops mid-month — and what was stored.

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChildMessageRepository } from '#lib/store/conversation/child-message-repository.ts';
import { keys } from '#lib/store/keys.ts';
import { CoordinatorTaskRepository } from '#lib/store/tasks/coordinator-task-repository.ts';
import { type Sent, type WeeklyRhythmWorld, weeklyRhythmWorld } from '#tests/support/weekly-rhythm.ts';

const LI_NAINAI = '+8613800000001';
const ZHANG_NAINAI = '+8613800000002';
const MRS_CHEN = '+8613800000003';
const LI_BABA = '+8613900000001';
const LI_MAMA = '+8613900000002';
const ZHANG_BABA = '+8613900000003';
const WANG_LAOSHI = '+8613700000001';
const HOUR = 3_600_000;

/** All twelve answers for 李奶奶's two grandchildren: 小明 3 days and happy, 小红 5 days and OK. */
const LI_ANSWERS = ['3', '1', '1', '1', '1', '0', '5', '2', '1', '1', '2', '0'];

/** Who texts what, when (Shanghai time); each line a minute after the one before. */
const TEXTS: [string, string, string[]][] = [
  ['2026-12-03T19:30', MRS_CHEN, ['5', '1', '2', '1', 'yes', 'skip']],
  ['2026-12-04T12:10', LI_BABA, ['1', '小明要听奶奶的话']],
  ['2026-12-04T16:30', ZHANG_BABA, ['2']],
  ['2026-12-05T10:20', LI_NAINAI, LI_ANSWERS],
  ['2026-12-10T19:05', MRS_CHEN, ['STOP']],
  // Monday of the paused week, before her session (opened Saturday 10:00, 48 h) closes: W50's answers.
  ['2026-12-14T09:00', LI_NAINAI, LI_ANSWERS],
  ['2026-12-16T20:00', LI_MAMA, ['小红生日快乐！妈妈爱你']],
  ['2026-12-25T12:30', LI_MAMA, ['1']],
  ['2026-12-26T21:30', LI_NAINAI, LI_ANSWERS],
  ['2026-12-27T11:00', ZHANG_NAINAI, ['4', '2', '2', '1', '1', '0']],
];

const EXPECTED: [string, string, string][] = [
  // W49: Mrs Chen on her own Thursday 19:00; the parents on Friday (张伟爸爸 after his quiet hours, 08–16);
  // 李奶奶 answers at 10:20, so the parents hear at the next tick; 张奶奶 does not answer: reminder, missed.
  [
    '12-03 Thu 19:00',
    MRS_CHEN,
    "【连心】Hello Mrs Chen! This week's check-in: first, Lele. How many days did Lele go to the Children's Centre this week? Reply 0-7. Reply STOP to stop.",
  ],
  [
    '12-04 Fri 12:00',
    LI_BABA,
    '【连心】小明爸爸您好！这周您和小明、小红通话了吗？回复1通话了，2还没有。回复TD退订',
  ],
  [
    '12-04 Fri 12:00',
    LI_MAMA,
    '【连心】小明妈妈您好！这周您和小明、小红通话了吗？回复1通话了，2还没有。回复TD退订',
  ],
  [
    '12-04 Fri 16:00',
    ZHANG_BABA,
    '【连心】张伟爸爸您好！这周您和张伟通话了吗？回复1通话了，2还没有。回复TD退订',
  ],
  [
    '12-05 Sat 10:00',
    LI_NAINAI,
    '【连心】李奶奶您好！本周签到：先说说小明。本周小明去了儿童之家几天？回复0-7。回复TD退订',
  ],
  [
    '12-05 Sat 10:00',
    ZHANG_NAINAI,
    '【连心】张奶奶您好！本周签到：先说说张伟。本周张伟去了儿童之家几天？回复0-7。回复TD退订',
  ],
  [
    '12-05 Sat 11:00',
    LI_BABA,
    '【连心】小明本周：去儿童之家3天，心情很开心，上学很好，身体健康。本周活动：剪纸、作业辅导。回复留言，我们转告孩子。',
  ],
  [
    '12-05 Sat 11:00',
    LI_BABA,
    '【连心】小红本周：去儿童之家5天，心情还好，上学很好，身体健康。本周活动：剪纸、作业辅导。回复留言，我们转告孩子。',
  ],
  [
    '12-05 Sat 11:00',
    LI_MAMA,
    '【连心】小明本周：去儿童之家3天，心情很开心，上学很好，身体健康。本周活动：剪纸、作业辅导。回复留言，我们转告孩子。',
  ],
  [
    '12-05 Sat 11:00',
    LI_MAMA,
    '【连心】小红本周：去儿童之家5天，心情还好，上学很好，身体健康。本周活动：剪纸、作业辅导。回复留言，我们转告孩子。',
  ],
  ['12-05 Sat 18:00', LI_MAMA, '【连心】周末到了，给小明、小红打个电话吧，孩子盼着听到您的声音。'],
  ['12-05 Sat 18:00', ZHANG_BABA, '【连心】周末到了，给张伟打个电话吧，孩子盼着听到您的声音。'],
  [
    '12-06 Sun 10:00',
    ZHANG_NAINAI,
    '【连心】提醒：本周签到还没完成，直接回复就能接着答。本周张伟去了儿童之家几天？回复0-7',
  ],
  [
    '12-06 Sun 20:00',
    ZHANG_BABA,
    '【连心】本周没有收到张伟的签到。本周活动：剪纸、作业辅导。回复留言，我们转告孩子。',
  ],
  // W50: Mrs Chen stops mid-month (no reminder, no more invitations); nobody answers: nudges, reminders,
  // and at the deadline 张奶奶's second missed week in a row raises a task. 李奶奶 answers late (Monday):
  // the week is completed after the deadline, and the parents are not told twice.
  [
    '12-10 Thu 19:00',
    MRS_CHEN,
    "【连心】Hello Mrs Chen! This week's check-in: first, Lele. How many days did Lele go to the Children's Centre this week? Reply 0-7. Reply STOP to stop.",
  ],
  [
    '12-11 Fri 12:00',
    LI_BABA,
    '【连心】小明爸爸您好！这周您和小明、小红通话了吗？回复1通话了，2还没有。回复TD退订',
  ],
  [
    '12-11 Fri 12:00',
    LI_MAMA,
    '【连心】小明妈妈您好！这周您和小明、小红通话了吗？回复1通话了，2还没有。回复TD退订',
  ],
  [
    '12-11 Fri 16:00',
    ZHANG_BABA,
    '【连心】张伟爸爸您好！这周您和张伟通话了吗？回复1通话了，2还没有。回复TD退订',
  ],
  [
    '12-12 Sat 10:00',
    LI_NAINAI,
    '【连心】李奶奶您好！本周签到：先说说小明。本周小明去了儿童之家几天？回复0-7。回复TD退订',
  ],
  [
    '12-12 Sat 10:00',
    ZHANG_NAINAI,
    '【连心】张奶奶您好！本周签到：先说说张伟。本周张伟去了儿童之家几天？回复0-7。回复TD退订',
  ],
  ['12-12 Sat 18:00', LI_BABA, '【连心】周末到了，给小明、小红打个电话吧，孩子盼着听到您的声音。'],
  ['12-12 Sat 18:00', LI_MAMA, '【连心】周末到了，给小明、小红打个电话吧，孩子盼着听到您的声音。'],
  ['12-12 Sat 18:00', ZHANG_BABA, '【连心】周末到了，给张伟打个电话吧，孩子盼着听到您的声音。'],
  [
    '12-13 Sun 10:00',
    LI_NAINAI,
    '【连心】提醒：本周签到还没完成，直接回复就能接着答。本周小明去了儿童之家几天？回复0-7',
  ],
  [
    '12-13 Sun 10:00',
    ZHANG_NAINAI,
    '【连心】提醒：本周签到还没完成，直接回复就能接着答。本周张伟去了儿童之家几天？回复0-7',
  ],
  [
    '12-13 Sun 20:00',
    WANG_LAOSHI,
    '【连心】待办T1：张奶奶已连续两周没有完成张伟的签到。请联系：+8613800000002。回复“收到 T1”确认。',
  ],
  ['12-13 Sun 20:00', LI_BABA, '【连心】本周没有收到小明的签到。本周活动：包饺子。回复留言，我们转告孩子。'],
  ['12-13 Sun 20:00', LI_BABA, '【连心】本周没有收到小红的签到。本周活动：包饺子。回复留言，我们转告孩子。'],
  ['12-13 Sun 20:00', LI_MAMA, '【连心】本周没有收到小明的签到。本周活动：包饺子。回复留言，我们转告孩子。'],
  ['12-13 Sun 20:00', LI_MAMA, '【连心】本周没有收到小红的签到。本周活动：包饺子。回复留言，我们转告孩子。'],
  [
    '12-13 Sun 20:00',
    ZHANG_BABA,
    '【连心】本周没有收到张伟的签到。本周活动：包饺子。回复留言，我们转告孩子。',
  ],
  // No coordinator acknowledged 张奶奶's task within a day: it is escalated to every coordinator, once.
  // (Mrs Chen's task, raised 12-27 20:00, would escalate on 12-28, after the month ends.)
  [
    '12-14 Mon 20:00',
    WANG_LAOSHI,
    '【连心】待办T1已超过24小时无人确认：张奶奶已连续两周没有完成张伟的签到。请今天联系：+8613800000002。回复“收到 T1”确认。',
  ],
  // W51 is paused by the Centre: nothing at all. W52: 小明妈妈 said she talked (no nudge); 李奶奶 answers at
  // 21:30, inside quiet hours, so her update waits for 08:00; 张奶奶 answers after the reminder (no consent
  // given: the update says only that she checked in), held until 张伟爸爸's quiet hours end; Mrs Chen's
  // second missed week (opted out, the pause week between does not count) raises a task.
  [
    '12-25 Fri 12:00',
    LI_BABA,
    '【连心】小明爸爸您好！这周您和小明、小红通话了吗？回复1通话了，2还没有。回复TD退订',
  ],
  // W51 is paused by the Centre: nothing at all. W52: 小明妈妈 said she talked (no nudge); 李奶奶 answers at
  // 21:30, inside quiet hours, so her update waits for 08:00; 张奶奶 answers after the reminder (no consent
  // given: the update says only that she checked in), held until 张伟爸爸's quiet hours end; Mrs Chen's
  // second missed week (opted out, the pause week between does not count) raises a task.
  [
    '12-25 Fri 12:00',
    LI_MAMA,
    '【连心】小明妈妈您好！这周您和小明、小红通话了吗？回复1通话了，2还没有。回复TD退订',
  ],
  // W51 is paused by the Centre: nothing at all. W52: 小明妈妈 said she talked (no nudge); 李奶奶 answers at
  // 21:30, inside quiet hours, so her update waits for 08:00; 张奶奶 answers after the reminder (no consent
  // given: the update says only that she checked in), held until 张伟爸爸's quiet hours end; Mrs Chen's
  // second missed week (opted out, the pause week between does not count) raises a task.
  [
    '12-25 Fri 16:00',
    ZHANG_BABA,
    '【连心】张伟爸爸您好！这周您和张伟通话了吗？回复1通话了，2还没有。回复TD退订',
  ],
  [
    '12-26 Sat 10:00',
    LI_NAINAI,
    '【连心】李奶奶您好！本周签到：先说说小明。本周小明去了儿童之家几天？回复0-7。回复TD退订',
  ],
  [
    '12-26 Sat 10:00',
    ZHANG_NAINAI,
    '【连心】张奶奶您好！本周签到：先说说张伟。本周张伟去了儿童之家几天？回复0-7。回复TD退订',
  ],
  ['12-26 Sat 18:00', LI_BABA, '【连心】周末到了，给小明、小红打个电话吧，孩子盼着听到您的声音。'],
  ['12-26 Sat 18:00', ZHANG_BABA, '【连心】周末到了，给张伟打个电话吧，孩子盼着听到您的声音。'],
  [
    '12-27 Sun 08:00',
    LI_BABA,
    '【连心】小明本周：去儿童之家3天，心情很开心，上学很好，身体健康。本周活动：新年手工、作业辅导。回复留言，我们转告孩子。',
  ],
  [
    '12-27 Sun 08:00',
    LI_BABA,
    '【连心】小红本周：去儿童之家5天，心情还好，上学很好，身体健康。本周活动：新年手工、作业辅导。回复留言，我们转告孩子。',
  ],
  [
    '12-27 Sun 08:00',
    LI_MAMA,
    '【连心】小明本周：去儿童之家3天，心情很开心，上学很好，身体健康。本周活动：新年手工、作业辅导。回复留言，我们转告孩子。',
  ],
  [
    '12-27 Sun 08:00',
    LI_MAMA,
    '【连心】小红本周：去儿童之家5天，心情还好，上学很好，身体健康。本周活动：新年手工、作业辅导。回复留言，我们转告孩子。',
  ],
  [
    '12-27 Sun 10:00',
    ZHANG_NAINAI,
    '【连心】提醒：本周签到还没完成，直接回复就能接着答。本周张伟去了儿童之家几天？回复0-7',
  ],
  [
    '12-27 Sun 16:00',
    ZHANG_BABA,
    '【连心】张伟本周已签到。本周活动：新年手工、作业辅导。回复留言，我们转告孩子。',
  ],
  [
    '12-27 Sun 20:00',
    WANG_LAOSHI,
    '【连心】待办T2：Mrs Chen（已退订消息）已连续两周没有完成Lele的签到。请联系：+8613800000003。回复“收到 T2”确认。',
  ],
];

const local = (at: string) => new Date(`${at}+08:00`).getTime();
const order = (a: [string, string, string], b: [string, string, string]) =>
  a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]) || a[2].localeCompare(b[2]);

let world: WeeklyRhythmWorld;
const replies = new Map<string, string[]>();

beforeAll(async () => {
  world = await weeklyRhythmWorld({ start: '2026-11-30T00:00:00+08:00' });
  const centreId = 'centre-shimen';
  for (const [activityId, title, date] of [
    ['a1', '剪纸', '2026-12-02'],
    ['a2', '作业辅导', '2026-12-03'],
    ['a3', '包饺子', '2026-12-09'],
    ['a4', '新年手工', '2026-12-23'],
    ['a5', '作业辅导', '2026-12-24'],
  ] as const) {
    await world.calendar.postActivity({ centreId, activityId, title, date });
  }
  await world.calendar.pauseWeek({ centreId, week: '2026-W51', reason: '期末复习，暂停一周' });

  // Hour by hour: the tick (and the send worker), then whatever people text within that hour.
  const end = local('2026-12-28T00:00');
  for (let hour = world.clock.now().getTime(); hour < end; hour += HOUR) {
    world.clock.set(new Date(hour));
    await world.tick();
    for (const [at, from, lines] of TEXTS) {
      if (local(at) < hour || local(at) >= hour + HOUR) continue;
      world.clock.set(new Date(local(at)));
      const got: string[] = [];
      for (const line of lines) {
        got.push(...(await world.text(from, line)));
        world.clock.advance(60_000);
      }
      replies.set(`${at} ${from}`, got);
    }
  }
  // A bound, not a measure: the month takes seconds on a quiet machine, minutes on a busy one.
}, 300_000);

describe('a month of the weekly rhythm', () => {
  it('sends exactly these messages, to these people, at these times', () => {
    const sent = world.sent.map((s: Sent): [string, string, string] => [s.at, s.to, s.body]).sort(order);
    expect(sent).toEqual([...EXPECTED].sort(order));
  });

  it('sent every message it enqueued: nothing expired, suppressed or blocked', async () => {
    const items = await world.outboundItems();
    expect(items.filter((m) => m.status !== 'sent').map((m) => `${m.key} ${m.status}`)).toEqual([]);
    expect(items).toHaveLength(EXPECTED.length);
    // Mrs Chen stopped before her reminder was due: it was never even enqueued.
    expect(items.map((m) => m.key)).not.toContain('reminder#contact-chen-mum#2026-W50');
  });

  it('answered the invitations directly: the first reply is the second question', () => {
    expect(replies.get(`2026-12-05T10:20 ${LI_NAINAI}`)?.[0]).toBe(
      '【连心】好的。小明这周心情怎么样？1很开心 2还好 3不太开心 4很难过',
    );
    expect(replies.get(`2026-12-03T19:30 ${MRS_CHEN}`)?.at(-1)).toBe(
      "【连心】Thank you! This week's check-in is done.",
    );
    expect(replies.get(`2026-12-10T19:05 ${MRS_CHEN}`)).toEqual([
      '【连心】You have unsubscribed and will get no more messages. Reply START to resume.',
    ]);
  });

  it('records each week of each child: completed, missed, or completed late after being missed', async () => {
    const status = async (child: string, week: string) => {
      const c = await world.checkins.getCheckin(child, week);
      return c ? `${c.status}${c.missedAt ? ` (missed ${c.missedReason})` : ''}` : 'none';
    };
    const weeks = ['2026-W49', '2026-W50', '2026-W51', '2026-W52'];
    const table: Record<string, string[]> = {};
    for (const child of ['child-xiaoming', 'child-xiaohong', 'child-zhangwei', 'child-lele']) {
      table[child] = await Promise.all(weeks.map((w) => status(child, w)));
    }
    expect(table).toEqual({
      'child-xiaoming': ['completed', 'completed (missed no-answer)', 'none', 'completed'],
      'child-xiaohong': ['completed', 'completed (missed no-answer)', 'none', 'completed'],
      'child-zhangwei': ['missed (missed no-answer)', 'missed (missed no-answer)', 'none', 'completed'],
      'child-lele': ['completed', 'missed (missed opted-out)', 'none', 'missed (missed opted-out)'],
    });
    const late = await world.checkins.getCheckin('child-xiaoming', '2026-W50');
    expect(late?.answers.attendance?.value).toBe(3);
    expect(late?.completedAt).toBe(new Date(local('2026-12-14T09:05')).toISOString());
  });

  it('raised two tasks for the coordinators, one per run of two missed weeks', async () => {
    const tasks = new CoordinatorTaskRepository({
      client: world.table.client,
      tableName: world.table.tableName,
    });
    const open = await tasks.list('centre-shimen', 'open');
    expect(open.map((t) => [t.contactName, t.childNames, t.weeks, t.optedOut])).toEqual([
      ['Mrs Chen', ['Lele'], ['2026-W50', '2026-W52'], true],
      ['张奶奶', ['张伟'], ['2026-W49', '2026-W50'], false],
    ]);
  });

  it('kept the parents’ messages for the children, for the Centre to pass on', async () => {
    const messages = new ChildMessageRepository({
      client: world.table.client,
      tableName: world.table.tableName,
    });
    const list = await messages.list('centre-shimen', 'new');
    expect(list.map((m) => [m.fromName, m.children.map((c) => c.name), m.text, m.week])).toEqual([
      ['小明爸爸', ['小明'], '小明要听奶奶的话', '2026-W49'],
      ['小明妈妈', ['小红'], '小红生日快乐！妈妈爱你', '2026-W51'],
    ]);
    expect(replies.get(`2026-12-16T20:00 ${LI_MAMA}`)).toEqual([
      '【连心】收到，我们会把您的话转告小红。回复TD退订',
    ]);
    const first = list[0];
    if (!first) throw new Error('no message');
    expect(
      await messages.markDelivered(
        'centre-shimen',
        first.messageKey,
        'contact-wang-laoshi',
        world.clock.now(),
      ),
    ).toBe(true);
    expect(
      await messages.markDelivered(
        'centre-shimen',
        first.messageKey,
        'contact-wang-laoshi',
        world.clock.now(),
      ),
    ).toBe(false);
    expect((await messages.list('centre-shimen', 'new')).map((m) => m.fromName)).toEqual(['小明妈妈']);
  });

  it("kept the parents' answers to “did you talk with your child?”", async () => {
    const talked = async (contactId: string, week: string) =>
      (
        await world.table.client.send(
          new GetCommand({ TableName: world.table.tableName, Key: keys.parentWeek(contactId, week) }),
        )
      ).Item?.talked;
    expect(await talked('contact-li-baba', '2026-W49')).toBe(true);
    expect(await talked('contact-zhang-baba', '2026-W49')).toBe(false);
    expect(await talked('contact-li-mama', '2026-W52')).toBe(true);
    expect(await talked('contact-li-mama', '2026-W49')).toBeUndefined();
  });
});
