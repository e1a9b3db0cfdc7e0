// The business metrics (lib/observability/metric-names.ts) are counted where the behaviour happens,
// once per thing that happened: the real webhook, worker, tick and API on DynamoDB Local, with a
// recording fake in place of Powertools. Each count is checked against what the table holds.
import { beforeEach, describe, expect, it } from 'vitest';
import { issueLocalToken } from '#lib/api/auth.ts';
import { createCoordinatorApiHandler } from '#lib/api/handler.ts';
import { localOutbox } from '#lib/channels/local-outbox.ts';
import { apiSettings } from '#lib/config/api.ts';
import { type Config, loadConfig } from '#lib/config/core.ts';
import { isoWeekOf } from '#lib/domain/iso-week.ts';
import { handleInboundMessage } from '#lib/inbound/handle-inbound-message.ts';
import { replayUnprocessed } from '#lib/inbound/replay-unprocessed.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { newMessageSid } from '#lib/local/twilio-inbound-request.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { METRIC } from '#lib/observability/metric-names.ts';
import { type OutboundChannel, SendFailure } from '#lib/ports/channel.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import type { ConversationStore } from '#lib/ports/conversation-store.ts';
import { CheckinRepository } from '#lib/store/conversation/checkin-repository.ts';
import {
  REPLAY_BACKOFF_MINUTES,
  UnprocessedRepository,
} from '#lib/store/conversation/unprocessed-repository.ts';
import { keys } from '#lib/store/keys.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { CoordinatorWorkRepository } from '#lib/store/tasks/coordinator-work-repository.ts';
import type { Adapters } from '#lib/wiring/adapters.ts';
import { conversationTurns } from '#lib/wiring/conversation-turns.ts';
import {
  createCoordinatorApiDependencies,
  createCoordinatorApiOptions,
} from '#lib/wiring/coordinator-api.ts';
import { invokeApi } from '#tests/support/api-event.ts';
import { outboundHarness } from '#tests/support/outbound-harness.ts';
import { RecordingMetrics } from '#tests/support/recording-metrics.ts';
import { invoke, smsEvent, texting } from '#tests/support/sms-webhook.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';
import { weeklyRhythmWorld } from '#tests/support/weekly-rhythm.ts';

const START = '2026-12-05T02:00:00Z';
const WEEK = isoWeekOf(new Date(START));
const GRANDMOTHER = '+8613800000001';
const ZHANG_NAINAI = '+8613800000002';
/** 签到, then 小明 (a worrying mood and a message for the centre), then 小红 with no message. */
const CHECKIN = ['签到', '3', '4', '1', '1', '1', '小明这周咳嗽，想爸爸', '2', '1', '1', '1', '1', '0'];
const logger = createLogger('test-business-metrics');
logger.setLogLevel('SILENT');

let clock: ManualClock;
let table: TestTable;
let config: Config;
let metrics: RecordingMetrics;

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
  metrics = new RecordingMetrics();
});

/** The harness's adapters, counting into this test's recorder. */
function counted(channel: OutboundChannel = localOutbox) {
  const harness = outboundHarness(config, table, clock, channel, (deps) => ({ ...deps, metrics }));
  const adapters: Adapters = { ...harness.adapters, metrics };
  return { harness, adapters };
}

async function coordinatorApi(adapters: Adapters) {
  const settings = apiSettings(config, {});
  if (settings.auth.mode !== 'local') throw new Error('expected local auth');
  const token = await issueLocalToken(settings.auth.signingKey, { subject: 'c', centres: ['centre-shimen'] });
  const api = createCoordinatorApiHandler(
    createCoordinatorApiOptions(settings, createCoordinatorApiDependencies(config, logger, adapters)),
  );
  return (path: string, method = 'GET', body?: unknown) =>
    invokeApi(api, path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
}

describe('a carer’s check-in by SMS', () => {
  it('counts one run started, each answer and child completed, and each alert, by channel; a redelivery counts nothing', async () => {
    const { adapters } = counted();
    const say = texting(config, adapters);
    for (const body of CHECKIN.slice(0, -1)) {
      clock.advance(60_000);
      expect((await say(GRANDMOTHER, body)).statusCode).toBe(200);
    }
    // The last answer, delivered twice by Twilio (same MessageSid).
    const handler = (await import('#lib/http/twilio-sms-webhook.ts')).createSmsWebhookHandler(
      (await import('#lib/wiring/sms-webhook.ts')).createSmsWebhookDependencies(config, logger, {}, adapters),
      config.PUBLIC_URL,
    );
    const last = smsEvent(config, {
      from: GRANDMOTHER,
      body: CHECKIN.at(-1) ?? '',
      messageSid: newMessageSid(),
    });
    expect((await invoke(handler, last)).statusCode).toBe(200);
    expect((await invoke(handler, last)).statusCode).toBe(200);

    const checkins = new CheckinRepository({ client: table.client, tableName: table.tableName });
    const stored = await Promise.all(
      ['child-xiaoming', 'child-xiaohong'].map((c) => checkins.getCheckin(c, WEEK)),
    );
    const answersStored = stored.reduce((n, c) => n + Object.keys(c?.answers ?? {}).length, 0);
    const alerts = await new CoordinatorWorkRepository({
      client: table.client,
      tableName: table.tableName,
    }).listAlerts('centre-shimen');

    expect(metrics.total(METRIC.checkinsStarted, { channel: 'sms' })).toBe(1);
    expect(metrics.total(METRIC.checkinsCompleted, { channel: 'sms' })).toBe(2);
    expect(answersStored).toBeGreaterThan(0);
    expect(metrics.total(METRIC.answers, { channel: 'sms' })).toBe(answersStored);
    expect(alerts.length).toBeGreaterThan(0);
    expect(metrics.total(METRIC.alertsRaised, { channel: 'sms' })).toBe(alerts.length);
    // Nothing carried a number or an id: only the channel.
    for (const c of metrics.counts) expect(Object.keys(c.dimensions)).toEqual(['channel']);

    // A coordinator acknowledges one alert through the API; the same again is a 409 and no count.
    const call = await coordinatorApi(adapters);
    const listed = JSON.parse((await call('/api/tasks?centre=centre-shimen')).body ?? '{}') as {
      tasks: { id: string; kind: string }[];
    };
    const alert = listed.tasks.find((t) => t.kind === 'alert');
    expect(alert).toBeDefined();
    expect((await call(`/api/tasks/${alert?.id}/acknowledge`, 'POST', { note: '已打电话' })).statusCode).toBe(
      200,
    );
    expect((await call(`/api/tasks/${alert?.id}/acknowledge`, 'POST', { note: '再次' })).statusCode).toBe(
      409,
    );
    expect(metrics.total(METRIC.alertsAcknowledged)).toBe(1);
  });
});

describe('the send worker', () => {
  it('counts sent by channel, and a rejection as failed by channel and by the provider’s code', async () => {
    const rejecting: OutboundChannel = {
      name: 'sms',
      send: async (to, body) => {
        if (body.includes('reject')) throw new SendFailure('rejected', 'blocked by carrier', 30007);
        return localOutbox.send(to, body);
      },
    };
    const { harness } = counted(rejecting);
    const to = { contactId: 'contact-li-nainai', channel: 'sms' as const, address: GRANDMOTHER };
    for (const [key, body] of [
      ['m1', 'hello'],
      ['m2', 'please reject'],
      ['m1', 'hello'], // the same key again: not a second message
    ] as const) {
      await harness.outbound.enqueue({
        key: `metrics#${key}`,
        recipient: to,
        body,
        kind: 'reply',
        urgent: true,
      });
    }
    await harness.drain();
    await harness.drain();
    expect(metrics.total(METRIC.messagesSent, { channel: 'sms' })).toBe(1);
    expect(metrics.total(METRIC.messagesFailed, { channel: 'sms' })).toBe(1);
    expect(metrics.total(METRIC.messagesFailedByCode, { channel: 'sms', errorCode: '30007' })).toBe(1);
  });

  it('counts a retried send as failed only when it gives up', async () => {
    const down: OutboundChannel = {
      name: 'sms',
      send: async () => {
        throw new SendFailure('retryable', 'provider unavailable');
      },
    };
    const { harness } = counted(down);
    await harness.outbound.enqueue({
      key: 'metrics#retry',
      recipient: { contactId: 'contact-li-nainai', channel: 'sms', address: GRANDMOTHER },
      body: 'hello',
      kind: 'reply',
      urgent: true,
      // Long enough for every attempt: an expired message is stale, not failed.
      expiresAt: new Date(clock.now().getTime() + 24 * 3600_000),
    });
    await harness.drain();
    expect(metrics.total(METRIC.messagesFailed)).toBe(0);
    for (let i = 0; i < config.SEND_MAX_ATTEMPTS + 2; i++) {
      clock.advance(15 * 60_000);
      await harness.drain();
    }
    const record = await harness.worker.repository.get('metrics#retry');
    expect(record).toMatchObject({ status: 'failed', attempts: config.SEND_MAX_ATTEMPTS });
    expect(metrics.total(METRIC.messagesFailed, { channel: 'sms' })).toBe(1);
    expect(metrics.total(METRIC.messagesFailedByCode, { channel: 'sms', errorCode: 'retryable' })).toBe(1);
    expect(metrics.total(METRIC.messagesSent)).toBe(0);
  });
});

describe('kept inbound messages (UNPROCESSED)', () => {
  const failing = (real: ConversationStore, failures: { left: number }): ConversationStore => ({
    ...real,
    loadTurn: (...args) => real.loadTurn(...args),
    recordUnregistered: (...args) => real.recordUnregistered(...args),
    recordUnprocessed: (...args) => real.recordUnprocessed(...args),
    commitTurn: async (commit) => {
      if (failures.left-- > 0) throw new Error('DynamoDB: service unavailable');
      return real.commitTurn(commit);
    },
  });

  it('counts a replay that records the answer once, and one that gives up once', async () => {
    const { harness, adapters } = counted();
    const turns = conversationTurns(config, logger, adapters).turns;
    const unprocessed = new UnprocessedRepository({ client: table.client, tableName: table.tableName });
    const message = (from: string, body: string) => ({
      channel: 'sms' as const,
      from,
      to: config.TWILIO_PHONE_NUMBER,
      body,
      messageId: newMessageSid(),
      receivedAt: clock.now().toISOString(),
    });

    // Fails once, then the replay commits it: one replayed, one check-in started (not two).
    const once = message(GRANDMOTHER, '签到');
    const failOnce = { ...turns, store: failing(turns.store, { left: 1 }) };
    await expect(handleInboundMessage(once, failOnce)).rejects.toThrow();
    const deps = { turns: failOnce, unprocessed, outbound: harness.outbound, logger, metrics };
    clock.advance((REPLAY_BACKOFF_MINUTES[0] ?? 1) * 60_000);
    expect(await replayUnprocessed(keys.unprocessed('sms', GRANDMOTHER, once.messageId), deps)).toBe(
      'replayed',
    );
    expect(metrics.total(METRIC.unprocessedReplayed)).toBe(1);
    expect(metrics.total(METRIC.checkinsStarted, { channel: 'sms' })).toBe(1);

    // Fails every time: given up after the last replay, counted once however often it is tried again.
    const never = message(ZHANG_NAINAI, '签到');
    const broken = { ...turns, store: failing(turns.store, { left: 100 }) };
    await expect(handleInboundMessage(never, broken)).rejects.toThrow();
    const key = keys.unprocessed('sms', ZHANG_NAINAI, never.messageId);
    const brokenDeps = { ...deps, turns: broken };
    for (let i = 0; i < REPLAY_BACKOFF_MINUTES.length + 2; i++) {
      clock.set((await unprocessed.get(key))?.nextAttemptAt ?? clock.now());
      await replayUnprocessed(key, brokenDeps);
    }
    expect(metrics.total(METRIC.unprocessedGaveUp)).toBe(1);
    expect(metrics.total(METRIC.unprocessedReplayed)).toBe(1);
  });
});

describe('the scheduler tick', () => {
  it('counts what was due and done, and each invitation that opens a check-in, by channel', async () => {
    const world = await weeklyRhythmWorld({ start: '2026-11-29T16:00:00Z' });
    world.deps.metrics = metrics;
    world.harness.worker.metrics = metrics;
    let due = 0;
    let processed = 0;
    for (const local of ['2026-11-30T00:00', '2026-12-03T19:00', '2026-12-04T12:00', '2026-12-05T10:00']) {
      world.clock.set(new Date(`${local}+08:00`));
      const report = await world.tick();
      due += report.due;
      processed += report.due - report.failed - report.deferred;
    }
    // The carers' invitations open a check-in (the parents' weekly question is another flow).
    const invitations = [];
    for (const m of await world.outboundItems()) {
      if (m.kind === 'invitation' && (await world.roster.getContact(m.contactId))?.role === 'carer') {
        invitations.push(m);
      }
    }
    expect(invitations.length).toBeGreaterThan(0);
    expect(metrics.total(METRIC.checkinsStarted)).toBe(invitations.length);
    expect(metrics.total(METRIC.checkinsStarted, { channel: 'sms' })).toBe(
      invitations.filter((m) => m.channel === 'sms').length,
    );
    expect(due).toBeGreaterThan(0);
    expect(metrics.total(METRIC.tickDue)).toBe(due);
    expect(metrics.total(METRIC.tickProcessed)).toBe(processed);
    expect(metrics.total(METRIC.tickErrors)).toBe(0);
    expect(metrics.total(METRIC.messagesSent)).toBe(world.sent.length);

    // The same hour again: nothing new is started.
    await world.tick();
    expect(metrics.total(METRIC.checkinsStarted)).toBe(invitations.length);
  });
});
