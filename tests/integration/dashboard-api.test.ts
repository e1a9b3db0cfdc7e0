// GET /api/dashboard: the console's 本周 page, from check-ins a carer really answered by SMS.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '#lib/ports/clock.ts';
import { keys } from '#lib/store/keys.ts';
import { CoordinatorTaskRepository } from '#lib/store/tasks/coordinator-task-repository.ts';
import { type ConsoleApi, consoleApi } from '#tests/support/console-api.ts';
import { CENTRE_A, CENTRE_B } from '#tests/support/second-centre.ts';

// Saturday 10:00 in Shanghai, ISO week 2026-W49.
const clock = new ManualClock('2026-12-05T02:00:00Z');
const GRANDMOTHER = '+8613800000001';
let api: ConsoleApi;

beforeAll(async () => {
  api = await consoleApi(clock);
  // 小明: mood 4 (very sad: an alert); 小红: mood 1. Both check-ins complete this week.
  for (const answer of ['签到', '3', '4', '1', '1', '1', '0', '5', '1', '2', '1', '2', '0'])
    await api.say(GRANDMOTHER, answer);
  // 张伟 missed last week (as the deadline records it), and his carer has an open task.
  await api.table.client.send(
    new PutCommand({
      TableName: api.table.tableName,
      Item: {
        ...keys.checkin('child-zhangwei', '2026-W48'),
        entity: 'checkin',
        childId: 'child-zhangwei',
        familyId: 'family-zhang',
        centreId: CENTRE_A,
        week: '2026-W48',
        status: 'missed',
        missedAt: '2026-11-29T12:00:00.000Z',
        createdAt: '2026-11-29T12:00:00.000Z',
        updatedAt: '2026-11-29T12:00:00.000Z',
      },
    }),
  );
  await new CoordinatorTaskRepository({ client: api.table.client, tableName: api.table.tableName }).raise({
    taskId: 'missed#contact-zhang-nainai#2026-W49',
    centreId: CENTRE_A,
    kind: 'missed-checkins',
    contactId: 'contact-zhang-nainai',
    contactName: '张奶奶',
    childIds: ['child-zhangwei'],
    childNames: ['张伟'],
    weeks: ['2026-W48', '2026-W49'],
    optedOut: false,
    raisedAt: '2026-12-05T01:00:00.000Z',
  });
});

describe('GET /api/dashboard', () => {
  it("gives this week's figures of the centre, per category, with open alerts and overdue carers", async () => {
    const { status, json } = await api.get(`/api/dashboard?centre=${CENTRE_A}`);
    expect(status).toBe(200);
    expect(json.week).toBe('2026-W49');
    expect(json.thisWeek).toEqual({ children: 4, invited: 2, completed: 2, responseRate: 0.5 });
    expect(json.openAlerts).toBeGreaterThanOrEqual(1);
    expect(json.overdueContacts).toEqual([
      { contactName: '张奶奶', childNames: ['张伟'], weeks: ['2026-W48', '2026-W49'], optedOut: false },
    ]);
    const now = json.series.at(-1);
    expect(now.categories['both-away']).toMatchObject({ children: 2, completed: 2, responseRate: 1 });
    expect(now.categories['one-away']).toMatchObject({ children: 1, completed: 0, responseRate: 0 });
    expect(now.categories['both-away'].distributions.mood).toEqual({ '1': 1, '4': 1 });
  });

  it('charts the last 12 weeks, oldest first, with last week where it happened', async () => {
    const { json } = await api.get(`/api/dashboard?centre=${CENTRE_A}`);
    const weeks = json.series.map((w: { week: string }) => w.week);
    expect(weeks).toHaveLength(12);
    expect(weeks[0]).toBe('2026-W38');
    expect(weeks.at(-1)).toBe('2026-W49');
    expect(json.series.at(-2).categories['one-away']).toMatchObject({ missed: 1, responseRate: 0 });
  });

  it('follows the clock into the next week', async () => {
    clock.set(new Date('2026-12-07T02:00:00Z'));
    try {
      const { json } = await api.get(`/api/dashboard?centre=${CENTRE_A}`);
      expect(json.week).toBe('2026-W50');
      expect(json.thisWeek).toMatchObject({ invited: 0, completed: 0 });
    } finally {
      clock.set(new Date('2026-12-05T02:00:00Z'));
    }
  });

  it("is 404 for a centre not in the caller's token, and 400 without a centre", async () => {
    expect((await api.get(`/api/dashboard?centre=${CENTRE_B}`)).status).toBe(404);
    expect((await api.get(`/api/dashboard?centre=${CENTRE_B}`, 'B')).status).toBe(200);
    const bad = await api.get('/api/dashboard');
    expect(bad.status).toBe(400);
    expect(bad.json.fields[0].field).toBe('query.centre');
  });

  it('is in the OpenAPI document', async () => {
    const { json } = await api.get('/api/openapi.json');
    expect(json.paths['/api/dashboard'].get.parameters[0].name).toBe('centre');
  });
});

describe('GET /api/children/{id}/checkins', () => {
  it("gives a child's weekly answers and the carer's message, oldest first", async () => {
    const { status, json } = await api.get(`/api/children/child-xiaoming/checkins?centre=${CENTRE_A}`);
    expect(status).toBe(200);
    expect(json.name).toBe('小明');
    expect(json.checkins.map((c: { week: string }) => c.week)).toEqual(['2026-W49']);
    expect(json.checkins[0]).toMatchObject({ status: 'completed', answers: { mood: 4, school: 1 } });
  });

  it("is 404 for a child of another centre, or of the caller's centre named wrongly", async () => {
    expect((await api.get(`/api/children/child-wuxiao/checkins?centre=${CENTRE_A}`)).status).toBe(404);
    expect((await api.get(`/api/children/child-xiaoming/checkins?centre=${CENTRE_B}`)).status).toBe(404);
    expect((await api.get(`/api/children/child-xiaoming/checkins?centre=${CENTRE_B}`, 'B')).status).toBe(404);
  });
});
