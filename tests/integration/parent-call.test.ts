// A parent texts 电话 / CALL: the Centre's coordinators get a task (with its reference and the
// parent's number) to arrange a call with the child; asking again that week raises nothing new; the
// coordinator acknowledges the task by text.
import { beforeAll, describe, expect, it } from 'vitest';
import { CoordinatorWorkRepository } from '#lib/store/tasks/coordinator-work-repository.ts';
import { type WeeklyRhythmWorld, weeklyRhythmWorld } from '#tests/support/weekly-rhythm.ts';

const XIAOMING_BABA = '+8613900000001';
const WANG_LAOSHI = '+8613700000001';
/** Monday 10:00 in Shanghai: outside quiet hours, nothing of the weekly rhythm due. */
const START = '2026-11-30T10:00+08:00';

let world: WeeklyRhythmWorld;
let work: CoordinatorWorkRepository;

beforeAll(async () => {
  world = await weeklyRhythmWorld({ start: new Date(START).toISOString() });
  work = new CoordinatorWorkRepository({ client: world.table.client, tableName: world.table.tableName });
});

describe('a parent asks for a call with the child', () => {
  it('raises one task a week for the coordinators, who can acknowledge it by text', async () => {
    const reply = await world.text(XIAOMING_BABA, '电话');
    expect(reply[0]).toMatch(/^【连心】好的，儿童之家老师会联系您，约时间和小明、小红通电话。/);

    const tasks = (await work.listTasks('centre-shimen')).filter((t) => t.kind === 'parent-call');
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ status: 'open', contactId: 'contact-li-baba', ref: 'T1' });
    const told = world.sent.filter((m) => m.to === WANG_LAOSHI);
    expect(told.map((m) => m.body)).toEqual([
      '【连心】待办T1：小明爸爸想和小明、小红约时间通电话。电话+8613900000001。回复“收到 T1”确认，“完成 T1 备注”处理完毕。',
    ]);

    // CALL again the same week: the same answer, no second task, no second message.
    expect((await world.text(XIAOMING_BABA, 'CALL'))[0]).toContain('通电话');
    expect((await work.listTasks('centre-shimen')).filter((t) => t.kind === 'parent-call')).toHaveLength(1);
    expect(world.sent.filter((m) => m.to === WANG_LAOSHI)).toHaveLength(1);

    expect((await world.text(WANG_LAOSHI, '收到 T1'))[0]).toContain('已确认T1');
    expect((await world.text(WANG_LAOSHI, '完成 T1 周六晚上8点通话'))[0]).toContain(
      'T1已完成，备注：周六晚上8点通话',
    );
    expect((await work.listTasks('centre-shimen')).find((t) => t.ref === 'T1')).toMatchObject({
      status: 'closed',
      closeNote: '周六晚上8点通话',
    });
  });

  it('keeps a longer message with 电话 in it as a message for the child, not a call request', async () => {
    await world.text(XIAOMING_BABA, '周末我给你打电话，要听奶奶的话');
    expect((await work.listTasks('centre-shimen')).filter((t) => t.kind === 'parent-call')).toHaveLength(1);
  });
});
