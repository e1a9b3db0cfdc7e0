// Failures come back (issue 16): a turn whose store fails once keeps the message; the scheduler tick
// replays it with backoff and the answer is recorded once; coordinators see it listed until then; a
// message that keeps failing gives up after the last replay and stays listed. DynamoDB Local throughout.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueLocalToken } from '#lib/api/auth.ts';
import { createCoordinatorApiHandler } from '#lib/api/handler.ts';
import { localOutbox } from '#lib/channels/local-outbox.ts';
import { apiSettings } from '#lib/config/api.ts';
import { type Config, loadConfig } from '#lib/config/core.ts';
import { isoWeekOf } from '#lib/domain/iso-week.ts';
import { handleInboundMessage, type InboundDependencies } from '#lib/inbound/handle-inbound-message.ts';
import { replayUnprocessed } from '#lib/inbound/replay-unprocessed.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { newMessageSid } from '#lib/local/twilio-inbound-request.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import type { ConversationStore, InboundMessage } from '#lib/ports/conversation-store.ts';
import { runSchedulerTick } from '#lib/schedule/scheduler-tick.ts';
import { CheckinRepository } from '#lib/store/conversation/checkin-repository.ts';
import {
  REPLAY_BACKOFF_MINUTES,
  UnprocessedRepository,
} from '#lib/store/conversation/unprocessed-repository.ts';
import { keys } from '#lib/store/keys.ts';
import { queryPartition } from '#lib/store/query-partition.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { conversationTurns } from '#lib/wiring/conversation-turns.ts';
import {
  createCoordinatorApiDependencies,
  createCoordinatorApiOptions,
} from '#lib/wiring/coordinator-api.ts';
import { createSchedulerDependencies } from '#lib/wiring/scheduler-tick.ts';
import { invokeApi } from '#tests/support/api-event.ts';
import { outboundHarness } from '#tests/support/outbound-harness.ts';
import { texting } from '#tests/support/sms-webhook.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

const clock = new ManualClock('2026-12-05T02:00:00Z');
const WEEK = isoWeekOf(clock.now());
const GRANDMOTHER = '+8613800000001';
const ZHANG_NAINAI = '+8613800000002';
const logger = createLogger('test-replay');

let table: TestTable;
let config: Config;
let harness: ReturnType<typeof outboundHarness>;
let turns: InboundDependencies;
let unprocessed: UnprocessedRepository;
let checkins: CheckinRepository;

/** The real store, except that its commits fail while `failures` lasts (DynamoDB unavailable). */
function failingStore(real: ConversationStore, failures: { left: number }): ConversationStore {
  return {
    loadTurn: (...args) => real.loadTurn(...args),
    commitTurn: async (commit) => {
      if (failures.left-- > 0) throw new Error('DynamoDB: service unavailable');
      return real.commitTurn(commit);
    },
    recordUnregistered: (...args) => real.recordUnregistered(...args),
    recordUnprocessed: (...args) => real.recordUnprocessed(...args),
  };
}

const inbound = (from: string, body: string): InboundMessage => ({
  channel: 'sms',
  from,
  to: config.TWILIO_PHONE_NUMBER,
  body,
  messageId: newMessageSid(),
  receivedAt: clock.now().toISOString(),
});

beforeAll(async () => {
  table = await createTestTable();
  config = loadConfig({
    LIANXIN_ENV: 'local',
    PUBLIC_URL: 'https://lianxin.example.org',
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
  });
  await seedDemoRoster(new RosterRepository({ client: table.client, tableName: table.tableName }));
  harness = outboundHarness(config, table, clock, localOutbox);
  turns = conversationTurns(config, logger, harness.adapters).turns;
  unprocessed = new UnprocessedRepository({ client: table.client, tableName: table.tableName });
  checkins = new CheckinRepository({ client: table.client, tableName: table.tableName });
});

describe('an answer whose turn failed', () => {
  it('is kept, listed for the coordinators, replayed by the tick and recorded once', async () => {
    const say = texting(config, harness.adapters);
    await say(GRANDMOTHER, '签到');
    const answer = inbound(GRANDMOTHER, '３');
    const failures = { left: 1 };
    await expect(
      handleInboundMessage(answer, { ...turns, store: failingStore(turns.store, failures) }),
    ).rejects.toThrow();
    expect((await checkins.getCheckin('child-xiaoming', WEEK))?.answers.attendance).toBeUndefined();

    // The coordinators see it, with its text and what went wrong.
    const settings = apiSettings(config, {});
    if (settings.auth.mode !== 'local') throw new Error('expected local auth');
    const token = await issueLocalToken(settings.auth.signingKey, {
      subject: 'c',
      centres: ['centre-shimen'],
    });
    const api = createCoordinatorApiHandler(
      createCoordinatorApiOptions(
        settings,
        createCoordinatorApiDependencies(config, logger, harness.adapters),
      ),
    );
    const listed = await invokeApi(api, '/api/inbound/unprocessed?centre=centre-shimen', {
      method: 'GET',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(listed.statusCode).toBe(200);
    expect(JSON.parse(listed.body ?? '{}').messages).toEqual([
      expect.objectContaining({
        from: GRANDMOTHER,
        text: '３',
        attempts: 0,
        reason: expect.stringContaining('unavailable'),
      }),
    ]);

    // Not yet due; a minute later the tick replays it.
    const tick = createSchedulerDependencies(config, logger, harness.adapters);
    await runSchedulerTick(tick, clock.now());
    expect((await checkins.getCheckin('child-xiaoming', WEEK))?.answers.attendance).toBeUndefined();
    clock.advance((REPLAY_BACKOFF_MINUTES[0] ?? 1) * 60_000);
    await runSchedulerTick(tick, clock.now());

    const after = await checkins.getCheckin('child-xiaoming', WEEK);
    expect(after?.answers.attendance).toMatchObject({ status: 'answered', value: 3, raw: '３' });
    expect(after?.history.filter((h) => h.itemId === 'attendance')).toHaveLength(1);
    expect(await unprocessed.get(keys.unprocessed('sms', GRANDMOTHER, answer.messageId))).toBeUndefined();
    // The reply the failed webhook never gave goes out now.
    const reply = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: keys.outbound(`replay#sms#${answer.messageId}#0`) }),
    );
    expect(reply.Item?.body).toContain('小明这周心情怎么样');

    // Again, and the same message delivered again: nothing more.
    clock.advance(60 * 60_000);
    await runSchedulerTick(tick, clock.now());
    await handleInboundMessage(answer, turns);
    expect((await checkins.getCheckin('child-xiaoming', WEEK))?.history).toHaveLength(1);
    expect(
      await queryPartition(table.client, table.tableName, 't', 'CENTRE#centre-shimen', 'UNPROCESSED#'),
    ).toEqual([]);
  });

  it('keeps failing: tried with growing waits, then given up, off the due index and still listed', async () => {
    const answer = inbound(ZHANG_NAINAI, '签到');
    const broken = { ...turns, store: failingStore(turns.store, { left: 100 }) };
    await expect(handleInboundMessage(answer, broken)).rejects.toThrow();
    const key = keys.unprocessed('sms', ZHANG_NAINAI, answer.messageId);
    const deps = { turns: broken, unprocessed, outbound: harness.outbound, logger };
    const waits: number[] = [];
    for (let attempt = 0; attempt < REPLAY_BACKOFF_MINUTES.length; attempt++) {
      const before = await unprocessed.get(key);
      waits.push(Date.parse(before?.nextAttemptAt ?? '') - clock.now().getTime());
      clock.set(before?.nextAttemptAt ?? '');
      const outcome = await replayUnprocessed(key, deps);
      expect(outcome).toBe(attempt === REPLAY_BACKOFF_MINUTES.length - 1 ? 'gave-up' : 'retry');
    }
    expect(waits.map((ms) => ms / 60_000)).toEqual([...REPLAY_BACKOFF_MINUTES]);
    const kept = await unprocessed.get(key);
    expect(kept).toMatchObject({
      attempts: REPLAY_BACKOFF_MINUTES.length,
      gaveUpAt: clock.now().toISOString(),
    });
    expect(kept?.nextAttemptAt).toBeUndefined();
    expect((await unprocessed.listForCentre('centre-shimen')).map((m) => m.messageId)).toEqual([
      answer.messageId,
    ]);
    expect(await replayUnprocessed(key, deps)).toBe('gone');
  });
});
