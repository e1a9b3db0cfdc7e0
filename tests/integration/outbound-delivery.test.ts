import type { Server } from 'node:http';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Config, loadConfig, twilioAuthToken } from '#lib/config/core.ts';
import type { EnqueueRequest, OutboundMessage } from '#lib/domain/outbound-message.ts';
import { createStatusWebhookHandler } from '#lib/http/twilio-status-webhook.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { OutboundService } from '#lib/outbound/outbound-service.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import { runSchedulerTick } from '#lib/schedule/scheduler-tick.ts';
import type { DynamoOutboundRepository } from '#lib/store/outbound/dynamo-outbound-repository.ts';
import { STRANDED_AFTER_MS } from '#lib/store/outbound/dynamo-outbound-repository.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { createSchedulerDependencies } from '#lib/wiring/scheduler-tick.ts';
import { createStatusWebhookDependencies } from '#lib/wiring/status-webhook.ts';
import {
  type FakeTwilio,
  fakeResponses,
  smsChannelTo,
  startFakeTwilio,
} from '#tests/support/fake-twilio-server.ts';
import { outboundHarness } from '#tests/support/outbound-harness.ts';
import { startStatusCallbackServer } from '#tests/support/status-callback-server.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

const HOUR = 3_600_000;
// 10:00 on a Saturday in Asia/Shanghai (UTC+8).
const MORNING = '2026-12-05T02:00:00Z';

let table: TestTable;
let config: Config;
let fake: FakeTwilio;
let server: Server;
let roster: RosterRepository;
let repository: DynamoOutboundRepository;
const clock = new ManualClock(MORNING);
let harness: ReturnType<typeof outboundHarness>;
let service: OutboundService;
let contactCount = 0;

beforeAll(async () => {
  table = await createTestTable();
  const local = await startStatusCallbackServer();
  server = local.server;
  config = loadConfig({
    LIANXIN_ENV: 'local',
    PUBLIC_URL: `http://127.0.0.1:${local.port}`,
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
    SEND_MAX_ATTEMPTS: '3',
  });
  fake = await startFakeTwilio({
    accountSid: config.TWILIO_ACCOUNT_SID,
    authToken: twilioAuthToken(config),
  });
  roster = new RosterRepository({ client: table.client, tableName: table.tableName });
  await seedDemoRoster(roster);
  // Long enough for any answer on a busy machine; the timeout test uses a fake that never answers.
  const sms = smsChannelTo(fake, config, { timeoutMs: 1_500 });
  // Backoff at its ceiling, so a test knows how far to move the clock.
  harness = outboundHarness(config, table, clock, sms, (deps) => ({ ...deps, random: () => 1 }));
  repository = harness.worker.repository;
  const logger = createLogger('test');
  service = new OutboundService({ repository, queue: harness.queue, clock, logger });
  local.setHandler(
    createStatusWebhookHandler(
      createStatusWebhookDependencies(config, logger, harness.adapters),
      config.PUBLIC_URL,
    ),
  );
});

afterAll(async () => {
  await fake?.close();
  await new Promise((done) => server?.close(done));
});

beforeEach(() => {
  clock.set(MORNING);
  fake.reset();
});

/** A parent of the demo Centre with a number of their own, so tests do not share state. */
async function newParent(): Promise<{ contactId: string; address: string }> {
  contactCount++;
  const contactId = `contact-test-parent-${contactCount}`;
  const address = `+861390000${String(1000 + contactCount)}`;
  await roster.putContact({
    contactId,
    centreId: 'centre-shimen',
    name: `测试家长${contactCount}`,
    role: 'parent',
    language: 'zh-CN',
    addresses: [{ channel: 'sms', address }],
    familyIds: ['family-li'],
  });
  return { contactId, address };
}

function request(
  to: { contactId: string; address: string },
  overrides: Partial<EnqueueRequest> = {},
): EnqueueRequest {
  return {
    key: `test#${to.contactId}#${Math.random().toString(36).slice(2)}`,
    recipient: { contactId: to.contactId, channel: 'sms', address: to.address },
    body: '【连心】小明本周：去儿童之家3天，心情很开心。',
    kind: 'digest',
    ...overrides,
  };
}

const message = async (key: string): Promise<OutboundMessage> => {
  const m = await repository.get(key);
  if (!m) throw new Error(`no message ${key}`);
  return m;
};
const requestsTo = (address: string) => fake.requests.filter((r) => r.to === address);

describe('at most once per idempotency key', () => {
  it('sends once however often the key is enqueued, delivered or re-run', async () => {
    const parent = await newParent();
    const r = request(parent);
    expect(await service.enqueue(r)).toBe(true);
    expect(await service.enqueue(r)).toBe(false);
    harness.queue.duplicateNext();
    await harness.drain();
    expect(requestsTo(parent.address)).toHaveLength(1);
    const sent = await message(r.key);
    expect(sent.status).toBe('sent');
    expect(sent.providerId).toMatch(/^SM/);
    // A re-run of the job that enqueued it, after it went: still nothing more.
    expect(await service.enqueue(r)).toBe(false);
    await harness.drain();
    expect(requestsTo(parent.address)).toHaveLength(1);
  });

  it('never resends after a worker stopped between claim and send: the outcome is recorded unknown', async () => {
    const parent = await newParent();
    const r = request(parent);
    await service.enqueue(r);
    // A worker takes the message, claims it, then dies before sending or deleting it.
    const [delivery] = harness.queue.receive(1);
    expect(delivery).toBeDefined();
    expect(
      await repository.claim({
        key: r.key,
        contactId: parent.contactId,
        addressKey: `sms:${parent.address}`,
        now: clock.now(),
      }),
    ).toMatchObject({ result: 'claimed' });
    // The queue gives the message to another worker once the visibility timeout has passed.
    clock.advance((config.SEND_CLAIM_TIMEOUT_SECONDS * 2 + 1) * 1000);
    await harness.drain();
    expect(requestsTo(parent.address)).toHaveLength(0);
    const m = await message(r.key);
    expect(m.status).toBe('unknown');
    expect(harness.queue.size()).toBe(0);
  });

  it('lets a duplicate delivery that finds the message in flight go without touching it', async () => {
    const parent = await newParent();
    const r = request(parent);
    await service.enqueue(r);
    await repository.claim({
      key: r.key,
      contactId: parent.contactId,
      addressKey: `sms:${parent.address}`,
      now: clock.now(),
    });
    await harness.drain();
    expect((await message(r.key)).status).toBe('sending');
    expect(requestsTo(parent.address)).toHaveLength(0);
  });
});

describe('never lost between the put and the queue', () => {
  it('hands a still-queued message to the queue again when the same key is enqueued after a failed queue send', async () => {
    const parent = await newParent();
    const r = request(parent);
    let failNext = true;
    const flaky = new OutboundService({
      repository,
      queue: {
        send: async (bodies, delay) => {
          if (failNext) {
            failNext = false;
            throw new Error('SQS throttled');
          }
          await harness.queue.send(bodies, delay);
        },
      },
      clock,
      logger: createLogger('test'),
    });
    await expect(flaky.enqueue(r)).rejects.toThrow('SQS throttled');
    expect((await message(r.key)).status).toBe('queued');
    expect(harness.queue.size()).toBe(0);
    // The caller retries (the tick's next run, a redelivered event): the message reaches the queue.
    expect(await flaky.enqueue(r)).toBe(false);
    expect(harness.queue.size()).toBe(1);
    await harness.drain();
    expect(requestsTo(parent.address)).toHaveLength(1);
    // Once sent, enqueueing the key again hands nothing more over.
    expect(await flaky.enqueue(r)).toBe(false);
    expect(harness.queue.size()).toBe(0);
  });
});

describe('never to someone who said stop', () => {
  it('checks opt-out at send time, not only at enqueue time', async () => {
    const parent = await newParent();
    const r = request(parent);
    await service.enqueue(r);
    await roster.markOptedOut(parent.contactId);
    await harness.drain();
    expect(requestsTo(parent.address)).toHaveLength(0);
    expect((await message(r.key)).status).toBe('suppressed');
  });

  it('marks the contact opted out on Twilio 21610 and sends nothing more', async () => {
    const parent = await newParent();
    fake.respondFor(parent.address, fakeResponses.unsubscribed);
    const first = request(parent);
    await service.enqueue(first);
    await harness.drain();
    expect((await message(first.key)).status).toBe('suppressed');
    expect((await roster.getContact(parent.contactId))?.optedOut).toBe(true);
    expect((await roster.getContactView('sms', parent.address))?.optedOut).toBe(true);
    const second = request(parent, { body: '【连心】本周活动：剪纸。' });
    await service.enqueue(second);
    await harness.drain();
    expect(requestsTo(parent.address)).toHaveLength(1);
    expect((await message(second.key)).status).toBe('suppressed');
  });
});

describe('never at 2 a.m.', () => {
  it('holds a non-urgent message through the night in Asia/Shanghai, across midnight, until 08:00', async () => {
    const parent = await newParent();
    clock.set('2026-12-05T15:30:00Z'); // 23:30 Saturday in Shanghai
    const r = request(parent);
    await service.enqueue(r);
    await harness.drain();
    expect(requestsTo(parent.address)).toHaveLength(0);
    clock.set('2026-12-05T16:10:00Z'); // 00:10 Sunday: a new day, still night
    await harness.drain();
    clock.set('2026-12-05T23:59:00Z'); // 07:59
    await harness.drain();
    expect(requestsTo(parent.address)).toHaveLength(0);
    expect((await message(r.key)).status).toBe('queued');
    clock.set('2026-12-06T00:00:01Z'); // 08:00:01
    await harness.drain();
    expect(requestsTo(parent.address)).toHaveLength(1);
    expect((await message(r.key)).status).toBe('sent');
  });

  it('sends an urgent alert at once, even at 2 a.m.', async () => {
    const parent = await newParent();
    clock.set('2026-12-05T18:00:00Z'); // 02:00 in Shanghai
    const r = request(parent, { kind: 'alert', urgent: true, body: '【连心】关注提醒：小红这周很难过。' });
    await service.enqueue(r);
    await harness.drain();
    expect(requestsTo(parent.address)).toHaveLength(1);
  });

  it("respects a contact's own time zone and quiet hours", async () => {
    const parent = await newParent();
    clock.set('2026-12-05T02:00:00Z'); // 10:00 in Shanghai, 21:00 the day before in New York
    const r = request(parent);
    r.recipient.timeZone = 'America/New_York';
    r.recipient.quietHours = { start: '20:00', end: '07:00' };
    await service.enqueue(r);
    await harness.drain();
    expect(requestsTo(parent.address)).toHaveLength(0);
    clock.set('2026-12-05T12:00:01Z'); // 07:00:01 in New York
    await harness.drain();
    expect(requestsTo(parent.address)).toHaveLength(1);
  });
});

describe('never stale', () => {
  it('drops a message whose expiry passed while it waited for the morning', async () => {
    const parent = await newParent();
    clock.set('2026-12-05T14:00:00Z'); // 22:00 in Shanghai
    const r = request(parent, { expiresAt: new Date(clock.now().getTime() + 2 * HOUR) });
    await service.enqueue(r);
    await harness.drain();
    clock.set('2026-12-06T00:00:01Z');
    await harness.drain();
    expect(requestsTo(parent.address)).toHaveLength(0);
    expect((await message(r.key)).status).toBe('expired');
    expect(harness.queue.size()).toBe(0);
  });
});

describe('never a loop', () => {
  it('blocks more than the limit of identical bodies to one address within five minutes', async () => {
    const parent = await newParent();
    const keys: string[] = [];
    for (let i = 0; i < config.LOOP_GUARD_LIMIT + 1; i++) {
      const r = request(parent, { kind: 'alert', urgent: true });
      keys.push(r.key);
      await service.enqueue(r);
      await harness.drain(1);
    }
    expect(requestsTo(parent.address)).toHaveLength(config.LOOP_GUARD_LIMIT);
    expect((await message(keys.at(-1) ?? '')).status).toBe('blocked');
    // A different body is not a loop.
    const other = request(parent, { body: '【连心】不同的消息。', urgent: true });
    await service.enqueue(other);
    await harness.drain();
    expect((await message(other.key)).status).toBe('sent');
  });
});

describe('never lost', () => {
  it('retries 429 and 5xx with backoff until Twilio takes the message', async () => {
    const parent = await newParent();
    fake.failNext(1, fakeResponses.rateLimited);
    fake.failNext(1, fakeResponses.serverError);
    const r = request(parent);
    await service.enqueue(r);
    await harness.drain();
    let m = await message(r.key);
    expect(m.status).toBe('queued');
    expect(m.attempts).toBe(1);
    await harness.drain();
    expect(requestsTo(parent.address)).toHaveLength(1); // hidden for its backoff
    clock.advance(6_000); // first backoff ≤ 5 s
    await harness.drain();
    expect((await message(r.key)).attempts).toBe(2);
    clock.advance(11_000); // second backoff ≤ 10 s
    await harness.drain();
    m = await message(r.key);
    expect(m.status).toBe('sent');
    expect(requestsTo(parent.address)).toHaveLength(3);
    // Three attempts, one message: the loop guard counted it once.
    const guard = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `LOOPGUARD#sms:${parent.address}` },
      }),
    );
    expect(guard.Items?.map((i) => i.sends)).toEqual([1]);
  });

  it('marks the message failed after the last attempt and moves it to the dead-letter queue', async () => {
    const parent = await newParent();
    fake.respondFor(parent.address, fakeResponses.serverError);
    const r = request(parent);
    await service.enqueue(r);
    for (let i = 0; i < config.SEND_MAX_ATTEMPTS; i++) {
      await harness.drain();
      clock.advance(901_000);
    }
    expect(requestsTo(parent.address)).toHaveLength(config.SEND_MAX_ATTEMPTS);
    expect((await message(r.key)).status).toBe('failed');
    expect(harness.queue.deadLetters.map((d) => JSON.parse(d.body).key)).toContain(r.key);
    expect(harness.queue.size()).toBe(0);
  });

  it('marks an invalid number (21211) without retrying, and skips it from then on', async () => {
    const parent = await newParent();
    fake.respondFor(parent.address, fakeResponses.invalidNumber);
    const r = request(parent);
    await service.enqueue(r);
    await harness.drain();
    expect((await message(r.key)).status).toBe('failed');
    expect((await roster.getContact(parent.contactId))?.invalidAddressKeys).toEqual([
      `sms:${parent.address}`,
    ]);
    const next = request(parent, { body: '【连心】另一条。' });
    await service.enqueue(next);
    await harness.drain();
    expect(requestsTo(parent.address)).toHaveLength(1);
    expect((await message(next.key)).status).toBe('suppressed');
  });

  it('records a timeout after the request left as unknown, does not resend, and lets a late callback settle it', async () => {
    const parent = await newParent();
    fake.failNext(1, fakeResponses.noAnswer);
    const r = request(parent);
    await service.enqueue(r);
    await harness.drain();
    expect((await message(r.key)).status).toBe('unknown');
    clock.advance(HOUR);
    await harness.drain();
    expect(requestsTo(parent.address)).toHaveLength(1);
    const sid = requestsTo(parent.address)[0]?.sid ?? '';
    expect(await fake.fireStatus(sid, 'delivered')).toBe(204);
    expect((await message(r.key)).status).toBe('delivered');
  });
});

describe('status you can trust', () => {
  it('records callbacks in the history and only moves forward', async () => {
    const parent = await newParent();
    const r = request(parent);
    await service.enqueue(r);
    await harness.drain();
    const sid = (await message(r.key)).providerId ?? '';
    expect(await fake.fireStatus(sid, 'delivered')).toBe(204);
    expect(await fake.fireStatus(sid, 'sent')).toBe(204);
    const m = await message(r.key);
    expect(m.status).toBe('delivered');
    expect(m.statusHistory.map((e) => e.status)).toEqual(['queued', 'sending', 'sent', 'delivered', 'sent']);
  });

  it('acknowledges a callback for an unknown message and refuses an unsigned one', async () => {
    const url = `${config.PUBLIC_URL}/webhooks/twilio/status?key=nope`;
    const form = new URLSearchParams({ MessageSid: `SM${'a'.repeat(32)}`, MessageStatus: 'delivered' });
    const unsigned = await fetch(url, { method: 'POST', body: form });
    expect(unsigned.status).toBe(403);
  });
});

describe("SQS's real limits: 12 hours hidden from first receipt, 15 minutes of delay", () => {
  it('delivers a message held for 30 hours of test clock once, on time, with nothing dead-lettered', async () => {
    const parent = await newParent();
    const notBefore = new Date(clock.now().getTime() + 30 * HOUR);
    const r = request(parent, { notBefore });
    await service.enqueue(r);
    const deadLettersBefore = harness.queue.deadLetters.length;
    let drains = 0;
    while ((await message(r.key)).status === 'queued' && drains < 50) {
      await harness.drain();
      drains++;
      const next = harness.queue.nextVisibleAt();
      if (!next || (await message(r.key)).status !== 'queued') break;
      // The queue's own clock: every hold is a visibility change or a new message's delay.
      clock.set(next.toISOString());
    }
    const sent = await message(r.key);
    expect(sent.status).toBe('sent');
    expect(requestsTo(parent.address)).toHaveLength(1);
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(notBefore.getTime());
    expect(clock.now().getTime()).toBeLessThan(notBefore.getTime() + HOUR);
    expect(harness.queue.deadLetters.length).toBe(deadLettersBefore);
    // Past 12 hours the hold continued on new messages: a handful of receives, not one every 15 minutes.
    expect(drains).toBeLessThan(10);
    expect(harness.queue.size()).toBe(0);
  });

  it('refuses, as SQS does, to hide a message past 12 hours from its first receipt', async () => {
    await harness.queue.send(['{"not":"a send instruction"}']);
    const [delivery] = harness.queue.receive(1);
    if (!delivery) throw new Error('no delivery');
    await harness.queue.changeVisibility(delivery, 6 * 3600);
    clock.advance(6 * HOUR);
    await expect(harness.queue.changeVisibility(delivery, 7 * 3600)).rejects.toThrow(/beyond the limit/);
    await expect(harness.queue.changeVisibility(delivery, 5 * 3600)).resolves.toBeUndefined();
    harness.queue.delete(delivery);
  });

  it('recovers a message stranded between the put and the queue send: the tick sweeps it, sent exactly once', async () => {
    const parent = await newParent();
    const r = request(parent);
    const logger = createLogger('test');
    logger.setLogLevel('SILENT');
    // The enqueue dies after the message item is written, before its queue message is sent.
    const dying = new OutboundService({
      repository,
      queue: { send: async () => Promise.reject(new Error('the function timed out')) },
      clock,
      logger,
    });
    await expect(dying.enqueue(r)).rejects.toThrow('timed out');
    expect((await message(r.key)).status).toBe('queued');
    const tick = createSchedulerDependencies(config, logger, harness.adapters);

    // Within its grace the sweeper leaves it: a live queue message may still be on its way.
    await runSchedulerTick(tick);
    await harness.drain();
    expect(requestsTo(parent.address)).toHaveLength(0);

    clock.advance(STRANDED_AFTER_MS + 60_000);
    const report = await runSchedulerTick(tick);
    expect(report.recovered).toBeGreaterThanOrEqual(1);
    await harness.drain();
    expect(requestsTo(parent.address)).toHaveLength(1);
    expect((await message(r.key)).status).toBe('sent');

    // Later ticks find nothing more to do for it.
    for (const hours of [1, 2, 5]) {
      clock.advance(hours * HOUR);
      await runSchedulerTick(tick);
      await harness.drain();
    }
    expect(requestsTo(parent.address)).toHaveLength(1);
  });
});
