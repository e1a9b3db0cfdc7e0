// The weekly rhythm's store on DynamoDB Local: the Centre's calendar, the schedule item the roster
// keeps with each contact, the due index (also added to a table made before it existed).

import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '#lib/errors.ts';
import { DEMO_ROSTER, seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { startDynamoDbLocal } from '#lib/local/dynamodb-local.ts';
import { createDocumentClient } from '#lib/store/dynamo-client.ts';
import { ensureTable } from '#lib/store/ensure-table.ts';
import { keys } from '#lib/store/keys.ts';
import { CentreCalendarRepository } from '#lib/store/roster/centre-calendar-repository.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { DUE_INDEX, REFS_INDEX, TABLE_KEY_SCHEMA } from '#lib/store/table-definition.ts';
import { JAVA_READY_TIMEOUT_MS } from '#tests/support/java-start.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

let table: TestTable;
let calendar: CentreCalendarRepository;
let roster: RosterRepository;
const centreId = DEMO_ROSTER.centre.centreId;

beforeAll(async () => {
  table = await createTestTable();
  calendar = new CentreCalendarRepository({ client: table.client, tableName: table.tableName });
  roster = new RosterRepository({ client: table.client, tableName: table.tableName });
  await seedDemoRoster(roster);
});

const scheduleOf = async (contactId: string) =>
  (
    await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: keys.schedule(contactId), ConsistentRead: true }),
    )
  ).Item;

describe("a Centre's calendar", () => {
  it('lists the activities dated in an ISO week, Monday to Sunday, in date order', async () => {
    for (const [title, date] of [
      ['周日电影', '2026-12-13'],
      ['上周', '2026-12-06'],
      ['剪纸', '2026-12-07'],
      ['下周', '2026-12-14'],
      ['作业辅导', '2026-12-09'],
    ] as const) {
      await calendar.postActivity({ centreId, title, date, text: '欢迎参加' });
    }
    const week = await calendar.activitiesOfWeek(centreId, '2026-W50');
    expect(week.map((a) => [a.date, a.title])).toEqual([
      ['2026-12-07', '剪纸'],
      ['2026-12-09', '作业辅导'],
      ['2026-12-13', '周日电影'],
    ]);
    await calendar.removeActivity(centreId, '2026-12-09', week[1]?.activityId ?? '');
    expect((await calendar.activitiesOfWeek(centreId, '2026-W50')).map((a) => a.title)).toEqual([
      '剪纸',
      '周日电影',
    ]);
  });

  it('refuses an activity it could not say whole, or a day that does not exist', async () => {
    const bad = [
      { centreId, title: '一个名字长得连两条短信都几乎放不下的活动标题', date: '2026-12-07' },
      { centreId, title: '剪纸', date: '2026-02-30' },
      { centreId, title: '  ', date: '2026-12-07' },
    ];
    for (const input of bad)
      await expect(calendar.postActivity(input)).rejects.toBeInstanceOf(ValidationError);
  });

  it('pauses and resumes weeks', async () => {
    await calendar.pauseWeek({ centreId, week: '2027-W06', reason: '春节' });
    expect(await calendar.isPaused(centreId, '2027-W06')).toBe(true);
    expect(await calendar.isPaused(centreId, '2027-W07')).toBe(false);
    expect((await calendar.listPauseWeeks(centreId)).map((p) => [p.week, p.reason])).toEqual([
      ['2027-W06', '春节'],
    ]);
    await calendar.resumeWeek(centreId, '2027-W06');
    expect(await calendar.isPaused(centreId, '2027-W06')).toBe(false);
    await expect(calendar.pauseWeek({ centreId, week: '2027-06' })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('the schedule the roster keeps with each contact', () => {
  it('gives every carer and parent one, to be planned at once; coordinators none', async () => {
    expect(await scheduleOf('contact-li-nainai')).toMatchObject({
      role: 'carer',
      step: 'plan',
      channel: 'sms',
      address: '+8613800000001',
      children: [
        { childId: 'child-xiaoming', familyId: 'family-li' },
        { childId: 'child-xiaohong', familyId: 'family-li' },
      ],
      dueKey: `${new Date(0).toISOString()}#schedule#contact-li-nainai`,
    });
    expect(await scheduleOf('contact-zhang-baba')).toMatchObject({
      role: 'parent',
      quietHours: { start: '08:00', end: '16:00' },
    });
    expect(await scheduleOf('contact-chen-mum')).toMatchObject({ checkinAt: { weekday: 4, time: '19:00' } });
    expect(await scheduleOf('contact-wang-laoshi')).toBeUndefined();
  });

  it('keeps the step on other changes, starts again when the day or time changes', async () => {
    const id = 'contact-store-test-carer';
    await roster.putContact({
      contactId: id,
      centreId,
      name: '测试奶奶',
      role: 'carer',
      language: 'zh-CN',
      addresses: [{ channel: 'sms', address: '+8613811112222' }],
      familyIds: ['family-li'],
    });
    // As if the tick had moved it on.
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.schedule(id),
        UpdateExpression: 'SET #s = :s, #w = :w',
        ExpressionAttributeNames: { '#s': 'step', '#w': 'week' },
        ExpressionAttributeValues: { ':s': 'remind', ':w': '2026-W49' },
      }),
    );
    // Each write from a fresh read: a write from a stale one is refused (versions).
    const fresh = async () => {
      const contact = await roster.getContact(id);
      if (!contact) throw new Error('no contact');
      return contact;
    };
    const contact = await fresh();
    await roster.putContact({ ...contact, quietHours: { start: '22:00', end: '07:00' }, language: 'en' });
    expect(await scheduleOf(id)).toMatchObject({
      step: 'remind',
      week: '2026-W49',
      quietHours: { start: '22:00' },
    });
    await roster.putContact({ ...(await fresh()), checkinAt: { weekday: 2, time: '19:00' } });
    expect(await scheduleOf(id)).toMatchObject({ step: 'plan', week: '-', checkinAt: { weekday: 2 } });
    await roster.putContact({ ...(await fresh()), role: 'coordinator' });
    expect(await scheduleOf(id)).toBeUndefined();
  });

  it('follows a new SIM card: the schedule writes to the new number', async () => {
    const contact = await roster.getContact('contact-li-mama');
    if (!contact) throw new Error('no contact');
    await roster.putContact({ ...contact, addresses: [{ channel: 'sms', address: '+8613912345678' }] });
    expect(await scheduleOf('contact-li-mama')).toMatchObject({ address: '+8613912345678', step: 'plan' });
  });
});

describe('the due and reference indexes', () => {
  // On a DynamoDB Local of its own, as `npm start --data` has: the shared one, busy with every test
  // file's tables, builds a new index on an existing table far more slowly.
  it('are added to a table made before they existed (npm start --data)', {
    timeout: 2 * JAVA_READY_TIMEOUT_MS,
  }, async () => {
    const dynamo = await startDynamoDbLocal({ readyTimeoutMs: JAVA_READY_TIMEOUT_MS });
    const client = createDocumentClient({ region: 'local', endpoint: dynamo.endpoint });
    try {
      const tableName = 'lianxin-local';
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          KeySchema: TABLE_KEY_SCHEMA,
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await ensureTable(client, tableName);
      await ensureTable(client, tableName); // and again: nothing to do
      const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
      const indexes = described.Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.IndexStatus]);
      expect(indexes?.sort()).toEqual(
        [
          [DUE_INDEX.name, 'ACTIVE'],
          [REFS_INDEX.name, 'ACTIVE'],
        ].sort(),
      );
    } finally {
      client.destroy();
      await dynamo.stop();
    }
  });
});
