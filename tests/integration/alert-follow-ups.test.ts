// An alert's follow-ups through the real SMS webhook and the real scheduler tick: coordinators are
// told even when the turn's own notification fails, and an alert no one acknowledges in a day is
// escalated, once, to every coordinator of the Centre.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { isoWeekOf } from '#lib/domain/iso-week.ts';
import { keys } from '#lib/store/keys.ts';
import { CoordinatorWorkRepository } from '#lib/store/tasks/coordinator-work-repository.ts';
import { type WeeklyRhythmWorld, weeklyRhythmWorld } from '#tests/support/weekly-rhythm.ts';

const LI_NAINAI = '+8613800000001';
const WANG_LAOSHI = '+8613700000001';
const LIU_LAOSHI = '+8613700000002';
const COORDINATORS = [WANG_LAOSHI, LIU_LAOSHI];
const MINUTE = 60_000;
/** Monday 10:00 in Shanghai: nothing of the weekly rhythm is due for hours. */
const RAISED_AT = new Date('2026-11-30T10:00+08:00');
const WEEK = isoWeekOf(RAISED_AT);
const XIAOMING_MOOD = `child-xiaoming#${WEEK}#mood`;
const XIAOHONG_SCHOOL = `child-xiaohong#${WEEK}#school`;

interface Raised {
  world: WeeklyRhythmWorld;
  /** What the coordinators were sent since the last call. */
  toCoordinators(): WeeklyRhythmWorld['sent'];
  alertItem(alertId: string): Promise<Record<string, unknown> | undefined>;
}

/**
 * A world of its own for each test (they run in any order): 李奶奶's answers raise two alerts, and
 * the process "dies" between the commit and the notification, so coordinators are not told.
 */
async function alertsRaised(): Promise<Raised> {
  let notifyAttempts = 0;
  const world = await weeklyRhythmWorld({
    start: RAISED_AT.toISOString(),
    webhookOverrides: {
      alerts: {
        notify: async () => {
          notifyAttempts++;
          throw new Error('simulated crash after the commit');
        },
      },
    },
  });
  let seen = 0;
  const toCoordinators = () => {
    const fresh = world.sent.slice(seen);
    seen = world.sent.length;
    return fresh.filter((m) => COORDINATORS.includes(m.to));
  };
  const alertItem = async (alertId: string) => {
    const output = await world.table.client.send(
      new GetCommand({ TableName: world.table.tableName, Key: keys.centreAlert('centre-shimen', alertId) }),
    );
    return output.Item;
  };
  await world.roster.putContact({
    contactId: 'contact-liu-laoshi',
    centreId: 'centre-shimen',
    name: '刘老师',
    role: 'coordinator',
    language: 'zh-CN',
    addresses: [{ channel: 'sms', address: LIU_LAOSHI }],
  });
  await world.tick(); // plans the schedules
  // 小明: very sad (an alert); 小红: did not go to school (another).
  for (const answer of ['签到', '3', '4', '1', '1', '1', '跳过', '3', '1', '4', '1', '1', '跳过']) {
    await world.text(LI_NAINAI, answer);
  }
  expect(notifyAttempts).toBe(2);
  expect(await alertItem(XIAOMING_MOOD)).toMatchObject({ status: 'open' });
  expect(await alertItem(XIAOHONG_SCHOOL)).toMatchObject({ status: 'open' });
  toCoordinators();
  return { world, toCoordinators, alertItem };
}

// Each test builds its world and runs a day of ticks: seconds on a quiet machine, a bound to match a busy one.
describe("an alert's follow-ups", { timeout: 120_000 }, () => {
  it('tells every coordinator at the first tick 2 minutes on, though the turn could not, and only once', async () => {
    const { world, toCoordinators } = await alertsRaised();
    world.clock.set(new Date(RAISED_AT.getTime() + MINUTE));
    await world.tick();
    expect(toCoordinators()).toEqual([]);

    world.clock.set(new Date(RAISED_AT.getTime() + 3 * MINUTE));
    await world.tick();
    const told = toCoordinators();
    expect(told.map((m) => m.to).sort()).toEqual([WANG_LAOSHI, WANG_LAOSHI, LIU_LAOSHI, LIU_LAOSHI].sort());
    expect(told.filter((m) => m.body.includes('小明这周很难过'))).toHaveLength(2);
    expect(told.filter((m) => m.body.includes('小红这周没去上学'))).toHaveLength(2);

    world.clock.set(new Date(RAISED_AT.getTime() + 10 * MINUTE));
    await world.tick();
    expect(toCoordinators()).toEqual([]);
  });

  it('escalates to every coordinator, once, only the alert no one acknowledged within 24 h', async () => {
    const { world, toCoordinators, alertItem } = await alertsRaised();
    // The first tick after the alerts told the coordinators (the test above): that is not escalation.
    world.clock.set(new Date(RAISED_AT.getTime() + 3 * MINUTE));
    await world.tick();
    expect(toCoordinators()).toHaveLength(4);
    const work = new CoordinatorWorkRepository({
      client: world.table.client,
      tableName: world.table.tableName,
    });
    const acknowledged = new Date(RAISED_AT.getTime() + 5 * 60 * MINUTE);
    expect(
      await work.acknowledge(
        'alert',
        'centre-shimen',
        XIAOMING_MOOD,
        'contact-wang-laoshi',
        '已电话',
        acknowledged,
      ),
    ).toBe('done');

    world.clock.set(new Date(RAISED_AT.getTime() + 24 * 60 * MINUTE - MINUTE));
    await world.tick();
    expect(toCoordinators()).toEqual([]);

    world.clock.set(new Date(RAISED_AT.getTime() + 24 * 60 * MINUTE + 5 * MINUTE));
    await world.tick();
    const escalated = toCoordinators();
    expect(escalated.map((m) => m.to).sort()).toEqual([...COORDINATORS].sort());
    for (const m of escalated)
      expect(m.body).toMatch(/^【连心】提醒A\d+已超过24小时无人确认：.*小红这周没去上学/);
    expect((await alertItem(XIAOHONG_SCHOOL))?.escalatedAt).toBe(
      new Date(RAISED_AT.getTime() + 24 * 60 * MINUTE + 5 * MINUTE).toISOString(),
    );
    expect((await alertItem(XIAOHONG_SCHOOL))?.escalatedTo).toBe(COORDINATORS.length);
    expect((await alertItem(XIAOMING_MOOD))?.escalatedAt).toBeUndefined();

    world.clock.set(new Date(RAISED_AT.getTime() + 25 * 60 * MINUTE));
    await world.tick();
    expect(toCoordinators()).toEqual([]);
    const keysSent = (await world.outboundItems())
      .map((m) => m.key)
      .filter((k) => k.startsWith('escalation#'));
    expect(keysSent.sort()).toEqual(
      [
        `escalation#${XIAOHONG_SCHOOL}#contact-liu-laoshi`,
        `escalation#${XIAOHONG_SCHOOL}#contact-wang-laoshi`,
      ].sort(),
    );
  });
});
