// A carer texts 签到 again in a week she already answered (issue 16): asked first, then a correction
// that keeps the first run as history and both free texts, through the real SMS webhook, the store on
// DynamoDB Local and the coordinators' CSV export.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { issueLocalToken } from '#lib/api/auth.ts';
import { createCoordinatorApiHandler } from '#lib/api/handler.ts';
import { localOutbox } from '#lib/channels/local-outbox.ts';
import { apiSettings } from '#lib/config/api.ts';
import { type Config, loadConfig } from '#lib/config/core.ts';
import { ANSWERED_WEEK_MESSAGES } from '#lib/domain/answered-week.ts';
import { isoWeekOf } from '#lib/domain/iso-week.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { InProcessQueue } from '#lib/outbound/in-process-queue.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import { CheckinRepository } from '#lib/store/conversation/checkin-repository.ts';
import { keys } from '#lib/store/keys.ts';
import { queryPartition } from '#lib/store/query-partition.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import {
  createCoordinatorApiDependencies,
  createCoordinatorApiOptions,
} from '#lib/wiring/coordinator-api.ts';
import { invokeApi } from '#tests/support/api-event.ts';
import { outboundHarness } from '#tests/support/outbound-harness.ts';
import { texting } from '#tests/support/sms-webhook.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

const START = '2026-12-05T02:00:00Z';
const WEEK = isoWeekOf(new Date(START));
const GRANDMOTHER = '+8613800000001';
const FIRST_MESSAGE = '小明这周咳嗽，想爸爸';
const SECOND_MESSAGE = '补充：小明的咳嗽好了';

/** The first run of the week: 小明 with FIRST_MESSAGE, 小红 with no message. */
const FIRST_RUN = ['签到', '3', '1', '1', '1', '1', FIRST_MESSAGE, '2', '1', '1', '1', '1', '0'];

let clock: ManualClock;
let table: TestTable;
let config: Config;
let say: (body: string) => Promise<string>;
let checkins: CheckinRepository;
let api: ReturnType<typeof createCoordinatorApiHandler>;
let token: string;

// A fresh table, roster and clock per test: each test answers the week itself.
beforeEach(async () => {
  clock = new ManualClock(START);
  table = await createTestTable();
  config = loadConfig({
    LIANXIN_ENV: 'local',
    PUBLIC_URL: 'https://lianxin.example.org',
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
  });
  await seedDemoRoster(new RosterRepository({ client: table.client, tableName: table.tableName }));
  const text = texting(config, outboundHarness(config, table, clock, localOutbox).adapters);
  say = async (body) => {
    clock.advance(60_000);
    const result = await text(GRANDMOTHER, body);
    expect(result.statusCode).toBe(200);
    return result.replies.join('\n');
  };
  checkins = new CheckinRepository({ client: table.client, tableName: table.tableName });
  const settings = apiSettings(config, {});
  if (settings.auth.mode !== 'local') throw new Error('expected local auth');
  token = await issueLocalToken(settings.auth.signingKey, { subject: 'coord-a', centres: ['centre-shimen'] });
  const deps = createCoordinatorApiDependencies(config, createLogger('coordinator-api'), {
    client: table.client,
    clock,
    queue: new InProcessQueue({ clock, visibilityTimeoutSeconds: 60, maxReceiveCount: 5 }),
  });
  api = createCoordinatorApiHandler(createCoordinatorApiOptions(settings, deps));
});

const rawCheckin = async (childId: string) =>
  (
    await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: keys.checkin(childId, WEEK), ConsistentRead: true }),
    )
  ).Item;

describe('签到 again in an answered week', () => {
  it('asks first, then a correction keeps the first run as history and both free texts', async () => {
    for (const answer of FIRST_RUN) await say(answer);
    const first = await checkins.getCheckin('child-xiaoming', WEEK);
    expect(first?.status).toBe('completed');
    const dueAfterFirst = (await rawCheckin('child-xiaoming'))?.dueKey;
    expect(dueAfterFirst).toEqual(expect.any(String));

    expect(await say('签到')).toContain(ANSWERED_WEEK_MESSAGES['zh-CN'].prompt);
    // Nothing changed by asking.
    expect((await checkins.getCheckin('child-xiaoming', WEEK))?.history).toHaveLength(6);

    expect(await say('１')).toContain('小明');
    for (const answer of ['5', '1', '1', '1', '1', SECOND_MESSAGE, '2', '1', '1', '1', '1', '0']) {
      await say(answer);
    }

    const after = await checkins.getCheckin('child-xiaoming', WEEK);
    expect(after?.answers.attendance?.value).toBe(5);
    expect(after?.answers.message?.value).toBe(SECOND_MESSAGE);
    expect(after?.messages).toEqual([FIRST_MESSAGE, SECOND_MESSAGE]);
    expect(after?.correctedAt).toEqual(expect.any(String));
    const history = after?.history ?? [];
    expect(history).toHaveLength(12);
    const runs = [...new Set(history.map((h) => h.run))];
    expect(runs).toHaveLength(2);
    expect(history.filter((h) => h.run === runs[0]).every((h) => !h.correction)).toBe(true);
    expect(history.filter((h) => h.run === runs[1]).every((h) => h.correction === true)).toBe(true);
    expect(history.every((h) => h.by === 'contact-li-nainai')).toBe(true);
    expect(history.find((h) => h.itemId === 'attendance' && !h.correction)?.value).toBe(3);
    // The parents' update was made due once, by the first run; the correction did not make it due again.
    expect((await rawCheckin('child-xiaoming'))?.dueKey).toBe(dueAfterFirst);

    const csv = await invokeApi(
      api,
      `/api/checkins/export.csv?centre=centre-shimen&from=${WEEK}&to=${WEEK}`,
      {
        method: 'GET',
        headers: { authorization: `Bearer ${token}` },
      },
    );
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain(FIRST_MESSAGE);
    expect(csv.body).toContain(SECOND_MESSAGE);
  });

  it('the API shows the final answers, and with history=1 both runs (who, when, which) and both free texts', async () => {
    for (const answer of FIRST_RUN) await say(answer);
    await say('签到');
    await say('1');
    for (const answer of ['5', '2', '1', '1', '1', SECOND_MESSAGE, '2', '1', '1', '1', '1', '0']) {
      await say(answer);
    }
    const get = (query: string) =>
      invokeApi(api, `/api/children/child-xiaoming/checkins?centre=centre-shimen${query}`, {
        method: 'GET',
        headers: { authorization: `Bearer ${token}` },
      }).then((r) => ({ status: r.statusCode, json: JSON.parse(r.body ?? '{}') }));

    const plain = await get('');
    expect(plain.status).toBe(200);
    const week = plain.json.checkins.find((c: { week: string }) => c.week === WEEK);
    expect(week.answers).toMatchObject({ attendance: 5, mood: 2, message: SECOND_MESSAGE });
    expect(week.correctedAt).toEqual(expect.any(String));
    expect(week.runs).toBeUndefined();
    expect(week.messages).toBeUndefined();

    const full = await get('&history=1');
    expect(full.status).toBe(200);
    const withHistory = full.json.checkins.find((c: { week: string }) => c.week === WEEK);
    expect(withHistory.answers).toEqual(week.answers);
    expect(withHistory.runs).toHaveLength(2);
    const [first, second] = withHistory.runs;
    expect(first).toMatchObject({ correction: false, by: { name: '李奶奶' } });
    expect(second).toMatchObject({ correction: true, by: { name: '李奶奶' } });
    expect(first.run < second.run).toBe(true);
    expect(first.answers.find((a: { item: string }) => a.item === 'attendance')).toMatchObject({
      value: 3,
      raw: '3',
    });
    expect(second.answers.find((a: { item: string }) => a.item === 'attendance')).toMatchObject({ value: 5 });
    expect(withHistory.messages.map((m: { text: string }) => m.text)).toEqual([
      FIRST_MESSAGE,
      SECOND_MESSAGE,
    ]);
    expect(withHistory.messages.map((m: { run: string }) => m.run)).toEqual([first.run, second.run]);
    expect(first.by.id).toBe(second.by.id);

    expect((await get('&history=maybe')).status).toBe(400);
  });

  it('2 adds a message: kept beside the others, and a worrying one raises its own alert', async () => {
    for (const answer of FIRST_RUN) await say(answer);
    expect((await checkins.getCheckin('child-xiaoming', WEEK))?.status).toBe('completed');
    expect(await say('签到')).toContain(ANSWERED_WEEK_MESSAGES['zh-CN'].prompt);
    await say('2');
    expect(await say('小红在学校被人欺负了')).toContain(ANSWERED_WEEK_MESSAGES['zh-CN'].messageAdded);
    const xiaohong = await checkins.getCheckin('child-xiaohong', WEEK);
    expect(xiaohong?.messages).toEqual(['小红在学校被人欺负了']);
    expect((await checkins.getCheckin('child-xiaoming', WEEK))?.messages).toEqual([
      FIRST_MESSAGE,
      '小红在学校被人欺负了',
    ]);
    const alerts = await queryPartition(
      table.client,
      table.tableName,
      'test',
      'CENTRE#centre-shimen',
      'ALERT#',
    );
    expect(alerts.map((a) => String(a.sk))).toContainEqual(
      expect.stringMatching(new RegExp(`^ALERT#child-xiaohong#${WEEK}#message#`)),
    );
  });
});
