// A carer still answering at the Sunday 20:00 deadline: the tick must not close the week under her
// fingers (record it missed, tell the parents "no check-in came", and so drop the real update that
// shares its key). It waits while she answers, and closes as missed once she has stopped.
import { describe, expect, it } from 'vitest';
import { type WeeklyRhythmWorld, weeklyRhythmWorld } from '#tests/support/weekly-rhythm.ts';

const LI_NAINAI = '+8613800000001';
const LI_BABA = '+8613900000001';
const LI_MAMA = '+8613900000002';
const ZHANG_BABA = '+8613900000003';
const at = (local: string) => new Date(`${local}+08:00`);
/** All twelve answers for 李奶奶's two grandchildren: 小明 3 days and happy, 小红 5 days and OK. */
const LI_ANSWERS = ['3', '1', '1', '1', '1', '0', '5', '2', '1', '1', '2', '0'];

/** W49 done on time up to Sunday evening: invitations Saturday, reminders Sunday morning; nobody answered. */
async function sundayEvening(): Promise<WeeklyRhythmWorld> {
  const world = await weeklyRhythmWorld({ start: at('2026-11-30T00:00').toISOString() });
  for (const local of [
    '2026-11-30T00:00',
    '2026-12-04T12:00',
    '2026-12-04T16:00',
    '2026-12-05T10:00',
    '2026-12-05T18:00',
    '2026-12-06T10:00',
  ]) {
    world.clock.set(at(local));
    await world.tick();
  }
  world.sent.length = 0;
  return world;
}

/** 李奶奶 texts these answers from `local` on, one a minute. */
async function answers(world: WeeklyRhythmWorld, local: string, lines: string[]): Promise<void> {
  world.clock.set(at(local));
  for (const line of lines) {
    await world.text(LI_NAINAI, line);
    world.clock.advance(60_000);
  }
}

async function tickAt(world: WeeklyRhythmWorld, local: string) {
  world.clock.set(at(local));
  return world.tick();
}

const toLiParents = (world: WeeklyRhythmWorld) =>
  world.sent.filter((s) => s.to === LI_BABA || s.to === LI_MAMA).map((s) => `${s.at} ${s.body}`);

describe('a carer answering at the deadline', () => {
  it('is not closed under her fingers: she finishes at 20:10 and the parents get the real update, not "missed"', async () => {
    const world = await sundayEvening();
    await answers(world, '2026-12-06T19:55', LI_ANSWERS.slice(0, 5));
    await tickAt(world, '2026-12-06T20:00');
    // 张奶奶 never answered: her week closes on time. 李奶奶's waits.
    expect(world.sent.map((s) => `${s.at} ${s.to}`)).toEqual([`12-06 Sun 20:00 ${ZHANG_BABA}`]);
    expect((await world.checkins.getCheckin('child-xiaoming', '2026-W49'))?.status).toBe('in-progress');

    await answers(world, '2026-12-06T20:04', LI_ANSWERS.slice(5));
    for (const local of ['2026-12-06T20:15', '2026-12-06T20:45', '2026-12-06T22:00', '2026-12-07T09:00']) {
      await tickAt(world, local);
    }
    expect(toLiParents(world).sort()).toEqual(
      [LI_BABA, LI_MAMA]
        .flatMap(() => [
          '12-06 Sun 20:15 【连心】小明本周：去儿童之家3天，心情很开心，上学很好，身体健康。回复留言，我们转告孩子。',
          '12-06 Sun 20:15 【连心】小红本周：去儿童之家5天，心情还好，上学很好，身体健康。回复留言，我们转告孩子。',
        ])
        .sort(),
    );
    for (const child of ['child-xiaoming', 'child-xiaohong']) {
      const checkin = await world.checkins.getCheckin(child, '2026-W49');
      expect(checkin?.status).toBe('completed');
      expect(checkin?.missedAt).toBeUndefined();
    }
    // The week is closed all the same, and not held against her.
    expect(await world.outboundItems()).not.toContainEqual(
      expect.objectContaining({ body: expect.stringContaining('没有收到小明') }),
    );
  });

  it('closes the week as missed once she has stopped answering (half an hour after her last answer)', async () => {
    const world = await sundayEvening();
    await answers(world, '2026-12-06T19:55', LI_ANSWERS.slice(0, 2));
    await tickAt(world, '2026-12-06T20:00');
    await tickAt(world, '2026-12-06T20:20');
    expect(toLiParents(world)).toEqual([]);
    expect((await world.checkins.getCheckin('child-xiaoming', '2026-W49'))?.status).toBe('in-progress');

    // Her last answer was at 19:56: at 20:26 the wait is over.
    await tickAt(world, '2026-12-06T20:30');
    expect(toLiParents(world).sort()).toEqual(
      [LI_BABA, LI_MAMA]
        .flatMap(() => [
          '12-06 Sun 20:30 【连心】本周没有收到小明的签到。回复留言，我们转告孩子。',
          '12-06 Sun 20:30 【连心】本周没有收到小红的签到。回复留言，我们转告孩子。',
        ])
        .sort(),
    );
    expect(await world.checkins.getCheckin('child-xiaoming', '2026-W49')).toMatchObject({
      status: 'missed',
      missedReason: 'no-answer',
    });
    await tickAt(world, '2026-12-06T21:00');
    expect(toLiParents(world)).toHaveLength(4);
  });
});
