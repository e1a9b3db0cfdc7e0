// The scheduler tick on DynamoDB Local: overlapping ticks, re-runs, a crash half-way and downtime
// must never send anything twice nor late; what a tick costs follows what is due.

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { EnqueueRequest } from '#lib/domain/outbound-message.ts';
import { runSchedulerTick } from '#lib/schedule/scheduler-tick.ts';
import { keys } from '#lib/store/keys.ts';
import { ScheduleRepository } from '#lib/store/schedule/schedule-repository.ts';
import { DUE_INDEX } from '#lib/store/table-definition.ts';
import { type WeeklyRhythmWorld, weeklyRhythmWorld } from '#tests/support/weekly-rhythm.ts';

const LI_NAINAI = '+8613800000001';
const ZHANG_NAINAI = '+8613800000002';
const at = (local: string) => new Date(`${local}+08:00`);
/** Monday of 2026-W49, before anything of the week is due. */
const MONDAY = '2026-11-30T00:00';

/** A world whose schedules are planned (the first tick after seeding does that). */
async function planned(): Promise<WeeklyRhythmWorld> {
  const world = await weeklyRhythmWorld({ start: at(MONDAY).toISOString() });
  const report = await world.tick();
  expect(report.steps).toBe(6); // three carers and three parents planned
  expect(world.sent).toEqual([]);
  return world;
}

/**
 * Friday evening of 2026-W49 with the week so far done on time (Mrs Chen's Thursday invitation and
 * Friday reminder, the parents' Friday question), and what was sent so far forgotten.
 */
async function fridayEvening(): Promise<WeeklyRhythmWorld> {
  const world = await planned();
  for (const local of ['2026-12-03T19:00', '2026-12-04T12:00', '2026-12-04T16:00', '2026-12-04T19:00']) {
    world.clock.set(at(local));
    await world.tick();
  }
  // Mrs Chen's invitation and reminder, and the three parents' question.
  expect(world.sent).toHaveLength(5);
  world.sent.length = 0;
  return world;
}

const keysOf = async (world: WeeklyRhythmWorld, prefix = '') =>
  (await world.outboundItems()).map((m) => m.key).filter((k) => k.startsWith(prefix));

async function schedule(world: WeeklyRhythmWorld, contactId: string) {
  const item = await world.table.client.send(
    new GetCommand({ TableName: world.table.tableName, Key: keys.schedule(contactId), ConsistentRead: true }),
  );
  return item.Item;
}

describe('overlapping and repeated ticks', () => {
  it('five ticks at once send each invitation once, and a re-run sends nothing more', async () => {
    const world = await fridayEvening();
    world.clock.set(at('2026-12-05T10:00'));
    const reports = await Promise.all(
      Array.from({ length: 5 }, () => runSchedulerTick(world.deps, world.clock.now())),
    );
    await world.harness.drain();
    expect(reports.reduce((n, r) => n + (r.enqueued.invitation ?? 0), 0)).toBe(2);
    expect(reports.every((r) => r.failed === 0)).toBe(true);
    expect(world.sent.map((s) => s.to).sort()).toEqual([LI_NAINAI, ZHANG_NAINAI]);

    const again = await world.tick();
    expect(again).toMatchObject({ due: 0, steps: 0, enqueued: {} });
    expect(world.sent).toHaveLength(2);
    expect(await keysOf(world, 'invitation#contact-')).toEqual([
      'invitation#contact-chen-mum#2026-W49',
      'invitation#contact-li-nainai#2026-W49',
      'invitation#contact-zhang-nainai#2026-W49',
    ]);
    // The invitation opened the session once: the grandmother answers the first question directly.
    expect(await world.text(LI_NAINAI, '3')).toEqual([
      '【连心】好的。小明这周心情怎么样？1很开心 2还好 3不太开心 4很难过',
    ]);
  });

  it('a tick that dies after sending, before moving the schedule on, is finished by the next without a second message', async () => {
    const world = await fridayEvening();
    world.clock.set(at('2026-12-05T10:00'));
    const dying = {
      ...world.deps,
      outbound: {
        enqueue: async (request: EnqueueRequest) => {
          const created = await world.deps.outbound.enqueue(request);
          throw new Error(`the tick died after enqueueing ${request.key} (${created})`);
        },
      },
    };
    const crashed = await runSchedulerTick(dying, world.clock.now());
    expect(crashed.failed).toBe(2);
    expect((await schedule(world, 'contact-li-nainai'))?.step).toBe('invite');

    const next = await world.tick();
    expect(next).toMatchObject({ failed: 0, enqueued: {} });
    expect((await schedule(world, 'contact-li-nainai'))?.step).toBe('remind');
    expect(world.sent.map((s) => s.to).sort()).toEqual([LI_NAINAI, ZHANG_NAINAI]);
  });

  it('a tick that dies after opening the session, before sending, is finished by the next: one invitation, one session', async () => {
    const world = await fridayEvening();
    world.clock.set(at('2026-12-05T10:00'));
    const dying = {
      ...world.deps,
      outbound: {
        enqueue: async (request: EnqueueRequest) => {
          throw new Error(`the tick died before enqueueing ${request.key}`);
        },
      },
    };
    expect((await runSchedulerTick(dying, world.clock.now())).failed).toBe(2);
    expect(world.sent).toEqual([]);
    expect(await schedule(world, 'contact-li-nainai')).toMatchObject({
      decidedWeek: '2026-W49',
      decision: 'send',
    });

    // The grandmother answers before the invitation even arrives (she knows it is Saturday).
    expect(await world.text(LI_NAINAI, '4')).toEqual([
      '【连心】好的。小明这周心情怎么样？1很开心 2还好 3不太开心 4很难过',
    ]);
    world.clock.set(at('2026-12-05T10:05'));
    await world.tick();
    expect(world.sent.map((s) => s.to).sort()).toEqual([LI_NAINAI, ZHANG_NAINAI]);
    // The session was not opened again over her answer: the next answer is the mood.
    expect(await world.text(LI_NAINAI, '1')).toEqual([
      '【连心】好的。小明这周上学怎么样？1很好 2一般 3有困难 4没去上学',
    ]);
  });
});

describe('a tick after downtime', () => {
  it('catches up late on Saturday: invitations go, their reminders a full day later; stale questions do not', async () => {
    const world = await planned();
    world.clock.set(at('2026-12-05T15:00')); // the tick was down since Monday
    await world.tick();
    expect(await keysOf(world, 'invitation#')).toEqual([
      'invitation#contact-chen-mum#2026-W49',
      'invitation#contact-li-nainai#2026-W49',
      'invitation#contact-zhang-nainai#2026-W49',
    ]);
    // Not a reminder on the heels of the invitation: a day after it went.
    expect((await schedule(world, 'contact-li-nainai'))?.dueAt).toBe(at('2026-12-06T15:00').toISOString());
    // The parents' Friday question is still worth asking on Saturday afternoon…
    expect(await keysOf(world, 'parent-checkin#')).toHaveLength(3);

    const later = await planned();
    later.clock.set(at('2026-12-05T18:30'));
    await later.tick();
    // …but not after the evening nudge: then only the nudge goes.
    expect(await keysOf(later, 'parent-checkin#')).toEqual([]);
    expect(await keysOf(later, 'nudge#')).toHaveLength(3);
    // Too late for a reminder to leave time to answer: the week simply closes.
    expect(await schedule(later, 'contact-li-nainai')).toMatchObject({ step: 'close', week: '2026-W49' });
  });

  it('never sends a week’s invitation after its deadline; the parents hear honestly; no task counts it', async () => {
    const world = await planned();
    world.clock.set(at('2026-12-07T09:00')); // Monday of the next week: the tick was down all weekend
    const report = await world.tick();
    const sent = await keysOf(world);
    expect(sent.filter((k) => k.startsWith('invitation#') || k.startsWith('reminder#'))).toEqual([]);
    expect(sent.filter((k) => k.startsWith('digest#'))).toEqual([
      'digest#child-xiaohong#2026-W49#contact-li-baba',
      'digest#child-xiaohong#2026-W49#contact-li-mama',
      'digest#child-xiaoming#2026-W49#contact-li-baba',
      'digest#child-xiaoming#2026-W49#contact-li-mama',
      'digest#child-zhangwei#2026-W49#contact-zhang-baba',
    ]);
    expect(report.failed).toBe(0);
    expect(await world.checkins.getCheckin('child-zhangwei', '2026-W49')).toMatchObject({
      status: 'missed',
      missedReason: 'not-invited',
    });
    // Not held against the carer: a missed week nobody was asked about does not start a run.
    expect(await schedule(world, 'contact-zhang-nainai')).toMatchObject({
      step: 'invite',
      week: '2026-W50',
      missedStreak: 0,
    });
  });

  it('after days of downtime, gives the old week up and plans afresh, sending nothing stale', async () => {
    const world = await planned();
    world.clock.set(at('2026-12-10T09:00'));
    const report = await world.tick();
    expect(report.enqueued).toEqual({});
    expect(await schedule(world, 'contact-li-nainai')).toMatchObject({ step: 'invite', week: '2026-W50' });
    expect(await schedule(world, 'contact-chen-mum')).toMatchObject({ step: 'invite', week: '2026-W50' });
  });
});

describe('the schedule follows the roster', () => {
  it('a changed day and time re-plans: the old time no longer fires, the new one does', async () => {
    const world = await planned();
    const li = await world.roster.getContact('contact-li-nainai');
    if (!li) throw new Error('no 李奶奶');
    await world.roster.putContact({ ...li, checkinAt: { weekday: 3, time: '18:30' } });
    world.clock.set(at('2026-12-02T18:00'));
    await world.tick();
    expect(await schedule(world, 'contact-li-nainai')).toMatchObject({ step: 'invite', week: '2026-W49' });
    for (const local of ['2026-12-02T18:30', '2026-12-03T18:30', '2026-12-05T10:00']) {
      world.clock.set(at(local));
      await world.tick();
    }
    expect(world.sent.filter((s) => s.to === LI_NAINAI).map((s) => s.at)).toEqual([
      '12-02 Wed 18:30',
      '12-03 Thu 18:30',
    ]);
    expect(await keysOf(world, 'invitation#contact-li')).toEqual(['invitation#contact-li-nainai#2026-W49']);
    expect(await keysOf(world, 'reminder#contact-li')).toEqual(['reminder#contact-li-nainai#2026-W49']);
  });

  it('an opt-out reaches the schedule: no invitation, the week counts as missed, opted out', async () => {
    const world = await fridayEvening();
    await world.text(ZHANG_NAINAI, 'TD');
    world.clock.set(at('2026-12-05T10:00'));
    await world.tick();
    expect(world.sent.map((s) => s.to)).toEqual([LI_NAINAI]);
    expect(await schedule(world, 'contact-zhang-nainai')).toMatchObject({ decision: 'opted-out' });
  });
});

describe('what a tick costs', () => {
  it('with nothing due: one query per shard of the due index, nothing else', async () => {
    const world = await planned();
    world.clock.set(at('2026-12-02T10:00'));
    world.table.requests.length = 0;
    const report = await runSchedulerTick(world.deps, world.clock.now());
    expect(report.due).toBe(0);
    expect(world.table.requests).toEqual(Array(DUE_INDEX.shards).fill('QueryCommand'));
  });

  it('per invitation: a read, the decision, the message, the next step', async () => {
    const world = await fridayEvening();
    world.clock.set(at('2026-12-05T10:00'));
    world.table.requests.length = 0;
    await runSchedulerTick(world.deps, world.clock.now());
    const counts: Record<string, number> = {};
    for (const r of world.table.requests) counts[r] = (counts[r] ?? 0) + 1;
    expect(counts).toEqual({
      QueryCommand: DUE_INDEX.shards,
      BatchGetItemCommand: 2,
      TransactWriteItemsCommand: 2,
      PutItemCommand: 2,
      UpdateItemCommand: 2,
    });
  });

  it('finds what is due through the index: a schedule row names its step and time', async () => {
    const world = await planned();
    const repository = new ScheduleRepository({
      client: world.table.client,
      tableName: world.table.tableName,
    });
    const rows = [];
    for (let shard = 0; shard < DUE_INDEX.shards; shard++) {
      rows.push(...(await repository.queryDue(shard, at('2026-12-05T10:00'))).rows);
    }
    expect(
      rows
        .map((r) => (r.kind === 'schedule' ? `${r.item.contactId} ${r.item.step} ${r.item.week}` : r.kind))
        .sort(),
    ).toEqual([
      'contact-chen-mum invite 2026-W49',
      'contact-li-baba parent-checkin 2026-W49',
      'contact-li-mama parent-checkin 2026-W49',
      'contact-li-nainai invite 2026-W49',
      'contact-zhang-baba parent-checkin 2026-W49',
      'contact-zhang-nainai invite 2026-W49',
    ]);
  });
});
