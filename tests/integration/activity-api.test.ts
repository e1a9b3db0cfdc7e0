// The centre calendar routes: activities and pause weeks, on DynamoDB Local, read back through the
// repository the scheduler tick uses for the parents' update.
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '#lib/ports/clock.ts';
import { CentreCalendarRepository } from '#lib/store/roster/centre-calendar-repository.ts';
import { type ConsoleApi, consoleApi } from '#tests/support/console-api.ts';
import { CENTRE_A, CENTRE_B } from '#tests/support/second-centre.ts';

// Saturday 10:00 in Shanghai, ISO week 2026-W49.
const clock = new ManualClock('2026-12-05T02:00:00Z');
let api: ConsoleApi;
let calendar: CentreCalendarRepository;

beforeAll(async () => {
  api = await consoleApi(clock);
  calendar = new CentreCalendarRepository({ client: api.table.client, tableName: api.table.tableName });
});

describe('activities', () => {
  it('posts an activity the parents’ update of its week will list, once however often it is sent', async () => {
    const post = { centre: CENTRE_A, id: 'act-1', title: '包饺子', date: '2026-12-09', text: '下午三点' };
    const first = await api.post('/api/activities', post);
    expect(first.status).toBe(201);
    expect(first.json).toEqual({ id: 'act-1', title: '包饺子', date: '2026-12-09', text: '下午三点' });
    expect((await api.post('/api/activities', post)).status).toBe(201);
    const week = await calendar.activitiesOfWeek(CENTRE_A, '2026-W50');
    expect(week.map((a) => [a.title, a.date])).toEqual([['包饺子', '2026-12-09']]);
  });

  it('lists this week and the next seven by default, and a chosen span', async () => {
    // Its own activities (posting is idempotent), whichever test ran before it.
    await api.post('/api/activities', { centre: CENTRE_A, id: 'act-1', title: '包饺子', date: '2026-12-09' });
    await api.post('/api/activities', { centre: CENTRE_A, id: 'act-2', title: '剪纸', date: '2026-12-02' });
    await api.post('/api/activities', { centre: CENTRE_A, id: 'act-3', title: '读书会', date: '2027-03-03' });
    const listed = await api.get(`/api/activities?centre=${CENTRE_A}`);
    expect(listed.status).toBe(200);
    expect(listed.json.from).toBe('2026-W49');
    // 2026 has 53 ISO weeks.
    expect(listed.json.to).toBe('2027-W03');
    expect(listed.json.activities.map((a: { title: string }) => a.title)).toEqual(['剪纸', '包饺子']);
    const later = await api.get(`/api/activities?centre=${CENTRE_A}&from=2027-W09&to=2027-W09`);
    expect(later.json.activities.map((a: { id: string }) => a.id)).toEqual(['act-3']);
  });

  it('removes an activity; removing it again changes nothing', async () => {
    const body = { centre: CENTRE_A, id: 'act-3', date: '2027-03-03' };
    expect((await api.post('/api/activities/remove', body)).status).toBe(200);
    expect((await api.post('/api/activities/remove', body)).status).toBe(200);
    expect(await calendar.activitiesOfWeek(CENTRE_A, '2027-W09')).toEqual([]);
  });

  it('refuses a title the update could not say whole, a day that does not exist, a span too long', async () => {
    const long = await api.post('/api/activities', {
      centre: CENTRE_A,
      title: '很'.repeat(21),
      date: '2026-12-09',
    });
    expect(long.status).toBe(400);
    expect(long.json.fields[0].field).toBe('body.title');
    const noDay = await api.post('/api/activities', { centre: CENTRE_A, title: '剪纸', date: '2026-02-30' });
    expect(noDay.status).toBe(400);
    expect((await api.get(`/api/activities?centre=${CENTRE_A}&from=2026-W01&to=2026-W52`)).status).toBe(400);
  });
});

describe('pause weeks', () => {
  it('pauses a week the tick then rests in, and takes it back', async () => {
    const paused = await api.post('/api/pause-weeks', { centre: CENTRE_A, week: '2027-W06', reason: '春节' });
    expect(paused.json).toEqual({ week: '2027-W06', reason: '春节' });
    expect(await calendar.isPaused(CENTRE_A, '2027-W06')).toBe(true);
    const listed = await api.get(`/api/activities?centre=${CENTRE_A}`);
    expect(listed.json.pauseWeeks).toEqual([{ week: '2027-W06', reason: '春节' }]);
    await api.post('/api/pause-weeks/resume', { centre: CENTRE_A, week: '2027-W06' });
    expect(await calendar.isPaused(CENTRE_A, '2027-W06')).toBe(false);
  });
});

describe('scope', () => {
  it("keeps each centre's calendar to its own coordinators", async () => {
    expect((await api.get(`/api/activities?centre=${CENTRE_B}`)).status).toBe(404);
    const post = { centre: CENTRE_B, title: '剪纸', date: '2026-12-09' };
    expect((await api.post('/api/activities', post)).status).toBe(404);
    expect((await api.post('/api/pause-weeks', { centre: CENTRE_B, week: '2027-W06' })).status).toBe(404);
    expect(await calendar.activitiesOfWeek(CENTRE_B, '2026-W50')).toEqual([]);
    expect((await api.get(`/api/activities?centre=${CENTRE_B}`, 'B')).json.activities).toEqual([]);
  });
});
