// A coordinators' task (two missed check-ins in a row) that nobody acknowledges within a day is
// escalated like an alert: through the real tick, one message to every coordinator of the Centre,
// once; an acknowledged (or closed) task is not.
import { describe, expect, it } from 'vitest';
import { CoordinatorWorkRepository } from '#lib/store/tasks/coordinator-work-repository.ts';
import { weeklyRhythmWorld } from '#tests/support/weekly-rhythm.ts';

const CENTRE = 'centre-shimen';
const WANG_LAOSHI = '+8613700000001';
const ZHOU_LAOSHI = '+8613700000009';
const at = (local: string) => new Date(`${local}+08:00`);

const task = (contactId: string, contactName: string, childId: string, childName: string) => ({
  taskId: `missed-checkins#${contactId}#2026-W48`,
  centreId: CENTRE,
  kind: 'missed-checkins' as const,
  contactId,
  contactName,
  childIds: [childId],
  childNames: [childName],
  weeks: ['2026-W47', '2026-W48'],
  optedOut: false,
  raisedAt: at('2026-11-30T10:00').toISOString(),
});

describe('escalating a coordinators’ task', () => {
  it('tells every coordinator once a day on when nobody acknowledged it; acknowledged or closed ones stay quiet', async () => {
    const world = await weeklyRhythmWorld({ start: at('2026-11-30T09:00').toISOString() });
    await world.tick(); // plans the schedules; nothing of the week is due before Thursday
    await world.roster.putContact({
      contactId: 'contact-zhou-laoshi',
      centreId: CENTRE,
      name: 'Ms Zhou',
      role: 'coordinator',
      language: 'en',
      addresses: [{ channel: 'sms', address: ZHOU_LAOSHI }],
    });
    const { tasks } = world.deps;
    const zhang = task('contact-zhang-nainai', '张奶奶', 'child-zhangwei', '张伟');
    const li = task('contact-li-nainai', '李奶奶', 'child-xiaoming', '小明');
    const chen = task('contact-chen-mum', 'Mrs Chen', 'child-lele', 'Lele');
    for (const t of [zhang, li, chen]) expect(await tasks.raise(t)).toBe(true);
    expect(await tasks.raise(zhang)).toBe(false); // a re-run raises nothing twice
    const work = new CoordinatorWorkRepository({
      client: world.table.client,
      tableName: world.table.tableName,
    });
    const noon = at('2026-11-30T12:00');
    expect(await work.acknowledge('task', CENTRE, li.taskId, 'contact-wang-laoshi', '打过电话了', noon)).toBe(
      'done',
    );
    expect(await work.close('task', CENTRE, chen.taskId, 'contact-wang-laoshi', 'moved away', noon)).toBe(
      'done',
    );

    world.clock.set(at('2026-12-01T09:55'));
    await world.tick();
    expect(world.sent).toEqual([]);

    world.clock.set(at('2026-12-01T10:00'));
    const report = await world.tick();
    expect(report).toMatchObject({ failed: 0, enqueued: { task: 2 } });
    // Sent concurrently: in no particular order.
    expect([...world.sent].sort((a, b) => a.to.localeCompare(b.to))).toEqual([
      {
        at: '12-01 Tue 10:00',
        to: WANG_LAOSHI,
        body: '【连心】待办T1已超过24小时无人确认：张奶奶已连续两周没有完成张伟的签到。请今天联系：+8613800000002。回复“收到 T1”确认。',
      },
      {
        at: '12-01 Tue 10:00',
        to: ZHOU_LAOSHI,
        body: '【连心】To do T1 unacknowledged for 24 h: 张奶奶 has missed the check-in for 张伟 two weeks running. Please call +8613800000002 today. Reply OK T1 to acknowledge.',
      },
    ]);
    expect(
      (await world.outboundItems()).map((m) => m.key).filter((k) => k.startsWith('task-escalation#')),
    ).toEqual([
      `task-escalation#${zhang.taskId}#contact-wang-laoshi`,
      `task-escalation#${zhang.taskId}#contact-zhou-laoshi`,
    ]);
    expect(await tasks.get(CENTRE, zhang.taskId)).toMatchObject({
      status: 'open',
      escalatedAt: at('2026-12-01T10:00').toISOString(),
      escalatedTo: 2,
    });
    expect((await tasks.get(CENTRE, li.taskId))?.escalatedAt).toBeUndefined();
    expect((await tasks.get(CENTRE, chen.taskId))?.escalatedAt).toBeUndefined();

    // The follow-ups left the due index: the next tick has nothing of them to do.
    world.clock.set(at('2026-12-01T10:05'));
    expect(await world.tick()).toMatchObject({ due: 0, steps: 0, enqueued: {} });
    expect(world.sent).toHaveLength(2);
  });
});
