// A carer corrects a week whose parents' update already went out (issue 16): no second update; the
// next week's update says what changed, only for what she agreed to share. The real SMS webhook,
// the real scheduler tick and send path on DynamoDB Local, on one manual clock.
import { describe, expect, it } from 'vitest';
import { type WeeklyRhythmWorld, weeklyRhythmWorld } from '#tests/support/weekly-rhythm.ts';

const GRANDMOTHER = '+8613800000001';
const BABA = '+8613900000001';
const MAMA = '+8613900000002';
// Saturday 10:00 in Shanghai, ISO week 2026-W49.
const START = '2026-12-05T02:00:00Z';

/** 小明: attendance, mood, school, health, parent contact, a message; then 小红 the same way. */
const run = (xiaomingMood: string) => [
  '3',
  xiaomingMood,
  '1',
  '1',
  '1',
  '一切都好',
  '2',
  '1',
  '1',
  '1',
  '1',
  '0',
];

async function say(world: WeeklyRhythmWorld, ...bodies: string[]): Promise<void> {
  for (const body of bodies) {
    world.clock.advance(60_000);
    await world.text(GRANDMOTHER, body);
  }
}

const toParents = (world: WeeklyRhythmWorld, child: string) =>
  world.sent.filter((s) => (s.to === BABA || s.to === MAMA) && s.body.includes(child));

describe('a correction after the parents were told', () => {
  it('is not a second update; the next update says what changed, once', async () => {
    const world = await weeklyRhythmWorld({ start: START });
    await say(world, '签到', ...run('1'));
    await world.tick();
    const firstUpdates = toParents(world, '小明本周');
    expect(firstUpdates.map((s) => s.to).sort()).toEqual([BABA, MAMA]);
    expect(firstUpdates[0]?.body).toContain('心情很开心');
    expect((await world.checkins.getCheckin('child-xiaoming', '2026-W49'))?.digestAt).toEqual(
      expect.any(String),
    );

    // An hour later she corrects it: 小明 was not very happy after all.
    world.clock.advance(3_600_000);
    await say(world, '签到', '１', ...run('3'));
    const corrected = await world.checkins.getCheckin('child-xiaoming', '2026-W49');
    expect(corrected?.answers.mood?.value).toBe(3);
    const before = world.sent.length;
    await world.tick();
    world.clock.advance(3_600_000);
    await world.tick();
    // No second update for the week, to either parent.
    expect(world.sent.slice(before).filter((s) => s.to === BABA || s.to === MAMA)).toEqual([]);
    expect(
      (await world.outboundItems()).filter((m) => m.key.startsWith('digest#child-xiaoming#2026-W49#')),
    ).toHaveLength(2);

    // Next Saturday: the week's check-in, and its update says last week was corrected.
    world.clock.set(new Date('2026-12-12T02:00:00Z'));
    await world.tick();
    const sentBefore = world.sent.length;
    await say(world, '签到', ...run('2'));
    await world.tick();
    const next = world.sent.slice(sentBefore).filter((s) => s.to === BABA || s.to === MAMA);
    const xiaoming = next.filter((s) => s.body.includes('小明本周'));
    expect(xiaoming.map((s) => s.to).sort()).toEqual([BABA, MAMA]);
    for (const update of xiaoming) {
      expect(update.body).toContain('小明本周：去儿童之家3天，心情还好');
      expect(update.body).toContain('上周更正：心情不太开心。');
    }
    // 小红's answers were given again unchanged: nothing to correct in her update.
    const xiaohong = next.filter((s) => s.body.includes('小红本周'));
    expect(xiaohong).toHaveLength(2);
    for (const update of xiaohong) expect(update.body).not.toContain('更正');

    // The week after, it is not said again.
    world.clock.set(new Date('2026-12-19T02:00:00Z'));
    await world.tick();
    const thirdBefore = world.sent.length;
    await say(world, '签到', ...run('2'));
    await world.tick();
    const third = world.sent.slice(thirdBefore).filter((s) => s.to === BABA || s.to === MAMA);
    expect(third.filter((s) => s.body.includes('小明本周'))).toHaveLength(2);
    for (const update of third) expect(update.body).not.toContain('更正');
  });

  it('a correction before the update went out: the update has the final answers, and nothing is said later', async () => {
    const world = await weeklyRhythmWorld({ start: START });
    await say(world, '签到', ...run('1'), '签到', '１', ...run('4'));
    await world.tick();
    const updates = toParents(world, '小明本周');
    expect(updates).toHaveLength(2);
    for (const update of updates) expect(update.body).toContain('心情很难过');

    world.clock.set(new Date('2026-12-12T02:00:00Z'));
    await world.tick();
    const before = world.sent.length;
    await say(world, '签到', ...run('1'));
    await world.tick();
    const next = world.sent.slice(before).filter((s) => s.body.includes('小明本周'));
    expect(next).toHaveLength(2);
    for (const update of next) expect(update.body).not.toContain('更正');
  });
});
